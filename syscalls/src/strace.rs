//! Argument decoding for `--strace`: per-syscall signatures as data, and
//! strace-like formatting. Memory is read through a [`MemReader`] the
//! sentry supplies, so this module stays free of host effects.

use crate::{fcntl, mm, Errno};

/// Reads the traced application's memory.
pub trait MemReader {
    fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>>;
    /// A NUL-terminated string of at most `max` bytes (without the NUL).
    fn read_cstr(&self, addr: u64, max: usize) -> Option<Vec<u8>>;
}

/// How one argument is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    Int,
    UInt,
    Hex,
    Fd,
    /// A directory descriptor: `AT_FDCWD` by name.
    DirFd,
    /// A NUL-terminated path.
    Path,
    /// Bytes the call reads, with their length in argument `len_arg`.
    InBuf {
        len_arg: u8,
    },
    /// Bytes the call writes: shown after the call, the return value long.
    OutBuf,
    Ptr,
    Mode,
    OpenFlags,
    MmapProt,
    MmapFlags,
    Signal,
    ClockId,
    Resource,
    Prctl,
    ArchPrctl,
    FcntlCmd,
    Ioctl,
    /// An iovec array the call reads, with its count in `count_arg`.
    Iovec {
        count_arg: u8,
    },
}

/// A system call's name and arguments.
#[derive(Clone, Copy, Debug)]
pub struct Signature {
    pub name: &'static str,
    pub args: &'static [Arg],
}

macro_rules! sigs {
    ($($nr:literal $name:ident ($($a:expr),*)),* $(,)?) => {
        fn lookup(nr: u64) -> Option<&'static Signature> {
            use Arg::*;
            match nr {
                $($nr => {
                    static S: Signature = Signature { name: stringify!($name), args: &[$($a),*] };
                    Some(&S)
                })*
                _ => None,
            }
        }
    };
}

