//! open(2), openat(2), openat2(2) and creat(2).

use abi::Errno;

use super::fd::install;
use super::path::{dir_of, fs_context, read_path, start_of, writable_mount, AT_FDCWD};
use crate::arch::SyscallArgs;
use crate::fsimpl::{FileDescription, FileImpl};
use crate::kernel::Task;
use crate::vfs::file::{DirFile, PathFile, RegularFile};
use crate::vfs::inotify;
use crate::vfs::perm::{self, MAY_EXEC, MAY_READ, MAY_WRITE};
use crate::vfs::walk::{Last, ResolveFlags};
use crate::vfs::{
    file_type, is_dir, is_regular, is_symlink, Location, NewKind, NewNode, Resolver, SetAttr,
};

/// Every flag open accepts (others are ignored by open and openat, and
/// refused by openat2).
const VALID_OPEN_FLAGS: i32 = libc::O_ACCMODE
    | libc::O_CREAT
    | libc::O_EXCL
    | libc::O_NOCTTY
    | libc::O_TRUNC
    | libc::O_APPEND
    | libc::O_NONBLOCK
    | libc::O_DSYNC
    | libc::O_ASYNC
    | libc::O_DIRECT
    | libc::O_LARGEFILE
    | libc::O_DIRECTORY
    | libc::O_NOFOLLOW
    | libc::O_NOATIME
    | libc::O_CLOEXEC
    | libc::O_SYNC
    | libc::O_PATH
    | libc::O_TMPFILE;

/// `__O_TMPFILE`: `O_TMPFILE` without its `O_DIRECTORY`.
const O_TMPFILE_BIT: i32 = 0o20000000;

/// `O_LARGEFILE` as the kernel has it (the libc crate's is 0 on x86-64):
/// every open on a 64-bit kernel sets it.
const O_LARGEFILE: i32 = 0o100000;

/// The flags an `O_PATH` open keeps.
const O_PATH_FLAGS: i32 = libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_PATH | libc::O_CLOEXEC;

/// Implements open(2).
pub fn sys_open(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let how = legacy_how(a.int(1), a.uint(2));
    open(t, AT_FDCWD, a.addr(0), how)
}

/// Implements openat(2).
pub fn sys_openat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let how = legacy_how(a.int(2), a.uint(3));
    open(t, a.fd(0), a.addr(1), how)
}

/// Implements creat(2).
pub fn sys_creat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let how = legacy_how(libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC, a.uint(1));
    open(t, AT_FDCWD, a.addr(0), how)
}

/// What to open: flags, creation mode and resolve restrictions.
#[derive(Clone, Copy, Debug)]
pub struct OpenHow {
    pub flags: i32,
    pub mode: u32,
    pub resolve: ResolveFlags,
}

/// open and openat: unknown flags are dropped, the mode is used only
/// when creating, and O_PATH keeps only its own flags.
fn legacy_how(flags: i32, mode: u32) -> OpenHow {
    let mut flags = flags & VALID_OPEN_FLAGS;
    if flags & libc::O_PATH != 0 {
        flags &= O_PATH_FLAGS;
    }
    let creating = flags & libc::O_CREAT != 0 || flags & libc::O_TMPFILE == libc::O_TMPFILE;
    OpenHow {
        flags,
        mode: if creating { mode & 0o7777 } else { 0 },
        resolve: ResolveFlags::empty(),
    }
}

