//! Socket data calls: sendto, recvfrom, sendmsg, recvmsg, sendmmsg,
//! recvmmsg, and read/write on sockets; control messages carry
//! descriptions (`SCM_RIGHTS`, installed in the receiver) and
//! credentials (`SCM_CREDENTIALS`) between AF_UNIX sockets, and a UDP
//! datagram's hop limit and traffic class (RFC 3542's `IPV6_HOPLIMIT`
//! and `IPV6_TCLASS`, IPv4's `IP_TTL` and `IP_TOS`) both ways. A TCP
//! connection's reads and writes are an AF_UNIX stream's.

use std::mem::offset_of;
use std::sync::Arc;
use std::time::Instant;

use abi::socket::*;
use abi::types::{Cmsghdr, Mmsghdr, Msghdr, Ucred};
use abi::Errno;
use zerocopy::FromBytes;

use super::fd::nofile;
use super::inet;
use super::read_write::{access_ok, iovecs, CHUNK, MAX_RW_COUNT, UIO_MAXIOV};
use super::socket::{
    can_wait, parse_unix, read_addr, resolve, scm_cred, sockaddr, socket_of, wait, write_addr,
};
use super::timeval::{dur_ts, instant_after, left, read_timespec};
use crate::arch::SyscallArgs;
use crate::creds::{CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN};
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::net::inet::tcp::Tcp;
use crate::net::inet::udp::SendMeta;
use crate::net::netlink;
use crate::net::unix::{Ancillary, Endpoint, Kind, Name, Pass, StreamRead};
use crate::net::{Family, Timeout};

/// `net.core.optmem_max`: control data of this size or more is
/// `ENOBUFS`.
const OPTMEM_MAX: u64 = 131_072;
/// `overflowuid` and `overflowgid`: the ids of credentials nobody sent.
const OVERFLOW_ID: u32 = 65534;

/// What one receive got.
#[derive(Debug, Default)]
struct Received {
    /// The call's result: the bytes read, or with `MSG_TRUNC` a
    /// datagram's whole length.
    len: usize,
    /// `MSG_TRUNC` when a datagram did not fit.
    flags: u32,
    /// The sender's address bytes; none for an unnamed sender, or a
    /// TCP peer.
    from: Vec<u8>,
    /// With `SO_PASSCRED`: the credentials to report (`None` when the
    /// message carried none).
    creds: Option<Option<Ucred>>,
    rights: Vec<Arc<FileDescription>>,
    /// IP-level control messages: level, type and data.
    ip: Vec<(i32, i32, Vec<u8>)>,
}

/// Copies up to `max` bytes of the application ranges `segs` in,
/// starting `skip` bytes into them; stops at the first fault, saying so.
fn gather(t: &Task, segs: &[(u64, usize)], skip: usize, max: usize) -> (Vec<u8>, bool) {
    let mut out = vec![0u8; max];
    let mut got = 0;
    let mut skip = skip;
    for &(addr, len) in segs {
        if got == max {
            break;
        }
        if skip >= len {
            skip -= len;
            continue;
        }
        let k = (len - skip).min(max - got);
        let n =
            t.mm.copy_in_partial(addr + skip as u64, &mut out[got..got + k]);
        got += n;
        skip = 0;
        if n < k {
            out.truncate(got);
            return (out, true);
        }
    }
    out.truncate(got);
    (out, false)
}

/// Where the bytes of a send come from.
#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    /// The application's ranges.
    App(&'a [(u64, usize)]),
    /// A sentry buffer (sendfile and splice).
    Buf(&'a [u8]),
}

impl Source<'_> {
    fn total(&self) -> usize {
        match self {
            Source::App(segs) => segs.iter().map(|s| s.1).sum(),
            Source::Buf(b) => b.len(),
        }
    }

    /// Up to `max` bytes from `skip` on; whether a fault cut them short.
    fn gather(&self, t: &Task, skip: usize, max: usize) -> (Vec<u8>, bool) {
        match self {
            Source::App(segs) => gather(t, segs, skip, max),
            Source::Buf(b) => (b[skip..(skip + max).min(b.len())].to_vec(), false),
        }
    }
}

/// Copies `data` out to the application ranges `segs`.
fn scatter(t: &Task, segs: &[(u64, usize)], data: &[u8]) -> Result<(), Errno> {
    let mut done = 0;
    for &(addr, len) in segs {
        if done == data.len() {
            break;
        }
        let k = len.min(data.len() - done);
        t.mm.copy_out(addr, &data[done..done + k])?;
        done += k;
    }
    Ok(())
}