sigs! {
    0 read(Fd, OutBuf, UInt),
    1 write(Fd, InBuf { len_arg: 2 }, UInt),
    2 open(Path, OpenFlags, Mode),
    3 close(Fd),
    4 stat(Path, Ptr),
    5 fstat(Fd, Ptr),
    6 lstat(Path, Ptr),
    7 poll(Ptr, UInt, Int),
    8 lseek(Fd, Int, Int),
    9 mmap(Hex, UInt, MmapProt, MmapFlags, Fd, Hex),
    10 mprotect(Hex, UInt, MmapProt),
    11 munmap(Hex, UInt),
    12 brk(Hex),
    13 rt_sigaction(Signal, Ptr, Ptr, UInt),
    14 rt_sigprocmask(Int, Ptr, Ptr, UInt),
    15 rt_sigreturn(),
    16 ioctl(Fd, Ioctl, Hex),
    17 pread64(Fd, OutBuf, UInt, Int),
    18 pwrite64(Fd, InBuf { len_arg: 2 }, UInt, Int),
    19 readv(Fd, Ptr, Int),
    20 writev(Fd, Iovec { count_arg: 2 }, Int),
    21 access(Path, Int),
    22 pipe(Ptr),
    23 select(Int, Ptr, Ptr, Ptr, Ptr),
    24 sched_yield(),
    25 mremap(Hex, UInt, UInt, Hex, Hex),
    26 msync(Hex, UInt, Hex),
    27 mincore(Hex, UInt, Ptr),
    28 madvise(Hex, UInt, Int),
    32 dup(Fd),
    33 dup2(Fd, Fd),
    34 pause(),
    35 nanosleep(Ptr, Ptr),
    36 getitimer(Int, Ptr),
    37 alarm(UInt),
    38 setitimer(Int, Ptr, Ptr),
    39 getpid(),
    56 clone(Hex, Ptr, Ptr, Ptr, Hex),
    57 fork(),
    58 vfork(),
    59 execve(Path, Ptr, Ptr),
    60 exit(Int),
    61 wait4(Int, Ptr, Hex, Ptr),
    62 kill(Int, Signal),
    63 uname(Ptr),
    72 fcntl(Fd, FcntlCmd, Hex),
    79 getcwd(Ptr, UInt),
    80 chdir(Path),
    89 readlink(Path, Ptr, UInt),
    95 umask(Mode),
    96 gettimeofday(Ptr, Ptr),
    97 getrlimit(Resource, Ptr),
    98 getrusage(Int, Ptr),
    99 sysinfo(Ptr),
    100 times(Ptr),
    102 getuid(),
    104 getgid(),
    105 setuid(UInt),
    106 setgid(UInt),
    107 geteuid(),
    108 getegid(),
    110 getppid(),
    111 getpgrp(),
    112 setsid(),
    115 getgroups(Int, Ptr),
    116 setgroups(Int, Ptr),
    118 getresuid(Ptr, Ptr, Ptr),
    120 getresgid(Ptr, Ptr, Ptr),
    121 getpgid(Int),
    124 getsid(Int),
    131 sigaltstack(Ptr, Ptr),
    133 mknod(Path, Mode, Hex),
    157 prctl(Prctl, Hex, Hex, Hex, Hex),
    158 arch_prctl(ArchPrctl, Hex),
    160 setrlimit(Resource, Ptr),
    186 gettid(),
    201 time(Ptr),
    202 futex(Ptr, Int, Int, Ptr, Ptr, Int),
    204 sched_getaffinity(Int, UInt, Ptr),
    218 set_tid_address(Ptr),
    228 clock_gettime(ClockId, Ptr),
    229 clock_getres(ClockId, Ptr),
    230 clock_nanosleep(ClockId, Int, Ptr, Ptr),
    231 exit_group(Int),
    234 tgkill(Int, Int, Signal),
    257 openat(DirFd, Path, OpenFlags, Mode),
    262 newfstatat(DirFd, Path, Ptr, Hex),
    267 readlinkat(DirFd, Path, Ptr, UInt),
    269 faccessat(DirFd, Path, Int),
    292 dup3(Fd, Fd, OpenFlags),
    293 pipe2(Ptr, OpenFlags),
    302 prlimit64(Int, Resource, Ptr, Ptr),
    309 getcpu(Ptr, Ptr, Ptr),
    318 getrandom(OutBuf, UInt, Hex),
    273 set_robust_list(Ptr, UInt),
    274 get_robust_list(Int, Ptr, Ptr),
    332 statx(DirFd, Path, Hex, Hex, Ptr),
    334 rseq(Ptr, UInt, Hex, Hex),
}

/// The signature of system call `nr`, where one is known.
pub fn signature(nr: u64) -> Option<&'static Signature> {
    lookup(nr)
}

const STR_MAX: usize = 32;

/// Escapes bytes as strace does, quoting and truncating after 32 bytes.
pub fn escape(bytes: &[u8], truncated: bool) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(STR_MAX) {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    if truncated || bytes.len() > STR_MAX {
        s.push_str("...");
    }
    s
}

