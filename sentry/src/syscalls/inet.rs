//! The AF_INET and AF_INET6 side of the socket calls (`socket.rs` and
//! `sockmsg.rs` dispatch here): which sockets socket(2) makes, address
//! arguments with Linux's checks in its order, connect's waiting, and
//! the options of `SOL_IP`, `SOL_IPV6`, `SOL_TCP`, `SOL_UDP` and
//! `SOL_UDPLITE`.

use std::net::SocketAddr;
use std::sync::Arc;

use abi::socket::*;
use abi::Errno;

use super::socket::wait;
use crate::creds::CAP_NET_BIND_SERVICE;
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::net::inet::tcp::{Connecting, Tcp, TcpOptions};
use crate::net::inet::udp::{PacketMeta, SendMeta, Udp};
use crate::net::inet::{self, Domain, Given, IpOptions, PRIVILEGED_BELOW};
use crate::net::{Family, Timeout};

/// `IPPROTO_MAX`: protocols at or above it are `EINVAL`.
const IPPROTO_MAX: i32 = 263;
/// `UDP_CORK`, the one `SOL_UDP` option kept besides UDP-Lite's.
const UDP_CORK: i32 = 1;
/// `TCP_MIN_MSS` and `MAX_TCP_WINDOW`: `TCP_MAXSEG`'s limits.
const TCP_MIN_MSS: i32 = 88;
const MAX_TCP_WINDOW: i32 = 32767;
/// `MAX_TCP_KEEPIDLE`, `MAX_TCP_KEEPINTVL`, `MAX_TCP_KEEPCNT`,
/// `MAX_TCP_SYNCNT`.
const MAX_TCP_KEEPIDLE: i32 = 32767;
const MAX_TCP_KEEPCNT: i32 = 127;
/// `TCP_FIN_TIMEOUT_MAX` in seconds.
const TCP_FIN_TIMEOUT_MAX: i32 = 120;
/// `IP_PMTUDISC_OMIT`, the largest `IP_MTU_DISCOVER`.
const IP_PMTUDISC_OMIT: i32 = 5;
/// The congestion controls the sandbox answers to.
const CONGESTION: [&[u8]; 2] = [b"cubic", b"reno"];

fn domain_of(family: i32) -> Domain {
    if family == AF_INET6 {
        Domain::V6
    } else {
        Domain::V4
    }
}

/// socket(2) for `family` AF_INET or AF_INET6, with Linux's
/// `inet_create` checks: a protocol out of range is `EINVAL`, a type
/// with no protocols `ESOCKTNOSUPPORT`, a protocol the type lacks
/// `EPROTONOSUPPORT`. Raw sockets answer `EPERM`, as to a process
/// without `CAP_NET_RAW`, and ICMP datagram ("ping") sockets `EACCES`, as
/// with Linux's default `ping_group_range` (docs/compatibility.md).
pub(super) fn create(t: &Task, family: i32, ty: i32, protocol: i32) -> Result<Family, Errno> {
    if !(0..IPPROTO_MAX).contains(&protocol) {
        return Err(Errno::EINVAL);
    }
    let domain = domain_of(family);
    let owner = (t.creds.fsuid, t.creds.fsgid);
    let ping = if domain == Domain::V4 {
        IPPROTO_ICMP
    } else {
        IPPROTO_ICMPV6
    };
    match ty {
        SOCK_STREAM => match protocol {
            0 | IPPROTO_TCP => Ok(Family::Tcp(Tcp::new(domain, &t.kernel.inet, owner))),
            _ => Err(Errno::EPROTONOSUPPORT),
        },
        SOCK_DGRAM => match protocol {
            0 | IPPROTO_UDP => Ok(Family::Udp(Udp::new(domain, &t.kernel.inet, owner, false))),
            IPPROTO_UDPLITE => Ok(Family::Udp(Udp::new(domain, &t.kernel.inet, owner, true))),
            p if p == ping => Err(Errno::EACCES),
            _ => Err(Errno::EPROTONOSUPPORT),
        },
        SOCK_RAW => Err(Errno::EPERM),
        _ => Err(Errno::ESOCKTNOSUPPORT),
    }
}

/// The address bytes of `addr` as a socket of `domain` reports it.
pub(super) fn name(domain: Domain, addr: SocketAddr) -> Vec<u8> {
    inet::sockaddr(domain, addr)
}

