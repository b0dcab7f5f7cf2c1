//! Structures and arrays behind pointer arguments: read from the tracee's
//! memory and shown strace-style (`{tv_sec=1, tv_nsec=0}`, `[3, 4]`).

use std::mem::size_of;

use zerocopy::FromBytes;

use super::args::{self, flag_list, hex, len, ptr, ARRAY_MAX};
use super::quote::{self, STR_MAX};
use super::table::Struct;
use super::MemReader;
use crate::types::{
    Flock, Iovec, Itimerval, Pollfd, Rlimit, Rusage, Sigaction, Sigaltstack, Stat, Statx, Sysinfo,
    Termios, Timespec, Timeval, Timezone, Tms, Utsname, Winsize,
};
use crate::{fcntl, resource, signal, stat};

/// Reads one `T` at `addr`.
fn read<T: FromBytes>(mem: &dyn MemReader, addr: u64) -> Option<T> {
    let bytes = mem.read_bytes(addr, size_of::<T>())?;
    T::read_from_bytes(&bytes).ok()
}

/// `count` consecutive `T`s at `addr`.
fn read_array<T: FromBytes>(mem: &dyn MemReader, addr: u64, count: usize) -> Option<Vec<T>> {
    let bytes = mem.read_bytes(addr, count.checked_mul(size_of::<T>())?)?;
    Some(
        bytes
            .chunks_exact(size_of::<T>())
            .filter_map(|c| T::read_from_bytes(c).ok())
            .collect(),
    )
}

/// A pointer to a structure the call reads: decoded, `NULL`, or hex when
/// unreadable.
pub fn input(mem: &dyn MemReader, s: Struct, addr: u64) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    decode(mem, s, addr, 0).unwrap_or_else(|| hex(addr))
}

/// What the call wrote through a pointer, after it returned `ret` (not an
/// error); `None` for a NULL pointer or nothing written.
pub fn output(mem: &dyn MemReader, s: Struct, addr: u64, ret: i64) -> Option<String> {
    if addr == 0 {
        return None;
    }
    // wait4 reaped nothing (WNOHANG): the status was not written.
    if s == Struct::WaitStatus && ret <= 0 {
        return None;
    }
    Some(decode(mem, s, addr, ret).unwrap_or_else(|| hex(addr)))
}

fn decode(mem: &dyn MemReader, s: Struct, addr: u64, ret: i64) -> Option<String> {
    let ret_len = usize::try_from(ret).unwrap_or(0);
    Some(match s {
        Struct::Timespec => timespec(&read(mem, addr)?),
        Struct::Timeval => timeval(&read(mem, addr)?),
        Struct::Timezone => {
            let tz: Timezone = read(mem, addr)?;
            format!(
                "{{tz_minuteswest={}, tz_dsttime={}}}",
                tz.tz_minuteswest, tz.tz_dsttime
            )
        }
        Struct::Itimerval => {
            let it: Itimerval = read(mem, addr)?;
            format!(
                "{{it_interval={}, it_value={}}}",
                timeval(&it.it_interval),
                timeval(&it.it_value)
            )
        }
        Struct::Rlimit => {
            let r: Rlimit = read(mem, addr)?;
            format!(
                "{{rlim_cur={}, rlim_max={}}}",
                rlim(r.rlim_cur),
                rlim(r.rlim_max)
            )
        }
        Struct::Rusage => {
            let r: Rusage = read(mem, addr)?;
            format!(
                "{{ru_utime={}, ru_stime={}, ru_maxrss={}, ru_minflt={}, ru_majflt={}, \
                 ru_nvcsw={}, ru_nivcsw={}, ...}}",
                timeval(&r.ru_utime),
                timeval(&r.ru_stime),
                r.ru_maxrss,
                r.ru_minflt,
                r.ru_majflt,
                r.ru_nvcsw,
                r.ru_nivcsw
            )
        }
        Struct::Sysinfo => sysinfo(&read(mem, addr)?),
        Struct::Stat => stat(&read(mem, addr)?),
        Struct::Statx => statx(&read(mem, addr)?),
        Struct::Tms => {
            let t: Tms = read(mem, addr)?;
            format!(
                "{{tms_utime={}, tms_stime={}, tms_cutime={}, tms_cstime={}}}",
                t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime
            )
        }
        Struct::Utsname => utsname(&read(mem, addr)?),
        Struct::Sigaction => sigaction(&read(mem, addr)?),
        Struct::Sigaltstack => {
            let ss: Sigaltstack = read(mem, addr)?;
            let flags = flag_list(
                u64::from(u32::from_ne_bytes(ss.ss_flags.to_ne_bytes())),
                &[
                    (1, "SS_ONSTACK"),
                    (2, "SS_DISABLE"),
                    (1 << 31, "SS_AUTODISARM"),
                ],
            );
            format!(
                "{{ss_sp={}, ss_flags={flags}, ss_size={}}}",
                ptr(ss.ss_sp),
                ss.ss_size
            )
        }
        Struct::Sigset => sigset(read(mem, addr)?),
        Struct::FdPair => {
            let [a, b]: [i32; 2] = read(mem, addr)?;
            format!("[{a}, {b}]")
        }
        Struct::UInt => format!("[{}]", read::<u32>(mem, addr)?),
        Struct::CStr => quote::cstring(mem, addr, quote::PATH_MAX),
        Struct::CpuSet => cpu_set(&mem.read_bytes(addr, ret_len.min(128))?),
        Struct::WaitStatus => wait_status(read(mem, addr)?),
        Struct::Gids => u32_array(mem, addr, ret_len),
    })
}

