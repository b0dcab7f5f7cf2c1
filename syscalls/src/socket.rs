//! Sockets: address families, types, `MSG_*` flags, `SOL_SOCKET` options
//! and control messages (<sys/socket.h>, <asm/socket.h>, <linux/un.h>).
//! The structures (`sockaddr_un`, `msghdr`, `cmsghdr`, ...) are in
//! [`crate::types`].

named_consts! {
    /// The name of an address family, "AF_UNIX".
    pub fn family_name(i32) {
        AF_UNSPEC = 0,
        AF_UNIX = 1,
        AF_INET = 2,
        AF_AX25 = 3,
        AF_IPX = 4,
        AF_APPLETALK = 5,
        AF_NETROM = 6,
        AF_BRIDGE = 7,
        AF_ATMPVC = 8,
        AF_X25 = 9,
        AF_INET6 = 10,
        AF_ROSE = 11,
        /// glibc spells it `AF_DECnet`.
        AF_DECNET = 12,
        AF_NETBEUI = 13,
        AF_SECURITY = 14,
        AF_KEY = 15,
        AF_NETLINK = 16,
        AF_PACKET = 17,
        AF_ASH = 18,
        AF_ECONET = 19,
        AF_ATMSVC = 20,
        AF_RDS = 21,
        AF_SNA = 22,
        AF_IRDA = 23,
        AF_PPPOX = 24,
        AF_WANPIPE = 25,
        AF_LLC = 26,
        AF_IB = 27,
        AF_MPLS = 28,
        AF_CAN = 29,
        AF_TIPC = 30,
        AF_BLUETOOTH = 31,
        AF_IUCV = 32,
        AF_RXRPC = 33,
        AF_ISDN = 34,
        AF_PHONET = 35,
        AF_IEEE802154 = 36,
        AF_CAIF = 37,
        AF_ALG = 38,
        AF_NFC = 39,
        AF_VSOCK = 40,
        AF_KCM = 41,
        AF_QIPCRTR = 42,
        AF_SMC = 43,
        AF_XDP = 44,
        AF_MCTP = 45,
    }
}

/// `AF_MAX` (Linux's `NPROTO`): families at or above it are EAFNOSUPPORT.
pub const AF_MAX: i32 = 46;
/// `AF_LOCAL`, the POSIX name of `AF_UNIX`.
pub const AF_LOCAL: i32 = AF_UNIX;

named_consts! {
    /// The name of a socket type, "SOCK_STREAM".
    pub fn type_name(i32) {
        SOCK_STREAM = 1,
        SOCK_DGRAM = 2,
        SOCK_RAW = 3,
        SOCK_RDM = 4,
        SOCK_SEQPACKET = 5,
        SOCK_DCCP = 6,
        SOCK_PACKET = 10,
    }
}

/// `SOCK_MAX`: types at or above it are EINVAL.
pub const SOCK_MAX: i32 = 11;
/// The type bits of socket(2)'s `type`; the rest are flags.
pub const SOCK_TYPE_MASK: i32 = 0xf;
/// `SOCK_NONBLOCK` (`O_NONBLOCK` on x86-64).
pub const SOCK_NONBLOCK: i32 = 0o4000;
/// `SOCK_CLOEXEC` (`O_CLOEXEC`).
pub const SOCK_CLOEXEC: i32 = 0o2000000;

/// `MSG_*` flags of send and receive calls.
pub const MSG_OOB: u32 = 0x1;
pub const MSG_PEEK: u32 = 0x2;
pub const MSG_DONTROUTE: u32 = 0x4;
pub const MSG_CTRUNC: u32 = 0x8;
pub const MSG_PROBE: u32 = 0x10;
pub const MSG_TRUNC: u32 = 0x20;
pub const MSG_DONTWAIT: u32 = 0x40;
pub const MSG_EOR: u32 = 0x80;
pub const MSG_WAITALL: u32 = 0x100;
pub const MSG_FIN: u32 = 0x200;
pub const MSG_SYN: u32 = 0x400;
pub const MSG_CONFIRM: u32 = 0x800;
pub const MSG_RST: u32 = 0x1000;
pub const MSG_ERRQUEUE: u32 = 0x2000;
pub const MSG_NOSIGNAL: u32 = 0x4000;
pub const MSG_MORE: u32 = 0x8000;
pub const MSG_WAITFORONE: u32 = 0x10000;
pub const MSG_BATCH: u32 = 0x40000;
pub const MSG_ZEROCOPY: u32 = 0x400_0000;
pub const MSG_FASTOPEN: u32 = 0x2000_0000;
pub const MSG_CMSG_CLOEXEC: u32 = 0x4000_0000;
/// Refused by the 64-bit calls (EINVAL).
pub const MSG_CMSG_COMPAT: u32 = 0x8000_0000;

