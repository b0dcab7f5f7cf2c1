/* uname and the process's ids, as relations: nothing host-specific. */
#include "check.h"
#include <grp.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    CHECK_OK(uname(&u));
    CHECK(strcmp(u.sysname, "Linux") == 0);
    CHECK(strcmp(u.machine, "x86_64") == 0);
    CHECK(strlen(u.nodename) > 0 && strlen(u.release) > 0 && strlen(u.version) > 0);
    CHECK_ERR(syscall(SYS_uname, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_uname, (void *)1), EFAULT);
    CHECK(getpid() > 0);
    CHECK(getppid() >= 0);
    CHECK(gettid() == getpid());
    CHECK(getuid() == geteuid());
    CHECK(getgid() == getegid());
    uid_t r, e, s;
    CHECK_OK(getresuid(&r, &e, &s));
    CHECK(r == getuid() && e == geteuid() && s == e);
    gid_t rg, eg, sg;
    CHECK_OK(getresgid(&rg, &eg, &sg));
    CHECK(rg == getgid() && eg == getegid() && sg == eg);
    CHECK_ERR(syscall(SYS_getresuid, (void *)1, &e, &s), EFAULT);
    int n = getgroups(0, NULL);
    CHECK(n >= 0);
    gid_t groups[256];
    CHECK_RET(getgroups(256, groups), n);
    CHECK_ERR(syscall(SYS_getgroups, -1, groups), EINVAL);
    if (n > 1)
        CHECK_ERR(syscall(SYS_getgroups, n - 1, groups), EINVAL);
    CHECK(getpgrp() >= 0); /* 0 when the group leader is outside our pid namespace */
    CHECK(getpgid(0) == getpgrp());
    CHECK(getsid(0) >= 0); /* 0 when the session leader is outside our pid namespace (as in CI) */
    CHECK_ERR(getpgid(999999), ESRCH);
    CHECK_ERR(getsid(999999), ESRCH);
    return check_status();
}