fn timespec(ts: &Timespec) -> String {
    format!("{{tv_sec={}, tv_nsec={}}}", ts.tv_sec, ts.tv_nsec)
}

fn timeval(tv: &Timeval) -> String {
    format!("{{tv_sec={}, tv_usec={}}}", tv.tv_sec, tv.tv_usec)
}

/// An rlimit value: `RLIM_INFINITY`, or `8192*1024` for whole KiB, as
/// strace writes them.
fn rlim(v: u64) -> String {
    if v == resource::RLIM_INFINITY {
        "RLIM_INFINITY".to_string()
    } else if v != 0 && v & 0x3ff == 0 {
        format!("{}*1024", v / 1024)
    } else {
        v.to_string()
    }
}

fn sysinfo(s: &Sysinfo) -> String {
    format!(
        "{{uptime={}, loads=[{}, {}, {}], totalram={}, freeram={}, sharedram={}, bufferram={}, \
         totalswap={}, freeswap={}, procs={}, totalhigh={}, freehigh={}, mem_unit={}}}",
        s.uptime,
        s.loads[0],
        s.loads[1],
        s.loads[2],
        s.totalram,
        s.freeram,
        s.sharedram,
        s.bufferram,
        s.totalswap,
        s.freeswap,
        s.procs,
        s.totalhigh,
        s.freehigh,
        s.mem_unit
    )
}

/// strace's short form: the mode, then the size or the device.
fn stat(s: &Stat) -> String {
    let ty = s.st_mode & stat::S_IFMT;
    let what = if ty == stat::S_IFCHR || ty == stat::S_IFBLK {
        format!("st_rdev={}", args::dev(s.st_rdev))
    } else {
        format!("st_size={}", s.st_size)
    };
    format!(
        "{{st_mode={}, {what}, ...}}",
        args::mode(u64::from(s.st_mode))
    )
}

fn statx(s: &Statx) -> String {
    let mask = args::flags::<stat::StatxMask>(u64::from(s.stx_mask));
    let mode = args::mode(u64::from(s.stx_mode));
    format!(
        "{{stx_mask={mask}, stx_attributes={}, stx_mode={mode}, stx_size={}, ...}}",
        hex(s.stx_attributes),
        s.stx_size
    )
}

fn utsname(u: &Utsname) -> String {
    let field = |f: &[u8; 65]| {
        let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        quote::quote(&f[..end], false)
    };
    format!(
        "{{sysname={}, nodename={}, release={}, version={}, machine={}, domainname={}}}",
        field(&u.sysname),
        field(&u.nodename),
        field(&u.release),
        field(&u.version),
        field(&u.machine),
        field(&u.domainname)
    )
}

fn sigaction(sa: &Sigaction) -> String {
    let handler = match sa.sa_handler {
        signal::SIG_DFL => "SIG_DFL".to_string(),
        signal::SIG_IGN => "SIG_IGN".to_string(),
        h => hex(h),
    };
    let flags = args::flags::<signal::SigactionFlags>(sa.sa_flags);
    let mut s = format!(
        "{{sa_handler={handler}, sa_mask={}, sa_flags={flags}",
        sigset(sa.sa_mask)
    );
    if sa.sa_flags & signal::SigactionFlags::SA_RESTORER.bits() != 0 {
        s.push_str(&format!(", sa_restorer={}", ptr(sa.sa_restorer)));
    }
    s.push('}');
    s
}

