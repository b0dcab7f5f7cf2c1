//! read, write, pread64, pwrite64, readv, writev, lseek.

use std::sync::Arc;

use abi::types::Iovec;
use abi::Errno;

use crate::arch::SyscallArgs;
use crate::fsimpl::{events, FileDescription};
use crate::kernel::Task;
use crate::net::Socket;

/// Linux's `MAX_RW_COUNT`: one call moves at most this much.
pub(super) const MAX_RW_COUNT: u64 = (i32::MAX as u64) & !0xfff;
/// `UIO_MAXIOV`.
pub(super) const UIO_MAXIOV: u64 = 1024;
/// The sentry buffers I/O in chunks of this size.
pub(super) const CHUNK: usize = 1 << 20;

fn file(t: &Task, fd: i32) -> Result<Arc<FileDescription>, Errno> {
    t.fds.lock().get(fd)
}

/// The file `fd` for writing: a write by someone without `CAP_FSETID`
/// clears a regular file's set-id bits first.
fn file_for_write(t: &Task, fd: i32) -> Result<Arc<FileDescription>, Errno> {
    let f = file(t, fd)?;
    drop_privs(t, &f);
    Ok(f)
}

/// `RLIMIT_FSIZE` for a write of `len` bytes at `pos` (`None`: the
/// description's position, or the end with `O_APPEND`): how many bytes
/// may go. At or past the limit the writer gets `SIGXFSZ` and `EFBIG`.
fn fsize_allows(
    t: &Task,
    f: &FileDescription,
    pos: Option<u64>,
    len: usize,
) -> Result<usize, Errno> {
    let limit = t.rlimit_cur(abi::resource::RLIMIT_FSIZE);
    if limit == u64::MAX || len == 0 {
        return Ok(len);
    }
    let Some(inode) = f.inode() else {
        return Ok(len);
    };
    if !crate::vfs::is_regular(inode.mode()) {
        return Ok(len);
    }
    let at = match pos {
        Some(p) => p,
        None if f.status_flags()? & libc::O_APPEND != 0 => {
            u64::try_from(inode.stat()?.st_size).unwrap_or(0)
        }
        None => f.seek(0, libc::SEEK_CUR)?.cast_unsigned(),
    };
    if at >= limit {
        return Err(file_too_big(t));
    }
    Ok(len.min(usize::try_from(limit - at).unwrap_or(usize::MAX)))
}

/// Past `RLIMIT_FSIZE`: the caller gets SIGXFSZ, and the call EFBIG.
pub(super) fn file_too_big(t: &Task) -> Errno {
    t.send_sig(abi::signal::SIGXFSZ);
    Errno::EFBIG
}

/// Clears the set-id bits of a writable regular file as Linux's
/// `file_remove_privs` does.
pub fn drop_privs(t: &Task, f: &FileDescription) {
    if f.check_writable().is_err() {
        return;
    }
    if let Some(inode) = f.inode() {
        if let Some(mode) = crate::vfs::perm::kill_suid(&t.creds, inode.mode()) {
            let a = crate::vfs::SetAttr {
                mode: Some(mode),
                ..crate::vfs::SetAttr::default()
            };
            if inode.setattr(&a).is_ok() {
                if let Some(loc) = f.location() {
                    crate::vfs::inotify::attr_changed(&loc.dentry, &a);
                }
            }
        }
    }
}

/// Runs `op` until it stops saying `EAGAIN`, waiting for `events` on the
/// file's queue unless the description is non-blocking. A signal ends the
/// wait with `ERESTARTSYS`.
pub fn blocking<T>(
    t: &Task,
    f: &FileDescription,
    events: u32,
    mut op: impl FnMut() -> Result<T, Errno>,
) -> Result<T, Errno> {
    let flags = f.status_flags().unwrap_or(0);
    let nonblocking = flags & libc::O_NONBLOCK != 0;
    let wanted_mode = if events & events::POLLIN != 0 {
        libc::O_RDONLY
    } else {
        libc::O_WRONLY
    };
    let mode = flags & libc::O_ACCMODE;
    if !nonblocking && (mode == libc::O_RDWR || mode == wanted_mode) {
        // A host descriptor would block in the host, deaf to signals: wait
        // for it in short host polls, looking for signals between them.
        // Sentry files answer `None` at no cost.
        let wanted = events | events::POLLHUP | events::POLLERR | events::POLLNVAL;
        if let Some(mut ready) = f.imp().host_poll(events, 0) {
            while ready & wanted == 0 {
                if t.interrupted() {
                    return Err(Errno::ERESTARTSYS);
                }
                ready = f.imp().host_poll(events, 20).unwrap_or(wanted);
            }
        }
    }
    match op() {
        Err(Errno::EAGAIN) if !nonblocking => {}
        r => return r,
    }
    let Some(q) = f.queue() else {
        return Err(Errno::EAGAIN);
    };
    let _reg = q.register_for(t.shared.waker.clone(), events);
    t.block(None, || match op() {
        Err(Errno::EAGAIN) => None,
        r => Some(r),
    })?
}

