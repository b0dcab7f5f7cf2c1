/* Readiness of TCP and UDP sockets for poll, select and epoll. A new TCP
 * socket is POLLOUT|POLLHUP (closed); a listener is readable once a
 * connection waits; a connection is writable, readable with data,
 * POLLIN|POLLRDHUP at the peer's end of stream (no POLLHUP: it can still
 * send), POLLERR|POLLHUP after a reset. A stream fills: writes stop with
 * EAGAIN and POLLOUT clears, and come back once the reader drains it.
 * A blocked reader in another thread wakes for data; epoll reports a
 * connection to the listener and data to the connection; select sees
 * the same. UDP is always writable, readable with a datagram. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

static int revents(int fd, int timeout) {
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0};
    if (poll(&p, 1, timeout) < 0)
        return -1;
    return p.revents;
}

static int readable(int fd, int timeout) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout) < 0)
        return -1;
    return p.revents;
}

static int c_fd;
static void *late_writer(void *arg) {
    (void)arg;
    usleep(50000);
    if (write(c_fd, "late", 4) != 4)
        return (void *)1;
    return NULL;
}

int main(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int l, c, s, n;
    char buf[64];

    CHECK_OK(l = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_RET(revents(l, 0), POLLOUT | POLLHUP);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    CHECK_RET(revents(l, 0), 0);
    getsockname(l, (struct sockaddr *)&a, &len);

    int ep;
    CHECK_OK(ep = epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1}, got[4];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
    CHECK_RET(epoll_wait(ep, got, 4, 0), 0);

    CHECK_OK(c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    CHECK_RET(epoll_wait(ep, got, 4, 1000), 1);
    CHECK_RET(got[0].data.u32, 1);
    CHECK_RET(revents(l, 0), POLLIN);
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_RET(revents(l, 0), 0);
    CHECK_RET(revents(c, 1000), POLLOUT);
    CHECK_RET(revents(s, 0), POLLOUT);

    /* Data. */
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = 2;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    CHECK_RET(write(c, "ping", 4), 4);
    CHECK_RET(revents(s, 0), POLLIN | POLLOUT);
    CHECK_RET(epoll_wait(ep, got, 4, 1000), 1);
    CHECK_RET(got[0].data.u32, 2);
    CHECK_RET(got[0].events, EPOLLIN);
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(s, &rd);
    FD_SET(l, &rd);
    FD_SET(c, &wr);
    struct timeval tv = {0, 0};
    CHECK_RET(select(s > c ? (s > l ? s : l) + 1 : c + 1, &rd, &wr, NULL, &tv), 2);
    CHECK(FD_ISSET(s, &rd) && !FD_ISSET(l, &rd) && FD_ISSET(c, &wr));
    CHECK_RET(read(s, buf, sizeof buf), 4);
    CHECK_RET(revents(s, 0), POLLOUT);

    /* A reader blocked in poll wakes for data from another thread. */
    c_fd = c;
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, late_writer, NULL), 0);
    CHECK_RET(readable(s, 5000), POLLIN);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_RET(read(s, buf, sizeof buf), 4);

    /* Fill the stream. */
    static char chunk[65536];
    long total = 0;
    int err;
    for (;;) {
        n = write(c, chunk, sizeof chunk);
        if (n < 0) {
            err = errno;
            break;
        }
        total += n;
    }
    CHECK_RET(err, EAGAIN);
    printf("stream took some: %s\n", total > 0 ? "yes" : "no");
    CHECK_RET(revents(c, 0), 0);
    CHECK_RET(revents(s, 0) & POLLIN, POLLIN);
    long drained = 0;
    while (drained < total) {
        n = read(s, chunk, sizeof chunk);
        if (n <= 0)
            break;
        drained += n;
    }
    CHECK(drained == total);
    CHECK_RET(revents(c, 1000), POLLOUT);

    /* The peer's end of stream, then its close. */
    CHECK_OK(shutdown(c, SHUT_WR));
    CHECK_RET(revents(s, 0), POLLIN | POLLOUT | POLLRDHUP);
    CHECK_RET(epoll_wait(ep, got, 4, 1000), 1);
    CHECK_RET(got[0].events, EPOLLIN | EPOLLRDHUP);
    CHECK_RET(revents(c, 0), POLLOUT);
    CHECK_OK(shutdown(s, SHUT_WR));
    /* Shut both ways: POLLHUP too. */
    CHECK_RET(revents(c, 0), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* A reset. */
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_RET(write(c, "unread", 6), 6);
    CHECK_OK(close(s));
    CHECK_RET(revents(c, 0), POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
    close(c);
    close(l);
    close(ep);

    /* UDP. */
    int u, v;
    CHECK_OK(u = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_OK(v = socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_OK(bind(u, (struct sockaddr *)&ua, sizeof ua));
    len = sizeof ua;
    getsockname(u, (struct sockaddr *)&ua, &len);
    CHECK_RET(revents(u, 0), POLLOUT);
    CHECK_RET(sendto(v, "d", 1, 0, (struct sockaddr *)&ua, sizeof ua), 1);
    CHECK_RET(revents(u, 1000), POLLIN | POLLOUT);
    CHECK_RET(recv(u, buf, sizeof buf, 0), 1);
    CHECK_RET(revents(u, 0), POLLOUT);
    close(u);
    close(v);
    return check_status();
}