/// How much of `segs` can be written, up to the first unwritable byte.
fn writable_room(t: &Task, segs: &[(u64, usize)]) -> usize {
    let mut room = 0;
    for &(addr, len) in segs {
        let w = t.mm.writable_prefix(addr, len);
        room += w;
        if w < len {
            break;
        }
    }
    room
}

/// Sends `src` on the socket `fam`, to the address `to` (raw, as
/// given) if any.
#[allow(clippy::too_many_arguments)]
fn send(
    t: &Task,
    f: &FileDescription,
    fam: &Family,
    src: Source,
    to: Option<Vec<u8>>,
    anc: Ancillary,
    ip: SendMeta,
    flags: u32,
) -> Result<usize, Errno> {
    let nonblocking = f.nonblocking() || flags & MSG_DONTWAIT != 0;
    let timeout = fam.with_options(|o| o.sndtimeo);
    match fam {
        Family::Unix(ep) if ep.kind() == Kind::Stream => {
            if flags & MSG_OOB != 0 {
                // No out-of-band data (docs/compatibility.md).
                return Err(Errno::EOPNOTSUPP);
            }
            if to.is_some() {
                return Err(if ep.is_established() {
                    Errno::EISCONN
                } else {
                    Errno::EOPNOTSUPP
                });
            }
            send_stream(t, ep, src, anc, flags, nonblocking, timeout)
        }
        Family::Unix(ep) => send_unix_dgram(t, ep, src, to, anc, flags, nonblocking, timeout),
        Family::Tcp(s) => {
            if flags & MSG_OOB != 0 {
                // No urgent data (docs/compatibility.md).
                return Err(Errno::EOPNOTSUPP);
            }
            if !anc.rights.is_empty() || anc.creds.is_some() {
                return Err(Errno::EINVAL);
            }
            // TCP ignores an address (without fast open).
            let ep = match tcp_endpoint(t, s, nonblocking, timeout) {
                Ok(ep) => ep,
                Err(Errno::ENOTCONN) => {
                    if let Some(e) = s.take_error() {
                        return Err(e);
                    }
                    if flags & MSG_NOSIGNAL == 0 {
                        t.send_sig(abi::signal::SIGPIPE);
                    }
                    return Err(Errno::EPIPE);
                }
                Err(e) => return Err(e),
            };
            send_stream(t, &ep, src, anc, flags, nonblocking, timeout)
        }
        Family::Udp(s) => {
            let dst = match to {
                Some(raw) => inet::udp_destination(s, &raw)?,
                None => None,
            };
            s.send(&message(t, src, &anc, flags)?, dst, ip)
        }
        Family::Netlink(n) => {
            let tgid = u32::try_from(t.tgid).unwrap_or(0);
            n.send(&message(t, src, &anc, flags)?, to.as_deref(), tgid)
        }
    }
}

/// The bytes of a datagram to send from a socket that takes no urgent
/// data (`EOPNOTSUPP`) and no descriptions or credentials (`EINVAL`).
fn message(t: &Task, src: Source, anc: &Ancillary, flags: u32) -> Result<Vec<u8>, Errno> {
    if flags & MSG_OOB != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if !anc.rights.is_empty() || anc.creds.is_some() {
        return Err(Errno::EINVAL);
    }
    let (data, faulted) = src.gather(t, 0, src.total());
    if faulted {
        return Err(Errno::EFAULT);
    }
    Ok(data)
}

/// A TCP socket's connection to read or write: a connection still being
/// made is waited for (`EAGAIN` when non-blocking); `ENOTCONN` without
/// one.
fn tcp_endpoint(
    t: &Task,
    s: &Tcp,
    nonblocking: bool,
    timeout: Timeout,
) -> Result<Arc<Endpoint>, Errno> {
    wait(t, s.endpoint().queue(), nonblocking, timeout, || {
        s.connected().cloned()
    })
}

