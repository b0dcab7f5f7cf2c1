//! The calls that name things: stat and statx, getdents, readlink,
//! mkdir, mknod, symlink, link, unlink, rmdir, rename, and the working
//! directory and root (chdir, fchdir, getcwd, chroot).

use std::sync::Arc;

use abi::types::{Stat, Statx, StatxTimestamp};
use abi::Errno;
use parking_lot::Mutex;

use super::open::create_in;
use super::path::*;
use crate::arch::SyscallArgs;
use crate::kernel::Task;
use crate::vfs::file::DirentLayout;
use crate::vfs::inotify;
use crate::vfs::perm::{self, MAY_EXEC, MAY_READ, MAY_WRITE};
use crate::vfs::walk::Last;
use crate::vfs::{
    is_dir, is_regular, is_symlink, rename_dentries, Location, NewKind, Resolver, RENAME_EXCHANGE,
    RENAME_NOREPLACE,
};

/// The `stat` of what `dirfd`/`path` names.
fn stat_at(t: &Task, dirfd: i32, path: &[u8], flags: i32) -> Result<Stat, Errno> {
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    match target_at(t, dirfd, path, follow, flags & AT_EMPTY_PATH != 0)? {
        Target::Place(l) => l.inode().stat(),
        Target::File(f) => f.stat(),
    }
}

/// Implements stat(2).
pub fn sys_stat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let path = read_path(t, a.addr(0))?;
    let st = stat_at(t, AT_FDCWD, &path, 0)?;
    t.mm.write_obj(a.addr(1), &st)?;
    Ok(0)
}

/// Implements lstat(2).
pub fn sys_lstat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let path = read_path(t, a.addr(0))?;
    let st = stat_at(t, AT_FDCWD, &path, AT_SYMLINK_NOFOLLOW)?;
    t.mm.write_obj(a.addr(1), &st)?;
    Ok(0)
}

/// Implements newfstatat(2).
pub fn sys_newfstatat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(3);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path_or_empty(t, a.addr(1), flags)?;
    let st = stat_at(t, a.fd(0), &path, flags)?;
    t.mm.write_obj(a.addr(2), &st)?;
    Ok(0)
}

fn statx_time(ts: abi::types::Timespec) -> StatxTimestamp {
    StatxTimestamp {
        tv_sec: ts.tv_sec,
        tv_nsec: u32::try_from(ts.tv_nsec).unwrap_or(0),
        _reserved: 0,
    }
}

/// Implements statx(2).
pub fn sys_statx(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (dirfd, flags, mask) = (a.fd(0), a.int(2), a.uint(3));
    let known = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
    if flags & !known != 0 || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE {
        return Err(Errno::EINVAL);
    }
    if mask & abi::stat::StatxMask::STATX__RESERVED.bits() != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path_or_empty(t, a.addr(1), flags)?;
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    let (st, mnt_id) = match target_at(t, dirfd, &path, follow, flags & AT_EMPTY_PATH != 0)? {
        Target::Place(l) => (l.inode().stat()?, u64::from(l.mnt.id)),
        Target::File(f) => (f.stat()?, 0),
    };
    let x = Statx {
        stx_mask: abi::stat::StatxMask::STATX_BASIC_STATS.bits()
            | abi::stat::StatxMask::STATX_MNT_ID.bits(),
        stx_blksize: u32::try_from(st.st_blksize).unwrap_or(4096),
        stx_nlink: u32::try_from(st.st_nlink).unwrap_or(u32::MAX),
        stx_uid: st.st_uid,
        stx_gid: st.st_gid,
        stx_mode: u16::try_from(st.st_mode & 0xffff).unwrap_or(0),
        stx_ino: st.st_ino,
        stx_size: u64::try_from(st.st_size).unwrap_or(0),
        stx_blocks: u64::try_from(st.st_blocks).unwrap_or(0),
        stx_atime: statx_time(st.st_atim),
        stx_ctime: statx_time(st.st_ctim),
        stx_mtime: statx_time(st.st_mtim),
        stx_rdev_major: abi::stat::major(st.st_rdev),
        stx_rdev_minor: abi::stat::minor(st.st_rdev),
        stx_dev_major: abi::stat::major(st.st_dev),
        stx_dev_minor: abi::stat::minor(st.st_dev),
        stx_mnt_id: mnt_id,
        ..Statx::default()
    };
    t.mm.write_obj(a.addr(4), &x)?;
    Ok(0)
}