/// shutdown(2)'s `how`.
pub const SHUT_RD: i32 = 0;
pub const SHUT_WR: i32 = 1;
pub const SHUT_RDWR: i32 = 2;

/// The socket level of get/setsockopt and control messages.
pub const SOL_SOCKET: i32 = 1;

named_consts! {
    /// The name of a `SOL_SOCKET` option, "SO_TYPE" (x86-64 numbers).
    pub fn option_name(i32) {
        SO_DEBUG = 1,
        SO_REUSEADDR = 2,
        SO_TYPE = 3,
        SO_ERROR = 4,
        SO_DONTROUTE = 5,
        SO_BROADCAST = 6,
        SO_SNDBUF = 7,
        SO_RCVBUF = 8,
        SO_KEEPALIVE = 9,
        SO_OOBINLINE = 10,
        SO_NO_CHECK = 11,
        SO_PRIORITY = 12,
        SO_LINGER = 13,
        SO_BSDCOMPAT = 14,
        SO_REUSEPORT = 15,
        SO_PASSCRED = 16,
        SO_PEERCRED = 17,
        SO_RCVLOWAT = 18,
        SO_SNDLOWAT = 19,
        SO_RCVTIMEO_OLD = 20,
        SO_SNDTIMEO_OLD = 21,
        SO_PEERNAME = 28,
        SO_TIMESTAMP_OLD = 29,
        SO_ACCEPTCONN = 30,
        SO_PEERSEC = 31,
        SO_SNDBUFFORCE = 32,
        SO_RCVBUFFORCE = 33,
        SO_PASSSEC = 34,
        SO_MARK = 36,
        SO_PROTOCOL = 38,
        SO_DOMAIN = 39,
        SO_PEEK_OFF = 42,
        SO_RCVTIMEO_NEW = 66,
        SO_SNDTIMEO_NEW = 67,
    }
}

/// glibc's names for the `timeval` forms of the timeouts.
pub const SO_RCVTIMEO: i32 = SO_RCVTIMEO_OLD;
pub const SO_SNDTIMEO: i32 = SO_SNDTIMEO_OLD;

/// `SOL_SOCKET` control message types.
pub const SCM_RIGHTS: i32 = 1;
pub const SCM_CREDENTIALS: i32 = 2;
/// The most descriptors one message may carry (`SCM_MAX_FD`).
pub const SCM_MAX_FD: usize = 253;

/// `SIOCINQ` is `FIONREAD`; `SIOCOUTQ` is `TIOCOUTQ`.
pub const SIOCINQ: u64 = crate::ioctl::FIONREAD;
pub const SIOCOUTQ: u64 = crate::ioctl::TIOCOUTQ;

/// `offsetof(struct sockaddr_un, sun_path)`.
pub const SUN_PATH_OFFSET: usize = 2;
/// `sizeof(struct sockaddr_un)`.
pub const SOCKADDR_UN_SIZE: usize = 110;
/// `sizeof(struct sockaddr_storage)`: the most an address argument may be.
pub const SOCKADDR_STORAGE_SIZE: usize = 128;

/// `sizeof(struct sockaddr_in)`.
pub const SOCKADDR_IN_SIZE: usize = 16;
/// `sizeof(struct sockaddr_in6)`.
pub const SOCKADDR_IN6_SIZE: usize = 28;
/// The size of RFC 2133's `sockaddr_in6`, without `sin6_scope_id`: the
/// least an AF_INET6 address may be.
pub const SIN6_LEN_RFC2133: usize = 24;

named_consts! {
    /// The name of an IP protocol, "IPPROTO_TCP" (<netinet/in.h>).
    pub fn ipproto_name(i32) {
        IPPROTO_IP = 0,
        IPPROTO_ICMP = 1,
        IPPROTO_TCP = 6,
        IPPROTO_UDP = 17,
        IPPROTO_IPV6 = 41,
        IPPROTO_ICMPV6 = 58,
        IPPROTO_UDPLITE = 136,
        IPPROTO_SCTP = 132,
        IPPROTO_RAW = 255,
    }
}

