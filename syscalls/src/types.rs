//! Kernel structures in their x86-64 layouts (the kernel's, not glibc's),
//! with C field names. Implicit padding is written out as `_pad` fields, so
//! no uninitialised byte can be copied to an application; C names starting
//! `__` (`__pad0`, `__spare3`) keep one underscore. Each struct has a size
//! assertion here and is checked against the build machine's kernel
//! headers in `sizes_match_kernel_headers`.

// zerocopy's derives emit helper types without Debug (the lint fires on
// them); every struct here derives Debug itself.
#![allow(missing_debug_implementations)]

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Declares a `#[repr(C)]` ABI struct with the zerocopy derives, a zeroed
/// `Default`, and a compile-time size assertion.
macro_rules! abi_struct {
    (
        $(#[$m:meta])*
        $name:ident, $size:expr, {
            $($(#[$fm:meta])* pub $f:ident: $t:ty),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[derive(FromBytes, IntoBytes, Immutable, KnownLayout)]
        #[repr(C)]
        pub struct $name {
            $($(#[$fm])* pub $f: $t),*
        }

        const _: () = assert!(std::mem::size_of::<$name>() == $size);

        // Derived `Default` stops at arrays of 32 elements.
        impl Default for $name {
            fn default() -> Self {
                <Self as zerocopy::FromZeros>::new_zeroed()
            }
        }
    };
}

abi_struct!(
    /// `struct __kernel_timespec` (and `struct timespec` on x86-64).
    Timespec, 16, {
        pub tv_sec: i64,
        pub tv_nsec: i64,
    }
);

abi_struct!(
    /// `struct __kernel_old_timeval` (`struct timeval`).
    Timeval, 16, {
        pub tv_sec: i64,
        pub tv_usec: i64,
    }
);

abi_struct!(
    /// `struct timezone` of gettimeofday/settimeofday.
    Timezone, 8, {
        pub tz_minuteswest: i32,
        pub tz_dsttime: i32,
    }
);

abi_struct!(
    /// `struct itimerval` of getitimer/setitimer.
    Itimerval, 32, {
        pub it_interval: Timeval,
        pub it_value: Timeval,
    }
);

abi_struct!(
    /// `struct __kernel_itimerspec` of timer_settime/timerfd_settime.
    Itimerspec, 32, {
        pub it_interval: Timespec,
        pub it_value: Timespec,
    }
);

abi_struct!(
    /// `struct new_utsname` of uname: NUL-padded strings.
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
    /// `struct rlimit64`, and `struct rlimit` on x86-64.
    Rlimit, 16, {
        pub rlim_cur: u64,
        pub rlim_max: u64,
    }
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
    /// `struct sysinfo`. Memory sizes count `mem_unit`-byte units.
    Sysinfo, 112, {
        pub uptime: i64,
        /// Load averages, fixed point with 16 fractional bits.
        pub loads: [u64; 3],
        pub totalram: u64,
        pub freeram: u64,
        pub sharedram: u64,
        pub bufferram: u64,
        pub totalswap: u64,
        pub freeswap: u64,
        pub procs: u16,
        /// C's `pad`, explicit in the header.
        pub pad: u16,
        /// Implicit: aligns `totalhigh`.
        pub _pad: u32,
        pub totalhigh: u64,
        pub freehigh: u64,
        pub mem_unit: u32,
        /// C's `_f`, zero bytes on 64-bit, then implicit tail padding.
        pub _f: u32,
    }
);

abi_struct!(
    /// The x86-64 `struct stat` of <asm/stat.h> (stat, fstat, lstat,
    /// newfstatat). The times are the header's `st_atime` +
    /// `st_atime_nsec` pairs, spelled as glibc's `st_atim`.
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
    /// `struct statx_timestamp`.
    StatxTimestamp, 16, {
        pub tv_sec: i64,
        pub tv_nsec: u32,
        pub _reserved: i32,
    }
);

abi_struct!(
    /// `struct statx` (Linux 6.16 layout; later kernels fill the spares).
    Statx, 256, {
        pub stx_mask: u32,
        pub stx_blksize: u32,
        pub stx_attributes: u64,
        pub stx_nlink: u32,
        pub stx_uid: u32,
        pub stx_gid: u32,
        pub stx_mode: u16,
        pub _spare0: u16,
        pub stx_ino: u64,
        pub stx_size: u64,
        pub stx_blocks: u64,
        pub stx_attributes_mask: u64,
        pub stx_atime: StatxTimestamp,
        pub stx_btime: StatxTimestamp,
        pub stx_ctime: StatxTimestamp,
        pub stx_mtime: StatxTimestamp,
        pub stx_rdev_major: u32,
        pub stx_rdev_minor: u32,
        pub stx_dev_major: u32,
        pub stx_dev_minor: u32,
        pub stx_mnt_id: u64,
        pub stx_dio_mem_align: u32,
        pub stx_dio_offset_align: u32,
        pub stx_subvol: u64,
        pub stx_atomic_write_unit_min: u32,
        pub stx_atomic_write_unit_max: u32,
        pub stx_atomic_write_segments_max: u32,
        pub stx_dio_read_offset_align: u32,
        pub stx_atomic_write_unit_max_opt: u32,
        pub _spare2: u32,
        pub _spare3: [u64; 8],
    }
);

abi_struct!(
    /// `struct tms` of times(2), in clock ticks.
    Tms, 32, {
        pub tms_utime: i64,
        pub tms_stime: i64,
        pub tms_cutime: i64,
        pub tms_cstime: i64,
    }
);

abi_struct!(
    /// `struct iovec`.
    Iovec, 16, {
        pub iov_base: u64,
        pub iov_len: u64,
    }
);

abi_struct!(
    /// `struct robust_list_head` of set_robust_list.
    RobustListHead, 24, {
        /// `struct robust_list { next }`: the first entry, or the head.
        pub list: u64,
        pub futex_offset: i64,
        pub list_op_pending: u64,
    }
);

abi_struct!(
    /// The kernel's `struct termios` of <asm/termbits.h>, what TCGETS and
    /// TCSETS copy (glibc's is larger and adds speeds).
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
    /// `struct winsize` of TIOCGWINSZ/TIOCSWINSZ.
    Winsize, 8, {
        pub ws_row: u16,
        pub ws_col: u16,
        pub ws_xpixel: u16,
        pub ws_ypixel: u16,
    }
);

abi_struct!(
    /// `struct pollfd`; the event bits are `poll::PollEvents`.
    Pollfd, 8, {
        pub fd: i32,
        pub events: i16,
        pub revents: i16,
    }
);

abi_struct!(
    /// The x86-64 kernel `struct sigaction` rt_sigaction copies (not
    /// glibc's, whose mask is 128 bytes).
    Sigaction, 32, {
        pub sa_handler: u64,
        /// `signal::SigactionFlags`.
        pub sa_flags: u64,
        pub sa_restorer: u64,
        pub sa_mask: u64,
    }
);

abi_struct!(
    /// x86-64 `struct sigcontext` (uapi asm/sigcontext.h), the `uc_mcontext`
    /// of a signal frame.
    Sigcontext, 256, {
        pub r8: u64,
        pub r9: u64,
        pub r10: u64,
        pub r11: u64,
        pub r12: u64,
        pub r13: u64,
        pub r14: u64,
        pub r15: u64,
        pub rdi: u64,
        pub rsi: u64,
        pub rbp: u64,
        pub rbx: u64,
        pub rdx: u64,
        pub rax: u64,
        pub rcx: u64,
        pub rsp: u64,
        pub rip: u64,
        pub eflags: u64,
        pub cs: u16,
        pub gs: u16,
        pub fs: u16,
        pub ss: u16,
        pub err: u64,
        pub trapno: u64,
        pub oldmask: u64,
        pub cr2: u64,
        /// The XSAVE area of the frame, or 0.
        pub fpstate: u64,
        pub reserved1: [u64; 8],
    }
);

abi_struct!(
    /// The kernel's x86-64 `struct ucontext` (uapi asm/ucontext.h), with
    /// the kernel's 8-byte signal mask.
    Ucontext, 304, {
        pub uc_flags: u64,
        pub uc_link: u64,
        pub uc_stack: Sigaltstack,
        pub uc_mcontext: Sigcontext,
        pub uc_sigmask: u64,
    }
);

abi_struct!(
    /// `siginfo_t`: 128 bytes; the union after the first 16 is kept raw
    /// (the sentry's signal code reads and writes its fields by offset).
    Siginfo, 128, {
        pub si_signo: i32,
        pub si_errno: i32,
        pub si_code: i32,
        pub _pad: i32,
        pub fields: [u8; 112],
    }
);

abi_struct!(
    /// The x86-64 `struct rt_sigframe` the kernel pushes for a handler;
    /// its XSAVE area lies above it, 64-byte aligned.
    RtSigframe, 440, {
        /// The handler's return address: `sa_restorer`.
        pub pretcode: u64,
        pub uc: Ucontext,
        pub info: Siginfo,
    }
);

abi_struct!(
    /// `stack_t` (`struct sigaltstack`).
    Sigaltstack, 24, {
        pub ss_sp: u64,
        pub ss_flags: i32,
        pub _pad: u32,
        pub ss_size: u64,
    }
);

abi_struct!(
    /// `struct flock` of F_GETLK/F_SETLK/F_OFD_*.
    Flock, 32, {
        pub l_type: i16,
        pub l_whence: i16,
        pub _pad0: u32,
        pub l_start: i64,
        pub l_len: i64,
        pub l_pid: i32,
        pub _pad1: u32,
    }
);

abi_struct!(
    /// `struct rseq` as registered by rseq(2) (32 bytes, 32-aligned in C).
    Rseq, 32, {
        pub cpu_id_start: u32,
        pub cpu_id: u32,
        /// Address of the current `struct rseq_cs`, or 0.
        pub rseq_cs: u64,
        pub flags: u32,
        pub node_id: u32,
        pub mm_cid: u32,
        pub _pad: u32,
    }
);

abi_struct!(
    /// `struct clone_args` of clone3 (`CLONE_ARGS_SIZE_VER2`, 88 bytes;
    /// older callers pass the 64- or 80-byte prefix).
    CloneArgs, 88, {
        pub flags: u64,
        pub pidfd: u64,
        pub child_tid: u64,
        pub parent_tid: u64,
        pub exit_signal: u64,
        pub stack: u64,
        pub stack_size: u64,
        pub tls: u64,
        pub set_tid: u64,
        pub set_tid_size: u64,
        pub cgroup: u64,
    }
);

abi_struct!(
    /// `struct sockaddr_un`: `sun_path` is a NUL-terminated path, or an
    /// abstract name starting with a NUL whose length is the address
    /// length's.
    SockaddrUn, 110, {
        pub sun_family: u16,
        pub sun_path: [u8; 108],
    }
);

abi_struct!(
    /// `struct user_msghdr` (glibc's `struct msghdr`) of sendmsg/recvmsg.
    Msghdr, 56, {
        pub msg_name: u64,
        pub msg_namelen: i32,
        /// Implicit: aligns `msg_iov`.
        pub _pad0: u32,
        pub msg_iov: u64,
        pub msg_iovlen: u64,
        pub msg_control: u64,
        pub msg_controllen: u64,
        pub msg_flags: u32,
        /// Implicit tail padding.
        pub _pad1: u32,
    }
);

abi_struct!(
    /// `struct mmsghdr` of sendmmsg/recvmmsg.
    Mmsghdr, 64, {
        pub msg_hdr: Msghdr,
        pub msg_len: u32,
        /// Implicit tail padding.
        pub _pad: u32,
    }
);

abi_struct!(
    /// `struct cmsghdr`: a control message's header; its data follows,
    /// aligned to 8 bytes.
    Cmsghdr, 16, {
        pub cmsg_len: u64,
        pub cmsg_level: i32,
        pub cmsg_type: i32,
    }
);

abi_struct!(
    /// `struct ucred` of `SO_PEERCRED` and `SCM_CREDENTIALS`.
    Ucred, 12, {
        pub pid: i32,
        pub uid: u32,
        pub gid: u32,
    }
);

abi_struct!(
    /// `struct linger` of `SO_LINGER`.
    Linger, 8, {
        pub l_onoff: i32,
        pub l_linger: i32,
    }
);

#[cfg(test)]
mod tests {
    use std::mem::{offset_of, size_of};

    use super::*;
    use crate::kernel_headers::{compare, run_c};

    /// Compiles a C program against the kernel headers that prints the
    /// sizes and some offsets of the kernel structs, and compares them with
    /// ours. Fails without gcc only under SANDBOX_TESTS_STRICT=1.
    #[test]
    fn sizes_match_kernel_headers() {
        let sizes: &[(&str, usize)] = &[
            ("struct __kernel_timespec", size_of::<Timespec>()),
            ("struct __kernel_old_timeval", size_of::<Timeval>()),
            ("struct timezone", size_of::<Timezone>()),
            ("struct itimerval", size_of::<Itimerval>()),
            ("struct __kernel_itimerspec", size_of::<Itimerspec>()),
            ("struct new_utsname", size_of::<Utsname>()),
            ("struct rlimit", size_of::<Rlimit>()),
            ("struct rlimit64", size_of::<Rlimit>()),
            ("struct rusage", size_of::<Rusage>()),
            ("struct sysinfo", size_of::<Sysinfo>()),
            ("struct stat", size_of::<Stat>()),
            ("struct statx_timestamp", size_of::<StatxTimestamp>()),
            ("struct statx", size_of::<Statx>()),
            ("struct tms", size_of::<Tms>()),
            ("struct iovec", size_of::<Iovec>()),
            ("struct robust_list_head", size_of::<RobustListHead>()),
            ("struct termios", size_of::<Termios>()),
            ("struct winsize", size_of::<Winsize>()),
            ("struct pollfd", size_of::<Pollfd>()),
            ("struct sigaction", size_of::<Sigaction>()),
            ("stack_t", size_of::<Sigaltstack>()),
            ("struct sigcontext", size_of::<Sigcontext>()),
            ("struct ucontext", size_of::<Ucontext>()),
            ("siginfo_t", size_of::<Siginfo>()),
            ("struct flock", size_of::<Flock>()),
            ("struct rseq", size_of::<Rseq>()),
            ("struct clone_args", size_of::<CloneArgs>()),
        ];
        let offsets: &[(&str, &str, usize)] = &[
            ("struct sysinfo", "procs", offset_of!(Sysinfo, procs)),
            (
                "struct sysinfo",
                "totalhigh",
                offset_of!(Sysinfo, totalhigh),
            ),
            ("struct sysinfo", "mem_unit", offset_of!(Sysinfo, mem_unit)),
            ("struct stat", "st_mode", offset_of!(Stat, st_mode)),
            ("struct stat", "st_rdev", offset_of!(Stat, st_rdev)),
            ("struct stat", "st_blocks", offset_of!(Stat, st_blocks)),
            ("struct stat", "st_atime", offset_of!(Stat, st_atim)),
            (
                "struct stat",
                "st_mtime_nsec",
                offset_of!(Stat, st_mtim) + 8,
            ),
            ("struct stat", "st_ctime", offset_of!(Stat, st_ctim)),
            ("struct statx", "stx_mode", offset_of!(Statx, stx_mode)),
            ("struct statx", "stx_ino", offset_of!(Statx, stx_ino)),
            ("struct statx", "stx_mtime", offset_of!(Statx, stx_mtime)),
            (
                "struct statx",
                "stx_rdev_major",
                offset_of!(Statx, stx_rdev_major),
            ),
            (
                "struct statx",
                "stx_dio_offset_align",
                offset_of!(Statx, stx_dio_offset_align),
            ),
            (
                "struct statx_timestamp",
                "tv_nsec",
                offset_of!(StatxTimestamp, tv_nsec),
            ),
            ("struct rusage", "ru_maxrss", offset_of!(Rusage, ru_maxrss)),
            ("struct rusage", "ru_nivcsw", offset_of!(Rusage, ru_nivcsw)),
            ("struct termios", "c_line", offset_of!(Termios, c_line)),
            ("struct termios", "c_cc", offset_of!(Termios, c_cc)),
            (
                "struct new_utsname",
                "machine",
                offset_of!(Utsname, machine),
            ),
            (
                "struct robust_list_head",
                "list_op_pending",
                offset_of!(RobustListHead, list_op_pending),
            ),
            ("struct pollfd", "revents", offset_of!(Pollfd, revents)),
            (
                "struct sigaction",
                "sa_flags",
                offset_of!(Sigaction, sa_flags),
            ),
            (
                "struct sigaction",
                "sa_restorer",
                offset_of!(Sigaction, sa_restorer),
            ),
            (
                "struct sigaction",
                "sa_mask",
                offset_of!(Sigaction, sa_mask),
            ),
            ("stack_t", "ss_flags", offset_of!(Sigaltstack, ss_flags)),
            ("struct sigcontext", "cs", offset_of!(Sigcontext, cs)),
            ("struct sigcontext", "err", offset_of!(Sigcontext, err)),
            (
                "struct sigcontext",
                "fpstate",
                offset_of!(Sigcontext, fpstate),
            ),
            (
                "struct ucontext",
                "uc_mcontext",
                offset_of!(Ucontext, uc_mcontext),
            ),
            (
                "struct ucontext",
                "uc_sigmask",
                offset_of!(Ucontext, uc_sigmask),
            ),
            ("stack_t", "ss_size", offset_of!(Sigaltstack, ss_size)),
            ("struct flock", "l_start", offset_of!(Flock, l_start)),
            ("struct flock", "l_pid", offset_of!(Flock, l_pid)),
            ("struct rseq", "rseq_cs", offset_of!(Rseq, rseq_cs)),
            ("struct rseq", "flags", offset_of!(Rseq, flags)),
            ("struct clone_args", "cgroup", offset_of!(CloneArgs, cgroup)),
        ];
        compare_layouts("sizes", HEADERS, sizes, offsets);
    }

    /// Compiles a program with `headers` printing the sizes and offsets
    /// given, and compares them with ours.
    fn compare_layouts(
        name: &str,
        headers: &str,
        sizes: &[(&str, usize)],
        offsets: &[(&str, &str, usize)],
    ) {
        let mut program = String::from(headers);
        program.push_str("int main(void) {\n");
        for (ty, _) in sizes {
            program.push_str(&format!("  printf(\"%zu\\n\", sizeof({ty}));\n"));
        }
        for (ty, field, _) in offsets {
            program.push_str(&format!("  printf(\"%zu\\n\", offsetof({ty}, {field}));\n"));
        }
        program.push_str("  return 0;\n}\n");
        let Some(out) = run_c(name, &program) else {
            return;
        };
        let want = sizes
            .iter()
            .map(|(ty, n)| (format!("sizeof({ty})"), n.to_string()))
            .chain(
                offsets
                    .iter()
                    .map(|(ty, f, n)| (format!("offsetof({ty}, {f})"), n.to_string())),
            );
        compare(want, &out);
    }

    const HEADERS: &str = "\
#include <stdio.h>
#include <stddef.h>
#include <linux/time_types.h>
#include <linux/time.h>
#include <linux/utsname.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <asm/stat.h>
#include <linux/stat.h>
#include <asm/termios.h>
#include <linux/times.h>
#include <linux/uio.h>
#include <linux/futex.h>
#include <linux/poll.h>
#include <asm/signal.h>
#include <linux/fcntl.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <asm/siginfo.h>
";

    /// The socket structures against glibc's headers (which copy the
    /// kernel's user layouts; the kernel's uapi lacks `msghdr`).
    #[test]
    fn socket_sizes_match_headers() {
        let sizes: &[(&str, usize)] = &[
            ("struct sockaddr_un", size_of::<SockaddrUn>()),
            ("struct msghdr", size_of::<Msghdr>()),
            ("struct mmsghdr", size_of::<Mmsghdr>()),
            ("struct cmsghdr", size_of::<Cmsghdr>()),
            ("struct ucred", size_of::<Ucred>()),
            ("struct linger", size_of::<Linger>()),
        ];
        let offsets: &[(&str, &str, usize)] = &[
            (
                "struct msghdr",
                "msg_namelen",
                offset_of!(Msghdr, msg_namelen),
            ),
            ("struct msghdr", "msg_iov", offset_of!(Msghdr, msg_iov)),
            (
                "struct msghdr",
                "msg_iovlen",
                offset_of!(Msghdr, msg_iovlen),
            ),
            (
                "struct msghdr",
                "msg_control",
                offset_of!(Msghdr, msg_control),
            ),
            (
                "struct msghdr",
                "msg_controllen",
                offset_of!(Msghdr, msg_controllen),
            ),
            ("struct msghdr", "msg_flags", offset_of!(Msghdr, msg_flags)),
            ("struct mmsghdr", "msg_len", offset_of!(Mmsghdr, msg_len)),
            (
                "struct cmsghdr",
                "cmsg_level",
                offset_of!(Cmsghdr, cmsg_level),
            ),
            (
                "struct cmsghdr",
                "cmsg_type",
                offset_of!(Cmsghdr, cmsg_type),
            ),
            ("struct ucred", "gid", offset_of!(Ucred, gid)),
            (
                "struct sockaddr_un",
                "sun_path",
                offset_of!(SockaddrUn, sun_path),
            ),
        ];
        compare_layouts(
            "socket_sizes",
            "#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n\
             #include <sys/socket.h>\n#include <sys/un.h>\n",
            sizes,
            offsets,
        );
    }

    #[test]
    fn defaults_are_zero() {
        assert_eq!(Stat::default().st_size, 0);
        assert!(Utsname::default().sysname.iter().all(|&b| b == 0));
        assert_eq!(Statx::default()._spare3, [0; 8]);
    }
}
