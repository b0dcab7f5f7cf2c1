//! Argument decoding for `--strace`: per-syscall signatures as data
//! ([`signature`]) and strace-like formatting. The sentry prints
//! `format_call(..) + " = " + format_return(..)`; the first runs before the
//! call, the second after it, so buffers and structures the call fills
//! are shown with the result. Tracee memory is read through a
//! [`MemReader`] the sentry supplies, so nothing here touches the host.

mod args;
mod quote;
mod structs;
mod table;

pub use quote::quote;
pub use table::{signature, Arg, Ret, Signature, Struct};

use crate::{fcntl, ioctl, Errno};
use args::{hex, int, len, Call};

/// Reads the traced application's memory.
pub trait MemReader {
    /// `len` bytes at `addr`, or `None` if any of them cannot be read.
    fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>>;
    /// A NUL-terminated string at `addr` without its NUL, at most `max`
    /// bytes of it (a longer string comes back cut at `max`); `None` if it
    /// cannot be read.
    fn read_cstr(&self, addr: u64, max: usize) -> Option<Vec<u8>>;
}

/// `name(arg, ...)` for system call `nr` with arguments `args`, as the
/// call is entered: `write(1, "hello\n", 6)`. A call without a signature
/// shows all six arguments in hex, named from `sysno` or
/// `syscall_0x1c2(...)`.
pub fn format_call(nr: u64, args: &[u64; 6], mem: &dyn MemReader) -> String {
    let Some(sig) = signature(nr) else {
        let name =
            crate::sysno::name(nr).map_or_else(|| format!("syscall_{nr:#x}"), str::to_string);
        let all: Vec<String> = args.iter().map(|a| format!("{a:#x}")).collect();
        return format!("{name}({})", all.join(", "));
    };
    let call = Call {
        name: sig.name,
        args,
        mem,
    };
    let parts: Vec<String> = sig
        .args
        .iter()
        .zip(args)
        .filter_map(|(&arg, &v)| args::format(&call, arg, v))
        .collect();
    format!("{}({})", sig.name, parts.join(", "))
}

/// The result `ret` of system call `nr` (the raw `rax`): `6`,
/// `-1 EBADF (Bad file descriptor)`, `0x7f12a000` for an address, then
/// what the call wrote to its output arguments, `6 "hello\n"`,
/// `0 {tv_sec=1, tv_nsec=5}`. A kernel-internal restart code shows as
/// strace shows it: `? ERESTARTSYS (To be restarted if SA_RESTART is set)`.
pub fn format_return(nr: u64, args: &[u64; 6], ret: i64, mem: &dyn MemReader) -> String {
    if let Some(e) = Errno::from_ret(ret) {
        return match restart_text(e) {
            Some(text) => format!("? {e:?} ({text})"),
            None => format!("-1 {e}"),
        };
    }
    let Some(sig) = signature(nr) else {
        return ret.to_string();
    };
    let call = Call {
        name: sig.name,
        args,
        mem,
    };
    let mut s = match sig.ret {
        Ret::Int => ret.to_string(),
        Ret::Hex => hex(u64::from_ne_bytes(ret.to_ne_bytes())),
        Ret::Octal => args::octal(u64::try_from(ret).unwrap_or(0)),
        Ret::Fcntl => fcntl_ret(int(args[1]), ret),
    };
    let outs: Vec<String> = sig
        .args
        .iter()
        .zip(args)
        .filter_map(|(&arg, &v)| output(&call, arg, v, ret))
        .collect();
    if !outs.is_empty() {
        s.push(' ');
        s.push_str(&outs.join(", "));
    }
    s
}

/// strace's words for the restart codes, which have no strerror text.
fn restart_text(e: Errno) -> Option<&'static str> {
    Some(match e {
        Errno::ERESTARTSYS => "To be restarted if SA_RESTART is set",
        Errno::ERESTARTNOINTR => "To be restarted",
        Errno::ERESTARTNOHAND => "To be restarted if no handler",
        Errno::ERESTART_RESTARTBLOCK => "Interrupted by signal",
        Errno::ENOIOCTLCMD => "No ioctl command",
        _ => return None,
    })
}

