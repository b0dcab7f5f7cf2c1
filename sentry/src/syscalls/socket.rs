//! Socket setup calls: socket, socketpair, bind, listen, accept,
//! accept4, connect, shutdown, getsockname, getpeername, setsockopt and
//! getsockopt, and what the data calls (`sockmsg`) share with them:
//! addresses, credentials, waiting. AF_UNIX is here; AF_INET and
//! AF_INET6 are in `inet`; other families answer EAFNOSUPPORT
//! (docs/compatibility.md).

use std::sync::Arc;
use std::time::Duration;

use abi::socket::*;
use abi::types::{Linger, Timeval, Ucred};
use abi::Errno;

use super::fd::{install, install_pair, nofile};
use super::inet;
use super::namei::parent_for_create;
use super::open::create_in;
use super::path::{lookup_at, AT_FDCWD};
use crate::arch::SyscallArgs;
use crate::creds::{CAP_NET_ADMIN, CAP_NET_RAW};
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::net::netlink::{self, Netlink};
use crate::net::unix::{Endpoint, Kind, Name};
use crate::net::{Family, Socket, Timeout, MAX_BUF, MIN_RCVBUF, MIN_SNDBUF, SOMAXCONN};
use crate::vfs::perm::{self, MAY_WRITE};
use crate::vfs::NewKind;
use crate::waiter::WaitQueue;

/// The socket behind descriptor `fd`: `EBADF`, or `ENOTSOCK` for
/// another file.
pub(super) fn socket_of(t: &Task, fd: i32) -> Result<(Arc<FileDescription>, Family), Errno> {
    let f = t.fds.lock().get(fd)?;
    let fam = family_of(&f)?;
    Ok((f, fam))
}

fn family_of(f: &FileDescription) -> Result<Family, Errno> {
    Ok(Socket::of(f).ok_or(Errno::ENOTSOCK)?.family().clone())
}

/// The credentials a message carries by default: the sender's process
/// and real ids (Linux's `current_uid_gid`).
pub(super) fn scm_cred(t: &Task) -> Ucred {
    Ucred {
        pid: t.tgid,
        uid: t.creds.ruid,
        gid: t.creds.rgid,
    }
}

/// The credentials `SO_PEERCRED` shows of a task: its process and
/// effective ids.
fn peer_cred(t: &Task) -> Ucred {
    Ucred {
        pid: t.tgid,
        uid: t.creds.euid,
        gid: t.creds.egid,
    }
}

/// The process id netlink names a task's sockets by.
fn tgid(t: &Task) -> u32 {
    u32::try_from(t.tgid).unwrap_or(0)
}

/// The owner of a socket a task makes (its fsuid and fsgid).
fn owner(t: &Task) -> (u32, u32) {
    (t.creds.fsuid, t.creds.fsgid)
}

/// A socket file for `fam`, read-write as Linux's `sock_alloc_file`.
fn socket_file(fam: Family, nonblock: bool) -> FileDescription {
    let flags = libc::O_RDWR | if nonblock { libc::O_NONBLOCK } else { 0 };
    FileDescription::new(Box::new(Socket::new(fam)), flags)
}

/// Reads an address argument (Linux's `move_addr_to_kernel`): a length
/// past `sockaddr_storage` (or negative) is `EINVAL`, none is empty.
pub(super) fn read_addr(t: &Task, addr: u64, len: i32) -> Result<Vec<u8>, Errno> {
    let len = usize::try_from(len).map_err(|_| Errno::EINVAL)?;
    if len > SOCKADDR_STORAGE_SIZE {
        return Err(Errno::EINVAL);
    }
    let mut v = vec![0u8; len];
    if len > 0 {
        t.mm.copy_in(addr, &mut v)?;
    }
    Ok(v)
}

/// An AF_UNIX address.
#[derive(Debug)]
pub(super) enum UnixAddr {
    /// A filesystem path, without its NUL.
    Path(Vec<u8>),
    /// An abstract name, its leading NUL included.
    Abstract(Vec<u8>),
}

fn family(raw: &[u8]) -> i32 {
    match raw {
        [a, b, ..] => i32::from(u16::from_ne_bytes([*a, *b])),
        _ => -1,
    }
}

