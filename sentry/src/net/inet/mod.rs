//! AF_INET and AF_INET6 sockets over the sandbox's own loopback, what
//! gVisor calls `--network=none`: the sandbox is a network namespace
//! whose only interface is `lo` (127.0.0.1/8 and ::1, up), served here
//! and never by a host socket. [`tcp`] connects two sockets of the
//! sandbox as a reliable byte stream (no segments: a connection is a
//! pair of AF_UNIX-like stream endpoints with TCP's close and reset
//! rules), [`udp`] delivers datagrams between them (UDP's and
//! UDP-Lite's, in port spaces of their own), [`iface`] describes
//! `lo` to ioctls and netlink.
//!
//! This module owns the addresses: parsing and writing `sockaddr_in`
//! and `sockaddr_in6`, which destinations `lo` reaches, and the port
//! tables with Linux's bind rules (`SO_REUSEADDR`, `SO_REUSEPORT`,
//! `IPV6_V6ONLY`, IPv4-mapped addresses, ephemeral ports).
//!
//! Lock order (outer first):
//!   tcp::Tcp::inner, udp::Udp::inner
//!     Stack's port tables
//!       unix::Endpoint::state, udp::Udp::opts (a bound socket's options)
//!   tcp::Tcp::backlog is taken with no other inet lock held, or under
//!   its own socket's `inner`.

pub mod iface;
pub mod tcp;
pub mod udp;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Weak};

use abi::socket::{
    AF_INET, AF_INET6, AF_UNSPEC, SIN6_LEN_RFC2133, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE,
};
use abi::Errno;
use parking_lot::Mutex;

/// `net.ipv4.ip_local_port_range`: where ephemeral ports come from.
pub const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;
/// `net.ipv4.ip_unprivileged_port_start`: lower ports need
/// `CAP_NET_BIND_SERVICE`.
pub const PRIVILEGED_BELOW: u16 = 1024;
/// `net.ipv4.ip_default_ttl`, and IPv6's default hop limit.
pub const DEFAULT_TTL: i32 = 64;

/// The two address families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    V4,
    V6,
}

impl Domain {
    /// `AF_INET` or `AF_INET6`.
    pub fn raw(self) -> i32 {
        match self {
            Domain::V4 => AF_INET,
            Domain::V6 => AF_INET6,
        }
    }

