/* nanosleep and clock_nanosleep sleep at least as long as asked, absolute
 * deadlines work, and bad times are EINVAL. */
#include "check.h"
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec a, b, req = {0, 5000000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK_OK(syscall(SYS_nanosleep, &req, NULL));
    clock_gettime(CLOCK_MONOTONIC, &b);
    CHECK(ns(b) - ns(a) >= 5000000);
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL));
    clock_gettime(CLOCK_MONOTONIC, &b);
    CHECK(ns(b) - ns(a) >= 5000000);
    struct timespec deadline = b;
    deadline.tv_nsec += 3000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL));
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(ns(a) >= ns(deadline));
    struct timespec past = {0, 0};
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL));
    struct timespec zero = {0, 0};
    CHECK_OK(syscall(SYS_nanosleep, &zero, NULL));
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    bad.tv_nsec = -1;
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_nanosleep, (void *)1, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_clock_nanosleep, 99, 0, &req, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &req, NULL), EOPNOTSUPP);
    return check_status();
}