fn getdents(t: &Task, a: &SyscallArgs, layout: DirentLayout) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    let max = usize::try_from(a.u64(2) & 0xffff_ffff).unwrap_or(usize::MAX);
    // The buffer must be writable before anything is consumed.
    if t.mm.writable_prefix(a.addr(1), max.min(1)) < max.min(1) {
        return Err(Errno::EFAULT);
    }
    let bytes = file.getdents(max, layout)?;
    t.mm.copy_out(a.addr(1), &bytes)?;
    Ok(bytes.len() as u64)
}

/// Implements getdents64(2).
pub fn sys_getdents64(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    getdents(t, a, DirentLayout::Dirent64)
}

/// Implements getdents(2).
pub fn sys_getdents(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    getdents(t, a, DirentLayout::Dirent)
}

fn readlink_at(t: &Task, dirfd: i32, path_addr: u64, buf: u64, size: i32) -> Result<u64, Errno> {
    if size <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(t, path_addr)?;
    let loc = lookup_at(t, dirfd, &path, false, true).map_err(|e| {
        // readlinkat(fd, "") on a non-symlink descriptor.
        if e == Errno::EBADF && path.is_empty() {
            Errno::ENOENT
        } else {
            e
        }
    })?;
    if !is_symlink(loc.inode().mode()) {
        return Err(if path.is_empty() {
            Errno::ENOENT
        } else {
            Errno::EINVAL
        });
    }
    let target = loc.inode().readlink()?;
    let n = target.len().min(usize::try_from(size).unwrap_or(0));
    t.mm.copy_out(buf, &target[..n])?;
    Ok(n as u64)
}

/// Implements readlink(2).
pub fn sys_readlink(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    readlink_at(t, AT_FDCWD, a.addr(0), a.addr(1), a.int(2))
}

/// Implements readlinkat(2).
pub fn sys_readlinkat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    readlink_at(t, a.fd(0), a.addr(1), a.addr(2), a.int(3))
}

/// Resolves the parent of a path to create: the directory and the name.
/// An existing name is `EEXIST`; a trailing slash is allowed only for
/// directories.
pub(super) fn parent_for_create(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    dir_ok: bool,
) -> Result<(Location, Vec<u8>), Errno> {
    let ctx = fs_context(t);
    let (dir, last, trailing) = parent_at(t, &ctx, dirfd, path)?;
    let Last::Name(name) = last else {
        return Err(Errno::EEXIST);
    };
    match Resolver::new(&ctx.root, &t.creds).step(&dir, &name) {
        Ok(_) => Err(Errno::EEXIST),
        Err(Errno::ENOENT) if !dir.inode().creatable() => Err(Errno::ENOENT),
        Err(Errno::ENOENT) if trailing && !dir_ok => Err(Errno::ENOENT),
        Err(Errno::ENOENT) => Ok((dir, name)),
        Err(e) => Err(e),
    }
}

fn mkdir_at(t: &Task, dirfd: i32, path_addr: u64, mode: u32) -> Result<u64, Errno> {
    let path = read_path(t, path_addr)?;
    let (dir, name) = parent_for_create(t, dirfd, &path, true)?;
    let umask = t.fs.lock().umask;
    create_in(t, &dir, &name, NewKind::Directory, mode & 0o1777 & !umask)?;
    Ok(0)
}

/// Implements mkdir(2).
pub fn sys_mkdir(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    mkdir_at(t, AT_FDCWD, a.addr(0), a.uint(1))
}

/// Implements mkdirat(2).
pub fn sys_mkdirat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    mkdir_at(t, a.fd(0), a.addr(1), a.uint(2))
}

fn mknod_at(t: &Task, dirfd: i32, path_addr: u64, mode: u32, dev: u64) -> Result<u64, Errno> {
    use abi::stat::*;
    let path = read_path(t, path_addr)?;
    let kind = match mode & S_IFMT {
        0 | S_IFREG => NewKind::Regular,
        S_IFIFO => NewKind::Fifo,
        S_IFSOCK => NewKind::Socket,
        S_IFCHR => NewKind::CharDevice(dev),
        S_IFBLK => NewKind::BlockDevice(dev),
        S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    };
    // A 0:0 character device is an overlay whiteout, which anyone may make.
    let whiteout = kind == NewKind::CharDevice(0);
    if matches!(kind, NewKind::CharDevice(_) | NewKind::BlockDevice(_))
        && !whiteout
        && !t.creds.has_cap(crate::creds::CAP_MKNOD)
    {
        return Err(Errno::EPERM);
    }
    let (dir, name) = parent_for_create(t, dirfd, &path, false)?;
    let umask = t.fs.lock().umask;
    create_in(t, &dir, &name, kind, mode & 0o7777 & !umask)?;
    Ok(0)
}

