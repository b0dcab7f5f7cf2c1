/* AF_INET6 over ::1, and IPv4 through IPv6 sockets. A TCP listener on
 * :: takes IPv4 connections too, naming them by IPv4-mapped addresses
 * (::ffff:127.0.0.1), unless IPV6_V6ONLY, which can be set only before
 * bind and which binding to one IPv6 address sets. Binding to a mapped
 * address is IPv4 (EINVAL on a v6-only socket); addresses not on lo are
 * EADDRNOTAVAIL, link-local ones without an interface EINVAL; an
 * address shorter than RFC 2133's sockaddr_in6 (24 bytes) is EINVAL (a
 * sockaddr_in is), another family EAFNOSUPPORT. A v6-only socket cannot reach IPv4
 * (ENETUNREACH). UDP: an AF_INET6 socket sends to IPv4 by a mapped
 * address or a plain sockaddr_in, and hears IPv4 senders by mapped
 * addresses. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct sockaddr_in6 addr6(const char *ip, int port) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

static struct sockaddr_in addr4(const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static const char *show6(const struct sockaddr_in6 *a) {
    static char buf[64];
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return buf;
}

static int port6(int s) {
    struct sockaddr_in6 a;
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    return ntohs(a.sin6_port);
}

static int geti(int s, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt(s, level, name, &v, &len) < 0)
        return -1;
    return v;
}

int main(void) {
    int l, c, s, one = 1;
    struct sockaddr_in6 a, peer;
    socklen_t len;
    char buf[16];

    CHECK_OK(l = socket(AF_INET6, SOCK_STREAM, 0));
    len = sizeof a;
    CHECK_OK(getsockname(l, (struct sockaddr *)&a, &len));
    CHECK_RET(len, sizeof a);
    printf("unbound: family %s addr %s port %d\n", a.sin6_family == AF_INET6 ? "AF_INET6" : "?",
           show6(&a), ntohs(a.sin6_port));
    CHECK_RET(geti(l, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    a = addr6("::", 0);
    CHECK_ERR(bind(l, (struct sockaddr *)&a, 23), EINVAL);
    CHECK_OK(bind(l, (struct sockaddr *)&a, 24));
    CHECK_ERR(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), EINVAL);
    CHECK_OK(listen(l, 4));
    int p = port6(l);

    /* An IPv4 client, named by a mapped address. */
    struct sockaddr_in a4 = addr4("127.0.0.1", p);
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a4, sizeof a4));
    len = sizeof peer;
    CHECK_OK(s = accept(l, (struct sockaddr *)&peer, &len));
    CHECK_RET(len, sizeof peer);
    printf("v4 client seen as %s\n", show6(&peer));
    len = sizeof peer;
    CHECK_OK(getsockname(s, (struct sockaddr *)&peer, &len));
    printf("accepted local %s\n", show6(&peer));
    CHECK_RET(write(c, "v4", 2), 2);
    CHECK_RET(read(s, buf, sizeof buf), 2);
    close(s);
    close(c);

    /* An IPv6 client on ::1. */
    a = addr6("::1", p);
    CHECK_OK(c = socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    len = sizeof peer;
    CHECK_OK(s = accept(l, (struct sockaddr *)&peer, &len));
    printf("v6 client seen as %s\n", show6(&peer));
    len = sizeof peer;
    CHECK_OK(getsockname(c, (struct sockaddr *)&peer, &len));
    printf("v6 client local %s\n", show6(&peer));
    close(s);
    close(c);
    /* A mapped destination from an IPv6 socket. */
    a = addr6("::ffff:127.0.0.1", p);
    CHECK_OK(c = socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    len = sizeof peer;
    CHECK_OK(getsockname(c, (struct sockaddr *)&peer, &len));
    printf("mapped client local %s\n", show6(&peer));
    close(accept(l, NULL, NULL));
    close(c);
    CHECK_OK(c = socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ENETUNREACH);
    close(c);
    close(l);

    /* v6-only listeners leave IPv4 alone. */
    CHECK_OK(l = socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    CHECK_RET(geti(l, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    a = addr6("::", 0);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    a4 = addr4("127.0.0.1", port6(l));
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a4, sizeof a4), ECONNREFUSED);
    CHECK_OK(s = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(bind(s, (struct sockaddr *)&a4, sizeof a4)); /* no overlap */
    close(s);
    close(c);
    close(l);

    /* Binding. */
    CHECK_OK(s = socket(AF_INET6, SOCK_STREAM, 0));
    a = addr6("2001:db8::1", 0);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    a = addr6("fe80::1", 0);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EINVAL);
    a = addr6("::ffff:10.1.2.3", 0);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    a4 = addr4("127.0.0.1", 0);
    CHECK_ERR(bind(s, (struct sockaddr *)&a4, sizeof a4), EINVAL); /* short */
    a = addr6("::1", 0);
    a.sin6_family = AF_INET;
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    a = addr6("::1", 0);
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK_RET(geti(s, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    /* ::1 and 0.0.0.0 do not overlap; :: (dual) and 127.0.0.1 do. */
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    a4 = addr4("0.0.0.0", port6(s));
    CHECK_OK(bind(c, (struct sockaddr *)&a4, sizeof a4));
    close(c);
    close(s);
    CHECK_OK(s = socket(AF_INET6, SOCK_STREAM, 0));
    a = addr6("::", 0);
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    a4 = addr4("127.0.0.1", port6(s));
    CHECK_ERR(bind(c, (struct sockaddr *)&a4, sizeof a4), EADDRINUSE);
    close(c);
    close(s);
    CHECK_OK(s = socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    a = addr6("::ffff:127.0.0.1", 0);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EINVAL);
    close(s);

    /* UDP between the families. */
    int r6, s4;
    CHECK_OK(r6 = socket(AF_INET6, SOCK_DGRAM, 0));
    a = addr6("::", 0);
    CHECK_OK(bind(r6, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(s4 = socket(AF_INET, SOCK_DGRAM, 0));
    a4 = addr4("127.0.0.1", port6(r6));
    CHECK_RET(sendto(s4, "hi", 2, 0, (struct sockaddr *)&a4, sizeof a4), 2);
    len = sizeof peer;
    CHECK_RET(recvfrom(r6, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len), 2);
    CHECK_RET(len, sizeof peer);
    printf("v4 datagram from %s\n", show6(&peer));
    /* Back by the mapped address, and by a plain sockaddr_in. */
    CHECK_RET(sendto(r6, "m", 1, 0, (struct sockaddr *)&peer, sizeof peer), 1);
    CHECK_RET(recv(s4, buf, sizeof buf, 0), 1);
    struct sockaddr_in back;
    len = sizeof back;
    getsockname(s4, (struct sockaddr *)&back, &len);
    back.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_RET(sendto(r6, "p", 1, 0, (struct sockaddr *)&back, sizeof back), 1);
    CHECK_RET(recv(s4, buf, sizeof buf, 0), 1);
    CHECK(buf[0] == 'p');
    /* IPv6 to IPv6. */
    a = addr6("::1", port6(r6));
    CHECK_RET(sendto(r6, "self", 4, 0, (struct sockaddr *)&a, sizeof a), 4);
    len = sizeof peer;
    CHECK_RET(recvfrom(r6, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len), 4);
    printf("v6 datagram from %s\n", show6(&peer));
    close(r6);
    close(s4);
    return check_status();
}