/// Sends `src` on a connected stream, waiting for room as the socket
/// allows; a write cut short by a fault or a signal counts what went.
/// `EPIPE` raises `SIGPIPE` unless `MSG_NOSIGNAL`.
fn send_stream(
    t: &Task,
    ep: &Arc<Endpoint>,
    src: Source,
    mut anc: Ancillary,
    flags: u32,
    nonblocking: bool,
    timeout: Timeout,
) -> Result<usize, Errno> {
    let cur = scm_cred(t);
    let total = src.total();
    let mut done = 0;
    loop {
        let (buf, faulted) = src.gather(t, done, CHUNK.min(total - done));
        if buf.is_empty() && faulted {
            return if done > 0 {
                Ok(done)
            } else {
                Err(Errno::EFAULT)
            };
        }
        let mut sent = 0;
        let r = wait(t, ep.queue(), nonblocking, timeout, || {
            ep.send_stream(&buf, &mut sent, &mut anc, cur)
        });
        done += sent;
        if let Err(e) = r {
            if done > 0 {
                return Ok(done);
            }
            if e == Errno::EPIPE && flags & MSG_NOSIGNAL == 0 {
                t.send_sig(abi::signal::SIGPIPE);
            }
            return Err(e);
        }
        if faulted || done >= total {
            return Ok(done);
        }
    }
}

/// Sends one AF_UNIX datagram or seqpacket record.
#[allow(clippy::too_many_arguments)]
fn send_unix_dgram(
    t: &Task,
    ep: &Arc<Endpoint>,
    src: Source,
    to: Option<Vec<u8>>,
    mut anc: Ancillary,
    flags: u32,
    nonblocking: bool,
    timeout: Timeout,
) -> Result<usize, Errno> {
    let cur = scm_cred(t);
    let total = src.total();
    let mut to = to;
    if ep.kind() == Kind::SeqPacket {
        if let Some(e) = ep.take_error() {
            return Err(e);
        }
        if !ep.is_established() {
            return Err(Errno::ENOTCONN);
        }
        to = None;
    }
    if flags & MSG_OOB != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let addr = to.as_deref().map(parse_unix).transpose()?;
    if total + 32 > ep.sndbuf() {
        return Err(Errno::EMSGSIZE);
    }
    let (data, faulted) = src.gather(t, 0, total);
    if faulted {
        return Err(Errno::EFAULT);
    }
    let target = addr.map(|a| resolve(t, ep.kind(), &a)).transpose()?;
    wait(t, ep.queue(), nonblocking, timeout, || {
        ep.send_dgram(&data, target.as_ref(), &mut anc, cur)
    })
}

/// Receives into the application ranges `segs` from the socket `fam`.
fn recv(
    t: &Task,
    f: &FileDescription,
    fam: &Family,
    segs: &[(u64, usize)],
    flags: u32,
) -> Result<Received, Errno> {
    let nonblocking = f.nonblocking() || flags & MSG_DONTWAIT != 0;
    let timeout = fam.with_options(|o| o.rcvtimeo);
    let peek = flags & MSG_PEEK != 0;
    let size: usize = segs.iter().map(|s| s.1).sum();
    match fam {
        Family::Unix(ep) if ep.kind() == Kind::Stream => {
            if flags & MSG_OOB != 0 {
                // Linux with out-of-band support: there is none to read.
                return Err(Errno::EINVAL);
            }
            recv_stream(t, ep, segs, flags, nonblocking, timeout)
        }
        Family::Unix(ep) => {
            if ep.kind() == Kind::SeqPacket && !ep.is_established() {
                return Err(Errno::ENOTCONN);
            }
            if flags & MSG_OOB != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            let take = |waits| ep.recv_dgram(size, peek, waits);
            wait_datagram(t, ep.queue(), nonblocking, timeout, take, |d| {
                let from = sender_addr(d.from.as_deref());
                let mut r = datagram(t, segs, &d.data, d.len, flags, from)?;
                r.creds = ep.with_options(|o| o.passcred).then_some(d.creds);
                r.rights = d.rights;
                Ok(r)
            })
        }
        Family::Tcp(s) => {
            if flags & MSG_OOB != 0 {
                return Err(Errno::EINVAL);
            }
            let ep = match tcp_endpoint(t, s, nonblocking, timeout) {
                Err(Errno::ENOTCONN) => return Err(s.take_error().unwrap_or(Errno::ENOTCONN)),
                r => r?,
            };
            let mut r = recv_stream(t, &ep, segs, flags, nonblocking, timeout)?;
            // TCP names no sender, and carries nothing else.
            r.from.clear();
            r.creds = None;
            Ok(r)
        }
        Family::Udp(s) => {
            if flags & MSG_OOB != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            let take = |waits| s.recv(size, peek, waits);
            wait_datagram(t, s.queue(), nonblocking, timeout, take, |d| {
                let from = inet::name(s.domain(), d.from);
                let mut r = datagram(t, segs, &d.data, d.len, flags, from)?;
                r.ip = inet::udp_cmsgs(s, d.from.is_ipv4(), d.meta);
                Ok(r)
            })
        }
        Family::Netlink(n) => {
            if flags & MSG_OOB != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            let take = |_| n.recv(size, peek);
            wait_datagram(t, n.queue(), nonblocking, timeout, take, |d| {
                datagram(t, segs, &d.data, d.len, flags, netlink::kernel_addr())
            })
        }
    }
}

