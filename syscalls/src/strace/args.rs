//! Scalar arguments, flag sets and in-memory inputs, as shown when a call
//! is entered.

use bitflags::Flags;

use super::quote::{self, STR_MAX};
use super::structs;
use super::table::{Arg, Struct};
use super::MemReader;
use crate::fcntl::{self, OpenFlags};
use crate::{
    arch_prctl, futex, ioctl, mm, poll, prctl, random, resource, sched, signal, socket, stat, time,
    wait,
};

/// At most this many elements of an array are shown.
pub const ARRAY_MAX: usize = STR_MAX;

/// The call being shown: its arguments and the tracee's memory.
pub struct Call<'a> {
    pub name: &'static str,
    pub args: &'a [u64; 6],
    pub mem: &'a dyn MemReader,
}

impl Call<'_> {
    /// Argument `i` (a table index, always below 6).
    pub fn arg(&self, i: u8) -> u64 {
        self.args.get(usize::from(i)).copied().unwrap_or(0)
    }
}

/// The low 32 bits of a register.
pub fn low32(v: u64) -> u32 {
    let [a, b, c, d, ..] = v.to_le_bytes();
    u32::from_le_bytes([a, b, c, d])
}

/// A register as a C `int`.
pub fn int(v: u64) -> i32 {
    i32::from_ne_bytes(low32(v).to_ne_bytes())
}

