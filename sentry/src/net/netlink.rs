//! AF_NETLINK sockets of `NETLINK_ROUTE`, enough for programs to learn
//! the sandbox's network: dumps of its links (`RTM_GETLINK`) and
//! addresses (`RTM_GETADDR`), which glibc's `getifaddrs` and
//! `if_nameindex` ask for, and a link asked for by index or name. Other
//! requests get an `NLMSG_ERROR` of `EOPNOTSUPP`; nothing is ever
//! configured and no events are sent. Replies are datagrams from the
//! kernel (port 0): a dump's messages in one, its `NLMSG_DONE` in the
//! next, as Linux sends them.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use abi::socket::*;
use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use super::inet::iface;
use super::{Options, DEFAULT_BUF};
use crate::fsimpl::events::{POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM};
use crate::waiter::WaitQueue;

/// The port ids netlink sockets of the sandbox hold.
#[derive(Debug)]
pub struct Ports {
    used: Mutex<HashSet<u32>>,
    /// Where ids for a second socket of a process come from: negative
    /// ones, as Linux's.
    next: AtomicU32,
}

impl Default for Ports {
    fn default() -> Ports {
        Ports {
            used: Mutex::new(HashSet::new()),
            next: AtomicU32::new(0xffff_f000),
        }
    }
}

impl Ports {
    /// Takes `want`, or with 0 the process's id, else a free negative
    /// one (Linux's `netlink_autobind`).
    fn claim(&self, want: u32, tgid: u32) -> Result<u32, Errno> {
        let mut used = self.used.lock();
        if want != 0 {
            return if used.insert(want) {
                Ok(want)
            } else {
                Err(Errno::EADDRINUSE)
            };
        }
        if used.insert(tgid) {
            return Ok(tgid);
        }
        loop {
            let id = self.next.fetch_sub(1, Ordering::Relaxed);
            if used.insert(id) {
                return Ok(id);
            }
        }
    }
}

#[derive(Debug)]
struct Inner {
    /// Its port id, 0 until bound.
    port: u32,
    groups: u32,
    recv: VecDeque<Vec<u8>>,
    err: Option<Errno>,
    opts: Options,
    ext_ack: bool,
    strict_chk: bool,
    owner: (u32, u32),
}

/// A `NETLINK_ROUTE` socket.
#[derive(Debug)]
pub struct Netlink {
    ty: i32,
    ports: Arc<Ports>,
    ino: u64,
    queue: WaitQueue,
    sndbuf: AtomicUsize,
    inner: Mutex<Inner>,
}

/// An attribute: its length and type, its data, padding to 4 bytes.
fn rtattr(out: &mut Vec<u8>, ty: u16, data: &[u8]) {
    let len = u16::try_from(4 + data.len()).expect("small");
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(4), 0);
}

/// One message: its header (to port `port`, answering `seq`) and
/// `payload`, padded to 4 bytes.
fn nlmsg(out: &mut Vec<u8>, ty: u16, flags: u16, seq: u32, port: u32, payload: &[u8]) {
    let len = u32::try_from(NLMSG_HDRLEN + payload.len()).expect("small");
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&port.to_ne_bytes());
    out.extend_from_slice(payload);
    out.resize(out.len().next_multiple_of(4), 0);
}

/// `lo` as `RTM_NEWLINK` describes it: `struct ifinfomsg`, then its
/// name, MTU, queue length, state and (zero) hardware addresses.
fn link() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&[0, 0]); // ifi_family AF_UNSPEC, padding
    v.extend_from_slice(&iface::ARPHRD_LOOPBACK.to_ne_bytes());
    v.extend_from_slice(&iface::INDEX.to_ne_bytes());
    v.extend_from_slice(&iface::FLAGS_ALL.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes()); // ifi_change
    rtattr(&mut v, IFLA_IFNAME, b"lo\0");
    rtattr(&mut v, IFLA_TXQLEN, &iface::TXQLEN.to_ne_bytes());
    rtattr(&mut v, IFLA_MTU, &iface::MTU.to_ne_bytes());
    rtattr(&mut v, IFLA_OPERSTATE, &[IF_OPER_UNKNOWN]);
    rtattr(&mut v, IFLA_ADDRESS, &[0; 6]);
    rtattr(&mut v, IFLA_BROADCAST, &[0; 6]);
    v
}

