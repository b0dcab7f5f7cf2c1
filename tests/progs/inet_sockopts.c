/* Options of inet sockets, as programs set and read them back.
 * SOL_SOCKET: the identity options, buffer sizes (TCP's defaults are
 * tcp_wmem's and tcp_rmem's, UDP's the core defaults; a set size is
 * doubled), flags, SO_LINGER and timeouts. SOL_TCP: flags, keepalive
 * times within their ranges (EINVAL outside), TCP_MAXSEG (536 until
 * connected), TCP_DEFER_ACCEPT in whole retransmits, TCP_CONGESTION,
 * TCP_INFO's state through a connection's life. SOL_IP: IP_TOS without
 * its ECN bits, IP_TTL (64 by default, -1 resets, 0 is EINVAL; a
 * one-byte buffer gets one byte), IP_MTU only when connected. SOL_IPV6
 * only on AF_INET6 sockets. Unknown options are ENOPROTOOPT; reading a
 * level the protocol lacks is EOPNOTSUPP. SIOCINQ and SIOCOUTQ count
 * what is queued. */
#include "check.h"
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

static int geti(int s, int level, int name) {
    int v = -7;
    socklen_t len = sizeof v;
    if (getsockopt(s, level, name, &v, &len) < 0)
        return -errno;
    return v;
}

static int seti(int s, int level, int name, int v) {
    return setsockopt(s, level, name, &v, sizeof v);
}

static int state(int s) {
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0xff, sizeof ti);
    if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    return ti.tcpi_state;
}