/// The option levels of the IP protocols: their protocol numbers.
pub const SOL_IP: i32 = IPPROTO_IP;
pub const SOL_TCP: i32 = IPPROTO_TCP;
pub const SOL_UDP: i32 = IPPROTO_UDP;
pub const SOL_IPV6: i32 = IPPROTO_IPV6;
pub const SOL_UDPLITE: i32 = IPPROTO_UDPLITE;

/// `IPPROTO_UDPLITE` options (<linux/udp.h>).
pub const UDPLITE_SEND_CSCOV: i32 = 10;
pub const UDPLITE_RECV_CSCOV: i32 = 11;

/// `IPPROTO_IP` options (<linux/in.h>).
pub const IP_TOS: i32 = 1;
pub const IP_TTL: i32 = 2;
pub const IP_HDRINCL: i32 = 3;
pub const IP_OPTIONS: i32 = 4;
pub const IP_RECVOPTS: i32 = 6;
pub const IP_PKTINFO: i32 = 8;
pub const IP_MTU_DISCOVER: i32 = 10;
pub const IP_RECVERR: i32 = 11;
pub const IP_RECVTTL: i32 = 12;
pub const IP_RECVTOS: i32 = 13;
pub const IP_MTU: i32 = 14;
pub const IP_FREEBIND: i32 = 15;
pub const IP_BIND_ADDRESS_NO_PORT: i32 = 24;
pub const IP_MULTICAST_TTL: i32 = 33;
pub const IP_MULTICAST_LOOP: i32 = 34;

/// `IPPROTO_IPV6` options (<linux/in6.h>).
pub const IPV6_UNICAST_HOPS: i32 = 16;
pub const IPV6_MULTICAST_HOPS: i32 = 18;
pub const IPV6_MULTICAST_LOOP: i32 = 19;
pub const IPV6_V6ONLY: i32 = 26;
pub const IPV6_RECVPKTINFO: i32 = 49;
/// The control message `IPV6_RECVPKTINFO` asks for.
pub const IPV6_PKTINFO: i32 = 50;
pub const IPV6_RECVHOPLIMIT: i32 = 51;
pub const IPV6_HOPLIMIT: i32 = 52;
pub const IPV6_RECVTCLASS: i32 = 66;
pub const IPV6_TCLASS: i32 = 67;

/// `IPPROTO_TCP` options (<linux/tcp.h>).
pub const TCP_NODELAY: i32 = 1;
pub const TCP_MAXSEG: i32 = 2;
pub const TCP_CORK: i32 = 3;
pub const TCP_KEEPIDLE: i32 = 4;
pub const TCP_KEEPINTVL: i32 = 5;
pub const TCP_KEEPCNT: i32 = 6;
pub const TCP_SYNCNT: i32 = 7;
pub const TCP_LINGER2: i32 = 8;
pub const TCP_DEFER_ACCEPT: i32 = 9;
pub const TCP_WINDOW_CLAMP: i32 = 10;
pub const TCP_INFO: i32 = 11;
pub const TCP_QUICKACK: i32 = 12;
pub const TCP_CONGESTION: i32 = 13;
pub const TCP_USER_TIMEOUT: i32 = 18;
pub const TCP_NOTSENT_LOWAT: i32 = 25;

/// `tcp_info.tcpi_state` values (<netinet/tcp.h>'s `TCP_ESTABLISHED` ...).
pub const TCP_ESTABLISHED: u8 = 1;
pub const TCP_SYN_SENT: u8 = 2;
pub const TCP_CLOSE: u8 = 7;
pub const TCP_CLOSE_WAIT: u8 = 8;
pub const TCP_LISTEN: u8 = 10;

