/* epoll_wait behaviour on pipes: data.u64 comes back verbatim; level-
 * triggered entries repeat while ready; EPOLLET reports once per new write
 * (not again until more data arrives, drained or not); EPOLLONESHOT reports
 * once until EPOLL_CTL_MOD re-arms it; EPOLLHUP/EPOLLERR arrive even when
 * not requested; maxevents limits each call and ready entries rotate; an
 * epoll fd nested in another reports readiness (and is POLLIN to poll);
 * timeouts expire with 0 no earlier than asked; a thread's write wakes a
 * blocked wait; epoll_pwait's mask admits a blocked pending signal (EINTR)
 * but ready events win; epoll_pwait2 takes a timespec (NULL = forever). */
#include "check.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static volatile sig_atomic_t usr1;
static void on_usr1(int s) {
    (void)s;
    usr1++;
}

static int wfd;
static void *late_writer(void *arg) {
    (void)arg;
    usleep(30000);
    if (write(wfd, "w", 1) != 1)
        return (void *)1;
    return NULL;
}

int main(void) {
    struct epoll_event out[8];
    char buf[256];
    int p[2];
    CHECK_OK(pipe(p));
    int ep = epoll_create1(0);
    CHECK(ep >= 0);

    /* Level-triggered, with a 64-bit cookie. */
    const uint64_t cookie = 0x0123456789abcdefULL;
    CHECK_OK(add(ep, p[0], EPOLLIN, cookie));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_RET(write(p[1], "abc", 3), 3);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK(out[0].data.u64 == cookie);
    CHECK_RET(out[0].events, EPOLLIN);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1); /* again: still readable */
    CHECK_RET(read(p[0], buf, 2), 2);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    /* MOD to a condition the read end never has: nothing. */
    CHECK_RET(write(p[1], "d", 1), 1);
    CHECK_OK(mod(ep, p[0], EPOLLOUT, 7));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLOUT, 8));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].events, EPOLLIN);
    CHECK_RET(out[0].data.u64, 8);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);

    /* Edge-triggered. */
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLET, 9));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_RET(write(p[1], "e1", 2), 2);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0); /* not drained, but no new edge */
    CHECK_RET(read(p[0], buf, 1), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0); /* reading is no edge */
    CHECK_RET(write(p[1], "e2", 2), 2);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1); /* a new write is */
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    /* MOD re-evaluates readiness: data present is reported once more. */
    CHECK_RET(write(p[1], "e3", 2), 2);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLET, 10));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].data.u64, 10);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);

    /* One-shot: once, then silent (even for new data) until MOD. */
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 11));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_RET(write(p[1], "o", 1), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_RET(write(p[1], "o", 1), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_ERR(add(ep, p[0], EPOLLIN, 0), EEXIST); /* disabled, not removed */
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 12));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].data.u64, 12);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK_RET(read(p[0], buf, sizeof buf), 2);

    /* maxevents, and rotation among ready level-triggered entries. */
    int q[2], r[2];
    CHECK_OK(pipe(q));
    CHECK_OK(pipe(r));
    CHECK_OK(add(ep, p[0], EPOLLIN, 1));
    CHECK_OK(add(ep, q[0], EPOLLIN, 2));
    CHECK_OK(add(ep, r[0], EPOLLIN, 4));
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_RET(write(q[1], "x", 1), 1);
    CHECK_RET(write(r[1], "x", 1), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 3);
    CHECK_RET(out[0].data.u64 | out[1].data.u64 | out[2].data.u64, 7);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 2);
    uint64_t seen = out[0].data.u64 | out[1].data.u64;
    CHECK_RET(epoll_wait(ep, out, 2, 0), 2);
    seen |= out[0].data.u64 | out[1].data.u64;
    CHECK_RET(seen, 7);
    CHECK_RET(epoll_wait(ep, out, 1, 0), 1);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, r[0], NULL));
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(read(q[0], buf, sizeof buf), 1);
    CHECK_RET(read(r[0], buf, sizeof buf), 1);

    /* Hang-ups. Writers gone: EPOLLIN|EPOLLHUP, then EPOLLHUP, even when
     * only EPOLLOUT (or nothing) was asked for. */
    CHECK_RET(write(q[1], "h", 1), 1);
    CHECK_OK(close(q[1]));
    CHECK_OK(add(ep, q[0], EPOLLIN, 20));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].events, EPOLLIN | EPOLLHUP);
    CHECK_RET(read(q[0], buf, sizeof buf), 1);
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].events, EPOLLHUP);
    CHECK_OK(mod(ep, q[0], 0, 21));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].events, EPOLLHUP);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    /* Readers gone: the write end has EPOLLOUT|EPOLLERR. */
    CHECK_OK(close(r[0]));
    CHECK_OK(add(ep, r[1], EPOLLOUT, 22));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].events, EPOLLOUT | EPOLLERR);
    CHECK_OK(mod(ep, r[1], EPOLLIN, 23));
    CHECK_RET(epoll_wait(ep, out, 8, 0), 1);
    CHECK_RET(out[0].events, EPOLLERR);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, r[1], NULL));
    close(q[0]);
    close(r[1]);

    /* Nesting: outer watches inner, inner watches the pipe. */
    int inner = epoll_create1(0), outer = epoll_create1(0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK_OK(add(inner, p[0], EPOLLIN, 30));
    CHECK_OK(add(outer, inner, EPOLLIN, 31));
    CHECK_RET(epoll_wait(outer, out, 8, 0), 0);
    struct pollfd pf = {inner, POLLIN, 0};
    CHECK_RET(poll(&pf, 1, 0), 0);
    CHECK_RET(write(p[1], "n", 1), 1);
    CHECK_RET(poll(&pf, 1, 0), 1);
    CHECK_RET(pf.revents, POLLIN);
    CHECK_RET(epoll_wait(outer, out, 8, 0), 1);
    CHECK_RET(out[0].data.u64, 31);
    CHECK_RET(out[0].events, EPOLLIN);
    CHECK_RET(epoll_wait(inner, out, 8, 0), 1);
    CHECK_RET(out[0].data.u64, 30);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(epoll_wait(outer, out, 8, 0), 0);
    /* A blocked wait on the outer one is woken through the inner one. */
    pthread_t t;
    wfd = p[1];
    pthread_create(&t, NULL, late_writer, NULL);
    CHECK_RET(epoll_wait(outer, out, 8, -1), 1);
    CHECK_RET(out[0].data.u64, 31);
    pthread_join(t, NULL);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    close(outer);
    close(inner);

    /* Timeouts. */
    CHECK_OK(add(ep, p[0], EPOLLIN, 40));
    long long t0 = now_ns();
    CHECK_RET(epoll_wait(ep, out, 8, 30), 0);
    CHECK(now_ns() - t0 >= 30000000);
    struct timespec ts = {0, 20000000};
    t0 = now_ns();
    CHECK_RET(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), 0);
    CHECK(now_ns() - t0 >= 20000000);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 20000000); /* not written back */
    ts = (struct timespec){0, 0};
    CHECK_RET(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), 0);
    ts = (struct timespec){0, 1000000000};
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), EINVAL);
    ts = (struct timespec){-1, 0};
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 8, 8L, NULL, 8), EFAULT);
    pthread_create(&t, NULL, late_writer, NULL);
    CHECK_RET(syscall(SYS_epoll_pwait2, ep, out, 8, NULL, NULL, 8), 1);
    CHECK_RET(out[0].data.u64, 40);
    pthread_join(t, NULL);

    /* epoll_pwait's mask. SIGUSR1 is blocked and pending; data is ready. */
    signal(SIGUSR1, on_usr1);
    sigset_t usr1set, empty, cur;
    sigemptyset(&empty);
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr1set, NULL));
    CHECK_OK(raise(SIGUSR1));
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 8, 0, &empty, 4), EINVAL);
    CHECK_RET(epoll_pwait(ep, out, 8, -1, &empty), 1); /* ready events win */
    CHECK_RET(usr1, 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(epoll_pwait(ep, out, 8, 10, &usr1set), 0);
    CHECK_RET(usr1, 0);
    CHECK_ERR(epoll_pwait(ep, out, 8, -1, &empty), EINTR);
    CHECK_RET(usr1, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK_OK(raise(SIGUSR1));
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 8, NULL, &empty, 8), EINTR);
    CHECK_RET(usr1, 2);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1set, NULL));

    close(ep);
    close(p[0]);
    close(p[1]);
    return check_status();
}
