/* RFC 3542's hop limit and traffic class on UDP over ::1, and IPv4's TTL
 * and TOS over 127.0.0.1. With IPV6_RECVHOPLIMIT and IPV6_RECVTCLASS on,
 * recvmsg reports IPV6_HOPLIMIT and IPV6_TCLASS (ints) of each datagram:
 * the sender's IPV6_UNICAST_HOPS (64 by default) and IPV6_TCLASS, or what
 * its sendmsg's own IPV6_HOPLIMIT and IPV6_TCLASS messages said (-1: the
 * socket's, an IPV6_TCLASS of -1 is 0xff as in Linux; out of range or
 * not an int: EINVAL). IP_RECVTTL and IP_RECVTOS do the same with IP_TTL
 * (an int) and IP_TOS (a byte). A
 * control buffer too short cuts a message (MSG_CTRUNC, the length what
 * fit) and drops those after it; none at all is MSG_CTRUNC too. */
#include "check.h"
#include "inet_util.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int bound(int family, struct sockaddr_storage *a) {
    int s = socket(family, SOCK_DGRAM, 0);
    socklen_t len;
    memset(a, 0, sizeof *a);
    if (family == AF_INET) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)a;
        v4->sin_family = AF_INET;
        v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *v4;
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)a;
        v6->sin6_family = AF_INET6;
        v6->sin6_addr = in6addr_loopback;
        len = sizeof *v6;
    }
    if (bind(s, (struct sockaddr *)a, len) < 0)
        return -1;
    getsockname(s, (struct sockaddr *)a, &len);
    return s;
}

/* sendmsg of "x" to `to` with up to two int control messages (type 0:
 * none; `bytes` 1 sends the first as one byte). */
