//! File flags and commands: open, fcntl, the `*at` calls, lseek and access
//! (<asm-generic/fcntl.h>, <linux/fcntl.h>, <linux/fs.h>).

use bitflags::bitflags;

bitflags! {
    /// open/openat flags and the file status flags of F_GETFL/F_SETFL.
    /// The access mode is a 2-bit field, not flags: read it through
    /// `bits() & O_ACCMODE` (`O_RDONLY` is 0). `O_SYNC` and `O_TMPFILE`
    /// each span two bits (`__O_SYNC | O_DSYNC`, `__O_TMPFILE |
    /// O_DIRECTORY`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OpenFlags: u32 {
        const O_WRONLY = 0o1;
        const O_RDWR = 0o2;
        const O_CREAT = 0o100;
        const O_EXCL = 0o200;
        const O_NOCTTY = 0o400;
        const O_TRUNC = 0o1000;
        const O_APPEND = 0o2000;
        const O_NONBLOCK = 0o4000;
        const O_DSYNC = 0o10000;
        const O_ASYNC = 0o20000;
        const O_DIRECT = 0o40000;
        const O_LARGEFILE = 0o100000;
        const O_DIRECTORY = 0o200000;
        const O_NOFOLLOW = 0o400000;
        const O_NOATIME = 0o1000000;
        const O_CLOEXEC = 0o2000000;
        const __O_SYNC = 0o4000000;
        const O_SYNC = 0o4010000;
        const O_PATH = 0o10000000;
        const __O_TMPFILE = 0o20000000;
        const O_TMPFILE = 0o20200000;
    }
}

/// The access-mode field of the open flags.
pub const O_ACCMODE: u32 = 0o3;
/// Access mode: read only (no access bits set).
pub const O_RDONLY: u32 = 0;
/// `O_ASYNC` by its BSD name.
pub const FASYNC: u32 = OpenFlags::O_ASYNC.bits();
/// `O_NONBLOCK` by its old name.
pub const O_NDELAY: u32 = OpenFlags::O_NONBLOCK.bits();

named_consts! {
    /// The name of fcntl command `cmd`, "F_GETFL".
    pub fn fcntl_name(i32) {
        F_DUPFD = 0,
        F_GETFD = 1,
        F_SETFD = 2,
        F_GETFL = 3,
        F_SETFL = 4,
        F_GETLK = 5,
        F_SETLK = 6,
        F_SETLKW = 7,
        F_SETOWN = 8,
        F_GETOWN = 9,
        F_SETSIG = 10,
        F_GETSIG = 11,
        F_SETOWN_EX = 15,
        F_GETOWN_EX = 16,
        F_GETOWNER_UIDS = 17,
        F_OFD_GETLK = 36,
        F_OFD_SETLK = 37,
        F_OFD_SETLKW = 38,
        F_SETLEASE = 1024,
        F_GETLEASE = 1025,
        F_NOTIFY = 1026,
        F_DUPFD_QUERY = 1027,
        F_CREATED_QUERY = 1028,
        F_CANCELLK = 1029,
        F_DUPFD_CLOEXEC = 1030,
        F_SETPIPE_SZ = 1031,
        F_GETPIPE_SZ = 1032,
        F_ADD_SEALS = 1033,
        F_GET_SEALS = 1034,
        F_GET_RW_HINT = 1035,
        F_SET_RW_HINT = 1036,
        F_GET_FILE_RW_HINT = 1037,
        F_SET_FILE_RW_HINT = 1038,
    }
}

/// The descriptor flag of F_GETFD/F_SETFD: close on execve.
pub const FD_CLOEXEC: i32 = 1;

/// Lock types of `struct flock`.
pub const F_RDLCK: i16 = 0;
pub const F_WRLCK: i16 = 1;
pub const F_UNLCK: i16 = 2;

/// memfd seals of F_ADD_SEALS/F_GET_SEALS.
pub const F_SEAL_SEAL: i32 = 0x01;
pub const F_SEAL_SHRINK: i32 = 0x02;
pub const F_SEAL_GROW: i32 = 0x04;
pub const F_SEAL_WRITE: i32 = 0x08;
pub const F_SEAL_FUTURE_WRITE: i32 = 0x10;
pub const F_SEAL_EXEC: i32 = 0x20;

/// The `dirfd` meaning "the current working directory".
pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: i32 = 0x100;
/// faccessat: check with the effective ids.
pub const AT_EACCESS: i32 = 0x200;
/// unlinkat: remove a directory (same bit as `AT_EACCESS`).
pub const AT_REMOVEDIR: i32 = 0x200;
pub const AT_SYMLINK_FOLLOW: i32 = 0x400;
pub const AT_NO_AUTOMOUNT: i32 = 0x800;
pub const AT_EMPTY_PATH: i32 = 0x1000;
pub const AT_STATX_SYNC_TYPE: i32 = 0x6000;
pub const AT_STATX_SYNC_AS_STAT: i32 = 0x0000;
pub const AT_STATX_FORCE_SYNC: i32 = 0x2000;
pub const AT_STATX_DONT_SYNC: i32 = 0x4000;
/// open_tree/mount_setattr: apply to the whole subtree.
pub const AT_RECURSIVE: i32 = 0x8000;

named_consts! {
    /// The name of lseek `whence`, "SEEK_SET".
    pub fn whence_name(i32) {
        SEEK_SET = 0,
        SEEK_CUR = 1,
        SEEK_END = 2,
        SEEK_DATA = 3,
        SEEK_HOLE = 4,
    }
}

/// access/faccessat modes (`F_OK` is 0: existence only).
pub const F_OK: i32 = 0;
pub const X_OK: i32 = 1;
pub const W_OK: i32 = 2;
pub const R_OK: i32 = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_flags_include_their_parts() {
        assert!(OpenFlags::O_SYNC.contains(OpenFlags::O_DSYNC | OpenFlags::__O_SYNC));
        assert!(OpenFlags::O_TMPFILE.contains(OpenFlags::O_DIRECTORY));
        assert_eq!(OpenFlags::O_WRONLY.bits() & O_ACCMODE, 1);
        assert_eq!(FASYNC, 0o20000);
    }

    #[test]
    fn fcntl_and_whence_names() {
        assert_eq!(fcntl_name(F_DUPFD_CLOEXEC), Some("F_DUPFD_CLOEXEC"));
        assert_eq!(fcntl_name(1034), Some("F_GET_SEALS"));
        assert_eq!(fcntl_name(12), None);
        assert_eq!(whence_name(4), Some("SEEK_HOLE"));
    }
}