/// bind(2). Linux's order: for AF_INET the address must be `lo`'s
/// before the port's privilege is looked at; AF_INET6 looks at the
/// privilege first.
pub(super) fn bind(t: &Task, fam: &Family, raw: &[u8]) -> Result<(), Errno> {
    let domain = match fam {
        Family::Tcp(s) => s.domain(),
        Family::Udp(s) => s.domain(),
        Family::Unix(_) | Family::Netlink(_) => unreachable!("inet only"),
    };
    let addr = inet::parse_for(domain, raw)?;
    if domain == Domain::V4 {
        inet::check_bindable(addr.ip())?;
    }
    if addr.port() != 0 && addr.port() < PRIVILEGED_BELOW && !t.creds.has_cap(CAP_NET_BIND_SERVICE)
    {
        return Err(Errno::EACCES);
    }
    if domain == Domain::V6
        && matches!(addr.ip(), std::net::IpAddr::V6(ip) if ip.is_multicast())
        && matches!(fam, Family::Tcp(_))
    {
        return Err(Errno::EINVAL);
    }
    match fam {
        Family::Tcp(s) => s.bind(addr),
        Family::Udp(s) => s.bind(addr),
        Family::Unix(_) | Family::Netlink(_) => unreachable!("inet only"),
    }
}

/// connect(2). `AF_UNSPEC` disconnects; a TCP connect that cannot finish
/// at once is `EINPROGRESS` when non-blocking, and otherwise waits (a
/// timeout from `SO_SNDTIMEO` leaves it in progress).
pub(super) fn connect(
    t: &Task,
    f: &FileDescription,
    fam: &Family,
    raw: &[u8],
) -> Result<(), Errno> {
    if raw.len() < 2 {
        return Err(Errno::EINVAL);
    }
    match fam {
        Family::Tcp(s) => {
            if inet::parse(raw)? == Given::Unspec {
                return s.shutdown(SHUT_RDWR).or(Ok(()));
            }
            let dst = inet::parse_for(s.domain(), raw)?;
            let nonblocking = f.nonblocking();
            if s.connect(dst, nonblocking)? == Connecting::Done {
                return Ok(());
            }
            if nonblocking {
                return Err(Errno::EINPROGRESS);
            }
            let timeout = s.endpoint().with_options(|o| o.sndtimeo);
            match wait(t, s.endpoint().queue(), false, timeout, || {
                s.connect_result()
            }) {
                Err(Errno::EAGAIN) => Err(Errno::EINPROGRESS),
                r => r,
            }
        }
        Family::Udp(s) => {
            let dst = match (s.domain(), inet::parse(raw)) {
                (_, Ok(Given::Unspec)) => None,
                (Domain::V6, Ok(Given::V4(a))) => Some(a),
                (Domain::V6, Err(e)) if family_is(raw, AF_INET) => return Err(e),
                (d, _) => Some(inet::parse_for(d, raw)?),
            };
            s.connect(dst)
        }
        Family::Unix(_) | Family::Netlink(_) => unreachable!("inet only"),
    }
}

fn family_is(raw: &[u8], family: i32) -> bool {
    matches!(raw, [a, b, ..] if i32::from(u16::from_ne_bytes([*a, *b])) == family)
}

/// A destination given to sendto or sendmsg on a UDP socket (Linux's
/// `udp_sendmsg` and `udpv6_sendmsg` checks): `None` for none given
/// (or, on AF_INET6, `AF_UNSPEC`).
pub(super) fn udp_destination(s: &Udp, raw: &[u8]) -> Result<Option<SocketAddr>, Errno> {
    match s.domain() {
        Domain::V4 => {
            if raw.len() < SOCKADDR_IN_SIZE {
                return Err(Errno::EINVAL);
            }
            match inet::parse(raw)? {
                // An AF_UNSPEC address is read as AF_INET.
                Given::V4(a) | Given::V6(a) if family_is(raw, AF_INET) => Ok(Some(a)),
                Given::Unspec => {
                    let mut v = raw.to_vec();
                    v[..2].copy_from_slice(&u16::try_from(AF_INET).expect("small").to_ne_bytes());
                    inet::parse_for(Domain::V4, &v).map(Some)
                }
                _ => Err(Errno::EAFNOSUPPORT),
            }
        }
        Domain::V6 => match inet::parse(raw) {
            Ok(Given::Unspec) => Ok(None),
            Ok(Given::V4(a) | Given::V6(a)) => Ok(Some(a)),
            Err(Errno::EAFNOSUPPORT) => Err(Errno::EINVAL),
            Err(e) => Err(e),
        },
    }
}

