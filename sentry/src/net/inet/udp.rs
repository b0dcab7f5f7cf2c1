//! UDP over loopback: datagrams go straight into the receiving
//! socket's queue. A sender never waits (loopback frees its buffer as it
//! sends); a receiver whose queue is past its `SO_RCVBUF` drops what
//! comes (Linux's `__udp_enqueue_schedule_skb`). A connected socket
//! receives only from its peer, and hears `ECONNREFUSED` on its next
//! call after sending to a port nobody has (the ICMP port-unreachable
//! Linux reports to connected sockets).
//!
//! UDP-Lite sockets are these too, in a port space of their own: on
//! loopback nothing is corrupted, so the checksum coverage they set
//! (`UDPLITE_SEND_CSCOV`) only decides which datagrams a receiver that
//! asks for a minimum coverage (`UDPLITE_RECV_CSCOV`) drops.
//!
//! Each datagram carries the hop limit (IPv4's TTL) and traffic class
//! (IPv4's TOS) it was sent with, for a receiver that asks for them.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use super::{
    check_bindable, route, source_for, Binding, Bound, Domain, IpOptions, Stack, Want, DEFAULT_TTL,
};
use crate::fsimpl::events::{
    POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND, POLLWRNORM,
};
use crate::net::unix::dgram_truesize;
use crate::net::{Options, DEFAULT_BUF, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK};
use crate::waiter::WaitQueue;

/// `IP_PMTUDISC_WANT`, the default.
const PMTUDISC_WANT: i32 = 1;

/// The size of a UDP header, which UDP-Lite's coverage counts.
const UDP_HEADER: u16 = 8;

/// What the IP header of a datagram said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketMeta {
    /// The hop limit (IPv4's TTL).
    pub hops: u8,
    /// The traffic class (IPv4's TOS).
    pub tclass: u8,
    /// The destination address (`IP_PKTINFO`, `IPV6_PKTINFO`).
    pub dst: std::net::IpAddr,
}

/// What one send's control messages ask of its datagram (`None`: the
/// socket's option): `IP_TTL` and `IP_TOS` from an AF_INET socket,
/// `IPV6_HOPLIMIT` and `IPV6_TCLASS` from an AF_INET6 one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendMeta {
    pub hops: Option<u8>,
    pub tclass: Option<u8>,
}

/// One queued datagram.
#[derive(Debug)]
struct Dgram {
    data: Vec<u8>,
    from: SocketAddr,
    meta: PacketMeta,
    charge: usize,
}

/// One received datagram.
#[derive(Debug)]
pub struct Received {
    /// Its bytes, up to what the reader asked for.
    pub data: Vec<u8>,
    /// Its whole length.
    pub len: usize,
    pub from: SocketAddr,
    pub meta: PacketMeta,
}

#[derive(Debug)]
struct Inner {
    local: Option<SocketAddr>,
    /// What bind(2) gave: connect(AF_UNSPEC) keeps an address it named
    /// (`SOCK_BINDADDR_LOCK`) and a port it named (`SOCK_BINDPORT_LOCK`),
    /// and gives up the rest.
    bound: Option<SocketAddr>,
    binding: Option<Binding<Udp>>,
    peer: Option<SocketAddr>,
    recv: VecDeque<Dgram>,
    /// What the queue costs (`sk_rmem_alloc`).
    rmem: usize,
    err: Option<Errno>,
    shutdown: u8,
    ip: IpOptions,
    /// UDP-Lite's `UDPLITE_SEND_CSCOV` and `UDPLITE_RECV_CSCOV`, once
    /// set (Linux's `pcslen` and `pcrlen` with their `pcflag` bits).
    send_cscov: Option<u16>,
    recv_cscov: Option<u16>,
    owner: (u32, u32),
}

/// A UDP socket.
#[derive(Debug)]
pub struct Udp {
    domain: Domain,
    /// UDP-Lite rather than UDP.
    lite: bool,
    stack: Arc<Stack>,
    this: Weak<Udp>,
    ino: u64,
    uid: u32,
    queue: WaitQueue,
    sndbuf: AtomicUsize,
    inner: Mutex<Inner>,
    /// Apart from `inner`: another socket's bind reads them while it
    /// holds its own `inner` and the port table.
    opts: Mutex<Options>,
}

impl Bound for Udp {
    fn reuse(&self) -> (bool, bool) {
        let o = self.opts.lock();
        (o.reuseaddr, o.reuseport)
    }

    fn listening(&self) -> bool {
        false
    }
}