/// Interface requests of any socket (<linux/sockios.h>).
pub const SIOCGIFNAME: u64 = 0x8910;
pub const SIOCGIFCONF: u64 = 0x8912;
pub const SIOCGIFFLAGS: u64 = 0x8913;
pub const SIOCGIFADDR: u64 = 0x8915;
pub const SIOCGIFBRDADDR: u64 = 0x8919;
pub const SIOCGIFNETMASK: u64 = 0x891b;
pub const SIOCGIFMTU: u64 = 0x8921;
pub const SIOCGIFHWADDR: u64 = 0x8927;
pub const SIOCGIFINDEX: u64 = 0x8933;
pub const SIOCGIFTXQLEN: u64 = 0x8942;
/// `sizeof(struct ifreq)`: a name of `IFNAMSIZ` bytes, then a union.
pub const IFREQ_SIZE: usize = 40;
pub const IFNAMSIZ: usize = 16;
/// Interface flags (<net/if.h>).
pub const IFF_UP: u16 = 0x1;
pub const IFF_LOOPBACK: u16 = 0x8;
pub const IFF_RUNNING: u16 = 0x40;

/// Netlink (<linux/netlink.h>): the routing protocol, its option level
/// and options, `sizeof(struct sockaddr_nl)`, the message header.
pub const NETLINK_ROUTE: i32 = 0;
pub const SOL_NETLINK: i32 = 270;
pub const NETLINK_EXT_ACK: i32 = 11;
pub const NETLINK_GET_STRICT_CHK: i32 = 12;
pub const SOCKADDR_NL_SIZE: usize = 12;
pub const NLMSG_HDRLEN: usize = 16;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
/// The first type of a protocol's own messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;
pub const NLM_F_REQUEST: u16 = 1;
pub const NLM_F_MULTI: u16 = 2;
pub const NLM_F_ACK: u16 = 4;
pub const NLM_F_DUMP: u16 = 0x300;

/// Routing messages and attributes (<linux/rtnetlink.h>,
/// <linux/if_link.h>, <linux/if_addr.h>).
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_GETADDR: u16 = 22;
pub const IFLA_ADDRESS: u16 = 1;
pub const IFLA_BROADCAST: u16 = 2;
pub const IFLA_IFNAME: u16 = 3;
pub const IFLA_MTU: u16 = 4;
pub const IFLA_TXQLEN: u16 = 13;
pub const IFLA_OPERSTATE: u16 = 16;
pub const IFA_ADDRESS: u16 = 1;
pub const IFA_LOCAL: u16 = 2;
pub const IFA_LABEL: u16 = 3;
pub const IFA_F_PERMANENT: u8 = 0x80;
pub const RT_SCOPE_HOST: u8 = 254;
/// `IF_OPER_UNKNOWN`, what `lo` reports.
pub const IF_OPER_UNKNOWN: u8 = 0;

/// `CMSG_ALIGN`: control messages are aligned to `size_t`.
pub const fn cmsg_align(len: usize) -> usize {
    (len + 7) & !7
}

/// `CMSG_LEN(n)`: a header and `n` bytes of data.
pub const fn cmsg_len(n: usize) -> usize {
    CMSGHDR_SIZE + n
}

/// `CMSG_SPACE(n)`: the room a message of `n` data bytes takes.
pub const fn cmsg_space(n: usize) -> usize {
    CMSGHDR_SIZE + cmsg_align(n)
}

