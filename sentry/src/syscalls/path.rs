//! What the path-taking calls share: reading a path argument, the place a
//! `*at` call starts from, and resolving with the `AT_*` flags.

use std::sync::Arc;

use abi::Errno;

use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::vfs::walk::Last;
use crate::vfs::{is_dir, FsContext, Location, Resolver, PATH_MAX};

pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: i32 = 0x100;
pub const AT_REMOVEDIR: i32 = 0x200;
pub const AT_EACCESS: i32 = 0x200;
pub const AT_SYMLINK_FOLLOW: i32 = 0x400;
pub const AT_NO_AUTOMOUNT: i32 = 0x800;
pub const AT_EMPTY_PATH: i32 = 0x1000;
pub const AT_STATX_SYNC_TYPE: i32 = 0x6000;

/// Reads a path argument: `EFAULT`, or `ENAMETOOLONG` at `PATH_MAX`.
pub fn read_path(t: &Task, addr: u64) -> Result<Vec<u8>, Errno> {
    t.mm.read_cstring(addr, PATH_MAX - 1)
}

/// Reads a path that may be NULL with `AT_EMPTY_PATH` (Linux 6.11+).
pub fn read_path_or_empty(t: &Task, addr: u64, flags: i32) -> Result<Vec<u8>, Errno> {
    if addr == 0 && flags & AT_EMPTY_PATH != 0 {
        return Ok(Vec::new());
    }
    read_path(t, addr)
}

/// Reads the path at `addr` and resolves it from `dirfd` as the `AT_*`
/// flags say (`AT_SYMLINK_NOFOLLOW`, `AT_EMPTY_PATH`).
pub fn lookup_flags(t: &Task, dirfd: i32, addr: u64, flags: i32) -> Result<Location, Errno> {
    let path = read_path_or_empty(t, addr, flags)?;
    lookup_at(
        t,
        dirfd,
        &path,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )
}

/// The task's root, working directory and umask.
pub fn fs_context(t: &Task) -> FsContext {
    t.fs.lock().clone()
}

/// The place `dirfd` names, for a relative path: the working directory
/// for `AT_FDCWD`, else the descriptor's directory (`EBADF`, `ENOTDIR`).
pub fn dir_of(t: &Task, ctx: &FsContext, dirfd: i32) -> Result<Location, Errno> {
    if dirfd == AT_FDCWD {
        return Ok(ctx.cwd.clone());
    }
    let file = t.fds.lock().get(dirfd)?;
    let loc = file.location().ok_or(Errno::ENOTDIR)?;
    if !is_dir(loc.inode().mode()) {
        return Err(Errno::ENOTDIR);
    }
    Ok(loc.clone())
}

/// Where a path resolves from: the root for absolute paths (no `dirfd`
/// check, as in Linux), else `dirfd`'s directory.
pub fn start_of(t: &Task, ctx: &FsContext, dirfd: i32, path: &[u8]) -> Result<Location, Errno> {
    if path.first() == Some(&b'/') {
        return Ok(ctx.root.clone());
    }
    dir_of(t, ctx, dirfd)
}

/// Resolves all but the last component of `path` from `dirfd`: the
/// parent directory, the last component, and whether the path ended in a
/// slash.
pub fn parent_at(
    t: &Task,
    ctx: &FsContext,
    dirfd: i32,
    path: &[u8],
) -> Result<(Location, Last, bool), Errno> {
    let start = start_of(t, ctx, dirfd, path)?;
    Resolver::new(&ctx.root, &t.creds).resolve_parent(&start, path)
}

/// What an `AT_EMPTY_PATH` call or a path names.
#[derive(Debug)]
pub enum Target {
    /// A place in the tree.
    Place(Location),
    /// A descriptor with no place (a pipe, a host stream).
    File(Arc<FileDescription>),
}

/// Resolves `path` (already read) from `dirfd`; an empty path with
/// `AT_EMPTY_PATH` names `dirfd` itself.
pub fn target_at(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    follow: bool,
    empty_path: bool,
) -> Result<Target, Errno> {
    let ctx = fs_context(t);
    if path.is_empty() {
        if !empty_path {
            return Err(Errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            return Ok(Target::Place(ctx.cwd));
        }
        let file = t.fds.lock().get(dirfd)?;
        return Ok(match file.location() {
            Some(l) => Target::Place(l.clone()),
            None => Target::File(file),
        });
    }
    let start = start_of(t, &ctx, dirfd, path)?;
    let mut r = Resolver::new(&ctx.root, &t.creds);
    Ok(Target::Place(r.resolve(&start, path, follow)?))
}

/// [`target_at`] for calls that need a place.
pub fn lookup_at(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    follow: bool,
    empty_path: bool,
) -> Result<Location, Errno> {
    match target_at(t, dirfd, path, follow, empty_path)? {
        Target::Place(l) => Ok(l),
        Target::File(_) => Err(Errno::EBADF),
    }
}

/// Reads the path at `addr` and resolves it from the working directory.
pub fn lookup(t: &Task, addr: u64, follow: bool) -> Result<Location, Errno> {
    let path = read_path(t, addr)?;
    lookup_at(t, AT_FDCWD, &path, follow, false)
}

/// `EROFS` on a read-only mount.
pub fn writable_mount(loc: &Location) -> Result<(), Errno> {
    if loc.mnt.flags.read_only {
        return Err(Errno::EROFS);
    }
    Ok(())
}