impl Udp {
    /// A UDP socket, or with `lite` a UDP-Lite one.
    pub fn new(domain: Domain, stack: &Arc<Stack>, owner: (u32, u32), lite: bool) -> Arc<Udp> {
        Arc::new_cyclic(|this| Udp {
            domain,
            lite,
            stack: stack.clone(),
            this: this.clone(),
            ino: crate::net::next_ino(),
            uid: owner.0,
            queue: WaitQueue::default(),
            sndbuf: AtomicUsize::new(DEFAULT_BUF),
            inner: Mutex::new(Inner {
                local: None,
                bound: None,
                binding: None,
                peer: None,
                recv: VecDeque::new(),
                rmem: 0,
                err: None,
                shutdown: 0,
                ip: IpOptions::new(PMTUDISC_WANT),
                send_cscov: None,
                recv_cscov: None,
                owner,
            }),
            opts: Mutex::new(Options::default()),
        })
    }

    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// Whether it is a UDP-Lite socket.
    pub fn is_lite(&self) -> bool {
        self.lite
    }

    /// UDP-Lite's checksum coverages, sending and receiving (0 until
    /// set).
    pub fn cscov(&self) -> (u16, u16) {
        let st = self.inner.lock();
        (st.send_cscov.unwrap_or(0), st.recv_cscov.unwrap_or(0))
    }

    /// Sets UDP-Lite's sending (or with `recv`, the least acceptable
    /// receiving) checksum coverage as Linux's `udp_lib_setsockopt`:
    /// 0 is the whole datagram, what is less than a header becomes a
    /// header's 8 bytes, and more than 65535 is 65535.
    pub fn set_cscov(&self, recv: bool, v: i32) {
        let v = if v != 0 && v < i32::from(UDP_HEADER) {
            UDP_HEADER
        } else {
            u16::try_from(v).unwrap_or(u16::MAX)
        };
        let mut st = self.inner.lock();
        if recv {
            st.recv_cscov = Some(v);
        } else {
            st.send_cscov = Some(v);
        }
    }

    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    pub fn with_options<T>(&self, f: impl FnOnce(&mut Options) -> T) -> T {
        f(&mut self.opts.lock())
    }

    pub fn with_ip_options<T>(&self, f: impl FnOnce(&mut IpOptions) -> T) -> T {
        f(&mut self.inner.lock().ip)
    }

    pub fn sndbuf(&self) -> usize {
        self.sndbuf.load(Ordering::Relaxed)
    }

    pub fn set_sndbuf(&self, n: usize) {
        self.sndbuf.store(n, Ordering::Relaxed);
    }

    pub fn take_error(&self) -> Option<Errno> {
        self.inner.lock().err.take()
    }

    /// Records an error for the next call (recvmmsg's after some
    /// datagrams).
    pub fn set_error(&self, e: Errno) {
        self.inner.lock().err = Some(e);
        self.queue.notify(POLLERR);
    }

    pub fn is_bound(&self) -> bool {
        self.inner.lock().binding.is_some()
    }

    /// `SIOCINQ`: the next datagram's length.
    pub fn readable(&self) -> usize {
        self.inner.lock().recv.front().map_or(0, |d| d.data.len())
    }

    pub fn stat(&self) -> Stat {
        crate::net::sockfs_stat(self.ino, self.inner.lock().owner)
    }

    /// The `POLL*` events it is ready for (Linux's datagram_poll).
    pub fn poll(&self) -> u32 {
        let st = self.inner.lock();
        let mut ev = POLLOUT | POLLWRNORM | POLLWRBAND;
        if st.err.is_some() {
            ev |= POLLERR;
        }
        if st.shutdown == SHUTDOWN_MASK {
            ev |= POLLHUP;
        }
        if st.shutdown & RCV_SHUTDOWN != 0 {
            ev |= POLLRDHUP | POLLIN | POLLRDNORM;
        }
        if !st.recv.is_empty() {
            ev |= POLLIN | POLLRDNORM;
        }
        ev
    }

    /// How well it matches a datagram from `src` (Linux's
    /// `compute_score`): `None` when connected to someone else.
    pub fn score_for(&self, src: SocketAddr) -> Option<u32> {
        let st = self.inner.lock();
        match st.peer {
            None => Some(0),
            Some(p) if p == src => Some(4),
            Some(_) => None,
        }
    }

    fn want(&self, st: &Inner, ip: std::net::IpAddr) -> Want {
        Want::new(ip, &st.ip, self.uid, self.reuse(), false)
    }