/// Waits for a datagram as the socket allows and makes it the receive's
/// result with `done`: `take` gets whether the call could wait (a
/// shut-down socket's end of input, `None`, is for such calls only, and
/// reads nothing).
fn wait_datagram<D>(
    t: &Task,
    queue: &crate::waiter::WaitQueue,
    nonblocking: bool,
    timeout: Timeout,
    mut take: impl FnMut(bool) -> Result<Option<D>, Errno>,
    done: impl FnOnce(D) -> Result<Received, Errno>,
) -> Result<Received, Errno> {
    let waits = can_wait(nonblocking, timeout);
    match wait(t, queue, nonblocking, timeout, || take(waits))? {
        Some(d) => done(d),
        None => Ok(Received::default()),
    }
}

/// A received datagram's bytes copied out to `segs`: the call returns
/// their count, or with `MSG_TRUNC` the datagram's `whole` length, and
/// says `MSG_TRUNC` when it did not fit.
fn datagram(
    t: &Task,
    segs: &[(u64, usize)],
    data: &[u8],
    whole: usize,
    flags: u32,
    from: Vec<u8>,
) -> Result<Received, Errno> {
    scatter(t, segs, data)?;
    Ok(Received {
        len: if flags & MSG_TRUNC != 0 {
            whole
        } else {
            data.len()
        },
        flags: if whole > data.len() { MSG_TRUNC } else { 0 },
        from,
        ..Received::default()
    })
}

/// Reads a connected stream into `segs`: up to what fits, waiting (as
/// the socket allows) for `SO_RCVLOWAT` bytes, or all with
/// `MSG_WAITALL`.
fn recv_stream(
    t: &Task,
    ep: &Arc<Endpoint>,
    segs: &[(u64, usize)],
    flags: u32,
    nonblocking: bool,
    timeout: Timeout,
) -> Result<Received, Errno> {
    let size: usize = segs.iter().map(|s| s.1).sum();
    // Read no more than can be copied out, so a bad buffer loses
    // nothing: with no room at all, wait for bytes as Linux does,
    // then fail to copy them (they stay queued).
    let room = writable_room(t, segs);
    let (size, peek) = if room == 0 && size > 0 {
        (1, true)
    } else {
        (room, flags & MSG_PEEK != 0)
    };
    let lowat = usize::try_from(ep.with_options(|o| o.rcvlowat)).unwrap_or(1);
    let target = if flags & MSG_WAITALL != 0 {
        size
    } else {
        lowat.min(size)
    }
    .max(1);
    let mut r = StreamRead::default();
    let res = wait(t, ep.queue(), nonblocking, timeout, || {
        match ep.recv_stream(&mut r, size, target, peek)? {
            Pass::Done => Ok(()),
            Pass::Wait => Err(Errno::EAGAIN),
        }
    });
    // Bytes read win over the error that ended the read.
    if let Err(e) = res {
        if r.data.is_empty() {
            return Err(e);
        }
    }
    if room == 0 && !r.data.is_empty() {
        return Err(Errno::EFAULT);
    }
    scatter(t, segs, &r.data)?;
    Ok(Received {
        len: r.data.len(),
        flags: 0,
        from: sender_addr(r.from.as_deref()),
        creds: r.creds,
        rights: r.rights,
        ip: Vec::new(),
    })
}

/// read(2), readv(2) on a socket: a receive without flags; nothing to
/// read is 0 at once, as Linux's `sock_read_iter`.
pub(super) fn read(
    t: &Task,
    f: &FileDescription,
    fam: &Family,
    segs: &[(u64, usize)],
) -> Result<u64, Errno> {
    if segs.iter().all(|s| s.1 == 0) {
        return Ok(0);
    }
    let r = recv(t, f, fam, segs, 0)?;
    Ok(r.len as u64)
}

