//! File modes, device numbers and statx masks (<linux/stat.h>,
//! <linux/kdev_t.h>).

use bitflags::bitflags;

named_consts! {
    /// The name of the file type in `mode` (`mode & S_IFMT`), "S_IFREG".
    pub fn file_type_name(u32) {
        S_IFSOCK = 0o140000,
        S_IFLNK = 0o120000,
        S_IFREG = 0o100000,
        S_IFBLK = 0o060000,
        S_IFDIR = 0o040000,
        S_IFCHR = 0o020000,
        S_IFIFO = 0o010000,
    }
}

/// The file-type field of a mode.
pub const S_IFMT: u32 = 0o170000;
pub const S_ISUID: u32 = 0o4000;
pub const S_ISGID: u32 = 0o2000;
pub const S_ISVTX: u32 = 0o1000;
/// Permission and set-id bits: what chmod may change.
pub const S_IALLUGO: u32 = 0o7777;

bitflags! {
    /// statx `mask` and `stx_mask`: which fields are wanted or valid.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct StatxMask: u32 {
        const STATX_TYPE = 0x0000_0001;
        const STATX_MODE = 0x0000_0002;
        const STATX_NLINK = 0x0000_0004;
        const STATX_UID = 0x0000_0008;
        const STATX_GID = 0x0000_0010;
        const STATX_ATIME = 0x0000_0020;
        const STATX_MTIME = 0x0000_0040;
        const STATX_CTIME = 0x0000_0080;
        const STATX_INO = 0x0000_0100;
        const STATX_SIZE = 0x0000_0200;
        const STATX_BLOCKS = 0x0000_0400;
        /// The fields of `struct stat`.
        const STATX_BASIC_STATS = 0x0000_07ff;
        const STATX_BTIME = 0x0000_0800;
        const STATX_MNT_ID = 0x0000_1000;
        const STATX_DIOALIGN = 0x0000_2000;
        const STATX_MNT_ID_UNIQUE = 0x0000_4000;
        const STATX_SUBVOL = 0x0000_8000;
        const STATX_WRITE_ATOMIC = 0x0001_0000;
        const STATX_DIO_READ_ALIGN = 0x0002_0000;
        /// Must be zero in a request (EINVAL).
        const STATX__RESERVED = 0x8000_0000;
    }
}

/// `STATX_BASIC_STATS | STATX_BTIME`, the deprecated "all" of Linux 4.11.
pub const STATX_ALL: u32 = 0x0000_0fff;

fn low32(x: u64) -> u32 {
    let [a, b, c, d, ..] = x.to_le_bytes();
    u32::from_le_bytes([a, b, c, d])
}

/// The device number of `major:minor` in the encoding of `st_dev`/`st_rdev`
/// (glibc's 64-bit `makedev`, which matches the kernel's for 12-bit majors
/// and 20-bit minors).
pub fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (u64::from(major), u64::from(minor));
    ((major & 0xffff_f000) << 32)
        | ((major & 0x0000_0fff) << 8)
        | ((minor & 0xffff_ff00) << 12)
        | (minor & 0x0000_00ff)
}

/// The major number of device `dev`.
pub fn major(dev: u64) -> u32 {
    low32(((dev >> 8) & 0x0fff) | ((dev >> 32) & 0xffff_f000))
}

/// The minor number of device `dev`.
pub fn minor(dev: u64) -> u32 {
    low32((dev & 0xff) | ((dev >> 12) & 0xffff_ff00))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_round_trip() {
        assert_eq!(makedev(1, 3), 0x103);
        assert_eq!(makedev(136, 0), 0x8800);
        for (ma, mi) in [
            (0, 0),
            (8, 1),
            (4095, 255),
            (4096, 256),
            (u32::MAX, u32::MAX),
        ] {
            let dev = makedev(ma, mi);
            assert_eq!((major(dev), minor(dev)), (ma, mi));
        }
    }

    #[test]
    fn file_types() {
        assert_eq!(file_type_name(0o100644 & S_IFMT), Some("S_IFREG"));
        assert_eq!(file_type_name(S_IFCHR), Some("S_IFCHR"));
        assert_eq!(file_type_name(0), None);
        assert_eq!(
            StatxMask::STATX_BASIC_STATS.bits() | StatxMask::STATX_BTIME.bits(),
            STATX_ALL
        );
    }
}
