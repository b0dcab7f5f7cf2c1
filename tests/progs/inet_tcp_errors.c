/* TCP's errors over loopback. socket(2): a protocol the type lacks is
 * EPROTONOSUPPORT, one out of range EINVAL, a type inet lacks
 * ESOCKTNOSUPPORT, ICMP "ping" sockets EACCES (no group may ping),
 * socketpair EOPNOTSUPP. bind(2): a short address is EINVAL, another
 * family EAFNOSUPPORT, an address not on lo EADDRNOTAVAIL, a second bind
 * EINVAL, a taken port EADDRINUSE unless both sockets set SO_REUSEADDR
 * and neither listens (or both set SO_REUSEPORT); 127.0.0.1 and
 * 127.0.0.2 are different addresses, 0.0.0.0 overlaps both; ports below
 * 1024 need CAP_NET_BIND_SERVICE (EACCES). connect(2): nobody listening
 * is ECONNREFUSED, or for a non-blocking socket EINPROGRESS and then
 * POLLERR with SO_ERROR; a second connect reports how the first went
 * (0, or the error, or ECONNABORTED once the error was read), a third
 * EISCONN. listen on a connected socket is EINVAL, connect on a listener
 * EISCONN, accept on a socket not listening EINVAL. A listener with a
 * backlog of 0 takes one connection; the next waits until accept makes
 * room. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

static struct sockaddr_in addr(const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int bind_to(int s, const char *ip, int port) {
    struct sockaddr_in a = addr(ip, port);
    return bind(s, (struct sockaddr *)&a, sizeof a);
}

static int tcp(int reuseaddr, int reuseport) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuseaddr, sizeof reuseaddr);
    setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &reuseport, sizeof reuseport);
    return s;
}

static int port_of(int s) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

/* A port nobody holds now: bound and given back. */
static int free_port(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    bind_to(s, "127.0.0.1", 0);
    int p = port_of(s);
    close(s);
    return p;
}

static int revents(int fd, int timeout) {
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
    if (poll(&p, 1, timeout) < 0)
        return -1;
    return p.revents;
}

static int so_error(int s) {
    int e = -1;
    socklen_t len = sizeof e;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len);
    return e;
}

