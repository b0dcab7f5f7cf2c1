/* Readiness of AF_UNIX sockets under poll, select and epoll: a fresh
 * connected stream is writable only; bytes make it readable; a full send
 * buffer is not writable until the reader drains it to a quarter; a
 * pending connection makes a listener readable; a peer's close brings
 * POLLHUP and POLLRDHUP (POLLERR too when bytes went unread). Waiters
 * wake: a blocked poll on a write from another thread, an edge-triggered
 * epoll once per arrival. */
#include "unix_util.h"
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>

static int wfd;
static void *write_later(void *arg) {
    (void)arg;
    usleep(50000);
    write(wfd, "late", 4);
    return NULL;
}

static short ev(int fd, short want) {
    struct pollfd p = {fd, want, 0};
    if (poll(&p, 1, 0) < 0)
        return -1;
    return p.revents;
}

int main(void) {
    int sv[2], n, e;
    char buf[65536];
    const short ALL = POLLIN | POLLOUT | POLLRDHUP | POLLPRI;

    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    CHECK_RET(ev(sv[0], ALL), POLLOUT);
    CHECK_RET(ev(sv[0], POLLIN), 0);
    CHECK_RET(write(sv[1], "x", 1), 1);
    CHECK_RET(ev(sv[0], ALL), POLLIN | POLLOUT);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(sv[0], &r);
    FD_SET(sv[1], &r);
    FD_SET(sv[1], &w);
    struct timeval tv = {0, 0};
    CHECK_RET(select(sv[1] + 1, &r, &w, NULL, &tv), 2);
    CHECK(FD_ISSET(sv[0], &r) && !FD_ISSET(sv[1], &r) && FD_ISSET(sv[1], &w));
    CHECK_RET(read(sv[0], buf, sizeof buf), 1);

    /* Fill the send buffer: not writable; writable again at a quarter. */
    int total = 0;
    while ((n = write(sv[0], buf, sizeof buf)) > 0)
        total += n;
    CHECK(total > 0 && errno == EAGAIN);
    CHECK_RET(ev(sv[0], POLLOUT), 0);
    CHECK_RET(ev(sv[1], ALL), POLLIN | POLLOUT);
    int drained = 0;
    while (!(ev(sv[0], POLLOUT) & POLLOUT) && (n = read(sv[1], buf, 4096)) > 0)
        drained += n;
    CHECK(drained > total / 2 && drained < total);
    while (read(sv[1], buf, sizeof buf) > 0)
        ;

    /* epoll, edge-triggered: one event per arrival. */
    CHECK_OK(e = epoll_create1(0));
    struct epoll_event ee = {.events = EPOLLIN | EPOLLET, .data.fd = sv[1]};
    CHECK_OK(epoll_ctl(e, EPOLL_CTL_ADD, sv[1], &ee));
    struct epoll_event out[4];
    CHECK_RET(epoll_wait(e, out, 4, 0), 0);
    CHECK_RET(write(sv[0], "a", 1), 1);
    CHECK_RET(epoll_wait(e, out, 4, 0), 1);
    CHECK_RET(out[0].events, EPOLLIN);
    CHECK_RET(epoll_wait(e, out, 4, 0), 0);
    CHECK_RET(write(sv[0], "b", 1), 1);
    CHECK_RET(epoll_wait(e, out, 4, 0), 1);
    CHECK_RET(read(sv[1], buf, sizeof buf), 2);
    /* A blocked epoll_wait wakes at a write from another thread. */
    wfd = sv[0];
    pthread_t th;
    CHECK_OK(pthread_create(&th, NULL, write_later, NULL));
    CHECK_RET(epoll_wait(e, out, 4, 5000), 1);
    CHECK_OK(pthread_join(th, NULL));
    CHECK_RET(read(sv[1], buf, sizeof buf), 4);
    /* ... and a blocked poll. */
    CHECK_OK(pthread_create(&th, NULL, write_later, NULL));
    struct pollfd p = {sv[1], POLLIN, 0};
    CHECK_RET(poll(&p, 1, 5000), 1);
    CHECK_RET(p.revents, POLLIN);
    CHECK_OK(pthread_join(th, NULL));
    CHECK_RET(read(sv[1], buf, sizeof buf), 4);

    /* The peer closes: hang-up, with an error if bytes went unread. */
    struct epoll_event he = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = sv[0]};
    CHECK_OK(epoll_ctl(e, EPOLL_CTL_ADD, sv[0], &he));
    CHECK_RET(write(sv[0], "unread", 6), 6);
    CHECK_OK(close(sv[1]));
    CHECK_RET(ev(sv[0], ALL), POLLIN | POLLOUT | POLLRDHUP | POLLERR | POLLHUP);
    CHECK_RET(epoll_wait(e, out, 4, 0), 1);
    CHECK_RET(out[0].events, EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP);
    int err;
    socklen_t el = sizeof err;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_RET(ev(sv[0], ALL), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(e));

    /* A listener is readable with a connection pending. */
    struct sockaddr_un a;
    socklen_t al = unix_abstract(&a, "poll");
    int l, c;
    CHECK_OK(l = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, al));
    CHECK_OK(listen(l, 1));
    CHECK_RET(ev(l, ALL), 0);
    CHECK_OK(c = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, al));
    CHECK_RET(ev(l, ALL), POLLIN);
    CHECK_RET(ev(c, ALL), POLLOUT);
    CHECK_OK(close(c));
    CHECK_RET(ev(l, ALL), POLLIN);
    CHECK_OK(close(l));
    return check_status();
}
