//! TCP over loopback. A connection is two stream endpoints
//! (`unix::Endpoint` in its TCP flavour: the byte queues, buffer
//! accounting, readiness and reads and writes of AF_UNIX streams) joined
//! when the listener takes the connection into its accept queue; there
//! are no segments. What is TCP's own is here: addresses and ports,
//! listen backlogs, connect's states (`EINPROGRESS`, `EALREADY`,
//! `ECONNREFUSED`), and the `SOL_TCP` options.
//!
//! A listener's queue holds at most its backlog plus one connection, as
//! Linux's; further connects wait (a non-blocking one stays in progress)
//! until accept makes room, as a dropped SYN is retried.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use abi::Errno;
use parking_lot::Mutex;

use super::{
    canon, check_bindable, route, source_for, Binding, Bound, Domain, IpOptions, Stack, Want,
};
use crate::fsimpl::events::{POLLIN, POLLRDNORM};
use crate::net::unix::Endpoint;

/// `net.ipv4.tcp_wmem[1]` and `tcp_rmem[1]`: a new socket's buffers.
pub const DEFAULT_SNDBUF: usize = 16384;
pub const DEFAULT_RCVBUF: usize = 131_072;
/// `TCP_MSS_DEFAULT`: the segment size an unconnected socket reports.
const MSS_DEFAULT: i32 = 536;
/// The segment size a loopback connection settles on (`lo`'s MTU of
/// 65536 less headers, halved to fit the initial window), as Linux
/// reports it.
const MSS_LOOPBACK: i32 = 32741;
/// `IP_PMTUDISC_WANT`, TCP's default.
const PMTUDISC_WANT: i32 = 1;

/// Where a socket is in making or taking connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    Idle,
    Listening,
    /// Waiting for room in the listener's queue.
    Connecting,
    Connected,
    /// The attempt was refused; the error is pending on the endpoint.
    Failed,
    Closed,
}

/// What connect(2) answers next (Linux's `socket->state`): a
/// non-blocking connect leaves it `Connecting`, and the next call
/// reports how the attempt went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ss {
    Unconnected,
    Connecting,
    Connected,
}

/// The `SOL_TCP` options.
#[derive(Clone, Debug)]
pub struct TcpOptions {
    pub nodelay: bool,
    pub cork: bool,
    pub keepidle: i32,
    pub keepintvl: i32,
    pub keepcnt: i32,
    /// `TCP_MAXSEG` as set (0: none).
    pub maxseg: i32,
    pub syncnt: i32,
    pub linger2: i32,
    pub defer_accept: i32,
    pub window_clamp: i32,
    pub quickack: bool,
    pub user_timeout: i32,
    pub notsent_lowat: i32,
    pub congestion: Vec<u8>,
}

impl Default for TcpOptions {
    fn default() -> TcpOptions {
        TcpOptions {
            nodelay: false,
            cork: false,
            keepidle: 7200,
            keepintvl: 75,
            keepcnt: 9,
            maxseg: 0,
            syncnt: 6,
            linger2: 60,
            defer_accept: 0,
            window_clamp: 0,
            quickack: true,
            user_timeout: 0,
            notsent_lowat: 0,
            congestion: b"cubic".to_vec(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    /// The address it is bound to (canonical), or connected from.
    local: Option<SocketAddr>,
    /// What bind(2) gave: `local` again when an attempt fails.
    bound: Option<SocketAddr>,
    /// Bound by bind(2), not by connect or listen: kept when an attempt
    /// fails.
    bind_locked: bool,
    binding: Option<Binding<Tcp>>,
    peer: Option<SocketAddr>,
    conn: Conn,
    ss: Ss,
    tcp: TcpOptions,
    ip: IpOptions,
}

/// A listener's connections.
#[derive(Debug, Default)]
struct Backlog {
    /// `sk_max_ack_backlog`.
    max: usize,
    /// Connected, not yet accepted.
    ready: VecDeque<Arc<Tcp>>,
    /// Places promised to connections being made.
    reserved: usize,
    /// Connects waiting for room.
    waiting: VecDeque<Weak<Tcp>>,
    closed: bool,
}

impl Backlog {
    fn has_room(&self) -> bool {
        self.ready.len() + self.reserved <= self.max
    }
}

/// What connect(2) does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connecting {
    Done,
    /// In progress: `EINPROGRESS`, or for a blocking call, wait and ask
    /// [`Tcp::connect_result`].
    Pending,
}

/// A TCP socket.
#[derive(Debug)]
pub struct Tcp {
    domain: Domain,
    stack: Arc<Stack>,
    this: Weak<Tcp>,
    ep: Arc<Endpoint>,
    uid: u32,
    listening: AtomicBool,
    inner: Mutex<Inner>,
    backlog: Mutex<Backlog>,
}

impl Bound for Tcp {
    fn reuse(&self) -> (bool, bool) {
        self.ep.with_options(|o| (o.reuseaddr, o.reuseport))
    }

    fn listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }
}

impl Tcp {
    /// A new, unbound socket owned by `owner` (fsuid, fsgid).
    pub fn new(domain: Domain, stack: &Arc<Stack>, owner: (u32, u32)) -> Arc<Tcp> {
        Tcp::with(
            domain,
            stack,
            owner,
            TcpOptions::default(),
            IpOptions::new(PMTUDISC_WANT),
        )
    }