/// write(2), writev(2) on a socket: a send without flags.
pub(super) fn write(
    t: &Task,
    f: &FileDescription,
    fam: &Family,
    segs: &[(u64, usize)],
) -> Result<u64, Errno> {
    let anc = Ancillary::default();
    send(
        t,
        f,
        fam,
        Source::App(segs),
        None,
        anc,
        SendMeta::default(),
        0,
    )
    .map(|n| n as u64)
}

/// A write of sentry bytes to a socket (sendfile, splice): a send
/// without flags, or `MSG_DONTWAIT`.
pub(super) fn write_bytes(
    t: &Task,
    f: &FileDescription,
    fam: &Family,
    data: &[u8],
    nonblock: bool,
) -> Result<usize, Errno> {
    let flags = if nonblock { MSG_DONTWAIT } else { 0 };
    send(
        t,
        f,
        fam,
        Source::Buf(data),
        None,
        Ancillary::default(),
        SendMeta::default(),
        flags,
    )
}

/// Linux's `scm_check_creds`: a sender may claim only its own process
/// and ids, unless privileged; the process must exist.
fn check_creds(t: &Task, c: &Ucred) -> Result<(), Errno> {
    if c.uid == u32::MAX || c.gid == u32::MAX {
        return Err(Errno::EINVAL);
    }
    let cr = &t.creds;
    let pid_ok = c.pid == t.tgid || cr.has_cap(CAP_SYS_ADMIN);
    let uid_ok = [cr.ruid, cr.euid, cr.suid].contains(&c.uid) || cr.has_cap(CAP_SETUID);
    let gid_ok = [cr.rgid, cr.egid, cr.sgid].contains(&c.gid) || cr.has_cap(CAP_SETGID);
    if !(pid_ok && uid_ok && gid_ok) {
        return Err(Errno::EPERM);
    }
    let tree = t.kernel.tree.lock();
    if !tree.threads.contains_key(&c.pid) && !tree.procs.contains_key(&c.pid) {
        return Err(Errno::ESRCH);
    }
    Ok(())
}

/// A send's control messages as level, type and data, read and split
/// with Linux's checks (`ENOBUFS` for too much, `EINVAL` for a length
/// that does not fit).
fn read_control(t: &Task, addr: u64, len: u64) -> Result<Vec<(i32, i32, Vec<u8>)>, Errno> {
    if len > u64::from(i32::MAX.cast_unsigned()) || len >= OPTMEM_MAX {
        return Err(Errno::ENOBUFS);
    }
    let len = usize::try_from(len).expect("below optmem_max");
    let mut out = Vec::new();
    if len == 0 {
        return Ok(out);
    }
    let mut buf = vec![0u8; len];
    t.mm.copy_in(addr, &mut buf)?;
    let mut off = 0;
    while off + CMSGHDR_SIZE <= len {
        let h = Cmsghdr::read_from_bytes(&buf[off..off + CMSGHDR_SIZE]).expect("header size");
        let clen = usize::try_from(h.cmsg_len).unwrap_or(usize::MAX);
        if clen < CMSGHDR_SIZE || clen > len - off {
            return Err(Errno::EINVAL);
        }
        let data = buf[off + CMSGHDR_SIZE..off + clen].to_vec();
        out.push((h.cmsg_level, h.cmsg_type, data));
        off += cmsg_align(clen);
    }
    Ok(out)
}

/// Checks a send's `SOL_SOCKET` control messages (Linux's `__scm_send`).
fn parse_control(t: &Task, cmsgs: &[(i32, i32, Vec<u8>)]) -> Result<Ancillary, Errno> {
    let mut anc = Ancillary::default();
    for (level, ty, data) in cmsgs {
        let (clen, data) = (cmsg_len(data.len()), data.as_slice());
        if *level == SOL_SOCKET {
            match *ty {
                SCM_RIGHTS => {
                    let n = data.len() / 4;
                    if n > SCM_MAX_FD || anc.rights.len() + n > SCM_MAX_FD {
                        return Err(Errno::EINVAL);
                    }
                    for raw in data.chunks_exact(4) {
                        let fd = i32::from_ne_bytes([raw[0], raw[1], raw[2], raw[3]]);
                        let file = t.fds.lock().get(fd)?;
                        anc.rights.push(file);
                    }
                }
                SCM_CREDENTIALS => {
                    if clen != cmsg_len(std::mem::size_of::<Ucred>()) {
                        return Err(Errno::EINVAL);
                    }
                    let c = Ucred::read_from_bytes(data).map_err(|_| Errno::EINVAL)?;
                    check_creds(t, &c)?;
                    anc.creds = Some(c);
                }
                _ => return Err(Errno::EINVAL),
            }
        }
    }
    Ok(anc)
}

