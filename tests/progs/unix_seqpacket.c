/* Seqpacket sockets: connected like streams (listen, connect, accept),
 * records like datagrams (each send one record, a short read cuts it and
 * drops the rest, MSG_TRUNC); an address given to send is ignored. Not
 * connected: send and recv are ENOTCONN, poll says POLLHUP. After the peer
 * closes: queued records, then end of input (even non-blocking), and a
 * send is EPIPE without SIGPIPE; if the peer left records unread, the
 * next send or receive reports ECONNRESET first. */
#include "unix_util.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>

static volatile sig_atomic_t pipes;
static void on_pipe(int sig) {
    (void)sig;
    pipes++;
}

int main(void) {
    struct sockaddr_un a;
    socklen_t al = unix_abstract(&a, "seqpacket");
    int l, c, s, n;
    char buf[64];

    signal(SIGPIPE, on_pipe);
    CHECK_OK(l = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, al));
    CHECK_OK(listen(l, 1));
    CHECK_OK(c = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_ERR(send(c, "x", 1, 0), ENOTCONN);
    CHECK_ERR(recv(c, buf, 1, 0), ENOTCONN);
    CHECK_ERR(read(c, buf, 1), ENOTCONN);
    struct pollfd p = {c, POLLIN | POLLOUT, 0};
    CHECK_RET(poll(&p, 1, 0), 1);
    CHECK_RET(p.revents, POLLOUT | POLLHUP);
    CHECK_OK(connect(c, (struct sockaddr *)&a, al));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_RET(poll(&p, 1, 0), 1);
    CHECK_RET(p.revents, POLLOUT);

    CHECK_RET(send(c, "first", 5, 0), 5);
    CHECK_RET(write(c, "second!", 7), 7);
    CHECK_RET(send(c, "", 0, 0), 0);
    CHECK_RET(sendto(c, "third", 5, 0, (struct sockaddr *)&a, 1), 5);
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_RET(n, 17); /* every record's bytes */
    CHECK_RET(recv(s, buf, sizeof buf, 0), 5);
    CHECK_RET(recv(s, buf, 3, 0), 3);
    CHECK(memcmp(buf, "sec", 3) == 0);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 0); /* the empty record */
    struct iovec iov = {buf, 2};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    CHECK_RET(recvmsg(s, &m, MSG_PEEK), 2);
    CHECK_RET(m.msg_flags, MSG_TRUNC);
    CHECK_RET(recv(s, buf, 2, MSG_TRUNC), 5);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* The peer closes: records, then end of input; EPIPE, no signal. */
    CHECK_RET(send(s, "bye", 3, 0), 3);
    CHECK_OK(close(s));
    CHECK_RET(recv(c, buf, sizeof buf, 0), 3);
    CHECK_RET(recv(c, buf, sizeof buf, 0), 0);
    CHECK_RET(recv(c, buf, sizeof buf, MSG_DONTWAIT), 0);
    CHECK_ERR(send(c, "x", 1, 0), EPIPE);
    CHECK_RET(pipes, 0);
    CHECK_RET(poll(&p, 1, 0), 1);
    CHECK_RET(p.revents, POLLIN | POLLOUT | POLLHUP);
    CHECK_OK(close(c));

    /* Unread records left behind: ECONNRESET first, to a send... */
    CHECK_OK(c = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, al));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_RET(send(c, "unread", 6, 0), 6);
    CHECK_RET(send(s, "queued", 6, 0), 6);
    CHECK_OK(close(s));
    CHECK_ERR(send(c, "x", 1, 0), ECONNRESET);
    CHECK_RET(recv(c, buf, sizeof buf, 0), 6);
    CHECK_ERR(send(c, "x", 1, 0), EPIPE);
    CHECK_OK(close(c));
    /* ... or to a receive, ahead of the queued record. */
    CHECK_OK(c = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, al));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_RET(send(c, "unread", 6, 0), 6);
    CHECK_RET(send(s, "queued", 6, 0), 6);
    CHECK_OK(close(s));
    CHECK_ERR(recv(c, buf, sizeof buf, 0), ECONNRESET);
    CHECK_RET(recv(c, buf, sizeof buf, 0), 6);
    CHECK_RET(recv(c, buf, sizeof buf, 0), 0);
    CHECK_OK(close(c));

    /* A seqpacket socketpair. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    CHECK_RET(write(sv[0], "ab", 2), 2);
    CHECK_RET(write(sv[0], "cd", 2), 2);
    CHECK_RET(read(sv[1], buf, sizeof buf), 2);
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    CHECK_RET(read(sv[1], buf, sizeof buf), 2);
    CHECK_RET(read(sv[1], buf, sizeof buf), 0);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_RET(pipes, 0);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    CHECK_OK(close(l));
    return check_status();
}