/// fcntl's result: flags by name for the commands that return flags.
fn fcntl_ret(cmd: i32, ret: i64) -> String {
    let v = u64::try_from(ret).unwrap_or(0);
    match cmd {
        fcntl::F_GETFL => format!("{} (flags {})", hex(v), args::open_flags(v)),
        fcntl::F_GETFD if v != 0 => format!(
            "{} (flags {})",
            hex(v),
            args::flag_list(v, &[(1, "FD_CLOEXEC")])
        ),
        fcntl::F_GET_SEALS if v != 0 => format!("{} (seals {})", hex(v), args::seals(v)),
        _ => ret.to_string(),
    }
}

/// What argument `v` received from the call, shown after it returned
/// `ret` (never an error).
fn output(call: &Call<'_>, arg: Arg, v: u64, ret: i64) -> Option<String> {
    let mem = call.mem;
    let filled = usize::try_from(ret).unwrap_or(0);
    match arg {
        Arg::OutBuf { len_arg } => {
            if v == 0 {
                return None;
            }
            Some(quote::buffer(mem, v, filled.min(len(call.arg(len_arg)))))
        }
        Arg::OutIovec { count_arg } => Some(structs::iovecs(
            mem,
            v,
            len(call.arg(count_arg)),
            Some(filled),
        )),
        Arg::Out(s) => structs::output(mem, s, v, ret),
        Arg::Pollfds { count_arg } if ret > 0 => {
            Some(structs::pollfds(mem, v, len(call.arg(count_arg)), true))
        }
        Arg::IoctlArg { req_arg } if v != 0 => match u64::from(args::low32(call.arg(req_arg))) {
            ioctl::TCGETS => Some(structs::termios(mem, v)),
            ioctl::TIOCGWINSZ => Some(structs::winsize(mem, v)),
            ioctl::FIONREAD
            | ioctl::TIOCOUTQ
            | ioctl::TIOCGPGRP
            | ioctl::TIOCGSID
            | ioctl::TIOCGPTN
            | ioctl::TIOCGETD
            | ioctl::TIOCGPKT
            | ioctl::TIOCGPTLCK
            | ioctl::TIOCGEXCL
            | ioctl::TIOCGDEV => Some(structs::int_in_brackets(mem, v)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysno;

    /// Tracee memory: a few regions at fixed addresses.
    struct Mem(Vec<(u64, Vec<u8>)>);

    impl Mem {
        fn new() -> Mem {
            Mem(vec![
                (
                    0x1000,
                    b"hello\n\x01world and a long tail of text!!".to_vec(),
                ),
                (0x2000, b"/etc/passwd\0".to_vec()),
            ])
        }

        fn with(mut self, addr: u64, bytes: &[u8]) -> Mem {
            self.0.push((addr, bytes.to_vec()));
            self
        }
    }

    impl MemReader for Mem {
        fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
            self.0.iter().find_map(|(base, data)| {
                let off = usize::try_from(addr.checked_sub(*base)?).ok()?;
                data.get(off..off.checked_add(len)?).map(<[u8]>::to_vec)
            })
        }

        fn read_cstr(&self, addr: u64, max: usize) -> Option<Vec<u8>> {
            self.0.iter().find_map(|(base, data)| {
                let off = usize::try_from(addr.checked_sub(*base)?).ok()?;
                let rest = data.get(off..)?;
                let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                Some(rest[..end.min(max)].to_vec())
            })
        }
    }

    fn nr(name: &str) -> u64 {
        u64::from(sysno::number(name).unwrap())
    }

    fn neg(v: i64) -> u64 {
        u64::from_ne_bytes(v.to_ne_bytes())
    }

    #[test]
    fn write_shows_its_escaped_buffer() {
        let args = [1, 0x1000, 6, 0, 0, 0];
        assert_eq!(
            format_call(1, &args, &Mem::new()),
            r#"write(1, "hello\n", 6)"#
        );
        assert_eq!(format_return(1, &args, 6, &Mem::new()), "6");
    }

    #[test]
    fn long_buffers_are_truncated_and_unreadable_ones_are_hex() {
        let s = format_call(1, &[1, 0x1000, 40, 0, 0, 0], &Mem::new());
        assert_eq!(
            s,
            r#"write(1, "hello\n\x01world and a long tail of "..., 40)"#
        );
        assert_eq!(
            format_call(1, &[1, 0x9000, 3, 0, 0, 0], &Mem::new()),
            "write(1, 0x9000, 3)"
        );
    }

    #[test]
    fn read_shows_what_it_got_after_the_call() {
        let args = [0, 0x1000, 100, 0, 0, 0];
        assert_eq!(format_call(0, &args, &Mem::new()), "read(0, 0x1000, 100)");
        assert_eq!(format_return(0, &args, 6, &Mem::new()), r#"6 "hello\n""#);
        assert_eq!(format_return(0, &args, 0, &Mem::new()), r#"0 """#);
    }

    #[test]
    fn mmap_flags_and_address_result() {
        let args = [0, 4096, 3, 0x22, neg(-1), 0];
        assert_eq!(
            format_call(nr("mmap"), &args, &Mem::new()),
            "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
        );
        assert_eq!(
            format_return(nr("mmap"), &args, 0x7f12_a000, &Mem::new()),
            "0x7f12a000"
        );
        assert_eq!(
            format_call(nr("mprotect"), &[0x1000, 4096, 0x41, 0, 0, 0], &Mem::new()),
            "mprotect(0x1000, 4096, PROT_READ|0x40)"
        );
        assert_eq!(
            format_call(nr("mprotect"), &[0x1000, 4096, 0, 0, 0, 0], &Mem::new()),
            "mprotect(0x1000, 4096, PROT_NONE)"
        );
        assert_eq!(
            format_return(nr("brk"), &[0; 6], 0x55_0000, &Mem::new()),
            "0x550000"
        );
    }

    #[test]
    fn errors_and_restart_codes() {
        assert_eq!(
            format_return(3, &[0; 6], -9, &Mem::new()),
            "-1 EBADF (Bad file descriptor)"
        );
        assert_eq!(
            format_return(nr("mmap"), &[0; 6], -12, &Mem::new()),
            "-1 ENOMEM (Cannot allocate memory)"
        );
        assert_eq!(
            format_return(0, &[0, 0x1000, 10, 0, 0, 0], -512, &Mem::new()),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)"
        );
        assert_eq!(
            format_return(0, &[0; 6], -4000, &Mem::new()),
            "-1 errno 4000"
        );
    }

    #[test]
    fn sockets_show_families_types_and_addresses() {
        let path = b"\x01\0/tmp/s\0junk";
        let abs = b"\x01\0\0name";
        let mem = Mem::new().with(0x5000, path).with(0x6000, abs);
        assert_eq!(
            format_call(nr("socket"), &[1, 1 | 0o2000000, 0, 0, 0, 0], &mem),
            "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)"
        );
        assert_eq!(
            format_call(nr("bind"), &[3, 0x5000, 9, 0, 0, 0], &mem),
            "bind(3, {sa_family=AF_UNIX, sun_path=\"/tmp/s\"}, 9)"
        );
        assert_eq!(
            format_call(nr("connect"), &[3, 0x6000, 7, 0, 0, 0], &mem),
            "connect(3, {sa_family=AF_UNIX, sun_path=@\"name\"}, 7)"
        );
        let v4 = b"\x02\0\x1f\x90\x7f\0\0\x01\0\0\0\0\0\0\0\0";
        let mut v6 = vec![10u8, 0, 0, 80, 0, 0, 0, 0];
        v6.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
        v6.extend_from_slice(&[0; 4]);
        let mem = mem.with(0x7000, v4).with(0x8000, &v6);
        assert_eq!(
            format_call(nr("connect"), &[3, 0x7000, 16, 0, 0, 0], &mem),
            "connect(3, {sa_family=AF_INET, sin_port=htons(8080), \
             sin_addr=inet_addr(\"127.0.0.1\")}, 16)"
        );
        assert_eq!(
            format_call(nr("bind"), &[3, 0x8000, 28, 0, 0, 0], &mem),
            "bind(3, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), \
             inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28)"
        );
        assert_eq!(
            format_call(nr("sendto"), &[3, 0x5000, 0, 0x4040, 0, 0], &mem),
            "sendto(3, \"\", 0, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0)"
        );
        assert_eq!(
            format_call(nr("setsockopt"), &[3, 1, 7, 0x3000, 4, 0], &mem),
            "setsockopt(3, SOL_SOCKET, SO_SNDBUF, 0x3000, 4)"
        );
        assert_eq!(
            format_call(nr("shutdown"), &[3, 1, 0, 0, 0, 0], &mem),
            "shutdown(3, SHUT_WR)"
        );
    }

    #[test]
    fn unknown_and_undecoded_numbers() {
        let args = [1, 2, 3, 4, 5, 6];
        assert_eq!(
            format_call(0x1f4, &args, &Mem::new()),
            "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)"
        );
        assert_eq!(
            format_call(u64::MAX, &[0; 6], &Mem::new()),
            "syscall_0xffffffffffffffff(0x0, 0x0, 0x0, 0x0, 0x0, 0x0)"
        );
        assert_eq!(
            format_call(nr("process_madvise"), &args, &Mem::new()),
            "process_madvise(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)"
        );
        assert_eq!(format_return(0x1f4, &args, 7, &Mem::new()), "7");
    }

    #[test]
    fn paths_dirfds_and_open_modes() {
        let at = neg(-100);
        assert_eq!(
            format_call(nr("openat"), &[at, 0x2000, 0o2000000, 0, 0, 0], &Mem::new()),
            r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)"#
        );
        assert_eq!(
            format_call(nr("openat"), &[3, 0x2000, 0o1101, 0o644, 0, 0], &Mem::new()),
            r#"openat(3, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644)"#
        );
        assert_eq!(
            format_call(nr("open"), &[0, 0, 0, 0, 0, 0], &Mem::new()),
            "open(NULL, O_RDONLY)"
        );
        assert_eq!(
            format_call(nr("access"), &[0x7000, 4, 0, 0, 0, 0], &Mem::new()),
            "access(0x7000, R_OK)"
        );
        assert_eq!(
            format_call(
                nr("newfstatat"),
                &[at, 0x2000, 0x3000, 0x1000, 0, 0],
                &Mem::new()
            ),
            r#"newfstatat(AT_FDCWD, "/etc/passwd", 0x3000, AT_EMPTY_PATH)"#
        );
        assert_eq!(
            format_call(nr("mknod"), &[0x2000, 0o20666, 0x103, 0, 0, 0], &Mem::new()),
            r#"mknod("/etc/passwd", S_IFCHR|0666, makedev(0x1, 0x3))"#
        );
    }

    #[test]
    fn named_arguments() {
        assert_eq!(
            format_call(nr("arch_prctl"), &[0x1002, 0x1234, 0, 0, 0, 0], &Mem::new()),
            "arch_prctl(ARCH_SET_FS, 0x1234)"
        );
        assert_eq!(
            format_call(nr("prlimit64"), &[0, 7, 0, 0x5000, 0, 0], &Mem::new()),
            "prlimit64(0, RLIMIT_NOFILE, NULL, 0x5000)"
        );
        assert_eq!(
            format_call(nr("tgkill"), &[5, 6, 11, 0, 0, 0], &Mem::new()),
            "tgkill(5, 6, SIGSEGV)"
        );
        assert_eq!(
            format_call(nr("fcntl"), &[3, 2, 1, 0, 0, 0], &Mem::new()),
            "fcntl(3, F_SETFD, FD_CLOEXEC)"
        );
        assert_eq!(
            format_call(nr("fcntl"), &[3, 3, 0, 0, 0, 0], &Mem::new()),
            "fcntl(3, F_GETFL)"
        );
        assert_eq!(
            format_return(nr("fcntl"), &[3, 3, 0, 0, 0, 0], 0x8002, &Mem::new()),
            "0x8002 (flags O_RDWR|O_LARGEFILE)"
        );
        assert_eq!(
            format_call(nr("ioctl"), &[1, 0x5401, 0x6000, 0, 0, 0], &Mem::new()),
            "ioctl(1, TCGETS, 0x6000)"
        );
        assert_eq!(
            format_call(nr("ioctl"), &[1, 0x5451, 0, 0, 0, 0], &Mem::new()),
            "ioctl(1, FIOCLEX)"
        );
        assert_eq!(
            format_call(nr("futex"), &[0x1000, 128, 2, 0, 0, 0], &Mem::new()),
            "futex(0x1000, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0)"
        );
        assert_eq!(
            format_call(nr("clock_gettime"), &[1, 0x4000, 0, 0, 0, 0], &Mem::new()),
            "clock_gettime(CLOCK_MONOTONIC, 0x4000)"
        );
        assert_eq!(
            format_return(nr("umask"), &[0o77, 0, 0, 0, 0, 0], 0o22, &Mem::new()),
            "022"
        );
    }

    #[test]
    fn output_structures_follow_the_result() {
        let ts = [5i64.to_ne_bytes(), 250i64.to_ne_bytes()].concat();
        let mem = Mem::new().with(0x4000, &ts);
        let args = [1, 0x4000, 0, 0, 0, 0];
        assert_eq!(
            format_return(nr("clock_gettime"), &args, 0, &mem),
            "0 {tv_sec=5, tv_nsec=250}"
        );
        assert_eq!(
            format_call(nr("nanosleep"), &[0x4000, 0, 0, 0, 0, 0], &mem),
            "nanosleep({tv_sec=5, tv_nsec=250}, NULL)"
        );
        let fds = [3i32.to_ne_bytes(), 4i32.to_ne_bytes()].concat();
        let mem = Mem::new().with(0x5000, &fds);
        assert_eq!(
            format_return(nr("pipe2"), &[0x5000, 0o2000000, 0, 0, 0, 0], 0, &mem),
            "0 [3, 4]"
        );
        assert_eq!(
            format_call(nr("pipe2"), &[0x5000, 0o2004000, 0, 0, 0, 0], &mem),
            "pipe2(0x5000, O_CLOEXEC|O_NONBLOCK)"
        );
        // Nothing is decoded after an error.
        assert_eq!(
            format_return(nr("pipe2"), &[0x5000, 0, 0, 0, 0, 0], -24, &mem),
            "-1 EMFILE (Too many open files)"
        );
    }

    #[test]
    fn uname_and_stat_results() {
        let mut u = crate::types::Utsname::default();
        u.sysname[..5].copy_from_slice(b"Linux");
        u.machine[..6].copy_from_slice(b"x86_64");
        let mem = Mem::new().with(0x6000, zerocopy::IntoBytes::as_bytes(&u));
        assert_eq!(
            format_return(nr("uname"), &[0x6000, 0, 0, 0, 0, 0], 0, &mem),
            r#"0 {sysname="Linux", nodename="", release="", version="", machine="x86_64", domainname=""}"#
        );
        let st = crate::types::Stat {
            st_mode: 0o100644,
            st_size: 1234,
            ..Default::default()
        };
        let mem = Mem::new().with(0x7000, zerocopy::IntoBytes::as_bytes(&st));
        assert_eq!(
            format_return(nr("fstat"), &[3, 0x7000, 0, 0, 0, 0], 0, &mem),
            "0 {st_mode=S_IFREG|0644, st_size=1234, ...}"
        );
    }

    #[test]
    fn iovecs_in_and_out() {
        let iov = [0x1000u64.to_ne_bytes(), 6u64.to_ne_bytes()].concat();
        let mem = Mem::new().with(0x8000, &iov);
        assert_eq!(
            format_call(nr("writev"), &[1, 0x8000, 1, 0, 0, 0], &mem),
            r#"writev(1, [{iov_base="hello\n", iov_len=6}], 1)"#
        );
        assert_eq!(
            format_return(nr("readv"), &[0, 0x8000, 1, 0, 0, 0], 3, &mem),
            r#"3 [{iov_base="hel", iov_len=6}]"#
        );
    }

    #[test]
    fn execve_shows_argv_and_counts_envp() {
        let argv = [0x2000u64, 0x1000, 0].map(u64::to_ne_bytes).concat();
        let envp = [0x2000u64, 0x2000, 0x2000, 0]
            .map(u64::to_ne_bytes)
            .concat();
        let mem = Mem::new().with(0x9000, &argv).with(0xa000, &envp);
        assert_eq!(
            format_call(nr("execve"), &[0x2000, 0x9000, 0xa000, 0, 0, 0], &mem),
            r#"execve("/etc/passwd", ["/etc/passwd", "hello\n\x01world and a long tail of "...], 0xa000 /* 3 vars */)"#
        );
    }

    #[test]
    fn paths_longer_than_the_limit_are_cut() {
        let long = vec![b'a'; 5000];
        let mem = Mem::new().with(0xb000, &long);
        let s = format_call(nr("chdir"), &[0xb000, 0, 0, 0, 0, 0], &mem);
        assert!(s.ends_with("aaa\"...)"), "{s}");
        assert_eq!(s.len(), "chdir(\"\"...)".len() + 4096);
    }

    #[test]
    fn signal_actions_and_masks() {
        let sa = crate::types::Sigaction {
            sa_handler: 0x40_1000,
            sa_flags: 0x1400_0000,
            sa_restorer: 0x40_2000,
            sa_mask: crate::signal::sigmask(15),
        };
        let mem = Mem::new().with(0xc000, zerocopy::IntoBytes::as_bytes(&sa));
        assert_eq!(
            format_call(nr("rt_sigaction"), &[2, 0xc000, 0, 8, 0, 0], &mem),
            "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[TERM], \
             sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x402000}, NULL, 8)"
        );
        let mask = (crate::signal::sigmask(1) | crate::signal::sigmask(34)).to_ne_bytes();
        let mem = Mem::new().with(0xd000, &mask);
        assert_eq!(
            format_call(nr("rt_sigprocmask"), &[0, 0xd000, 0xd000, 8, 0, 0], &mem),
            "rt_sigprocmask(SIG_BLOCK, [HUP RT_2], 0xd000, 8)"
        );
        assert_eq!(
            format_return(nr("rt_sigprocmask"), &[0, 0xd000, 0xd000, 8, 0, 0], 0, &mem),
            "0 [HUP RT_2]"
        );
    }

    #[test]
    fn limits_polls_and_waits() {
        let r = [8u64 << 20, u64::MAX].map(u64::to_ne_bytes).concat();
        let mem = Mem::new().with(0xe000, &r);
        assert_eq!(
            format_return(nr("prlimit64"), &[0, 3, 0, 0xe000, 0, 0], 0, &mem),
            "0 {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}"
        );
        let fds = [
            3i32.to_ne_bytes(),
            [1, 0, 0, 0],
            4i32.to_ne_bytes(),
            [4, 0, 4, 0],
        ]
        .concat();
        let mem = Mem::new().with(0xf000, &fds);
        let args = [0xf000, 2, neg(-1), 0, 0, 0];
        assert_eq!(
            format_call(nr("poll"), &args, &mem),
            "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, -1)"
        );
        assert_eq!(
            format_return(nr("poll"), &args, 1, &mem),
            "1 [{fd=4, revents=POLLOUT}]"
        );
        let status = (2i32 << 8).to_ne_bytes();
        let mem = Mem::new().with(0x10000, &status);
        let args = [neg(-1), 0x10000, 1, 0, 0, 0];
        assert_eq!(
            format_call(nr("wait4"), &args, &mem),
            "wait4(-1, 0x10000, WNOHANG, NULL)"
        );
        assert_eq!(
            format_return(nr("wait4"), &args, 42, &mem),
            "42 [{WIFEXITED(s) && WEXITSTATUS(s) == 2}]"
        );
        assert_eq!(format_return(nr("wait4"), &args, 0, &mem), "0");
    }
}