/// What a UDP send's control messages ask of its datagram (Linux's
/// `ip_cmsg_send` for AF_INET, `ip6_datagram_send_ctl` for AF_INET6):
/// the hop limit and class, each an int (`IP_TOS` may be one byte);
/// an `IPV6_HOPLIMIT` of -1 is the socket's; a value out of range or a wrong
/// length is `EINVAL`. Other levels' and types' messages are passed
/// over.
pub(super) fn udp_send_meta(
    domain: Domain,
    cmsgs: &[(i32, i32, Vec<u8>)],
) -> Result<SendMeta, Errno> {
    let mut ask = SendMeta::default();
    for (level, ty, data) in cmsgs {
        let int = || -> Result<i32, Errno> {
            let b: [u8; 4] = data.as_slice().try_into().map_err(|_| Errno::EINVAL)?;
            Ok(i32::from_ne_bytes(b))
        };
        let byte = |v: i32, min: i32| {
            u8::try_from(v)
                .ok()
                .filter(|_| v >= min)
                .ok_or(Errno::EINVAL)
        };
        match (domain, *level, *ty) {
            (Domain::V4, SOL_IP, IP_TTL) => ask.hops = Some(byte(int()?, 1)?),
            (Domain::V4, SOL_IP, IP_TOS) => {
                let v = match data.as_slice() {
                    [b] => i32::from(*b),
                    _ => int()?,
                };
                ask.tclass = Some(byte(v, 0)?);
            }
            (Domain::V6, SOL_IPV6, IPV6_HOPLIMIT) => {
                let v = int()?;
                ask.hops = if v == -1 { None } else { Some(byte(v, 0)?) };
            }
            // Linux starts from the socket's class, and a -1 given goes
            // into the header as 0xff.
            (Domain::V6, SOL_IPV6, IPV6_TCLASS) => {
                let v = int()?;
                ask.tclass = Some(if v == -1 { u8::MAX } else { byte(v, 0)? });
            }
            _ => {}
        }
    }
    Ok(ask)
}

/// `struct in6_pktinfo` of a datagram for `dst`, which came in on `lo`.
fn in6_pktinfo(dst: std::net::Ipv6Addr) -> Vec<u8> {
    let mut v = dst.octets().to_vec();
    v.extend_from_slice(&crate::net::inet::iface::INDEX.to_ne_bytes());
    v
}

/// The control messages a UDP socket's receive reports of a datagram
/// that came over IPv4 (`v4`) or IPv6 with `meta`, as its options ask
/// and in Linux's order: an AF_INET6 socket's `IPV6_PKTINFO` first (the
/// address mapped for IPv4), then `IP_PKTINFO`, `IP_TTL` (an int) and
/// `IP_TOS` (a byte), or `IPV6_HOPLIMIT` and `IPV6_TCLASS` (ints).
pub(super) fn udp_cmsgs(s: &Udp, v4: bool, meta: PacketMeta) -> Vec<(i32, i32, Vec<u8>)> {
    let o = s.with_ip_options(|o| o.clone());
    let int = |v: u8| i32::from(v).to_ne_bytes().to_vec();
    let mut out = Vec::new();
    let dst6 = match meta.dst {
        std::net::IpAddr::V4(a) => a.to_ipv6_mapped(),
        std::net::IpAddr::V6(a) => a,
    };
    if o.recvpktinfo6 && s.domain() == Domain::V6 {
        out.push((SOL_IPV6, IPV6_PKTINFO, in6_pktinfo(dst6)));
    }
    if v4 {
        if o.pktinfo {
            // `struct in_pktinfo`: the interface, the local address the
            // datagram reached (`ipi_spec_dst`) and its destination.
            let dst4 = match meta.dst {
                std::net::IpAddr::V4(a) => a,
                std::net::IpAddr::V6(a) => a
                    .to_ipv4_mapped()
                    .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
            };
            let mut v = crate::net::inet::iface::INDEX.to_ne_bytes().to_vec();
            v.extend_from_slice(&dst4.octets());
            v.extend_from_slice(&dst4.octets());
            out.push((SOL_IP, IP_PKTINFO, v));
        }
        if o.recvttl {
            out.push((SOL_IP, IP_TTL, int(meta.hops)));
        }
        if o.recvtos {
            out.push((SOL_IP, IP_TOS, vec![meta.tclass]));
        }
    } else {
        if o.recvhoplimit {
            out.push((SOL_IPV6, IPV6_HOPLIMIT, int(meta.hops)));
        }
        if o.recvtclass {
            out.push((SOL_IPV6, IPV6_TCLASS, int(meta.tclass)));
        }
    }
    out
}

