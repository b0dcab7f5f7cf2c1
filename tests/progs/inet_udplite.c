/* UDP-Lite (IPPROTO_UDPLITE) over loopback: datagram sockets of both
 * families (a stream one is EPROTONOSUPPORT; protocol 0 stays UDP), with
 * SO_PROTOCOL 136 and a port space apart from UDP's: a UDP-Lite socket
 * binds a port a UDP socket holds, and each hears only its own
 * protocol. The checksum coverages (SOL_UDPLITE, or SOL_UDP, options
 * UDPLITE_SEND_CSCOV and UDPLITE_RECV_CSCOV) read back 0 until set, 1 to
 * 7 and negatives as 8, above 65535 as 65535; a UDP socket reads them but
 * may not set them (ENOPROTOOPT). A receiver with a coverage drops
 * datagrams covered by less, and with 0 all partly covered ones. */
#include "check.h"
#include "inet_util.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#define SOL_UDPLITE 136
#define UDPLITE_SEND_CSCOV 10
#define UDPLITE_RECV_CSCOV 11

static int bound(int family, int proto, struct sockaddr_storage *a, int port) {
    int s = socket(family, SOCK_DGRAM, proto);
    socklen_t len = sizeof *a;
    memset(a, 0, sizeof *a);
    if (family == AF_INET) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)a;
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *v4;
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)a;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        v6->sin6_addr = in6addr_loopback;
        len = sizeof *v6;
    }
    if (bind(s, (struct sockaddr *)a, len) < 0) {
        close(s);
        return -1;
    }
    getsockname(s, (struct sockaddr *)a, &len);
    return s;
}

static int port_of(struct sockaddr_storage *a) {
    return ntohs(((struct sockaddr_in *)a)->sin_port);
}

/* Sends a 100-byte datagram covered by `send_cov` to a receiver wanting
 * `recv_cov` (-1: not set): whether it arrived. */
static int covered(int send_cov, int recv_cov) {
    struct sockaddr_storage ra, sa;
    char buf[128] = {0};
    int r = bound(AF_INET, IPPROTO_UDPLITE, &ra, 0);
    int s = bound(AF_INET, IPPROTO_UDPLITE, &sa, 0);
    if (send_cov >= 0)
        set(s, SOL_UDPLITE, UDPLITE_SEND_CSCOV, send_cov);
    if (recv_cov >= 0)
        set(r, SOL_UDPLITE, UDPLITE_RECV_CSCOV, recv_cov);
    sendto(s, buf, 100, 0, (struct sockaddr *)&ra, sizeof(struct sockaddr_in));
    int got = recv(r, buf, sizeof buf, MSG_DONTWAIT);
    close(r);
    close(s);
    return got;
}

