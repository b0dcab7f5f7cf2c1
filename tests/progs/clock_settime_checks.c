/* clock_settime and settimeofday, short of setting anything: only
 * CLOCK_REALTIME can be set (others, CPU clocks too, EINVAL, before the
 * pointer is read); then EFAULT, EINVAL for a time of day that cannot be
 * (negative, nanoseconds out of range; settimeofday's microseconds
 * likewise); without CAP_SYS_TIME everything else is EPERM. Nothing here succeeds, natively
 * either: the host's clock is never touched. */
#include "check.h"
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static long settime(clockid_t c, const struct timespec *ts) {
    return syscall(SYS_clock_settime, c, ts);
}

static long settod(const struct timeval *tv, const struct timezone *tz) {
    return syscall(SYS_settimeofday, tv, tz);
}

int main(void) {
    struct timespec now;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
    CHECK_ERR(settime(CLOCK_MONOTONIC, &now), EINVAL);
    CHECK_ERR(settime(CLOCK_MONOTONIC, (void *)8), EINVAL);
    CHECK_ERR(settime(CLOCK_BOOTTIME, &now), EINVAL);
    CHECK_ERR(settime(CLOCK_MONOTONIC_RAW, &now), EINVAL);
    CHECK_ERR(settime(CLOCK_REALTIME_COARSE, &now), EINVAL);
    CHECK_ERR(settime(12345, &now), EINVAL);
    CHECK_ERR(settime(CLOCK_REALTIME, (void *)8), EFAULT);
    struct timespec bad = {0, -1};
    CHECK_ERR(settime(CLOCK_REALTIME, &bad), EINVAL);
    bad.tv_nsec = 1000000000;
    CHECK_ERR(settime(CLOCK_REALTIME, &bad), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(settime(CLOCK_REALTIME, &bad), EINVAL);
    CHECK_ERR(settime(CLOCK_PROCESS_CPUTIME_ID, &now), EINVAL);
    CHECK_ERR(settime(CLOCK_THREAD_CPUTIME_ID, &now), EINVAL);
    CHECK_ERR(settime(CLOCK_PROCESS_CPUTIME_ID, (void *)8), EINVAL);

    struct timeval tv = {now.tv_sec, 1000001};
    CHECK_ERR(settod(&tv, NULL), EINVAL);
    tv.tv_usec = -1;
    CHECK_ERR(settod(&tv, NULL), EINVAL);
    tv.tv_usec = 1000000;
    CHECK_ERR(settod(&tv, NULL), EINVAL);
    CHECK_ERR(settod((void *)8, NULL), EFAULT);
    tv.tv_usec = 0;
    CHECK_ERR(settod(&tv, (void *)8), EFAULT);

    pid_t c = fork();
    if (c == 0) {
        if (setgid(4247) < 0 || setuid(4247) < 0)
            _exit(99);
        CHECK_ERR(settime(CLOCK_REALTIME, &now), EPERM);
        CHECK_ERR(settod(&tv, NULL), EPERM);
        CHECK_ERR(settod(NULL, NULL), EPERM);
        struct timezone tz = {0, 0};
        CHECK_ERR(settod(NULL, &tz), EPERM);
        _exit(check_status());
    }
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return check_status();
}
