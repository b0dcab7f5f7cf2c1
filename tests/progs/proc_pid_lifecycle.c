/* A process's /proc directory over its life: /proc lists it while it runs
 * (sleeping, "S", while blocked in read); as a zombie its status says
 * "Z (zombie)" with its parent, its exe link is ENOENT and its cmdline
 * empty; once reaped, /proc/<pid> is ENOENT, the listing drops it, a
 * status file opened before reads ESRCH, and looking up names in its
 * directory opened before is ESRCH (the directory's permission check finds
 * no process) while listing it is ENOENT. */
#include "proc_util.h"

static const char *status_of(int dir) {
    static char buf[8192];
    int fd = openat(dir, "status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n < 0 ? 0 : n] = 0;
    return buf;
}

int main(void) {
    char path[64], buf[4096], want[32];
    int p[2];
    CHECK_OK(pipe(p));
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(p[1]);
        if (read(p[0], &c, 1) < 0)
            _exit(1);
        _exit(7);
    }
    close(p[0]);
    snprintf(path, sizeof path, "/proc/%d", child);
    CHECK(proc_lists(child));
    int dir = open(path, O_RDONLY | O_DIRECTORY);
    CHECK(dir >= 0);
    int st = openat(dir, "status", O_RDONLY);
    CHECK(st >= 0);
    CHECK(readlinkat(dir, "exe", buf, sizeof buf) > 0);
    snprintf(want, sizeof want, "%d", getpid());
    CHECK(strcmp(proc_field(status_of(dir), "PPid"), want) == 0);
    /* Blocked in read: sleeping, once it gets there. */
    int sleeping = 0;
    for (int i = 0; i < 400 && !sleeping; i++) {
        sleeping = proc_field(status_of(dir), "State")[0] == 'S';
        if (!sleeping)
            usleep(5000);
    }
    CHECK(sleeping);

    /* A zombie. */
    close(p[1]);
    siginfo_t si;
    CHECK_OK(waitid(P_PID, child, &si, WEXITED | WNOWAIT));
    const char *s = status_of(dir);
    CHECK(strcmp(proc_field(s, "State"), "Z (zombie)") == 0);
    CHECK(strcmp(proc_field(s, "PPid"), want) == 0);
    CHECK(proc_lists(child));
    CHECK_ERR(readlinkat(dir, "exe", buf, sizeof buf), ENOENT);
    int cmd = openat(dir, "cmdline", O_RDONLY);
    CHECK_RET(read(cmd, buf, sizeof buf), 0);
    close(cmd);
    snprintf(buf, sizeof buf, "%s/stat", path);
    const char *line = proc_read(buf, NULL);
    CHECK(line && strstr(line, ") Z ") != NULL);
    /* stat's last field is the exit code as wait would see it. */
    CHECK(line && proc_stat_num(line, 52) == (7 << 8));

    /* Reaped. */
    int status;
    CHECK_RET(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    struct stat sb;
    CHECK_ERR(stat(path, &sb), ENOENT);
    CHECK(!proc_lists(child));
    CHECK_ERR(read(st, buf, sizeof buf), ESRCH);
    CHECK_ERR(openat(dir, "status", O_RDONLY), ESRCH);
    CHECK_ERR(fstatat(dir, "cmdline", &sb, 0), ESRCH);
    CHECK_ERR(readlinkat(dir, "cwd", buf, sizeof buf), ESRCH);
    CHECK_ERR(syscall(SYS_getdents64, dir, buf, sizeof buf), ENOENT);
    CHECK_OK(fstat(dir, &sb));
    close(st);
    close(dir);
    return check_status();
}