/// Linux's `unix_validate_addr`, then the name: a path ends at its first
/// NUL (or the address's end); an abstract name is every byte given.
pub(super) fn parse_unix(raw: &[u8]) -> Result<UnixAddr, Errno> {
    if raw.len() <= SUN_PATH_OFFSET || raw.len() > SOCKADDR_UN_SIZE || family(raw) != AF_UNIX {
        return Err(Errno::EINVAL);
    }
    let path = &raw[SUN_PATH_OFFSET..];
    if path[0] == 0 {
        return Ok(UnixAddr::Abstract(path.to_vec()));
    }
    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
    Ok(UnixAddr::Path(path[..end].to_vec()))
}

/// The `sockaddr_un` bytes of a name; an unnamed socket is the family
/// alone.
pub(super) fn sockaddr(name: Option<&Name>) -> Vec<u8> {
    let mut v = u16::try_from(AF_UNIX)
        .expect("small")
        .to_ne_bytes()
        .to_vec();
    if let Some(n) = name {
        v.extend_from_slice(n.bytes());
    }
    v
}

/// Writes an address back (Linux's `move_addr_to_user`): as much of
/// `kaddr` as the length at `ulen` allows, then its whole length there.
pub(super) fn write_addr(t: &Task, kaddr: &[u8], uaddr: u64, ulen: u64) -> Result<(), Errno> {
    let len: i32 = t.mm.read_obj(ulen)?;
    let klen = i32::try_from(kaddr.len()).expect("at most sockaddr_storage");
    let n = len.min(klen);
    let n = usize::try_from(n).map_err(|_| Errno::EINVAL)?;
    if n > 0 {
        t.mm.copy_out(uaddr, &kaddr[..n])?;
    }
    t.mm.write_obj(ulen, &klen)
}

/// The socket an address names (Linux's `unix_find_other`): a path is
/// looked up, must be writable and a socket (`ECONNREFUSED` otherwise,
/// or with nobody bound to it).
pub(super) fn resolve(t: &Task, kind: Kind, addr: &UnixAddr) -> Result<Arc<Endpoint>, Errno> {
    match addr {
        UnixAddr::Abstract(n) => t.kernel.unix.find_abstract(n, kind),
        UnixAddr::Path(p) => {
            let loc = lookup_at(t, AT_FDCWD, p, true, false)?;
            let st = loc.inode().stat()?;
            perm::check_stat(&t.creds, &st, MAY_WRITE)?;
            if crate::vfs::file_type(st.st_mode) != abi::stat::S_IFSOCK {
                return Err(Errno::ECONNREFUSED);
            }
            t.kernel.unix.find_path(loc.inode(), kind)
        }
    }
}

/// Runs `attempt` until it stops answering `EAGAIN`, as Linux's socket
/// waits: at once when `nonblocking` or the timeout is zero, else
/// waiting on the socket's `queue`. A timeout ends the wait with `EAGAIN`; a
/// signal with `ERESTARTSYS`, or `EINTR` when the wait has a timeout
/// (Linux's `sock_intr_errno`: such calls are never restarted).
pub(super) fn wait<T>(
    t: &Task,
    queue: &WaitQueue,
    nonblocking: bool,
    timeout: Timeout,
    mut attempt: impl FnMut() -> Result<T, Errno>,
) -> Result<T, Errno> {
    let deadline = match timeout {
        Timeout::Forever => None,
        Timeout::After(d) => Some(super::timeval::instant_after(d)),
    };
    match attempt() {
        Err(Errno::EAGAIN) => {}
        r => return r,
    }
    if nonblocking || timeout == Timeout::After(Duration::ZERO) {
        return Err(Errno::EAGAIN);
    }
    let _reg = queue.register(&t.shared.waker);
    let r = t.block(deadline, || match attempt() {
        Err(Errno::EAGAIN) => None,
        r => Some(r),
    });
    match r {
        Ok(r) => r,
        Err(Errno::ETIMEDOUT) => Err(Errno::EAGAIN),
        Err(Errno::ERESTARTSYS) if deadline.is_some() => Err(Errno::EINTR),
        Err(e) => Err(e),
    }
}

