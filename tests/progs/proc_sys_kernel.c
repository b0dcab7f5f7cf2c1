/* /proc/sys: kernel/ostype is "Linux", osrelease, version, hostname and
 * domainname say what uname(2) says; random/boot_id is a version-4 UUID
 * that stays the same, random/uuid a new one at each read; cap_last_cap is
 * the last capability PR_CAPBSET_READ knows; pid_max is above our pid;
 * overflowuid and overflowgid are 65534; fs/pipe-max-size is a size
 * F_SETPIPE_SZ accepts; the other settings are positive numbers. A setting
 * without write bits cannot be opened for writing even by root (EACCES);
 * files without a write operation open but refuse writes, /proc/meminfo
 * with EIO, /proc/self/status with EINVAL; an unprivileged process cannot
 * open hostname for writing. */
#include "proc_util.h"
#include "fs_util.h"
#include <sys/prctl.h>
#include <sys/utsname.h>

static const char *text(const char *path) {
    const char *t = proc_read(path, NULL);
    return t ? t : errno_name(errno);
}

static long number(const char *path) { return atol(text(path)); }

static int is_uuid4(const char *s) {
    if (strlen(s) != 37 || s[36] != '\n')
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!strchr("0123456789abcdef", s[i]))
            return 0;
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static void unprivileged(void) {
    CHECK_ERR(open("/proc/sys/kernel/hostname", O_WRONLY), EACCES);
}

int main(void) {
    char want[512], a[64];
    struct utsname u;
    CHECK_OK(uname(&u));
    CHECK(strcmp(text("/proc/sys/kernel/ostype"), "Linux\n") == 0);
    snprintf(want, sizeof want, "%s\n", u.release);
    CHECK(strcmp(text("/proc/sys/kernel/osrelease"), want) == 0);
    snprintf(want, sizeof want, "%s\n", u.version);
    CHECK(strcmp(text("/proc/sys/kernel/version"), want) == 0);
    snprintf(want, sizeof want, "%s\n", u.nodename);
    CHECK(strcmp(text("/proc/sys/kernel/hostname"), want) == 0);
    snprintf(want, sizeof want, "%s\n", u.domainname);
    CHECK(strcmp(text("/proc/sys/kernel/domainname"), want) == 0);

    snprintf(a, sizeof a, "%s", text("/proc/sys/kernel/random/boot_id"));
    CHECK(is_uuid4(a));
    CHECK(strcmp(text("/proc/sys/kernel/random/boot_id"), a) == 0);
    snprintf(a, sizeof a, "%s", text("/proc/sys/kernel/random/uuid"));
    CHECK(is_uuid4(a));
    CHECK(strcmp(text("/proc/sys/kernel/random/uuid"), a) != 0);

    long last = number("/proc/sys/kernel/cap_last_cap");
    CHECK_RET(prctl(PR_CAPBSET_READ, last), 1);
    CHECK_ERR(prctl(PR_CAPBSET_READ, last + 1), EINVAL);
    CHECK(number("/proc/sys/kernel/pid_max") > getpid());
    CHECK_RET(number("/proc/sys/kernel/overflowuid"), 65534);
    CHECK_RET(number("/proc/sys/kernel/overflowgid"), 65534);
    CHECK(number("/proc/sys/kernel/ngroups_max") >= 65536);
    CHECK(number("/proc/sys/kernel/threads-max") > 0);
    CHECK(number("/proc/sys/vm/max_map_count") > 0);
    CHECK(number("/proc/sys/vm/mmap_min_addr") % 4096 == 0);
    long oc = number("/proc/sys/vm/overcommit_memory");
    CHECK(oc >= 0 && oc <= 2);
    CHECK(number("/proc/sys/fs/file-max") > 0);
    CHECK(number("/proc/sys/fs/nr_open") >= 1024);
    CHECK(number("/proc/sys/fs/inotify/max_user_watches") > 0);
    CHECK(number("/proc/sys/net/core/somaxconn") > 0);
    long max = number("/proc/sys/fs/pipe-max-size");
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, max), max);
    close(p[0]);
    close(p[1]);

    /* Writing. */
    CHECK_ERR(open("/proc/sys/kernel/ostype", O_WRONLY), EACCES);
    CHECK_ERR(open("/proc/sys/kernel/random/boot_id", O_RDWR), EACCES);
    int fd = open("/proc/meminfo", O_WRONLY);
    CHECK(fd >= 0);
    CHECK_ERR(write(fd, "x", 1), EIO);
    close(fd);
    fd = open("/proc/self/status", O_WRONLY);
    CHECK(fd >= 0);
    CHECK_ERR(write(fd, "x", 1), EINVAL);
    close(fd);
    FS_AS_USER(1000, 1000, unprivileged);
    return check_status();
}