/// `lo`'s addresses of `family` (0: both) as `RTM_NEWADDR` describes
/// them: `struct ifaddrmsg`, then the address (and for IPv4 the local
/// address and label).
fn addresses(family: u8) -> Vec<Vec<u8>> {
    let index = u32::try_from(iface::INDEX).expect("positive");
    let head = |fam: i32, prefix: u8| {
        let mut v = vec![
            u8::try_from(fam).expect("small"),
            prefix,
            IFA_F_PERMANENT,
            RT_SCOPE_HOST,
        ];
        v.extend_from_slice(&index.to_ne_bytes());
        v
    };
    let mut out = Vec::new();
    if family == 0 || i32::from(family) == AF_INET {
        let mut v = head(AF_INET, iface::PREFIX4);
        rtattr(&mut v, IFA_ADDRESS, &iface::ADDR4);
        rtattr(&mut v, IFA_LOCAL, &iface::ADDR4);
        rtattr(&mut v, IFA_LABEL, b"lo\0");
        out.push(v);
    }
    if family == 0 || i32::from(family) == AF_INET6 {
        let mut v = head(AF_INET6, 128);
        rtattr(&mut v, IFA_ADDRESS, &std::net::Ipv6Addr::LOCALHOST.octets());
        out.push(v);
    }
    out
}

/// Whether a link request (`struct ifinfomsg` and attributes) names
/// `lo`, by index or by `IFLA_IFNAME`.
fn names_lo(req: &[u8]) -> bool {
    if req.len() < 16 {
        return false;
    }
    let index = i32::from_ne_bytes([req[4], req[5], req[6], req[7]]);
    if index != 0 {
        return index == iface::INDEX;
    }
    let mut off = 16;
    while off + 4 <= req.len() {
        let len = usize::from(u16::from_ne_bytes([req[off], req[off + 1]]));
        let ty = u16::from_ne_bytes([req[off + 2], req[off + 3]]);
        if len < 4 || off + len > req.len() {
            break;
        }
        if ty == IFLA_IFNAME {
            let name = &req[off + 4..off + len];
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            return &name[..end] == iface::NAME;
        }
        off += len.next_multiple_of(4);
    }
    false
}

/// The kernel's address, what every reply comes from.
pub fn kernel_addr() -> Vec<u8> {
    sockaddr_nl(0, 0)
}

fn sockaddr_nl(port: u32, groups: u32) -> Vec<u8> {
    let mut v = u16::try_from(AF_NETLINK)
        .expect("small")
        .to_ne_bytes()
        .to_vec();
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&port.to_ne_bytes());
    v.extend_from_slice(&groups.to_ne_bytes());
    v
}

/// A `sockaddr_nl` argument: its port id and groups; `EINVAL` if short
/// or of another family.
fn parse(raw: &[u8]) -> Result<(u32, u32), Errno> {
    if raw.len() < SOCKADDR_NL_SIZE || i32::from(u16::from_ne_bytes([raw[0], raw[1]])) != AF_NETLINK
    {
        return Err(Errno::EINVAL);
    }
    let port = u32::from_ne_bytes([raw[4], raw[5], raw[6], raw[7]]);
    let groups = u32::from_ne_bytes([raw[8], raw[9], raw[10], raw[11]]);
    Ok((port, groups))
}

/// One received datagram.
#[derive(Debug)]
pub struct Received {
    pub data: Vec<u8>,
    pub len: usize,
}

impl Netlink {
    /// A socket of type `ty` (`SOCK_RAW` or `SOCK_DGRAM`).
    pub fn new(ty: i32, ports: &Arc<Ports>, owner: (u32, u32)) -> Arc<Netlink> {
        Arc::new(Netlink {
            ty,
            ports: ports.clone(),
            ino: super::next_ino(),
            queue: WaitQueue::default(),
            sndbuf: AtomicUsize::new(DEFAULT_BUF),
            inner: Mutex::new(Inner {
                port: 0,
                groups: 0,
                recv: VecDeque::new(),
                err: None,
                opts: Options::default(),
                ext_ack: false,
                strict_chk: false,
                owner,
            }),
        })
    }