    fn with(
        domain: Domain,
        stack: &Arc<Stack>,
        owner: (u32, u32),
        tcp: TcpOptions,
        ip: IpOptions,
    ) -> Arc<Tcp> {
        Arc::new_cyclic(|this| Tcp {
            domain,
            stack: stack.clone(),
            this: this.clone(),
            ep: Endpoint::tcp(owner, DEFAULT_SNDBUF, DEFAULT_RCVBUF),
            uid: owner.0,
            listening: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                local: None,
                bound: None,
                bind_locked: false,
                binding: None,
                peer: None,
                conn: Conn::Idle,
                ss: Ss::Unconnected,
                tcp,
                ip,
            }),
            backlog: Mutex::new(Backlog::default()),
        })
    }

    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// The owner's uid, for `SO_REUSEPORT`.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The stream endpoint: the data, the options of `SOL_SOCKET`, the
    /// wait queue.
    pub fn endpoint(&self) -> &Arc<Endpoint> {
        &self.ep
    }

    /// The endpoint to read or write, once connected: `ENOTCONN`
    /// before, `EAGAIN` while a connection is being made.
    pub fn connected(&self) -> Result<&Arc<Endpoint>, Errno> {
        match self.inner.lock().conn {
            Conn::Connected => Ok(&self.ep),
            Conn::Connecting => Err(Errno::EAGAIN),
            _ => Err(Errno::ENOTCONN),
        }
    }

    /// Whether it has a connection (or had one).
    pub fn is_connected(&self) -> bool {
        self.inner.lock().conn == Conn::Connected
    }

    /// `SO_ACCEPTCONN`.
    pub fn is_listening(&self) -> bool {
        self.listening()
    }

    /// Whether a connection is being made.
    pub fn is_connecting(&self) -> bool {
        self.inner.lock().conn == Conn::Connecting
    }

    pub fn with_tcp_options<T>(&self, f: impl FnOnce(&mut TcpOptions) -> T) -> T {
        f(&mut self.inner.lock().tcp)
    }

    pub fn with_ip_options<T>(&self, f: impl FnOnce(&mut IpOptions) -> T) -> T {
        f(&mut self.inner.lock().ip)
    }

    /// Whether it is bound to a port (`IPV6_V6ONLY` is fixed then).
    pub fn is_bound(&self) -> bool {
        self.inner.lock().binding.is_some()
    }

    /// `SO_SNDBUF`.
    pub fn sndbuf(&self) -> usize {
        self.ep.sndbuf()
    }

    pub fn set_sndbuf(&self, n: usize) {
        self.ep.set_sndbuf(n);
    }

    /// `SO_ERROR`.
    pub fn take_error(&self) -> Option<Errno> {
        self.ep.take_error()
    }

    /// `SIOCINQ`: `EINVAL` for a listener.
    pub fn readable(&self) -> Result<usize, Errno> {
        if self.listening() {
            return Err(Errno::EINVAL);
        }
        self.ep.readable()
    }

    /// `TCP_MAXSEG` as getsockopt reports it.
    pub fn maxseg(&self) -> i32 {
        let st = self.inner.lock();
        match (st.conn, st.tcp.maxseg) {
            (Conn::Connected, 0) => MSS_LOOPBACK,
            (Conn::Connected, m) => m.min(MSS_LOOPBACK),
            (_, 0) => MSS_DEFAULT,
            (_, m) => m,
        }
    }

    /// `tcpi_state`.
    pub fn state(&self) -> u8 {
        use abi::socket::{TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_LISTEN, TCP_SYN_SENT};
        match self.inner.lock().conn {
            Conn::Listening => TCP_LISTEN,
            Conn::Connecting => TCP_SYN_SENT,
            Conn::Connected => match self.ep.ended() {
                (_, true) => TCP_CLOSE,
                (true, false) => TCP_CLOSE_WAIT,
                (false, false) => TCP_ESTABLISHED,
            },
            _ => TCP_CLOSE,
        }
    }

    /// The `POLL*` events it is ready for (Linux's tcp_poll).
    pub fn poll(&self) -> u32 {
        match self.inner.lock().conn {
            Conn::Listening => {
                if self.backlog.lock().ready.is_empty() {
                    0
                } else {
                    POLLIN | POLLRDNORM
                }
            }
            Conn::Connecting => 0,
            _ => self.ep.poll(),
        }
    }

    fn want(&self, st: &Inner, ip: std::net::IpAddr) -> Want {
        Want::new(ip, &st.ip, self.uid, self.reuse(), true)
    }

    /// bind(2) to `addr` (canonical), checked for `lo` and the port's
    /// privilege by the caller: `EINVAL` if bound already (or
    /// connected), `EADDRINUSE` if taken.
    pub fn bind(&self, addr: SocketAddr) -> Result<(), Errno> {
        check_bindable(addr.ip())?;
        let mut st = self.inner.lock();
        if st.binding.is_some() || !matches!(st.conn, Conn::Idle | Conn::Failed) {
            return Err(Errno::EINVAL);
        }
        if self.domain == Domain::V6 && addr.ip().is_ipv4() && st.ip.v6only {
            return Err(Errno::EINVAL);
        }
        let want = self.want(&st, addr.ip());
        let b = self.stack.bind_tcp(self.this.clone(), &want, addr.port())?;
        st.local = Some(SocketAddr::new(addr.ip(), b.port()));
        st.bound = st.local;
        st.binding = Some(b);
        st.bind_locked = true;
        // An IPv6 socket bound to one IPv6 address takes no IPv4.
        if self.domain == Domain::V6 && !addr.ip().is_unspecified() && addr.ip().is_ipv6() {
            st.ip.v6only = true;
        }
        Ok(())
    }

    /// getsockname: the wildcard and port 0 until bound.
    pub fn local(&self) -> SocketAddr {
        let st = self.inner.lock();
        st.local
            .unwrap_or_else(|| SocketAddr::new(self.domain.any(), 0))
    }

    /// getpeername: `ENOTCONN` without a connection.
    pub fn peer(&self) -> Result<SocketAddr, Errno> {
        let st = self.inner.lock();
        match (st.conn, st.peer) {
            (Conn::Connected, Some(p)) => Ok(p),
            _ => Err(Errno::ENOTCONN),
        }
    }

    /// listen(2) with a backlog capped at `SOMAXCONN`: binds an
    /// ephemeral port first if unbound; `EINVAL` once connected.
    pub fn listen(&self, backlog: usize) -> Result<(), Errno> {
        let mut st = self.inner.lock();
        match st.conn {
            Conn::Idle | Conn::Listening => {}
            _ => return Err(Errno::EINVAL),
        }
        if st.binding.is_none() {
            let want = self.want(&st, self.domain.any());
            let b = self.stack.bind_tcp(self.this.clone(), &want, 0)?;
            st.local = Some(SocketAddr::new(self.domain.any(), b.port()));
            st.binding = Some(b);
        }
        if st.conn == Conn::Idle {
            let ip = st.local.map_or(self.domain.any(), |l| l.ip());
            let want = self.want(&st, canon(ip));
            if let Some(b) = &st.binding {
                b.check_listen(&want)?;
            }
        }
        st.conn = Conn::Listening;
        self.listening.store(true, Ordering::SeqCst);
        let waiting = {
            let mut b = self.backlog.lock();
            b.max = backlog;
            b.closed = false;
            Self::promotions(&mut b)
        };
        drop(st);
        self.admit(waiting);
        Ok(())
    }

    /// The waiting connections a listener's queue has room for now.
    fn promotions(b: &mut Backlog) -> Vec<Arc<Tcp>> {
        let mut out = Vec::new();
        while b.has_room() {
            let Some(w) = b.waiting.pop_front() else {
                break;
            };
            if let Some(c) = w.upgrade() {
                b.reserved += 1;
                out.push(c);
            }
        }
        out
    }

    fn admit(&self, connectors: Vec<Arc<Tcp>>) {
        for c in connectors {
            self.establish(&c);
        }
    }

    /// accept(2): the oldest connection, or `EAGAIN`; `EINVAL` when not
    /// listening.
    pub fn accept(&self) -> Result<Arc<Tcp>, Errno> {
        if !self.listening() {
            return Err(Errno::EINVAL);
        }
        let (s, waiting) = {
            let mut b = self.backlog.lock();
            let s = b.ready.pop_front().ok_or(Errno::EAGAIN)?;
            (s, Self::promotions(&mut b))
        };
        self.admit(waiting);
        Ok(s)
    }

    /// Makes the connection of `c`, which a place was reserved for: a new
    /// socket joined to it, queued for accept.
    fn establish(&self, c: &Arc<Tcp>) {
        let (tcp, ip, owner) = {
            let st = self.inner.lock();
            (st.tcp.clone(), st.ip.clone(), self.ep.owner())
        };
        let new = Tcp::with(self.domain, &self.stack, owner, tcp, ip);
        // A child socket inherits the listener's options.
        let opts = self.ep.with_options(|l| l.clone());
        new.ep.with_options(|o| *o = opts);
        new.ep.set_sndbuf(self.ep.sndbuf());
        let joined = {
            let mut cs = c.inner.lock();
            if let (Conn::Connecting, Some(local), Some(peer)) = (cs.conn, cs.local, cs.peer) {
                let mut ns = new.inner.lock();
                ns.local = Some(peer);
                ns.peer = Some(local);
                ns.conn = Conn::Connected;
                ns.ss = Ss::Connected;
                // It holds the listener's port, as Linux's child
                // sockets do, for later binds to see.
                ns.binding = Some(self.stack.share_tcp_port(&new, peer));
                drop(ns);
                Endpoint::join(&c.ep, &new.ep);
                cs.conn = Conn::Connected;
                true
            } else {
                false
            }
        };
        let mut b = self.backlog.lock();
        b.reserved = b.reserved.saturating_sub(1);
        if !joined {
            return;
        }
        if b.closed {
            drop(b);
            new.ep.abort();
            return;
        }
        b.ready.push_back(new);
        drop(b);
        self.ep.queue().notify(POLLIN | POLLRDNORM);
    }

    /// connect(2) to `dst` (canonical), checked for the socket's family
    /// by the caller.
    pub fn connect(&self, dst: SocketAddr, nonblocking: bool) -> Result<Connecting, Errno> {
        let mut st = self.inner.lock();
        match st.ss {
            Ss::Connected => return Err(Errno::EISCONN),
            Ss::Connecting => {
                return match st.conn {
                    Conn::Connected => {
                        st.ss = Ss::Connected;
                        Ok(Connecting::Done)
                    }
                    Conn::Connecting if nonblocking => Err(Errno::EALREADY),
                    Conn::Connecting => Ok(Connecting::Pending),
                    _ => {
                        let e = self.ep.take_error().unwrap_or(Errno::ECONNABORTED);
                        self.disconnect(&mut st);
                        Err(e)
                    }
                };
            }
            Ss::Unconnected => {}
        }
        if st.conn != Conn::Idle {
            return Err(Errno::EISCONN);
        }
        if self.domain == Domain::V6 && dst.ip().is_ipv4() && st.ip.v6only {
            return Err(Errno::ENETUNREACH);
        }
        let to = SocketAddr::new(route(dst.ip())?, dst.port());
        if st.binding.is_none() {
            let want = self.want(&st, self.domain.any()).for_connect();
            let b = self.stack.bind_tcp(self.this.clone(), &want, 0)?;
            st.local = Some(SocketAddr::new(self.domain.any(), b.port()));
            st.binding = Some(b);
        }
        let local = st.local.expect("bound above");
        if local.ip().is_unspecified() {
            st.local = Some(SocketAddr::new(source_for(to.ip()), local.port()));
        }
        st.peer = Some(to);
        st.conn = Conn::Connecting;
        st.ss = Ss::Connecting;
        drop(st);
        let me = self.this.upgrade().expect("a socket in use is alive");
        let offered = match self.stack.tcp_listener(to) {
            Some(l) => l.offer(&me),
            None => Offer::Refused,
        };
        match offered {
            Offer::Made => {}
            Offer::Waiting => return Ok(Connecting::Pending),
            Offer::Refused => {
                self.fail(Errno::ECONNREFUSED);
            }
        }
        if nonblocking {
            return Ok(Connecting::Pending);
        }
        self.connect_result().map(|()| Connecting::Done)
    }

    /// How a pending connect ended: `EAGAIN` while it is still being
    /// made.
    pub fn connect_result(&self) -> Result<(), Errno> {
        let mut st = self.inner.lock();
        match st.conn {
            Conn::Connecting => Err(Errno::EAGAIN),
            Conn::Connected => {
                st.ss = Ss::Connected;
                Ok(())
            }
            _ => {
                let e = self.ep.take_error().unwrap_or(Errno::ECONNABORTED);
                self.disconnect(&mut st);
                Err(e)
            }
        }
    }

    /// A failed attempt is forgotten (Linux's tcp_disconnect): the
    /// socket may connect again.
    fn disconnect(&self, st: &mut Inner) {
        st.ss = Ss::Unconnected;
        if st.conn == Conn::Failed {
            st.conn = Conn::Idle;
            self.ep.clear();
        }
    }

    /// The attempt failed with `err`: a port connect took is given back
    /// and the error is pending.
    fn fail(&self, err: Errno) {
        let mut st = self.inner.lock();
        if st.conn != Conn::Connecting {
            return;
        }
        st.conn = Conn::Failed;
        st.peer = None;
        // The source address connect chose goes, and the port if
        // connect took it, though getsockname still names it (Linux
        // keeps `inet_sport`).
        if !st.bind_locked {
            st.binding = None;
            st.local = st
                .local
                .map(|l| SocketAddr::new(self.domain.any(), l.port()));
        } else {
            st.local = st.bound;
        }
        drop(st);
        self.ep.reset(err);
    }

    /// A listener's side of a connect from `c`.
    fn offer(&self, c: &Arc<Tcp>) -> Offer {
        let mut b = self.backlog.lock();
        if b.closed || !self.listening() {
            return Offer::Refused;
        }
        if b.has_room() {
            b.reserved += 1;
            drop(b);
            self.establish(c);
            return Offer::Made;
        }
        b.waiting.push_back(Arc::downgrade(c));
        Offer::Waiting
    }

    /// Stops listening: queued connections are reset, waiting ones
    /// refused.
    fn stop_listening(&self) {
        self.listening.store(false, Ordering::SeqCst);
        let (ready, waiting) = {
            let mut b = self.backlog.lock();
            b.closed = true;
            (std::mem::take(&mut b.ready), std::mem::take(&mut b.waiting))
        };
        for s in ready {
            s.ep.abort();
        }
        for w in waiting.into_iter().filter_map(|w| w.upgrade()) {
            w.fail(Errno::ECONNREFUSED);
        }
    }

    /// shutdown(2), `how` checked: a listener shut for reading stops
    /// listening; an unconnected socket is `ENOTCONN`.
    pub fn shutdown(&self, how: i32) -> Result<(), Errno> {
        let conn = self.inner.lock().conn;
        match conn {
            Conn::Listening => {
                if how != abi::socket::SHUT_WR {
                    self.stop_listening();
                    self.inner.lock().conn = Conn::Idle;
                    self.ep.queue().notify_all();
                }
                Ok(())
            }
            Conn::Connected => {
                self.ep.shutdown(how);
                Ok(())
            }
            Conn::Connecting => {
                self.fail(Errno::ECONNRESET);
                let mut st = self.inner.lock();
                self.disconnect(&mut st);
                Ok(())
            }
            _ => {
                // Linux marks it anyway, waking pollers.
                self.ep.shutdown(how);
                Err(Errno::ENOTCONN)
            }
        }
    }

    /// The last close of its file.
    pub fn close(&self) {
        let conn = {
            let mut st = self.inner.lock();
            std::mem::replace(&mut st.conn, Conn::Closed)
        };
        if conn == Conn::Listening {
            self.stop_listening();
        }
        self.ep.close();
        self.inner.lock().binding = None;
    }
}

/// How a listener took a connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Offer {
    Made,
    Waiting,
    Refused,
}