/// Implements mknod(2).
pub fn sys_mknod(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    mknod_at(t, AT_FDCWD, a.addr(0), a.uint(1), a.u64(2) & 0xffff_ffff)
}

/// Implements mknodat(2).
pub fn sys_mknodat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    mknod_at(t, a.fd(0), a.addr(1), a.uint(2), a.u64(3) & 0xffff_ffff)
}

fn symlink_at(t: &Task, target_addr: u64, dirfd: i32, path_addr: u64) -> Result<u64, Errno> {
    let target = read_path(t, target_addr)?;
    let path = read_path(t, path_addr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (dir, name) = parent_for_create(t, dirfd, &path, false)?;
    create_in(t, &dir, &name, NewKind::Symlink(target), 0o777)?;
    Ok(0)
}

/// Implements symlink(2).
pub fn sys_symlink(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    symlink_at(t, a.addr(0), AT_FDCWD, a.addr(1))
}

/// Implements symlinkat(2).
pub fn sys_symlinkat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    symlink_at(t, a.addr(0), a.fd(1), a.addr(2))
}

/// Removes `path`: a directory for rmdir, anything else for unlink.
fn remove_at(t: &Task, dirfd: i32, path_addr: u64, rmdir: bool) -> Result<u64, Errno> {
    let path = read_path(t, path_addr)?;
    let ctx = fs_context(t);
    let (dir, last, trailing) = parent_at(t, &ctx, dirfd, &path)?;
    let name = match (last, rmdir) {
        (Last::Name(n), _) => n,
        (Last::Dot, true) => return Err(Errno::EINVAL),
        (Last::DotDot, true) => return Err(Errno::ENOTEMPTY),
        (Last::Root, true) => return Err(Errno::EBUSY),
        (_, false) => return Err(Errno::EISDIR),
    };
    let victim = dir.dentry.lookup(&name)?;
    let vmode = victim.inode.mode();
    if rmdir {
        if !is_dir(vmode) {
            return Err(Errno::ENOTDIR);
        }
    } else if trailing {
        return Err(if is_dir(vmode) {
            Errno::EISDIR
        } else {
            Errno::ENOTDIR
        });
    } else if is_dir(vmode) {
        return Err(Errno::EISDIR);
    }
    perm::may_delete(&t.creds, &dir.inode().stat()?, &victim.inode.stat()?)?;
    if victim.is_mountpoint()
        || (rmdir && Location::new(dir.mnt.clone(), victim.clone()).same(&ctx.root))
    {
        return Err(Errno::EBUSY);
    }
    writable_mount(&dir)?;
    dir.dentry.locked(|| {
        dir.inode().unlink(&name, rmdir)?;
        dir.dentry.remove_child(&name);
        Ok::<_, Errno>(())
    })?;
    // vfs_unlink's events: the link count, the inode's end if this was
    // its last name and nobody holds it (the dentry's drop), the name's.
    if !rmdir {
        inotify::link_dropped(&victim.inode);
    }
    drop(victim);
    inotify::deleted(dir.inode(), &name, rmdir);
    Ok(0)
}

/// Implements unlink(2).
pub fn sys_unlink(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    remove_at(t, AT_FDCWD, a.addr(0), false)
}

/// Implements rmdir(2).
pub fn sys_rmdir(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    remove_at(t, AT_FDCWD, a.addr(0), true)
}

/// Implements unlinkat(2).
pub fn sys_unlinkat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(2);
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    remove_at(t, a.fd(0), a.addr(1), flags & AT_REMOVEDIR != 0)
}

/// One rename at a time: the checks that a directory does not move into
/// itself see a stable tree.
static RENAME_LOCK: Mutex<()> = Mutex::new(());

/// Whether `d` is `ancestor` or below it.
fn is_under(d: &Arc<crate::vfs::Dentry>, ancestor: &Arc<crate::vfs::Dentry>) -> bool {
    let mut cur = Some(d.clone());
    while let Some(c) = cur {
        if Arc::ptr_eq(&c, ancestor) {
            return true;
        }
        cur = c.parent();
    }
    false
}

