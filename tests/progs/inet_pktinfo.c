/* IP_PKTINFO and IPV6_RECVPKTINFO on UDP sockets: a received datagram
 * carries the loopback interface's index and the address it was sent to
 * (for IPv4 also as ipi_spec_dst): 127.0.0.1 or 127.0.0.2 to a socket
 * bound to 0.0.0.0, ::1 to an AF_INET6 one, and an IPv4 datagram to a
 * dual-stack AF_INET6 socket as IPV6_PKTINFO with the mapped address
 * (first) and, if asked at SOL_IP, IP_PKTINFO too. The messages come in
 * Linux's order with the others (IP_PKTINFO, IP_TTL; IPV6_PKTINFO,
 * IPV6_HOPLIMIT). Off, nothing is reported. */
#include "inet_util.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

/* `ip`:`port` of family `fam` in `ss`; returns its length. */
static socklen_t addr_of(int fam, const char *ip, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    if (fam == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, ip, &a->sin_addr);
        return sizeof *a;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &a->sin6_addr);
    return sizeof *a;
}

static int bound(int fam, const char *ip) {
    struct sockaddr_storage ss;
    socklen_t len = addr_of(fam, ip, 0, &ss);
    int s = socket(fam, SOCK_DGRAM, 0);
    bind(s, (struct sockaddr *)&ss, len);
    return s;
}

static int port_of(int s) {
    struct sockaddr_in6 a;
    socklen_t l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    return ntohs(a.sin6_port); /* sin_port is at the same offset */
}

/* One byte from a fresh socket of family `fam` to `to`:`port`. */
static void send_from(int fam, const char *to, int port) {
    struct sockaddr_storage ss;
    socklen_t len = addr_of(fam, to, port, &ss);
    int c = socket(fam, SOCK_DGRAM, 0);
    CHECK_RET(sendto(c, "x", 1, 0, (struct sockaddr *)&ss, len), 1);
    close(c);
}

static void send4(const char *to, int port) { send_from(AF_INET, to, port); }
static void send6(const char *to, int port) { send_from(AF_INET6, to, port); }

/* Receives one datagram and prints its control messages. */
static void show(int s, const char *what) {
    char data[8], ctl[256];
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = sizeof ctl};
    CHECK_RET(recvmsg(s, &m, 0), 1);
    printf("%s:", what);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
        if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo p;
            memcpy(&p, CMSG_DATA(c), sizeof p);
            inet_ntop(AF_INET, &p.ipi_spec_dst, a, sizeof a);
            inet_ntop(AF_INET, &p.ipi_addr, b, sizeof b);
            printf(" IP_PKTINFO(len %zu, lo %d, spec_dst %s, addr %s)",
                   (size_t)c->cmsg_len, p.ipi_ifindex == (int)if_nametoindex("lo"), a, b);
        } else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo p;
            memcpy(&p, CMSG_DATA(c), sizeof p);
            inet_ntop(AF_INET6, &p.ipi6_addr, a, sizeof a);
            printf(" IPV6_PKTINFO(len %zu, lo %d, addr %s)", (size_t)c->cmsg_len,
                   p.ipi6_ifindex == (int)if_nametoindex("lo"), a);
        } else {
            int v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            printf(" %d/%d(len %zu, %d)", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len, v);
        }
    }
    printf(" flags %#x\n", m.msg_flags);
}

int main(void) {
    int s = bound(AF_INET, "0.0.0.0");
    int p = port_of(s);
    send4("127.0.0.1", p);
    show(s, "v4 off");
    CHECK_OK(set(s, SOL_IP, IP_PKTINFO, 1));
    CHECK_RET(opt(s, SOL_IP, IP_PKTINFO), 1);
    send4("127.0.0.1", p);
    show(s, "v4 127.0.0.1");
    send4("127.0.0.2", p);
    show(s, "v4 127.0.0.2");
    CHECK_OK(set(s, SOL_IP, IP_RECVTTL, 1));
    send4("127.0.0.1", p);
    show(s, "v4 with ttl");
    close(s);

    int s6 = bound(AF_INET6, "::1");
    p = port_of(s6);
    CHECK_OK(set(s6, SOL_IPV6, IPV6_RECVPKTINFO, 1));
    CHECK_OK(set(s6, SOL_IPV6, IPV6_RECVHOPLIMIT, 1));
    send6("::1", p);
    show(s6, "v6 ::1");
    close(s6);

    int d = bound(AF_INET6, "::");
    p = port_of(d);
    CHECK_OK(set(d, SOL_IPV6, IPV6_RECVPKTINFO, 1));
    send4("127.0.0.1", p);
    show(d, "dual v4");
    CHECK_OK(set(d, SOL_IP, IP_PKTINFO, 1));
    send4("127.0.0.1", p);
    show(d, "dual v4 with IP_PKTINFO");
    send6("::1", p);
    show(d, "dual v6");
    close(d);
    return check_status();
}
