/* poll and ppoll on pipes: POLLIN/POLLRDNORM only as requested, POLLOUT
 * until full, POLLHUP on the read end once writers are gone (even unasked,
 * with POLLIN while data remains), POLLERR on the write end once readers are
 * gone, POLLNVAL (counted) for a closed descriptor, negative descriptors
 * ignored with revents cleared; timeout 0 returns at once, a timeout
 * expires with 0 no earlier than asked, a writer thread wakes an infinite
 * wait; nfds over RLIMIT_NOFILE is EINVAL, a bad array EFAULT. ppoll writes
 * back the time left, rejects bad timespecs and sigset sizes, and its mask
 * lets a blocked pending signal in (EINTR, handler run, mask restored) but
 * ready descriptors win over a pending signal, which then stays pending. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long sys_ppoll(struct pollfd *f, unsigned long n, struct timespec *ts, const sigset_t *mask, size_t ss) {
    return syscall(SYS_ppoll, f, n, ts, mask, ss);
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
    int p[2];
    char buf[70000];
    CHECK_OK(pipe(p));
    struct pollfd f[4];

    /* Empty pipe: not readable, writable. */
    f[0] = (struct pollfd){p[0], POLLIN, 0x7fff};
    f[1] = (struct pollfd){p[1], POLLOUT, 0x7fff};
    CHECK_RET(poll(f, 2, 0), 1);
    CHECK_RET(f[0].revents, 0);
    CHECK_RET(f[1].revents, POLLOUT);
    f[1].events = POLLOUT | POLLWRNORM | POLLIN;
    CHECK_RET(poll(&f[1], 1, 0), 1);
    CHECK_RET(f[1].revents, POLLOUT | POLLWRNORM);

    /* Data: POLLIN and/or POLLRDNORM, exactly as requested; never POLLPRI. */
    CHECK_RET(write(p[1], "abc", 3), 3);
    f[0].events = POLLIN;
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLIN);
    f[0].events = POLLRDNORM;
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLRDNORM);
    f[0].events = POLLIN | POLLRDNORM | POLLPRI | POLLOUT;
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLIN | POLLRDNORM);
    f[0].events = POLLPRI;
    CHECK_RET(poll(f, 1, 0), 0);
    CHECK_RET(f[0].revents, 0);
    /* The same descriptor twice counts twice. */
    f[0] = (struct pollfd){p[0], POLLIN, 0};
    f[1] = (struct pollfd){p[0], POLLIN, 0};
    CHECK_RET(poll(f, 2, 0), 2);

    /* Negative descriptors are skipped (revents cleared); closed ones are
     * POLLNVAL and count. */
    f[0] = (struct pollfd){p[0], POLLIN, 0};
    f[1] = (struct pollfd){-1, POLLIN, 0x7fff};
    f[2] = (struct pollfd){900, POLLIN, 0};
    f[3] = (struct pollfd){-5, 0, 0x7fff};
    CHECK_RET(poll(f, 4, 0), 2);
    CHECK_RET(f[0].revents, POLLIN);
    CHECK_RET(f[1].revents, 0);
    CHECK_RET(f[2].revents, POLLNVAL);
    CHECK_RET(f[3].revents, 0);
    f[2].events = 0;
    CHECK_RET(poll(&f[2], 1, 0), 1);
    CHECK_RET(f[2].revents, POLLNVAL);
    CHECK_RET(poll(&f[1], 1, 0), 0);

    /* A full pipe is not writable. */
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    f[1] = (struct pollfd){p[1], POLLOUT, 0};
    int fl = fcntl(p[1], F_GETFL);
    fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
    CHECK_RET(write(p[1], buf, sizeof buf), 65536);
    CHECK_RET(poll(&f[1], 1, 0), 0);
    CHECK_RET(f[1].revents, 0);
    CHECK_RET(read(p[0], buf, 4096), 4096);
    CHECK_RET(poll(&f[1], 1, 0), 1);
    CHECK_RET(f[1].revents, POLLOUT);
    CHECK_RET(read(p[0], buf, sizeof buf), 61440);

    /* Timeouts. */
    f[0] = (struct pollfd){p[0], POLLIN, 0};
    long long t0 = now_ns();
    CHECK_RET(poll(f, 1, 30), 0);
    CHECK(now_ns() - t0 >= 30000000);
    t0 = now_ns();
    CHECK_RET(poll(NULL, 0, 20), 0);
    CHECK(now_ns() - t0 >= 20000000);
    CHECK_RET(poll(NULL, 0, 0), 0);

    /* An infinite wait ends when a thread writes. */
    pthread_t t;
    wfd = p[1];
    pthread_create(&t, NULL, late_writer, NULL);
    CHECK_RET(poll(f, 1, -1), 1);
    CHECK_RET(f[0].revents, POLLIN);
    pthread_join(t, NULL);

    /* Writers gone: POLLIN|POLLHUP while data remains, then POLLHUP alone,
     * reported even with no events requested. */
    CHECK_OK(close(p[1]));
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLIN | POLLHUP);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLHUP);
    f[0].events = 0;
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLHUP);
    CHECK_OK(close(p[0]));

    /* Readers gone: POLLERR on the write end, with POLLOUT if asked. */
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    f[0] = (struct pollfd){p[1], POLLOUT, 0};
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLOUT | POLLERR);
    f[0].events = 0;
    CHECK_RET(poll(f, 1, 0), 1);
    CHECK_RET(f[0].revents, POLLERR);
    CHECK_OK(close(p[1]));

    /* nfds against RLIMIT_NOFILE; EFAULT. */
    struct rlimit old, lim;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
    lim = old;
    lim.rlim_cur = 64;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &lim));
    struct pollfd many[65];
    for (int i = 0; i < 65; i++)
        many[i] = (struct pollfd){-1, POLLIN, 0};
    CHECK_RET(poll(many, 64, 0), 0);
    CHECK_ERR(poll(many, 65, 0), EINVAL);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &old));
    CHECK_RET(poll(many, 65, 0), 0);
    CHECK_ERR(syscall(SYS_poll, 8L, 1L, 0L), EFAULT);
    CHECK_RET(syscall(SYS_poll, 8L, 0L, 0L), 0); /* nothing to read: no fault */

    /* ppoll: timeouts and their write-back. */
    CHECK_OK(pipe(p));
    f[0] = (struct pollfd){p[0], POLLIN, 0};
    struct timespec ts = {0, 20000000};
    t0 = now_ns();
    CHECK_RET(sys_ppoll(f, 1, &ts, NULL, 8), 0);
    CHECK(now_ns() - t0 >= 20000000);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    CHECK_RET(write(p[1], "x", 1), 1);
    ts = (struct timespec){5, 0};
    CHECK_RET(sys_ppoll(f, 1, &ts, NULL, 8), 1);
    CHECK(ts.tv_sec == 4 || (ts.tv_sec == 5 && ts.tv_nsec == 0));
    ts = (struct timespec){0, 0};
    CHECK_RET(sys_ppoll(f, 1, &ts, NULL, 8), 1);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    ts = (struct timespec){0, 1000000000};
    CHECK_ERR(sys_ppoll(f, 1, &ts, NULL, 8), EINVAL);
    ts = (struct timespec){-1, 0};
    CHECK_ERR(sys_ppoll(f, 1, &ts, NULL, 8), EINVAL);
    CHECK_ERR(sys_ppoll(f, 1, (struct timespec *)8, NULL, 8), EFAULT);
    sigset_t empty;
    sigemptyset(&empty);
    ts = (struct timespec){0, 0};
    CHECK_ERR(sys_ppoll(f, 1, &ts, &empty, 4), EINVAL);
    CHECK_ERR(sys_ppoll(f, 1, &ts, &empty, 16), EINVAL);
    CHECK_RET(sys_ppoll(f, 1, &ts, NULL, 4), 1); /* size unchecked without a mask */
    CHECK_ERR(sys_ppoll(f, 1, &ts, (sigset_t *)8, 8), EFAULT);

    /* ppoll's mask. SIGUSR1 blocked and pending. */
    signal(SIGUSR1, on_usr1);
    sigset_t usr1set, cur;
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr1set, NULL));
    CHECK_OK(raise(SIGUSR1));
    CHECK_RET(usr1, 0);
    /* A descriptor is ready: ppoll returns it; the signal stays pending. */
    CHECK_RET(sys_ppoll(f, 1, NULL, &empty, 8), 1);
    CHECK_RET(usr1, 0);
    CHECK_OK(sigpending(&cur));
    CHECK(sigismember(&cur, SIGUSR1));
    /* A mask that keeps it blocked: the timeout runs out. */
    CHECK_RET(read(p[0], buf, 1), 1);
    ts = (struct timespec){0, 10000000};
    CHECK_RET(sys_ppoll(f, 1, &ts, &usr1set, 8), 0);
    CHECK_RET(usr1, 0);
    /* Nothing ready, the mask unblocks it: EINTR after the handler ran,
     * and the old mask is back. */
    CHECK_ERR(sys_ppoll(f, 1, NULL, &empty, 8), EINTR);
    CHECK_RET(usr1, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK_OK(sigpending(&cur));
    CHECK(!sigismember(&cur, SIGUSR1));
    /* Pending again, then unblocked: delivered at once. */
    CHECK_OK(raise(SIGUSR1));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1set, NULL));
    CHECK_RET(usr1, 2);
    close(p[0]);
    close(p[1]);
    return check_status();
}
