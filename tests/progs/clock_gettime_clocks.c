/* clock_gettime and clock_getres on every clock, gettimeofday, time, and
 * the errors for bad clocks and pointers. */
#include "check.h"
#include <sys/time.h>
#include <time.h>

int main(void) {
    int clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                    CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
                    CLOCK_TAI};
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct timespec t, r;
        printf("clock %d:\n", clocks[i]);
        CHECK_OK(syscall(SYS_clock_gettime, clocks[i], &t));
        CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
        CHECK_OK(syscall(SYS_clock_getres, clocks[i], &r));
        CHECK(r.tv_sec == 0 && r.tv_nsec > 0);
        CHECK_OK(syscall(SYS_clock_getres, clocks[i], NULL));
    }
    struct timespec a, b;
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &a));
    /* A thousand readings never go backwards (counted, not printed). */
    int backwards = 0, failed = 0;
    for (int i = 0; i < 1000; i++) {
        if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b) != 0)
            failed++;
        else if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec))
            backwards++;
        a = b;
    }
    CHECK(failed == 0);
    CHECK(backwards == 0);
    struct timespec res;
    CHECK_OK(clock_getres(CLOCK_MONOTONIC, &res));
    CHECK(res.tv_nsec == 1);
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &a));
    CHECK(a.tv_sec > 1700000000);
    struct timeval tv;
    struct timezone tz = {99, 99};
    CHECK_OK(syscall(SYS_gettimeofday, &tv, &tz));
    CHECK(tv.tv_sec >= a.tv_sec && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    CHECK(tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
    CHECK_OK(syscall(SYS_gettimeofday, NULL, NULL));
    time_t t1 = 0;
    long t0 = syscall(SYS_time, &t1);
    /* time() reads the seconds the timer tick updates, which may lag
     * CLOCK_REALTIME by up to a tick across a second boundary. */
    CHECK(t0 == t1 && t0 + 1 >= a.tv_sec);
    CHECK(syscall(SYS_time, NULL) >= t0);
    CHECK_ERR(syscall(SYS_clock_gettime, 10, &a), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, 12, &a), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, 99, &a), EINVAL);
    CHECK_ERR(syscall(SYS_clock_getres, 99, &a), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)1), EFAULT);
    CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, (void *)1), EFAULT);
    CHECK_ERR(syscall(SYS_gettimeofday, (void *)1, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_time, (void *)1), EFAULT);
    /* The calling process's own CPU clock by pid. */
    clockid_t cpu;
    CHECK(clock_getcpuclockid(0, &cpu) == 0);
    CHECK_OK(clock_gettime(cpu, &a));
    return check_status();
}
