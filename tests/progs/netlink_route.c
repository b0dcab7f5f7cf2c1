/* NETLINK_ROUTE as glibc uses it: getifaddrs lists lo as a link
 * (AF_PACKET), 127.0.0.1/8 and ::1/128, up and a loopback; if_nameindex
 * has lo at index 1. By hand: a socket binds to port 0 and is given
 * the process's id; a link dump answers RTM_NEWLINK messages for our
 * port and sequence, then NLMSG_DONE, from the kernel (port 0); asking
 * for link 1 answers lo, for a missing name an NLMSG_ERROR of ENODEV
 * echoing the request. Netlink sockets are datagrams: SOCK_STREAM is
 * ESOCKTNOSUPPORT, listen EOPNOTSUPP. (Only lo is looked at: the host
 * may have more interfaces.) */
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const char *show(const struct sockaddr *sa) {
    static char buf[64];
    if (!sa)
        return "none";
    if (sa->sa_family == AF_INET)
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
    if (sa->sa_family == AF_INET6)
        return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof buf);
    if (sa->sa_family == AF_PACKET)
        return "link";
    return "?";
}

struct req {
    struct nlmsghdr h;
    struct ifinfomsg i;
    char attrs[32];
};

int main(void) {
    struct ifaddrs *ifa;
    CHECK_OK(getifaddrs(&ifa));
    for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
        if (strcmp(p->ifa_name, "lo") != 0)
            continue;
        int f = p->ifa_addr ? p->ifa_addr->sa_family : -1;
        printf("lo %s", f == AF_PACKET ? "AF_PACKET" : f == AF_INET ? "AF_INET" : f == AF_INET6 ? "AF_INET6" : "?");
        printf(" addr %s", show(p->ifa_addr));
        printf(" netmask %s", show(p->ifa_netmask));
        printf(" up %d loopback %d\n", !!(p->ifa_flags & IFF_UP), !!(p->ifa_flags & IFF_LOOPBACK));
    }
    freeifaddrs(ifa);

    struct if_nameindex *ni = if_nameindex();
    CHECK(ni != NULL);
    for (struct if_nameindex *p = ni; p && p->if_index; p++)
        if (strcmp(p->if_name, "lo") == 0)
            printf("if_nameindex: lo %u\n", p->if_index);
    if_freenameindex(ni);

    int s;
    CHECK_OK(s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    struct sockaddr_nl me = {.nl_family = AF_NETLINK};
    socklen_t len = sizeof me;
    CHECK_OK(getsockname(s, (struct sockaddr *)&me, &len));
    CHECK_RET(me.nl_pid, 0);
    CHECK_OK(bind(s, (struct sockaddr *)&me, sizeof me));
    len = sizeof me;
    CHECK_OK(getsockname(s, (struct sockaddr *)&me, &len));
    CHECK_RET(len, sizeof me);
    CHECK_RET(me.nl_pid, (unsigned)getpid());
    int v = -1;
    len = sizeof v;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len));
    CHECK_RET(v, NETLINK_ROUTE);
    CHECK_ERR(listen(s, 1), EOPNOTSUPP);

    /* A link dump: lo among the links, then the end. */
    struct req r = {
        .h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
              .nlmsg_type = RTM_GETLINK,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
              .nlmsg_seq = 77},
    };
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    CHECK_RET(sendto(s, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel), (int)r.h.nlmsg_len);
    static char buf[65536];
    int done = 0, saw_lo = 0, others = 0;
    while (!done) {
        struct sockaddr_nl from;
        len = sizeof from;
        int n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n <= 0)
            break;
        if (from.nl_pid != 0)
            others++;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != 77 || h->nlmsg_pid != me.nl_pid)
                others++;
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (h->nlmsg_type != RTM_NEWLINK || !(h->nlmsg_flags & NLM_F_MULTI)) {
                others++;
                continue;
            }
            struct ifinfomsg *ifi = NLMSG_DATA(h);
            if (ifi->ifi_index == 1 && (ifi->ifi_flags & IFF_LOOPBACK))
                saw_lo = 1;
        }
    }
    CHECK(done);
    CHECK(saw_lo);
    CHECK_RET(others, 0);

    /* Link 1 by index, then a name that is not there. */
    memset(&r, 0, sizeof r);
    r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    r.h.nlmsg_type = RTM_GETLINK;
    r.h.nlmsg_flags = NLM_F_REQUEST;
    r.h.nlmsg_seq = 78;
    r.i.ifi_index = 1;
    CHECK_OK(send(s, &r, r.h.nlmsg_len, 0));
    int n;
    CHECK_OK(n = recv(s, buf, sizeof buf, 0));
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    CHECK(NLMSG_OK(h, (unsigned)n) && h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 78);
    struct rtattr *rta = (struct rtattr *)r.attrs;
    rta->rta_type = IFLA_IFNAME;
    rta->rta_len = RTA_LENGTH(sizeof "nosuchif0");
    memcpy(RTA_DATA(rta), "nosuchif0", sizeof "nosuchif0");
    r.i.ifi_index = 0;
    r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)) + RTA_ALIGN(rta->rta_len);
    r.h.nlmsg_seq = 79;
    CHECK_OK(send(s, &r, r.h.nlmsg_len, 0));
    CHECK_OK(n = recv(s, buf, sizeof buf, 0));
    CHECK(NLMSG_OK(h, (unsigned)n) && h->nlmsg_type == NLMSG_ERROR);
    struct nlmsgerr *e = NLMSG_DATA(h);
    CHECK_RET(e->error, -ENODEV);
    CHECK_RET(e->msg.nlmsg_seq, 79);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_OK(close(s));

    CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
    return check_status();
}