/// `struct open_how` of openat2.
#[derive(
    Clone, Copy, Debug, Default, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable,
)]
#[repr(C)]
struct RawOpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// Implements openat2(2), which refuses what open ignores.
pub fn sys_openat2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (how_addr, size) = (a.addr(2), a.u64(3));
    const MIN: u64 = 24;
    if size < MIN {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let raw: RawOpenHow = t.mm.read_obj(how_addr)?;
    if size > MIN {
        // Unknown trailing fields must be zero.
        let mut rest = vec![0u8; usize::try_from(size - MIN).unwrap_or(0)];
        t.mm.copy_in(how_addr + MIN, &mut rest)?;
        if rest.iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
    }
    #[allow(clippy::cast_sign_loss)]
    if raw.flags & !(VALID_OPEN_FLAGS as u32 as u64) != 0 {
        return Err(Errno::EINVAL);
    }
    let flags = i32::try_from(raw.flags).map_err(|_| Errno::EINVAL)?;
    let resolve = ResolveFlags::from_bits(raw.resolve).ok_or(Errno::EINVAL)?;
    let creating = flags & libc::O_CREAT != 0 || flags & libc::O_TMPFILE == libc::O_TMPFILE;
    if raw.mode & !0o7777 != 0 || (!creating && raw.mode != 0) {
        return Err(Errno::EINVAL);
    }
    if flags & libc::O_PATH != 0 && flags & !O_PATH_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    if resolve.contains(ResolveFlags::BENEATH | ResolveFlags::IN_ROOT) {
        return Err(Errno::EINVAL);
    }
    let how = OpenHow {
        flags,
        mode: u32::try_from(raw.mode).unwrap_or(0),
        resolve,
    };
    open(t, a.fd(0), a.addr(1), how)
}

fn open(t: &Task, dirfd: i32, path_addr: u64, how: OpenHow) -> Result<u64, Errno> {
    let path = read_path(t, path_addr)?;
    let (file, cloexec) = open_path(t, dirfd, &path, how)?;
    install(t, file, cloexec)
}

/// Opens `path` from `dirfd`: the description and whether it is
/// close-on-exec.
pub fn open_path(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    how: OpenHow,
) -> Result<(FileDescription, bool), Errno> {
    let flags = how.flags;
    let tmpfile = flags & O_TMPFILE_BIT != 0;
    if tmpfile
        && (flags & (libc::O_TMPFILE | libc::O_CREAT) != libc::O_TMPFILE
            || flags & libc::O_ACCMODE == libc::O_RDONLY)
    {
        return Err(Errno::EINVAL);
    }
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let ctx = fs_context(t);
    let start = if how
        .resolve
        .intersects(ResolveFlags::BENEATH | ResolveFlags::IN_ROOT)
    {
        dir_of(t, &ctx, dirfd)?
    } else {
        start_of(t, &ctx, dirfd, path)?
    };
    let mut r = Resolver::with_flags(&ctx.root, &start, &t.creds, how.resolve);
    let follow = flags & libc::O_NOFOLLOW == 0;
    if tmpfile {
        let dir = r.resolve(&start, path, follow)?;
        let mode = how.mode & !ctx.umask & 0o7777;
        let loc = open_tmpfile(t, &dir, flags, mode)?;
        let imp = Box::new(RegularFile::new(loc.inode().clone()));
        inotify::file_event(&loc, inotify::IN_OPEN);
        let f = FileDescription::at(imp, kept_flags(flags), loc);
        return Ok((f, flags & libc::O_CLOEXEC != 0));
    }
    let (loc, created) = if flags & libc::O_CREAT != 0 && flags & libc::O_PATH == 0 {
        if flags & libc::O_DIRECTORY != 0 {
            return Err(Errno::EINVAL);
        }
        let mode = how.mode & !ctx.umask & 0o7777;
        open_or_create(t, &mut r, &start, path, flags, mode)?
    } else {
        (r.resolve(&start, path, follow)?, false)
    };
    let cloexec = flags & libc::O_CLOEXEC != 0;
    let inode = loc.inode().clone();
    let mode = inode.mode();
    if flags & libc::O_PATH != 0 {
        if flags & libc::O_DIRECTORY != 0 && !is_dir(mode) {
            return Err(Errno::ENOTDIR);
        }
        let imp = Box::new(PathFile::new(inode));
        let f = FileDescription::at(imp, flags & !libc::O_CLOEXEC, loc);
        return Ok((f, cloexec));
    }
    if flags & libc::O_DIRECTORY != 0 && !is_dir(mode) {
        return Err(Errno::ENOTDIR);
    }
    if is_symlink(mode) {
        return Err(Errno::ELOOP);
    }
    let acc = flags & libc::O_ACCMODE;
    let mut want = match acc {
        libc::O_RDONLY => MAY_READ,
        libc::O_WRONLY => MAY_WRITE,
        _ => MAY_READ | MAY_WRITE,
    };
    if flags & libc::O_TRUNC != 0 {
        want |= MAY_WRITE;
    }
    if is_dir(mode) && (want & MAY_WRITE != 0 || flags & libc::O_CREAT != 0) {
        return Err(Errno::EISDIR);
    }
    if !created {
        let st = inode.stat()?;
        inode.permission(&t.creds, want)?;
        if want & MAY_WRITE != 0 && (is_regular(mode) || is_dir(mode)) {
            writable_mount(&loc)?;
        }
        if flags & libc::O_NOATIME != 0 && !perm::owner_or_capable(&t.creds, &st) {
            return Err(Errno::EPERM);
        }
    }
    let imp: Box<dyn FileImpl> = match inode.open(flags) {
        Some(r) => r?,
        None => match file_type(mode) {
            abi::stat::S_IFDIR => Box::new(DirFile::new(loc.clone())),
            abi::stat::S_IFREG => Box::new(RegularFile::new(inode.clone())),
            abi::stat::S_IFIFO => open_fifo(t, &inode, flags)?,
            _ => return Err(Errno::ENXIO),
        },
    };
    inotify::file_event(&loc, inotify::IN_OPEN);
    if flags & libc::O_TRUNC != 0 && is_regular(mode) && !created {
        let a = SetAttr {
            size: Some(0),
            ..SetAttr::default()
        };
        inode.setattr(&a)?;
        inotify::attr_changed(&loc.dentry, &a);
    }
    Ok((FileDescription::at(imp, kept_flags(flags), loc), cloexec))
}