fn rename_at(
    t: &Task,
    olddirfd: i32,
    old_addr: u64,
    newdirfd: i32,
    new_addr: u64,
    flags: u32,
) -> Result<u64, Errno> {
    // Unknown flags, NOREPLACE with EXCHANGE, and WHITEOUT (which the
    // sandbox does not make) are EINVAL.
    if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0
        || (flags & RENAME_NOREPLACE != 0 && flags & RENAME_EXCHANGE != 0)
    {
        return Err(Errno::EINVAL);
    }
    let old = read_path(t, old_addr)?;
    let new = read_path(t, new_addr)?;
    let ctx = fs_context(t);
    let (od, olast, otrail) = parent_at(t, &ctx, olddirfd, &old)?;
    let (nd, nlast, ntrail) = parent_at(t, &ctx, newdirfd, &new)?;
    let (Last::Name(on), Last::Name(nn)) = (olast, nlast) else {
        return Err(if flags & RENAME_NOREPLACE != 0 {
            Errno::EEXIST
        } else {
            Errno::EBUSY
        });
    };
    if !Arc::ptr_eq(&od.mnt, &nd.mnt) {
        return Err(Errno::EXDEV);
    }
    let _guard = RENAME_LOCK.lock();
    let src = od.dentry.lookup(&on)?;
    let smode = src.inode.mode();
    let exchange = flags & RENAME_EXCHANGE != 0;
    let dst = match nd.dentry.lookup(&nn) {
        Ok(d) => Some(d),
        Err(Errno::ENOENT) if !exchange => None,
        Err(e) => return Err(e),
    };
    if flags & RENAME_NOREPLACE != 0 && dst.is_some() {
        return Err(Errno::EEXIST);
    }
    let dmode = dst.as_ref().map(|d| d.inode.mode());
    if !is_dir(smode) && (otrail || (!exchange && ntrail)) {
        return Err(Errno::ENOTDIR);
    }
    if exchange && ntrail && !dmode.is_some_and(is_dir) {
        return Err(Errno::ENOTDIR);
    }
    if is_dir(smode) {
        if is_under(&nd.dentry, &src) {
            return Err(Errno::EINVAL);
        }
        if let Some(m) = dmode {
            if !is_dir(m) && !exchange {
                return Err(Errno::ENOTDIR);
            }
        }
    } else if dmode.is_some_and(is_dir) && !exchange {
        return Err(Errno::EISDIR);
    }
    if exchange {
        if let Some(d) = &dst {
            if is_dir(d.inode.mode()) && is_under(&od.dentry, d) {
                return Err(Errno::EINVAL);
            }
        }
    }
    if let Some(d) = &dst {
        if Arc::ptr_eq(&d.inode, &src.inode) {
            return Ok(0);
        }
    }
    if src.is_mountpoint() || dst.as_ref().is_some_and(|d| d.is_mountpoint()) {
        return Err(Errno::EBUSY);
    }
    let c = &t.creds;
    perm::may_delete(c, &od.inode().stat()?, &src.inode.stat()?)?;
    match &dst {
        Some(d) => perm::may_delete(c, &nd.inode().stat()?, &d.inode.stat()?)?,
        None => perm::check_stat(c, &nd.inode().stat()?, MAY_WRITE | MAY_EXEC)?,
    }
    let moves_dir = !Arc::ptr_eq(&od.dentry, &nd.dentry);
    if moves_dir && is_dir(smode) {
        perm::check_stat(c, &src.inode.stat()?, MAY_WRITE)?;
    }
    if moves_dir && exchange && dmode.is_some_and(is_dir) {
        if let Some(d) = &dst {
            perm::check_stat(c, &d.inode.stat()?, MAY_WRITE)?;
        }
    }
    writable_mount(&od)?;
    let run = || {
        od.inode().rename(&on, nd.inode(), &nn, flags)?;
        rename_dentries(&od.dentry, &on, &nd.dentry, &nn, exchange);
        Ok::<_, Errno>(())
    };
    if !moves_dir {
        od.dentry.locked(run)?;
    } else if Arc::as_ptr(&od.dentry) < Arc::as_ptr(&nd.dentry) {
        od.dentry.locked(|| nd.dentry.locked(run))?;
    } else {
        nd.dentry.locked(|| od.dentry.locked(run))?;
    }
    let (from, to) = ((od.inode(), on.as_slice()), (nd.inode(), nn.as_slice()));
    match &dst {
        Some(d) if exchange => {
            inotify::moved(from, to, &src.inode, None);
            inotify::moved(to, from, &d.inode, None);
        }
        d => inotify::moved(from, to, &src.inode, d.as_ref().map(|d| &d.inode)),
    }
    // A replaced name's inode may end with it (the dentry's drop).
    drop(dst);
    Ok(0)
}

/// Implements rename(2).
pub fn sys_rename(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    rename_at(t, AT_FDCWD, a.addr(0), AT_FDCWD, a.addr(1), 0)
}

/// Implements renameat(2).
pub fn sys_renameat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    rename_at(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), 0)
}