/// A register as a C `long`.
pub fn long(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

/// A register as a length; lengths past the address space saturate.
pub fn len(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Hex as strace prints addresses: `0` for zero, else `0x1f`.
pub fn hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// A pointer: `NULL` or hex.
pub fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// A mode in octal as strace prints it: `0644`, `022`, `000`.
pub fn octal(v: u64) -> String {
    if v == 0 {
        "000".to_string()
    } else {
        format!("{:0>3}", format!("0{v:o}"))
    }
}

/// A name if there is one, else the number.
pub fn named(value: impl std::fmt::Display, name: Option<&str>) -> String {
    name.map_or_else(|| value.to_string(), str::to_string)
}

/// `value` as `|`-joined names from `names`, tried in order (composites
/// before their parts), with unnamed bits left as a hex remainder; `0` when
/// empty.
pub fn flag_list(value: u64, names: &[(u64, &str)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = value;
    for &(bits, name) in names {
        if bits != 0 && rest & bits == bits {
            parts.push(name.to_string());
            rest &= !bits;
        }
    }
    if rest != 0 || parts.is_empty() {
        parts.push(hex(rest));
    }
    parts.join("|")
}

/// `value` by the names of a bitflags type, multi-bit flags first.
pub fn flags<F>(value: u64) -> String
where
    F: Flags,
    F::Bits: Into<u64>,
{
    let mut names: Vec<(u64, &str)> = F::FLAGS
        .iter()
        .map(|f| (f.value().bits().into(), f.name()))
        .collect();
    names.sort_by_key(|&(bits, _)| std::cmp::Reverse(bits.count_ones()));
    flag_list(value, &names)
}

/// open flags: the access mode, then the flags.
pub fn open_flags(v: u64) -> String {
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
        format!("{acc}|{}", flags::<OpenFlags>(rest))
    }
}

/// A file mode: `S_IFREG|0644`, or `0755` without a type.
pub fn mode(v: u64) -> String {
    let ty = low32(v) & stat::S_IFMT;
    let perm = v & !u64::from(stat::S_IFMT);
    match stat::file_type_name(ty) {
        Some(name) => format!("{name}|{}", octal(perm)),
        None => octal(v),
    }
}

/// A device number, `makedev(0x1, 0x3)`.
pub fn dev(v: u64) -> String {
    format!(
        "makedev({}, {})",
        hex(u64::from(stat::major(v))),
        hex(u64::from(stat::minor(v)))
    )
}

/// A signal number by name, `SIGCHLD`.
pub fn signal(v: u64) -> String {
    let sig = int(v);
    named(sig, signal::signal_name(sig))
}

/// Descriptor-creation flags (`O_CLOEXEC|O_NONBLOCK`).
fn fd_flags(v: u64) -> String {
    let names = [
        (u64::from(OpenFlags::O_CLOEXEC.bits()), "O_CLOEXEC"),
        (u64::from(OpenFlags::O_NONBLOCK.bits()), "O_NONBLOCK"),
        (u64::from(OpenFlags::O_DIRECT.bits()), "O_DIRECT"),
    ];
    flag_list(v, &names)
}

/// `AT_*` flags; 0x200 is `AT_EACCESS` for the access calls and
/// `AT_REMOVEDIR` elsewhere.
fn at_flags(call: &Call<'_>, v: u64) -> String {
    let shared = if call.name.starts_with("faccessat") {
        "AT_EACCESS"
    } else {
        "AT_REMOVEDIR"
    };
    let names = [
        (0x100, "AT_SYMLINK_NOFOLLOW"),
        (0x200, shared),
        (0x400, "AT_SYMLINK_FOLLOW"),
        (0x800, "AT_NO_AUTOMOUNT"),
        (0x1000, "AT_EMPTY_PATH"),
        (0x2000, "AT_STATX_FORCE_SYNC"),
        (0x4000, "AT_STATX_DONT_SYNC"),
        (0x8000, "AT_RECURSIVE"),
    ];
    flag_list(u64::from(low32(v)), &names)
}

fn access_mode(v: u64) -> String {
    if v == 0 {
        return "F_OK".to_string();
    }
    flag_list(v, &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")])
}

fn mmap_flags(v: u64) -> String {
    let ty = match v & mm::MAP_TYPE {
        1 => Some("MAP_SHARED"),
        2 => Some("MAP_PRIVATE"),
        3 => Some("MAP_SHARED_VALIDATE"),
        _ => None,
    };
    let rest = v & !mm::MAP_TYPE;
    match ty {
        Some(t) if rest == 0 => t.to_string(),
        Some(t) => format!("{t}|{}", flags::<mm::MmapFlags>(rest)),
        None => flags::<mm::MmapFlags>(v),
    }
}

fn clone_flags(v: u64) -> String {
    let sig = v & sched::CSIGNAL;
    let rest = v & !sched::CSIGNAL;
    let mut parts = Vec::new();
    if rest != 0 {
        parts.push(flags::<sched::CloneFlags>(rest));
    }
    if sig != 0 {
        parts.push(signal(sig));
    }
    if parts.is_empty() {
        parts.push("0".to_string());
    }
    parts.join("|")
}

fn futex_op(v: u64) -> String {
    let op = int(v);
    let Some(cmd) = futex::futex_cmd_name(op & futex::FUTEX_CMD_MASK) else {
        return hex(v);
    };
    let mut s = cmd.to_string();
    if op & futex::FUTEX_PRIVATE_FLAG != 0 {
        s.push_str("_PRIVATE");
    }
    if op & futex::FUTEX_CLOCK_REALTIME != 0 {
        s.push_str("|FUTEX_CLOCK_REALTIME");
    }
    s
}

/// A socket type and its flags, `SOCK_STREAM|SOCK_CLOEXEC`.
fn sock_type(v: u64) -> String {
    let t = int(v);
    let ty = t & socket::SOCK_TYPE_MASK;
    let mut s = named(ty, socket::type_name(ty));
    let rest = t & !socket::SOCK_TYPE_MASK;
    if rest != 0 {
        let names = [
            (socket::SOCK_CLOEXEC, "SOCK_CLOEXEC"),
            (socket::SOCK_NONBLOCK, "SOCK_NONBLOCK"),
        ]
        .map(|(b, n)| (u64::from(b.cast_unsigned()), n));
        s.push('|');
        s.push_str(&flag_list(u64::from(rest.cast_unsigned()), &names));
    }
    s
}

/// `MSG_*` flags.
fn msg_flags(v: u64) -> String {
    use socket::*;
    let names = [
        (MSG_OOB, "MSG_OOB"),
        (MSG_PEEK, "MSG_PEEK"),
        (MSG_DONTROUTE, "MSG_DONTROUTE"),
        (MSG_CTRUNC, "MSG_CTRUNC"),
        (MSG_TRUNC, "MSG_TRUNC"),
        (MSG_DONTWAIT, "MSG_DONTWAIT"),
        (MSG_EOR, "MSG_EOR"),
        (MSG_WAITALL, "MSG_WAITALL"),
        (MSG_ERRQUEUE, "MSG_ERRQUEUE"),
        (MSG_NOSIGNAL, "MSG_NOSIGNAL"),
        (MSG_MORE, "MSG_MORE"),
        (MSG_WAITFORONE, "MSG_WAITFORONE"),
        (MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"),
    ]
    .map(|(b, n)| (u64::from(b), n));
    flag_list(u64::from(low32(v)), &names)
}

/// A socket address of `len` bytes at `addr`, as strace shows it: the
/// family, and an AF_UNIX path (`@` before an abstract name) or an
/// AF_INET or AF_INET6 port and address.
pub fn sockaddr(mem: &dyn MemReader, addr: u64, len: usize) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    let Some(b) = mem.read_bytes(addr, len.min(socket::SOCKADDR_STORAGE_SIZE)) else {
        return ptr(addr);
    };
    let [f0, f1, path @ ..] = b.as_slice() else {
        return "{}".to_string();
    };
    let fam = i32::from(u16::from_ne_bytes([*f0, *f1]));
    let mut s = format!("{{sa_family={}", named(fam, socket::family_name(fam)));
    match (fam, path) {
        (socket::AF_INET, [p0, p1, a, b, c, d, ..]) => {
            let port = u16::from_be_bytes([*p0, *p1]);
            s.push_str(&format!(
                ", sin_port=htons({port}), sin_addr=inet_addr(\"{a}.{b}.{c}.{d}\")"
            ));
        }
        (socket::AF_INET6, [p0, p1, ..]) if path.len() >= 22 => {
            let port = u16::from_be_bytes([*p0, *p1]);
            let flow = u32::from_be_bytes([path[2], path[3], path[4], path[5]]);
            let mut ip = [0u8; 16];
            ip.copy_from_slice(&path[6..22]);
            s.push_str(&format!(
                ", sin6_port=htons({port}), sin6_flowinfo=htonl({flow}), \
                 inet_pton(AF_INET6, \"{}\", &sin6_addr)",
                std::net::Ipv6Addr::from(ip)
            ));
            if path.len() >= 26 {
                let scope = u32::from_ne_bytes([path[22], path[23], path[24], path[25]]);
                s.push_str(&format!(", sin6_scope_id={scope}"));
            }
        }
        (socket::AF_NETLINK, [_, _, a, b, c, d, e, f, g, h, ..]) => {
            let pid = u32::from_ne_bytes([*a, *b, *c, *d]);
            let groups = u32::from_ne_bytes([*e, *f, *g, *h]);
            s.push_str(&format!(", nl_pid={pid}, nl_groups={groups:08x}"));
        }
        _ => {}
    }
    if fam == socket::AF_UNIX && !path.is_empty() {
        s.push_str(", sun_path=");
        match path {
            [0, name @ ..] => {
                s.push('@');
                s.push_str(&quote::quote(name, false));
            }
            _ => {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                s.push_str(&quote::quote(&path[..end], false));
            }
        }
    }
    s.push('}');
    s
}

/// A socket option: by name at `SOL_SOCKET`, else the number.
fn sock_opt(call: &Call<'_>, level_arg: u8, v: u64) -> String {
    let level = int(call.arg(level_arg));
    let opt = int(v);
    if level == socket::SOL_SOCKET {
        named(opt, socket::option_name(opt))
    } else {
        opt.to_string()
    }
}

/// Argument `v` shown as `arg`, before the call; `None` for an argument
/// strace leaves out (open's mode without `O_CREAT`, fcntl's third
/// argument for F_GETFL).
pub fn format(call: &Call<'_>, arg: Arg, v: u64) -> Option<String> {
    let mem = call.mem;
    Some(match arg {
        Arg::Int | Arg::Fd => int(v).to_string(),
        Arg::UInt => low32(v).to_string(),
        Arg::Long => long(v).to_string(),
        Arg::ULong => v.to_string(),
        Arg::Hex => hex(v),
        Arg::Ptr | Arg::OutBuf { .. } | Arg::OutIovec { .. } | Arg::Out(_) => ptr(v),
        Arg::DirFd => {
            let fd = int(v);
            named(fd, (fd == fcntl::AT_FDCWD).then_some("AT_FDCWD"))
        }
        Arg::Path => quote::cstring(mem, v, quote::PATH_MAX),
        Arg::InBuf { len_arg } => quote::buffer(mem, v, len(call.arg(len_arg))),
        Arg::Mode => mode(v),
        Arg::OpenMode { flags_arg } => {
            let f = low32(call.arg(flags_arg));
            let creates = OpenFlags::O_CREAT.bits() | OpenFlags::__O_TMPFILE.bits();
            if f & creates == 0 {
                return None;
            }
            mode(v)
        }
        Arg::OpenFlags => open_flags(v),
        Arg::FdFlags => fd_flags(v),
        Arg::MmapProt if v == 0 => "PROT_NONE".to_string(),
        Arg::MmapProt => flags::<mm::MmapProt>(v),
        Arg::MmapFlags => mmap_flags(v),
        Arg::MremapFlags => flags::<mm::MremapFlags>(v),
        Arg::MsyncFlags => flags::<mm::MsyncFlags>(v),
        Arg::Madvise => named(int(v), mm::madvise_name(int(v))),
        Arg::Signal => signal(v),
        Arg::SigprocmaskHow => named(int(v), signal::sigprocmask_how_name(int(v))),
        Arg::ClockId => named(int(v), time::clock_name(int(v))),
        Arg::TimerFlags => flag_list(v, &[(1, "TIMER_ABSTIME")]),
        Arg::ItimerWhich => named(int(v), time::itimer_name(int(v))),
        Arg::Rlimit => named(low32(v), resource::rlimit_name(low32(v))),
        Arg::RusageWho => named(int(v), resource::rusage_who_name(int(v))),
        Arg::Prctl => named(int(v), prctl::prctl_name(int(v))),
        Arg::ArchPrctl => named(int(v), arch_prctl::arch_prctl_name(int(v))),
        Arg::FcntlCmd => named(int(v), fcntl::fcntl_name(int(v))),
        Arg::FcntlArg { cmd_arg } => return fcntl_arg(call, int(call.arg(cmd_arg)), v),
        Arg::Ioctl => named(hex(v), ioctl::ioctl_name(u64::from(low32(v)))),
        Arg::IoctlArg { req_arg } => {
            return ioctl_arg(call, u64::from(low32(call.arg(req_arg))), v)
        }
        Arg::Iovec { count_arg } => structs::iovecs(mem, v, len(call.arg(count_arg)), None),
        Arg::Timespec => structs::input(mem, Struct::Timespec, v),
        Arg::AccessMode => access_mode(v),
        Arg::AtFlags => at_flags(call, v),
        Arg::Whence => named(int(v), fcntl::whence_name(int(v))),
        Arg::CloneFlags => clone_flags(v),
        Arg::WaitOptions => flags::<wait::WaitOptions>(v),
        Arg::FutexOp => futex_op(v),
        Arg::GrndFlags => flags::<random::GrndFlags>(v),
        Arg::StatxMask => flags::<stat::StatxMask>(v),
        Arg::Dev => dev(v),
        Arg::Argv => structs::argv(mem, v),
        Arg::Envp => structs::envp(mem, v),
        Arg::Pollfds { count_arg } => structs::pollfds(mem, v, len(call.arg(count_arg)), false),
        Arg::Gids { count_arg } => structs::u32_array(mem, v, len(call.arg(count_arg))),
        Arg::In(s) => structs::input(mem, s, v),
        Arg::SockFamily => named(int(v), socket::family_name(int(v))),
        Arg::SockType => sock_type(v),
        Arg::Sockaddr { len_arg } => sockaddr(mem, v, len(u64::from(low32(call.arg(len_arg))))),
        Arg::MsgFlags => msg_flags(v),
        Arg::ShutdownHow => {
            let names = ["SHUT_RD", "SHUT_WR", "SHUT_RDWR"];
            let how = int(v);
            named(
                how,
                usize::try_from(how)
                    .ok()
                    .and_then(|i| names.get(i))
                    .copied(),
            )
        }
        Arg::SockLevel => named(
            int(v),
            (int(v) == socket::SOL_SOCKET).then_some("SOL_SOCKET"),
        ),
        Arg::SockOpt { level_arg } => sock_opt(call, level_arg, v),
    })
}

fn fcntl_arg(call: &Call<'_>, cmd: i32, v: u64) -> Option<String> {
    Some(match cmd {
        fcntl::F_GETFD
        | fcntl::F_GETFL
        | fcntl::F_GETOWN
        | fcntl::F_GETSIG
        | fcntl::F_GETLEASE
        | fcntl::F_GETPIPE_SZ
        | fcntl::F_GET_SEALS => return None,
        fcntl::F_SETFD => flag_list(v, &[(1, "FD_CLOEXEC")]),
        fcntl::F_SETFL => open_flags(v),
        fcntl::F_ADD_SEALS => seals(v),
        fcntl::F_GETLK
        | fcntl::F_SETLK
        | fcntl::F_SETLKW
        | fcntl::F_OFD_GETLK
        | fcntl::F_OFD_SETLK
        | fcntl::F_OFD_SETLKW => structs::flock(call.mem, v),
        fcntl::F_DUPFD
        | fcntl::F_DUPFD_CLOEXEC
        | fcntl::F_DUPFD_QUERY
        | fcntl::F_SETOWN
        | fcntl::F_SETSIG
        | fcntl::F_SETPIPE_SZ
        | fcntl::F_SETLEASE
        | fcntl::F_NOTIFY => int(v).to_string(),
        _ => hex(v),
    })
}

/// memfd seals, `F_SEAL_SEAL|F_SEAL_WRITE`.
pub fn seals(v: u64) -> String {
    flag_list(
        v,
        &[
            (0x01, "F_SEAL_SEAL"),
            (0x02, "F_SEAL_SHRINK"),
            (0x04, "F_SEAL_GROW"),
            (0x08, "F_SEAL_WRITE"),
            (0x10, "F_SEAL_FUTURE_WRITE"),
            (0x20, "F_SEAL_EXEC"),
        ],
    )
}

fn ioctl_arg(call: &Call<'_>, req: u64, v: u64) -> Option<String> {
    let mem = call.mem;
    Some(match req {
        ioctl::FIOCLEX
        | ioctl::FIONCLEX
        | ioctl::TIOCNOTTY
        | ioctl::TIOCEXCL
        | ioctl::TIOCNXCL
        | ioctl::TIOCVHANGUP => return None,
        ioctl::TCSETS | ioctl::TCSETSW | ioctl::TCSETSF => structs::termios(mem, v),
        ioctl::TIOCSWINSZ => structs::winsize(mem, v),
        ioctl::FIONBIO
        | ioctl::FIOASYNC
        | ioctl::TIOCSPGRP
        | ioctl::TIOCSPTLCK
        | ioctl::TIOCPKT
        | ioctl::TIOCSETD => structs::int_in_brackets(mem, v),
        ioctl::TIOCSCTTY | ioctl::TCSBRK | ioctl::TCXONC | ioctl::TCFLSH | ioctl::TIOCSIG => {
            int(v).to_string()
        }
        _ => ptr(v),
    })
}

/// poll events, `POLLIN|POLLOUT`.
pub fn poll_events(v: u16) -> String {
    flags::<poll::PollEvents>(u64::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_sets_name_bits_and_keep_a_remainder() {
        assert_eq!(flags::<mm::MmapProt>(3), "PROT_READ|PROT_WRITE");
        assert_eq!(flags::<mm::MmapProt>(0x41), "PROT_READ|0x40");
        assert_eq!(flags::<mm::MmapProt>(0), "0");
        assert_eq!(mmap_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(mmap_flags(0x01), "MAP_SHARED");
        assert_eq!(mmap_flags(0x20), "MAP_ANONYMOUS");
    }

    #[test]
    fn composite_open_flags_win_over_their_parts() {
        assert_eq!(open_flags(0o4010002), "O_RDWR|O_SYNC");
        assert_eq!(open_flags(0o20200002), "O_RDWR|O_TMPFILE");
        assert_eq!(open_flags(0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(open_flags(0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(open_flags(0o40000000 | 1), "O_WRONLY|0x800000");
    }

    #[test]
    fn modes_octal_and_typed() {
        assert_eq!(mode(0o644), "0644");
        assert_eq!(mode(0o22), "022");
        assert_eq!(mode(0), "000");
        assert_eq!(mode(0o20666), "S_IFCHR|0666");
        assert_eq!(dev(stat::makedev(1, 3)), "makedev(0x1, 0x3)");
        assert_eq!(dev(stat::makedev(136, 0)), "makedev(0x88, 0)");
    }

    #[test]
    fn clone_futex_and_access() {
        assert_eq!(
            clone_flags(0x0120_0011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(clone_flags(0), "0");
        assert_eq!(futex_op(128), "FUTEX_WAIT_PRIVATE");
        assert_eq!(
            futex_op(9 | 128 | 256),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
        );
        assert_eq!(futex_op(99), "0x63");
        assert_eq!(access_mode(0), "F_OK");
        assert_eq!(access_mode(6), "R_OK|W_OK");
    }
}