/// accept(2) on a TCP listener: waits for a connection unless
/// non-blocking; `EINVAL` when not listening.
pub(super) fn accept(t: &Task, f: &FileDescription, s: &Arc<Tcp>) -> Result<Arc<Tcp>, Errno> {
    let nonblocking = f.nonblocking();
    let timeout: Timeout = s.endpoint().with_options(|o| o.rcvtimeo);
    wait(t, s.endpoint().queue(), nonblocking, timeout, || s.accept())
}

/// An int option's value: 4 bytes at least (`EINVAL`), or for the
/// `SOL_IP` options that take one, a single byte.
fn read_int(t: &Task, optval: u64, optlen: usize, byte_ok: bool) -> Result<i32, Errno> {
    if optlen >= 4 {
        return t.mm.read_obj(optval);
    }
    if byte_ok && optlen >= 1 {
        let b: u8 = t.mm.read_obj(optval)?;
        return Ok(i32::from(b));
    }
    Err(Errno::EINVAL)
}

fn ip_options<T>(fam: &Family, f: impl FnOnce(&mut IpOptions) -> T) -> T {
    match fam {
        Family::Tcp(s) => s.with_ip_options(f),
        Family::Udp(s) => s.with_ip_options(f),
        Family::Unix(_) | Family::Netlink(_) => unreachable!("inet only"),
    }
}

fn domain(fam: &Family) -> Domain {
    match fam {
        Family::Tcp(s) => s.domain(),
        Family::Udp(s) => s.domain(),
        Family::Unix(_) | Family::Netlink(_) => unreachable!("inet only"),
    }
}

fn is_bound(fam: &Family) -> bool {
    match fam {
        Family::Tcp(s) => s.is_bound(),
        Family::Udp(s) => s.is_bound(),
        Family::Unix(_) | Family::Netlink(_) => false,
    }
}

/// Linux's `secs_to_retrans` (TCP_DEFER_ACCEPT is kept as retransmits
/// of a one-second initial timeout, doubling to at most 120).
fn secs_to_retrans(secs: i32) -> i32 {
    if secs <= 0 {
        return 0;
    }
    let (mut res, mut timeout, mut period) = (1, 1, 1);
    while secs > period && res < 255 {
        res += 1;
        timeout = (timeout * 2).min(120);
        period += timeout;
    }
    res
}

fn retrans_to_secs(retrans: i32) -> i32 {
    if retrans <= 0 {
        return 0;
    }
    let (mut timeout, mut period) = (1, 1);
    for _ in 1..retrans {
        timeout = (timeout * 2).min(120);
        period += timeout;
    }
    period
}

/// setsockopt(2) for the IP levels; a level the socket lacks is
/// `ENOPROTOOPT`, as Linux's protocol handlers pass it down to IP's.
pub(super) fn setsockopt(
    t: &Task,
    fam: &Family,
    level: i32,
    name: i32,
    optval: u64,
    optlen: usize,
) -> Result<(), Errno> {
    match (level, fam) {
        (SOL_TCP, Family::Tcp(s)) => set_tcp(t, s, name, optval, optlen),
        // Linux's `udp_lib_setsockopt` serves both levels on both
        // protocols; the coverages are UDP-Lite's alone.
        (SOL_UDP | SOL_UDPLITE, Family::Udp(s)) => {
            if !matches!(name, UDP_CORK | UDPLITE_SEND_CSCOV | UDPLITE_RECV_CSCOV) {
                return Err(Errno::ENOPROTOOPT);
            }
            // Corking only gathers what loopback delivers at once.
            let v = read_int(t, optval, optlen, false)?;
            if name != UDP_CORK {
                if !s.is_lite() {
                    return Err(Errno::ENOPROTOOPT);
                }
                s.set_cscov(name == UDPLITE_RECV_CSCOV, v);
            }
            Ok(())
        }
        (SOL_IP, _) => set_ip(t, fam, name, optval, optlen),
        (SOL_IPV6, _) if domain(fam) == Domain::V6 => set_ipv6(t, fam, name, optval, optlen),
        _ => Err(Errno::ENOPROTOOPT),
    }
}

