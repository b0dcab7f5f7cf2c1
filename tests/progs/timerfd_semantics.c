/* timerfd: create on CLOCK_MONOTONIC, CLOCK_REALTIME and CLOCK_BOOTTIME
 * (other clocks and flags EINVAL); a relative one-shot fires once, no
 * earlier than asked, and disarms itself; absolute deadlines (in the past:
 * at once); intervals accumulate expirations, read as one u64 that resets;
 * timerfd_gettime reports the time left (never more than set) and the
 * interval (kept, oddly, even when disarming with value 0); settime returns
 * the old setting, and re-arming or disarming drops unread expirations;
 * TFD_NONBLOCK reads before expiry are EAGAIN; reads under 8 bytes EINVAL;
 * poll and epoll see POLLIN only after expiry; bad times, flags and
 * descriptors are EINVAL/EBADF. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return ns_of(t);
}

static struct timespec ts(long long ns) {
    struct timespec t = {ns / 1000000000LL, ns % 1000000000LL};
    return t;
}

static struct itimerspec its(long long value, long long interval) {
    struct itimerspec i = {ts(interval), ts(value)};
    return i;
}

static long rd(int fd, uint64_t *v) { return read(fd, v, sizeof *v); }

int main(void) {
    uint64_t n;
    struct itimerspec cur, old;

    /* Creation. */
    CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_THREAD_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
    CHECK_ERR(timerfd_create(99, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, O_APPEND), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME), EINVAL);
    int b = timerfd_create(CLOCK_BOOTTIME, 0);
    CHECK(b >= 0);
    close(b);
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);

    /* Disarmed: all zeros, nothing to read. */
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0);
    CHECK_ERR(rd(fd, &n), EAGAIN);

    /* Relative one-shot, 20 ms. */
    struct itimerspec set = its(20000000, 0);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_OK(timerfd_settime(fd, 0, &set, &old));
    CHECK(ns_of(old.it_value) == 0 && ns_of(old.it_interval) == 0);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns_of(cur.it_value) <= 20000000);
    CHECK(ns_of(cur.it_interval) == 0);
    CHECK_ERR(rd(fd, &n), EAGAIN);
    struct pollfd pf = {fd, POLLIN, 0};
    CHECK_RET(poll(&pf, 1, 0), 0);
    CHECK_RET(poll(&pf, 1, 1000), 1);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
    CHECK_RET(pf.revents, POLLIN);
    char small[4];
    CHECK_ERR(read(fd, small, sizeof small), EINVAL);
    CHECK_RET(rd(fd, &n), 8);
    CHECK_RET(n, 1);
    CHECK_ERR(rd(fd, &n), EAGAIN);
    CHECK_OK(timerfd_gettime(fd, &cur)); /* fired: disarmed */
    CHECK(ns_of(cur.it_value) == 0);

    /* Blocking read of a relative timer. */
    int bfd = timerfd_create(CLOCK_MONOTONIC, 0);
    set = its(15000000, 0);
    t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_OK(timerfd_settime(bfd, 0, &set, NULL));
    CHECK_RET(rd(bfd, &n), 8);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 15000000);
    CHECK_RET(n, 1);
    close(bfd);

    /* Absolute deadlines on CLOCK_MONOTONIC and CLOCK_REALTIME. */
    long long d = now_ns(CLOCK_MONOTONIC) + 20000000;
    set = its(d, 0);
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &set, NULL));
    CHECK_OK(timerfd_gettime(fd, &cur)); /* gettime is always relative */
    CHECK(ns_of(cur.it_value) <= 20000000);
    CHECK_RET(poll(&pf, 1, 1000), 1);
    CHECK(now_ns(CLOCK_MONOTONIC) >= d);
    CHECK_RET(rd(fd, &n), 8);
    CHECK_RET(n, 1);
    set = its(1000000, 0); /* 1 ms after boot: long past */
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &set, NULL));
    CHECK_RET(poll(&pf, 1, 1000), 1);
    CHECK_RET(rd(fd, &n), 8);
    CHECK_RET(n, 1);
    int rfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    CHECK(rfd >= 0);
    d = now_ns(CLOCK_REALTIME) + 20000000;
    set = its(d, 0);
    CHECK_OK(timerfd_settime(rfd, TFD_TIMER_ABSTIME, &set, NULL));
    CHECK_ERR(rd(rfd, &n), EAGAIN);
    struct pollfd rpf = {rfd, POLLIN, 0};
    CHECK_RET(poll(&rpf, 1, 1000), 1);
    CHECK(now_ns(CLOCK_REALTIME) >= d);
    CHECK_RET(rd(rfd, &n), 8);
    CHECK_RET(n, 1);
    close(rfd);

    /* Intervals: 5 ms period; after at least 60 ms, at least 11 ticks. */
    set = its(5000000, 5000000);
    CHECK_OK(timerfd_settime(fd, 0, &set, NULL));
    t0 = now_ns(CLOCK_MONOTONIC); /* armed before this: >= 60 ms means >= 12 ticks */
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns_of(cur.it_interval) == 5000000);
    CHECK(ns_of(cur.it_value) <= 5000000);
    while (now_ns(CLOCK_MONOTONIC) - t0 < 60000000)
        usleep(10000);
    CHECK_RET(rd(fd, &n), 8);
    CHECK(n >= 11);
    CHECK_OK(timerfd_gettime(fd, &cur)); /* still armed */
    CHECK(ns_of(cur.it_value) <= 5000000);
    CHECK_RET(poll(&pf, 1, 1000), 1);
    CHECK_RET(rd(fd, &n), 8);
    CHECK(n >= 1);

    /* The old setting comes back; re-arming drops unread expirations. */
    usleep(12000);
    set = its(10000000000LL, 0);
    CHECK_OK(timerfd_settime(fd, 0, &set, &old));
    CHECK(ns_of(old.it_interval) == 5000000);
    CHECK_ERR(rd(fd, &n), EAGAIN);
    /* Disarming: value 0 (the interval alone arms nothing). */
    set = its(0, 5000000);
    CHECK_OK(timerfd_settime(fd, 0, &set, &old));
    CHECK(ns_of(old.it_value) > 9000000000LL && ns_of(old.it_value) <= 10000000000LL);
    CHECK(ns_of(old.it_interval) == 0);
    /* Disarmed, yet gettime still reports the interval that was passed. */
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 5000000);
    usleep(12000);
    CHECK_ERR(rd(fd, &n), EAGAIN);
    /* Expired but unread, then disarmed: the expiration is gone. */
    set = its(1000000, 0);
    CHECK_OK(timerfd_settime(fd, 0, &set, NULL));
    CHECK_RET(poll(&pf, 1, 1000), 1);
    set = its(0, 0);
    CHECK_OK(timerfd_settime(fd, 0, &set, NULL));
    CHECK_RET(poll(&pf, 1, 0), 0);
    CHECK_ERR(rd(fd, &n), EAGAIN);

    /* epoll. */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 9}, out[2];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    set = its(10000000, 0);
    CHECK_OK(timerfd_settime(fd, 0, &set, NULL));
    CHECK_RET(epoll_wait(ep, out, 2, 0), 0);
    CHECK_RET(epoll_wait(ep, out, 2, 1000), 1);
    CHECK_RET(out[0].data.u64, 9);
    CHECK_RET(rd(fd, &n), 8);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 0);
    close(ep);

    /* Errors. */
    set = its(0, 0);
    set.it_value.tv_nsec = 1000000000;
    CHECK_ERR(timerfd_settime(fd, 0, &set, NULL), EINVAL);
    set = its(0, 0);
    set.it_interval.tv_nsec = -1;
    CHECK_ERR(timerfd_settime(fd, 0, &set, NULL), EINVAL);
    set = its(0, 0);
    set.it_value.tv_sec = -1;
    CHECK_ERR(timerfd_settime(fd, 0, &set, NULL), EINVAL);
    set = its(1000000, 0);
    CHECK_ERR(timerfd_settime(fd, 4, &set, NULL), EINVAL);
    /* TFD_TIMER_CANCEL_ON_SET is a known flag: accepted (and meaningless)
     * on a relative monotonic timer. */
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_CANCEL_ON_SET, &set, NULL));
    CHECK_ERR(syscall(SYS_timerfd_settime, fd, 0, 8L, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_timerfd_gettime, fd, 8L), EFAULT);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(timerfd_settime(p[0], 0, &set, NULL), EINVAL);
    CHECK_ERR(timerfd_gettime(p[0], &cur), EINVAL);
    CHECK_ERR(timerfd_settime(900, 0, &set, NULL), EBADF);
    CHECK_ERR(timerfd_gettime(900, &cur), EBADF);
    close(p[0]);
    close(p[1]);
    close(fd);
    return check_status();
}