int main(void) {
    struct sockaddr_storage ua, la, sa;
    char buf[64];
    int u, l, l2, s, v;
    socklen_t len;

    CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDPLITE), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET6, SOCK_STREAM, IPPROTO_UDPLITE), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, IPPROTO_UDPLITE), ESOCKTNOSUPPORT);

    /* A port of each protocol's own. */
    CHECK_OK(u = bound(AF_INET, 0, &ua, 0));
    CHECK_RET(opt(u, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
    CHECK_OK(l = bound(AF_INET, IPPROTO_UDPLITE, &la, port_of(&ua)));
    CHECK_RET(port_of(&la) == port_of(&ua), 1);
    CHECK_RET(opt(l, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDPLITE);
    CHECK_RET(opt(l, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    CHECK_RET(opt(l, SOL_SOCKET, SO_DOMAIN), AF_INET);
    CHECK_ERR(l2 = bound(AF_INET, IPPROTO_UDPLITE, &sa, port_of(&ua)), EADDRINUSE);
    CHECK_OK(s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE));
    CHECK_RET(sendto(s, "lite", 4, 0, (struct sockaddr *)&la, sizeof(struct sockaddr_in)), 4);
    CHECK_ERR(recv(u, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    memset(buf, 0, sizeof buf);
    CHECK_RET(recv(l, buf, sizeof buf, MSG_DONTWAIT), 4);
    CHECK(strcmp(buf, "lite") == 0);
    close(s);
    CHECK_OK(s = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_RET(sendto(s, "plain", 5, 0, (struct sockaddr *)&ua, sizeof(struct sockaddr_in)), 5);
    CHECK_ERR(recv(l, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_RET(recv(u, buf, sizeof buf, MSG_DONTWAIT), 5);
    close(s);

    /* The coverage options. */
    CHECK_RET(opt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV), 0);
    CHECK_RET(opt(l, SOL_UDPLITE, UDPLITE_RECV_CSCOV), 0);
    int given[] = {0, 1, 7, 8, 9, -1, 65535, 65536, 100000};
    for (unsigned i = 0; i < sizeof given / sizeof given[0]; i++) {
        CHECK_OK(set(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, given[i]));
        CHECK_OK(set(l, SOL_UDPLITE, UDPLITE_RECV_CSCOV, given[i]));
        printf("cscov %d reads %d %d\n", given[i], opt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV),
               opt(l, SOL_UDPLITE, UDPLITE_RECV_CSCOV));
    }
    CHECK_OK(set(l, IPPROTO_UDP, UDPLITE_SEND_CSCOV, 20));
    CHECK_RET(opt(l, IPPROTO_UDP, UDPLITE_SEND_CSCOV), 20);
    CHECK_RET(opt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV), 20);
    v = 30;
    CHECK_ERR(setsockopt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, 2), EINVAL);
    CHECK_ERR(setsockopt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, 0), EINVAL);
    int two[2] = {30, 0};
    CHECK_OK(setsockopt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, two, sizeof two));
    v = -1;
    len = 2;
    CHECK_OK(getsockopt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, &len));
    CHECK_RET(len, 2);
    CHECK_RET(v, (int)0xffff001e);
    len = 0;
    CHECK_OK(getsockopt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, &len));
    CHECK_RET(len, 0);
    len = -1;
    CHECK_ERR(getsockopt(l, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, &len), EINVAL);
    CHECK_RET(opt(l, SOL_UDPLITE, 12), -100 - ENOPROTOOPT);
    CHECK_ERR(set(l, SOL_UDPLITE, 12, 1), ENOPROTOOPT);
    CHECK_OK(set(l, SOL_UDPLITE, 1 /* UDP_CORK */, 0));
    CHECK_ERR(set(u, SOL_UDPLITE, UDPLITE_SEND_CSCOV, 20), ENOPROTOOPT);
    CHECK_ERR(set(u, IPPROTO_UDP, UDPLITE_RECV_CSCOV, 20), ENOPROTOOPT);
    CHECK_RET(opt(u, SOL_UDPLITE, UDPLITE_SEND_CSCOV), 0);
    CHECK_OK(set(u, SOL_UDPLITE, 1 /* UDP_CORK */, 0));
    close(l);
    close(u);

    /* Coverage against what a receiver wants. */
    CHECK_RET(covered(-1, -1), 100);
    CHECK_RET(covered(10, -1), 100);
    CHECK_RET(covered(10, 20), -1);
    CHECK_RET(covered(30, 20), 100);
    CHECK_RET(covered(20, 20), 100);
    CHECK_RET(covered(0, 20), 100);
    CHECK_RET(covered(108, 20), 100);
    CHECK_RET(covered(200, 0), 100);
    CHECK_RET(covered(30, 0), -1);

    /* IPv6. */
    CHECK_OK(l = bound(AF_INET6, IPPROTO_UDPLITE, &la, 0));
    CHECK_RET(opt(l, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDPLITE);
    CHECK_RET(opt(l, SOL_SOCKET, SO_DOMAIN), AF_INET6);
    CHECK_OK(s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE));
    CHECK_RET(sendto(s, "six", 3, 0, (struct sockaddr *)&la, sizeof(struct sockaddr_in6)), 3);
    struct sockaddr_in6 from;
    len = sizeof from;
    CHECK_RET(recvfrom(l, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len), 3);
    len = sizeof sa;
    CHECK_OK(getsockname(s, (struct sockaddr *)&sa, &len));
    CHECK_RET(from.sin6_port == ((struct sockaddr_in6 *)&sa)->sin6_port, 1);
    close(s);
    close(l);
    return check_status();
}
