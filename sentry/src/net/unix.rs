//! AF_UNIX sockets, after Linux's `net/unix/af_unix.c`: stream,
//! datagram and seqpacket endpoints, unnamed, bound to a filesystem node
//! (the sandbox-wide table maps the node to its socket, as Linux keeps
//! the socket in the inode) or to an abstract name (a table per socket
//! type, as Linux hashes the type into the name). Messages carry open
//! file descriptions (`SCM_RIGHTS`) and credentials.
//!
//! Buffer accounting is Linux's: a message is charged to its sender at
//! the size Linux's `skb` would take (its truesize) until the receiver
//! consumes it. A sender waits while its charge reaches `SO_SNDBUF`, and
//! hears of room once the charge is down to a quarter of it. A datagram
//! receiver that is not connected back to its sender queues at most
//! `max_dgram_qlen` (10) datagrams more; a listener queues its backlog
//! plus one pending connection.
//!
//! Nothing here blocks: an operation that would wait answers `EAGAIN`
//! and the syscall layer waits on the endpoint's queue, which every
//! change that could end the wait notifies (peers that wait for room in
//! another endpoint's queue register as its peer waiters).
//!
//! Lock order (outer first):
//!   Endpoint::state (two of them in address order)
//!     Names::paths, Names::abstracts
//! Messages hold descriptions whose last drop may release another
//! socket: they are dropped only with no state lock held.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use abi::types::{Stat, Ucred};
use abi::Errno;
use parking_lot::{Mutex, MutexGuard};

use super::{Options, DEFAULT_BUF, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK};
use crate::fsimpl::events::{
    POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND, POLLWRNORM,
};
use crate::fsimpl::FileDescription;
use crate::vfs::InodeRef;
use crate::waiter::WaitQueue;

/// `net.unix.max_dgram_qlen`: a receiver's queue limit until it listens.
const MAX_DGRAM_QLEN: usize = 10;

/// The socket types AF_UNIX has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Stream,
    Dgram,
    SeqPacket,
}

impl Kind {
    /// The kind of socket(2)'s type (flags removed): `SOCK_RAW` is a
    /// datagram socket, as in Linux; others are `ESOCKTNOSUPPORT`.
    pub fn from_type(ty: i32) -> Result<Kind, Errno> {
        match ty {
            abi::socket::SOCK_STREAM => Ok(Kind::Stream),
            abi::socket::SOCK_DGRAM | abi::socket::SOCK_RAW => Ok(Kind::Dgram),
            abi::socket::SOCK_SEQPACKET => Ok(Kind::SeqPacket),
            _ => Err(Errno::ESOCKTNOSUPPORT),
        }
    }

    /// `SOCK_STREAM`, ... (`SO_TYPE`).
    pub fn raw(self) -> i32 {
        match self {
            Kind::Stream => abi::socket::SOCK_STREAM,
            Kind::Dgram => abi::socket::SOCK_DGRAM,
            Kind::SeqPacket => abi::socket::SOCK_SEQPACKET,
        }
    }

    /// Stream and seqpacket sockets connect through a listener.
    pub fn connection_based(self) -> bool {
        self != Kind::Dgram
    }
}

/// An address as Linux keeps it: the bytes of `sun_path` that count. A
/// path keeps its terminating NUL (getsockname reports it); an abstract
/// name starts with a NUL and is as long as it was given.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name(Vec<u8>);

impl Name {
    /// A filesystem path (without its NUL).
    pub fn path(path: &[u8]) -> Name {
        let mut v = path.to_vec();
        v.push(0);
        Name(v)
    }

    /// An abstract name: its bytes, the leading NUL included.
    pub fn abstract_name(bytes: &[u8]) -> Name {
        Name(bytes.to_vec())
    }

    /// The `sun_path` bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// What a message carries besides bytes: credentials the sender gave
/// (`SCM_CREDENTIALS`, already checked) and descriptions
/// (`SCM_RIGHTS`).
#[derive(Debug, Default)]
pub struct Ancillary {
    pub creds: Option<Ucred>,
    pub rights: Vec<Arc<FileDescription>>,
}

/// One queued message: a datagram, or a piece of a stream (an skb).
#[derive(Debug)]
struct Message {
    data: Vec<u8>,
    /// Bytes of a stream piece already read.
    off: usize,
    /// The sender's address when it sent.
    from: Option<Arc<Name>>,
    creds: Option<Ucred>,
    rights: Vec<Arc<FileDescription>>,
    /// What it costs its sender's send buffer.
    charge: usize,
    sender: Weak<Endpoint>,
}

impl Message {
    fn left(&self) -> usize {
        self.data.len() - self.off
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        if let Some(s) = self.sender.upgrade() {
            s.uncharge(self.charge);
        }
    }
}

/// Linux's `kmalloc` size classes (beyond 8 KiB, a power of two of
/// pages).
fn kmalloc_size(n: usize) -> usize {
    const SIZES: [usize; 13] = [
        8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
    ];
    SIZES
        .iter()
        .copied()
        .find(|&s| s >= n)
        .unwrap_or_else(|| n.next_power_of_two())
}

fn page_align(n: usize) -> usize {
    n.div_ceil(4096) * 4096
}

/// The truesize of an skb with `head` bytes in its head and `frags`
/// bytes in pages: `sizeof(struct sk_buff)` (256 aligned), the head with
/// `skb_shared_info` (320) as kmalloc rounds it, and the pages.
fn truesize(head: usize, frags: usize) -> usize {
    256 + kmalloc_size(head.div_ceil(64) * 64 + 320) + page_align(frags)
}

/// `SKB_MAX_HEAD(0)`: the head of a stream piece before it uses pages.
const STREAM_MAX_HEAD: usize = 4096 - 320;
/// The largest stream piece (`SKB_MAX_HEAD(0) + 32 KiB`).
const STREAM_MAX_PIECE: usize = STREAM_MAX_HEAD + 32768;
/// `SKB_MAX_ALLOC`: a datagram's head before it uses pages.
const DGRAM_MAX_HEAD: usize = 16384 - 320;

/// The charge of a stream piece of `len` bytes.
fn stream_truesize(len: usize) -> usize {
    let frags = len.min(page_align(len.saturating_sub(STREAM_MAX_HEAD)));
    truesize(len - frags, frags)
}

/// The charge of a datagram of `len` bytes.
pub(crate) fn dgram_truesize(len: usize) -> usize {
    let frags = if len > DGRAM_MAX_HEAD {
        page_align((len - DGRAM_MAX_HEAD).min(17 * 4096))
    } else {
        0
    };
    truesize(len.saturating_sub(frags), frags)
}

/// Where a bound socket is registered.
#[derive(Debug)]
enum Bound {
    /// In the node table, by the node's identity; the node is kept, as
    /// Linux keeps the bound path.
    Path {
        key: usize,
        _node: InodeRef,
    },
    Abstract,
}

/// Linux's `sk_state` for these sockets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Closed,
    Listening,
    Established,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    peer: Option<Arc<Endpoint>>,
    addr: Option<Arc<Name>>,
    bound: Option<Bound>,
    recv: VecDeque<Message>,
    /// Unread bytes of the queue.
    inq: usize,
    /// A listener's connections not yet accepted.
    pending: VecDeque<Arc<Endpoint>>,
    /// `sk_max_ack_backlog`: the listen backlog, or for a datagram
    /// receiver the queue limit.
    backlog: usize,
    shutdown: u8,
    /// TCP: the peer ended its stream (Linux's `SOCK_DONE`); reads see
    /// the end before an error.
    fin: bool,
    /// `sk_err`, reported once.
    err: Option<Errno>,
    /// Released: its file is closed (or it was never accepted).
    dead: bool,
    /// Has a file: accepted, or made by socket/socketpair.
    attached: bool,
    peercred: Option<Ucred>,
    opts: Options,
    /// Endpoints waiting for room in this one's queue.
    peer_waiters: Vec<Weak<Endpoint>>,
    /// The owner `fstat` reports.
    owner: (u32, u32),
}