    /// The wildcard address.
    pub fn any(self) -> IpAddr {
        match self {
            Domain::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Domain::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }
}

fn family_of(raw: &[u8]) -> i32 {
    match raw {
        [a, b, ..] => i32::from(u16::from_ne_bytes([*a, *b])),
        _ => -1,
    }
}

fn port_of(raw: &[u8]) -> u16 {
    u16::from_be_bytes([raw[2], raw[3]])
}

fn v4_of(raw: &[u8]) -> SocketAddr {
    let ip = Ipv4Addr::new(raw[4], raw[5], raw[6], raw[7]);
    SocketAddr::new(IpAddr::V4(ip), port_of(raw))
}

fn v6_of(raw: &[u8]) -> SocketAddr {
    let mut b = [0u8; 16];
    b.copy_from_slice(&raw[8..24]);
    SocketAddr::new(canon(IpAddr::V6(Ipv6Addr::from(b))), port_of(raw))
}

/// An IPv4-mapped IPv6 address is its IPv4 address: the sockets of
/// either family see one another's traffic by it.
pub fn canon(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// An address family and its parsed address, as a call was given it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    /// `AF_UNSPEC` (and nothing else read).
    Unspec,
    /// An AF_INET address.
    V4(SocketAddr),
    /// An AF_INET6 address (an IPv4-mapped one as its IPv4 address).
    V6(SocketAddr),
}

/// Parses an address argument: `EINVAL` when shorter than its
/// family's structure (RFC 2133's for AF_INET6); any other family is
/// `Unspec` for `AF_UNSPEC` and `EAFNOSUPPORT` else.
pub fn parse(raw: &[u8]) -> Result<Given, Errno> {
    match family_of(raw) {
        AF_INET if raw.len() >= SOCKADDR_IN_SIZE => Ok(Given::V4(v4_of(raw))),
        AF_INET6 if raw.len() >= SIN6_LEN_RFC2133 => Ok(Given::V6(v6_of(raw))),
        AF_INET | AF_INET6 => Err(Errno::EINVAL),
        AF_UNSPEC => Ok(Given::Unspec),
        _ if raw.len() < 2 => Err(Errno::EINVAL),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// An address of `domain` from `raw`, with the checks bind and TCP's
/// connect make: too short for the socket's family is `EINVAL`, another
/// family `EAFNOSUPPORT`. An AF_INET socket takes `AF_UNSPEC` with the
/// wildcard address, for old programs (Linux's "compatibility games").
pub fn parse_for(domain: Domain, raw: &[u8]) -> Result<SocketAddr, Errno> {
    let need = match domain {
        Domain::V4 => SOCKADDR_IN_SIZE,
        Domain::V6 => SIN6_LEN_RFC2133,
    };
    if raw.len() < need {
        return Err(Errno::EINVAL);
    }
    match (domain, family_of(raw)) {
        (Domain::V4, AF_INET) => Ok(v4_of(raw)),
        (Domain::V4, AF_UNSPEC) if raw[4..8] == [0; 4] => Ok(v4_of(raw)),
        (Domain::V6, AF_INET6) => Ok(v6_of(raw)),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// The `sockaddr_in` or `sockaddr_in6` bytes of `addr` for a socket of
/// `domain` (an IPv4 address is IPv4-mapped for AF_INET6).
pub fn sockaddr(domain: Domain, addr: SocketAddr) -> Vec<u8> {
    let fam = u16::try_from(domain.raw()).expect("small").to_ne_bytes();
    let port = addr.port().to_be_bytes();
    match domain {
        Domain::V4 => {
            let mut v = Vec::with_capacity(SOCKADDR_IN_SIZE);
            v.extend_from_slice(&fam);
            v.extend_from_slice(&port);
            match addr.ip() {
                IpAddr::V4(ip) => v.extend_from_slice(&ip.octets()),
                IpAddr::V6(ip) => v.extend_from_slice(
                    &ip.to_ipv4_mapped()
                        .unwrap_or(Ipv4Addr::UNSPECIFIED)
                        .octets(),
                ),
            }
            v.resize(SOCKADDR_IN_SIZE, 0);
            v
        }
        Domain::V6 => {
            let mut v = Vec::with_capacity(SOCKADDR_IN6_SIZE);
            v.extend_from_slice(&fam);
            v.extend_from_slice(&port);
            v.extend_from_slice(&[0; 4]);
            let ip = match addr.ip() {
                IpAddr::V4(ip) => ip.to_ipv6_mapped(),
                IpAddr::V6(ip) => ip,
            };
            v.extend_from_slice(&ip.octets());
            v.extend_from_slice(&[0; 4]);
            v
        }
    }
}

/// The destination `lo` takes `dst` to: the unspecified address means
/// this host's loopback, as on Linux. Anything off `lo` is
/// `ENETUNREACH`, as with no other interface up; broadcast and
/// multicast have no route either.
pub fn route(dst: IpAddr) -> Result<IpAddr, Errno> {
    match canon(dst) {
        IpAddr::V4(ip) if ip.is_unspecified() => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        IpAddr::V4(ip) if ip.is_loopback() => Ok(IpAddr::V4(ip)),
        IpAddr::V6(ip) if ip.is_unspecified() => Ok(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        IpAddr::V6(ip) if ip.is_loopback() => Ok(IpAddr::V6(ip)),
        _ => Err(Errno::ENETUNREACH),
    }
}

/// The source address a packet to `dst` leaves with: `lo`'s own
/// (127.0.0.1 for all of 127/8, whose route names it).
pub fn source_for(dst: IpAddr) -> IpAddr {
    match dst {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    }
}

/// Whether a socket may bind to `ip` (canonical): the wildcard, `lo`'s
/// addresses, and for IPv4 broadcast and multicast (Linux's
/// `inet_addr_valid_or_nonlocal`); others are `EADDRNOTAVAIL`. IPv6
/// multicast and link-local addresses need an interface: `EINVAL`.
pub fn check_bindable(ip: IpAddr) -> Result<(), Errno> {
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_unspecified() || v4.is_loopback() || v4.is_multicast() || v4.is_broadcast() {
                Ok(())
            } else {
                Err(Errno::EADDRNOTAVAIL)
            }
        }
        IpAddr::V6(v6) => {
            if v6.is_unspecified() || v6.is_loopback() {
                Ok(())
            } else if v6.is_multicast() || v6.is_unicast_link_local() {
                Err(Errno::EINVAL)
            } else {
                Err(Errno::EADDRNOTAVAIL)
            }
        }
    }
}

/// The IP-level options sockets of both protocols keep (`SOL_IP`,
/// `SOL_IPV6`).
#[derive(Clone, Debug, Default)]
pub struct IpOptions {
    pub tos: i32,
    /// `IP_TTL`; `None` is the default.
    pub ttl: Option<i32>,
    pub v6only: bool,
    pub tclass: i32,
    /// `IPV6_UNICAST_HOPS`; `None` is the default.
    pub hops: Option<i32>,
    pub recverr: bool,
    pub pktinfo: bool,
    pub recvtos: bool,
    pub recvttl: bool,
    pub freebind: bool,
    pub mtu_discover: i32,
    /// `IP_MULTICAST_TTL`.
    pub mcast_ttl: i32,
    /// `IP_MULTICAST_LOOP`, on by default.
    pub mcast_noloop: bool,
    pub recvpktinfo6: bool,
    /// `IPV6_RECVHOPLIMIT` and `IPV6_RECVTCLASS`.
    pub recvhoplimit: bool,
    pub recvtclass: bool,
    pub bind_no_port: bool,
}

impl IpOptions {
    /// The defaults of a new socket (Linux's `IP_PMTUDISC_WANT` for
    /// TCP's and `IP_PMTUDISC_DONT`... both report as set here).
    pub fn new(mtu_discover: i32) -> IpOptions {
        IpOptions {
            mtu_discover,
            mcast_ttl: 1,
            ..IpOptions::default()
        }
    }
}

/// What a bound socket's conflict checks read of it, without its lock.
pub trait Bound: Send + Sync {
    /// `SO_REUSEADDR` and `SO_REUSEPORT`.
    fn reuse(&self) -> (bool, bool);
    /// Listening (TCP only).
    fn listening(&self) -> bool;
}

/// One bound socket in a port table.
#[derive(Debug)]
struct Entry<T> {
    id: u64,
    /// Canonical: an IPv4-mapped address is its IPv4 address.
    ip: IpAddr,
    v6only: bool,
    uid: u32,
    owner: Weak<T>,
}

impl<T> Entry<T> {
    /// The IPv4 addresses it takes: none, all, or one.
    fn v4(&self) -> Option<Option<Ipv4Addr>> {
        match self.ip {
            IpAddr::V4(a) if a.is_unspecified() => Some(None),
            IpAddr::V4(a) => Some(Some(a)),
            IpAddr::V6(a) if a.is_unspecified() && !self.v6only => Some(None),
            IpAddr::V6(_) => None,
        }
    }

    fn v6(&self) -> Option<Option<Ipv6Addr>> {
        match self.ip {
            IpAddr::V6(a) if a.is_unspecified() => Some(None),
            IpAddr::V6(a) => Some(Some(a)),
            IpAddr::V4(_) => None,
        }
    }

    /// Whether some address reaches both.
    fn overlaps(&self, other: &Entry<T>) -> bool {
        fn meet<A: PartialEq>(x: Option<Option<A>>, y: Option<Option<A>>) -> bool {
            match (x, y) {
                (Some(None), Some(_)) | (Some(_), Some(None)) => true,
                (Some(Some(a)), Some(Some(b))) => a == b,
                _ => false,
            }
        }
        meet(self.v4(), other.v4()) || meet(self.v6(), other.v6())
    }

    /// Whether it takes packets to `ip` (canonical); `Some(true)` when
    /// by its exact address.
    fn takes(&self, ip: IpAddr) -> Option<bool> {
        match ip {
            IpAddr::V4(a) => match self.v4()? {
                None => Some(false),
                Some(b) => (a == b).then_some(true),
            },
            IpAddr::V6(a) => match self.v6()? {
                None => Some(false),
                Some(b) => (a == b).then_some(true),
            },
        }
    }
}

/// A protocol's bound sockets by port.
#[derive(Debug)]
pub struct Ports<T> {
    by_port: HashMap<u16, Vec<Entry<T>>>,
    next_id: u64,
    /// Where the next ephemeral search starts.
    hint: u32,
}

/// What a socket asks of a port table to bind.
#[derive(Clone, Copy, Debug)]
pub struct Want {
    pub ip: IpAddr,
    pub v6only: bool,
    pub uid: u32,
    pub reuseaddr: bool,
    pub reuseport: bool,
    /// TCP, where `SO_REUSEADDR` does not share a port with a listener;
    /// UDP shares it with any socket that has it too.
    pub stream: bool,
    /// Whether `port` 0 picks an even port (connect) or an odd one
    /// (bind), as Linux prefers.
    pub even: bool,
}

impl Want {
    /// What a socket with IP options `ip` and `SO_REUSEADDR` and
    /// `SO_REUSEPORT` as `reuse` asks for at `ip_addr`.
    pub fn new(
        ip_addr: IpAddr,
        ip: &IpOptions,
        uid: u32,
        reuse: (bool, bool),
        stream: bool,
    ) -> Want {
        let (reuseaddr, reuseport) = reuse;
        Want {
            ip: ip_addr,
            v6only: ip.v6only,
            uid,
            reuseaddr,
            reuseport,
            stream,
            even: false,
        }
    }

    /// An ephemeral port for connect: an even one.
    pub fn for_connect(self) -> Want {
        Want { even: true, ..self }
    }
}

impl<T: Bound> Ports<T> {
    fn new() -> Ports<T> {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Ports {
            by_port: HashMap::new(),
            next_id: 1,
            hint: seed,
        }
    }

    /// Linux's `inet_csk_bind_conflict` and `udp_lib_lport_inuse`:
    /// whether `want` may not share `port` with what is bound there
    /// (but the entry `skip`, for listen(2)'s check of a bound socket).
    fn conflicts(&self, port: u16, want: &Want, skip: u64) -> bool {
        let Some(list) = self.by_port.get(&port) else {
            return false;
        };
        let me = Entry::<T> {
            id: 0,
            ip: want.ip,
            v6only: want.v6only,
            uid: want.uid,
            owner: Weak::new(),
        };
        list.iter().filter(|e| e.id != skip).any(|e| {
            let Some(o) = e.owner.upgrade() else {
                return false;
            };
            if !e.overlaps(&me) {
                return false;
            }
            let (ra, rp) = o.reuse();
            if want.reuseport && rp && e.uid == want.uid {
                return false;
            }
            let shares = want.reuseaddr && ra && !(want.stream && o.listening());
            !shares
        })
    }

    /// Binds to `port`, or with 0 to a free ephemeral one: the entry's
    /// id and the port; `EADDRINUSE` when taken (or none is free).
    fn bind(&mut self, owner: Weak<T>, want: &Want, port: u16) -> Result<(u64, u16), Errno> {
        let port = if port != 0 {
            if self.conflicts(port, want, 0) {
                return Err(Errno::EADDRINUSE);
            }
            port
        } else {
            self.ephemeral(want)?
        };
        let id = self.next_id;
        self.next_id += 1;
        self.by_port.entry(port).or_default().push(Entry {
            id,
            ip: want.ip,
            v6only: want.v6only,
            uid: want.uid,
            owner,
        });
        Ok((id, port))
    }

    /// A port nobody holds, of the parity asked for if one is left.
    fn ephemeral(&mut self, want: &Want) -> Result<u16, Errno> {
        let (lo, hi) = (u32::from(*EPHEMERAL.start()), u32::from(*EPHEMERAL.end()));
        let n = hi - lo + 1;
        let start = self.hint;
        self.hint = self.hint.wrapping_add(2);
        for parity_first in [true, false] {
            for i in 0..n {
                let p = lo + (start.wrapping_add(i) % n);
                let even = p % 2 == 0;
                if parity_first && even != want.even {
                    continue;
                }
                let port = u16::try_from(p).expect("in the range");
                let free = self
                    .by_port
                    .get(&port)
                    .is_none_or(|l| l.iter().all(|e| e.owner.strong_count() == 0));
                if free {
                    return Ok(port);
                }
            }
        }
        Err(Errno::EADDRINUSE)
    }

    fn remove(&mut self, port: u16, id: u64) {
        if let Some(list) = self.by_port.get_mut(&port) {
            list.retain(|e| e.id != id);
            if list.is_empty() {
                self.by_port.remove(&port);
            }
        }
    }

    fn set_ip(&mut self, port: u16, id: u64, ip: IpAddr) {
        if let Some(e) = self
            .by_port
            .get_mut(&port)
            .and_then(|l| l.iter_mut().find(|e| e.id == id))
        {
            e.ip = ip;
        }
    }

    /// The live sockets on `port` that take packets to `dst`, with
    /// whether by their exact address, most recently bound last.
    fn takers(&self, dst: IpAddr, port: u16) -> Vec<(Arc<T>, bool)> {
        self.by_port.get(&port).map_or_else(Vec::new, |list| {
            list.iter()
                .filter_map(|e| Some((e.owner.upgrade()?, e.takes(dst)?)))
                .collect()
        })
    }
}

/// A socket's place in a port table, given back when dropped.
#[derive(Debug)]
pub struct Binding<T: Bound> {
    table: Arc<Mutex<Ports<T>>>,
    port: u16,
    id: u64,
}

impl<T: Bound> Binding<T> {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// listen(2)'s check: `EADDRINUSE` if a socket on the port does not
    /// share it with a listener.
    pub fn check_listen(&self, want: &Want) -> Result<(), Errno> {
        if self.table.lock().conflicts(self.port, want, self.id) {
            return Err(Errno::EADDRINUSE);
        }
        Ok(())
    }

    /// Moves the binding to `ip` (a datagram socket's connect fixes its
    /// source address).
    pub fn set_ip(&self, ip: IpAddr) {
        self.table.lock().set_ip(self.port, self.id, canon(ip));
    }
}

impl<T: Bound> Drop for Binding<T> {
    fn drop(&mut self) {
        self.table.lock().remove(self.port, self.id);
    }
}

/// The sandbox's network namespace: its port tables.
#[derive(Debug)]
pub struct Stack {
    tcp: Arc<Mutex<Ports<tcp::Tcp>>>,
    udp: Arc<Mutex<Ports<udp::Udp>>>,
    /// UDP-Lite's own port space.
    udplite: Arc<Mutex<Ports<udp::Udp>>>,
}

impl Default for Stack {
    fn default() -> Stack {
        Stack {
            tcp: Arc::new(Mutex::new(Ports::new())),
            udp: Arc::new(Mutex::new(Ports::new())),
            udplite: Arc::new(Mutex::new(Ports::new())),
        }
    }
}

fn bind_in<T: Bound>(
    table: &Arc<Mutex<Ports<T>>>,
    owner: Weak<T>,
    want: &Want,
    port: u16,
) -> Result<Binding<T>, Errno> {
    let want = Want {
        ip: canon(want.ip),
        ..*want
    };
    let (id, port) = table.lock().bind(owner, &want, port)?;
    Ok(Binding {
        table: table.clone(),
        port,
        id,
    })
}

impl Stack {
    pub fn bind_tcp(
        &self,
        owner: Weak<tcp::Tcp>,
        want: &Want,
        port: u16,
    ) -> Result<Binding<tcp::Tcp>, Errno> {
        bind_in(&self.tcp, owner, want, port)
    }

    /// The port table of UDP, or with `lite` of UDP-Lite.
    fn udp_table(&self, lite: bool) -> &Arc<Mutex<Ports<udp::Udp>>> {
        if lite {
            &self.udplite
        } else {
            &self.udp
        }
    }

    pub fn bind_udp(
        &self,
        owner: Weak<udp::Udp>,
        want: &Want,
        port: u16,
        lite: bool,
    ) -> Result<Binding<udp::Udp>, Errno> {
        bind_in(self.udp_table(lite), owner, want, port)
    }

    /// A place for a connection a listener took, on the listener's port
    /// at `local`: child sockets share it without the bind rules, and
    /// later binds see it.
    pub fn share_tcp_port(&self, new: &Arc<tcp::Tcp>, local: SocketAddr) -> Binding<tcp::Tcp> {
        let mut t = self.tcp.lock();
        let id = t.next_id;
        t.next_id += 1;
        t.by_port.entry(local.port()).or_default().push(Entry {
            id,
            ip: canon(local.ip()),
            v6only: false,
            uid: new.uid(),
            owner: Arc::downgrade(new),
        });
        Binding {
            table: self.tcp.clone(),
            port: local.port(),
            id,
        }
    }

    /// The listener a connection to `dst` reaches: one bound to its
    /// exact address before one bound to the wildcard.
    pub fn tcp_listener(&self, dst: SocketAddr) -> Option<Arc<tcp::Tcp>> {
        let takers = self.tcp.lock().takers(canon(dst.ip()), dst.port());
        let mut best: Option<(Arc<tcp::Tcp>, bool)> = None;
        for (t, exact) in takers {
            if !t.listening() {
                continue;
            }
            if best.as_ref().is_none_or(|(_, e)| exact && !e) {
                best = Some((t, exact));
            }
        }
        best.map(|(t, _)| t)
    }

    /// The socket a datagram from `src` to `dst` reaches (Linux's
    /// `compute_score`): one bound to the exact address and connected
    /// to `src` scores highest; a socket connected elsewhere takes
    /// nothing; among equals the one bound last. `lite` looks among
    /// UDP-Lite's sockets.
    pub fn udp_receiver(
        &self,
        dst: SocketAddr,
        src: SocketAddr,
        lite: bool,
    ) -> Option<Arc<udp::Udp>> {
        let takers = self
            .udp_table(lite)
            .lock()
            .takers(canon(dst.ip()), dst.port());
        let mut best: Option<(Arc<udp::Udp>, u32)> = None;
        for (u, exact) in takers {
            let Some(score) = u.score_for(src) else {
                continue;
            };
            let score = score + u32::from(exact);
            if best.as_ref().is_none_or(|(_, s)| score >= *s) {
                best = Some((u, score));
            }
        }
        best.map(|(u, _)| u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ip: &str, v6only: bool) -> Entry<udp::Udp> {
        Entry {
            id: 0,
            ip: canon(ip.parse().unwrap()),
            v6only,
            uid: 0,
            owner: Weak::new(),
        }
    }

    #[test]
    fn dual_stack_wildcard_overlaps_ipv4_unless_v6only() {
        assert!(entry("::", false).overlaps(&entry("127.0.0.1", false)));
        assert!(!entry("::", true).overlaps(&entry("127.0.0.1", false)));
        assert!(!entry("::1", false).overlaps(&entry("0.0.0.0", false)));
        assert!(entry("::ffff:127.0.0.1", false).overlaps(&entry("127.0.0.1", false)));
        assert!(!entry("127.0.0.2", false).overlaps(&entry("127.0.0.1", false)));
    }

    #[test]
    fn addresses_round_trip_and_map() {
        let a: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v4 = sockaddr(Domain::V4, a);
        assert_eq!(parse(&v4), Ok(Given::V4(a)));
        let v6 = sockaddr(Domain::V6, a);
        assert_eq!(v6.len(), SOCKADDR_IN6_SIZE);
        assert_eq!(
            parse_for(Domain::V6, &v6),
            Ok(a),
            "mapped reads back as IPv4"
        );
        assert_eq!(parse_for(Domain::V4, &v6), Err(Errno::EAFNOSUPPORT));
        assert_eq!(parse_for(Domain::V4, &v4[..15]), Err(Errno::EINVAL));
    }

    #[test]
    fn only_loopback_is_routed() {
        assert_eq!(
            route("0.0.0.0".parse().unwrap()),
            Ok("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            route("127.1.2.3".parse().unwrap()),
            Ok("127.1.2.3".parse().unwrap())
        );
        assert_eq!(route("10.0.0.1".parse().unwrap()), Err(Errno::ENETUNREACH));
        assert_eq!(route("::".parse().unwrap()), Ok("::1".parse().unwrap()));
        assert_eq!(
            route("2001:db8::1".parse().unwrap()),
            Err(Errno::ENETUNREACH)
        );
    }
}