    /// bind(2) to `addr` (canonical; the caller checked its family and
    /// the port's privilege).
    pub fn bind(&self, addr: SocketAddr) -> Result<(), Errno> {
        check_bindable(addr.ip())?;
        let mut st = self.inner.lock();
        if st.binding.is_some() {
            return Err(Errno::EINVAL);
        }
        if self.domain == Domain::V6 && addr.ip().is_ipv4() && st.ip.v6only {
            return Err(Errno::EINVAL);
        }
        let want = self.want(&st, addr.ip());
        let b = self
            .stack
            .bind_udp(self.this.clone(), &want, addr.port(), self.lite)?;
        st.local = Some(SocketAddr::new(addr.ip(), b.port()));
        st.bound = Some(addr);
        st.binding = Some(b);
        if self.domain == Domain::V6 && !addr.ip().is_unspecified() && addr.ip().is_ipv6() {
            st.ip.v6only = true;
        }
        Ok(())
    }

    /// Binds an ephemeral port if unbound (Linux's autobind on send and
    /// connect).
    fn autobind(&self, st: &mut Inner) -> Result<(), Errno> {
        if st.binding.is_none() {
            let ip = st.local.map_or(self.domain.any(), |l| l.ip());
            let want = self.want(st, ip).for_connect();
            let b = self
                .stack
                .bind_udp(self.this.clone(), &want, 0, self.lite)?;
            st.local = Some(SocketAddr::new(ip, b.port()));
            st.binding = Some(b);
        }
        Ok(())
    }

    pub fn local(&self) -> SocketAddr {
        self.inner
            .lock()
            .local
            .unwrap_or_else(|| SocketAddr::new(self.domain.any(), 0))
    }

    pub fn peer(&self) -> Result<SocketAddr, Errno> {
        self.inner.lock().peer.ok_or(Errno::ENOTCONN)
    }

    pub fn is_connected(&self) -> bool {
        self.inner.lock().peer.is_some()
    }

    /// connect(2) to `dst` (canonical), or with `None` (`AF_UNSPEC`)
    /// disconnect: the source address and a port connect took go again.
    pub fn connect(&self, dst: Option<SocketAddr>) -> Result<(), Errno> {
        let mut st = self.inner.lock();
        let Some(dst) = dst else {
            st.peer = None;
            let ip = st.bound.map_or(self.domain.any(), |b| b.ip());
            let port = st.bound.map_or(0, |b| b.port());
            if port == 0 {
                st.binding = None;
            } else if let Some(binding) = &st.binding {
                binding.set_ip(ip);
            }
            st.local = st.local.map(|_| SocketAddr::new(ip, port));
            return Ok(());
        };
        if self.domain == Domain::V6 && dst.ip().is_ipv4() && st.ip.v6only {
            return Err(Errno::EAFNOSUPPORT);
        }
        let to = SocketAddr::new(route(dst.ip())?, dst.port());
        self.autobind(&mut st)?;
        let local = st.local.expect("bound above");
        if local.ip().is_unspecified() {
            let ip = source_for(to.ip());
            st.local = Some(SocketAddr::new(ip, local.port()));
            if let Some(b) = &st.binding {
                b.set_ip(ip);
            }
        }
        st.peer = Some(to);
        Ok(())
    }

    /// shutdown(2), `how` checked: `ENOTCONN` unless connected, though
    /// the socket is marked either way.
    pub fn shutdown(&self, how: i32) -> Result<(), Errno> {
        let connected = {
            let mut st = self.inner.lock();
            st.shutdown |= u8::try_from(how + 1).unwrap_or(SHUTDOWN_MASK) & SHUTDOWN_MASK;
            st.peer.is_some()
        };
        self.queue.notify_all();
        if connected {
            Ok(())
        } else {
            Err(Errno::ENOTCONN)
        }
    }