/// A signal set as strace shows it: `[HUP INT]`, or `~[KILL STOP]` for
/// the complement when most signals are in it.
pub fn sigset(mask: u64) -> String {
    let (prefix, set) = if mask.count_ones() > 32 {
        ("~", !mask)
    } else {
        ("", mask)
    };
    let names: Vec<String> = (1..=signal::NSIG)
        .filter(|&sig| set & signal::sigmask(sig) != 0)
        .map(|sig| {
            let name = signal::signal_name(sig).unwrap_or("?");
            name.strip_prefix("SIG").unwrap_or(name).to_string()
        })
        .collect();
    format!("{prefix}[{}]", names.join(" "))
}

fn cpu_set(bytes: &[u8]) -> String {
    let cpus: Vec<String> = bytes
        .iter()
        .enumerate()
        .flat_map(|(i, &b)| {
            (0..8)
                .filter(move |bit| b & (1 << bit) != 0)
                .map(move |bit| i * 8 + bit)
        })
        .map(|cpu| cpu.to_string())
        .collect();
    format!("[{}]", cpus.join(" "))
}

/// A wait status in strace's macro form.
fn wait_status(s: i32) -> String {
    let low = s & 0x7f;
    let code = (s >> 8) & 0xff;
    let sig = |n: i32| signal::signal_name(n).map_or_else(|| n.to_string(), str::to_string);
    let inner = if low == 0 {
        format!("WIFEXITED(s) && WEXITSTATUS(s) == {code}")
    } else if s & 0xff == 0x7f {
        format!("WIFSTOPPED(s) && WSTOPSIG(s) == {}", sig(code))
    } else if s == 0xffff {
        "WIFCONTINUED(s)".to_string()
    } else {
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!("WIFSIGNALED(s) && WTERMSIG(s) == {}{core}", sig(low))
    };
    format!("[{{{inner}}}]")
}

/// `count` unsigned ints (a gid list): `[0, 1]`, the first `ARRAY_MAX`.
pub fn u32_array(mem: &dyn MemReader, addr: u64, count: usize) -> String {
    let shown = count.min(ARRAY_MAX);
    let Some(values) = read_array::<u32>(mem, addr, shown) else {
        return ptr(addr);
    };
    let mut parts: Vec<String> = values.iter().map(u32::to_string).collect();
    if count > shown {
        parts.push("...".to_string());
    }
    format!("[{}]", parts.join(", "))
}

/// One `int` the call reads through a pointer: `[1]`.
pub fn int_in_brackets(mem: &dyn MemReader, addr: u64) -> String {
    read::<i32>(mem, addr).map_or_else(|| ptr(addr), |v| format!("[{v}]"))
}

/// An iovec array of `count` entries. With `filled`, the call wrote that
/// many bytes across the buffers in order, and only those are shown.
pub fn iovecs(mem: &dyn MemReader, addr: u64, count: usize, filled: Option<usize>) -> String {
    let shown = count.min(8);
    let Some(iov) = read_array::<Iovec>(mem, addr, shown) else {
        return ptr(addr);
    };
    let mut left = filled.unwrap_or(usize::MAX);
    let mut parts: Vec<String> = iov
        .iter()
        .map(|v| {
            let n = len(v.iov_len).min(left);
            left -= n;
            let data = quote::buffer(mem, v.iov_base, n);
            format!("{{iov_base={data}, iov_len={}}}", v.iov_len)
        })
        .collect();
    if count > shown {
        parts.push("...".to_string());
    }
    format!("[{}]", parts.join(", "))
}

/// An argv array: `["ls", "-l"]`, the first `ARRAY_MAX` strings.
pub fn argv(mem: &dyn MemReader, addr: u64) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    let mut parts = Vec::new();
    for i in 0..=ARRAY_MAX {
        let Some(p) = addr.checked_add(8 * u64::try_from(i).unwrap_or(u64::MAX)) else {
            break;
        };
        let Some(s) = read::<u64>(mem, p) else {
            return hex(addr);
        };
        if s == 0 {
            break;
        }
        if i == ARRAY_MAX {
            parts.push("...".to_string());
            break;
        }
        parts.push(quote::cstring(mem, s, STR_MAX));
    }
    format!("[{}]", parts.join(", "))
}