/// `sizeof(struct cmsghdr)`.
pub const CMSGHDR_SIZE: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel_headers::{compare, run_c};

    /// The values glibc's headers give (they copy Linux's).
    #[test]
    fn constants_match_headers() {
        let mut v: Vec<(&str, i64)> = Vec::new();
        for f in 0..AF_MAX {
            if let Some(n) = family_name(f) {
                v.push((n, i64::from(f)));
            }
        }
        for t in 0..SOCK_MAX {
            if let Some(n) = type_name(t) {
                v.push((n, i64::from(t)));
            }
        }
        for o in 0..100 {
            if let Some(n) = option_name(o) {
                v.push((n, i64::from(o)));
            }
        }
        for (n, x) in [
            ("MSG_OOB", MSG_OOB),
            ("MSG_PEEK", MSG_PEEK),
            ("MSG_DONTROUTE", MSG_DONTROUTE),
            ("MSG_CTRUNC", MSG_CTRUNC),
            ("MSG_PROBE", MSG_PROBE),
            ("MSG_TRUNC", MSG_TRUNC),
            ("MSG_DONTWAIT", MSG_DONTWAIT),
            ("MSG_EOR", MSG_EOR),
            ("MSG_WAITALL", MSG_WAITALL),
            ("MSG_FIN", MSG_FIN),
            ("MSG_SYN", MSG_SYN),
            ("MSG_CONFIRM", MSG_CONFIRM),
            ("MSG_RST", MSG_RST),
            ("MSG_ERRQUEUE", MSG_ERRQUEUE),
            ("MSG_NOSIGNAL", MSG_NOSIGNAL),
            ("MSG_MORE", MSG_MORE),
            ("MSG_WAITFORONE", MSG_WAITFORONE),
            ("MSG_BATCH", MSG_BATCH),
            ("MSG_ZEROCOPY", MSG_ZEROCOPY),
            ("MSG_FASTOPEN", MSG_FASTOPEN),
            ("MSG_CMSG_CLOEXEC", MSG_CMSG_CLOEXEC),
        ] {
            v.push((n, i64::from(x)));
        }
        for (n, x) in [
            ("AF_MAX", AF_MAX),
            ("AF_LOCAL", AF_LOCAL),
            ("SOCK_NONBLOCK", SOCK_NONBLOCK),
            ("SOCK_CLOEXEC", SOCK_CLOEXEC),
            ("SHUT_RD", SHUT_RD),
            ("SHUT_WR", SHUT_WR),
            ("SHUT_RDWR", SHUT_RDWR),
            ("SOL_SOCKET", SOL_SOCKET),
            ("SO_RCVTIMEO", SO_RCVTIMEO),
            ("SO_SNDTIMEO", SO_SNDTIMEO),
            ("SCM_RIGHTS", SCM_RIGHTS),
            ("SCM_CREDENTIALS", SCM_CREDENTIALS),
        ] {
            v.push((n, i64::from(x)));
        }
        for p in 0..256 {
            if let Some(n) = ipproto_name(p) {
                v.push((n, i64::from(p)));
            }
        }
        for (n, x) in [
            ("IP_TOS", IP_TOS),
            ("IP_TTL", IP_TTL),
            ("IP_PKTINFO", IP_PKTINFO),
            ("IP_MTU_DISCOVER", IP_MTU_DISCOVER),
            ("IP_RECVERR", IP_RECVERR),
            ("IP_MTU", IP_MTU),
            ("IP_FREEBIND", IP_FREEBIND),
            ("IP_BIND_ADDRESS_NO_PORT", IP_BIND_ADDRESS_NO_PORT),
            ("IP_MULTICAST_TTL", IP_MULTICAST_TTL),
            ("IP_MULTICAST_LOOP", IP_MULTICAST_LOOP),
            ("IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS),
            ("IPV6_MULTICAST_HOPS", IPV6_MULTICAST_HOPS),
            ("IPV6_V6ONLY", IPV6_V6ONLY),
            ("IPV6_RECVPKTINFO", IPV6_RECVPKTINFO),
            ("IPV6_PKTINFO", IPV6_PKTINFO),
            ("IPV6_TCLASS", IPV6_TCLASS),
            ("IPV6_RECVHOPLIMIT", IPV6_RECVHOPLIMIT),
            ("IPV6_HOPLIMIT", IPV6_HOPLIMIT),
            ("IPV6_RECVTCLASS", IPV6_RECVTCLASS),
            ("IP_RECVTTL", IP_RECVTTL),
            ("IP_RECVTOS", IP_RECVTOS),
            ("UDPLITE_SEND_CSCOV", UDPLITE_SEND_CSCOV),
            ("UDPLITE_RECV_CSCOV", UDPLITE_RECV_CSCOV),
            ("SOL_UDPLITE", SOL_UDPLITE),
            ("TCP_NODELAY", TCP_NODELAY),
            ("TCP_MAXSEG", TCP_MAXSEG),
            ("TCP_CORK", TCP_CORK),
            ("TCP_KEEPIDLE", TCP_KEEPIDLE),
            ("TCP_KEEPINTVL", TCP_KEEPINTVL),
            ("TCP_KEEPCNT", TCP_KEEPCNT),
            ("TCP_SYNCNT", TCP_SYNCNT),
            ("TCP_LINGER2", TCP_LINGER2),
            ("TCP_DEFER_ACCEPT", TCP_DEFER_ACCEPT),
            ("TCP_WINDOW_CLAMP", TCP_WINDOW_CLAMP),
            ("TCP_INFO", TCP_INFO),
            ("TCP_QUICKACK", TCP_QUICKACK),
            ("TCP_CONGESTION", TCP_CONGESTION),
            ("TCP_USER_TIMEOUT", TCP_USER_TIMEOUT),
            ("TCP_NOTSENT_LOWAT", TCP_NOTSENT_LOWAT),
            ("SOL_IP", SOL_IP),
            ("SOL_TCP", SOL_TCP),
            ("SOL_UDP", SOL_UDP),
            ("SOL_IPV6", SOL_IPV6),
        ] {
            v.push((n, i64::from(x)));
        }
        for (n, x) in [
            ("TCP_ESTABLISHED", TCP_ESTABLISHED),
            ("TCP_SYN_SENT", TCP_SYN_SENT),
            ("TCP_CLOSE", TCP_CLOSE),
            ("TCP_CLOSE_WAIT", TCP_CLOSE_WAIT),
            ("TCP_LISTEN", TCP_LISTEN),
        ] {
            v.push((n, i64::from(x)));
        }
        for (n, x) in [
            ("IFF_UP", IFF_UP),
            ("IFF_LOOPBACK", IFF_LOOPBACK),
            ("IFF_RUNNING", IFF_RUNNING),
        ] {
            v.push((n, i64::from(x)));
        }
        for (n, x) in [
            ("SIOCGIFNAME", SIOCGIFNAME),
            ("SIOCGIFCONF", SIOCGIFCONF),
            ("SIOCGIFFLAGS", SIOCGIFFLAGS),
            ("SIOCGIFADDR", SIOCGIFADDR),
            ("SIOCGIFBRDADDR", SIOCGIFBRDADDR),
            ("SIOCGIFNETMASK", SIOCGIFNETMASK),
            ("SIOCGIFMTU", SIOCGIFMTU),
            ("SIOCGIFHWADDR", SIOCGIFHWADDR),
            ("SIOCGIFINDEX", SIOCGIFINDEX),
            ("SIOCGIFTXQLEN", SIOCGIFTXQLEN),
        ] {
            v.push((n, i64::try_from(x).expect("small")));
        }
        for (n, x) in [("SIOCINQ", SIOCINQ), ("SIOCOUTQ", SIOCOUTQ)] {
            v.push((n, i64::try_from(x).expect("small")));
        }
        for (n, x) in [
            ("CMSG_LEN(12)", cmsg_len(12)),
            ("CMSG_SPACE(12)", cmsg_space(12)),
            ("CMSG_SPACE(4)", cmsg_space(4)),
            ("CMSG_ALIGN(13)", cmsg_align(13)),
            ("sizeof(struct cmsghdr)", CMSGHDR_SIZE),
            ("sizeof(struct sockaddr_un)", SOCKADDR_UN_SIZE),
            ("sizeof(struct sockaddr_storage)", SOCKADDR_STORAGE_SIZE),
            ("offsetof(struct sockaddr_un, sun_path)", SUN_PATH_OFFSET),
            ("sizeof(struct sockaddr_in)", SOCKADDR_IN_SIZE),
            ("sizeof(struct sockaddr_in6)", SOCKADDR_IN6_SIZE),
            ("sizeof(struct ifreq)", IFREQ_SIZE),
            ("IFNAMSIZ", IFNAMSIZ),
            ("sizeof(struct sockaddr_nl)", SOCKADDR_NL_SIZE),
            ("NLMSG_HDRLEN", NLMSG_HDRLEN),
        ] {
            v.push((n, i64::try_from(x).expect("small")));
        }
        let mut program = String::from(
            "#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n\
             #include <sys/socket.h>\n#include <sys/un.h>\n#include <sys/ioctl.h>\n#include <linux/sockios.h>\n\
             #include <netinet/in.h>\n#include <netinet/tcp.h>\n#include <net/if.h>\n\
             #include <linux/netlink.h>\n#include <linux/rtnetlink.h>\n#include <linux/udp.h>\n\
             int main(void) {\n",
        );
        for (name, _) in &v {
            // Expressions are always present; names only when defined.
            if name.contains('(') {
                program.push_str(&format!("  printf(\"%lld\\n\", (long long)({name}));\n"));
            } else {
                program.push_str(&format!(
                    "#ifdef {name}\n  printf(\"%lld\\n\", (long long)({name}));\n#else\n  \
                     puts(\"absent\");\n#endif\n"
                ));
            }
        }
        program.push_str("  return 0;\n}\n");
        let Some(out) = run_c("socket_consts", &program) else {
            return;
        };
        compare(
            v.iter().map(|(n, x)| ((*n).to_string(), x.to_string())),
            &out,
        );
    }
}