/// The flags an open description keeps (`F_GETFL`).
fn kept_flags(flags: i32) -> i32 {
    (flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_NOCTTY | libc::O_TRUNC | libc::O_CLOEXEC))
        | O_LARGEFILE
}

/// `O_TMPFILE` in `dir` (Linux's `vfs_tmpfile`): an unnamed regular file
/// with no link, which `linkat` may name unless opened `O_EXCL`.
fn open_tmpfile(t: &Task, dir: &Location, flags: i32, mode: u32) -> Result<Location, Errno> {
    let dst = dir.inode().stat()?;
    if !is_dir(dst.st_mode) {
        return Err(Errno::ENOTDIR);
    }
    writable_mount(dir)?;
    perm::check_stat(&t.creds, &dst, MAY_WRITE | MAY_EXEC)?;
    let node = new_node(t, &dst, NewKind::Regular, mode);
    let inode = dir.inode().tmpfile(&node)?;
    let linkable = flags & libc::O_EXCL == 0;
    let dentry = dir.dentry.tmpfile_child(inode, linkable);
    Ok(Location::new(dir.mnt.clone(), dentry))
}

/// Opens a FIFO as Linux does: a reader waits for a writer and a writer
/// for a reader (or, non-blocking, a writer without readers is `ENXIO`);
/// read-write never waits.
fn open_fifo(
    t: &Task,
    inode: &crate::vfs::InodeRef,
    flags: i32,
) -> Result<Box<dyn FileImpl>, Errno> {
    use crate::fsimpl::pipe::{fifo_of, PipeFile};
    let pipe = fifo_of(crate::vfs::inode_key(inode), crate::vfs::now());
    let nonblock = flags & libc::O_NONBLOCK != 0;
    let (readers, _, opened_r, opened_w) = pipe.counts();
    let wait = |other_open: &dyn Fn() -> bool| -> Result<(), Errno> {
        if nonblock || other_open() {
            return Ok(());
        }
        let _reg = pipe.queue().register(&t.shared.waker);
        t.block(None, || other_open().then_some(()))
    };
    Ok(Box::new(match flags & libc::O_ACCMODE {
        libc::O_RDONLY => {
            let end = pipe.open_end(false);
            wait(&|| {
                let (_, w, _, ow) = pipe.counts();
                w > 0 || ow != opened_w
            })?;
            PipeFile::new(Some(end), None, Some(inode.clone()))
        }
        libc::O_WRONLY => {
            if nonblock && readers == 0 {
                return Err(Errno::ENXIO);
            }
            let end = pipe.open_end(true);
            wait(&|| {
                let (r, _, or, _) = pipe.counts();
                r > 0 || or != opened_r
            })?;
            PipeFile::new(None, Some(end), Some(inode.clone()))
        }
        _ => PipeFile::new(
            Some(pipe.open_end(false)),
            Some(pipe.open_end(true)),
            Some(inode.clone()),
        ),
    }))
}