/// Whether a call may wait at all: not non-blocking, no zero timeout.
pub(super) fn can_wait(nonblocking: bool, timeout: Timeout) -> bool {
    !nonblocking && timeout != Timeout::After(Duration::ZERO)
}

/// The type argument of socket/socketpair: the type, `SOCK_NONBLOCK`,
/// `SOCK_CLOEXEC`; other flags are `EINVAL`.
fn split_type(ty: i32) -> Result<(i32, bool, bool), Errno> {
    let flags = ty & !SOCK_TYPE_MASK;
    if flags & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok((
        ty & SOCK_TYPE_MASK,
        flags & SOCK_NONBLOCK != 0,
        flags & SOCK_CLOEXEC != 0,
    ))
}

/// The socket asked for, with Linux's checks in its order: the family,
/// the type, then the family's own.
fn make_socket(t: &Task, family: i32, ty: i32, protocol: i32) -> Result<Family, Errno> {
    if !(0..AF_MAX).contains(&family) {
        return Err(Errno::EAFNOSUPPORT);
    }
    if !(0..SOCK_MAX).contains(&ty) {
        return Err(Errno::EINVAL);
    }
    match family {
        AF_UNIX => {
            if protocol != 0 && protocol != AF_UNIX {
                return Err(Errno::EPROTONOSUPPORT);
            }
            let kind = Kind::from_type(ty)?;
            Ok(Family::Unix(Endpoint::new(kind, &t.kernel.unix, owner(t))))
        }
        AF_INET | AF_INET6 => inet::create(t, family, ty, protocol),
        AF_NETLINK => {
            if ty != SOCK_RAW && ty != SOCK_DGRAM {
                return Err(Errno::ESOCKTNOSUPPORT);
            }
            // Only the routing protocol (docs/compatibility.md).
            if protocol != NETLINK_ROUTE {
                return Err(Errno::EPROTONOSUPPORT);
            }
            Ok(Family::Netlink(Netlink::new(
                ty,
                &t.kernel.netlink,
                owner(t),
            )))
        }
        // Only these families (docs/compatibility.md).
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// Implements socket(2).
pub fn sys_socket(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (ty, nonblock, cloexec) = split_type(a.int(1))?;
    let fam = make_socket(t, a.int(0), ty, a.int(2))?;
    install(t, socket_file(fam, nonblock), cloexec)
}

/// Implements socketpair(2): AF_UNIX only; the other families make
/// their socket (with its checks) and answer `EOPNOTSUPP`.
pub fn sys_socketpair(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (ty, nonblock, cloexec) = split_type(a.int(1))?;
    let Family::Unix(first) = make_socket(t, a.int(0), ty, a.int(2))? else {
        return Err(Errno::EOPNOTSUPP);
    };
    let (x, y) = Endpoint::pair(first.kind(), &t.kernel.unix, owner(t), peer_cred(t));
    first.close();
    install_pair(
        t,
        socket_file(Family::Unix(x), nonblock),
        socket_file(Family::Unix(y), nonblock),
        cloexec,
        a.addr(3),
    )?;
    Ok(0)
}

/// Implements bind(2). An address of the family alone binds to a fresh
/// abstract name (autobind); a path makes a socket node, `EADDRINUSE`
/// if the name exists.
pub fn sys_bind(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (_, fam) = socket_of(t, a.fd(0))?;
    let raw = read_addr(t, a.addr(1), a.int(2))?;
    let ep = match fam {
        Family::Unix(ep) => ep,
        Family::Netlink(n) => {
            n.bind(&raw, tgid(t))?;
            return Ok(0);
        }
        Family::Tcp(_) | Family::Udp(_) => {
            inet::bind(t, &fam, &raw)?;
            return Ok(0);
        }
    };
    if raw.len() == SUN_PATH_OFFSET && family(&raw) == AF_UNIX {
        ep.autobind()?;
        return Ok(0);
    }
    match parse_unix(&raw)? {
        UnixAddr::Abstract(n) => ep.bind_abstract(Name::abstract_name(&n))?,
        UnixAddr::Path(p) => bind_path(t, &ep, &p)?,
    }
    Ok(0)
}

/// Linux's `unix_bind_bsd`: the node is made first (with the socket's
/// mode, 0777 less the umask), then bound; a socket bound already
/// removes it again and answers `EINVAL`.
fn bind_path(t: &Task, ep: &Endpoint, path: &[u8]) -> Result<(), Errno> {
    let in_use = |e| {
        if e == Errno::EEXIST {
            Errno::EADDRINUSE
        } else {
            e
        }
    };
    let (dir, name) = parent_for_create(t, AT_FDCWD, path, false).map_err(in_use)?;
    let umask = t.fs.lock().umask;
    let made = create_in(t, &dir, &name, NewKind::Socket, 0o777 & !umask).map_err(in_use)?;
    if let Err(e) = ep.bind_path(Name::path(path), made.inode().clone()) {
        let _ = dir.dentry.locked(|| {
            dir.inode().unlink(&name, false)?;
            dir.dentry.remove_child(&name);
            Ok::<_, Errno>(())
        });
        return Err(e);
    }
    Ok(())
}

/// Implements listen(2); a backlog above `SOMAXCONN` (or negative) is
/// `SOMAXCONN`.
pub fn sys_listen(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (_, fam) = socket_of(t, a.fd(0))?;
    let backlog = usize::try_from(a.uint(1))
        .unwrap_or(SOMAXCONN)
        .min(SOMAXCONN);
    match fam {
        Family::Unix(ep) => ep.listen(backlog, peer_cred(t))?,
        Family::Tcp(s) => s.listen(backlog)?,
        Family::Udp(_) | Family::Netlink(_) => return Err(Errno::EOPNOTSUPP),
    }
    Ok(0)
}

/// Implements accept(2).
pub fn sys_accept(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    accept(t, a.fd(0), a.addr(1), a.addr(2), 0)
}

/// Implements accept4(2): `SOCK_NONBLOCK` and `SOCK_CLOEXEC`, others
/// `EINVAL`.
pub fn sys_accept4(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    accept(t, a.fd(0), a.addr(1), a.addr(2), a.int(3))
}

fn accept(t: &Task, fd: i32, addr: u64, lenp: u64, flags: i32) -> Result<u64, Errno> {
    // Linux's order: the descriptor, the flags, a free descriptor (taken
    // before it waits), then whether it is a socket.
    let f = t.fds.lock().get(fd)?;
    if flags & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    if !t.fds.lock().has_free(nofile(t)) {
        return Err(Errno::EMFILE);
    }
    let nonblock = flags & SOCK_NONBLOCK != 0;
    let (file, name) = match family_of(&f)? {
        Family::Unix(ep) => {
            let nonblocking = f.nonblocking();
            let timeout = ep.with_options(|o| o.rcvtimeo);
            let waits = can_wait(nonblocking, timeout);
            let new = wait(t, ep.queue(), nonblocking, timeout, || ep.accept(waits))?;
            new.set_owner(owner(t));
            let file = socket_file(Family::Unix(new.clone()), nonblock);
            let peer = new.peer_name().map_err(|_| Errno::ECONNABORTED);
            (file, peer.map(|p| sockaddr(p.as_deref())))
        }
        Family::Tcp(s) => {
            let new = inet::accept(t, &f, &s)?;
            new.endpoint().set_owner(owner(t));
            let peer = new.peer().map(|p| inet::name(new.domain(), p));
            (socket_file(Family::Tcp(new), nonblock), peer)
        }
        Family::Udp(_) | Family::Netlink(_) => return Err(Errno::EOPNOTSUPP),
    };
    if addr != 0 {
        // A bad address buffer loses the connection, as on Linux.
        write_addr(t, &name?, addr, lenp)?;
    }
    install(t, file, flags & SOCK_CLOEXEC != 0)
}

/// Implements connect(2). Stream and seqpacket sockets wait while the
/// listener's backlog is full (`EAGAIN` when non-blocking: AF_UNIX never
/// answers `EINPROGRESS`); datagram sockets set their peer, or forget it
/// with `AF_UNSPEC`.
pub fn sys_connect(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = t.fds.lock().get(a.fd(0))?;
    let raw = read_addr(t, a.addr(1), a.int(2))?;
    let ep = match family_of(&f)? {
        Family::Unix(ep) => ep,
        Family::Netlink(n) => {
            n.connect(&raw, tgid(t))?;
            return Ok(0);
        }
        fam => {
            inet::connect(t, &f, &fam, &raw)?;
            return Ok(0);
        }
    };
    if ep.kind() == Kind::Dgram {
        if raw.len() < SUN_PATH_OFFSET {
            return Err(Errno::EINVAL);
        }
        if family(&raw) == AF_UNSPEC {
            ep.connect_dgram(None)?;
            return Ok(0);
        }
    }
    let addr = parse_unix(&raw)?;
    if ep.with_options(|o| o.passcred) && !ep.is_bound() {
        ep.autobind()?;
    }
    let target = resolve(t, ep.kind(), &addr)?;
    if ep.kind() == Kind::Dgram {
        ep.connect_dgram(Some(&target))?;
        return Ok(0);
    }
    let timeout = ep.with_options(|o| o.sndtimeo);
    let cred = peer_cred(t);
    wait(t, ep.queue(), f.nonblocking(), timeout, || {
        ep.connect_stream(&target, cred)
    })?;
    Ok(0)
}

/// Implements shutdown(2). Linux allows it on any AF_UNIX socket,
/// connected or not; an unconnected inet socket is `ENOTCONN`.
pub fn sys_shutdown(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (_, fam) = socket_of(t, a.fd(0))?;
    let how = a.int(1);
    if !(SHUT_RD..=SHUT_RDWR).contains(&how) {
        return Err(Errno::EINVAL);
    }
    match fam {
        Family::Unix(ep) => ep.shutdown(how),
        Family::Tcp(s) => s.shutdown(how)?,
        Family::Udp(s) => s.shutdown(how)?,
        Family::Netlink(_) => return Err(Errno::EOPNOTSUPP),
    }
    Ok(0)
}

/// The address getsockname reports: an unbound AF_UNIX socket's is its
/// family alone, an unbound inet socket's the wildcard and port 0.
fn local_name(fam: &Family) -> Vec<u8> {
    match fam {
        Family::Unix(ep) => sockaddr(ep.local_name().as_deref()),
        Family::Tcp(s) => inet::name(s.domain(), s.local()),
        Family::Udp(s) => inet::name(s.domain(), s.local()),
        Family::Netlink(n) => n.local(),
    }
}

/// The address getpeername reports: `ENOTCONN` without a peer.
fn peer_name(fam: &Family) -> Result<Vec<u8>, Errno> {
    Ok(match fam {
        Family::Unix(ep) => sockaddr(ep.peer_name()?.as_deref()),
        Family::Tcp(s) => inet::name(s.domain(), s.peer()?),
        Family::Udp(s) => inet::name(s.domain(), s.peer()?),
        // Its peer is always the kernel.
        Family::Netlink(_) => netlink::kernel_addr(),
    })
}

/// Implements getsockname(2).
pub fn sys_getsockname(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (_, fam) = socket_of(t, a.fd(0))?;
    write_addr(t, &local_name(&fam), a.addr(1), a.addr(2))?;
    Ok(0)
}

/// Implements getpeername(2).
pub fn sys_getpeername(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (_, fam) = socket_of(t, a.fd(0))?;
    write_addr(t, &peer_name(&fam)?, a.addr(1), a.addr(2))?;
    Ok(0)
}

/// A buffer size option: Linux doubles what it is given (for its
/// bookkeeping), within the limits.
fn buffer_size(val: i32, max: usize, min: usize, force: bool) -> usize {
    #[allow(clippy::cast_sign_loss)]
    let v = if force {
        usize::try_from(val).unwrap_or(0)
    } else {
        // min_t(u32, ...): a negative value is huge.
        (val as u32 as usize).min(max)
    };
    let half_max = usize::try_from(i32::MAX / 2).expect("positive");
    (v.min(half_max) * 2).max(min)
}

/// A timeout option's value, as Linux's `sock_set_timeout`.
fn timeout_of(tv: &Timeval) -> Result<Timeout, Errno> {
    if !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(Errno::EDOM);
    }
    if tv.tv_sec < 0 {
        return Ok(Timeout::After(Duration::ZERO));
    }
    if tv.tv_sec == 0 && tv.tv_usec == 0 {
        return Ok(Timeout::Forever);
    }
    let ms = u64::try_from(tv.tv_usec).expect("checked").div_ceil(1000);
    Ok(Timeout::After(
        Duration::from_secs(tv.tv_sec.cast_unsigned()) + Duration::from_millis(ms),
    ))
}

fn timeval_of(t: Timeout) -> Timeval {
    match t {
        Timeout::Forever => Timeval::default(),
        Timeout::After(d) => super::timeval::dur_tv(d),
    }
}

/// Implements setsockopt(2): `SOL_SOCKET` options, and the IP levels'
/// of inet sockets; AF_UNIX has no other level (`EOPNOTSUPP`).
pub fn sys_setsockopt(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (level, name, optval, optlen) = (a.int(1), a.int(2), a.addr(3), a.int(4));
    let (_, ep) = socket_of(t, a.fd(0))?;
    let optlen = usize::try_from(optlen).map_err(|_| Errno::EINVAL)?;
    if level != SOL_SOCKET {
        match &ep {
            Family::Unix(_) => return Err(Errno::EOPNOTSUPP),
            Family::Netlink(n) if level == SOL_NETLINK => {
                if optlen < 4 {
                    return Err(Errno::EINVAL);
                }
                let v: i32 = t.mm.read_obj(optval)?;
                n.set_flag(name, v != 0)?;
            }
            Family::Netlink(_) => return Err(Errno::ENOPROTOOPT),
            Family::Tcp(_) | Family::Udp(_) => {
                inet::setsockopt(t, &ep, level, name, optval, optlen)?;
            }
        }
        return Ok(0);
    }
    if optlen < 4 {
        return Err(Errno::EINVAL);
    }
    let val: i32 = t.mm.read_obj(optval)?;
    let on = val != 0;
    let cap = |c| t.creds.has_cap(c);
    match name {
        SO_TYPE | SO_PROTOCOL | SO_DOMAIN | SO_ERROR | SO_ACCEPTCONN | SO_PEERCRED
        | SO_PEERNAME | SO_SNDLOWAT => return Err(Errno::ENOPROTOOPT),
        SO_DEBUG if on && !cap(CAP_NET_ADMIN) => return Err(Errno::EACCES),
        SO_DEBUG => ep.with_options(|o| o.debug = on),
        SO_REUSEADDR => ep.with_options(|o| o.reuseaddr = on),
        // SO_REUSEPORT is for inet sockets (Linux 6.13, 6.12.9, 6.1.124).
        SO_REUSEPORT if matches!(ep, Family::Unix(_)) => {
            if on {
                return Err(Errno::EOPNOTSUPP);
            }
        }
        SO_REUSEPORT => ep.with_options(|o| o.reuseport = on),
        SO_KEEPALIVE => ep.with_options(|o| o.keepalive = on),
        SO_DONTROUTE => ep.with_options(|o| o.dontroute = on),
        SO_BROADCAST => ep.with_options(|o| o.broadcast = on),
        SO_OOBINLINE => ep.with_options(|o| o.oobinline = on),
        SO_NO_CHECK => {}
        SO_PRIORITY => {
            if !(0..=6).contains(&val) && !cap(CAP_NET_ADMIN) && !cap(CAP_NET_RAW) {
                return Err(Errno::EPERM);
            }
            ep.with_options(|o| o.priority = val);
        }
        SO_SNDBUF | SO_SNDBUFFORCE => {
            let force = name == SO_SNDBUFFORCE;
            if force && !cap(CAP_NET_ADMIN) {
                return Err(Errno::EPERM);
            }
            ep.set_sndbuf(buffer_size(val, MAX_BUF, MIN_SNDBUF, force));
        }
        SO_RCVBUF | SO_RCVBUFFORCE => {
            let force = name == SO_RCVBUFFORCE;
            if force && !cap(CAP_NET_ADMIN) {
                return Err(Errno::EPERM);
            }
            let n = buffer_size(val, MAX_BUF, MIN_RCVBUF, force);
            ep.with_options(|o| o.rcvbuf = n);
        }
        SO_LINGER => {
            if optlen < std::mem::size_of::<Linger>() {
                return Err(Errno::EINVAL);
            }
            let l: Linger = t.mm.read_obj(optval)?;
            ep.with_options(|o| {
                o.linger = if l.l_onoff == 0 {
                    (false, o.linger.1)
                } else {
                    (true, l.l_linger)
                };
            });
        }
        SO_PASSCRED => ep.with_options(|o| o.passcred = on),
        SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW | SO_SNDTIMEO_OLD | SO_SNDTIMEO_NEW => {
            if optlen < std::mem::size_of::<Timeval>() {
                return Err(Errno::EINVAL);
            }
            let tv: Timeval = t.mm.read_obj(optval)?;
            let to = timeout_of(&tv)?;
            ep.with_options(|o| {
                if matches!(name, SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW) {
                    o.rcvtimeo = to;
                } else {
                    o.sndtimeo = to;
                }
            });
        }
        SO_RCVLOWAT => {
            let v = if val < 0 { i32::MAX } else { val.max(1) };
            ep.with_options(|o| o.rcvlowat = v);
        }
        SO_MARK if !cap(CAP_NET_ADMIN) => return Err(Errno::EPERM),
        SO_MARK => {}
        // SO_PEEK_OFF is not kept (docs/compatibility.md).
        SO_PEEK_OFF => return Err(Errno::EOPNOTSUPP),
        _ => return Err(Errno::ENOPROTOOPT),
    }
    Ok(0)
}

/// The `SO_TYPE`, `SO_PROTOCOL` and `SO_DOMAIN` of a socket.
fn identity(fam: &Family) -> (i32, i32, i32) {
    match fam {
        Family::Unix(ep) => (ep.kind().raw(), 0, AF_UNIX),
        Family::Tcp(s) => (SOCK_STREAM, IPPROTO_TCP, s.domain().raw()),
        Family::Udp(s) => {
            let proto = if s.is_lite() {
                IPPROTO_UDPLITE
            } else {
                IPPROTO_UDP
            };
            (SOCK_DGRAM, proto, s.domain().raw())
        }
        Family::Netlink(n) => (n.ty(), NETLINK_ROUTE, AF_NETLINK),
    }
}

/// Implements getsockopt(2): `SOL_SOCKET` options, and the IP levels'
/// of inet sockets. The value is cut to the length given, and the
/// length written back.
pub fn sys_getsockopt(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (level, name, optval, optlen) = (a.int(1), a.int(2), a.addr(3), a.addr(4));
    let (_, ep) = socket_of(t, a.fd(0))?;
    if level != SOL_SOCKET && matches!(ep, Family::Unix(_)) {
        return Err(Errno::EOPNOTSUPP);
    }
    let len: i32 = t.mm.read_obj(optlen)?;
    let len = usize::try_from(len).map_err(|_| Errno::EINVAL)?;
    if level != SOL_SOCKET {
        let value = match &ep {
            Family::Netlink(n) if level == SOL_NETLINK => {
                i32::from(n.flag(name)?).to_ne_bytes().to_vec()
            }
            Family::Netlink(_) => return Err(Errno::ENOPROTOOPT),
            _ => inet::getsockopt(&ep, level, name, len)?,
        };
        let n = len.min(value.len());
        t.mm.copy_out(optval, &value[..n])?;
        t.mm.write_obj(optlen, &i32::try_from(n).expect("small"))?;
        return Ok(0);
    }
    let int = |v: i32| v.to_ne_bytes().to_vec();
    let flag = |b: bool| int(i32::from(b));
    let size = |n: usize| int(i32::try_from(n).unwrap_or(i32::MAX));
    let opts = ep.with_options(|o| o.clone());
    let value = match name {
        SO_TYPE => int(identity(&ep).0),
        SO_PROTOCOL => int(identity(&ep).1),
        SO_DOMAIN => int(identity(&ep).2),
        SO_ERROR => int(ep.take_error().map_or(0, Errno::raw)),
        SO_ACCEPTCONN => flag(match &ep {
            Family::Unix(u) => u.is_listening(),
            Family::Tcp(s) => s.is_listening(),
            Family::Udp(_) | Family::Netlink(_) => false,
        }),
        SO_DEBUG => flag(opts.debug),
        SO_REUSEADDR => flag(opts.reuseaddr),
        SO_REUSEPORT => flag(opts.reuseport),
        SO_KEEPALIVE => flag(opts.keepalive),
        SO_DONTROUTE => flag(opts.dontroute),
        SO_BROADCAST => flag(opts.broadcast),
        SO_OOBINLINE => flag(opts.oobinline),
        SO_NO_CHECK => flag(false),
        SO_PRIORITY => int(opts.priority),
        SO_SNDBUF => size(ep.sndbuf()),
        SO_RCVBUF => size(opts.rcvbuf),
        SO_PASSCRED => flag(opts.passcred),
        SO_RCVLOWAT => int(opts.rcvlowat),
        SO_SNDLOWAT => int(1),
        SO_MARK => int(0),
        SO_LINGER => zerocopy::IntoBytes::as_bytes(&Linger {
            l_onoff: i32::from(opts.linger.0),
            l_linger: opts.linger.1,
        })
        .to_vec(),
        SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW => {
            zerocopy::IntoBytes::as_bytes(&timeval_of(opts.rcvtimeo)).to_vec()
        }
        SO_SNDTIMEO_OLD | SO_SNDTIMEO_NEW => {
            zerocopy::IntoBytes::as_bytes(&timeval_of(opts.sndtimeo)).to_vec()
        }
        SO_PEERCRED => {
            let cred = match &ep {
                Family::Unix(u) => u.peer_cred(),
                _ => None,
            };
            let c = cred.unwrap_or(Ucred {
                pid: 0,
                uid: u32::MAX,
                gid: u32::MAX,
            });
            zerocopy::IntoBytes::as_bytes(&c).to_vec()
        }
        SO_PEERNAME => {
            let v = peer_name(&ep).map_err(|_| Errno::ENOTCONN)?;
            // Linux refuses a buffer longer than the address.
            if v.len() < len {
                return Err(Errno::EINVAL);
            }
            v
        }
        SO_PEEK_OFF => return Err(Errno::EOPNOTSUPP),
        _ => return Err(Errno::ENOPROTOOPT),
    };
    let n = len.min(value.len());
    t.mm.copy_out(optval, &value[..n])?;
    t.mm.write_obj(optlen, &i32::try_from(n).expect("small"))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_sizes_double_within_limits() {
        assert_eq!(buffer_size(1, MAX_BUF, MIN_SNDBUF, false), MIN_SNDBUF);
        assert_eq!(buffer_size(10000, MAX_BUF, MIN_SNDBUF, false), 20000);
        assert_eq!(buffer_size(-1, MAX_BUF, MIN_SNDBUF, false), 2 * MAX_BUF);
        assert_eq!(buffer_size(-1, MAX_BUF, MIN_SNDBUF, true), MIN_SNDBUF);
    }

    #[test]
    fn addresses_parse_as_linux_validates_them() {
        let mut raw = vec![1u8, 0];
        assert_eq!(parse_unix(&raw).unwrap_err(), Errno::EINVAL);
        raw.extend_from_slice(b"/x\0junk");
        assert!(matches!(parse_unix(&raw), Ok(UnixAddr::Path(p)) if p == b"/x"));
        let abs = [1u8, 0, 0, b'a', 0];
        assert!(matches!(parse_unix(&abs), Ok(UnixAddr::Abstract(n)) if n == [0, b'a', 0]));
        assert_eq!(parse_unix(&[2, 0, b'a']).unwrap_err(), Errno::EINVAL);
        assert_eq!(parse_unix(&[1u8; 111]).unwrap_err(), Errno::EINVAL);
    }

    #[test]
    fn timeouts_round_up_to_milliseconds() {
        let tv = |s, u| Timeval {
            tv_sec: s,
            tv_usec: u,
        };
        assert_eq!(timeout_of(&tv(0, 0)), Ok(Timeout::Forever));
        assert_eq!(timeout_of(&tv(-1, 0)), Ok(Timeout::After(Duration::ZERO)));
        assert_eq!(
            timeout_of(&tv(1, 1)),
            Ok(Timeout::After(Duration::from_millis(1001)))
        );
        assert_eq!(timeout_of(&tv(0, 1_000_000)), Err(Errno::EDOM));
    }
}
