/* getrlimit, setrlimit and prlimit64 on the caller: lowering, reading back,
 * and the errors. */
#include "check.h"
#include <fcntl.h>
#include <sys/resource.h>

int main(void) {
    struct rlimit old, now, want;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
    CHECK(old.rlim_cur <= old.rlim_max);
    want = old;
    want.rlim_cur = 64;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &want));
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &now));
    CHECK(now.rlim_cur == 64 && now.rlim_max == old.rlim_max);
    struct rlimit inverted = {old.rlim_max, 10};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &inverted), EINVAL);
    struct rlimit huge = {1 << 21, 1 << 21};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &huge), EPERM);
    CHECK_ERR(syscall(SYS_getrlimit, 16, &now), EINVAL);
    CHECK_ERR(syscall(SYS_setrlimit, 99, &now), EINVAL);
    CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, (void *)8), EFAULT);
    struct rlimit prev;
    want.rlim_cur = 32;
    CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &want, &prev));
    CHECK(prev.rlim_cur == 64);
    CHECK_OK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &prev));
    CHECK(prev.rlim_cur == 32);
    CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));
    CHECK_ERR(syscall(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &prev), ESRCH);
    CHECK_ERR(syscall(SYS_prlimit64, 0, 16, NULL, &prev), EINVAL);
    CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, (void *)8, NULL), EFAULT);
    /* The descriptor limit applies: dup above it fails. */
    CHECK_ERR(syscall(SYS_dup2, 1, 40), EBADF);
    CHECK_ERR(fcntl(1, F_DUPFD, 40), EINVAL);
    /* Other resources read back what they are set to. */
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        struct rlimit l;
        CHECK_OK(getrlimit(r, &l));
        if (l.rlim_cur > 0 && l.rlim_cur != RLIM_INFINITY && r != RLIMIT_NOFILE) {
            struct rlimit lower = {l.rlim_cur - 1, l.rlim_max};
            CHECK_OK(setrlimit(r, &lower));
            CHECK_OK(getrlimit(r, &l));
            CHECK(l.rlim_cur == lower.rlim_cur);
        }
    }
    return check_status();
}