fn flags(value: u64, names: &[(u64, &str)]) -> String {
    let mut parts = Vec::new();
    let mut rest = value;
    for &(bit, name) in names {
        if bit != 0 && rest & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 || parts.is_empty() {
        parts.push(format!("{rest:#x}"));
    }
    parts.join("|")
}

fn named(value: i64, name: Option<&str>) -> String {
    name.map_or_else(|| value.to_string(), str::to_string)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
fn format_arg(arg: Arg, v: u64, args: &[u64; 6], mem: &dyn MemReader) -> String {
    let int = v as u32 as i32;
    match arg {
        Arg::Int | Arg::Fd => int.to_string(),
        Arg::UInt => v.to_string(),
        Arg::Hex | Arg::Ptr | Arg::OutBuf => {
            if v == 0 && arg == Arg::Ptr {
                "NULL".to_string()
            } else {
                format!("{v:#x}")
            }
        }
        Arg::DirFd => {
            if int == fcntl::AT_FDCWD {
                "AT_FDCWD".to_string()
            } else {
                int.to_string()
            }
        }
        Arg::Path => match mem.read_cstr(v, 4096) {
            Some(b) => escape(&b, false),
            None => format!("{v:#x}"),
        },
        Arg::InBuf { len_arg } => {
            let len = args[usize::from(len_arg)] as usize;
            match mem.read_bytes(v, len.min(STR_MAX)) {
                Some(b) => escape(&b, len > STR_MAX),
                None => format!("{v:#x}"),
            }
        }
        Arg::Iovec { count_arg } => {
            let n = (args[usize::from(count_arg)] as usize).min(8);
            let Some(raw) = mem.read_bytes(v, n * 16) else {
                return format!("{v:#x}");
            };
            let parts: Vec<String> = raw
                .chunks_exact(16)
                .map(|c| {
                    let base = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
                    let len = u64::from_le_bytes(c[8..].try_into().expect("8 bytes"));
                    let data = mem
                        .read_bytes(base, (len as usize).min(STR_MAX))
                        .map_or_else(
                            || format!("{base:#x}"),
                            |b| escape(&b, len as usize > STR_MAX),
                        );
                    format!("{{iov_base={data}, iov_len={len}}}")
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Arg::Mode => format!("{v:04o}"),
        Arg::OpenFlags => {
            let acc = match v & u64::from(fcntl::O_ACCMODE) {
                0 => "O_RDONLY",
                1 => "O_WRONLY",
                2 => "O_RDWR",
                _ => "O_ACCMODE",
            };
            let rest = v & !u64::from(fcntl::O_ACCMODE);
            if rest == 0 {
                acc.to_string()
            } else {
                let names: Vec<(u64, &str)> = fcntl::OpenFlags::all()
                    .iter_names()
                    .map(|(n, f)| (u64::from(f.bits()), n))
                    .filter(|(b, _)| *b != 0o1 && *b != 0o2)
                    .collect();
                format!("{acc}|{}", flags(rest, &names))
            }
        }
        Arg::MmapProt => {
            if v == 0 {
                "PROT_NONE".to_string()
            } else {
                let names: Vec<(u64, &str)> = mm::MmapProt::all()
                    .iter_names()
                    .map(|(n, f)| (f.bits(), n))
                    .collect();
                flags(v, &names)
            }
        }
        Arg::MmapFlags => {
            let ty = match v & mm::MAP_TYPE {
                1 => "MAP_SHARED",
                2 => "MAP_PRIVATE",
                3 => "MAP_SHARED_VALIDATE",
                _ => "",
            };
            let names: Vec<(u64, &str)> = mm::MmapFlags::all()
                .iter_names()
                .map(|(n, f)| (f.bits(), n))
                .filter(|(b, _)| *b & mm::MAP_TYPE == 0)
                .collect();
            let rest = v & !mm::MAP_TYPE;
            match (ty, rest) {
                ("", _) => flags(v, &names),
                (t, 0) => t.to_string(),
                (t, r) => format!("{t}|{}", flags(r, &names)),
            }
        }
        Arg::Signal => named(i64::from(int), crate::signal::signal_name(int)),
        Arg::ClockId => named(i64::from(int), crate::time::clock_name(int)),
        Arg::Resource => named(i64::from(int), crate::resource::rlimit_name(v as u32)),
        Arg::Prctl => named(i64::from(int), crate::prctl::prctl_name(int)),
        Arg::ArchPrctl => named(i64::from(int), crate::arch_prctl::arch_prctl_name(int)),
        Arg::FcntlCmd => named(i64::from(int), fcntl::fcntl_name(int)),
        Arg::Ioctl => crate::ioctl::ioctl_name(v & 0xffff_ffff)
            .map_or_else(|| format!("{v:#x}"), str::to_string),
    }
}

/// `name(arg, ...)` for system call `nr`.
pub fn format_call(nr: u64, args: &[u64; 6], mem: &dyn MemReader) -> String {
    let Some(sig) = signature(nr) else {
        let name =
            crate::sysno::name(nr).map_or_else(|| format!("syscall_{nr:#x}"), str::to_string);
        let all: Vec<String> = args.iter().map(|a| format!("{a:#x}")).collect();
        return format!("{name}({})", all.join(", "));
    };
    let parts: Vec<String> = sig
        .args
        .iter()
        .zip(args.iter())
        .map(|(a, v)| format_arg(*a, *v, args, mem))
        .collect();
    format!("{}({})", sig.name, parts.join(", "))
}

/// The result of system call `nr`: a value, an errno, or a pointer, with
/// the bytes an output buffer received.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub fn format_return(nr: u64, args: &[u64; 6], ret: i64, mem: &dyn MemReader) -> String {
    if (-4095..0).contains(&ret) {
        let e = Errno::from_raw(-ret as i32);
        return format!("-1 {e}");
    }
    match nr {
        9 | 12 | 25 => format!("{:#x}", ret as u64),
        _ => {
            let out = signature(nr).and_then(|s| s.args.iter().position(|a| *a == Arg::OutBuf));
            match out {
                Some(i) if ret > 0 => {
                    let len = ret as usize;
                    let data = mem
                        .read_bytes(args[i], len.min(STR_MAX))
                        .map_or_else(|| format!("{:#x}", args[i]), |b| escape(&b, len > STR_MAX));
                    format!("{ret} {data}")
                }
                _ => ret.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem;

    impl MemReader for Mem {
        fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
            (addr == 0x1000)
                .then(|| b"hello\n\x01world and a long tail of text!!"[..len.min(40)].to_vec())
        }
        fn read_cstr(&self, addr: u64, _max: usize) -> Option<Vec<u8>> {
            (addr == 0x2000).then(|| b"/etc/passwd".to_vec())
        }
    }

    #[test]
    fn write_shows_its_escaped_buffer() {
        let s = format_call(1, &[1, 0x1000, 6, 0, 0, 0], &Mem);
        assert_eq!(s, r#"write(1, "hello\n", 6)"#);
        assert_eq!(format_return(1, &[1, 0x1000, 6, 0, 0, 0], 6, &Mem), "6");
    }

    #[test]
    fn long_buffers_are_truncated_and_unreadable_ones_are_hex() {
        let s = format_call(1, &[1, 0x1000, 40, 0, 0, 0], &Mem);
        assert!(s.ends_with(r#""..., 40)"#), "{s}");
        assert!(s.contains(r"\x01"), "{s}");
        assert_eq!(
            format_call(1, &[1, 0x9000, 3, 0, 0, 0], &Mem),
            "write(1, 0x9000, 3)"
        );
    }

    #[test]
    fn mmap_flags_and_result() {
        let s = format_call(9, &[0, 4096, 3, 0x22, u64::MAX, 0], &Mem);
        assert_eq!(
            s,
            "mmap(0x0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0)"
        );
        assert_eq!(
            format_return(9, &[0; 6], 0x7f00_0000_0000, &Mem),
            "0x7f0000000000"
        );
        let odd = format_call(10, &[0x1000, 4096, 0x41, 0, 0, 0], &Mem);
        assert_eq!(odd, "mprotect(0x1000, 4096, PROT_READ|0x40)");
    }

    #[test]
    fn errors_paths_and_unknown_numbers() {
        assert_eq!(
            format_return(3, &[0; 6], -9, &Mem),
            "-1 EBADF (Bad file descriptor)"
        );
        let s = format_call(
            257,
            &[(-100i64).cast_unsigned(), 0x2000, 0o2000000, 0, 0, 0],
            &Mem,
        );
        assert_eq!(
            s,
            r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC, 0000)"#
        );
        assert_eq!(
            format_call(1000, &[1, 2, 3, 4, 5, 6], &Mem),
            "syscall_0x3e8(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)"
        );
        assert!(format_call(440, &[0; 6], &Mem).starts_with("process_madvise("));
        assert_eq!(
            format_call(158, &[0x1002, 0x1234, 0, 0, 0, 0], &Mem),
            "arch_prctl(ARCH_SET_FS, 0x1234)"
        );
    }

    #[test]
    fn read_shows_what_it_got() {
        assert_eq!(
            format_return(0, &[0, 0x1000, 100, 0, 0, 0], 6, &Mem),
            r#"6 "hello\n""#
        );
    }
}
