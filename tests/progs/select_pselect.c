/* select and pselect6 on pipes: read/write/except sets are rewritten to the
 * ready descriptors and the count is the number of set bits; a hung-up read
 * end is readable, a reader-less write end writable, a full pipe not; on
 * timeout every set is cleared; Linux writes the time left back into the
 * timeval (zero after expiry) and normalises tv_usec >= 1000000; a closed
 * descriptor in a set is EBADF, negative nfds or timeouts EINVAL, bad set
 * pointers EFAULT, and nfds above the descriptor table is clipped.
 * pselect6 writes back its timespec, validates the sigset size, and its
 * mask admits a blocked pending signal (EINTR, handler run). */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/select.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

struct sigarg {
    const sigset_t *set;
    size_t size;
};

static long sys_pselect(int n, fd_set *r, fd_set *w, fd_set *e, struct timespec *ts, struct sigarg *sa) {
    return syscall(SYS_pselect6, n, r, w, e, ts, sa);
}

static volatile sig_atomic_t usr1;
static void on_usr1(int s) {
    (void)s;
    usr1++;
}

static fd_set bigr[16]; /* room for 16384 descriptors */

int main(void) {
    int p[2];
    char buf[70000];
    CHECK_OK(pipe(p));
    int n = (p[0] > p[1] ? p[0] : p[1]) + 1;
    fd_set r, w, e;
    struct timeval tv;

    /* Empty pipe: only the write end is ready. */
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    FD_SET(p[0], &e);
    FD_SET(p[1], &e);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(n, &r, &w, &e, &tv), 1);
    CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
    CHECK(!FD_ISSET(p[0], &e) && !FD_ISSET(p[1], &e));

    /* Data: both ready; asking the write end for reading gives nothing. */
    CHECK_RET(write(p[1], "abc", 3), 3);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &r);
    FD_SET(p[1], &w);
    FD_SET(p[0], &w);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(n, &r, &w, NULL, &tv), 2);
    CHECK(FD_ISSET(p[0], &r) && !FD_ISSET(p[1], &r));
    CHECK(FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &w));
    /* A descriptor beyond nfds is not examined. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(p[0], &r, NULL, NULL, &tv), 0);
    CHECK(!FD_ISSET(p[0], &r));

    /* Timeout expiry: 0, sets cleared, timeval zeroed. */
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){0, 30000};
    long long t0 = now_ns();
    CHECK_RET(select(n, &r, NULL, NULL, &tv), 0);
    CHECK(now_ns() - t0 >= 30000000);
    CHECK(!FD_ISSET(p[0], &r));
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
    /* No sets at all: a plain sleep. */
    tv = (struct timeval){0, 20000};
    t0 = now_ns();
    CHECK_RET(select(0, NULL, NULL, NULL, &tv), 0);
    CHECK(now_ns() - t0 >= 20000000);

    /* Time left is written back. */
    CHECK_RET(write(p[1], "x", 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){5, 0};
    CHECK_RET(select(n, &r, NULL, NULL, &tv), 1);
    CHECK(tv.tv_sec == 4 || (tv.tv_sec == 5 && tv.tv_usec == 0));
    /* tv_usec of 1.5 million is 1.5 s, and comes back normalised. */
    tv = (struct timeval){0, 1500000};
    CHECK_RET(select(n, &r, NULL, NULL, &tv), 1);
    CHECK(tv.tv_sec == 1 && tv.tv_usec <= 500000 && tv.tv_usec > 0);
    /* Negative times are EINVAL. */
    tv = (struct timeval){0, -1};
    CHECK_ERR(select(n, &r, NULL, NULL, &tv), EINVAL);
    tv = (struct timeval){-1, 0};
    CHECK_ERR(select(n, &r, NULL, NULL, &tv), EINVAL);
    CHECK_ERR(select(-1, &r, NULL, NULL, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_select, n, &r, NULL, NULL, 8L), EFAULT);
    CHECK_ERR(syscall(SYS_select, n, 8L, NULL, NULL, NULL), EFAULT);

    /* A closed descriptor in any set: EBADF (even with another ready). */
    int closed = dup(p[0]);
    CHECK_OK(close(closed));
    int nc = (closed >= n ? closed + 1 : n);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_SET(closed, &r);
    tv = (struct timeval){0, 0};
    CHECK_ERR(select(nc, &r, NULL, NULL, &tv), EBADF);
    FD_ZERO(&e);
    FD_SET(closed, &e);
    CHECK_ERR(select(nc, NULL, NULL, &e, &tv), EBADF);
    FD_ZERO(&w);
    FD_SET(closed, &w);
    CHECK_ERR(select(nc, NULL, &w, NULL, NULL), EBADF);
    /* nfds far beyond the table is clipped, not an error. */
    FD_SET(p[0], &bigr[0]);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(16 * FD_SETSIZE, &bigr[0], NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(p[0], &bigr[0]));
    CHECK_RET(read(p[0], buf, sizeof buf), 1);

    /* Full pipe: not writable; hung-up ends count as ready. */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    CHECK_RET(write(p[1], buf, sizeof buf), 65536);
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(n, NULL, &w, NULL, &tv), 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 65536);
    CHECK_OK(close(p[1]));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(n, &r, NULL, NULL, &tv), 1); /* EOF is readable */
    CHECK(FD_ISSET(p[0], &r));
    CHECK_OK(close(p[0]));
    CHECK_OK(pipe(p));
    n = (p[0] > p[1] ? p[0] : p[1]) + 1;
    CHECK_OK(close(p[0]));
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(p[1], &w);
    FD_SET(p[1], &e);
    tv = (struct timeval){0, 0};
    CHECK_RET(select(n, NULL, &w, &e, &tv), 1); /* EPIPE is "writable" */
    CHECK(FD_ISSET(p[1], &w) && !FD_ISSET(p[1], &e));
    CHECK_OK(close(p[1]));

    /* pselect6: timespec write-back and checks. */
    CHECK_OK(pipe(p));
    n = (p[0] > p[1] ? p[0] : p[1]) + 1;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec ts = {0, 20000000};
    t0 = now_ns();
    CHECK_RET(sys_pselect(n, &r, NULL, NULL, &ts, NULL), 0);
    CHECK(now_ns() - t0 >= 20000000);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    ts = (struct timespec){0, 1000000000};
    FD_SET(p[0], &r);
    CHECK_ERR(sys_pselect(n, &r, NULL, NULL, &ts, NULL), EINVAL);
    sigset_t empty, usr1set, cur;
    sigemptyset(&empty);
    struct sigarg bad = {&empty, 4};
    ts = (struct timespec){0, 0};
    CHECK_ERR(sys_pselect(n, &r, NULL, NULL, &ts, &bad), EINVAL);
    struct sigarg nomask = {NULL, 0};
    CHECK_RET(sys_pselect(n, &r, NULL, NULL, &ts, &nomask), 0);

    /* pselect6's mask lets a blocked pending SIGUSR1 in. */
    signal(SIGUSR1, on_usr1);
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr1set, NULL));
    CHECK_OK(raise(SIGUSR1));
    struct sigarg keep = {&usr1set, 8}, open_all = {&empty, 8};
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    ts = (struct timespec){0, 10000000};
    CHECK_RET(sys_pselect(n, &r, NULL, NULL, &ts, &keep), 0);
    CHECK_RET(usr1, 0);
    FD_SET(p[0], &r);
    CHECK_ERR(sys_pselect(n, &r, NULL, NULL, NULL, &open_all), EINTR);
    CHECK_RET(usr1, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1set, NULL));
    close(p[0]);
    close(p[1]);
    return check_status();
}