int main(void) {
    int t, u, t6, n;
    CHECK_OK(t = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(u = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_OK(t6 = socket(AF_INET6, SOCK_STREAM, 0));

    CHECK_RET(geti(t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    CHECK_RET(geti(t, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
    CHECK_RET(geti(t, SOL_SOCKET, SO_DOMAIN), AF_INET);
    CHECK_RET(geti(u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    CHECK_RET(geti(u, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
    CHECK_RET(geti(t6, SOL_SOCKET, SO_DOMAIN), AF_INET6);
    CHECK_RET(geti(t, SOL_SOCKET, SO_ACCEPTCONN), 0);
    CHECK_RET(geti(t, SOL_SOCKET, SO_ERROR), 0);
    CHECK_ERR(seti(t, SOL_SOCKET, SO_TYPE, 1), ENOPROTOOPT);

    CHECK_RET(geti(t, SOL_SOCKET, SO_SNDBUF), 16384);
    CHECK_RET(geti(t, SOL_SOCKET, SO_RCVBUF), 131072);
    CHECK_RET(geti(u, SOL_SOCKET, SO_SNDBUF), 212992);
    CHECK_RET(geti(u, SOL_SOCKET, SO_RCVBUF), 212992);
    CHECK_OK(seti(t, SOL_SOCKET, SO_SNDBUF, 30000));
    CHECK_RET(geti(t, SOL_SOCKET, SO_SNDBUF), 60000);
    CHECK_OK(seti(t, SOL_SOCKET, SO_RCVBUF, 30000));
    CHECK_RET(geti(t, SOL_SOCKET, SO_RCVBUF), 60000);
    CHECK_OK(seti(u, SOL_SOCKET, SO_RCVBUF, 1));
    CHECK_RET(geti(u, SOL_SOCKET, SO_RCVBUF), 2304);

    CHECK_OK(seti(t, SOL_SOCKET, SO_REUSEADDR, 1));
    CHECK_RET(geti(t, SOL_SOCKET, SO_REUSEADDR), 1);
    CHECK_OK(seti(t, SOL_SOCKET, SO_REUSEPORT, 1));
    CHECK_RET(geti(t, SOL_SOCKET, SO_REUSEPORT), 1);
    CHECK_OK(seti(t, SOL_SOCKET, SO_KEEPALIVE, 1));
    CHECK_RET(geti(t, SOL_SOCKET, SO_KEEPALIVE), 1);
    struct linger lg = {1, 5};
    CHECK_OK(setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    memset(&lg, 0, sizeof lg);
    socklen_t len = sizeof lg;
    CHECK_OK(getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &len));
    CHECK(lg.l_onoff == 1 && lg.l_linger == 5);
    struct timeval tv = {2, 500000};
    CHECK_OK(setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    len = sizeof tv;
    CHECK_OK(getsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    CHECK(tv.tv_sec == 2 && tv.tv_usec == 500000);
    CHECK_ERR(seti(t, SOL_SOCKET, 999, 1), ENOPROTOOPT);

    /* SOL_TCP. */
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_NODELAY), 0);
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_NODELAY, 5));
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_NODELAY), 1);
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_CORK, 1));
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_CORK), 1);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_KEEPINTVL), 75);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_KEEPCNT), 9);
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 30));
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_KEEPINTVL, 10));
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_KEEPCNT, 3));
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_KEEPINTVL), 10);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_KEEPCNT), 3);
    CHECK_ERR(seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL);
    CHECK_ERR(seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 32768), EINVAL);
    CHECK_ERR(seti(t, IPPROTO_TCP, TCP_KEEPCNT, 128), EINVAL);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_MAXSEG), 536);
    CHECK_ERR(seti(t, IPPROTO_TCP, TCP_MAXSEG, 87), EINVAL);
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_MAXSEG, 1000));
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_MAXSEG), 1000);
    CHECK_OK(seti(t, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5));
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_DEFER_ACCEPT), 7);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_SYNCNT), 6);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_LINGER2), 60);
    CHECK_RET(geti(t, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
    CHECK_OK(setsockopt(t, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
    char cc[16] = {0};
    len = sizeof cc;
    CHECK_OK(getsockopt(t, IPPROTO_TCP, TCP_CONGESTION, cc, &len));
    printf("congestion: %s\n", cc);
    CHECK_ERR(setsockopt(t, IPPROTO_TCP, TCP_CONGESTION, "bogus", 5), ENOENT);
    CHECK_ERR(seti(t, IPPROTO_TCP, TCP_INFO, 1), ENOPROTOOPT);
    CHECK_ERR(seti(t, IPPROTO_TCP, 999, 1), ENOPROTOOPT);
    CHECK_RET(geti(t, IPPROTO_TCP, 999), -ENOPROTOOPT);
    CHECK_RET(geti(u, IPPROTO_TCP, TCP_NODELAY), -EOPNOTSUPP);
    CHECK_ERR(seti(u, IPPROTO_TCP, TCP_NODELAY, 1), ENOPROTOOPT);
    CHECK_RET(state(t), TCP_CLOSE);

    /* SOL_IP. */
    CHECK_RET(geti(t, IPPROTO_IP, IP_TOS), 0);
    CHECK_OK(seti(t, IPPROTO_IP, IP_TOS, 0x1f));
    CHECK_RET(geti(t, IPPROTO_IP, IP_TOS), 0x1c);
    CHECK_OK(seti(u, IPPROTO_IP, IP_TOS, 0x10));
    CHECK_RET(geti(u, IPPROTO_IP, IP_TOS), 0x10);
    CHECK_RET(geti(u, IPPROTO_IP, IP_TTL), 64);
    CHECK_OK(seti(u, IPPROTO_IP, IP_TTL, 5));
    CHECK_RET(geti(u, IPPROTO_IP, IP_TTL), 5);
    unsigned char small = 0;
    len = 1;
    CHECK_OK(getsockopt(u, IPPROTO_IP, IP_TTL, &small, &len));
    CHECK(len == 1 && small == 5);
    CHECK_OK(seti(u, IPPROTO_IP, IP_TTL, -1));
    CHECK_RET(geti(u, IPPROTO_IP, IP_TTL), 64);
    CHECK_ERR(seti(u, IPPROTO_IP, IP_TTL, 0), EINVAL);
    CHECK_ERR(seti(u, IPPROTO_IP, IP_TTL, 256), EINVAL);
    CHECK_RET(geti(u, IPPROTO_IP, IP_MTU), -ENOTCONN);
    CHECK_ERR(seti(u, IPPROTO_IP, 999, 1), ENOPROTOOPT);
    CHECK_RET(geti(u, IPPROTO_IP, IP_MULTICAST_TTL), 1);
    CHECK_RET(geti(u, IPPROTO_IP, IP_MULTICAST_LOOP), 1);

    /* SOL_IPV6. */
    CHECK_RET(geti(t, IPPROTO_IPV6, IPV6_V6ONLY), -EOPNOTSUPP);
    CHECK_ERR(seti(t, IPPROTO_IPV6, IPV6_V6ONLY, 1), ENOPROTOOPT);
    CHECK_RET(geti(t6, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    CHECK_OK(seti(t6, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    CHECK_RET(geti(t6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    CHECK_RET(geti(t6, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    CHECK_OK(seti(t6, IPPROTO_IPV6, IPV6_TCLASS, 0x20));
    CHECK_RET(geti(t6, IPPROTO_IPV6, IPV6_TCLASS), 0x20);
    CHECK_RET(geti(t6, IPPROTO_IP, IP_TTL), 64);

    /* Through a connection's life. */
    int l, c, s;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_OK(l = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    CHECK_RET(geti(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
    CHECK_RET(state(l), TCP_LISTEN);
    CHECK_ERR(ioctl(l, SIOCINQ, &n), EINVAL);
    len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    CHECK_OK(seti(l, IPPROTO_TCP, TCP_NODELAY, 1));
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_RET(geti(s, IPPROTO_TCP, TCP_NODELAY), 1); /* inherited */
    CHECK_RET(state(c), TCP_ESTABLISHED);
    CHECK_RET(state(s), TCP_ESTABLISHED);
    CHECK_RET(geti(c, IPPROTO_IP, IP_MTU), 65535);
    printf("connected maxseg > 536: %s\n", geti(c, IPPROTO_TCP, TCP_MAXSEG) > 536 ? "yes" : "no");
    CHECK_RET(write(c, "12345", 5), 5);
    CHECK_OK(ioctl(s, SIOCINQ, &n));
    CHECK_RET(n, 5);
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_RET(n, 5);
    CHECK_OK(ioctl(c, SIOCOUTQ, &n));
    CHECK_RET(n, 0);
    CHECK_OK(close(s)); /* with unread data: a reset */
    CHECK_RET(state(c), TCP_CLOSE);
    close(c);
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(s = accept(l, NULL, NULL));
    CHECK_OK(close(s)); /* the end of its stream */
    CHECK_RET(state(c), TCP_CLOSE_WAIT);
    close(c);
    close(l);
    close(t);
    close(u);
    close(t6);
    return check_status();
}
