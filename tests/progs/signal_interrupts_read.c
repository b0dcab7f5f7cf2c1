/* A handled signal (pthread_kill) arriving at a thread blocked in a system
 * call. Without SA_RESTART a pipe read, an eventfd read and an untimed
 * FUTEX_WAIT fail with EINTR; with SA_RESTART they resume and complete
 * with the data (or wake) that comes afterwards. A blocking pipe write that
 * already moved bytes returns the partial count either way. poll,
 * epoll_wait, select, a timed FUTEX_WAIT and nanosleep fail with EINTR even
 * with SA_RESTART (nanosleep writes back the time left). An ignored signal
 * interrupts nothing. */
#include "check.h"
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <time.h>

enum op { READ_PIPE, WRITE_PIPE, READ_EVENTFD, FUTEX_UNTIMED, FUTEX_TIMED, POLL, EPOLL, SELECT, NANOSLEEP };

struct job {
    enum op op;
    int fd;
    int started, done;
    long ret;
    int err;
    char buf[16];
    struct timespec left;
    pthread_t t;
};

static char big[100000];
static uint32_t fword;
static volatile int handled;

static void on_usr1(int s) {
    (void)s;
    __atomic_fetch_add(&handled, 1, __ATOMIC_SEQ_CST);
}

static void *job_main(void *arg) {
    struct job *j = arg;
    __atomic_store_n(&j->started, 1, __ATOMIC_SEQ_CST);
    long r = -1;
    switch (j->op) {
    case READ_PIPE:
        r = read(j->fd, j->buf, sizeof j->buf);
        break;
    case WRITE_PIPE:
        r = write(j->fd, big, sizeof big);
        break;
    case READ_EVENTFD:
        r = read(j->fd, j->buf, 8);
        break;
    case FUTEX_UNTIMED:
        r = syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        break;
    case FUTEX_TIMED: {
        struct timespec ten = {10, 0};
        r = syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 0, &ten, NULL, 0);
        break;
    }
    case POLL: {
        struct pollfd p = {j->fd, POLLIN, 0};
        r = poll(&p, 1, -1);
        break;
    }
    case EPOLL: {
        struct epoll_event ev;
        r = epoll_wait(j->fd, &ev, 1, -1);
        break;
    }
    case SELECT: {
        fd_set rs;
        FD_ZERO(&rs);
        FD_SET(j->fd, &rs);
        r = select(j->fd + 1, &rs, NULL, NULL, NULL);
        break;
    }
    case NANOSLEEP: {
        struct timespec ten = {10, 0};
        r = nanosleep(&ten, &j->left);
        break;
    }
    }
    j->err = r == -1 ? errno : 0;
    j->ret = r;
    __atomic_store_n(&j->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void handler(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
}

static void start(struct job *j, enum op op, int fd) {
    memset(j, 0, sizeof *j);
    j->op = op;
    j->fd = fd;
    handled = 0;
    pthread_create(&j->t, NULL, job_main, j);
    while (!__atomic_load_n(&j->started, __ATOMIC_SEQ_CST))
        usleep(1000);
    usleep(20000); /* most likely blocked by now; correctness does not depend on it */
}

/* Signal the thread until its call returns; then join. */
static void interrupt(struct job *j) {
    while (!__atomic_load_n(&j->done, __ATOMIC_SEQ_CST)) {
        pthread_kill(j->t, SIGUSR1);
        usleep(5000);
    }
    pthread_join(j->t, NULL);
}

/* Signal once and wait for the handler to have run. */
static void poke(struct job *j) {
    pthread_kill(j->t, SIGUSR1);
    while (!__atomic_load_n(&handled, __ATOMIC_SEQ_CST))
        usleep(1000);
    usleep(20000);
}

int main(void) {
    struct job j;
    int p[2];
    CHECK_OK(pipe(p));
    int efd = eventfd(0, 0);
    CHECK(efd >= 0);

    /* No SA_RESTART. */
    handler(0);
    start(&j, READ_PIPE, p[0]);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    CHECK(handled >= 1);
    start(&j, READ_EVENTFD, efd);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    start(&j, FUTEX_UNTIMED, -1);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    /* A write that moved bytes before blocking returns the count. */
    int w[2];
    CHECK_OK(pipe(w));
    start(&j, WRITE_PIPE, w[1]);
    interrupt(&j);
    CHECK_RET(j.ret, 65536);
    close(w[0]);
    close(w[1]);

    /* SA_RESTART: reads and the untimed futex wait resume. */
    handler(SA_RESTART);
    start(&j, READ_PIPE, p[0]);
    poke(&j);
    CHECK(!__atomic_load_n(&j.done, __ATOMIC_SEQ_CST));
    CHECK_RET(write(p[1], "data", 4), 4);
    pthread_join(j.t, NULL);
    CHECK_RET(j.ret, 4);
    CHECK(memcmp(j.buf, "data", 4) == 0);
    CHECK(handled >= 1);

    start(&j, READ_EVENTFD, efd);
    poke(&j);
    CHECK(!__atomic_load_n(&j.done, __ATOMIC_SEQ_CST));
    uint64_t one = 1, got;
    CHECK_RET(write(efd, &one, 8), 8);
    pthread_join(j.t, NULL);
    CHECK_RET(j.ret, 8);
    memcpy(&got, j.buf, 8);
    CHECK_RET(got, 1);

    start(&j, FUTEX_UNTIMED, -1);
    poke(&j);
    CHECK(!__atomic_load_n(&j.done, __ATOMIC_SEQ_CST));
    while (syscall(SYS_futex, &fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0)
        usleep(1000);
    pthread_join(j.t, NULL);
    CHECK_RET(j.ret, 0);

    CHECK_OK(pipe(w));
    start(&j, WRITE_PIPE, w[1]);
    interrupt(&j);
    CHECK_RET(j.ret, 65536);
    close(w[0]);
    close(w[1]);

    /* SA_RESTART does not restart these. */
    start(&j, FUTEX_TIMED, -1);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    start(&j, POLL, p[0]);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    start(&j, EPOLL, ep);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    close(ep);
    start(&j, SELECT, p[0]);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    start(&j, NANOSLEEP, -1);
    interrupt(&j);
    CHECK(j.ret == -1 && j.err == EINTR);
    long long left = j.left.tv_sec * 1000000000LL + j.left.tv_nsec;
    CHECK(left > 0 && left <= 10000000000LL);

    /* An ignored signal is discarded: the read keeps waiting. */
    signal(SIGUSR2, SIG_IGN);
    start(&j, READ_PIPE, p[0]);
    pthread_kill(j.t, SIGUSR2);
    usleep(20000);
    CHECK(!__atomic_load_n(&j.done, __ATOMIC_SEQ_CST));
    CHECK_RET(write(p[1], "more", 4), 4);
    pthread_join(j.t, NULL);
    CHECK_RET(j.ret, 4);
    CHECK_RET(handled, 0);
    close(p[0]);
    close(p[1]);
    close(efd);
    return check_status();
}