/// `O_CREAT`: finds the last component (following symlinks unless
/// `O_NOFOLLOW`, refusing any with `O_EXCL`) or creates it.
fn open_or_create(
    t: &Task,
    r: &mut Resolver<'_>,
    start: &Location,
    path: &[u8],
    flags: i32,
    mode: u32,
) -> Result<(Location, bool), Errno> {
    let (mut dir, mut last, mut trailing) = r.resolve_parent(start, path)?;
    loop {
        let name = match last {
            Last::Name(n) => n,
            Last::Root if !is_dir(dir.inode().mode()) => return Ok((dir, false)),
            _ => return Err(Errno::EISDIR),
        };
        match r.step(&dir, &name) {
            Ok(found) => {
                if flags & libc::O_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                if is_symlink(found.inode().mode()) && flags & libc::O_NOFOLLOW == 0 {
                    (dir, last, trailing) = r.resolve_link_parent(&dir, &found)?;
                    continue;
                }
                if trailing && !is_dir(found.inode().mode()) {
                    return Err(Errno::ENOTDIR);
                }
                return Ok((found, false));
            }
            Err(Errno::ENOENT) => {
                if !dir.inode().creatable() {
                    return Err(Errno::ENOENT);
                }
                if trailing {
                    return Err(Errno::EISDIR);
                }
                let made = create_in(t, &dir, &name, NewKind::Regular, mode)?;
                return Ok((made, true));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Creates `name` in `dir` with the caller's identity: write and search
/// permission on the directory, a writable mount; a set-group-id
/// directory passes on its group (and, to directories, the bit).
pub fn create_in(
    t: &Task,
    dir: &Location,
    name: &[u8],
    kind: NewKind,
    mode: u32,
) -> Result<Location, Errno> {
    let dst = dir.inode().stat()?;
    perm::check_stat(&t.creds, &dst, MAY_WRITE | MAY_EXEC)?;
    writable_mount(dir)?;
    if dir.dentry.is_dead() {
        return Err(Errno::ENOENT);
    }
    let node = new_node(t, &dst, kind, mode);
    let made_dir = node.kind == NewKind::Directory;
    let d = dir.dentry.locked(|| {
        let inode = dir.inode().create(name, &node)?;
        Ok::<_, Errno>(dir.dentry.add_child(name, inode))
    })?;
    inotify::created(dir.inode(), name, made_dir);
    Ok(Location::new(dir.mnt.clone(), d))
}

/// What `t` makes in a directory whose `stat` is `dst`: a node of its
/// fsuid; a set-group-id directory passes on its group (and, to
/// directories, the bit).
fn new_node(t: &Task, dst: &abi::types::Stat, kind: NewKind, mode: u32) -> NewNode {
    let mut mode = mode;
    let gid = if dst.st_mode & abi::stat::S_ISGID != 0 {
        if kind == NewKind::Directory {
            mode |= abi::stat::S_ISGID;
        }
        dst.st_gid
    } else {
        t.creds.fsgid
    };
    if kind != NewKind::Directory
        && mode & abi::stat::S_ISGID != 0
        && !perm::in_group(&t.creds, gid)
        && !t.creds.has_cap(crate::creds::CAP_FSETID)
    {
        mode &= !abi::stat::S_ISGID;
    }
    NewNode {
        kind,
        mode,
        uid: t.creds.fsuid,
        gid,
    }
}
