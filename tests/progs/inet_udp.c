/* UDP over 127.0.0.1. Datagrams keep their boundaries and name their
 * sender; one too long for the buffer is cut (MSG_TRUNC in msg_flags, and
 * as a recv flag the whole length), MSG_PEEK leaves it, FIONREAD is the
 * next one's length, an empty datagram is one. Sending needs an address
 * (EDESTADDRREQ), a port (EINVAL), at most 65507 bytes (EMSGSIZE); it
 * binds an ephemeral port. A connected socket sends to its peer by
 * default, hears only from it, and forgets it with AF_UNSPEC; sent to a
 * port nobody has, it hears ECONNREFUSED on its next call (the ICMP
 * port unreachable), once. A receive queue past SO_RCVBUF drops what
 * comes. shutdown(2) of an unconnected socket is ENOTCONN but still
 * ends its reading. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in addr(const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int udp_bound(struct sockaddr_in *a) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len = sizeof *a;
    *a = addr("127.0.0.1", 0);
    if (bind(s, (struct sockaddr *)a, sizeof *a) < 0)
        return -1;
    getsockname(s, (struct sockaddr *)a, &len);
    return s;
}

static int revents(int fd, int timeout) {
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    poll(&p, 1, timeout);
    return p.revents;
}

int main(void) {
    struct sockaddr_in ra, sa, from;
    socklen_t len;
    char buf[128];
    int r, s, n;

    CHECK_OK(r = udp_bound(&ra));
    CHECK_OK(s = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_RET(revents(s, 0), POLLOUT);
    CHECK_ERR(send(s, "x", 1, 0), EDESTADDRREQ);
    struct sockaddr_in zero = addr("127.0.0.1", 0);
    CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&zero, sizeof zero), EINVAL);
    CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&ra, sizeof ra - 1), EINVAL);
    CHECK_RET(sendto(s, "one", 3, 0, (struct sockaddr *)&ra, sizeof ra), 3);
    CHECK_RET(sendto(s, "second", 6, 0, (struct sockaddr *)&ra, sizeof ra), 6);
    CHECK_RET(sendto(s, "", 0, 0, (struct sockaddr *)&ra, sizeof ra), 0);
    len = sizeof sa;
    CHECK_OK(getsockname(s, (struct sockaddr *)&sa, &len));
    n = ntohs(sa.sin_port);
    printf("sender port ephemeral: %s\n", n >= 32768 && n <= 60999 ? "yes" : "no");
    CHECK(sa.sin_addr.s_addr == 0);
    CHECK_RET(revents(r, 0), POLLIN | POLLOUT);

    CHECK_OK(ioctl(r, FIONREAD, &n));
    CHECK_RET(n, 3);
    len = sizeof from;
    CHECK_RET(recvfrom(r, buf, sizeof buf, MSG_PEEK, (struct sockaddr *)&from, &len), 3);
    len = sizeof from;
    memset(&from, 0, sizeof from);
    CHECK_RET(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 3);
    CHECK_RET(len, sizeof from);
    CHECK(from.sin_family == AF_INET && from.sin_port == sa.sin_port);
    CHECK(from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK(memcmp(buf, "one", 3) == 0);
    /* Cut short: the rest is lost. */
    struct iovec iov = {buf, 3};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    CHECK_RET(recvmsg(r, &mh, 0), 3);
    CHECK_RET(mh.msg_flags, MSG_TRUNC);
    CHECK_RET(recv(r, buf, sizeof buf, 0), 0); /* the empty one */
    CHECK_RET(sendto(s, "abcdef", 6, 0, (struct sockaddr *)&ra, sizeof ra), 6);
    CHECK_RET(recv(r, buf, 2, MSG_TRUNC), 6);
    CHECK_ERR(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* A short address buffer gets what fits, and the whole length. */
    CHECK_RET(sendto(s, "z", 1, 0, (struct sockaddr *)&ra, sizeof ra), 1);
    len = 4;
    memset(&from, 0, sizeof from);
    CHECK_RET(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 1);
    CHECK_RET(len, sizeof from);
    CHECK(from.sin_family == AF_INET && from.sin_addr.s_addr == 0);

    /* Sizes. */
    static char big[65508];
    CHECK_RET(sendto(s, big, 65507, 0, (struct sockaddr *)&ra, sizeof ra), 65507);
    CHECK_ERR(sendto(s, big, 65508, 0, (struct sockaddr *)&ra, sizeof ra), EMSGSIZE);
    CHECK_RET(recv(r, big, sizeof big, 0), 65507);

    /* Connected: the default destination, and only its datagrams. */
    int o;
    struct sockaddr_in oa;
    CHECK_OK(o = udp_bound(&oa));
    CHECK_OK(connect(r, (struct sockaddr *)&sa, sizeof sa));
    len = sizeof from;
    CHECK_OK(getpeername(r, (struct sockaddr *)&from, &len));
    CHECK(from.sin_port == sa.sin_port);
    len = sizeof from;
    CHECK_OK(getsockname(r, (struct sockaddr *)&from, &len));
    CHECK(from.sin_port == ra.sin_port);
    CHECK_RET(sendto(o, "other", 5, 0, (struct sockaddr *)&ra, sizeof ra), 5);
    CHECK_RET(sendto(s, "peer", 4, 0, (struct sockaddr *)&ra, sizeof ra), 4);
    CHECK_RET(recv(r, buf, sizeof buf, 0), 4);
    CHECK_ERR(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_RET(send(r, "back", 4, 0), 4);
    CHECK_RET(recv(s, buf, sizeof buf, 0), 4);
    CHECK_RET(sendto(r, "elsewhere", 9, 0, (struct sockaddr *)&oa, sizeof oa), 9);
    CHECK_RET(recv(o, buf, sizeof buf, 0), 9);
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    CHECK_OK(connect(r, &unspec, sizeof unspec));
    CHECK_ERR(getpeername(r, (struct sockaddr *)&from, &len), ENOTCONN);
    /* bind(2) to port 0 did not fix the port: disconnecting gives it up
     * (a port bind named stays). */
    len = sizeof from;
    CHECK_OK(getsockname(r, (struct sockaddr *)&from, &len));
    CHECK(from.sin_port == 0 && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    int fixed = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in fa = addr("127.0.0.1", ntohs(ra.sin_port));
    CHECK_OK(bind(fixed, (struct sockaddr *)&fa, sizeof fa));
    CHECK_OK(connect(fixed, (struct sockaddr *)&sa, sizeof sa));
    CHECK_OK(connect(fixed, &unspec, sizeof unspec));
    CHECK_RET(sendto(o, "now", 3, 0, (struct sockaddr *)&fa, sizeof fa), 3);
    CHECK_RET(recv(fixed, buf, sizeof buf, 0), 3);
    close(fixed);

    /* Refused: reported once, on the next call. */
    int gone = udp_bound(&oa);
    close(gone);
    CHECK_OK(connect(s, (struct sockaddr *)&oa, sizeof oa));
    CHECK_RET(send(s, "x", 1, 0), 1);
    CHECK_RET(revents(s, 1000), POLLOUT | POLLERR);
    CHECK_ERR(send(s, "x", 1, 0), ECONNREFUSED);
    CHECK_RET(send(s, "x", 1, 0), 1);
    CHECK_RET(revents(s, 1000) & POLLERR, POLLERR);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), ECONNREFUSED);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* An unconnected socket hears nothing of it. */
    CHECK_RET(sendto(o, "x", 1, 0, (struct sockaddr *)&oa, sizeof oa), 1);
    CHECK_RET(revents(o, 100), POLLOUT);

    /* A small receive buffer drops what does not fit. */
    int one = 1;
    CHECK_OK(setsockopt(o, SOL_SOCKET, SO_RCVBUF, &one, sizeof one));
    len = sizeof oa;
    getsockname(o, (struct sockaddr *)&oa, &len);
    for (int i = 0; i < 20; i++)
        CHECK_RET(sendto(r, big, 1000, 0, (struct sockaddr *)&oa, sizeof oa), 1000);
    int got = 0;
    while (recv(o, big, sizeof big, MSG_DONTWAIT) == 1000)
        got++;
    printf("some arrived: %s\n", got > 0 ? "yes" : "no");
    printf("some dropped: %s\n", got < 20 ? "yes" : "no");

    /* shutdown. */
    CHECK_ERR(shutdown(o, SHUT_RD), ENOTCONN);
    CHECK_RET(recv(o, buf, sizeof buf, 0), 0);
    CHECK_ERR(shutdown(s, 7), EINVAL);
    CHECK_OK(shutdown(s, SHUT_WR));
    CHECK_ERR(send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
    close(o);
    close(r);
    close(s);
    return check_status();
}