    pub fn ty(&self) -> i32 {
        self.ty
    }

    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    pub fn with_options<T>(&self, f: impl FnOnce(&mut Options) -> T) -> T {
        f(&mut self.inner.lock().opts)
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

    pub fn set_error(&self, e: Errno) {
        self.inner.lock().err = Some(e);
        self.queue.notify(POLLERR);
    }

    /// `SIOCINQ`: the next datagram's length.
    pub fn readable(&self) -> usize {
        self.inner.lock().recv.front().map_or(0, Vec::len)
    }

    pub fn stat(&self) -> Stat {
        super::sockfs_stat(self.ino, self.inner.lock().owner)
    }

    pub fn poll(&self) -> u32 {
        let st = self.inner.lock();
        let mut ev = POLLOUT | POLLWRNORM | POLLWRBAND;
        if !st.recv.is_empty() {
            ev |= POLLIN | POLLRDNORM;
        }
        if st.err.is_some() {
            ev |= POLLERR;
        }
        ev
    }

    /// `NETLINK_EXT_ACK` and `NETLINK_GET_STRICT_CHK`, kept and read
    /// back (errors here carry no extended information either way).
    pub fn set_flag(&self, name: i32, on: bool) -> Result<(), Errno> {
        let mut st = self.inner.lock();
        match name {
            NETLINK_EXT_ACK => st.ext_ack = on,
            NETLINK_GET_STRICT_CHK => st.strict_chk = on,
            _ => return Err(Errno::ENOPROTOOPT),
        }
        Ok(())
    }

    pub fn flag(&self, name: i32) -> Result<bool, Errno> {
        let st = self.inner.lock();
        match name {
            NETLINK_EXT_ACK => Ok(st.ext_ack),
            NETLINK_GET_STRICT_CHK => Ok(st.strict_chk),
            _ => Err(Errno::ENOPROTOOPT),
        }
    }

    fn autobind(&self, st: &mut Inner, tgid: u32) -> Result<(), Errno> {
        if st.port == 0 {
            st.port = self.ports.claim(0, tgid)?;
        }
        Ok(())
    }

    /// bind(2): a port id of 0 is chosen (the process's id first);
    /// another must be free. Bound already, it must be the same one.
    pub fn bind(&self, raw: &[u8], tgid: u32) -> Result<(), Errno> {
        let (port, groups) = parse(raw)?;
        let mut st = self.inner.lock();
        if st.port != 0 {
            if port != 0 && port != st.port {
                return Err(Errno::EINVAL);
            }
        } else {
            st.port = self.ports.claim(port, tgid)?;
        }
        st.groups = groups;
        Ok(())
    }

    /// connect(2): only the kernel (port 0) can be connected to here;
    /// `AF_UNSPEC` disconnects.
    pub fn connect(&self, raw: &[u8], tgid: u32) -> Result<(), Errno> {
        if raw.len() >= 2 && i32::from(u16::from_ne_bytes([raw[0], raw[1]])) == AF_UNSPEC {
            return Ok(());
        }
        let (port, _) = parse(raw)?;
        if port != 0 {
            return Err(Errno::ECONNREFUSED);
        }
        self.autobind(&mut self.inner.lock(), tgid)
    }

    /// getsockname: its port id and groups.
    pub fn local(&self) -> Vec<u8> {
        let st = self.inner.lock();
        sockaddr_nl(st.port, st.groups)
    }

    /// Sends `data` to `to` (raw; none: the kernel): its requests are
    /// answered into this socket's queue. Another process's port is
    /// `ECONNREFUSED`: the sandbox's netlink has only the kernel.
    pub fn send(&self, data: &[u8], to: Option<&[u8]>, tgid: u32) -> Result<usize, Errno> {
        if let Some(raw) = to {
            if parse(raw)?.0 != 0 {
                return Err(Errno::ECONNREFUSED);
            }
        }
        let port = {
            let mut st = self.inner.lock();
            self.autobind(&mut st, tgid)?;
            st.port
        };
        let mut replies = Vec::new();
        let mut off = 0;
        while off + NLMSG_HDRLEN <= data.len() {
            let field = |at: usize| [data[off + at], data[off + at + 1]];
            let len = u32::from_ne_bytes([data[off], data[off + 1], data[off + 2], data[off + 3]]);
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            if len < NLMSG_HDRLEN || len > data.len() - off {
                break;
            }
            let ty = u16::from_ne_bytes(field(4));
            let flags = u16::from_ne_bytes(field(6));
            if flags & NLM_F_REQUEST != 0 && ty >= NLMSG_MIN_TYPE {
                self.answer(&data[off..off + len], port, &mut replies);
            }
            off += len.next_multiple_of(4);
        }
        if !replies.is_empty() {
            self.inner.lock().recv.extend(replies);
            self.queue.notify(POLLIN | POLLRDNORM);
        }
        Ok(data.len())
    }

    /// The replies to one request `msg` (header and payload).
    fn answer(&self, msg: &[u8], port: u32, out: &mut Vec<Vec<u8>>) {
        let ty = u16::from_ne_bytes([msg[4], msg[5]]);
        let flags = u16::from_ne_bytes([msg[6], msg[7]]);
        let seq = u32::from_ne_bytes([msg[8], msg[9], msg[10], msg[11]]);
        let payload = &msg[NLMSG_HDRLEN..];
        let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
        let entries = match (ty, dump) {
            (RTM_GETLINK, true) => Ok((RTM_NEWLINK, vec![link()])),
            (RTM_GETLINK, false) if names_lo(payload) => Ok((RTM_NEWLINK, vec![link()])),
            (RTM_GETLINK, false) => Err(Errno::ENODEV),
            (RTM_GETADDR, true) => {
                let family = payload.first().copied().unwrap_or(0);
                Ok((RTM_NEWADDR, addresses(family)))
            }
            _ => Err(Errno::EOPNOTSUPP),
        };
        match entries {
            Ok((kind, list)) if dump => {
                let mut d = Vec::new();
                for e in &list {
                    nlmsg(&mut d, kind, NLM_F_MULTI, seq, port, e);
                }
                if !d.is_empty() {
                    out.push(d);
                }
                let mut done = Vec::new();
                nlmsg(
                    &mut done,
                    NLMSG_DONE,
                    NLM_F_MULTI,
                    seq,
                    port,
                    &0i32.to_ne_bytes(),
                );
                out.push(done);
            }
            Ok((kind, list)) => {
                let mut d = Vec::new();
                for e in &list {
                    nlmsg(&mut d, kind, 0, seq, port, e);
                }
                out.push(d);
                if flags & NLM_F_ACK != 0 {
                    out.push(error_msg(0, &msg[..NLMSG_HDRLEN], seq, port));
                }
            }
            // An error echoes the whole request.
            Err(e) => out.push(error_msg(-e.raw(), msg, seq, port)),
        }
    }

    /// Receives one datagram of at most `max` bytes (the rest is lost
    /// unless `peek`); `EAGAIN` to wait.
    pub fn recv(&self, max: usize, peek: bool) -> Result<Option<Received>, Errno> {
        let mut st = self.inner.lock();
        if let Some(e) = st.err.take() {
            return Err(e);
        }
        let front = st.recv.front().ok_or(Errno::EAGAIN)?;
        let len = front.len();
        let data = if peek {
            front[..len.min(max)].to_vec()
        } else {
            let mut d = st.recv.pop_front().expect("looked at above");
            d.truncate(max);
            d
        };
        Ok(Some(Received { data, len }))
    }

    /// The last close: its port id is free again.
    pub fn close(&self) {
        let mut st = self.inner.lock();
        if st.port != 0 {
            self.ports.used.lock().remove(&st.port);
            st.port = 0;
        }
        st.recv.clear();
    }
}

/// An `NLMSG_ERROR` (an acknowledgement when `err` is 0) echoing `req`.
fn error_msg(err: i32, req: &[u8], seq: u32, port: u32) -> Vec<u8> {
    let mut payload = err.to_ne_bytes().to_vec();
    payload.extend_from_slice(req);
    let mut v = Vec::new();
    nlmsg(&mut v, NLMSG_ERROR, 0, seq, port, &payload);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ty: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        nlmsg(&mut v, ty, flags | NLM_F_REQUEST, 7, 0, payload);
        v
    }