/// The control buffer of a receive (Linux's `put_cmsg` and
/// `scm_detach_fds`). Faults writing it are not errors: what could not
/// be written is lost.
struct Control {
    addr: u64,
    len: usize,
    used: usize,
    flags: u32,
}

impl Control {
    fn left(&self) -> usize {
        self.len - self.used
    }

    fn advance(&mut self, by: usize) {
        self.used += by.min(self.left());
    }

    fn put(&mut self, t: &Task, level: i32, ty: i32, data: &[u8]) {
        if self.left() < CMSGHDR_SIZE {
            self.flags |= MSG_CTRUNC;
            return;
        }
        let mut clen = cmsg_len(data.len());
        if self.left() < clen {
            self.flags |= MSG_CTRUNC;
            clen = self.left();
        }
        let at = self.addr + self.used as u64;
        let h = Cmsghdr {
            cmsg_len: clen as u64,
            cmsg_level: level,
            cmsg_type: ty,
        };
        if t.mm.write_obj(at, &h).is_err()
            || t.mm
                .copy_out(at + CMSGHDR_SIZE as u64, &data[..clen - CMSGHDR_SIZE])
                .is_err()
        {
            return;
        }
        self.advance(cmsg_space(data.len()));
    }

    /// Installs as many of `rights` as fit (and the descriptor limit
    /// allows) and reports their numbers; the rest are closed.
    fn put_rights(&mut self, t: &Task, rights: Vec<Arc<FileDescription>>, cloexec: bool) {
        let max = self.left().saturating_sub(CMSGHDR_SIZE) / 4;
        let fdmax = max.min(rights.len());
        let at = self.addr + self.used as u64;
        let mut installed = 0;
        for (i, file) in rights.iter().take(fdmax).enumerate() {
            let Ok(fd) = t
                .fds
                .lock()
                .insert_from(0, file.clone(), cloexec, nofile(t))
            else {
                break;
            };
            if t.mm
                .write_obj(at + (CMSGHDR_SIZE + 4 * i) as u64, &fd)
                .is_err()
            {
                let gone = t.fds.lock().remove(fd);
                drop(gone);
                break;
            }
            installed += 1;
        }
        if installed > 0 {
            let h = Cmsghdr {
                cmsg_len: cmsg_len(4 * installed) as u64,
                cmsg_level: SOL_SOCKET,
                cmsg_type: SCM_RIGHTS,
            };
            if t.mm.write_obj(at, &h).is_ok() {
                self.advance(cmsg_space(4 * installed));
            }
        }
        if installed < rights.len() {
            self.flags |= MSG_CTRUNC;
        }
    }
}

/// Delivers a receive's credentials and descriptions to the control
/// buffer at `addr` (`len` bytes): the bytes used and `MSG_CTRUNC`. A
/// receive without a control buffer closes the descriptions.
fn deliver(t: &Task, addr: u64, len: u64, r: &mut Received, cloexec: bool) -> (usize, u32) {
    let rights = std::mem::take(&mut r.rights);
    if addr == 0 {
        let lost = r.creds.is_some() || !rights.is_empty() || !r.ip.is_empty();
        return (0, if lost { MSG_CTRUNC } else { 0 });
    }
    let mut ctl = Control {
        addr,
        len: usize::try_from(len).unwrap_or(usize::MAX),
        used: 0,
        flags: 0,
    };
    for (level, ty, data) in &r.ip {
        ctl.put(t, *level, *ty, data);
    }
    if let Some(c) = r.creds {
        let c = c.unwrap_or(Ucred {
            pid: 0,
            uid: OVERFLOW_ID,
            gid: OVERFLOW_ID,
        });
        ctl.put(
            t,
            SOL_SOCKET,
            SCM_CREDENTIALS,
            zerocopy::IntoBytes::as_bytes(&c),
        );
    }
    if !rights.is_empty() {
        ctl.put_rights(t, rights, cloexec);
    }
    (ctl.used, ctl.flags)
}