/// An abstract name's key: names are per socket type, as Linux hashes
/// the type in.
type AbstractKey = (Kind, Vec<u8>);

/// The sandbox's bound names: filesystem nodes and abstract names.
#[derive(Debug, Default)]
pub struct Names {
    paths: Mutex<HashMap<usize, Weak<Endpoint>>>,
    abstracts: Mutex<HashMap<AbstractKey, Weak<Endpoint>>>,
    next_auto: AtomicU32,
}

impl Names {
    /// An empty table; autobind numbers start somewhere arbitrary, as
    /// Linux's random start.
    pub fn new() -> Names {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Names {
            next_auto: AtomicU32::new(seed),
            ..Names::default()
        }
    }

    /// The live socket bound to the node `node` (Linux's
    /// `unix_find_bsd` after the lookup): `ECONNREFUSED` if none,
    /// `EPROTOTYPE` if it has another type.
    pub fn find_path(&self, node: &InodeRef, kind: Kind) -> Result<Arc<Endpoint>, Errno> {
        let key = crate::vfs::inode_key(node);
        let ep = self
            .paths
            .lock()
            .get(&key)
            .and_then(Weak::upgrade)
            .ok_or(Errno::ECONNREFUSED)?;
        if ep.kind != kind {
            return Err(Errno::EPROTOTYPE);
        }
        Ok(ep)
    }

    /// The live socket of type `kind` bound to the abstract `name`.
    pub fn find_abstract(&self, name: &[u8], kind: Kind) -> Result<Arc<Endpoint>, Errno> {
        self.abstracts
            .lock()
            .get(&(kind, name.to_vec()))
            .and_then(Weak::upgrade)
            .ok_or(Errno::ECONNREFUSED)
    }
}

/// One socket: the state behind a socket file.
#[derive(Debug)]
pub struct Endpoint {
    kind: Kind,
    names: Arc<Names>,
    ino: u64,
    this: Weak<Endpoint>,
    /// Readiness waiters: poll, epoll and blocked calls.
    queue: WaitQueue,
    /// What its sent, unconsumed messages cost.
    wmem: AtomicUsize,
    sndbuf: AtomicUsize,
    /// One end of a TCP connection over loopback (`net::inet::tcp`):
    /// closing says end of stream to the peer instead of hanging up, a
    /// write to a closed peer goes once and is then `EPIPE` (the peer's
    /// reset), and `SHUT_RD` stays on this side.
    tcp: bool,
    /// For TCP, the room the peer's receive buffer adds to the send
    /// buffer: bytes in flight sit in either.
    peer_room: AtomicUsize,
    state: Mutex<State>,
}

/// One stream read's progress over its passes (Linux's
/// `unix_stream_read_generic` keeps these across its waits).
#[derive(Debug, Default)]
pub struct StreamRead {
    pub data: Vec<u8>,
    /// The address of the last sender read from.
    pub from: Option<Arc<Name>>,
    /// With `SO_PASSCRED`: the credentials of the messages read (pieces
    /// from different senders are never glued).
    pub creds: Option<Option<Ucred>>,
    pub rights: Vec<Arc<FileDescription>>,
    /// A message with descriptions was read: the read ends there.
    had_rights: bool,
}

/// How a stream read pass ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Done,
    /// The queue is empty and the read wants more: wait and pass again.
    Wait,
}

/// One received datagram (or seqpacket record).
#[derive(Debug)]
pub struct Datagram {
    /// Its bytes, up to what the reader asked for.
    pub data: Vec<u8>,
    /// Its whole length.
    pub len: usize,
    pub from: Option<Arc<Name>>,
    pub creds: Option<Ucred>,
    pub rights: Vec<Arc<FileDescription>>,
}

/// Locks two different endpoints' states in address order.
fn lock2<'a>(a: &'a Endpoint, b: &'a Endpoint) -> (MutexGuard<'a, State>, MutexGuard<'a, State>) {
    if std::ptr::from_ref(a) < std::ptr::from_ref(b) {
        let ga = a.state.lock();
        let gb = b.state.lock();
        (ga, gb)
    } else {
        let gb = b.state.lock();
        let ga = a.state.lock();
        (ga, gb)
    }
}

/// Adds `w` to a list of peer waiters once, forgetting dead ones.
fn add_waiter(list: &mut Vec<Weak<Endpoint>>, w: &Weak<Endpoint>) {
    list.retain(|x| x.strong_count() > 0);
    if !list.iter().any(|x| x.ptr_eq(w)) {
        list.push(w.clone());
    }
}

/// Notifies the endpoints in `waiters` that there is room.
fn wake_all(waiters: Vec<Weak<Endpoint>>) {
    for w in waiters.into_iter().filter_map(|w| w.upgrade()) {
        w.queue.notify(POLLOUT | POLLWRNORM | POLLWRBAND);
    }
}