fn set_ip(t: &Task, fam: &Family, name: i32, optval: u64, optlen: usize) -> Result<(), Errno> {
    let flag = |set: fn(&mut IpOptions, bool)| -> Result<(), Errno> {
        let v = read_int(t, optval, optlen, true)?;
        ip_options(fam, |o| set(o, v != 0));
        Ok(())
    };
    match name {
        IP_TOS => {
            let v = read_int(t, optval, optlen, true)?;
            // A stream's ECN bits are the stack's.
            let stream = matches!(fam, Family::Tcp(_));
            ip_options(fam, |o| {
                o.tos = if stream { (v & !3) | (o.tos & 3) } else { v };
            });
        }
        IP_TTL => {
            let v = read_int(t, optval, optlen, true)?;
            if v != -1 && !(1..=255).contains(&v) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.ttl = (v != -1).then_some(v));
        }
        IP_MTU_DISCOVER => {
            let v = read_int(t, optval, optlen, true)?;
            if !(0..=IP_PMTUDISC_OMIT).contains(&v) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.mtu_discover = v);
        }
        IP_MULTICAST_TTL => {
            let v = read_int(t, optval, optlen, true)?;
            if !(-1..=255).contains(&v) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.mcast_ttl = if v == -1 { 1 } else { v });
        }
        IP_RECVERR => flag(|o, on| o.recverr = on)?,
        IP_PKTINFO => flag(|o, on| o.pktinfo = on)?,
        IP_RECVTOS => flag(|o, on| o.recvtos = on)?,
        IP_RECVTTL => flag(|o, on| o.recvttl = on)?,
        IP_FREEBIND => flag(|o, on| o.freebind = on)?,
        IP_BIND_ADDRESS_NO_PORT => flag(|o, on| o.bind_no_port = on)?,
        IP_MULTICAST_LOOP => flag(|o, on| o.mcast_noloop = !on)?,
        _ => return Err(Errno::ENOPROTOOPT),
    }
    Ok(())
}

fn set_ipv6(t: &Task, fam: &Family, name: i32, optval: u64, optlen: usize) -> Result<(), Errno> {
    let v = read_int(t, optval, optlen, false)?;
    match name {
        IPV6_V6ONLY => {
            if is_bound(fam) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.v6only = v != 0);
        }
        IPV6_TCLASS => {
            if !(-1..=0xff).contains(&v) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.tclass = v.max(0));
        }
        IPV6_UNICAST_HOPS => {
            if !(-1..=255).contains(&v) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.hops = (v != -1).then_some(v));
        }
        IPV6_MULTICAST_HOPS => {
            if !(-1..=255).contains(&v) {
                return Err(Errno::EINVAL);
            }
            ip_options(fam, |o| o.mcast_ttl = if v == -1 { 1 } else { v });
        }
        IPV6_MULTICAST_LOOP => ip_options(fam, |o| o.mcast_noloop = v == 0),
        IPV6_RECVPKTINFO => ip_options(fam, |o| o.recvpktinfo6 = v != 0),
        IPV6_RECVHOPLIMIT => ip_options(fam, |o| o.recvhoplimit = v != 0),
        IPV6_RECVTCLASS => ip_options(fam, |o| o.recvtclass = v != 0),
        _ => return Err(Errno::ENOPROTOOPT),
    }
    Ok(())
}