pub(super) const READ_EVENTS: u32 =
    events::POLLIN | events::POLLRDNORM | events::POLLHUP | events::POLLERR;
const WRITE_EVENTS: u32 = events::POLLOUT | events::POLLWRNORM | events::POLLERR;

/// A blocking read of `buf`.
pub(super) fn read_blocking(t: &Task, f: &FileDescription, buf: &mut [u8]) -> Result<usize, Errno> {
    blocking(t, f, READ_EVENTS, || f.read(buf))
}

/// A blocking write of all of `buf` (short only when non-blocking, or when
/// a signal arrives after some bytes went).
pub(super) fn write_blocking(t: &Task, f: &FileDescription, buf: &[u8]) -> Result<usize, Errno> {
    let mut done = 0;
    loop {
        match blocking(t, f, WRITE_EVENTS, || f.write(&buf[done..])) {
            Ok(n) => {
                done += n;
                if done == buf.len() || f.nonblocking() {
                    return Ok(done);
                }
            }
            Err(_) if done > 0 => return Ok(done),
            Err(Errno::EPIPE) => {
                // Linux's pipe_write: the writer gets SIGPIPE as well.
                t.send_sig(abi::signal::SIGPIPE);
                return Err(Errno::EPIPE);
            }
            Err(e) => return Err(e),
        }
    }
}

/// read(2) and readv(2) into `segs` from `f` at its position: a socket
/// receives, anything else reads.
fn read_segs(t: &Task, f: &FileDescription, segs: &[(u64, usize)]) -> Result<u64, Errno> {
    if let Some(s) = Socket::of(f) {
        return super::sockmsg::read(t, f, s.family(), segs);
    }
    read_into(t, segs, f.imp().consumes_before_copy(), |b| {
        read_blocking(t, f, b)
    })
}

/// write(2) and writev(2) from `segs`: a socket sends.
fn write_segs(t: &Task, f: &FileDescription, segs: &[(u64, usize)]) -> Result<u64, Errno> {
    if let Some(s) = Socket::of(f) {
        return super::sockmsg::write(t, f, s.family(), segs);
    }
    write_from(t, f, segs, |b, _| write_blocking(t, f, b))
}

/// Reads with `read` into the application ranges `segs`; returns the
/// count. A file that takes its data before copying it out
/// (`consumes_before_copy`) reads in full even into a bad buffer, and the
/// copy then faults, as on Linux; others read only what fits.
fn read_into(
    t: &Task,
    segs: &[(u64, usize)],
    consumes_before_copy: bool,
    read: impl FnOnce(&mut [u8]) -> Result<usize, Errno>,
) -> Result<u64, Errno> {
    let total: usize = segs.iter().map(|s| s.1).sum();
    if total == 0 {
        // The file still sees a zero-length read (eventfd: EINVAL).
        return read(&mut []).map(|n| n as u64);
    }
    // Read no more than the application can receive: Linux's read would
    // stop at the first unwritable byte, leaving the rest in the file.
    let mut room = 0usize;
    for &(addr, len) in segs {
        let w = t.mm.writable_prefix(addr, len);
        room += w;
        if w < len {
            break;
        }
    }
    if consumes_before_copy {
        room = total;
    }
    if room == 0 {
        return Err(Errno::EFAULT);
    }
    let mut buf = vec![0u8; room.min(CHUNK)];
    let n = read(&mut buf)?;
    let mut done = 0usize;
    for &(addr, len) in segs {
        if done == n {
            break;
        }
        let k = len.min(n - done);
        t.mm.copy_out(addr, &buf[done..done + k])?;
        done += k;
    }
    Ok(n as u64)
}