impl Endpoint {
    /// A new, unbound, unconnected endpoint owned by `owner` (fsuid,
    /// fsgid).
    pub fn new(kind: Kind, names: &Arc<Names>, owner: (u32, u32)) -> Arc<Endpoint> {
        Endpoint::build(kind, names, owner, false, DEFAULT_BUF, Options::default())
    }

    fn build(
        kind: Kind,
        names: &Arc<Names>,
        owner: (u32, u32),
        tcp: bool,
        sndbuf: usize,
        opts: Options,
    ) -> Arc<Endpoint> {
        Arc::new_cyclic(|this| Endpoint {
            kind,
            names: names.clone(),
            ino: super::next_ino(),
            tcp,
            peer_room: AtomicUsize::new(0),
            this: this.clone(),
            queue: WaitQueue::default(),
            wmem: AtomicUsize::new(0),
            sndbuf: AtomicUsize::new(sndbuf),
            state: Mutex::new(State {
                phase: Phase::Closed,
                peer: None,
                addr: None,
                bound: None,
                recv: VecDeque::new(),
                inq: 0,
                pending: VecDeque::new(),
                backlog: MAX_DGRAM_QLEN,
                shutdown: 0,
                fin: false,
                err: None,
                dead: false,
                attached: true,
                peercred: None,
                opts,
                peer_waiters: Vec::new(),
                owner,
            }),
        })
    }

    /// A TCP connection's end, unconnected, with `sndbuf` and `rcvbuf`
    /// as the protocol's defaults.
    pub fn tcp(owner: (u32, u32), sndbuf: usize, rcvbuf: usize) -> Arc<Endpoint> {
        let names = Arc::new(Names::default());
        let opts = Options::with_rcvbuf(rcvbuf);
        Endpoint::build(Kind::Stream, &names, owner, true, sndbuf, opts)
    }

    /// Connects two unconnected TCP endpoints to each other (the
    /// handshake): each may then send up to its send buffer plus the
    /// other's receive buffer.
    pub fn join(a: &Arc<Endpoint>, b: &Arc<Endpoint>) {
        let (mut x, mut y) = lock2(a, b);
        a.peer_room.store(y.opts.rcvbuf, Ordering::Relaxed);
        b.peer_room.store(x.opts.rcvbuf, Ordering::Relaxed);
        x.peer = Some(b.clone());
        y.peer = Some(a.clone());
        x.phase = Phase::Established;
        y.phase = Phase::Established;
        drop((x, y));
        a.queue.notify_all();
        b.queue.notify_all();
    }

    /// A TCP endpoint's connection attempt failed (`err`) or its
    /// connection was reset: it reports `err` once and is shut down.
    pub fn reset(&self, err: Errno) {
        {
            let mut st = self.state.lock();
            st.err = Some(err);
            st.shutdown = SHUTDOWN_MASK;
        }
        self.queue.notify_all();
    }

    /// A TCP endpoint whose attempt failed is made fresh for another
    /// (Linux's tcp_disconnect): no error, not shut down.
    pub fn clear(&self) {
        let mut st = self.state.lock();
        st.err = None;
        st.shutdown = 0;
    }

    /// Two endpoints connected to each other (socketpair), each with
    /// `cred` as its peer's credentials.
    pub fn pair(
        kind: Kind,
        names: &Arc<Names>,
        owner: (u32, u32),
        cred: Ucred,
    ) -> (Arc<Endpoint>, Arc<Endpoint>) {
        let a = Endpoint::new(kind, names, owner);
        let b = Endpoint::new(kind, names, owner);
        for (x, y) in [(&a, &b), (&b, &a)] {
            let mut st = x.state.lock();
            st.peer = Some(y.clone());
            st.phase = Phase::Established;
            st.peercred = Some(cred);
        }
        (a, b)
    }

    fn me(&self) -> Arc<Endpoint> {
        self.this.upgrade().expect("an endpoint in use is alive")
    }

