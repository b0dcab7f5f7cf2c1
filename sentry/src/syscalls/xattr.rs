//! Extended attributes: getxattr, setxattr, listxattr, removexattr and
//! their `l` and `f` forms. The checks are the VFS's (fs/xattr.c:
//! argument copies, then the file, then `xattr_permission` and the
//! capability module's rule for `security.*`); the filesystem keeps the
//! attributes (tmpfs, the overlay's upper layer) or has none
//! (`EOPNOTSUPP`, an empty list).

use abi::types::Stat;
use abi::Errno;

use super::path::{lookup, writable_mount};
use crate::arch::SyscallArgs;
use crate::creds::CAP_SYS_ADMIN;
use crate::kernel::Task;
use crate::vfs::perm::{self, MAY_READ, MAY_WRITE};
use crate::vfs::{is_dir, is_regular, InodeRef, XATTR_CREATE, XATTR_REPLACE};

/// `XATTR_NAME_MAX`, `XATTR_SIZE_MAX`, `XATTR_LIST_MAX`.
const NAME_MAX: usize = 255;
const SIZE_MAX: u64 = 65536;
const LIST_MAX: u64 = 65536;

/// What an xattr call works on: the node, if the file has one (pipes
/// and sockets have attributes of none), and its `stat`.
struct Target {
    inode: Option<InodeRef>,
    st: Stat,
}

/// The descriptor of an `f` call, checked before anything else.
fn by_fd(t: &Task, a: &SyscallArgs) -> Result<(Target, bool), Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    let read_only = file.location().is_some_and(|l| l.mnt.flags.read_only);
    let target = Target {
        inode: file.inode().cloned(),
        st: file.stat()?,
    };
    Ok((target, read_only))
}

/// The path of a path call (`follow`: the `l` forms do not).
fn by_path(t: &Task, a: &SyscallArgs, follow: bool) -> Result<(Target, bool), Errno> {
    let loc = lookup(t, a.addr(0), follow)?;
    let read_only = writable_mount(&loc).is_err();
    let inode = loc.inode().clone();
    let st = inode.stat()?;
    Ok((
        Target {
            inode: Some(inode),
            st,
        },
        read_only,
    ))
}

/// The name argument: `ERANGE` when empty or longer than 255 bytes.
fn read_name(t: &Task, addr: u64) -> Result<Vec<u8>, Errno> {
    let name = t.mm.read_cstring(addr, NAME_MAX).map_err(|e| {
        if e == Errno::ENAMETOOLONG {
            Errno::ERANGE
        } else {
            e
        }
    })?;
    if name.is_empty() {
        return Err(Errno::ERANGE);
    }
    Ok(name)
}