/// Writes the application ranges `segs` with `write`, which gets the bytes
/// and how many were written before them; returns the count. The segments
/// are gathered into one buffer (up to a chunk), so a writev is one write,
/// as Linux's is: one pipe packet, atomic up to `PIPE_BUF`. A fault within
/// the first page of a chunk is EFAULT with nothing written.
fn write_from(
    t: &Task,
    f: &FileDescription,
    segs: &[(u64, usize)],
    mut write: impl FnMut(&[u8], u64) -> Result<usize, Errno>,
) -> Result<u64, Errno> {
    const PAGE: usize = 4096;
    let total: usize = segs.iter().map(|s| s.1).sum();
    let mut written = 0u64;
    let mut done = 0usize;
    let mut seg = 0usize;
    let mut seg_off = 0usize;
    while done < total {
        let want = (total - done).min(CHUNK);
        let mut buf = vec![0u8; want];
        let mut got = 0usize;
        let mut faulted = false;
        while got < want && seg < segs.len() {
            let (addr, len) = segs[seg];
            let k = (len - seg_off).min(want - got);
            let n =
                t.mm.copy_in_partial(addr + seg_off as u64, &mut buf[got..got + k]);
            got += n;
            seg_off += n;
            if n < k {
                faulted = true;
                break;
            }
            if seg_off == len {
                seg += 1;
                seg_off = 0;
            }
        }
        // Pipes take whole pages (a fault inside the first one is EFAULT);
        // files take what was copied.
        let least = if f.inode().is_some() {
            1
        } else {
            PAGE.min(want)
        };
        if faulted && got < least {
            return if written > 0 {
                Ok(written)
            } else {
                Err(Errno::EFAULT)
            };
        }
        let n = match write(&buf[..got], written) {
            Ok(n) => n,
            // Bytes already moved are reported; the error is lost, as
            // Linux's short write does.
            Err(_) if written > 0 => return Ok(written),
            Err(e) => return Err(e),
        };
        written += n as u64;
        done += n;
        if n < got || faulted {
            return Ok(written);
        }
    }
    Ok(written)
}

fn count(a: &SyscallArgs, i: usize) -> usize {
    usize::try_from(a.u64(i).min(MAX_RW_COUNT)).expect("bounded")
}

/// The buffer argument `i` with the count argument `i + 1`, after
/// Linux's `access_ok`: the range must lie below the top of user memory.
fn buffer(t: &Task, a: &SyscallArgs, i: usize) -> Result<(u64, usize), Errno> {
    let (addr, len) = (a.addr(i), count(a, i + 1));
    access_ok(t, addr, len as u64)?;
    Ok((addr, len))
}