static int send_with(int s, struct sockaddr_storage *to, int level, int t1, int v1, int t2,
                     int v2, int bytes) {
    union {
        char buf[2 * CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {"x", 1};
    struct msghdr m = {.msg_name = to,
                       .msg_namelen = to->ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                                               : sizeof(struct sockaddr_in6),
                       .msg_iov = &iov,
                       .msg_iovlen = 1};
    if (t1) {
        m.msg_control = u.buf;
        struct cmsghdr *c = (struct cmsghdr *)u.buf;
        c->cmsg_level = level;
        c->cmsg_type = t1;
        if (bytes == 1) {
            c->cmsg_len = CMSG_LEN(1);
            *CMSG_DATA(c) = (unsigned char)v1;
            m.msg_controllen = CMSG_SPACE(1);
        } else {
            c->cmsg_len = CMSG_LEN(bytes);
            memcpy(CMSG_DATA(c), &v1, sizeof v1);
            m.msg_controllen = CMSG_SPACE(sizeof(int));
        }
        if (t2) {
            c = (struct cmsghdr *)(u.buf + m.msg_controllen);
            m.msg_controllen += CMSG_SPACE(sizeof(int));
            c->cmsg_level = level;
            c->cmsg_type = t2;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &v2, sizeof v2);
        }
    }
    return sendmsg(s, &m, 0);
}

/* Receives one datagram with a control buffer of `ctl` bytes (-1: none)
 * and prints what came: the flag, the length used, and each message. */
static void show(const char *what, int r, int ctl) {
    union {
        char buf[256];
        struct cmsghdr align;
    } u;
    memset(&u, 0xee, sizeof u);
    char data[8];
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (ctl >= 0) {
        m.msg_control = u.buf;
        m.msg_controllen = ctl;
    }
    int n = recvmsg(r, &m, MSG_DONTWAIT);
    if (n < 0) {
        printf("%s: recvmsg %s\n", what, errno_name(errno));
        return;
    }
    printf("%s: %d bytes%s, control %zu:", what, n, m.msg_flags & MSG_CTRUNC ? " CTRUNC" : "",
           (size_t)m.msg_controllen);
    size_t off = 0;
    while (off + sizeof(struct cmsghdr) <= m.msg_controllen) {
        struct cmsghdr *c = (struct cmsghdr *)(u.buf + off);
        printf(" [%d %d len %zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
        size_t have = c->cmsg_len - CMSG_LEN(0);
        if (have >= sizeof(int)) {
            int v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            printf(" = %d", v);
        } else if (have == 1) {
            printf(" = byte %d", *CMSG_DATA(c));
        }
        printf("]");
        off += CMSG_ALIGN(c->cmsg_len);
    }
    printf("\n");
}

int main(void) {
    struct sockaddr_storage ra, sa;
    int r, s, v;
    const int both = 2 * CMSG_SPACE(sizeof(int));

    /* IPv6. */
    CHECK_OK(r = bound(AF_INET6, &ra));
    CHECK_OK(s = bound(AF_INET6, &sa));
    CHECK_RET(opt(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT), 0);
    CHECK_RET(opt(r, IPPROTO_IPV6, IPV6_RECVTCLASS), 0);
    CHECK_RET(opt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    CHECK_RET(opt(s, IPPROTO_IPV6, IPV6_TCLASS), 0);
    v = 1;
    CHECK_ERR(setsockopt(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &v, 2), EINVAL);
    CHECK_RET(send_with(s, &ra, 0, 0, 0, 0, 0, 4), 1);
    show("v6 options off", r, both);
    CHECK_OK(set(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1));
    CHECK_RET(opt(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT), 1);
    CHECK_OK(set(r, IPPROTO_IPV6, IPV6_RECVTCLASS, 7));
    CHECK_RET(opt(r, IPPROTO_IPV6, IPV6_RECVTCLASS), 1);
    CHECK_ERR(set(r, IPPROTO_IPV6, IPV6_HOPLIMIT, 1), ENOPROTOOPT);
    CHECK_RET(send_with(s, &ra, 0, 0, 0, 0, 0, 4), 1);
    show("v6 defaults", r, both);
    CHECK_OK(set(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 10));
    CHECK_OK(set(s, IPPROTO_IPV6, IPV6_TCLASS, 0x20));
    CHECK_RET(send_with(s, &ra, 0, 0, 0, 0, 0, 4), 1);
    show("v6 socket options", r, both);
    CHECK_RET(send_with(s, &ra, IPPROTO_IPV6, IPV6_HOPLIMIT, 255, IPV6_TCLASS, 0x42, 4), 1);
    show("v6 messages", r, both);
    CHECK_RET(send_with(s, &ra, IPPROTO_IPV6, IPV6_TCLASS, 0xff, IPV6_HOPLIMIT, 0, 4), 1);
    show("v6 hop limit 0", r, both);
    CHECK_RET(send_with(s, &ra, IPPROTO_IPV6, IPV6_HOPLIMIT, -1, IPV6_TCLASS, -1, 4), 1);
    show("v6 messages -1", r, both);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IPV6, IPV6_HOPLIMIT, 256, 0, 0, 4), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IPV6, IPV6_HOPLIMIT, -2, 0, 0, 4), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IPV6, IPV6_TCLASS, 256, 0, 0, 4), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IPV6, IPV6_TCLASS, 1, 0, 0, 1), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IPV6, IPV6_HOPLIMIT, 1, 0, 0, 8), EINVAL);
    show("v6 nothing sent", r, both);

    /* Short control buffers. */
    for (int i = 0; i < 9; i++)
        CHECK_RET(send_with(s, &ra, 0, 0, 0, 0, 0, 4), 1);
    show("v6 no buffer", r, -1);
    show("v6 zero buffer", r, 0);
    show("v6 buffer of a header", r, CMSG_LEN(0));
    show("v6 buffer short of one", r, CMSG_LEN(sizeof(int)) - 1);
    show("v6 buffer of one", r, CMSG_LEN(sizeof(int)));
    show("v6 buffer one and a header", r, CMSG_SPACE(sizeof(int)) + CMSG_LEN(0));
    show("v6 buffer one and an odd", r, CMSG_SPACE(sizeof(int)) + CMSG_LEN(1));
    show("v6 buffer short of two", r, CMSG_SPACE(sizeof(int)) + CMSG_LEN(sizeof(int)) - 1);
    show("v6 buffer of two", r, CMSG_SPACE(sizeof(int)) + CMSG_LEN(sizeof(int)));
    close(r);
    close(s);

    /* IPv4. */
    CHECK_OK(r = bound(AF_INET, &ra));
    CHECK_OK(s = bound(AF_INET, &sa));
    CHECK_OK(set(r, IPPROTO_IP, IP_RECVTTL, 1));
    CHECK_OK(set(r, IPPROTO_IP, IP_RECVTOS, 1));
    CHECK_RET(send_with(s, &ra, 0, 0, 0, 0, 0, 4), 1);
    show("v4 defaults", r, both);
    CHECK_OK(set(s, IPPROTO_IP, IP_TTL, 9));
    CHECK_OK(set(s, IPPROTO_IP, IP_TOS, 0xff));
    CHECK_RET(opt(s, IPPROTO_IP, IP_TOS), 0xff);
    CHECK_RET(send_with(s, &ra, 0, 0, 0, 0, 0, 4), 1);
    show("v4 socket options", r, both);
    CHECK_RET(send_with(s, &ra, IPPROTO_IP, IP_TTL, 3, IP_TOS, 0x10, 4), 1);
    show("v4 messages", r, both);
    CHECK_RET(send_with(s, &ra, IPPROTO_IP, IP_TOS, 0x08, 0, 0, 1), 1);
    show("v4 byte tos", r, both);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IP, IP_TTL, 0, 0, 0, 4), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IP, IP_TTL, 256, 0, 0, 4), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IP, IP_TOS, 256, 0, 0, 4), EINVAL);
    CHECK_ERR(send_with(s, &ra, IPPROTO_IP, IP_TTL, 5, 0, 0, 1), EINVAL);
    show("v4 nothing sent", r, both);
    close(r);
    close(s);
    return check_status();
}
