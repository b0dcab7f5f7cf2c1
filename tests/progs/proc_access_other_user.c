/* Who may see what of a process. A child that drops root (setresuid to
 * 1000) becomes non-dumpable: its /proc files turn root's while its
 * directory stays its own, so it can no longer read its own environ
 * (0400), yet it still lists its own fd directory; PR_SET_DUMPABLE gives
 * its files back. Of its root parent it may read status, stat and
 * cmdline, but environ, maps, fdinfo, the fd directory and the exe, cwd
 * and fd links are EACCES, and stat hides the parent's addresses (0).
 * The root parent sees all of the child's, and the child's status shows
 * its new ids and empty capability sets. */
#include "proc_util.h"
#include "fs_util.h"
#include <sys/prctl.h>

static pid_t parent;

static void unprivileged(void) {
    char p[64], buf[256];
    struct stat st;
    CHECK_RET(prctl(PR_GET_DUMPABLE), 0);
    CHECK_OK(stat("/proc/self/status", &st));
    CHECK_RET(st.st_uid, 0);
    CHECK_OK(stat("/proc/self", &st));
    CHECK_RET(st.st_uid, 1000);
    CHECK_ERR(open("/proc/self/environ", O_RDONLY), EACCES);
    CHECK(proc_read("/proc/self/maps", NULL) != NULL);
    CHECK(readlink("/proc/self/exe", buf, sizeof buf) > 0);
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    if (d)
        closedir(d);
    const char *s = proc_read("/proc/self/status", NULL);
    CHECK(strcmp(proc_field(s, "Uid"), "1000\t1000\t1000\t1000") == 0);
    CHECK(strcmp(proc_field(s, "Gid"), "1000\t1000\t1000\t1000") == 0);
    CHECK(strcmp(proc_field(s, "Groups"), "") == 0);
    CHECK(strcmp(proc_field(s, "CapEff"), "0000000000000000") == 0);
    CHECK(strcmp(proc_field(s, "CapPrm"), "0000000000000000") == 0);

    /* The root parent. */
    snprintf(p, sizeof p, "/proc/%d/status", parent);
    CHECK(strcmp(proc_field(proc_read(p, NULL), "Uid"), "0\t0\t0\t0") == 0);
    snprintf(p, sizeof p, "/proc/%d/cmdline", parent);
    CHECK(proc_read(p, NULL) != NULL);
    snprintf(p, sizeof p, "/proc/%d/stat", parent);
    const char *line = proc_read(p, NULL);
    CHECK(line != NULL);
    CHECK(line && proc_stat_num(line, 28) == 0 && proc_stat_num(line, 48) == 0);
    snprintf(p, sizeof p, "/proc/%d/environ", parent);
    CHECK_ERR(open(p, O_RDONLY), EACCES);
    snprintf(p, sizeof p, "/proc/%d/maps", parent);
    CHECK_ERR(open(p, O_RDONLY), EACCES);
    snprintf(p, sizeof p, "/proc/%d/fdinfo/0", parent);
    CHECK_ERR(open(p, O_RDONLY), EACCES);
    snprintf(p, sizeof p, "/proc/%d/fd", parent);
    CHECK_ERR(open(p, O_RDONLY | O_DIRECTORY), EACCES);
    snprintf(p, sizeof p, "/proc/%d/exe", parent);
    CHECK_ERR(readlink(p, buf, sizeof buf), EACCES);
    snprintf(p, sizeof p, "/proc/%d/cwd", parent);
    CHECK_ERR(readlink(p, buf, sizeof buf), EACCES);
    snprintf(p, sizeof p, "/proc/%d/root", parent);
    CHECK_ERR(open(p, O_RDONLY | O_DIRECTORY), EACCES);

    /* Dumpable again. */
    CHECK_OK(prctl(PR_SET_DUMPABLE, 1));
    CHECK_OK(stat("/proc/self/environ", &st));
    CHECK_RET(st.st_uid, 1000);
    CHECK(proc_read("/proc/self/environ", NULL) != NULL);
}

int main(void) {
    char p[64], buf[256];
    parent = getpid();
    CHECK_RET(prctl(PR_GET_DUMPABLE), 1);
    FS_AS_USER(1000, 1000, unprivileged);

    /* Root looks at an unprivileged child. */
    int go[2], done[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(done));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(go[0]);
        close(done[1]);
        fs_drop_privs(1000, 1000, 0, NULL);
        if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    char c;
    CHECK_RET(read(go[0], &c, 1), 1);
    snprintf(p, sizeof p, "/proc/%d/environ", pid);
    CHECK(proc_read(p, NULL) != NULL);
    snprintf(p, sizeof p, "/proc/%d/exe", pid);
    CHECK(readlink(p, buf, sizeof buf) > 0);
    snprintf(p, sizeof p, "/proc/%d/fd", pid);
    DIR *d = opendir(p);
    CHECK(d != NULL);
    if (d)
        closedir(d);
    snprintf(p, sizeof p, "/proc/%d/status", pid);
    CHECK(strcmp(proc_field(proc_read(p, NULL), "Uid"), "1000\t1000\t1000\t1000") == 0);
    struct stat st;
    CHECK_OK(stat(p, &st));
    CHECK_RET(st.st_uid, 0);
    snprintf(p, sizeof p, "/proc/%d", pid);
    CHECK_OK(stat(p, &st));
    CHECK_RET(st.st_uid, 1000);
    close(done[1]);
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_status();
}