/// The address bytes a receive reports for an AF_UNIX sender: none for
/// an unnamed one.
fn sender_addr(from: Option<&Name>) -> Vec<u8> {
    from.map_or_else(Vec::new, |n| sockaddr(Some(n)))
}

/// One recvmsg on the header at `msg_addr`; the bytes read.
fn recvmsg_one(
    t: &Task,
    f: &FileDescription,
    ep: &Family,
    msg_addr: u64,
    flags: u32,
) -> Result<usize, Errno> {
    let hdr: Msghdr = t.mm.read_obj(msg_addr)?;
    if hdr.msg_name != 0 && hdr.msg_namelen < 0 {
        return Err(Errno::EINVAL);
    }
    if hdr.msg_iovlen > UIO_MAXIOV {
        return Err(Errno::EMSGSIZE);
    }
    let segs = iovecs(t, hdr.msg_iov, hdr.msg_iovlen)?;
    let mut r = recv(t, f, ep, &segs, flags)?;
    let cloexec = flags & MSG_CMSG_CLOEXEC != 0;
    let (used, ctl_flags) = deliver(t, hdr.msg_control, hdr.msg_controllen, &mut r, cloexec);
    if hdr.msg_name != 0 {
        let namelen = msg_addr + offset_of!(Msghdr, msg_namelen) as u64;
        write_addr(t, &r.from, hdr.msg_name, namelen)?;
    }
    // Linux reports MSG_CMSG_CLOEXEC back among the flags.
    let out = r.flags | ctl_flags | (flags & MSG_CMSG_CLOEXEC);
    t.mm.write_obj(msg_addr + offset_of!(Msghdr, msg_flags) as u64, &out)?;
    t.mm.write_obj(
        msg_addr + offset_of!(Msghdr, msg_controllen) as u64,
        &(used as u64),
    )?;
    Ok(r.len)
}

/// One sendmsg of the header at `msg_addr`: the bytes sent and the
/// bytes it had.
fn sendmsg_one(
    t: &Task,
    f: &FileDescription,
    ep: &Family,
    msg_addr: u64,
    flags: u32,
) -> Result<(usize, usize), Errno> {
    let hdr: Msghdr = t.mm.read_obj(msg_addr)?;
    let namelen = if hdr.msg_name == 0 {
        0
    } else {
        hdr.msg_namelen
    };
    // A long address is cut to sockaddr_storage (then refused by
    // AF_UNIX's own check).
    let namelen = usize::try_from(namelen)
        .map_err(|_| Errno::EINVAL)?
        .min(SOCKADDR_STORAGE_SIZE);
    let to = if namelen > 0 {
        let mut v = vec![0u8; namelen];
        t.mm.copy_in(hdr.msg_name, &mut v)?;
        Some(v)
    } else {
        None
    };
    if hdr.msg_iovlen > UIO_MAXIOV {
        return Err(Errno::EMSGSIZE);
    }
    let segs = iovecs(t, hdr.msg_iov, hdr.msg_iovlen)?;
    let total = segs.iter().map(|s| s.1).sum();
    let cmsgs = read_control(t, hdr.msg_control, hdr.msg_controllen)?;
    let anc = parse_control(t, &cmsgs)?;
    let ip = match ep {
        Family::Udp(s) => inet::udp_send_meta(s.domain(), &cmsgs)?,
        _ => SendMeta::default(),
    };
    let n = send(t, f, ep, Source::App(&segs), to, anc, ip, flags)?;
    Ok((n, total))
}

/// The user buffer of sendto/recvfrom, after Linux's `import_ubuf`.
fn ubuf(t: &Task, addr: u64, len: u64) -> Result<(u64, usize), Errno> {
    let len = len.min(MAX_RW_COUNT);
    access_ok(t, addr, len)?;
    Ok((addr, usize::try_from(len).expect("bounded")))
}

/// Implements sendto(2).
pub fn sys_sendto(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let seg = ubuf(t, a.addr(1), a.u64(2))?;
    let (f, ep) = socket_of(t, a.fd(0))?;
    let to = if a.addr(4) == 0 {
        None
    } else {
        Some(read_addr(t, a.addr(4), a.int(5))?).filter(|raw| !raw.is_empty())
    };
    send(
        t,
        &f,
        &ep,
        Source::App(&[seg]),
        to,
        Ancillary::default(),
        SendMeta::default(),
        a.uint(3),
    )
    .map(|n| n as u64)
}

