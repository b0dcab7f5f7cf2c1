//! Attributes and whole-file operations: access, chmod, chown, utimes,
//! truncate, sync, statfs, fallocate, fadvise.

use abi::types::{Timespec, Timeval};
use abi::Errno;

use super::path::*;
use crate::arch::SyscallArgs;
use crate::creds::CAP_FOWNER;
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::vfs::perm::{self, MAY_EXEC, MAY_WRITE};
use crate::vfs::{is_dir, is_regular, is_symlink, Location, SetAttr};

fn access_at(t: &Task, dirfd: i32, path_addr: u64, mode: i32, flags: i32) -> Result<u64, Errno> {
    if mode & !7 != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path_or_empty(t, path_addr, flags)?;
    // Checks use the real ids unless AT_EACCESS; a non-root real uid has
    // no capabilities for them (access_override_creds).
    let mut creds = t.creds.clone();
    if flags & AT_EACCESS == 0 {
        creds.fsuid = creds.ruid;
        creds.fsgid = creds.rgid;
        creds.cap_effective = if creds.ruid == 0 {
            creds.cap_permitted
        } else {
            0
        };
    }
    let ctx = fs_context(t);
    let loc = if path.is_empty() {
        lookup_at(t, dirfd, &path, false, flags & AT_EMPTY_PATH != 0)?
    } else {
        let start = start_of(t, &ctx, dirfd, &path)?;
        crate::vfs::Resolver::new(&ctx.root, &creds).resolve(
            &start,
            &path,
            flags & AT_SYMLINK_NOFOLLOW == 0,
        )?
    };
    #[allow(clippy::cast_sign_loss)]
    let want = mode as u32;
    if want == 0 {
        return Ok(0);
    }
    let st = loc.inode().stat()?;
    if want & MAY_WRITE != 0
        && (is_regular(st.st_mode) || is_dir(st.st_mode) || is_symlink(st.st_mode))
    {
        writable_mount(&loc)?;
    }
    perm::check_stat(&creds, &st, want)?;
    Ok(0)
}

/// Implements access(2).
pub fn sys_access(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    access_at(t, AT_FDCWD, a.addr(0), a.int(1), 0)
}

/// Implements faccessat(2).
pub fn sys_faccessat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    access_at(t, a.fd(0), a.addr(1), a.int(2), 0)
}

/// Implements faccessat2(2).
pub fn sys_faccessat2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    access_at(t, a.fd(0), a.addr(1), a.int(2), a.int(3))
}

/// The inode and place a descriptor names, for the f* calls.
fn file_place(t: &Task, fd: i32) -> Result<(std::sync::Arc<FileDescription>, Location), Errno> {
    let file = t.fds.lock().get(fd)?;
    let loc = file.location().cloned().ok_or(Errno::EBADF)?;
    Ok((file, loc))
}

fn chmod(t: &Task, loc: &Location, mode: u32) -> Result<u64, Errno> {
    let st = loc.inode().stat()?;
    let mode = perm::chmod_mode(&t.creds, &st, mode)?;
    writable_mount(loc)?;
    setattr(
        loc,
        SetAttr {
            mode: Some(mode),
            ..SetAttr::default()
        },
    )?;
    Ok(0)
}

/// Implements chmod(2).
pub fn sys_chmod(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let loc = lookup(t, a.addr(0), true)?;
    chmod(t, &loc, a.uint(1))
}

/// Implements fchmod(2).
pub fn sys_fchmod(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (file, loc) = file_place(t, a.fd(0))?;
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    chmod(t, &loc, a.uint(1))
}

/// Implements fchmodat(2).
pub fn sys_fchmodat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let path = read_path(t, a.addr(1))?;
    let loc = lookup_at(t, a.fd(0), &path, true, false)?;
    chmod(t, &loc, a.uint(2))
}

