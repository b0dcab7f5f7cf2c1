/* Datagram sockets: each send is one datagram, read whole or cut (the
 * rest is lost; MSG_TRUNC returns its real length and recvmsg flags it),
 * empty datagrams included; MSG_PEEK leaves it queued; recvfrom names the
 * sender (nothing for an unbound one). connect sets the default
 * destination (ENOTCONN without), lets only the peer send to it (EPERM
 * for others), and AF_UNSPEC undoes it. Errors: a datagram larger than the
 * send buffer is EMSGSIZE; a missing path ENOENT; a peer that closed
 * ECONNREFUSED once, then ENOTCONN; a receiver shut down for reading
 * EPIPE (no SIGPIPE for datagrams); a reader shut down sees end of input
 * when it may block, EAGAIN when not. */
#include "unix_util.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>

static volatile sig_atomic_t pipes;
static void on_pipe(int sig) {
    (void)sig;
    pipes++;
}

int main(void) {
    struct sockaddr_un a, b, c;
    socklen_t al, bl, cl;
    int s, t, u, n;
    char buf[64];

    signal(SIGPIPE, on_pipe);
    al = unix_path(&a, "a");
    bl = unix_path(&b, "b");
    CHECK_OK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(s, (struct sockaddr *)&a, al));
    CHECK_OK(bind(t, (struct sockaddr *)&b, bl));
    CHECK_ERR(send(t, "x", 1, 0), ENOTCONN);
    CHECK_ERR(write(t, "x", 1), ENOTCONN);
    CHECK_ERR(getpeername(t, (struct sockaddr *)&c, &cl), ENOTCONN);

    CHECK_RET(sendto(t, "one", 3, 0, (struct sockaddr *)&a, al), 3);
    CHECK_RET(sendto(t, "two!", 4, 0, (struct sockaddr *)&a, al), 4);
    CHECK_RET(sendto(t, "", 0, 0, (struct sockaddr *)&a, al), 0);
    CHECK_RET(sendto(t, "three", 5, 0, (struct sockaddr *)&a, al), 5);
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_RET(n, 3); /* the next datagram's length */
    cl = sizeof c;
    CHECK_RET(recvfrom(s, buf, sizeof buf, MSG_PEEK, (struct sockaddr *)&c, &cl), 3);
    CHECK_RET(cl, bl);
    CHECK(strcmp(c.sun_path, b.sun_path) == 0);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 3);
    CHECK(memcmp(buf, "one", 3) == 0);
    CHECK_RET(recv(s, buf, 2, 0), 2); /* "two!" cut: the rest is gone */
    CHECK(memcmp(buf, "tw", 2) == 0);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 0); /* the empty one */
    CHECK_RET(recv(s, buf, 1, MSG_TRUNC | MSG_PEEK), 5);
    struct iovec iov = {buf, 2};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    CHECK_RET(recvmsg(s, &m, 0), 2);
    CHECK_RET(m.msg_flags, MSG_TRUNC);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_RET(n, 0);

    /* An unbound sender has no name. */
    CHECK_OK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_RET(sendto(u, "anon", 4, 0, (struct sockaddr *)&a, al), 4);
    cl = sizeof c;
    CHECK_RET(recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&c, &cl), 4);
    CHECK_RET(cl, 0);
    /* A zero address length is no address. */
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, 0), ENOTCONN);

    /* connect: the default destination, and a filter on senders. */
    CHECK_OK(connect(s, (struct sockaddr *)&b, bl));
    cl = sizeof c;
    CHECK_OK(getpeername(s, (struct sockaddr *)&c, &cl));
    CHECK_RET(cl, bl);
    CHECK_RET(send(s, "to b", 4, 0), 4);
    CHECK_RET(recv(t, buf, sizeof buf, 0), 4);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), EPERM);
    CHECK_ERR(connect(u, (struct sockaddr *)&a, al), EPERM);
    CHECK_RET(sendto(t, "ok", 2, 0, (struct sockaddr *)&a, al), 2);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 2);
    /* sendto another address while connected is allowed. */
    CHECK_RET(sendto(s, "x", 1, 0, (struct sockaddr *)&b, bl), 1);
    CHECK_RET(recv(t, buf, sizeof buf, 0), 1);
    sa_family_t unspec = AF_UNSPEC;
    CHECK_ERR(connect(s, (struct sockaddr *)&unspec, 1), EINVAL);
    CHECK_OK(connect(s, (struct sockaddr *)&unspec, sizeof unspec));
    CHECK_ERR(send(s, "x", 1, 0), ENOTCONN);
    CHECK_RET(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), 1);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 1);
    CHECK_OK(connect(s, (struct sockaddr *)&unspec, sizeof unspec)); /* again: fine */

    /* Sizes. */
    int sndbuf;
    socklen_t ol = sizeof sndbuf;
    CHECK_OK(getsockopt(u, SOL_SOCKET, SO_SNDBUF, &sndbuf, &ol));
    static char big[300000];
    CHECK_ERR(sendto(u, big, sndbuf - 31, 0, (struct sockaddr *)&a, al), EMSGSIZE);
    CHECK_RET(sendto(u, big, 65536, 0, (struct sockaddr *)&a, al), 65536);
    CHECK_RET(recv(s, big, sizeof big, 0), 65536);

    /* Lookup errors. */
    cl = unix_path(&c, "missing");
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&c, cl), ENOENT);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&c, 2), EINVAL);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&c, 111), EINVAL);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&c, 129), EINVAL);
    CHECK_ERR(sendto(u, "x", 1, 0, unix_bad_ptr, cl), EFAULT);

    /* The peer goes: refused once, then not connected. */
    CHECK_OK(connect(u, (struct sockaddr *)&b, bl));
    CHECK_OK(close(t));
    CHECK_ERR(send(u, "x", 1, 0), ECONNREFUSED);
    CHECK_ERR(send(u, "x", 1, 0), ENOTCONN);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&b, bl), ECONNREFUSED);

    /* Shut down for reading: senders get EPIPE without a signal; the
     * reader sees end of input only if it could have waited. */
    CHECK_OK(shutdown(s, SHUT_RD));
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), EPIPE);
    CHECK_RET(pipes, 0);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 0);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_OK(shutdown(u, SHUT_WR));
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), EPIPE);
    CHECK_RET(pipes, 0);
    CHECK_OK(close(s));
    CHECK_OK(close(u));

    /* A datagram socketpair. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_RET(write(sv[0], "ab", 2), 2);
    CHECK_RET(write(sv[0], "cd", 2), 2);
    CHECK_RET(read(sv[1], buf, sizeof buf), 2);
    CHECK_RET(read(sv[1], buf, 1), 1);
    CHECK_OK(fcntl(sv[1], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(sv[1], buf, 1), EAGAIN);
    CHECK_OK(close(sv[1]));
    CHECK_ERR(write(sv[0], "x", 1), ECONNREFUSED);
    CHECK_ERR(write(sv[0], "x", 1), ENOTCONN);
    CHECK_RET(pipes, 0);
    CHECK_OK(close(sv[0]));
    unix_cleanup();
    return check_status();
}