/// An envp array: its address and how many strings it holds.
pub fn envp(mem: &dyn MemReader, addr: u64) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    const LIMIT: usize = 4096;
    let mut n = 0;
    while n < LIMIT {
        let p = addr.wrapping_add(8 * u64::try_from(n).unwrap_or(0));
        match read::<u64>(mem, p) {
            Some(0) => break,
            Some(_) => n += 1,
            None => return hex(addr),
        }
    }
    let more = if n == LIMIT { "+" } else { "" };
    format!("{} /* {n}{more} vars */", hex(addr))
}

/// A pollfd array: the requested events before the call, or with
/// `returned` the ready entries and their `revents`.
pub fn pollfds(mem: &dyn MemReader, addr: u64, count: usize, returned: bool) -> String {
    let shown = count.min(16);
    let Some(fds) = read_array::<Pollfd>(mem, addr, shown) else {
        return ptr(addr);
    };
    let mut parts: Vec<String> = fds
        .iter()
        .filter(|p| !returned || p.revents != 0)
        .map(|p| {
            let (what, ev) = if returned {
                ("revents", p.revents)
            } else {
                ("events", p.events)
            };
            let ev = args::poll_events(u16::from_ne_bytes(ev.to_ne_bytes()));
            format!("{{fd={}, {what}={ev}}}", p.fd)
        })
        .collect();
    if count > shown {
        parts.push("...".to_string());
    }
    format!("[{}]", parts.join(", "))
}

/// A `struct flock` the call reads.
pub fn flock(mem: &dyn MemReader, addr: u64) -> String {
    let Some(l) = read::<Flock>(mem, addr) else {
        return ptr(addr);
    };
    let ty = match l.l_type {
        fcntl::F_RDLCK => "F_RDLCK".to_string(),
        fcntl::F_WRLCK => "F_WRLCK".to_string(),
        fcntl::F_UNLCK => "F_UNLCK".to_string(),
        t => t.to_string(),
    };
    let whence = i32::from(l.l_whence);
    format!(
        "{{l_type={ty}, l_whence={}, l_start={}, l_len={}}}",
        args::named(whence, fcntl::whence_name(whence)),
        l.l_start,
        l.l_len
    )
}

/// The kernel termios of TCGETS/TCSETS.
pub fn termios(mem: &dyn MemReader, addr: u64) -> String {
    let Some(t) = read::<Termios>(mem, addr) else {
        return ptr(addr);
    };
    format!(
        "{{c_iflag={}, c_oflag={}, c_cflag={}, c_lflag={}, c_line={}, ...}}",
        hex(u64::from(t.c_iflag)),
        hex(u64::from(t.c_oflag)),
        hex(u64::from(t.c_cflag)),
        hex(u64::from(t.c_lflag)),
        t.c_line
    )
}

/// A `struct winsize`.
pub fn winsize(mem: &dyn MemReader, addr: u64) -> String {
    let Some(w) = read::<Winsize>(mem, addr) else {
        return ptr(addr);
    };
    format!(
        "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}",
        w.ws_row, w.ws_col, w.ws_xpixel, w.ws_ypixel
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_sets_name_members_or_the_complement() {
        assert_eq!(sigset(0), "[]");
        assert_eq!(sigset(signal::sigmask(1) | signal::sigmask(2)), "[HUP INT]");
        assert_eq!(sigset(signal::sigmask(33)), "[RT_1]");
        assert_eq!(sigset(!signal::sigmask(9)), "~[KILL]");
        assert_eq!(sigset(u64::MAX), "~[]");
    }

    #[test]
    fn wait_statuses() {
        assert_eq!(wait_status(0), "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
        assert_eq!(
            wait_status(3 << 8),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
        );
        assert_eq!(
            wait_status(9),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
        );
        assert_eq!(
            wait_status(0x80 | 11),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]"
        );
        assert_eq!(
            wait_status(0x137f),
            "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]"
        );
        assert_eq!(wait_status(0xffff), "[{WIFCONTINUED(s)}]");
    }

    #[test]
    fn rlimits_in_kib_and_infinity() {
        assert_eq!(rlim(8 * 1024 * 1024), "8192*1024");
        assert_eq!(rlim(1000), "1000");
        assert_eq!(rlim(0), "0");
        assert_eq!(rlim(u64::MAX), "RLIM_INFINITY");
    }

    #[test]
    fn cpu_sets_list_set_bits() {
        assert_eq!(cpu_set(&[0x0f]), "[0 1 2 3]");
        assert_eq!(cpu_set(&[0, 1]), "[8]");
        assert_eq!(cpu_set(&[]), "[]");
    }
}
