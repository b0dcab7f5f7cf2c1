//! Moving data between descriptors in the sentry: sendfile(2),
//! copy_file_range(2) and splice(2). The bytes go through a sentry buffer;
//! nothing is forwarded to the host. Into a socket they are a send.

use std::sync::Arc;

use abi::Errno;

use super::read_write::{blocking, read_blocking, write_blocking, MAX_RW_COUNT, READ_EVENTS};
use crate::arch::SyscallArgs;
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::net::Socket;
use crate::vfs::{is_dir, is_regular};

/// One transfer's buffer size.
const CHUNK: usize = 64 << 10;

/// Where one side of a transfer reads or writes: the description's own
/// position, or an explicit offset (which the call returns updated).
#[derive(Clone, Copy, Debug)]
enum Pos {
    File,
    At(u64),
}

/// Reads an `loff_t *` argument: `None` for NULL; a negative offset is
/// `EINVAL`.
fn offset_arg(t: &Task, addr: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let v: i64 = t.mm.read_obj(addr)?;
    u64::try_from(v).map(Some).map_err(|_| Errno::EINVAL)
}

fn is_pipe(f: &FileDescription) -> bool {
    f.pipe_size().is_ok() && f.location().is_none_or(|l| !is_regular(l.inode().mode()))
}

/// Copies up to `len` bytes; returns how many went. A read that would
/// block ends the transfer once something moved.
fn transfer(
    t: &Task,
    from: &FileDescription,
    mut src: Pos,
    to: &FileDescription,
    mut dst: Pos,
    len: u64,
    nonblock: bool,
) -> Result<(u64, Pos, Pos), Errno> {
    let mut done = 0u64;
    let mut buf = vec![0u8; CHUNK];
    while done < len {
        let want = usize::try_from((len - done).min(CHUNK as u64)).unwrap_or(CHUNK);
        let got = match src {
            Pos::File if done == 0 && !nonblock => read_blocking(t, from, &mut buf[..want]),
            Pos::File => from.read(&mut buf[..want]),
            Pos::At(o) => from.pread(&mut buf[..want], o),
        };
        let n = match got {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) if done > 0 => break,
            Err(e) => return Err(e),
        };
        let wrote = match (dst, Socket::of(to)) {
            (Pos::File, Some(s)) => {
                super::sockmsg::write_bytes(t, to, s.family(), &buf[..n], nonblock)
            }
            (Pos::File, None) if nonblock => to.write(&buf[..n]),
            (Pos::File, None) => write_blocking(t, to, &buf[..n]),
            (Pos::At(o), _) => to.pwrite(&buf[..n], o),
        };
        let w = match wrote {
            Ok(w) => w,
            Err(_) if done > 0 => 0,
            Err(e) => {
                // Nothing went: what was read from the position goes back.
                if matches!(src, Pos::File) {
                    let _ = from.seek(-i64::try_from(n).unwrap_or(0), libc::SEEK_CUR);
                }
                return Err(e);
            }
        };
        if let Pos::At(o) = &mut src {
            *o += w as u64;
        } else if w < n {
            let _ = from.seek(-i64::try_from(n - w).unwrap_or(0), libc::SEEK_CUR);
        }
        if let Pos::At(o) = &mut dst {
            *o += w as u64;
        }
        done += w as u64;
        if w < n {
            break;
        }
    }
    Ok((done, src, dst))
}

/// Whether two pipe descriptors are ends of one pipe (splice and tee
/// refuse that: EINVAL).
fn same_pipe(a: &FileDescription, b: &FileDescription) -> bool {
    match (a.stat(), b.stat()) {
        (Ok(x), Ok(y)) => x.st_ino == y.st_ino && x.st_dev == y.st_dev,
        _ => false,
    }
}

fn readable(f: &FileDescription) -> Result<(), Errno> {
    let acc = f.status_flags()? & libc::O_ACCMODE;
    if f.is_path() || acc == libc::O_WRONLY {
        return Err(Errno::EBADF);
    }
    Ok(())
}

fn writable(f: &FileDescription) -> Result<(), Errno> {
    let acc = f.status_flags()? & libc::O_ACCMODE;
    if f.is_path() || acc == libc::O_RDONLY {
        return Err(Errno::EBADF);
    }
    Ok(())
}

/// The descriptors `fd_in` and `fd_out`: one to read, one to write.
fn pair(
    t: &Task,
    fd_in: i32,
    fd_out: i32,
) -> Result<(Arc<FileDescription>, Arc<FileDescription>), Errno> {
    let (from, to) = {
        let fds = t.fds.lock();
        (fds.get(fd_in)?, fds.get(fd_out)?)
    };
    readable(&from)?;
    writable(&to)?;
    Ok((from, to))
}

/// Moves up to `len` bytes and writes the offsets that were given back
/// to their `loff_t *` arguments (0 for none).
fn finish(
    t: &Task,
    (from, src, src_addr): (&FileDescription, Pos, u64),
    (to, dst, dst_addr): (&FileDescription, Pos, u64),
    len: u64,
    nonblock: bool,
) -> Result<u64, Errno> {
    if len == 0 {
        return Ok(0);
    }
    let (n, src, dst) = transfer(t, from, src, to, dst, len, nonblock)?;
    write_offset(t, src_addr, src)?;
    write_offset(t, dst_addr, dst)?;
    Ok(n)
}

fn write_offset(t: &Task, addr: u64, pos: Pos) -> Result<(), Errno> {
    if let (true, Pos::At(o)) = (addr != 0, pos) {
        t.mm.write_obj(addr, &i64::try_from(o).unwrap_or(i64::MAX))?;
    }
    Ok(())
}