/// Implements recvfrom(2).
pub fn sys_recvfrom(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let seg = ubuf(t, a.addr(1), a.u64(2))?;
    let (f, ep) = socket_of(t, a.fd(0))?;
    let r = recv(t, &f, &ep, &[seg], a.uint(3))?;
    if a.addr(4) != 0 {
        write_addr(t, &r.from, a.addr(4), a.addr(5))?;
    }
    Ok(r.len as u64)
}

/// Implements sendmsg(2).
pub fn sys_sendmsg(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.uint(2);
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let (f, ep) = socket_of(t, a.fd(0))?;
    sendmsg_one(t, &f, &ep, a.addr(1), flags).map(|(n, _)| n as u64)
}

/// Implements recvmsg(2).
pub fn sys_recvmsg(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.uint(2);
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let (f, ep) = socket_of(t, a.fd(0))?;
    recvmsg_one(t, &f, &ep, a.addr(1), flags).map(|n| n as u64)
}

const MMSGHDR_SIZE: u64 = std::mem::size_of::<Mmsghdr>() as u64;
const MSG_LEN_OFFSET: u64 = offset_of!(Mmsghdr, msg_len) as u64;

/// Runs `one` on the entries of an `mmsghdr` array at `vec`, writing
/// each result to the entry's `msg_len`, until `vlen` entries are done,
/// one fails, or `one` says to stop after it: the entries done and the
/// error that ended the run.
fn each_mmsg(
    t: &Task,
    vec: u64,
    vlen: u64,
    mut one: impl FnMut(u64) -> Result<(usize, bool), Errno>,
) -> (u64, Option<Errno>) {
    let mut done = 0;
    while done < vlen {
        let entry = vec + done * MMSGHDR_SIZE;
        let (n, stop) = match one(entry) {
            Ok(v) => v,
            Err(e) => return (done, Some(e)),
        };
        let len = u32::try_from(n).unwrap_or(u32::MAX);
        if let Err(e) = t.mm.write_obj(entry + MSG_LEN_OFFSET, &len) {
            return (done, Some(e));
        }
        done += 1;
        if stop {
            break;
        }
    }
    (done, None)
}

/// Implements sendmmsg(2): messages until one fails or is sent only in
/// part; an error counts only when no message went.
pub fn sys_sendmmsg(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (vec, flags) = (a.addr(1), a.uint(3));
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let vlen = u64::from(a.uint(2)).min(UIO_MAXIOV);
    let (f, ep) = socket_of(t, a.fd(0))?;
    let (sent, err) = each_mmsg(t, vec, vlen, |entry| {
        let (n, total) = sendmsg_one(t, &f, &ep, entry, flags)?;
        Ok((n, n < total))
    });
    match err {
        Some(e) if sent == 0 => Err(e),
        _ => Ok(sent),
    }
}

/// Implements recvmmsg(2). `MSG_WAITFORONE` stops waiting after the
/// first message. As in Linux, the timeout is looked at only between
/// messages (it does not bound a wait), and an error after some messages
/// is kept for the next call.
pub fn sys_recvmmsg(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (vec, vlen, mut flags, ts_addr) = (a.addr(1), a.uint(2), a.uint(3), a.addr(4));
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let end = read_timespec(t, ts_addr)?.map(instant_after);
    let (f, ep) = socket_of(t, a.fd(0))?;
    if flags & MSG_ERRQUEUE == 0 {
        if let Some(e) = ep.take_error() {
            return Err(e);
        }
    }
    let (got, err) = each_mmsg(t, vec, u64::from(vlen), |entry| {
        let n = recvmsg_one(t, &f, &ep, entry, flags & !MSG_WAITFORONE)?;
        if flags & MSG_WAITFORONE != 0 {
            flags |= MSG_DONTWAIT;
        }
        Ok((n, end.is_some_and(|e| e <= Instant::now())))
    });
    if got == 0 {
        if let Some(e) = err {
            return Err(e);
        }
    }
    if let Some(e) = err {
        if e != Errno::EAGAIN {
            // Kept for the next call; a signal's restart code is not an
            // error to keep.
            ep.set_error(if e.is_internal() { Errno::EINTR } else { e });
        }
    }
    if let Some(end) = end {
        if got > 0 {
            t.mm.write_obj(ts_addr, &dur_ts(left(end)))?;
        }
    }
    Ok(got)
}
