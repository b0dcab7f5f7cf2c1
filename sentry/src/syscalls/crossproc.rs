//! Calls that reach into another process: pidfd_getfd, process_vm_readv
//! and process_vm_writev. Each needs ptrace access to the target
//! (`PTRACE_MODE_ATTACH_REALCREDS`).

use std::sync::Arc;

use abi::types::Iovec;
use abi::Errno;

use super::read_write::{iovecs, UIO_MAXIOV};
use super::signal::pidfd_target;
use crate::arch::SyscallArgs;
use crate::kernel::process::TaskView;
use crate::kernel::Task;
use crate::mm::MemoryManager;

/// The view of a live thread of process `tgid`, or of thread `tid` when
/// `thread` is set; ESRCH if there is none.
fn live_view(t: &Task, id: i32, thread: bool) -> Result<TaskView, Errno> {
    if id <= 0 {
        return Err(Errno::ESRCH);
    }
    let tree = t.kernel.tree.lock();
    let tids: Vec<i32> = if thread {
        vec![id]
    } else {
        tree.procs
            .get(&id)
            .map(|p| p.threads.clone())
            .unwrap_or_default()
    };
    tids.iter()
        .filter_map(|tid| tree.threads.get(tid))
        .find_map(|e| e.shared.view.lock().clone())
        .ok_or(Errno::ESRCH)
}

/// A target the caller may attach to: its own process, or another with
/// `PTRACE_MODE_ATTACH_REALCREDS`.
fn attachable(t: &Task, tgid: i32, view: &TaskView) -> bool {
    tgid == t.tgid || view.may_be_accessed_by(&t.creds, false)
}

/// Implements pidfd_getfd(2): a duplicate of another process's
/// descriptor, close-on-exec.
pub fn sys_pidfd_getfd(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.uint(2) != 0 {
        return Err(Errno::EINVAL);
    }
    let tgid = pidfd_target(t, a.fd(0))?;
    let view = live_view(t, tgid, false)?;
    if !attachable(t, tgid, &view) {
        return Err(Errno::EPERM);
    }
    let file = view.fds.lock().get(a.fd(1))?;
    let limit = super::fd::nofile(t);
    let fd = t.fds.lock().insert_from(0, file, true, limit)?;
    Ok(u64::try_from(fd).expect("a descriptor"))
}

/// The remote iovec array: read from the caller's memory (EFAULT),
/// at most UIO_MAXIOV entries, none longer than `isize::MAX` (EINVAL).
fn remote_iovecs(t: &Task, addr: u64, cnt: u64) -> Result<Vec<(u64, u64)>, Errno> {
    if cnt > UIO_MAXIOV {
        return Err(Errno::EINVAL);
    }
    let n = usize::try_from(cnt).expect("at most UIO_MAXIOV");
    let size = std::mem::size_of::<Iovec>();
    let mut raw = vec![0u8; n * size];
    t.mm.copy_in(addr, &mut raw)?;
    raw.chunks_exact(size)
        .map(|chunk| {
            let iov: Iovec =
                zerocopy::FromBytes::read_from_bytes(chunk).map_err(|_| Errno::EFAULT)?;
            if iov.iov_len > i64::MAX.cast_unsigned() {
                return Err(Errno::EINVAL);
            }
            Ok((iov.iov_base, iov.iov_len))
        })
        .collect()
}

/// Copies between the caller's `local` segments, in order, and the
/// remote ones, stopping at the first remote or local page that cannot be
/// reached. Returns the bytes moved, or EFAULT if none could be.
fn transfer(
    mine: &MemoryManager,
    theirs: &MemoryManager,
    local: &[(u64, usize)],
    remote: &[(u64, u64)],
    write: bool,
) -> Result<u64, Errno> {
    const CHUNK: usize = 64 * 1024;
    let mut buf = vec![0u8; CHUNK];
    let mut local = local.iter().copied().filter(|&(_, len)| len > 0);
    let mut cur = local.next();
    let mut done = 0u64;
    for &(mut raddr, mut rlen) in remote {
        while rlen > 0 {
            let Some((laddr, llen)) = cur else {
                return Ok(done);
            };
            let want = llen
                .min(usize::try_from(rlen).unwrap_or(usize::MAX))
                .min(CHUNK);
            let chunk = &mut buf[..want];
            let moved = if write {
                let n = mine.copy_in_partial(laddr, chunk);
                let n = theirs.writable_prefix(raddr, n);
                theirs.copy_out(raddr, &chunk[..n]).map_or(0, |()| n)
            } else {
                let n = theirs.copy_in_partial(raddr, chunk);
                let n = mine.writable_prefix(laddr, n);
                mine.copy_out(laddr, &chunk[..n]).map_or(0, |()| n)
            };
            done += moved as u64;
            if moved < want {
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EFAULT)
                };
            }
            raddr += moved as u64;
            rlen -= moved as u64;
            cur = if moved == llen {
                local.next()
            } else {
                Some((laddr + moved as u64, llen - moved))
            };
        }
    }
    Ok(done)
}

/// process_vm_readv and process_vm_writev.
fn process_vm(t: &Task, a: &SyscallArgs, write: bool) -> Result<u64, Errno> {
    if a.u64(5) != 0 {
        return Err(Errno::EINVAL);
    }
    let local = iovecs(t, a.addr(1), a.u64(2))?;
    if local.iter().all(|&(_, len)| len == 0) {
        return Ok(0);
    }
    let remote = remote_iovecs(t, a.addr(3), a.u64(4))?;
    if remote.iter().all(|&(_, len)| len == 0) {
        return Ok(0);
    }
    let pid = a.int(0);
    let view = live_view(t, pid, true)?;
    let tgid = t.kernel.tree.lock().threads.get(&pid).map_or(0, |e| e.tgid);
    if !attachable(t, tgid, &view) {
        return Err(Errno::EPERM);
    }
    let theirs: Arc<MemoryManager> = view.mm.clone();
    transfer(&t.mm, &theirs, &local, &remote, write)
}

/// Implements process_vm_readv(2).
pub fn sys_process_vm_readv(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    process_vm(t, a, false)
}

/// Implements process_vm_writev(2).
pub fn sys_process_vm_writev(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    process_vm(t, a, true)
}