/// Implements fchmodat2(2): symlinks themselves have no mode to change.
pub fn sys_fchmodat2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(3);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let loc = lookup_flags(t, a.fd(0), a.addr(1), flags)?;
    if is_symlink(loc.inode().mode()) {
        return Err(Errno::EOPNOTSUPP);
    }
    chmod(t, &loc, a.uint(2))
}

#[allow(clippy::cast_sign_loss)]
fn id_arg(v: i32) -> Option<u32> {
    (v != -1).then_some(v as u32)
}

fn chown(t: &Task, loc: &Location, uid: i32, gid: i32) -> Result<u64, Errno> {
    let st = loc.inode().stat()?;
    let (uid, gid) = (id_arg(uid), id_arg(gid));
    let mode = perm::chown_check(&t.creds, &st, uid, gid)?;
    writable_mount(loc)?;
    setattr(
        loc,
        SetAttr {
            uid,
            gid,
            mode,
            ..SetAttr::default()
        },
    )?;
    Ok(0)
}

/// Implements chown(2).
pub fn sys_chown(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let loc = lookup(t, a.addr(0), true)?;
    chown(t, &loc, a.int(1), a.int(2))
}

/// Implements lchown(2).
pub fn sys_lchown(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let loc = lookup(t, a.addr(0), false)?;
    chown(t, &loc, a.int(1), a.int(2))
}

/// Implements fchown(2).
pub fn sys_fchown(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (file, loc) = file_place(t, a.fd(0))?;
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    chown(t, &loc, a.int(1), a.int(2))
}

/// Implements fchownat(2).
pub fn sys_fchownat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(4);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let loc = lookup_flags(t, a.fd(0), a.addr(1), flags)?;
    chown(t, &loc, a.int(2), a.int(3))
}

const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;

/// Sets times: `None` is "both now". Setting explicit times needs
/// ownership (or CAP_FOWNER); "now" also allows write permission.
fn set_times(t: &Task, loc: &Location, times: Option<[Timespec; 2]>) -> Result<u64, Errno> {
    let st = loc.inode().stat()?;
    let now = crate::vfs::now();
    let (atime, mtime, explicit) = match times {
        None => (Some(now), Some(now), false),
        Some([a, m]) => {
            for ts in [a, m] {
                if ts.tv_nsec != UTIME_NOW
                    && ts.tv_nsec != UTIME_OMIT
                    && !(0..1_000_000_000).contains(&ts.tv_nsec)
                {
                    return Err(Errno::EINVAL);
                }
            }
            if a.tv_nsec == UTIME_OMIT && m.tv_nsec == UTIME_OMIT {
                return Ok(0);
            }
            let pick = |ts: Timespec| match ts.tv_nsec {
                UTIME_OMIT => None,
                UTIME_NOW => Some(now),
                _ => Some(ts),
            };
            // Both UTIME_NOW is a plain touch; anything else sets times.
            let explicit = !(a.tv_nsec == UTIME_NOW && m.tv_nsec == UTIME_NOW);
            (pick(a), pick(m), explicit)
        }
    };
    let owner = t.creds.fsuid == st.st_uid || t.creds.has_cap(CAP_FOWNER);
    if !owner {
        if explicit {
            return Err(Errno::EPERM);
        }
        perm::check_stat(&t.creds, &st, MAY_WRITE)?;
    }
    writable_mount(loc)?;
    setattr(
        loc,
        SetAttr {
            atime,
            mtime,
            ..SetAttr::default()
        },
    )?;
    Ok(0)
}

/// Implements utimensat(2); a NULL path is futimens on `dirfd`.
pub fn sys_utimensat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (dirfd, path_addr, times_addr, flags) = (a.fd(0), a.addr(1), a.addr(2), a.int(3));
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let times = if times_addr == 0 {
        None
    } else {
        Some(t.mm.read_obj::<[Timespec; 2]>(times_addr)?)
    };
    let loc = if path_addr == 0 {
        if dirfd == AT_FDCWD {
            return Err(Errno::EFAULT);
        }
        if flags & AT_SYMLINK_NOFOLLOW != 0 {
            return Err(Errno::EINVAL);
        }
        file_place(t, dirfd)?.1
    } else {
        lookup_flags(t, dirfd, path_addr, flags)?
    };
    set_times(t, &loc, times)
}