pub(super) fn access_ok(t: &Task, addr: u64, len: u64) -> Result<(), Errno> {
    match addr.checked_add(len) {
        Some(end) if end <= t.mm.max_addr() => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// Linux's `add_rchar` and `inc_syscr` (`/proc/pid/io`) after a read
/// call that reached its file: the call counts even when it failed.
pub(super) fn counted_read(t: &Task, r: Result<u64, Errno>) -> Result<u64, Errno> {
    t.shared.io.read(*r.as_ref().unwrap_or(&0));
    r
}

/// Linux's `add_wchar` and `inc_syscw`, as [`counted_read`].
pub(super) fn counted_write(t: &Task, r: Result<u64, Errno>) -> Result<u64, Errno> {
    t.shared.io.wrote(*r.as_ref().unwrap_or(&0));
    r
}

/// Implements read(2).
pub fn sys_read(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file(t, a.fd(0))?;
    let seg = buffer(t, a, 1)?;
    counted_read(t, read_segs(t, &f, &[seg]))
}

/// Implements write(2).
pub fn sys_write(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file_for_write(t, a.fd(0))?;
    let (addr, len) = buffer(t, a, 1)?;
    let r = fsize_allows(t, &f, None, len).and_then(|len| write_segs(t, &f, &[(addr, len)]));
    counted_write(t, r)
}

/// The file position argument of pread64/pwrite64.
#[allow(clippy::cast_sign_loss)]
fn position(a: &SyscallArgs) -> Result<u64, Errno> {
    let pos = a.long(3);
    if pos < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(pos as u64)
}

/// `rw_verify_area`: the range must not pass the largest offset.
fn check_range(pos: u64, len: usize) -> Result<(), Errno> {
    match pos.checked_add(len as u64) {
        Some(end) if end <= i64::MAX as u64 => Ok(()),
        _ => Err(Errno::EINVAL),
    }
}

/// Implements pread64(2).
pub fn sys_pread64(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file(t, a.fd(0))?;
    let pos = position(a)?;
    check_range(pos, count(a, 2))?;
    let seg = buffer(t, a, 1)?;
    counted_read(t, read_into(t, &[seg], false, |b| f.pread(b, pos)))
}

/// Implements pwrite64(2).
pub fn sys_pwrite64(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file_for_write(t, a.fd(0))?;
    let pos = position(a)?;
    check_range(pos, count(a, 2))?;
    let (addr, len) = buffer(t, a, 1)?;
    let r = fsize_allows(t, &f, Some(pos), len)
        .and_then(|len| write_from(t, &f, &[(addr, len)], |b, done| f.pwrite(b, pos + done)));
    counted_write(t, r)
}

/// Copies in and checks an iovec array (`import_iovec`).
pub(super) fn iovecs(t: &Task, addr: u64, cnt: u64) -> Result<Vec<(u64, usize)>, Errno> {
    if cnt > UIO_MAXIOV {
        return Err(Errno::EINVAL);
    }
    let n = usize::try_from(cnt).expect("at most UIO_MAXIOV");
    let mut raw = vec![0u8; n * std::mem::size_of::<Iovec>()];
    t.mm.copy_in(addr, &mut raw)?;
    let mut out = Vec::with_capacity(n);
    let mut total = 0u64;
    for chunk in raw.chunks_exact(std::mem::size_of::<Iovec>()) {
        let iov: Iovec = zerocopy::FromBytes::read_from_bytes(chunk).map_err(|_| Errno::EFAULT)?;
        if iov.iov_len > i64::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        access_ok(t, iov.iov_base, iov.iov_len)?;
        // The total is capped at MAX_RW_COUNT, trimming the last segments.
        let len = iov.iov_len.min(MAX_RW_COUNT - total);
        total += len;
        out.push((iov.iov_base, usize::try_from(len).expect("bounded")));
    }
    Ok(out)
}

/// Implements readv(2).
pub fn sys_readv(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file(t, a.fd(0))?;
    let segs = iovecs(t, a.addr(1), a.u64(2))?;
    counted_read(t, read_segs(t, &f, &segs))
}

/// Implements writev(2).
pub fn sys_writev(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file_for_write(t, a.fd(0))?;
    let segs = iovecs(t, a.addr(1), a.u64(2))?;
    counted_write(t, write_segs(t, &f, &segs))
}

/// The offset of preadv/pwritev: two registers, low and high halves;
/// -1 in preadv2/pwritev2 means the file position.
fn vector_offset(a: &SyscallArgs) -> i64 {
    #[allow(clippy::cast_possible_wrap)]
    let off = (a.u64(3) | (a.u64(4) << 32)) as i64;
    off
}

/// `RWF_*` flags preadv2/pwritev2 know.
const RWF_SUPPORTED: i32 = 0x1f;
/// `RWF_NOWAIT`: not supported by files that can block (EOPNOTSUPP).
const RWF_APPEND: i32 = 0x10;

fn preadv(t: &Task, a: &SyscallArgs, flags: i32) -> Result<u64, Errno> {
    counted_read(t, preadv_uncounted(t, a, flags))
}

fn preadv_uncounted(t: &Task, a: &SyscallArgs, flags: i32) -> Result<u64, Errno> {
    let f = file(t, a.fd(0))?;
    if flags != -1 && flags & !RWF_SUPPORTED != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let off = vector_offset(a);
    let segs = iovecs(t, a.addr(1), a.u64(2))?;
    if off == -1 && flags != -1 {
        return read_segs(t, &f, &segs);
    }
    let pos = u64::try_from(off).map_err(|_| Errno::EINVAL)?;
    read_into(t, &segs, false, |b| f.pread(b, pos))
}

fn pwritev(t: &Task, a: &SyscallArgs, flags: i32) -> Result<u64, Errno> {
    counted_write(t, pwritev_uncounted(t, a, flags))
}

fn pwritev_uncounted(t: &Task, a: &SyscallArgs, flags: i32) -> Result<u64, Errno> {
    let f = file_for_write(t, a.fd(0))?;
    if flags != -1 && flags & !RWF_SUPPORTED != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let off = vector_offset(a);
    let segs = iovecs(t, a.addr(1), a.u64(2))?;
    if off == -1 && flags != -1 {
        if flags & RWF_APPEND != 0 && f.inode().is_some() {
            f.seek(0, libc::SEEK_END)?;
        }
        return write_segs(t, &f, &segs);
    }
    let pos = u64::try_from(off).map_err(|_| Errno::EINVAL)?;
    if flags != -1 && flags & RWF_APPEND != 0 {
        let end = f.stat().map(|s| s.st_size.cast_unsigned())?;
        return write_from(t, &f, &segs, |b, done| f.pwrite(b, end + done));
    }
    write_from(t, &f, &segs, |b, done| f.pwrite(b, pos + done))
}

/// Implements preadv(2).
pub fn sys_preadv(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    preadv(t, a, -1)
}

/// Implements pwritev(2).
pub fn sys_pwritev(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    pwritev(t, a, -1)
}

/// Implements preadv2(2).
pub fn sys_preadv2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    preadv(t, a, a.int(5))
}

/// Implements pwritev2(2).
pub fn sys_pwritev2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    pwritev(t, a, a.int(5))
}

/// Implements lseek(2).
#[allow(clippy::cast_sign_loss)]
pub fn sys_lseek(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = file(t, a.fd(0))?;
    f.seek(a.long(1), a.int(2)).map(|v| v as u64)
}
