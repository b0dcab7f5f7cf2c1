/* timerfd: a disarmed timer reads back zero; a blocking read waits for the
 * expiry and returns the count as 8 bytes (>= 1, many for a fast interval
 * left unread) and resets it; TFD_NONBLOCK reads are EAGAIN before expiry;
 * poll says POLLIN once expired; settime returns the old value and takes
 * TFD_TIMER_ABSTIME deadlines; reads shorter than 8 bytes are EINVAL;
 * TFD_CLOEXEC sets FD_CLOEXEC; bad clocks, flags, times and non-timerfd
 * descriptors are EINVAL. clock_nanosleep with TIMER_ABSTIME sleeps until
 * the deadline on CLOCK_MONOTONIC and CLOCK_REALTIME. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return ns(t);
}
static struct timespec from_ns(long long n) {
    struct timespec t = {n / 1000000000LL, n % 1000000000LL};
    return t;
}
static struct itimerspec after(long long value, long long interval) {
    struct itimerspec it = {from_ns(interval), from_ns(value)};
    return it;
}

static void basics(void) {
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    struct itimerspec cur, old;
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns(cur.it_value) == 0 && ns(cur.it_interval) == 0);

    struct itimerspec it = after(20000000, 0);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_OK(timerfd_settime(fd, 0, &it, &old));
    CHECK(ns(old.it_value) == 0);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns(cur.it_value) > 0 && ns(cur.it_value) <= 20000000);
    uint64_t n = 0;
    CHECK_RET(read(fd, &n, sizeof n), 8);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
    CHECK(n == 1);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns(cur.it_value) == 0); /* one-shot: spent */

    /* A fast interval: several expirations accumulate. */
    it = after(1000000, 1000000);
    CHECK_OK(timerfd_settime(fd, 0, &it, NULL));
    struct timespec nap = {0, 30000000};
    nanosleep(&nap, NULL);
    CHECK_RET(read(fd, &n, sizeof n), 8);
    CHECK(n >= 10);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns(cur.it_interval) == 1000000);
    CHECK(ns(cur.it_value) > 0 && ns(cur.it_value) <= 1000000);
    /* Disarm, with the old value back. */
    it = after(0, 0);
    CHECK_OK(timerfd_settime(fd, 0, &it, &old));
    CHECK(ns(old.it_interval) == 1000000);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns(cur.it_value) == 0 && ns(cur.it_interval) == 0);
    char small[4];
    CHECK_ERR(read(fd, small, sizeof small), EINVAL);
    CHECK_OK(close(fd));
}

static void nonblocking(void) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    uint64_t n;
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN); /* disarmed */
    struct itimerspec it = after(30000000, 0);
    CHECK_OK(timerfd_settime(fd, 0, &it, NULL));
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    CHECK_RET(poll(&pfd, 1, 0), 0);
    CHECK_RET(poll(&pfd, 1, 5000), 1);
    CHECK(pfd.revents == POLLIN);
    CHECK_RET(read(fd, &n, sizeof n), 8);
    CHECK(n == 1);
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);
    CHECK_RET(poll(&pfd, 1, 0), 0);

    /* Absolute deadlines, on both clocks. */
    long long deadline = now_ns(CLOCK_MONOTONIC) + 15000000;
    it = after(deadline, 0);
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &it, NULL));
    CHECK_RET(poll(&pfd, 1, 5000), 1);
    CHECK(now_ns(CLOCK_MONOTONIC) >= deadline);
    CHECK_RET(read(fd, &n, sizeof n), 8);
    /* A deadline in the past expires at once. */
    it = after(1000, 0);
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &it, NULL));
    CHECK_RET(poll(&pfd, 1, 1000), 1);
    CHECK_RET(read(fd, &n, sizeof n), 8);
    CHECK(n == 1);
    close(fd);

    fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    CHECK(fd >= 0);
    deadline = now_ns(CLOCK_REALTIME) + 15000000;
    it = after(deadline, 0);
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &it, NULL));
    pfd.fd = fd;
    CHECK_RET(poll(&pfd, 1, 5000), 1);
    CHECK_RET(read(fd, &n, sizeof n), 8);
    close(fd);
    fd = timerfd_create(CLOCK_BOOTTIME, 0);
    CHECK(fd >= 0);
    close(fd);
}

static void errors(void) {
    CHECK_ERR(timerfd_create(99, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec it = after(0, 0);
    it.it_value.tv_nsec = 1000000000;
    CHECK_ERR(timerfd_settime(fd, 0, &it, NULL), EINVAL);
    it.it_value.tv_nsec = -1;
    CHECK_ERR(timerfd_settime(fd, 0, &it, NULL), EINVAL);
    it = after(1000000, 0);
    CHECK_ERR(timerfd_settime(fd, 0x10, &it, NULL), EINVAL);
    CHECK_ERR(timerfd_settime(fd, 0, (void *)8, NULL), EFAULT);
    CHECK_ERR(timerfd_gettime(fd, (void *)8), EFAULT);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(timerfd_settime(p[0], 0, &it, NULL), EINVAL);
    struct itimerspec cur;
    CHECK_ERR(timerfd_gettime(p[0], &cur), EINVAL);
    CHECK_ERR(timerfd_gettime(99, &cur), EBADF);
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void abs_sleep(void) {
    long long deadline = now_ns(CLOCK_MONOTONIC) + 20000000;
    struct timespec d = from_ns(deadline);
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL), 0);
    CHECK(now_ns(CLOCK_MONOTONIC) >= deadline);
    deadline = now_ns(CLOCK_REALTIME) + 20000000;
    d = from_ns(deadline);
    CHECK_RET(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &d, NULL), 0);
    CHECK(now_ns(CLOCK_REALTIME) >= deadline);
    d = from_ns(now_ns(CLOCK_MONOTONIC) - 1000000000LL);
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL), 0);
    d.tv_nsec = 1000000000;
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL), EINVAL);
}

int main(void) {
    basics();
    nonblocking();
    errors();
    abs_sleep();
    return check_status();
}