fn timevals(t: &Task, addr: u64) -> Result<Option<[Timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let tv: [Timeval; 2] = t.mm.read_obj(addr)?;
    let mut out = [Timespec::default(); 2];
    for (o, v) in out.iter_mut().zip(tv) {
        if !(0..1_000_000).contains(&v.tv_usec) {
            return Err(Errno::EINVAL);
        }
        *o = Timespec {
            tv_sec: v.tv_sec,
            tv_nsec: v.tv_usec * 1000,
        };
    }
    Ok(Some(out))
}

/// Implements utimes(2).
pub fn sys_utimes(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let times = timevals(t, a.addr(1))?;
    let loc = lookup(t, a.addr(0), true)?;
    set_times(t, &loc, times)
}

/// Implements futimesat(2).
pub fn sys_futimesat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let times = timevals(t, a.addr(2))?;
    let path = read_path(t, a.addr(1))?;
    let loc = lookup_at(t, a.fd(0), &path, true, false)?;
    set_times(t, &loc, times)
}

/// Implements utime(2).
pub fn sys_utime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let times = if a.addr(1) == 0 {
        None
    } else {
        let [at, mt]: [i64; 2] = t.mm.read_obj(a.addr(1))?;
        Some([
            Timespec {
                tv_sec: at,
                tv_nsec: 0,
            },
            Timespec {
                tv_sec: mt,
                tv_nsec: 0,
            },
        ])
    };
    let loc = lookup(t, a.addr(0), true)?;
    set_times(t, &loc, times)
}

/// `RLIMIT_FSIZE` for a truncate to `len`: past it, `SIGXFSZ` and
/// `EFBIG`.
fn fsize_check(t: &Task, len: i64) -> Result<(), Errno> {
    let limit = t.rlimit_cur(abi::resource::RLIMIT_FSIZE);
    if u64::try_from(len).unwrap_or(0) > limit {
        return Err(super::read_write::file_too_big(t));
    }
    Ok(())
}

fn truncate_inode(loc: &Location, len: i64) -> Result<u64, Errno> {
    let len = u64::try_from(len).map_err(|_| Errno::EINVAL)?;
    setattr(
        loc,
        SetAttr {
            size: Some(len),
            ..SetAttr::default()
        },
    )?;
    Ok(0)
}

/// Applies `a` to the file at `loc` and tells inotify what changed.
fn setattr(loc: &Location, a: SetAttr) -> Result<(), Errno> {
    loc.inode().setattr(&a)?;
    crate::vfs::inotify::attr_changed(&loc.dentry, &a);
    Ok(())
}

/// Implements truncate(2).
pub fn sys_truncate(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let len = a.long(1);
    let loc = lookup(t, a.addr(0), true)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let st = loc.inode().stat()?;
    if is_dir(st.st_mode) {
        return Err(Errno::EISDIR);
    }
    if !is_regular(st.st_mode) {
        return Err(Errno::EINVAL);
    }
    perm::check_stat(&t.creds, &st, MAY_WRITE)?;
    writable_mount(&loc)?;
    fsize_check(t, len)?;
    if let Some(mode) = perm::kill_suid(&t.creds, st.st_mode) {
        setattr(
            &loc,
            SetAttr {
                mode: Some(mode),
                ..SetAttr::default()
            },
        )?;
    }
    truncate_inode(&loc, len)
}

/// Implements ftruncate(2).
pub fn sys_ftruncate(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    let len = a.long(1);
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    if file.inode().is_some_and(|i| is_regular(i.mode())) && file.check_writable().is_ok() {
        fsize_check(t, len)?;
    }
    super::read_write::drop_privs(t, &file);
    file.truncate(u64::try_from(len).map_err(|_| Errno::EINVAL)?)?;
    Ok(0)
}