fn set_tcp(t: &Task, s: &Tcp, name: i32, optval: u64, optlen: usize) -> Result<(), Errno> {
    if name == TCP_CONGESTION {
        let mut buf = vec![0u8; optlen.min(16)];
        t.mm.copy_in(optval, &mut buf)?;
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let want = &buf[..end];
        if !CONGESTION.contains(&want) {
            return Err(Errno::ENOENT);
        }
        s.with_tcp_options(|o| o.congestion = want.to_vec());
        return Ok(());
    }
    if name == TCP_INFO {
        return Err(Errno::ENOPROTOOPT);
    }
    let v = read_int(t, optval, optlen, false)?;
    // The counts and times kept within their ranges (EINVAL outside).
    let ranged: Option<(i32, SetTcp)> = match name {
        TCP_KEEPIDLE => Some((MAX_TCP_KEEPIDLE, |o, v| o.keepidle = v)),
        TCP_KEEPINTVL => Some((MAX_TCP_KEEPIDLE, |o, v| o.keepintvl = v)),
        TCP_KEEPCNT => Some((MAX_TCP_KEEPCNT, |o, v| o.keepcnt = v)),
        TCP_SYNCNT => Some((MAX_TCP_KEEPCNT, |o, v| o.syncnt = v)),
        _ => None,
    };
    if let Some((max, set)) = ranged {
        if !(1..=max).contains(&v) {
            return Err(Errno::EINVAL);
        }
        s.with_tcp_options(|o| set(o, v));
        return Ok(());
    }
    match name {
        TCP_NODELAY => s.with_tcp_options(|o| o.nodelay = v != 0),
        TCP_CORK => s.with_tcp_options(|o| o.cork = v != 0),
        TCP_QUICKACK => s.with_tcp_options(|o| o.quickack = v != 0),
        TCP_MAXSEG => {
            if v != 0 && !(TCP_MIN_MSS..=MAX_TCP_WINDOW).contains(&v) {
                return Err(Errno::EINVAL);
            }
            s.with_tcp_options(|o| o.maxseg = v);
        }
        TCP_LINGER2 => s.with_tcp_options(|o| {
            o.linger2 = if v < 0 {
                -1
            } else {
                v.min(TCP_FIN_TIMEOUT_MAX)
            };
        }),
        TCP_DEFER_ACCEPT => {
            s.with_tcp_options(|o| o.defer_accept = retrans_to_secs(secs_to_retrans(v)));
        }
        TCP_WINDOW_CLAMP => {
            if v < 0 {
                return Err(Errno::EINVAL);
            }
            s.with_tcp_options(|o| o.window_clamp = v);
        }
        TCP_USER_TIMEOUT => {
            if v < 0 {
                return Err(Errno::EINVAL);
            }
            s.with_tcp_options(|o| o.user_timeout = v);
        }
        TCP_NOTSENT_LOWAT => s.with_tcp_options(|o| o.notsent_lowat = v),
        _ => return Err(Errno::ENOPROTOOPT),
    }
    Ok(())
}

/// Sets one `SOL_TCP` option to a value.
type SetTcp = fn(&mut TcpOptions, i32);

/// `sizeof(struct tcp_info)` in Linux 6.x.
const TCP_INFO_SIZE: usize = 280;

/// `struct tcp_info`: the state, segment sizes and the options in use;
/// the counters loopback would keep are zero.
fn tcp_info(s: &Tcp) -> Vec<u8> {
    let mut v = vec![0u8; TCP_INFO_SIZE];
    v[0] = s.state();
    let mss = u32::try_from(s.maxseg()).unwrap_or(0);
    // tcpi_rto, tcpi_ato (microseconds), tcpi_snd_mss, tcpi_rcv_mss.
    v[8..12].copy_from_slice(&200_000u32.to_ne_bytes());
    v[16..20].copy_from_slice(&mss.to_ne_bytes());
    v[20..24].copy_from_slice(&mss.to_ne_bytes());
    v
}