    fn is(&self, other: &Endpoint) -> bool {
        std::ptr::eq(self, other)
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    /// `SO_SNDBUF`.
    pub fn sndbuf(&self) -> usize {
        self.sndbuf.load(Ordering::Relaxed)
    }

    pub fn set_sndbuf(&self, n: usize) {
        self.sndbuf.store(n, Ordering::Relaxed);
        // Linux's sk_write_space: a bigger buffer may let writers on.
        if self.writable_charge() {
            self.queue.notify(POLLOUT | POLLWRNORM | POLLWRBAND);
        }
    }

    /// `SIOCOUTQ`: what its unconsumed messages cost.
    pub fn unsent(&self) -> usize {
        self.wmem.load(Ordering::SeqCst)
    }

    fn uncharge(&self, n: usize) {
        let after = self.wmem.fetch_sub(n, Ordering::SeqCst) - n;
        // unix_write_space: writers hear of room at a quarter.
        if after * 4 <= self.limit() {
            self.queue.notify(POLLOUT | POLLWRNORM | POLLWRBAND);
        }
    }

    /// What its unconsumed messages may cost: the send buffer, and for
    /// TCP the peer's receive buffer.
    fn limit(&self) -> usize {
        self.sndbuf() + self.peer_room.load(Ordering::Relaxed)
    }

    /// unix_writable's charge test.
    fn writable_charge(&self) -> bool {
        self.wmem.load(Ordering::SeqCst) * 4 <= self.limit()
    }

    /// Linux's `sock_alloc_send_pskb`: a pending error first, then
    /// `EPIPE` if sending is shut down, `EAGAIN` while the charge is at
    /// the send buffer.
    fn may_charge(&self) -> Result<(), Errno> {
        let mut st = self.state.lock();
        if let Some(e) = st.err.take() {
            return Err(e);
        }
        if st.shutdown & SEND_SHUTDOWN != 0 {
            return Err(Errno::EPIPE);
        }
        if self.wmem.load(Ordering::SeqCst) >= self.limit() {
            return Err(Errno::EAGAIN);
        }
        Ok(())
    }

    /// Runs `f` on the options.
    pub fn with_options<T>(&self, f: impl FnOnce(&mut Options) -> T) -> T {
        f(&mut self.state.lock().opts)
    }

    /// `SO_ERROR`: the pending error, cleared.
    pub fn take_error(&self) -> Option<Errno> {
        self.state.lock().err.take()
    }

    /// Records an error for the next call (recvmmsg's after some
    /// datagrams).
    pub fn set_error(&self, e: Errno) {
        self.state.lock().err = Some(e);
        self.queue.notify(POLLERR);
    }

    /// `SO_ACCEPTCONN`.
    pub fn is_listening(&self) -> bool {
        self.state.lock().phase == Phase::Listening
    }

    /// Whether a stream or seqpacket endpoint is connected.
    pub fn is_established(&self) -> bool {
        self.state.lock().phase == Phase::Established
    }

    /// `SO_PEERCRED`.
    pub fn peer_cred(&self) -> Option<Ucred> {
        self.state.lock().peercred
    }

    /// The name it is bound to (getsockname).
    pub fn local_name(&self) -> Option<Arc<Name>> {
        self.state.lock().addr.clone()
    }

    /// Whether it is bound.
    pub fn is_bound(&self) -> bool {
        self.state.lock().addr.is_some()
    }

    /// Its peer's name (getpeername): `ENOTCONN` without a peer; `None`
    /// for an unnamed peer.
    pub fn peer_name(&self) -> Result<Option<Arc<Name>>, Errno> {
        let peer = self.state.lock().peer.clone().ok_or(Errno::ENOTCONN)?;
        if peer.is(self) {
            return Ok(self.local_name());
        }
        let name = peer.state.lock().addr.clone();
        Ok(name)
    }

    /// The owner `fstat` reports.
    pub fn owner(&self) -> (u32, u32) {
        self.state.lock().owner
    }

    /// TCP: whether the peer ended its stream, and whether the
    /// connection is over (shut both ways, as after a reset).
    pub fn ended(&self) -> (bool, bool) {
        let st = self.state.lock();
        (st.fin, st.shutdown == SHUTDOWN_MASK)
    }

    /// The owner `fstat` reports; an accepted socket belongs to whoever
    /// accepted it.
    pub fn set_owner(&self, owner: (u32, u32)) {
        self.state.lock().owner = owner;
    }

    /// Binds to the filesystem node `node` just made for it at `name`:
    /// `EINVAL` if it is bound already (the caller removes the node).
    pub fn bind_path(&self, name: Name, node: InodeRef) -> Result<(), Errno> {
        let key = crate::vfs::inode_key(&node);
        let mut st = self.state.lock();
        if st.addr.is_some() {
            return Err(Errno::EINVAL);
        }
        self.names.paths.lock().insert(key, self.this.clone());
        st.addr = Some(Arc::new(name));
        st.bound = Some(Bound::Path { key, _node: node });
        Ok(())
    }

    /// Binds to an abstract name: `EINVAL` if bound, `EADDRINUSE` if a
    /// socket of its type has the name.
    pub fn bind_abstract(&self, name: Name) -> Result<(), Errno> {
        let mut st = self.state.lock();
        if st.addr.is_some() {
            return Err(Errno::EINVAL);
        }
        let mut t = self.names.abstracts.lock();
        let key = (self.kind, name.0.clone());
        if t.get(&key).and_then(Weak::upgrade).is_some() {
            return Err(Errno::EADDRINUSE);
        }
        t.insert(key, self.this.clone());
        st.addr = Some(Arc::new(name));
        st.bound = Some(Bound::Abstract);
        Ok(())
    }

    /// Binds to a free abstract name of five hex digits, unless bound.
    pub fn autobind(&self) -> Result<(), Errno> {
        let mut st = self.state.lock();
        self.autobind_locked(&mut st)
    }

    fn autobind_locked(&self, st: &mut State) -> Result<(), Errno> {
        if st.addr.is_some() {
            return Ok(());
        }
        let mut t = self.names.abstracts.lock();
        let start = self.names.next_auto.fetch_add(1, Ordering::Relaxed);
        for i in 0..=0xfffff_u32 {
            let n = start.wrapping_add(i) & 0xfffff;
            let mut bytes = vec![0u8];
            bytes.extend_from_slice(format!("{n:05x}").as_bytes());
            let key = (self.kind, bytes);
            if t.get(&key).and_then(Weak::upgrade).is_some() {
                continue;
            }
            st.addr = Some(Arc::new(Name(key.1.clone())));
            st.bound = Some(Bound::Abstract);
            t.insert(key, self.this.clone());
            return Ok(());
        }
        Err(Errno::ENOSPC)
    }

    /// listen(2) with a backlog already capped at `SOMAXCONN`; `cred`
    /// becomes what connecting peers see as `SO_PEERCRED`.
    pub fn listen(&self, backlog: usize, cred: Ucred) -> Result<(), Errno> {
        if !self.kind.connection_based() {
            return Err(Errno::EOPNOTSUPP);
        }
        let mut st = self.state.lock();
        if st.addr.is_none() || st.phase == Phase::Established {
            return Err(Errno::EINVAL);
        }
        let grew = backlog > st.backlog;
        st.backlog = backlog;
        st.phase = Phase::Listening;
        st.peercred = Some(cred);
        let waiters = if grew {
            std::mem::take(&mut st.peer_waiters)
        } else {
            Vec::new()
        };
        drop(st);
        wake_all(waiters);
        Ok(())
    }

    /// Connects a stream or seqpacket endpoint to `listener`, as the
    /// task with credentials `cred`: `EAGAIN` while the backlog is full
    /// (the listener tells it when there is room).
    pub fn connect_stream(&self, listener: &Arc<Endpoint>, cred: Ucred) -> Result<(), Errno> {
        if listener.is(self) {
            // Its own address: it is not listening (or, if it is, it
            // cannot connect).
            let st = self.state.lock();
            return Err(match st.phase {
                Phase::Listening if st.shutdown & RCV_SHUTDOWN == 0 => Errno::EINVAL,
                _ => Errno::ECONNREFUSED,
            });
        }
        let (mut me, mut l) = lock2(self, listener);
        if l.dead || l.phase != Phase::Listening || l.shutdown & RCV_SHUTDOWN != 0 {
            return Err(Errno::ECONNREFUSED);
        }
        if l.pending.len() > l.backlog {
            add_waiter(&mut l.peer_waiters, &self.this);
            return Err(Errno::EAGAIN);
        }
        match me.phase {
            Phase::Closed => {}
            Phase::Established => return Err(Errno::EISCONN),
            Phase::Listening => return Err(Errno::EINVAL),
        }
        let embryo = Endpoint::new(self.kind, &self.names, l.owner);
        {
            let mut e = embryo.state.lock();
            e.phase = Phase::Established;
            e.peer = Some(self.me());
            e.peercred = Some(cred);
            e.addr = l.addr.clone();
            e.attached = false;
            e.opts.passcred = l.opts.passcred;
        }
        me.peercred = l.peercred;
        me.phase = Phase::Established;
        me.peer = Some(embryo.clone());
        l.pending.push_back(embryo);
        drop(me);
        drop(l);
        listener.queue.notify(POLLIN | POLLRDNORM);
        self.queue.notify_all();
        Ok(())
    }

    /// Connects a datagram endpoint to `other`, or with `None`
    /// (`AF_UNSPEC`) disconnects it.
    pub fn connect_dgram(&self, other: Option<&Arc<Endpoint>>) -> Result<(), Errno> {
        let old = match other {
            Some(o) if o.is(self) => {
                let mut st = self.state.lock();
                if st.peer.as_ref().is_some_and(|p| !p.is(self)) {
                    return Err(Errno::EPERM);
                }
                st.phase = Phase::Established;
                st.peer.replace(o.clone())
            }
            Some(o) => {
                let (mut me, mut them) = lock2(self, o);
                if them.dead {
                    return Err(Errno::ECONNREFUSED);
                }
                // unix_may_send: it takes datagrams from anyone, or only
                // from us.
                if them.peer.as_ref().is_some_and(|p| !p.is(self)) {
                    return Err(Errno::EPERM);
                }
                me.phase = Phase::Established;
                them.phase = Phase::Established;
                me.peer.replace(o.clone())
            }
            None => {
                let mut st = self.state.lock();
                if st.peer.is_some() {
                    st.phase = Phase::Closed;
                }
                st.peer.take()
            }
        };
        self.queue.notify_all();
        if let Some(old) = old {
            if other.is_none_or(|o| !Arc::ptr_eq(o, &old)) {
                self.dgram_disconnected(&old);
            }
        }
        Ok(())
    }

    /// Linux's unix_dgram_disconnected: leaving `old`, the queue goes
    /// (it may hold only `old`'s datagrams); if `old` was connected back,
    /// it hears `ECONNRESET`.
    fn dgram_disconnected(&self, old: &Arc<Endpoint>) {
        let (purged, waiters) = {
            let mut st = self.state.lock();
            st.inq = 0;
            (
                std::mem::take(&mut st.recv),
                std::mem::take(&mut st.peer_waiters),
            )
        };
        if !purged.is_empty() {
            wake_all(waiters);
            if !old.is(self) {
                let mut o = old.state.lock();
                if !o.dead && o.peer.as_ref().is_some_and(|p| p.is(self)) {
                    o.err = Some(Errno::ECONNRESET);
                    drop(o);
                    old.queue.notify(POLLERR);
                }
            }
        }
        if !old.is(self) {
            let mut o = old.state.lock();
            if o.peer.is_none() {
                o.phase = Phase::Closed;
            }
        }
        drop(purged);
    }

    /// accept(2): the oldest pending connection, or `EAGAIN`. A
    /// listener shut down for reading is `EINVAL` to a call that could
    /// have waited.
    pub fn accept(&self, can_wait: bool) -> Result<Arc<Endpoint>, Errno> {
        if !self.kind.connection_based() {
            return Err(Errno::EOPNOTSUPP);
        }
        let mut st = self.state.lock();
        if st.phase != Phase::Listening {
            return Err(Errno::EINVAL);
        }
        if let Some(e) = st.err.take() {
            return Err(e);
        }
        if let Some(embryo) = st.pending.pop_front() {
            let waiters = std::mem::take(&mut st.peer_waiters);
            drop(st);
            wake_all(waiters);
            embryo.state.lock().attached = true;
            return Ok(embryo);
        }
        if st.shutdown & RCV_SHUTDOWN != 0 && can_wait {
            return Err(Errno::EINVAL);
        }
        Err(Errno::EAGAIN)
    }

    /// shutdown(2) with `how` already checked (`SHUT_RD` 0 .. `SHUT_RDWR`
    /// 2). A connected stream or seqpacket peer loses the other
    /// direction.
    pub fn shutdown(&self, how: i32) {
        let mode = u8::try_from(how + 1).unwrap_or(SHUTDOWN_MASK) & SHUTDOWN_MASK;
        let (peer, waiters) = {
            let mut st = self.state.lock();
            st.shutdown |= mode;
            (st.peer.clone(), std::mem::take(&mut st.peer_waiters))
        };
        self.queue.notify_all();
        wake_all(waiters);
        let Some(peer) = peer.filter(|p| !p.is(self)) else {
            return;
        };
        if !self.kind.connection_based() {
            return;
        }
        let mut peer_mode = 0;
        // TCP's SHUT_RD sends nothing.
        if mode & RCV_SHUTDOWN != 0 && !self.tcp {
            peer_mode |= SEND_SHUTDOWN;
        }
        if mode & SEND_SHUTDOWN != 0 {
            peer_mode |= RCV_SHUTDOWN;
        }
        let mut ps = peer.state.lock();
        ps.shutdown |= peer_mode;
        ps.fin |= self.tcp && peer_mode & RCV_SHUTDOWN != 0;
        drop(ps);
        peer.queue.notify_all();
    }

    /// The last close of its file.
    pub fn close(&self) {
        self.release(false);
    }

    /// Closes a connection that was never accepted: the peer hears
    /// `ECONNRESET`.
    pub fn abort(&self) {
        self.release(true);
    }

    /// The last close (Linux's unix_release_sock): the names go, a
    /// connected peer can no longer send and hears `ECONNRESET` if data
    /// went unread here (or this was never accepted), pending
    /// connections are refused. A TCP peer hears the end of the stream
    /// instead (a FIN), unless data went unread or `SO_LINGER` was on
    /// with no time (a reset).
    fn release(&self, embryo: bool) {
        let (peer, recv, pending, bound, waiters, abort) = {
            let mut st = self.state.lock();
            if st.dead {
                return;
            }
            let abort = embryo || !st.recv.is_empty() || (self.tcp && st.opts.linger == (true, 0));
            st.dead = true;
            st.shutdown = SHUTDOWN_MASK;
            st.phase = Phase::Closed;
            st.inq = 0;
            (
                st.peer.take(),
                std::mem::take(&mut st.recv),
                std::mem::take(&mut st.pending),
                st.bound.take(),
                std::mem::take(&mut st.peer_waiters),
                abort,
            )
        };
        let addr = self.local_name();
        match bound {
            Some(Bound::Path { key, .. }) => {
                let mut t = self.names.paths.lock();
                if t.get(&key).is_some_and(|w| w.ptr_eq(&self.this)) {
                    t.remove(&key);
                }
            }
            Some(Bound::Abstract) => {
                if let Some(a) = addr {
                    let mut t = self.names.abstracts.lock();
                    let key = (self.kind, a.0.clone());
                    if t.get(&key).is_some_and(|w| w.ptr_eq(&self.this)) {
                        t.remove(&key);
                    }
                }
            }
            None => {}
        }
        wake_all(waiters);
        if let Some(p) = peer.filter(|p| !p.is(self)) {
            if self.tcp && !abort {
                let mut ps = p.state.lock();
                ps.shutdown |= RCV_SHUTDOWN;
                ps.fin = true;
                drop(ps);
                p.queue.notify_all();
            } else if self.kind.connection_based() {
                let mut ps = p.state.lock();
                ps.shutdown = SHUTDOWN_MASK;
                if abort {
                    ps.err = Some(Errno::ECONNRESET);
                }
                drop(ps);
                p.queue.notify_all();
            }
        }
        drop(recv);
        for e in pending {
            e.release(true);
        }
        self.queue.notify_all();
    }

    /// Sends `data[*sent..]` on a connected stream, in pieces the send
    /// buffer takes. Done when all is sent; `EAGAIN` with `*sent`
    /// advanced when it must wait for room. `anc` goes with the first
    /// piece; `cur` are the sender's credentials, attached when either
    /// side passes credentials.
    pub fn send_stream(
        &self,
        data: &[u8],
        sent: &mut usize,
        anc: &mut Ancillary,
        cur: Ucred,
    ) -> Result<(), Errno> {
        let (peer, passcred, from) = {
            let st = self.state.lock();
            let peer = st.peer.clone().ok_or(Errno::ENOTCONN)?;
            if st.shutdown & SEND_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            (peer, st.opts.passcred, st.addr.clone())
        };
        while *sent < data.len() {
            self.may_charge()?;
            // Two pieces in the buffer at least, as Linux keeps.
            let size = (data.len() - *sent)
                .min((self.limit() / 2).saturating_sub(64).max(1))
                .min(STREAM_MAX_PIECE);
            let charge = stream_truesize(size);
            let mut ps = peer.state.lock();
            if self.tcp && ps.dead {
                // The bytes go and the closed peer answers with a reset:
                // the next call hears EPIPE.
                drop(ps);
                self.reset(Errno::EPIPE);
                *sent = data.len();
                return Ok(());
            }
            if ps.dead || (ps.shutdown & RCV_SHUTDOWN != 0 && !self.tcp) {
                return Err(Errno::EPIPE);
            }
            let creds = anc
                .creds
                .or_else(|| (passcred || ps.opts.passcred || !ps.attached).then_some(cur));
            self.wmem.fetch_add(charge, Ordering::SeqCst);
            ps.inq += size;
            ps.recv.push_back(Message {
                data: data[*sent..*sent + size].to_vec(),
                off: 0,
                from: from.clone(),
                creds,
                rights: std::mem::take(&mut anc.rights),
                charge,
                sender: self.this.clone(),
            });
            drop(ps);
            peer.queue.notify(POLLIN | POLLRDNORM);
            *sent += size;
        }
        Ok(())
    }

    /// Sends one datagram (or seqpacket record) to `to`, or to the peer:
    /// `EAGAIN` when it must wait for room in its buffer or in the
    /// receiver's queue.
    pub fn send_dgram(
        &self,
        data: &[u8],
        to: Option<&Arc<Endpoint>>,
        anc: &mut Ancillary,
        cur: Ucred,
    ) -> Result<usize, Errno> {
        let (peer, passcred, from) = {
            let mut st = self.state.lock();
            if st.opts.passcred {
                self.autobind_locked(&mut st)?;
            }
            (st.peer.clone(), st.opts.passcred, st.addr.clone())
        };
        if data.len() + 32 > self.sndbuf() {
            return Err(Errno::EMSGSIZE);
        }
        self.may_charge()?;
        let other = match to {
            Some(o) => o.clone(),
            None => peer.ok_or(Errno::ENOTCONN)?,
        };
        let charge = dgram_truesize(data.len());
        let msg = |creds, rights| Message {
            data: data.to_vec(),
            off: 0,
            from,
            creds,
            rights,
            charge,
            sender: self.this.clone(),
        };
        if other.is(self) {
            let mut st = self.state.lock();
            if st.peer.as_ref().is_some_and(|p| !p.is(self)) {
                return Err(Errno::EPERM);
            }
            if st.shutdown & RCV_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            let creds = anc.creds.or_else(|| passcred.then_some(cur));
            self.wmem.fetch_add(charge, Ordering::SeqCst);
            st.inq += data.len();
            st.recv
                .push_back(msg(creds, std::mem::take(&mut anc.rights)));
            drop(st);
            self.queue.notify(POLLIN | POLLRDNORM);
            return Ok(data.len());
        }
        let mut os = other.state.lock();
        if os.peer.as_ref().is_some_and(|p| !p.is(self)) {
            return Err(Errno::EPERM);
        }
        if os.dead {
            drop(os);
            if self.kind == Kind::SeqPacket {
                return Err(Errno::EPIPE);
            }
            let mut st = self.state.lock();
            if st.peer.as_ref().is_some_and(|p| Arc::ptr_eq(p, &other)) {
                st.peer = None;
                st.phase = Phase::Closed;
                drop(st);
                self.dgram_disconnected(&other);
                return Err(Errno::ECONNREFUSED);
            }
            // The name no longer leads anywhere.
            return Err(if to.is_some() {
                Errno::ECONNREFUSED
            } else {
                Errno::ECONNRESET
            });
        }
        if os.shutdown & RCV_SHUTDOWN != 0 {
            return Err(Errno::EPIPE);
        }
        let connected_back = os.peer.as_ref().is_some_and(|p| p.is(self));
        if !connected_back && os.recv.len() > os.backlog {
            add_waiter(&mut os.peer_waiters, &self.this);
            return Err(Errno::EAGAIN);
        }
        let creds = anc
            .creds
            .or_else(|| (passcred || os.opts.passcred || !os.attached).then_some(cur));
        self.wmem.fetch_add(charge, Ordering::SeqCst);
        os.inq += data.len();
        os.recv
            .push_back(msg(creds, std::mem::take(&mut anc.rights)));
        drop(os);
        other.queue.notify(POLLIN | POLLRDNORM);
        Ok(data.len())
    }

    /// One pass of a stream read (Linux's unix_stream_read_generic
    /// between its waits): reads up to `size` bytes in all into `r`,
    /// never gluing data from different senders when credentials are
    /// passed, and stopping after a message with descriptions. `Wait`
    /// when the queue is empty before `target` bytes; an error is
    /// reported once (the caller returns the bytes read instead, if any).
    pub fn recv_stream(
        &self,
        r: &mut StreamRead,
        size: usize,
        target: usize,
        peek: bool,
    ) -> Result<Pass, Errno> {
        let mut garbage = Vec::new();
        let result = self.stream_pass(r, size, target, peek, &mut garbage);
        drop(garbage);
        result
    }

    fn stream_pass(
        &self,
        r: &mut StreamRead,
        size: usize,
        target: usize,
        peek: bool,
        garbage: &mut Vec<Message>,
    ) -> Result<Pass, Errno> {
        let mut st = self.state.lock();
        if st.phase != Phase::Established {
            return Err(Errno::EINVAL);
        }
        let passcred = st.opts.passcred;
        let mut idx = 0;
        loop {
            let Some(msg) = st.recv.get_mut(idx) else {
                if r.data.len() >= target || st.fin {
                    return Ok(Pass::Done);
                }
                if let Some(e) = st.err.take() {
                    return Err(e);
                }
                if st.shutdown & RCV_SHUTDOWN != 0 {
                    return Ok(Pass::Done);
                }
                return Ok(Pass::Wait);
            };
            match r.creds {
                Some(c) if c != msg.creds => return Ok(Pass::Done),
                None if passcred => r.creds = Some(msg.creds),
                _ => {}
            }
            r.from = msg.from.clone();
            let chunk = msg.left().min(size - r.data.len());
            r.data
                .extend_from_slice(&msg.data[msg.off..msg.off + chunk]);
            if peek {
                if !msg.rights.is_empty() {
                    r.had_rights = true;
                    r.rights.extend(msg.rights.iter().cloned());
                    return Ok(Pass::Done);
                }
                idx += 1;
            } else {
                msg.off += chunk;
                let rights = std::mem::take(&mut msg.rights);
                let left = msg.left();
                st.inq -= chunk;
                if !rights.is_empty() {
                    r.had_rights = true;
                    r.rights.extend(rights);
                }
                if left > 0 {
                    return Ok(Pass::Done);
                }
                if let Some(m) = st.recv.pop_front() {
                    garbage.push(m);
                }
                if r.had_rights {
                    return Ok(Pass::Done);
                }
            }
            if r.data.len() == size {
                return Ok(Pass::Done);
            }
        }
    }

    /// Receives one datagram of at most `max` bytes (the rest of it is
    /// lost unless `peek`). `Ok(None)` is the end of input; `EAGAIN`
    /// when it must wait. `can_wait` is whether the call may block:
    /// Linux reports a shut-down, empty datagram socket as the end of
    /// input only to a call that could have waited.
    pub fn recv_dgram(
        &self,
        max: usize,
        peek: bool,
        can_wait: bool,
    ) -> Result<Option<Datagram>, Errno> {
        let mut st = self.state.lock();
        if self.kind == Kind::SeqPacket && st.phase != Phase::Established {
            return Err(Errno::ENOTCONN);
        }
        if let Some(e) = st.err.take() {
            return Err(e);
        }
        if peek {
            return match st.recv.front() {
                Some(m) => Ok(Some(Datagram {
                    data: m.data[..m.data.len().min(max)].to_vec(),
                    len: m.data.len(),
                    from: m.from.clone(),
                    creds: m.creds,
                    rights: m.rights.clone(),
                })),
                None => Self::empty_dgram(&st, self.kind, can_wait),
            };
        }
        let Some(mut m) = st.recv.pop_front() else {
            return Self::empty_dgram(&st, self.kind, can_wait);
        };
        st.inq -= m.data.len();
        let waiters = std::mem::take(&mut st.peer_waiters);
        drop(st);
        wake_all(waiters);
        let len = m.data.len();
        let mut data = std::mem::take(&mut m.data);
        data.truncate(max);
        let d = Datagram {
            data,
            len,
            from: m.from.take(),
            creds: m.creds,
            rights: std::mem::take(&mut m.rights),
        };
        drop(m);
        Ok(Some(d))
    }

    fn empty_dgram(st: &State, kind: Kind, can_wait: bool) -> Result<Option<Datagram>, Errno> {
        if st.shutdown & RCV_SHUTDOWN != 0 && (can_wait || kind == Kind::SeqPacket) {
            return Ok(None);
        }
        Err(Errno::EAGAIN)
    }

    /// `SIOCINQ` (`FIONREAD`): a stream's unread bytes, a seqpacket
    /// socket's too, a datagram socket's next datagram.
    pub fn readable(&self) -> Result<usize, Errno> {
        let st = self.state.lock();
        if st.phase == Phase::Listening {
            return Err(Errno::EINVAL);
        }
        Ok(match self.kind {
            Kind::Stream | Kind::SeqPacket => st.inq,
            Kind::Dgram => st.recv.front().map_or(0, |m| m.data.len()),
        })
    }

    /// The `POLL*` events it is ready for (Linux's unix_poll and
    /// unix_dgram_poll).
    pub fn poll(&self) -> u32 {
        let st = self.state.lock();
        let mut ev = 0;
        if st.err.is_some() {
            ev |= POLLERR;
        }
        if st.shutdown == SHUTDOWN_MASK {
            ev |= POLLHUP;
        }
        if st.shutdown & RCV_SHUTDOWN != 0 {
            ev |= POLLRDHUP | POLLIN | POLLRDNORM;
        }
        if !st.recv.is_empty() || !st.pending.is_empty() {
            ev |= POLLIN | POLLRDNORM;
        }
        if self.kind.connection_based() && st.phase == Phase::Closed {
            ev |= POLLHUP;
        }
        let mut writable = st.phase != Phase::Listening && self.writable_charge();
        let peer = st.peer.clone();
        drop(st);
        if writable && self.kind != Kind::Stream {
            if let Some(p) = peer.filter(|p| !p.is(self)) {
                let mut ps = p.state.lock();
                let connected_back = ps.peer.as_ref().is_some_and(|x| x.is(self));
                if !connected_back && !ps.dead && ps.recv.len() > ps.backlog {
                    add_waiter(&mut ps.peer_waiters, &self.this);
                    writable = false;
                }
            }
        }
        if writable {
            ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
        }
        ev
    }

    pub(crate) fn stat(&self) -> Stat {
        super::sockfs_stat(self.ino, self.state.lock().owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred() -> Ucred {
        Ucred {
            pid: 1,
            uid: 0,
            gid: 0,
        }
    }

    /// A socket file's part: its endpoint, closed when dropped.
    struct Socket(Arc<Endpoint>);

    impl Drop for Socket {
        fn drop(&mut self) {
            self.0.close();
        }
    }

    impl Socket {
        fn readiness(&self) -> u32 {
            self.0.poll()
        }
    }

    fn pair(kind: Kind) -> (Socket, Socket) {
        let names = Arc::new(Names::new());
        let (a, b) = Endpoint::pair(kind, &names, (0, 0), cred());
        (Socket(a), Socket(b))
    }

    fn read_all(s: &Socket, max: usize) -> Result<Vec<u8>, Errno> {
        let mut r = StreamRead::default();
        s.0.recv_stream(&mut r, max, 1, false)?;
        Ok(r.data)
    }

    #[test]
    fn truesizes_match_linux_measurements() {
        assert_eq!(stream_truesize(1), 768);
        assert_eq!(stream_truesize(1000), 2304);
        assert_eq!(stream_truesize(36544), 37120);
        assert_eq!(stream_truesize(28992), 29952);
        assert_eq!(dgram_truesize(100_000), 102_656);
    }

    #[test]
    fn stream_write_fills_to_the_send_buffer_and_is_writable_at_a_quarter() {
        let (a, b) = pair(Kind::Stream);
        let mut n = 0;
        loop {
            let mut sent = 0;
            match a
                .0
                .send_stream(&[7], &mut sent, &mut Ancillary::default(), cred())
            {
                Ok(()) => n += 1,
                Err(e) => {
                    assert_eq!(e, Errno::EAGAIN);
                    break;
                }
            }
        }
        assert_eq!(n, 278, "as many one-byte writes as Linux takes");
        assert_eq!(a.readiness() & POLLOUT, 0);
        assert_eq!(read_all(&b, 208).unwrap().len(), 208);
        assert_eq!(a.readiness() & POLLOUT, 0);
        assert_eq!(read_all(&b, 1).unwrap().len(), 1);
        assert_eq!(a.readiness() & POLLOUT, POLLOUT);
    }

    #[test]
    fn closing_with_unread_data_resets_the_peer() {
        let (a, b) = pair(Kind::Stream);
        let mut sent = 0;
        b.0.send_stream(b"x", &mut sent, &mut Ancillary::default(), cred())
            .unwrap();
        drop(a);
        let ev = b.readiness();
        assert_eq!(ev & (POLLERR | POLLHUP), POLLERR | POLLHUP);
        assert_eq!(read_all(&b, 10), Err(Errno::ECONNRESET));
        assert_eq!(read_all(&b, 10).unwrap().len(), 0, "then end of input");
        let mut sent = 0;
        assert_eq!(
            b.0.send_stream(b"x", &mut sent, &mut Ancillary::default(), cred()),
            Err(Errno::EPIPE)
        );
    }

    #[test]
    fn datagram_peer_gone_is_refused_once_then_not_connected() {
        let (a, b) = pair(Kind::Dgram);
        drop(b);
        let send = || {
            a.0.send_dgram(b"x", None, &mut Ancillary::default(), cred())
        };
        assert_eq!(send(), Err(Errno::ECONNREFUSED));
        assert_eq!(send(), Err(Errno::ENOTCONN));
    }

    #[test]
    fn listener_backlog_takes_one_more_than_asked() {
        let names = Arc::new(Names::new());
        let l = Socket(Endpoint::new(Kind::Stream, &names, (0, 0)));
        l.0.bind_abstract(Name::abstract_name(b"\0l")).unwrap();
        l.0.listen(1, cred()).unwrap();
        let clients: Vec<Socket> = (0..3)
            .map(|_| Socket(Endpoint::new(Kind::Stream, &names, (0, 0))))
            .collect();
        let target = names.find_abstract(b"\0l", Kind::Stream).unwrap();
        assert_eq!(clients[0].0.connect_stream(&target, cred()), Ok(()));
        assert_eq!(clients[1].0.connect_stream(&target, cred()), Ok(()));
        assert_eq!(
            clients[2].0.connect_stream(&target, cred()),
            Err(Errno::EAGAIN)
        );
        assert_eq!(
            clients[0].0.connect_stream(&target, cred()),
            Err(Errno::EAGAIN),
            "a full backlog answers before the socket's own state"
        );
        let accepted = Socket(l.0.accept(false).unwrap());
        assert_eq!(
            clients[0].0.connect_stream(&target, cred()),
            Err(Errno::EISCONN)
        );
        assert!(accepted.0.is_established());
        drop(l);
        assert_eq!(
            read_all(&clients[1], 1),
            Err(Errno::ECONNRESET),
            "pending connections are reset when the listener goes"
        );
    }

    #[test]
    fn abstract_names_are_per_type() {
        let names = Arc::new(Names::new());
        let s = Endpoint::new(Kind::Stream, &names, (0, 0));
        let d = Endpoint::new(Kind::Dgram, &names, (0, 0));
        let s2 = Endpoint::new(Kind::Stream, &names, (0, 0));
        s.bind_abstract(Name::abstract_name(b"\0n")).unwrap();
        d.bind_abstract(Name::abstract_name(b"\0n")).unwrap();
        assert_eq!(
            s2.bind_abstract(Name::abstract_name(b"\0n")),
            Err(Errno::EADDRINUSE)
        );
        let _keep = (Socket(s), Socket(d), Socket(s2));
    }
}