/// Implements fsync(2) and fdatasync(2).
pub fn sys_fsync(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    match file.inode() {
        Some(i) if !file.is_path() => i.sync().map(|()| 0),
        Some(_) => Err(Errno::EBADF),
        None => Err(Errno::EINVAL),
    }
}

/// Implements sync_file_range(2): the data is in sentry memory or
/// written through to the host as it is written.
pub fn sys_sync_file_range(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (off, len, flags) = (a.long(1), a.long(2), a.uint(3));
    if flags & !7 != 0 || off < 0 || len < 0 || off.checked_add(len).is_none() {
        return Err(Errno::EINVAL);
    }
    let file = t.fds.lock().get(a.fd(0))?;
    if file.pipe_size().is_ok() {
        return Err(Errno::ESPIPE);
    }
    Ok(0)
}

/// Implements sync(2).
pub fn sys_sync(_t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(0)
}

/// Implements syncfs(2).
pub fn sys_syncfs(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    t.fds.lock().get(a.fd(0))?;
    Ok(0)
}

/// `struct statfs` on x86-64.
#[derive(Clone, Copy, Debug, Default, zerocopy::IntoBytes, zerocopy::Immutable)]
#[repr(C)]
struct RawStatfs {
    f_type: u64,
    f_bsize: u64,
    f_blocks: u64,
    f_bfree: u64,
    f_bavail: u64,
    f_files: u64,
    f_ffree: u64,
    f_fsid: [u32; 2],
    f_namelen: u64,
    f_frsize: u64,
    f_flags: u64,
    f_spare: [u64; 4],
}

const ST_RDONLY: u64 = 1;
const ST_NOSUID: u64 = 2;
const ST_NODEV: u64 = 4;
const ST_NOEXEC: u64 = 8;
const ST_VALID: u64 = 0x20;

fn statfs_of(t: &Task, loc: &Location, addr: u64) -> Result<u64, Errno> {
    let s = loc.inode().statfs()?;
    let dev = loc.mnt.root.inode.stat()?.st_dev;
    let f = loc.mnt.flags;
    let flags = ST_VALID
        | if f.read_only { ST_RDONLY } else { 0 }
        | if f.nosuid { ST_NOSUID } else { 0 }
        | if f.nodev { ST_NODEV } else { 0 }
        | if f.noexec { ST_NOEXEC } else { 0 };
    let raw = RawStatfs {
        f_type: s.fs_type,
        f_bsize: s.bsize,
        f_blocks: s.blocks,
        f_bfree: s.bfree,
        f_bavail: s.bavail,
        f_files: s.files,
        f_ffree: s.ffree,
        f_fsid: [abi::stat::minor(dev) | (abi::stat::major(dev) << 8), 0],
        f_namelen: s.namelen,
        f_frsize: s.frsize,
        f_flags: flags | s.flags,
        f_spare: [0; 4],
    };
    t.mm.write_obj(addr, &raw)?;
    Ok(0)
}

/// Implements statfs(2).
pub fn sys_statfs(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let loc = lookup(t, a.addr(0), true)?;
    statfs_of(t, &loc, a.addr(1))
}

/// Implements fstatfs(2).
pub fn sys_fstatfs(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    if let Some(loc) = file.location() {
        return statfs_of(t, loc, a.addr(1));
    }
    let fs_type = if file.pipe_size().is_ok() {
        PIPEFS_MAGIC
    } else {
        ANON_INODE_FS_MAGIC
    };
    let raw = RawStatfs {
        f_type: fs_type,
        f_bsize: 4096,
        f_namelen: 255,
        f_frsize: 4096,
        f_flags: ST_VALID,
        ..RawStatfs::default()
    };
    t.mm.write_obj(a.addr(1), &raw)?;
    Ok(0)
}

/// `PIPEFS_MAGIC` and `ANON_INODE_FS_MAGIC`: the filesystems of pipes and
/// of eventfd, epoll and friends.
const PIPEFS_MAGIC: u64 = 0x5049_5045;
const ANON_INODE_FS_MAGIC: u64 = 0x0904_1934;