/// Implements renameat2(2).
pub fn sys_renameat2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    rename_at(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.uint(4))
}

fn link_at(
    t: &Task,
    olddirfd: i32,
    old_addr: u64,
    newdirfd: i32,
    new_addr: u64,
    flags: i32,
) -> Result<u64, Errno> {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let old = if flags & AT_EMPTY_PATH != 0 {
        read_path_or_empty(t, old_addr, flags)?
    } else {
        read_path(t, old_addr)?
    };
    if old.is_empty()
        && flags & AT_EMPTY_PATH != 0
        && !t.creds.has_cap(crate::creds::CAP_DAC_READ_SEARCH)
    {
        return Err(Errno::ENOENT);
    }
    let src = lookup_at(
        t,
        olddirfd,
        &old,
        flags & AT_SYMLINK_FOLLOW != 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    let new = read_path(t, new_addr)?;
    let (dir, name) = parent_for_create(t, newdirfd, &new, false)?;
    if !Arc::ptr_eq(&src.mnt, &dir.mnt) {
        return Err(Errno::EXDEV);
    }
    let st = src.inode().stat()?;
    if is_dir(st.st_mode) {
        return Err(Errno::EPERM);
    }
    // fs.protected_hardlinks: only the owner (or CAP_FOWNER) links a file
    // it could not read and write, or a set-id executable.
    if !perm::owner_or_capable(&t.creds, &st) {
        let setid = st.st_mode & abi::stat::S_ISUID != 0
            || st.st_mode & (abi::stat::S_ISGID | 0o010) == (abi::stat::S_ISGID | 0o010);
        if !is_regular(st.st_mode)
            || setid
            || perm::check_stat(&t.creds, &st, MAY_READ | MAY_WRITE).is_err()
        {
            return Err(Errno::EPERM);
        }
    }
    perm::check_stat(&t.creds, &dir.inode().stat()?, MAY_WRITE | MAY_EXEC)?;
    writable_mount(&dir)?;
    if st.st_nlink == 0 && !src.dentry.is_linkable() {
        return Err(Errno::ENOENT);
    }
    dir.dentry.locked(|| {
        dir.inode().link(&name, src.inode())?;
        dir.dentry.add_child(&name, src.inode().clone());
        Ok::<_, Errno>(())
    })?;
    src.dentry.clear_linkable();
    inotify::linked(dir.inode(), &name, src.inode());
    Ok(0)
}

/// Implements link(2).
pub fn sys_link(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    link_at(t, AT_FDCWD, a.addr(0), AT_FDCWD, a.addr(1), 0)
}

/// Implements linkat(2).
pub fn sys_linkat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    link_at(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.int(4))
}

/// A directory the caller may search, for chdir and chroot.
fn searchable_dir(t: &Task, loc: &Location) -> Result<(), Errno> {
    let st = loc.inode().stat()?;
    if !is_dir(st.st_mode) {
        return Err(Errno::ENOTDIR);
    }
    perm::check_stat(&t.creds, &st, MAY_EXEC)
}

/// Implements chdir(2).
pub fn sys_chdir(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let loc = lookup(t, a.addr(0), true)?;
    searchable_dir(t, &loc)?;
    t.fs.lock().cwd = loc;
    Ok(0)
}

/// Implements fchdir(2).
pub fn sys_fchdir(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    let loc = file.location().ok_or(Errno::ENOTDIR)?.clone();
    searchable_dir(t, &loc)?;
    t.fs.lock().cwd = loc;
    Ok(0)
}

/// Implements chroot(2).
pub fn sys_chroot(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let loc = lookup(t, a.addr(0), true)?;
    searchable_dir(t, &loc)?;
    if !t.creds.has_cap(crate::creds::CAP_SYS_CHROOT) {
        return Err(Errno::EPERM);
    }
    t.fs.lock().root = loc;
    Ok(0)
}

/// Implements getcwd(2): the path from the root, "(unreachable)" before
/// a directory outside it, `ENOENT` once the directory is removed.
pub fn sys_getcwd(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let ctx = fs_context(t);
    if ctx.cwd.dentry.is_dead() {
        return Err(Errno::ENOENT);
    }
    let (path, reached) = ctx.cwd.path_from(&ctx.root);
    let mut out = if reached {
        Vec::new()
    } else {
        b"(unreachable)".to_vec()
    };
    out.extend_from_slice(&path);
    out.push(0);
    if out.len() > crate::vfs::PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if out.len() as u64 > a.u64(1) {
        return Err(Errno::ERANGE);
    }
    t.mm.copy_out(a.addr(0), &out)?;
    Ok(out.len() as u64)
}