    #[test]
    fn link_dump_is_lo_then_done() {
        let s = Netlink::new(SOCK_RAW, &Arc::default(), (0, 0));
        let req = request(RTM_GETLINK, NLM_F_DUMP, &[0; 16]);
        assert_eq!(s.send(&req, None, 42), Ok(req.len()));
        let first = s.recv(65536, false).unwrap().unwrap().data;
        assert_eq!(u16::from_ne_bytes([first[4], first[5]]), RTM_NEWLINK);
        assert_eq!(
            u32::from_ne_bytes([first[12], first[13], first[14], first[15]]),
            42
        );
        let done = s.recv(65536, false).unwrap().unwrap().data;
        assert_eq!(u16::from_ne_bytes([done[4], done[5]]), NLMSG_DONE);
        assert_eq!(s.recv(65536, false).unwrap_err(), Errno::EAGAIN);
    }

    #[test]
    fn unknown_requests_are_refused_with_the_request_echoed() {
        let s = Netlink::new(SOCK_RAW, &Arc::default(), (0, 0));
        let req = request(99, 0, &[1, 2, 3, 4]);
        s.send(&req, None, 1).unwrap();
        let e = s.recv(65536, false).unwrap().unwrap().data;
        assert_eq!(u16::from_ne_bytes([e[4], e[5]]), NLMSG_ERROR);
        let code = i32::from_ne_bytes([e[16], e[17], e[18], e[19]]);
        assert_eq!(code, -Errno::EOPNOTSUPP.raw());
        assert_eq!(&e[20..], &req[..]);
    }

    #[test]
    fn port_ids_are_the_process_first_then_negative() {
        let ports = Arc::new(Ports::default());
        assert_eq!(ports.claim(0, 5), Ok(5));
        assert!(ports.claim(0, 5).unwrap() > 0x8000_0000);
        assert_eq!(ports.claim(5, 9), Err(Errno::EADDRINUSE));
    }
}