/// Implements fallocate(2).
pub fn sys_fallocate(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    const KEEP_SIZE: i32 = 0x01;
    const PUNCH_HOLE: i32 = 0x02;
    const COLLAPSE_RANGE: i32 = 0x08;
    const ZERO_RANGE: i32 = 0x10;
    const INSERT_RANGE: i32 = 0x20;
    const UNSHARE_RANGE: i32 = 0x40;
    const WRITE_ZEROES: i32 = 0x80;
    const MODE_MASK: i32 =
        PUNCH_HOLE | COLLAPSE_RANGE | ZERO_RANGE | INSERT_RANGE | UNSHARE_RANGE | WRITE_ZEROES;
    let (mode, off, len) = (a.int(1), a.long(2), a.long(3));
    let file = t.fds.lock().get(a.fd(0))?;
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    // vfs_fallocate's order: the arguments, one operation at a time
    // (KEEP_SIZE only where it means something), the access mode, then
    // the kind of file.
    if off < 0 || len <= 0 {
        return Err(Errno::EINVAL);
    }
    if mode & !(MODE_MASK | KEEP_SIZE) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    match mode & MODE_MASK {
        0 | UNSHARE_RANGE | ZERO_RANGE => {}
        PUNCH_HOLE if mode & KEEP_SIZE != 0 => {}
        COLLAPSE_RANGE | INSERT_RANGE | WRITE_ZEROES if mode & KEEP_SIZE == 0 => {}
        _ => return Err(Errno::EOPNOTSUPP),
    }
    let acc = file.status_flags()? & libc::O_ACCMODE;
    if acc != libc::O_WRONLY && acc != libc::O_RDWR {
        return Err(Errno::EBADF);
    }
    let m = file.stat()?.st_mode;
    if crate::vfs::file_type(m) == abi::stat::S_IFIFO {
        return Err(Errno::ESPIPE);
    }
    if is_dir(m) {
        return Err(Errno::EISDIR);
    }
    if !is_regular(m) {
        return Err(Errno::ENODEV);
    }
    if off.checked_add(len).is_none() {
        return Err(Errno::EFBIG);
    }
    let inode = file.inode().ok_or(Errno::EOPNOTSUPP)?;
    #[allow(clippy::cast_sign_loss)]
    inode.allocate(mode, off as u64, len as u64)?;
    file.notify(crate::vfs::inotify::IN_MODIFY);
    Ok(0)
}

/// Implements fadvise64(2): advice is accepted and has no effect.
pub fn sys_fadvise64(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    if file.pipe_size().is_ok() {
        return Err(Errno::ESPIPE);
    }
    if a.long(2) < 0 {
        return Err(Errno::EINVAL);
    }
    if !(0..=5).contains(&a.int(3)) {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// Implements readahead(2): a hint, taken for a readable regular file
/// (EBADF for a descriptor not open for reading, EINVAL for any other kind
/// of file or a count past `i64::MAX`); the sentry's files need no
/// read-ahead.
pub fn sys_readahead(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    file.check_readable()?;
    let Some(loc) = file.location() else {
        // A pipe's write end, say, is not open for reading either.
        if file.status_flags()? & libc::O_ACCMODE == libc::O_WRONLY {
            return Err(Errno::EBADF);
        }
        return Err(Errno::EINVAL);
    };
    if !is_regular(loc.inode().stat()?.st_mode) || a.long(2) < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// `access` with `X_OK` on the file an exec wants: some execute bit and
/// the caller's permission.
pub fn may_exec(t: &Task, loc: &Location) -> Result<(), Errno> {
    let st = loc.inode().stat()?;
    if !is_regular(st.st_mode) {
        return Err(Errno::EACCES);
    }
    if loc.mnt.flags.noexec {
        return Err(Errno::EACCES);
    }
    perm::check_stat(&t.creds, &st, MAY_EXEC)
}