/// getsockopt(2) for the IP levels: the option's bytes, before they are
/// cut to the caller's length. `SOL_IP` ints fit a short buffer as one
/// byte when they can. A level the socket lacks is `EOPNOTSUPP`.
pub(super) fn getsockopt(
    fam: &Family,
    level: i32,
    name: i32,
    len: usize,
) -> Result<Vec<u8>, Errno> {
    let int = |v: i32| v.to_ne_bytes().to_vec();
    match (level, fam) {
        (SOL_TCP, Family::Tcp(s)) => {
            let o = s.with_tcp_options(|o| o.clone());
            Ok(match name {
                TCP_NODELAY => int(i32::from(o.nodelay)),
                TCP_CORK => int(i32::from(o.cork)),
                TCP_QUICKACK => int(i32::from(o.quickack)),
                TCP_KEEPIDLE => int(o.keepidle),
                TCP_KEEPINTVL => int(o.keepintvl),
                TCP_KEEPCNT => int(o.keepcnt),
                TCP_SYNCNT => int(o.syncnt),
                TCP_MAXSEG => int(s.maxseg()),
                TCP_LINGER2 => int(o.linger2),
                TCP_DEFER_ACCEPT => int(o.defer_accept),
                TCP_WINDOW_CLAMP => int(o.window_clamp),
                TCP_USER_TIMEOUT => int(o.user_timeout),
                TCP_NOTSENT_LOWAT => int(o.notsent_lowat),
                TCP_INFO => tcp_info(s),
                TCP_CONGESTION => {
                    let mut v = o.congestion;
                    v.resize(16, 0);
                    v
                }
                _ => return Err(Errno::ENOPROTOOPT),
            })
        }
        (SOL_UDP | SOL_UDPLITE, Family::Udp(s)) => match name {
            UDP_CORK => Ok(int(0)),
            UDPLITE_SEND_CSCOV => Ok(int(i32::from(s.cscov().0))),
            UDPLITE_RECV_CSCOV => Ok(int(i32::from(s.cscov().1))),
            _ => Err(Errno::ENOPROTOOPT),
        },
        (SOL_IP, _) => {
            let o = ip_options(fam, |o| o.clone());
            let v = match name {
                IP_TOS => o.tos,
                IP_TTL => o.ttl.unwrap_or(inet::DEFAULT_TTL),
                IP_MTU_DISCOVER => o.mtu_discover,
                IP_MULTICAST_TTL => o.mcast_ttl,
                IP_RECVERR => i32::from(o.recverr),
                IP_PKTINFO => i32::from(o.pktinfo),
                IP_RECVTOS => i32::from(o.recvtos),
                IP_RECVTTL => i32::from(o.recvttl),
                IP_FREEBIND => i32::from(o.freebind),
                IP_BIND_ADDRESS_NO_PORT => i32::from(o.bind_no_port),
                IP_MULTICAST_LOOP => i32::from(!o.mcast_noloop),
                IP_MTU => {
                    let connected = match fam {
                        Family::Tcp(s) => s.is_connected(),
                        Family::Udp(s) => s.is_connected(),
                        Family::Unix(_) | Family::Netlink(_) => false,
                    };
                    if !connected {
                        return Err(Errno::ENOTCONN);
                    }
                    // lo's MTU, within IPv4's largest packet.
                    inet::iface::MTU.min(65535)
                }
                _ => return Err(Errno::ENOPROTOOPT),
            };
            if len < 4 && len > 0 && (0..=255).contains(&v) {
                return Ok(vec![u8::try_from(v).expect("checked")]);
            }
            Ok(int(v))
        }
        (SOL_IPV6, _) if domain(fam) == Domain::V6 => {
            let o = ip_options(fam, |o| o.clone());
            Ok(int(match name {
                IPV6_V6ONLY => i32::from(o.v6only),
                IPV6_TCLASS => o.tclass,
                IPV6_UNICAST_HOPS => o.hops.unwrap_or(inet::DEFAULT_TTL),
                IPV6_MULTICAST_HOPS => o.mcast_ttl,
                IPV6_MULTICAST_LOOP => i32::from(!o.mcast_noloop),
                IPV6_RECVPKTINFO => i32::from(o.recvpktinfo6),
                IPV6_RECVHOPLIMIT => i32::from(o.recvhoplimit),
                IPV6_RECVTCLASS => i32::from(o.recvtclass),
                _ => return Err(Errno::ENOPROTOOPT),
            }))
        }
        _ => Err(Errno::EOPNOTSUPP),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defer_accept_rounds_to_whole_retransmits() {
        assert_eq!(retrans_to_secs(secs_to_retrans(5)), 7);
        assert_eq!(retrans_to_secs(secs_to_retrans(1)), 1);
        assert_eq!(retrans_to_secs(secs_to_retrans(0)), 0);
    }
}