/// Implements sendfile(2).
pub fn sys_sendfile(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (out, inp, off_addr) = (a.fd(0), a.fd(1), a.addr(2));
    let len = a.u64(3).min(MAX_RW_COUNT);
    let (from, to) = pair(t, inp, out)?;
    if to.status_flags()? & libc::O_APPEND != 0 {
        return Err(Errno::EINVAL);
    }
    let src = match offset_arg(t, off_addr)? {
        Some(_) if is_pipe(&from) => return Err(Errno::ESPIPE),
        Some(o) => Pos::At(o),
        None => Pos::File,
    };
    let r = finish(t, (&from, src, off_addr), (&to, Pos::File, 0), len, false);
    counted_both(t, r)
}

/// sendfile and copy_file_range count as one read and one write of the
/// bytes moved (Linux's `do_sendfile`, `vfs_copy_file_range`).
fn counted_both(t: &Task, r: Result<u64, Errno>) -> Result<u64, Errno> {
    super::read_write::counted_write(t, super::read_write::counted_read(t, r))
}

/// Implements copy_file_range(2) between regular files.
pub fn sys_copy_file_range(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (fd_in, off_in, fd_out, off_out) = (a.fd(0), a.addr(1), a.fd(2), a.addr(3));
    let (len, flags) = (a.u64(4), a.uint(5));
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let (from, to) = pair(t, fd_in, fd_out)?;
    if to.status_flags()? & libc::O_APPEND != 0 {
        return Err(Errno::EBADF);
    }
    let kinds = [&from, &to].map(|f| f.location().map(|l| l.inode().mode()));
    if kinds.iter().any(|m| m.is_some_and(is_dir)) {
        return Err(Errno::EISDIR);
    }
    if kinds.iter().any(|m| !m.is_some_and(is_regular)) {
        return Err(Errno::EINVAL);
    }
    // Linux checks that neither range wraps as unsigned numbers first.
    for addr in [off_in, off_out] {
        if addr != 0 {
            let v: u64 = t.mm.read_obj(addr)?;
            if v.checked_add(len).is_none() {
                return Err(Errno::EOVERFLOW);
            }
        }
    }
    let src = offset_arg(t, off_in)?.map_or(Pos::File, Pos::At);
    let dst = offset_arg(t, off_out)?.map_or(Pos::File, Pos::At);
    let same = match (from.inode(), to.inode()) {
        (Some(x), Some(y)) => crate::vfs::inode_key(x) == crate::vfs::inode_key(y),
        _ => false,
    };
    if same {
        let s = match src {
            Pos::At(o) => o,
            Pos::File => from.seek(0, libc::SEEK_CUR)?.cast_unsigned(),
        };
        let d = match dst {
            Pos::At(o) => o,
            Pos::File => to.seek(0, libc::SEEK_CUR)?.cast_unsigned(),
        };
        if s < d.saturating_add(len) && d < s.saturating_add(len) {
            return Err(Errno::EINVAL);
        }
    }
    let len = len.min(MAX_RW_COUNT);
    let r = finish(t, (&from, src, off_in), (&to, dst, off_out), len, false);
    counted_both(t, r)
}

/// Implements splice(2): one side must be a pipe; a pipe takes no
/// offset (`ESPIPE`).
pub fn sys_splice(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (fd_in, off_in, fd_out, off_out) = (a.fd(0), a.addr(1), a.fd(2), a.addr(3));
    let (len, flags) = (a.u64(4).min(MAX_RW_COUNT), a.uint(5));
    const SPLICE_F_ALL: u32 = 0xf;
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let (from, to) = pair(t, fd_in, fd_out)?;
    let (pin, pout) = (is_pipe(&from), is_pipe(&to));
    if (!pin && !pout) || (pin && pout && same_pipe(&from, &to)) {
        return Err(Errno::EINVAL);
    }
    if (pin && off_in != 0) || (pout && off_out != 0) {
        return Err(Errno::ESPIPE);
    }
    if to.status_flags()? & libc::O_APPEND != 0 && !pout {
        return Err(Errno::EINVAL);
    }
    let src = offset_arg(t, off_in)?.map_or(Pos::File, Pos::At);
    let dst = offset_arg(t, off_out)?.map_or(Pos::File, Pos::At);
    const SPLICE_F_NONBLOCK: u32 = 2;
    let nonblock = flags & SPLICE_F_NONBLOCK != 0;
    finish(t, (&from, src, off_in), (&to, dst, off_out), len, nonblock)
}

/// Implements tee(2): copies what the input pipe holds to the output pipe
/// without taking it.
pub fn sys_tee(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    const SPLICE_F_NONBLOCK: u32 = 2;
    let (len, flags) = (a.u64(2).min(MAX_RW_COUNT), a.uint(3));
    if flags & !0xf != 0 {
        return Err(Errno::EINVAL);
    }
    let (from, to) = pair(t, a.fd(0), a.fd(1))?;
    if !is_pipe(&from) || !is_pipe(&to) || same_pipe(&from, &to) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let mut buf = vec![0u8; usize::try_from(len.min(1 << 20)).unwrap_or(1 << 20)];
    let nonblock = flags & SPLICE_F_NONBLOCK != 0 || from.nonblocking();
    let n = if nonblock {
        from.imp().peek(&mut buf)?
    } else {
        blocking(t, &from, READ_EVENTS, || from.imp().peek(&mut buf))?
    };
    if n == 0 {
        return Ok(0);
    }
    let w = if nonblock {
        to.write(&buf[..n])?
    } else {
        write_blocking(t, &to, &buf[..n])?
    };
    Ok(w as u64)
}