int main(void) {
    int s, t, sv[2];
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, -1), EINVAL);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, 300), EINVAL);
    CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_INET, 99, 0), EINVAL);
    CHECK_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), EACCES);
    CHECK_ERR(socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6), EACCES);
    CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, IPPROTO_UDP, sv), EPROTONOSUPPORT);
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    CHECK_OK(close(s));

    /* Address checks. */
    struct sockaddr_in a = addr("127.0.0.1", 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a6, sizeof a6), EAFNOSUPPORT);
    a.sin_family = AF_UNSPEC;
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    CHECK_ERR(bind_to(s, "10.9.9.9", 0), EADDRNOTAVAIL);
    CHECK_ERR(bind_to(s, "192.0.2.200", 0), EADDRNOTAVAIL);
    CHECK_OK(bind_to(s, "127.0.0.1", 0));
    CHECK_ERR(bind_to(s, "127.0.0.1", 0), EINVAL);
    int p = port_of(s);
    CHECK_OK(close(s));
    /* AF_UNSPEC with the wildcard address is AF_INET, for old programs. */
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    a = addr("0.0.0.0", 0);
    a.sin_family = AF_UNSPEC;
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(close(s));

    /* Sharing a port. */
    p = free_port();
    s = tcp(0, 0);
    t = tcp(0, 0);
    CHECK_OK(bind_to(s, "127.0.0.1", p));
    CHECK_ERR(bind_to(t, "127.0.0.1", p), EADDRINUSE);
    CHECK_ERR(bind_to(t, "0.0.0.0", p), EADDRINUSE);
    CHECK_OK(bind_to(t, "127.0.0.2", p));
    close(s);
    close(t);
    s = tcp(1, 0);
    t = tcp(1, 0);
    CHECK_OK(bind_to(s, "127.0.0.1", p));
    CHECK_OK(bind_to(t, "127.0.0.1", p));
    CHECK_OK(listen(s, 1));
    CHECK_ERR(listen(t, 1), EADDRINUSE);
    int u = tcp(1, 0);
    CHECK_ERR(bind_to(u, "127.0.0.1", p), EADDRINUSE);
    CHECK_ERR(bind_to(u, "0.0.0.0", p), EADDRINUSE);
    close(s);
    close(t);
    close(u);
    s = tcp(0, 1);
    t = tcp(0, 1);
    CHECK_OK(bind_to(s, "127.0.0.1", p));
    CHECK_OK(bind_to(t, "127.0.0.1", p));
    CHECK_OK(listen(s, 1));
    CHECK_OK(listen(t, 1));
    close(s);
    close(t);

    /* An accepted connection keeps the port after its listener goes:
     * another bind needs SO_REUSEADDR. */
    p = free_port();
    int l = tcp(1, 0), c;
    CHECK_OK(bind_to(l, "127.0.0.1", p));
    CHECK_OK(listen(l, 4));
    a = addr("127.0.0.1", p);
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_ERR(listen(c, 1), EINVAL);
    CHECK_ERR(connect(l, (struct sockaddr *)&a, sizeof a), EISCONN);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN);
    CHECK_ERR(accept(c, NULL, NULL), EINVAL);
    CHECK_OK(close(l));
    t = tcp(0, 0);
    CHECK_ERR(bind_to(t, "127.0.0.1", p), EADDRINUSE);
    close(t);
    t = tcp(1, 0);
    CHECK_OK(bind_to(t, "127.0.0.1", p));
    close(t);
    close(s);
    close(c);

    /* Privileged ports. */
    pid_t pid = fork();
    if (pid == 0) {
        if (setuid(65534) < 0)
            _exit(9);
        int r = socket(AF_INET, SOCK_STREAM, 0);
        if (bind_to(r, "127.0.0.1", 80) == 0 || errno != EACCES)
            _exit(1);
        if (bind_to(r, "10.9.9.9", 80) == 0 || errno != EADDRNOTAVAIL)
            _exit(2);
        if (bind_to(r, "127.0.0.1", 0) < 0)
            _exit(3);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    /* We are root. The pid keeps the port apart from a native run of this
     * program beside us. */
    CHECK_OK(bind_to(s, "127.0.0.1", 1023 - getpid() % 64));
    close(s);

    /* Nobody listening. */
    p = free_port();
    a = addr("127.0.0.1", p);
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    /* Linux gives the port back but still reports it. */
    printf("refused port still named: %s\n", port_of(s) != 0 ? "yes" : "no");
    CHECK_RET(revents(s, 0), POLLOUT | POLLHUP);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    CHECK_ERR(connect(s, (struct sockaddr *)&a6, sizeof a6), EAFNOSUPPORT);
    close(s);
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    CHECK_RET(revents(s, 1000), POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
    CHECK_RET(so_error(s), ECONNREFUSED);
    CHECK_RET(so_error(s), 0);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), ECONNABORTED);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    CHECK_RET(revents(s, 1000) & POLLERR, POLLERR);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    close(s);

    /* A non-blocking connect that works; a backlog of 0 takes one. */
    l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(bind_to(l, "127.0.0.1", 0));
    CHECK_OK(listen(l, 0));
    a = addr("127.0.0.1", port_of(l));
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    CHECK_RET(revents(s, 1000), POLLOUT);
    CHECK_RET(so_error(s), 0);
    CHECK_OK(connect(s, (struct sockaddr *)&a, sizeof a));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), EISCONN);
    CHECK_OK(t = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(connect(t, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    CHECK_RET(revents(t, 100), 0);
    CHECK_ERR(connect(t, (struct sockaddr *)&a, sizeof a), EALREADY);
    CHECK_OK(c = accept(l, NULL, NULL));
    CHECK_RET(revents(t, 5000), POLLOUT);
    CHECK_OK(connect(t, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(close(c));
    CHECK_OK(c = accept4(l, NULL, NULL, SOCK_NONBLOCK));
    CHECK_ERR(accept(c, NULL, NULL), EINVAL);
    int fl = fcntl(l, F_GETFL);
    CHECK_OK(fcntl(l, F_SETFL, fl | O_NONBLOCK));
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
    close(c);
    close(s);
    close(t);
    close(l);

    /* The wildcard address connects to this host. */
    l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(bind_to(l, "127.0.0.1", 0));
    CHECK_OK(listen(l, 4));
    a = addr("0.0.0.0", port_of(l));
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(s, (struct sockaddr *)&a, sizeof a));
    close(accept(l, NULL, NULL));
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    CHECK_OK(getpeername(s, (struct sockaddr *)&peer, &len));
    CHECK(peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    close(s);

    /* Closing a listener resets what it had not accepted. */
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    a = addr("127.0.0.1", port_of(l));
    CHECK_OK(connect(s, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(close(l));
    char b;
    CHECK_ERR(read(s, &b, 1), ECONNRESET);
    close(s);

    /* Datagram sockets neither listen nor accept. */
    CHECK_OK(s = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(listen(s, 1), EOPNOTSUPP);
    CHECK_ERR(accept(s, NULL, NULL), EOPNOTSUPP);
    close(s);
    return check_status();
}
