//! inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch. The
//! watches and events are the VFS's (`vfs::inotify`).

use abi::Errno;

use super::fd::install;
use super::path::{lookup_at, read_path, AT_FDCWD};
use crate::arch::SyscallArgs;
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::vfs::inotify::{
    max_user_watches, Inotify, ALL_INOTIFY_BITS, IN_DONT_FOLLOW, IN_MASK_ADD, IN_MASK_CREATE,
    IN_ONLYDIR,
};
use crate::vfs::is_dir;
use crate::vfs::perm::MAY_READ;

fn init(t: &Task, flags: i32) -> Result<u64, Errno> {
    if flags & !(libc::O_CLOEXEC | libc::O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let imp = Inotify::new(t.creds.euid)?;
    let file = FileDescription::new(Box::new(imp), libc::O_RDONLY | (flags & libc::O_NONBLOCK));
    install(t, file, flags & libc::O_CLOEXEC != 0)
}

/// Implements inotify_init(2).
pub fn sys_inotify_init(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    init(t, 0)
}

/// Implements inotify_init1(2): `IN_NONBLOCK` and `IN_CLOEXEC`, other
/// flags `EINVAL`.
pub fn sys_inotify_init1(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    init(t, a.int(0))
}

/// Implements inotify_add_watch(2), checking in Linux's order: a mask
/// with no known bit, the descriptor, `IN_MASK_ADD` with
/// `IN_MASK_CREATE`, a descriptor that is no inotify instance, the path
/// (`IN_DONT_FOLLOW`, `IN_ONLYDIR`), read permission on the file.
pub fn sys_inotify_add_watch(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (fd, path_addr, mask) = (a.fd(0), a.addr(1), a.uint(2));
    if mask & ALL_INOTIFY_BITS == 0 {
        return Err(Errno::EINVAL);
    }
    let file = t.fds.lock().get(fd)?;
    if mask & IN_MASK_ADD != 0 && mask & IN_MASK_CREATE != 0 {
        return Err(Errno::EINVAL);
    }
    let ino = Inotify::of(&file).ok_or(Errno::EINVAL)?;
    let path = read_path(t, path_addr)?;
    let loc = lookup_at(t, AT_FDCWD, &path, mask & IN_DONT_FOLLOW == 0, false)?;
    if mask & IN_ONLYDIR != 0 && !is_dir(loc.inode().mode()) {
        return Err(Errno::ENOTDIR);
    }
    loc.inode().permission(&t.creds, MAY_READ)?;
    let wd = ino.add_watch(loc.inode(), mask, max_user_watches(t.kernel.total_ram))?;
    Ok(u64::from(wd.cast_unsigned()))
}

/// Implements inotify_rm_watch(2): the watch ends with `IN_IGNORED`.
pub fn sys_inotify_rm_watch(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    let ino = Inotify::of(&file).ok_or(Errno::EINVAL)?;
    ino.rm_watch(a.int(1))?;
    Ok(0)
}