    /// Sends `data` to `dst` (canonical), or to the peer: `EDESTADDRREQ`
    /// without one. Sent to nobody, it is lost; a connected socket hears
    /// `ECONNREFUSED` next. `ask` is what the send's control messages
    /// set (an AF_INET6 socket's do not reach IPv4 destinations).
    pub fn send(
        &self,
        data: &[u8],
        dst: Option<SocketAddr>,
        ask: SendMeta,
    ) -> Result<usize, Errno> {
        let max = match self.domain {
            Domain::V4 => 65507,
            Domain::V6 => 65527,
        };
        let (src, to, to_peer, meta, cov) = {
            let mut st = self.inner.lock();
            if let Some(e) = st.err.take() {
                return Err(e);
            }
            if st.shutdown & SEND_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            let dst = match dst {
                Some(d) => d,
                None => st.peer.ok_or(Errno::EDESTADDRREQ)?,
            };
            if self.domain == Domain::V6 && dst.ip().is_ipv4() && st.ip.v6only {
                return Err(Errno::ENETUNREACH);
            }
            if dst.port() == 0 {
                return Err(Errno::EINVAL);
            }
            if data.len() > max {
                return Err(Errno::EMSGSIZE);
            }
            let to = SocketAddr::new(route(dst.ip())?, dst.port());
            self.autobind(&mut st)?;
            let local = st.local.expect("bound above");
            let ip = if local.ip().is_unspecified() {
                source_for(to.ip())
            } else {
                super::canon(local.ip())
            };
            let meta = if to.ip().is_ipv4() {
                let ask = if self.domain == Domain::V4 {
                    ask
                } else {
                    SendMeta::default()
                };
                PacketMeta {
                    hops: ask.hops.unwrap_or_else(|| byte(st.ip.ttl)),
                    tclass: ask.tclass.unwrap_or_else(|| byte(Some(st.ip.tos & 0xff))),
                    dst: to.ip(),
                }
            } else {
                PacketMeta {
                    hops: ask.hops.unwrap_or_else(|| byte(st.ip.hops)),
                    tclass: ask.tclass.unwrap_or_else(|| byte(Some(st.ip.tclass))),
                    dst: to.ip(),
                }
            };
            // Linux's `udplite_csum`: a coverage short of the datagram.
            let cov = st
                .send_cscov
                .filter(|&c| c > 0 && usize::from(c) < data.len() + usize::from(UDP_HEADER));
            let src = SocketAddr::new(ip, local.port());
            (src, to, st.peer == Some(to), meta, cov)
        };
        match self.stack.udp_receiver(to, src, self.lite) {
            Some(r) => r.deliver(data, src, meta, cov),
            None if to_peer => {
                self.inner.lock().err = Some(Errno::ECONNREFUSED);
                self.queue.notify(POLLERR);
            }
            None => {}
        }
        Ok(data.len())
    }

    /// Queues a datagram from `from`, unless the queue is already past
    /// `SO_RCVBUF` (the last one in may overshoot it), or it is a
    /// UDP-Lite datagram checked over `cov` bytes only, less than the
    /// socket's `UDPLITE_RECV_CSCOV` (0 there: it wants them whole).
    fn deliver(&self, data: &[u8], from: SocketAddr, meta: PacketMeta, cov: Option<u16>) {
        let charge = dgram_truesize(data.len());
        {
            let mut st = self.inner.lock();
            if st.rmem > self.opts.lock().rcvbuf {
                return;
            }
            if let (Some(want), Some(cov)) = (st.recv_cscov, cov) {
                if want == 0 || cov < want {
                    return;
                }
            }
            st.rmem += charge;
            st.recv.push_back(Dgram {
                data: data.to_vec(),
                from,
                meta,
                charge,
            });
        }
        self.queue.notify(POLLIN | POLLRDNORM);
    }

    /// Receives one datagram of at most `max` bytes (the rest is lost
    /// unless `peek`): a pending error first; `Ok(None)` is the end of
    /// input (shut down, to a call that could have waited); `EAGAIN` to
    /// wait.
    pub fn recv(&self, max: usize, peek: bool, can_wait: bool) -> Result<Option<Received>, Errno> {
        let mut st = self.inner.lock();
        if let Some(e) = st.err.take() {
            return Err(e);
        }
        let Some(front) = st.recv.front() else {
            if st.shutdown & RCV_SHUTDOWN != 0 && can_wait {
                return Ok(None);
            }
            return Err(Errno::EAGAIN);
        };
        if peek {
            return Ok(Some(Received {
                data: front.data[..front.data.len().min(max)].to_vec(),
                len: front.data.len(),
                from: front.from,
                meta: front.meta,
            }));
        }
        let d = st.recv.pop_front().expect("looked at above");
        st.rmem -= d.charge;
        let len = d.data.len();
        let mut data = d.data;
        data.truncate(max);
        Ok(Some(Received {
            data,
            len,
            from: d.from,
            meta: d.meta,
        }))
    }

    /// The last close.
    pub fn close(&self) {
        let mut st = self.inner.lock();
        st.binding = None;
        st.recv.clear();
        st.rmem = 0;
    }
}

/// An option's hop limit or class as a header carries it: `None` is
/// the default hop limit.
fn byte(v: Option<i32>) -> u8 {
    u8::try_from(v.unwrap_or(DEFAULT_TTL)).unwrap_or(u8::MAX)
}
