/* The loopback interface through the SIOCGIF* ioctls any socket
 * answers: lo is index 1, up and running, 127.0.0.1/8, MTU 65536, of
 * hardware type ARPHRD_LOOPBACK; an unknown name or index is ENODEV.
 * SIOCGIFCONF lists lo's address first (a NULL buffer asks for the
 * length). glibc's if_nametoindex and if_indextoname use these. (Only
 * lo is looked at: the host may have more interfaces.) */
#include "check.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct ifreq req(const char *name) {
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    return r;
}

static const char *ip(const struct sockaddr *sa) {
    static char buf[32];
    const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
    if (a->sin_family != AF_INET)
        return "not AF_INET";
    return inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
}

int main(void) {
    int socks[3];
    CHECK_OK(socks[0] = socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_OK(socks[1] = socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(socks[2] = socket(AF_UNIX, SOCK_STREAM, 0));
    for (int i = 0; i < 3; i++) {
        int s = socks[i];
        struct ifreq r = req("lo");
        CHECK_OK(ioctl(s, SIOCGIFINDEX, &r));
        CHECK_RET(r.ifr_ifindex, 1);
    }
    int s = socks[0];
    struct ifreq r = req("lo");
    CHECK_OK(ioctl(s, SIOCGIFFLAGS, &r));
    int want = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    CHECK_RET(r.ifr_flags & (want | IFF_BROADCAST | IFF_MULTICAST), want);
    r = req("lo");
    CHECK_OK(ioctl(s, SIOCGIFADDR, &r));
    printf("address: %s\n", ip(&r.ifr_addr));
    r = req("lo");
    CHECK_OK(ioctl(s, SIOCGIFNETMASK, &r));
    printf("netmask: %s\n", ip(&r.ifr_netmask));
    r = req("lo");
    CHECK_OK(ioctl(s, SIOCGIFMTU, &r));
    CHECK_RET(r.ifr_mtu, 65536);
    r = req("lo");
    CHECK_OK(ioctl(s, SIOCGIFHWADDR, &r));
    CHECK_RET(r.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);
    r = req("lo");
    r.ifr_ifindex = 1;
    memset(r.ifr_name, 'x', sizeof r.ifr_name);
    CHECK_OK(ioctl(s, SIOCGIFNAME, &r));
    printf("index 1: %s\n", r.ifr_name);

    r = req("nosuchif0");
    CHECK_ERR(ioctl(s, SIOCGIFFLAGS, &r), ENODEV);
    CHECK_ERR(ioctl(s, SIOCGIFINDEX, &r), ENODEV);
    CHECK_ERR(ioctl(s, SIOCGIFADDR, &r), ENODEV);
    CHECK_ERR(ioctl(s, SIOCGIFMTU, &r), ENODEV);
    r.ifr_ifindex = 4000;
    CHECK_ERR(ioctl(s, SIOCGIFNAME, &r), ENODEV);
    CHECK_ERR(ioctl(s, SIOCGIFFLAGS, NULL), EFAULT);

    struct ifconf conf = {0};
    CHECK_OK(ioctl(s, SIOCGIFCONF, &conf));
    printf("conf length: %s\n",
           conf.ifc_len > 0 && conf.ifc_len % sizeof(struct ifreq) == 0 ? "entries" : "odd");
    struct ifreq list[16];
    conf.ifc_len = sizeof list;
    conf.ifc_req = list;
    CHECK_OK(ioctl(s, SIOCGIFCONF, &conf));
    printf("first: %s %s\n", list[0].ifr_name, ip(&list[0].ifr_addr));

    printf("if_nametoindex(lo): %u\n", if_nametoindex("lo"));
    char name[IF_NAMESIZE];
    printf("if_indextoname(1): %s\n", if_indextoname(1, name));
    printf("if_nametoindex(nosuchif0): %u\n", if_nametoindex("nosuchif0"));
    for (int i = 0; i < 3; i++)
        close(socks[i]);
    return check_status();
}