/// Linux's `xattr_permission`, then its capability module's rule that
/// changing `security.*` takes `CAP_SYS_ADMIN`.
fn permission(t: &Task, st: &Stat, name: &[u8], mask: u32) -> Result<(), Errno> {
    let write = mask & MAY_WRITE != 0;
    let denied = if write { Errno::EPERM } else { Errno::ENODATA };
    if name.starts_with(b"security.") {
        if write && !t.creds.has_cap(CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        return Ok(());
    }
    if name.starts_with(b"system.") {
        return Ok(());
    }
    if name.starts_with(b"trusted.") {
        if !t.creds.has_cap(CAP_SYS_ADMIN) {
            return Err(denied);
        }
        return Ok(());
    }
    if name.starts_with(b"user.") {
        // Only regular files and directories; in a sticky directory
        // only the owner writes.
        if !is_regular(st.st_mode) && !is_dir(st.st_mode) {
            return Err(denied);
        }
        if is_dir(st.st_mode)
            && st.st_mode & abi::stat::S_ISVTX != 0
            && write
            && !perm::owner_or_capable(&t.creds, st)
        {
            return Err(Errno::EPERM);
        }
    }
    perm::check_stat(&t.creds, st, mask)
}

fn get(t: &Task, a: &SyscallArgs, fd: bool, follow: bool) -> Result<u64, Errno> {
    let found = if fd { Some(by_fd(t, a)?) } else { None };
    let name = read_name(t, a.addr(1))?;
    let (target, _) = match found {
        Some(f) => f,
        None => by_path(t, a, follow)?,
    };
    let (buf, size) = (a.addr(2), a.u64(3).min(SIZE_MAX));
    permission(t, &target.st, &name, MAY_READ)?;
    let value = match &target.inode {
        Some(i) => i.getxattr(&name)?,
        None => return Err(Errno::EOPNOTSUPP),
    };
    if size == 0 {
        return Ok(value.len() as u64);
    }
    if value.len() as u64 > size {
        return Err(Errno::ERANGE);
    }
    t.mm.copy_out(buf, &value)?;
    Ok(value.len() as u64)
}

fn set(t: &Task, a: &SyscallArgs, fd: bool, follow: bool) -> Result<u64, Errno> {
    let found = if fd { Some(by_fd(t, a)?) } else { None };
    let (flags, size) = (a.int(4), a.u64(3));
    if flags & !(XATTR_CREATE | XATTR_REPLACE) != 0 {
        return Err(Errno::EINVAL);
    }
    let name = read_name(t, a.addr(1))?;
    if size > SIZE_MAX {
        return Err(Errno::E2BIG);
    }
    let mut value = vec![0u8; usize::try_from(size).expect("at most 64 KiB")];
    t.mm.copy_in(a.addr(2), &mut value)?;
    change(t, a, found, follow, &name, Some(&value), flags)
}

fn remove(t: &Task, a: &SyscallArgs, fd: bool, follow: bool) -> Result<u64, Errno> {
    let found = if fd { Some(by_fd(t, a)?) } else { None };
    let name = read_name(t, a.addr(1))?;
    change(t, a, found, follow, &name, None, XATTR_REPLACE)
}

/// The common end of set and remove, once the arguments are in.
fn change(
    t: &Task,
    a: &SyscallArgs,
    found: Option<(Target, bool)>,
    follow: bool,
    name: &[u8],
    value: Option<&[u8]>,
    flags: i32,
) -> Result<u64, Errno> {
    let (target, read_only) = match found {
        Some(f) => f,
        None => by_path(t, a, follow)?,
    };
    if read_only {
        return Err(Errno::EROFS);
    }
    permission(t, &target.st, name, MAY_WRITE)?;
    match &target.inode {
        Some(i) => i.setxattr(name, value, flags).map(|()| 0),
        None => Err(Errno::EOPNOTSUPP),
    }
}

fn list(t: &Task, a: &SyscallArgs, fd: bool, follow: bool) -> Result<u64, Errno> {
    let (target, _) = if fd {
        by_fd(t, a)?
    } else {
        by_path(t, a, follow)?
    };
    let (buf, size) = (a.addr(1), a.u64(2).min(LIST_MAX));
    let names = match &target.inode {
        Some(i) => i.listxattr()?,
        None => Vec::new(),
    };
    // trusted.* names are for privileged eyes only (simple_xattr_list).
    let privileged = t.creds.has_cap(CAP_SYS_ADMIN);
    let mut out = Vec::new();
    for n in names {
        if privileged || !n.starts_with(b"trusted.") {
            out.extend_from_slice(&n);
            out.push(0);
        }
    }
    if size == 0 {
        return Ok(out.len() as u64);
    }
    if out.len() as u64 > size {
        return Err(if size >= LIST_MAX {
            Errno::E2BIG
        } else {
            Errno::ERANGE
        });
    }
    t.mm.copy_out(buf, &out)?;
    Ok(out.len() as u64)
}

macro_rules! xattr_calls {
    ($($call:literal $name:ident => $f:ident($fd:expr, $follow:expr);)*) => {
        $(
            #[doc = concat!("Implements ", $call, "(2).")]
            pub fn $name(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
                $f(t, a, $fd, $follow)
            }
        )*
    };
}

xattr_calls! {
    "getxattr" sys_getxattr => get(false, true);
    "lgetxattr" sys_lgetxattr => get(false, false);
    "fgetxattr" sys_fgetxattr => get(true, true);
    "setxattr" sys_setxattr => set(false, true);
    "lsetxattr" sys_lsetxattr => set(false, false);
    "fsetxattr" sys_fsetxattr => set(true, true);
    "removexattr" sys_removexattr => remove(false, true);
    "lremovexattr" sys_lremovexattr => remove(false, false);
    "fremovexattr" sys_fremovexattr => remove(true, true);
    "listxattr" sys_listxattr => list(false, true);
    "llistxattr" sys_llistxattr => list(false, false);
    "flistxattr" sys_flistxattr => list(true, true);
}
