//! Kernel structures in their x86-64 layouts (the kernel's, not glibc's),
//! with C field names. Implicit padding is written out as `_pad` fields so
//! that no uninitialised byte can be copied to an application.

// zerocopy 0.8's derives emit per-field helper types without Debug; every
// struct here derives Debug itself.
#![allow(missing_debug_implementations)]

use zerocopy::{FromBytes, Immutable, IntoBytes};

macro_rules! abi_struct {
    ($(#[$m:meta])* $name:ident, $size:expr, { $($(#[$fm:meta])* pub $f:ident: $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable)]
        #[repr(C)]
        pub struct $name { $($(#[$fm])* pub $f: $t),* }
        const _: () = assert!(std::mem::size_of::<$name>() == $size);
        impl Default for $name {
            fn default() -> Self {
                <Self as zerocopy::FromZeros>::new_zeroed()
            }
        }
    };
}

abi_struct!(
    /// `struct __kernel_timespec`.
    Timespec, 16, { pub tv_sec: i64, pub tv_nsec: i64 }
);
abi_struct!(
    /// `struct __kernel_old_timeval`.
    Timeval, 16, { pub tv_sec: i64, pub tv_usec: i64 }
);
abi_struct!(
    /// `struct timezone`.
    Timezone, 8, { pub tz_minuteswest: i32, pub tz_dsttime: i32 }
);
abi_struct!(
    /// `struct new_utsname`.
    Utsname, 390, {
        pub sysname: [u8; 65],
        pub nodename: [u8; 65],
        pub release: [u8; 65],
        pub version: [u8; 65],
        pub machine: [u8; 65],
        pub domainname: [u8; 65],
    }
);
abi_struct!(
    /// `struct rlimit64` (and `struct rlimit` on x86-64).
    Rlimit, 16, { pub rlim_cur: u64, pub rlim_max: u64 }
);
abi_struct!(
    /// `struct rusage`.
    Rusage, 144, {
        pub ru_utime: Timeval,
        pub ru_stime: Timeval,
        pub ru_maxrss: i64,
        pub ru_ixrss: i64,
        pub ru_idrss: i64,
        pub ru_isrss: i64,
        pub ru_minflt: i64,
        pub ru_majflt: i64,
        pub ru_nswap: i64,
        pub ru_inblock: i64,
        pub ru_oublock: i64,
        pub ru_msgsnd: i64,
        pub ru_msgrcv: i64,
        pub ru_nsignals: i64,
        pub ru_nvcsw: i64,
        pub ru_nivcsw: i64,
    }
);
abi_struct!(
    /// `struct sysinfo`.
    Sysinfo, 112, {
        pub uptime: i64,
        pub loads: [u64; 3],
        pub totalram: u64,
        pub freeram: u64,
        pub sharedram: u64,
        pub bufferram: u64,
        pub totalswap: u64,
        pub freeswap: u64,
        pub procs: u16,
        pub pad: u16,
        pub _pad: u32,
        pub totalhigh: u64,
        pub freehigh: u64,
        pub mem_unit: u32,
        pub _f: u32,
    }
);
abi_struct!(
    /// The x86-64 `struct stat`.
    Stat, 144, {
        pub st_dev: u64,
        pub st_ino: u64,
        pub st_nlink: u64,
        pub st_mode: u32,
        pub st_uid: u32,
        pub st_gid: u32,
        pub _pad0: u32,
        pub st_rdev: u64,
        pub st_size: i64,
        pub st_blksize: i64,
        pub st_blocks: i64,
        pub st_atim: Timespec,
        pub st_mtim: Timespec,
        pub st_ctim: Timespec,
        pub _unused: [i64; 3],
    }
);
abi_struct!(
    /// `struct tms`.
    Tms, 32, { pub tms_utime: i64, pub tms_stime: i64, pub tms_cutime: i64, pub tms_cstime: i64 }
);
abi_struct!(
    /// `struct iovec`.
    Iovec, 16, { pub iov_base: u64, pub iov_len: u64 }
);
abi_struct!(
    /// `struct robust_list_head`.
    RobustListHead, 24, { pub list: u64, pub futex_offset: i64, pub list_op_pending: u64 }
);
abi_struct!(
    /// The kernel's `struct termios` (what TCGETS copies).
    Termios, 36, {
        pub c_iflag: u32,
        pub c_oflag: u32,
        pub c_cflag: u32,
        pub c_lflag: u32,
        pub c_line: u8,
        pub c_cc: [u8; 19],
    }
);
abi_struct!(
    /// `struct winsize`.
    Winsize, 8, { pub ws_row: u16, pub ws_col: u16, pub ws_xpixel: u16, pub ws_ypixel: u16 }
);
abi_struct!(
    /// `struct pollfd`.
    Pollfd, 8, { pub fd: i32, pub events: i16, pub revents: i16 }
);

#[cfg(test)]
mod tests {
    use std::mem::{offset_of, size_of};
    use std::process::Command;

    use super::*;

    /// Compiles a C program against the kernel headers that prints sizes and
    /// offsets, and compares them with ours.
    #[test]
    fn sizes_match_kernel_headers() {
        let c = r#"
#include <stdio.h>
#include <stddef.h>
#include <linux/time_types.h>
#include <linux/utsname.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <linux/times.h>
#include <linux/uio.h>
#include <linux/futex.h>
#include <linux/poll.h>
#include <asm-generic/ioctls.h>
struct winsize_k { unsigned short a, b, c, d; };
int main(void) {
  printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu\n",
    sizeof(struct __kernel_timespec), sizeof(struct new_utsname), sizeof(struct rlimit64),
    sizeof(struct rusage), sizeof(struct sysinfo), sizeof(struct stat), sizeof(struct termios),
    sizeof(struct tms), sizeof(struct iovec), sizeof(struct robust_list_head), sizeof(struct pollfd));
  printf("%zu %zu %zu %zu\n", offsetof(struct sysinfo, procs), offsetof(struct sysinfo, mem_unit),
    offsetof(struct stat, st_rdev), offsetof(struct stat, st_atime));
  return 0;
}
"#;
        let dir = std::env::temp_dir().join(format!("abi-sizes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("s.c"), c).unwrap();
        let built = Command::new("gcc")
            .arg("-o")
            .arg(dir.join("s"))
            .arg(dir.join("s.c"))
            .status();
        if !matches!(built, Ok(s) if s.success()) {
            assert!(
                std::env::var_os("SANDBOX_TESTS_STRICT").is_none(),
                "gcc is required"
            );
            eprintln!("SKIP: gcc not found");
            return;
        }
        let out = Command::new(dir.join("s")).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let want = format!(
            "{} {} {} {} {} {} {} {} {} {} {}\n{} {} {} {}\n",
            size_of::<Timespec>(),
            size_of::<Utsname>(),
            size_of::<Rlimit>(),
            size_of::<Rusage>(),
            size_of::<Sysinfo>(),
            size_of::<Stat>(),
            size_of::<Termios>(),
            size_of::<Tms>(),
            size_of::<Iovec>(),
            size_of::<RobustListHead>(),
            size_of::<Pollfd>(),
            offset_of!(Sysinfo, procs),
            offset_of!(Sysinfo, mem_unit),
            offset_of!(Stat, st_rdev),
            offset_of!(Stat, st_atim),
        );
        assert_eq!(text, want);
    }
}
