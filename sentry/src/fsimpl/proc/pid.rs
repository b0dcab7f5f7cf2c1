//! `/proc/<pid>` and `/proc/<pid>/task/<tid>`: one process or thread.

use std::fmt::Write as _;
use std::sync::Arc;

use abi::Errno;

use super::{current, place_text, reader_root, Kind, ProcFs, Target};
use crate::creds::{CAP_SYS_ADMIN, CAP_SYS_NICE};
use crate::kernel::process::{ProcState, TaskView, Ticks};
use crate::mm::{MemoryManager, Vma, VmaKind, PAGE};
use crate::vfs::{Location, Mount};

/// The files of a process directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidFile {
    Auxv,
    Cgroup,
    Cmdline,
    Comm,
    CoredumpFilter,
    Environ,
    GidMap,
    Io,
    Limits,
    Loginuid,
    Maps,
    Mountinfo,
    Mounts,
    Mountstats,
    OomScore,
    OomScoreAdj,
    Personality,
    ProjidMap,
    Schedstat,
    Sessionid,
    Setgroups,
    Smaps,
    SmapsRollup,
    Stat,
    Statm,
    Status,
    TimerslackNs,
    UidMap,
    Wchan,
}

impl PidFile {
    /// The permission bits, as Linux's.
    pub fn mode(self) -> u32 {
        match self {
            PidFile::Auxv
            | PidFile::Environ
            | PidFile::Io
            | PidFile::Personality
            | PidFile::Mountstats => 0o400,
            PidFile::Comm
            | PidFile::OomScoreAdj
            | PidFile::CoredumpFilter
            | PidFile::Loginuid
            | PidFile::UidMap
            | PidFile::GidMap
            | PidFile::ProjidMap
            | PidFile::Setgroups => 0o644,
            PidFile::TimerslackNs => 0o666,
            _ => 0o444,
        }
    }
}

/// The links of `ns/`: the sandbox has one namespace of each kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    Cgroup,
    Ipc,
    Mnt,
    Net,
    Pid,
    Time,
    User,
    Uts,
}

impl Namespace {
    /// The kind's name and its inode number. The sandbox shows itself as
    /// the initial namespaces (its `uid_map` is the identity), so it uses
    /// the numbers Linux gives those (`PROC_IPC_INIT_INO` and kin).
    pub fn id(self) -> (&'static str, u64) {
        match self {
            Namespace::Mnt => ("mnt", 0xEFFF_FFF8),
            Namespace::Net => ("net", 0xEFFF_FFF9),
            Namespace::Time => ("time", 0xEFFF_FFFA),
            Namespace::Cgroup => ("cgroup", 0xEFFF_FFFB),
            Namespace::Pid => ("pid", 0xEFFF_FFFC),
            Namespace::User => ("user", 0xEFFF_FFFD),
            Namespace::Uts => ("uts", 0xEFFF_FFFE),
            Namespace::Ipc => ("ipc", 0xEFFF_FFFF),
        }
    }
}

/// `ns/`, in Linux's order; the `_for_children` links name the same
/// namespaces, as no process here makes new ones.
pub const NAMESPACES: &[(&str, Namespace)] = &[
    ("net", Namespace::Net),
    ("uts", Namespace::Uts),
    ("ipc", Namespace::Ipc),
    ("pid", Namespace::Pid),
    ("pid_for_children", Namespace::Pid),
    ("user", Namespace::User),
    ("mnt", Namespace::Mnt),
    ("cgroup", Namespace::Cgroup),
    ("time", Namespace::Time),
    ("time_for_children", Namespace::Time),
];

/// The magic links of a process directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MagicLink {
    Cwd,
    Exe,
    Root,
}

/// An entry of a process directory.
#[derive(Clone, Copy, Debug)]
pub enum Entry {
    File(PidFile),
    Magic(MagicLink),
    Fd,
    FdInfo,
    Ns,
    Task,
}

impl Entry {
    pub(super) fn kind(self, t: Target) -> Kind {
        match self {
            Entry::File(f) => Kind::File(t, f),
            Entry::Magic(m) => Kind::Magic(t, m),
            Entry::Fd => Kind::FdDir(t),
            Entry::FdInfo => Kind::FdInfoDir(t),
            Entry::Ns => Kind::NsDir(t),
            Entry::Task => Kind::Tasks(t),
        }
    }
}

/// A process directory, in Linux's order (`tgid_base_stuff`); a
/// thread's (`tid_base_stuff`) leaves out [`PROCESS_ONLY`].
pub const ENTRIES: &[(&str, Entry)] = &[
    ("task", Entry::Task),
    ("fd", Entry::Fd),
    ("fdinfo", Entry::FdInfo),
    ("ns", Entry::Ns),
    ("environ", Entry::File(PidFile::Environ)),
    ("auxv", Entry::File(PidFile::Auxv)),
    ("status", Entry::File(PidFile::Status)),
    ("personality", Entry::File(PidFile::Personality)),
    ("limits", Entry::File(PidFile::Limits)),
    ("comm", Entry::File(PidFile::Comm)),
    ("cmdline", Entry::File(PidFile::Cmdline)),
    ("stat", Entry::File(PidFile::Stat)),
    ("statm", Entry::File(PidFile::Statm)),
    ("maps", Entry::File(PidFile::Maps)),
    ("cwd", Entry::Magic(MagicLink::Cwd)),
    ("root", Entry::Magic(MagicLink::Root)),
    ("exe", Entry::Magic(MagicLink::Exe)),
    ("mounts", Entry::File(PidFile::Mounts)),
    ("mountinfo", Entry::File(PidFile::Mountinfo)),
    ("mountstats", Entry::File(PidFile::Mountstats)),
    ("smaps", Entry::File(PidFile::Smaps)),
    ("smaps_rollup", Entry::File(PidFile::SmapsRollup)),
    ("wchan", Entry::File(PidFile::Wchan)),
    ("schedstat", Entry::File(PidFile::Schedstat)),
    ("cgroup", Entry::File(PidFile::Cgroup)),
    ("oom_score", Entry::File(PidFile::OomScore)),
    ("oom_score_adj", Entry::File(PidFile::OomScoreAdj)),
    ("loginuid", Entry::File(PidFile::Loginuid)),
    ("sessionid", Entry::File(PidFile::Sessionid)),
    ("coredump_filter", Entry::File(PidFile::CoredumpFilter)),
    ("io", Entry::File(PidFile::Io)),
    ("uid_map", Entry::File(PidFile::UidMap)),
    ("gid_map", Entry::File(PidFile::GidMap)),
    ("projid_map", Entry::File(PidFile::ProjidMap)),
    ("setgroups", Entry::File(PidFile::Setgroups)),
    ("timerslack_ns", Entry::File(PidFile::TimerslackNs)),
];

/// The entries of a process directory that a thread's lacks.
pub const PROCESS_ONLY: &[&str] = &["task", "mountstats", "coredump_filter", "timerslack_ns"];

/// The caller's tgid and view.
fn reader() -> Result<(i32, Option<TaskView>), Errno> {
    let (k, tid) = current()?;
    let tree = k.tree.lock();
    let e = tree.threads.get(&tid).ok_or(Errno::ENOENT)?;
    let view = e.shared.view.lock().clone();
    Ok((e.tgid, view))
}

/// The caller's tgid and tid (`/proc/self`, `/proc/thread-self`).
pub(super) fn caller() -> Result<(i32, i32), Errno> {
    let (k, tid) = current()?;
    let tgid = k.tree.lock().threads.get(&tid).map(|e| e.tgid);
    Ok((tgid.ok_or(Errno::ENOENT)?, tid))
}

/// The caller's process.
pub(super) fn reader_tgid() -> Option<i32> {
    reader().ok().map(|(tgid, _)| tgid)
}

/// Linux's `ptrace_may_access(PTRACE_MODE_READ_FSCREDS)`: what guards a
/// process's memory, files and places from other users.
pub(super) fn may_read(fs: &ProcFs, t: &Target) -> Result<(), Errno> {
    let (tgid, mine) = reader()?;
    if tgid == t.tgid {
        return Ok(());
    }
    let Some(theirs) = fs.view(t)? else {
        // A zombie: nothing of it is left to see.
        return Ok(());
    };
    let mine = mine.ok_or(Errno::EACCES)?;
    if theirs.may_be_accessed_by(&mine.creds, true) {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

/// Checks at open: the files that show memory need read access to it.
pub(super) fn may_open(fs: &ProcFs, t: &Target, f: PidFile, writing: bool) -> Result<(), Errno> {
    match f {
        PidFile::Environ
        | PidFile::Auxv
        | PidFile::Maps
        | PidFile::Smaps
        | PidFile::SmapsRollup => may_read(fs, t),
        // proc_setgroups_open: changing it needs CAP_SYS_ADMIN.
        PidFile::Setgroups if writing => {
            let (_, view) = reader()?;
            match view {
                Some(v) if v.creds.has_cap(CAP_SYS_ADMIN) => Ok(()),
                _ => Err(Errno::EPERM),
            }
        }
        _ => Ok(()),
    }
}

/// Linux's rule for `timerslack_ns`: a task may see and set its own;
/// another's needs `CAP_SYS_NICE`.
fn may_nice(fs: &ProcFs, t: &Target) -> Result<(), Errno> {
    let (_, me) = current()?;
    let theirs = fs.with(t, |_, f| f.thread.map(|(tid, _)| tid))?;
    if theirs == Some(me) {
        return Ok(());
    }
    match reader()?.1 {
        Some(v) if v.creds.has_cap(CAP_SYS_NICE) => Ok(()),
        _ => Err(Errno::EPERM),
    }
}

/// Linux's `kstrtoull`: digits in `base` (0: C's prefixes), an optional
/// leading `+` and one trailing newline; `ERANGE` past 64 bits.
fn kstrtoull(buf: &[u8], base: u32) -> Result<u64, Errno> {
    // The copied text ends at a NUL, as a C string.
    let buf = buf.split(|&b| b == 0).next().unwrap_or(buf);
    let mut s = buf.strip_prefix(b"+").unwrap_or(buf);
    let base = match (base, s) {
        (0 | 16, [b'0', b'x' | b'X', d, ..]) if d.is_ascii_hexdigit() => {
            s = &s[2..];
            16
        }
        (0, [b'0', ..]) => 8,
        (0, _) => 10,
        (b, _) => b,
    };
    let digits = s
        .iter()
        .take_while(|&&b| char::from(b).is_digit(base))
        .count();
    if digits == 0 {
        return Err(Errno::EINVAL);
    }
    let mut v: u64 = 0;
    for &b in &s[..digits] {
        let d = char::from(b).to_digit(base).expect("checked above");
        v = v
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(Errno::ERANGE)?;
    }
    match &s[digits..] {
        [] | [b'\n'] => Ok(v),
        _ => Err(Errno::EINVAL),
    }
}

/// Where `cwd`, `root` and `exe` lead.
pub(super) fn magic_place(fs: &ProcFs, t: &Target, m: MagicLink) -> Result<Location, Errno> {
    if m == MagicLink::Exe {
        let exe = fs.with(t, |_, f| {
            f.thread.as_ref()?;
            f.proc_.exe.clone()
        })?;
        return exe.ok_or(Errno::ENOENT);
    }
    let view = fs.view(t)?.ok_or(Errno::ENOENT)?;
    let ctx = view.fs.lock();
    Ok(match m {
        MagicLink::Cwd => ctx.cwd.clone(),
        _ => ctx.root.clone(),
    })
}

/// What a file shows, generated now.
pub(super) fn generate(fs: &ProcFs, t: &Target, f: PidFile) -> Result<Vec<u8>, Errno> {
    match f {
        PidFile::Status => status(fs, t).map(String::into_bytes),
        PidFile::Stat => stat(fs, t).map(String::into_bytes),
        PidFile::Statm => {
            let m = fs.view(t)?.map(|v| memory(&v.mm)).unwrap_or_default();
            Ok(format!(
                "{} {} {} {} 0 {} 0\n",
                m.size / PAGE,
                m.rss / PAGE,
                (m.rss_file + m.rss_shmem) / PAGE,
                m.exe / PAGE,
                (m.data + m.stack) / PAGE
            )
            .into_bytes())
        }
        PidFile::Comm => {
            let c = fs.with(t, |_, f| {
                f.thread.map(|(_, e)| e.shared.comm.lock().clone())
            })?;
            let mut c = c.unwrap_or_default();
            c.push(b'\n');
            Ok(c)
        }
        PidFile::Cmdline => Ok(fs.view(t)?.map(|v| cmdline(&v.mm)).unwrap_or_default()),
        PidFile::Environ => Ok(fs.view(t)?.map_or_else(Vec::new, |v| {
            let l = v.mm.layout();
            read_range(&v.mm, l.env_start, l.env_end)
        })),
        PidFile::Auxv => Ok(fs.view(t)?.map_or_else(Vec::new, |v| {
            let l = v.mm.layout();
            read_range(&v.mm, l.auxv_start, l.auxv_end)
        })),
        PidFile::Limits => limits(fs, t).map(String::into_bytes),
        PidFile::Cgroup => Ok(b"0::/\n".to_vec()),
        PidFile::Maps => maps(fs, t, false),
        PidFile::Smaps => maps(fs, t, true),
        PidFile::Mounts => mounts(fs, t, MountsFormat::Mounts),
        PidFile::Mountinfo => mounts(fs, t, MountsFormat::Info),
        PidFile::OomScore => Ok(b"0\n".to_vec()),
        PidFile::OomScoreAdj => {
            let adj = fs.with(t, |_, f| f.proc_.oom_score_adj)?;
            Ok(format!("{adj}\n").into_bytes())
        }
        PidFile::Wchan => Ok(b"0".to_vec()),
        PidFile::Io => io(fs, t).map(String::into_bytes),
        PidFile::SmapsRollup => smaps_rollup(fs, t),
        PidFile::Mountstats => mounts(fs, t, MountsFormat::Stats),
        // The sandbox's identity maps are those of Linux's initial user
        // namespace: every id maps to itself.
        PidFile::UidMap | PidFile::GidMap | PidFile::ProjidMap => {
            Ok(format!("{:>10} {:>10} {:>10}\n", 0, 0, u32::MAX).into_bytes())
        }
        PidFile::Setgroups => Ok(b"allow\n".to_vec()),
        // No login has set an audit identity or session: `AUDIT_UID_UNSET`
        // and `AUDIT_SID_UNSET`, printed without a newline as Linux does.
        PidFile::Loginuid | PidFile::Sessionid => Ok(u32::MAX.to_string().into_bytes()),
        PidFile::Personality => {
            // PTRACE_MODE_ATTACH on Linux.
            may_read(fs, t)?;
            let persona = fs.view(t)?.map_or(0, |v| v.personality);
            Ok(format!("{persona:08x}\n").into_bytes())
        }
        PidFile::TimerslackNs => {
            may_nice(fs, t)?;
            let slack = fs.with(t, |_, f| f.thread.map(|(_, e)| e.timer_slack_ns))?;
            Ok(format!("{}\n", slack.unwrap_or(0)).into_bytes())
        }
        PidFile::CoredumpFilter => {
            let filter = fs.with(t, |_, f| f.proc_.coredump_filter)?;
            Ok(format!("{filter:08x}\n").into_bytes())
        }
        PidFile::Schedstat => {
            // Time on a CPU, time waiting for one, and timeslices: the
            // sentry knows the first; the host scheduler keeps the others.
            let cpu = fs.with(t, |_, f| f.thread.map(|(_, e)| e.shared.cpu()))?;
            let ns = cpu.map_or(0, |c| c.user + c.system);
            Ok(format!("{ns} 0 0\n").into_bytes())
        }
    }
}

/// `/proc/pid/io` (the process's threads, live and exited) or
/// `/proc/pid/task/tid/io` (the thread's). The storage figures are the
/// host's to know; the sentry reports none.
fn io(fs: &ProcFs, t: &Target) -> Result<String, Errno> {
    may_read(fs, t)?;
    let n = fs.with(t, |tree, f| match t.tid {
        None => tree.process_io(t.tgid),
        Some(_) => f
            .thread
            .map(|(_, e)| e.shared.io.totals())
            .unwrap_or_default(),
    })?;
    Ok(format!(
        "rchar: {}\nwchar: {}\nsyscr: {}\nsyscw: {}\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n",
        n.rchar, n.wchar, n.syscr, n.syscw
    ))
}

/// A write to `comm` or `oom_score_adj`.
pub(super) fn store(fs: &ProcFs, t: &Target, f: PidFile, buf: &[u8]) -> Result<usize, Errno> {
    match f {
        PidFile::Comm => {
            // Linux renames only threads of the writer's own process.
            let (tgid, _) = reader()?;
            if tgid != t.tgid {
                return Err(Errno::EINVAL);
            }
            let name = &buf[..buf.len().min(15)];
            let name = name.split(|&b| b == 0).next().unwrap_or(name);
            fs.with(t, |_, f| {
                if let Some((_, e)) = f.thread {
                    *e.shared.comm.lock() = name.to_vec();
                }
            })?;
            Ok(buf.len())
        }
        PidFile::CoredumpFilter => {
            // kstrtouint in any base; the bits past MMF_DUMP_FILTER_BITS go.
            let v = kstrtoull(&buf[..buf.len().min(KSTRTO_BUF)], 0)?;
            let v = u32::try_from(v).map_err(|_| Errno::ERANGE)?;
            fs.with_proc_mut(t, |p| p.coredump_filter = v & 0x1ff)?;
            Ok(buf.len())
        }
        PidFile::TimerslackNs => {
            let v = kstrtoull(&buf[..buf.len().min(KSTRTO_BUF)], 10)?;
            may_nice(fs, t)?;
            let k = fs.kernel()?;
            let mut tree = k.tree.lock();
            let tid = super::find(&tree, t)
                .ok_or(Errno::ESRCH)?
                .thread
                .map(|(tid, _)| tid);
            if let Some(e) = tid.and_then(|tid| tree.threads.get_mut(&tid)) {
                if e.real_time() {
                    // A real-time thread keeps no slack.
                    e.timer_slack_ns = 0;
                } else {
                    e.set_timer_slack(v);
                }
            }
            Ok(buf.len())
        }
        // Setting an audit identity is not offered.
        PidFile::Loginuid => Err(Errno::EPERM),
        // map_write: a map is written once, and the initial namespace's
        // were written at boot.
        PidFile::UidMap | PidFile::GidMap | PidFile::ProjidMap => {
            if buf.len() as u64 >= PAGE {
                return Err(Errno::EINVAL);
            }
            Err(Errno::EPERM)
        }
        PidFile::Setgroups => {
            // proc_setgroups_write: "allow" or "deny" and blanks; setgroups
            // cannot be denied once gid_map is written, as it is here.
            if buf.len() >= 8 {
                return Err(Errno::EINVAL);
            }
            let (allow, rest) = if let Some(r) = buf.strip_prefix(b"allow") {
                (true, r)
            } else if let Some(r) = buf.strip_prefix(b"deny") {
                (false, r)
            } else {
                return Err(Errno::EINVAL);
            };
            let rest = rest.split(|&b| b == 0).next().unwrap_or(rest);
            if !rest.iter().all(u8::is_ascii_whitespace) {
                return Err(Errno::EINVAL);
            }
            if allow {
                Ok(buf.len())
            } else {
                Err(Errno::EPERM)
            }
        }
        PidFile::OomScoreAdj => {
            let text = std::str::from_utf8(buf).map_err(|_| Errno::EINVAL)?;
            let v: i32 = text.trim().parse().map_err(|_| Errno::EINVAL)?;
            if !(-1000..=1000).contains(&v) {
                return Err(Errno::EINVAL);
            }
            fs.with_proc_mut(t, |p| p.oom_score_adj = v)?;
            Ok(buf.len())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `kstrto*_from_user` reads at most this much: a sign, 64 binary digits
/// and a newline.
const KSTRTO_BUF: usize = 67;

/// Reads `[start, end)` of a process's memory, as far as it is readable.
fn read_range(mm: &MemoryManager, start: u64, end: u64) -> Vec<u8> {
    if end <= start {
        return Vec::new();
    }
    let mut buf = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
    let n = mm.copy_in_partial(start, &mut buf);
    buf.truncate(n);
    buf
}

/// Linux's `get_mm_cmdline`: argv as exec laid it out, unless the
/// program wrote over the final NUL (setproctitle), in which case the
/// first string (with its NUL) of the page at argv, which may run on into
/// the environment.
fn cmdline(mm: &MemoryManager) -> Vec<u8> {
    let l = mm.layout();
    let args = read_range(mm, l.arg_start, l.arg_end);
    if args.last().is_none_or(|&b| b == 0) {
        return args;
    }
    let env_end = if l.env_start == l.arg_end && l.env_end >= l.env_start {
        l.env_end
    } else {
        l.arg_end
    };
    let mut title = read_range(mm, l.arg_start, env_end.min(l.arg_start + PAGE));
    if let Some(nul) = title.iter().position(|&b| b == 0) {
        title.truncate(nul + 1);
    }
    title
}

/// The memory figures of `status` and `statm`, in bytes.
#[derive(Clone, Copy, Debug, Default)]
struct Memory {
    size: u64,
    rss: u64,
    rss_anon: u64,
    rss_file: u64,
    rss_shmem: u64,
    data: u64,
    stack: u64,
    exe: u64,
    lib: u64,
    locked: u64,
}

fn memory(mm: &MemoryManager) -> Memory {
    let mut m = Memory::default();
    let mut exec = 0;
    for v in mm.vmas() {
        let len = v.len();
        m.size += len;
        if v.locked {
            m.locked += len;
        }
        let rss = if v.access == platform::Access::NONE {
            0
        } else {
            mm.resident_in(&v)
        };
        m.rss += rss;
        if v.file.is_some() {
            m.rss_file += rss;
        } else if v.shared {
            m.rss_shmem += rss;
        } else {
            m.rss_anon += rss;
        }
        let stack = v.growsdown || v.kind == VmaKind::Stack;
        if stack {
            m.stack += len;
        } else if v.access.write && !v.shared {
            m.data += len;
        }
        if v.access.execute && !v.access.write && !stack {
            exec += len;
        }
    }
    let l = mm.layout();
    let text = (crate::mm::page_round_up(l.end_code).unwrap_or(0)
        - crate::mm::page_round_down(l.start_code).min(l.end_code))
    .min(exec);
    m.exe = text;
    m.lib = exec - text;
    m
}

/// A thread's state letter and word.
fn state_of(p: &crate::kernel::process::Process, shared: Option<(i32, bool)>) -> &'static str {
    match p.state {
        ProcState::Zombie(_) => return "Z (zombie)",
        ProcState::Exiting(_) if shared.is_none() => return "X (dead)",
        _ => {}
    }
    if p.stopped {
        return "T (stopped)";
    }
    let me = crate::kernel::sigfiles::current().map(|(_, tid)| tid);
    match shared {
        Some((tid, in_app)) if in_app || Some(tid) == me => "R (running)",
        _ => "S (sleeping)",
    }
}

/// `%*pb`: a bitmap of `bits` bits in comma-separated 32-bit hex groups.
fn bitmap_hex(mask: u64, bits: u32) -> String {
    let bits = bits.clamp(1, 64);
    let mask = if bits == 64 {
        mask
    } else {
        mask & ((1u64 << bits) - 1)
    };
    let mut groups = Vec::new();
    let mut left = bits;
    let mut shift = 0;
    while left > 0 {
        let n = left.min(32);
        let g = (mask >> shift) & ((1u64 << n) - 1);
        groups.push((g, n));
        left -= n;
        shift += 32;
    }
    let mut out = String::new();
    for (i, (g, n)) in groups.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
            let _ = write!(out, "{g:08x}");
        } else {
            let _ = write!(
                out,
                "{g:0w$x}",
                w = usize::try_from(n.div_ceil(4)).unwrap_or(8)
            );
        }
    }
    out
}

/// `%*pbl`: the set bits as ranges, "0-3,5".
fn bitmap_list(mask: u64, bits: u32) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bits.min(64) {
        if mask & (1 << i) != 0 {
            let start = i;
            while i + 1 < bits.min(64) && mask & (1 << (i + 1)) != 0 {
                i += 1;
            }
            out.push(if start == i {
                start.to_string()
            } else {
                format!("{start}-{i}")
            });
        }
        i += 1;
    }
    out.join(",")
}

/// What `status` and `stat` show of a process and one of its threads,
/// copied under the tree lock.
struct Seen {
    comm: Vec<u8>,
    state: &'static str,
    pid: i32,
    tgid: i32,
    ppid: i32,
    pgid: i32,
    sid: i32,
    threads: usize,
    sigq: usize,
    pending: u64,
    shared_pending: u64,
    blocked: u64,
    ignored: u64,
    caught: u64,
    affinity: u64,
    policy: i32,
    rt_priority: i32,
    nice: i32,
    exit_signal: i32,
    exit_code: i32,
    flags: u64,
    started: std::time::Instant,
    cpu: Ticks,
    children_cpu: Ticks,
    view: Option<TaskView>,
    rlimits: Arc<parking_lot::Mutex<Vec<abi::types::Rlimit>>>,
    seccomp: crate::kernel::seccomp::Seccomp,
}

/// `PF_EXITING`, `PF_FORKNOEXEC`, `PF_RANDOMIZE`.
const PF_EXITING: u64 = 0x4;
const PF_FORKNOEXEC: u64 = 0x40;
const PF_RANDOMIZE: u64 = 0x0040_0000;

fn seen(fs: &ProcFs, t: &Target) -> Result<Seen, Errno> {
    fs.with(t, |tree, f| {
        let p = f.proc_;
        let actions = p.actions.lock().clone();
        let mut ignored = 0u64;
        let mut caught = 0u64;
        for sig in 1..=64 {
            let h = actions.get(sig).sa_handler;
            let bit = abi::signal::sigmask(sig);
            if h == abi::signal::SIG_IGN {
                ignored |= bit;
            } else if h != abi::signal::SIG_DFL {
                caught |= bit;
            }
        }
        let thread = f.thread;
        let whole = t.tid.is_none();
        let cpu = if whole {
            tree.process_cpu(t.tgid)
        } else {
            thread.map(|(_, e)| e.shared.cpu()).unwrap_or_default()
        };
        let cpu = match p.state {
            ProcState::Zombie(_) if whole => p.ticks,
            _ => cpu,
        };
        let view = thread.and_then(|(_, e)| e.shared.view.lock().clone());
        let sigq = view.as_ref().map_or(0, |v| queued_for(tree, v.creds.ruid));
        let exit_code = match p.state {
            ProcState::Zombie(s) => {
                let (code, st) = crate::kernel::process::wait_code(s);
                if code == abi::signal::CLD_EXITED {
                    st << 8
                } else {
                    st
                }
            }
            _ => 0,
        };
        let mut flags = PF_RANDOMIZE;
        if !p.did_exec && p.tgid != 1 {
            flags |= PF_FORKNOEXEC;
        }
        if p.state != ProcState::Running {
            flags |= PF_EXITING;
        }
        Seen {
            comm: thread
                .map(|(_, e)| e.shared.comm.lock().clone())
                .unwrap_or_default(),
            state: state_of(
                p,
                thread.map(|(tid, e)| {
                    (
                        tid,
                        e.shared.in_app.load(std::sync::atomic::Ordering::Relaxed),
                    )
                }),
            ),
            pid: t.tid.unwrap_or(t.tgid),
            tgid: t.tgid,
            ppid: p.parent,
            pgid: p.pgid,
            sid: p.sid,
            threads: p.threads.len(),
            sigq,
            pending: thread.map_or(0, |(_, e)| e.pending.pending()),
            shared_pending: p.pending.pending(),
            blocked: thread.map_or(0, |(_, e)| e.mask),
            ignored,
            caught,
            affinity: thread.map_or(u64::MAX, |(_, e)| e.affinity),
            policy: thread.map_or(0, |(_, e)| e.sched_policy),
            rt_priority: thread.map_or(0, |(_, e)| e.sched_priority),
            nice: thread.map_or(0, |(_, e)| e.nice),
            exit_signal: p.exit_signal,
            exit_code,
            flags,
            started: thread
                .filter(|_| !whole)
                .map_or(p.started, |(_, e)| e.started),
            cpu,
            children_cpu: p.children_ticks,
            view,
            rlimits: p.rlimits.clone(),
            seccomp: thread
                .map(|(_, e)| e.shared.seccomp.get())
                .unwrap_or_default(),
        }
    })
}

/// Signals queued for the processes of real user `uid`: `SigQ` counts
/// them per user, as Linux's `user->sigpending`.
fn queued_for(tree: &crate::kernel::process::Tree, uid: u32) -> usize {
    let mut n = 0;
    for p in tree.procs.values() {
        let threads: Vec<_> = p
            .threads
            .iter()
            .filter_map(|t| tree.threads.get(t))
            .collect();
        let owner = threads
            .first()
            .and_then(|e| e.shared.view.lock().as_ref().map(|v| v.creds.ruid));
        if owner == Some(uid) {
            n += p.pending.queued() + threads.iter().map(|e| e.pending.queued()).sum::<usize>();
        }
    }
    n
}

/// `Name:` in status: comm with `\n` and `\\` escaped.
fn escaped_name(comm: &[u8]) -> String {
    let mut s = String::new();
    for &b in comm {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\\' => s.push_str("\\\\"),
            _ => s.push(char::from(b)),
        }
    }
    s
}

fn kb(bytes: u64) -> String {
    format!("{:>8} kB", bytes / 1024)
}

fn status(fs: &ProcFs, t: &Target) -> Result<String, Errno> {
    let s = seen(fs, t)?;
    let k = fs.kernel()?;
    let mut o = String::new();
    let _ = writeln!(o, "Name:\t{}", escaped_name(&s.comm));
    if let Some(v) = &s.view {
        let _ = writeln!(o, "Umask:\t{:04o}", v.fs.lock().umask);
    }
    let _ = writeln!(o, "State:\t{}", s.state);
    let _ = writeln!(o, "Tgid:\t{}", s.tgid);
    let _ = writeln!(o, "Ngid:\t0");
    let _ = writeln!(o, "Pid:\t{}", s.pid);
    let _ = writeln!(o, "PPid:\t{}", s.ppid);
    let _ = writeln!(o, "TracerPid:\t0");
    let creds = s.view.as_ref().map(|v| v.creds.clone()).unwrap_or_default();
    let _ = writeln!(
        o,
        "Uid:\t{}\t{}\t{}\t{}",
        creds.ruid, creds.euid, creds.suid, creds.fsuid
    );
    let _ = writeln!(
        o,
        "Gid:\t{}\t{}\t{}\t{}",
        creds.rgid, creds.egid, creds.sgid, creds.fsgid
    );
    let fdsize = s.view.as_ref().map_or(0, |v| {
        let fds = v.fds.lock();
        let top = fds.open_fds().last().map_or(0, |&fd| fd.unsigned_abs() + 1);
        top.next_power_of_two().max(64)
    });
    let _ = writeln!(o, "FDSize:\t{fdsize}");
    let groups: Vec<String> = creds.groups.iter().map(u32::to_string).collect();
    // Linux leaves a space after the list.
    let _ = writeln!(o, "Groups:\t{} ", groups.join(" "));
    let _ = writeln!(o, "NStgid:\t{}", s.tgid);
    let _ = writeln!(o, "NSpid:\t{}", s.pid);
    let _ = writeln!(o, "NSpgid:\t{}", s.pgid);
    let _ = writeln!(o, "NSsid:\t{}", s.sid);
    let _ = writeln!(o, "Kthread:\t0");
    if let Some(v) = &s.view {
        let m = memory(&v.mm);
        let lines = [
            ("VmPeak", m.size),
            ("VmSize", m.size),
            ("VmLck", m.locked),
            ("VmPin", 0),
            ("VmHWM", m.rss),
            ("VmRSS", m.rss),
            ("RssAnon", m.rss_anon),
            ("RssFile", m.rss_file),
            ("RssShmem", m.rss_shmem),
            ("VmData", m.data),
            ("VmStk", m.stack),
            ("VmExe", m.exe),
            ("VmLib", m.lib),
            ("VmPTE", 0),
            ("VmSwap", 0),
            ("HugetlbPages", 0),
        ];
        for (name, v) in lines {
            let _ = writeln!(o, "{name}:\t{}", kb(v));
        }
        let _ = writeln!(o, "CoreDumping:\t0");
        let _ = writeln!(o, "THP_enabled:\t1");
        // No linear-address masking: no tag bits to strip.
        let _ = writeln!(o, "untag_mask:\t{:#x}", u64::MAX);
    }
    let _ = writeln!(o, "Threads:\t{}", s.threads);
    let sigmax = s
        .rlimits
        .lock()
        .get(abi::resource::RLIMIT_SIGPENDING as usize)
        .map_or(u64::MAX, |l| l.rlim_cur);
    let _ = writeln!(o, "SigQ:\t{}/{}", s.sigq, sigmax);
    let _ = writeln!(o, "SigPnd:\t{:016x}", s.pending);
    let _ = writeln!(o, "ShdPnd:\t{:016x}", s.shared_pending);
    let _ = writeln!(o, "SigBlk:\t{:016x}", s.blocked);
    let _ = writeln!(o, "SigIgn:\t{:016x}", s.ignored);
    let _ = writeln!(o, "SigCgt:\t{:016x}", s.caught);
    let _ = writeln!(o, "CapInh:\t{:016x}", creds.cap_inheritable);
    let _ = writeln!(o, "CapPrm:\t{:016x}", creds.cap_permitted);
    let _ = writeln!(o, "CapEff:\t{:016x}", creds.cap_effective);
    let _ = writeln!(o, "CapBnd:\t{:016x}", creds.cap_bounding);
    let _ = writeln!(o, "CapAmb:\t{:016x}", creds.cap_ambient);
    let nnp = s.view.as_ref().is_some_and(|v| v.no_new_privs);
    let _ = writeln!(o, "NoNewPrivs:\t{}", u8::from(nnp));
    let _ = writeln!(o, "Seccomp:\t{}", s.seccomp.mode.number());
    let _ = writeln!(o, "Seccomp_filters:\t{}", s.seccomp.filters());
    let _ = writeln!(o, "Speculation_Store_Bypass:\tthread vulnerable");
    let _ = writeln!(o, "SpeculationIndirectBranch:\tconditional enabled");
    let cpus = k.num_cpus;
    let _ = writeln!(o, "Cpus_allowed:\t{}", bitmap_hex(s.affinity, cpus));
    let _ = writeln!(o, "Cpus_allowed_list:\t{}", bitmap_list(s.affinity, cpus));
    let _ = writeln!(o, "Mems_allowed:\t1");
    let _ = writeln!(o, "Mems_allowed_list:\t0");
    let _ = writeln!(o, "voluntary_ctxt_switches:\t0");
    let _ = writeln!(o, "nonvoluntary_ctxt_switches:\t0");
    Ok(o)
}

/// Clock ticks (USER_HZ) of a duration in ns.
fn ticks(ns: i64) -> i64 {
    ns / 10_000_000
}

fn stat(fs: &ProcFs, t: &Target) -> Result<String, Errno> {
    let s = seen(fs, t)?;
    let k = fs.kernel()?;
    let permitted = may_read(fs, t).is_ok();
    let whole = t.tid.is_none();
    let nice = s.nice;
    let priority = if s.policy == 0 || s.policy == 3 || s.policy == 5 {
        20 + nice
    } else {
        -1 - s.rt_priority
    };
    let start = u64::try_from(
        s.started
            .saturating_duration_since(k.boot_instant)
            .as_millis()
            / 10,
    )
    .unwrap_or(u64::MAX);
    let (vsize, rss, layout, brk) = match &s.view {
        Some(v) => {
            let m = memory(&v.mm);
            (m.size, m.rss / PAGE, v.mm.layout(), v.mm.brk_start())
        }
        None => (0, 0, crate::mm::Layout::default(), 0),
    };
    let rsslim = s
        .rlimits
        .lock()
        .get(abi::resource::RLIMIT_RSS as usize)
        .map_or(u64::MAX, |l| l.rlim_cur);
    let has_mm = s.view.is_some();
    let show = |v: u64| if has_mm && permitted { v } else { 0 };
    let code = |v: u64| {
        if !has_mm {
            0
        } else if permitted {
            v
        } else {
            1
        }
    };
    let (cu, cs) = if whole {
        (ticks(s.children_cpu.user), ticks(s.children_cpu.system))
    } else {
        (0, 0)
    };
    let pending = if whole {
        s.pending | s.shared_pending
    } else {
        s.pending
    };
    let comm = String::from_utf8_lossy(&s.comm);
    let mut o = String::new();
    let _ = write!(
        o,
        "{} ({}) {} {} {} {} 0 -1 {} 0 0 0 0 {} {} {} {} {} {} {} 0 {} {} {} {} ",
        s.pid,
        comm,
        &s.state[..1],
        s.ppid,
        s.pgid,
        s.sid,
        s.flags,
        ticks(s.cpu.user),
        ticks(s.cpu.system),
        cu,
        cs,
        priority,
        nice,
        s.threads,
        start,
        vsize,
        rss,
        rsslim,
    );
    let _ = write!(
        o,
        "{} {} {} 0 0 {} {} {} {} 0 0 0 {} 0 {} {} 0 0 0 ",
        code(layout.start_code),
        code(layout.end_code),
        show(layout.start_stack),
        pending,
        s.blocked,
        s.ignored,
        s.caught,
        s.exit_signal,
        s.rt_priority,
        s.policy,
    );
    let _ = writeln!(
        o,
        "{} {} {} {} {} {} {} {}",
        show(layout.start_data),
        show(layout.end_data),
        show(brk),
        show(layout.arg_start),
        show(layout.arg_end),
        show(layout.env_start),
        show(layout.env_end),
        if permitted { s.exit_code } else { 0 },
    );
    Ok(o)
}

/// `/proc/pid/limits`.
fn limits(fs: &ProcFs, t: &Target) -> Result<String, Errno> {
    const NAMES: [(&str, &str); 16] = [
        ("Max cpu time", "seconds"),
        ("Max file size", "bytes"),
        ("Max data size", "bytes"),
        ("Max stack size", "bytes"),
        ("Max core file size", "bytes"),
        ("Max resident set", "bytes"),
        ("Max processes", "processes"),
        ("Max open files", "files"),
        ("Max locked memory", "bytes"),
        ("Max address space", "bytes"),
        ("Max file locks", "locks"),
        ("Max pending signals", "signals"),
        ("Max msgqueue size", "bytes"),
        ("Max nice priority", ""),
        ("Max realtime priority", ""),
        ("Max realtime timeout", "us"),
    ];
    let rl = fs.with(t, |_, f| f.proc_.rlimits.lock().clone())?;
    let mut o = format!(
        "{:<25} {:<20} {:<20} {:<10}\n",
        "Limit", "Soft Limit", "Hard Limit", "Units"
    );
    let show = |v: u64| {
        if v == abi::resource::RLIM_INFINITY {
            "unlimited".to_owned()
        } else {
            v.to_string()
        }
    };
    for (i, (name, unit)) in NAMES.iter().enumerate() {
        let (cur, max) = rl
            .get(i)
            .map_or((u64::MAX, u64::MAX), |l| (l.rlim_cur, l.rlim_max));
        let _ = write!(o, "{:<25} {:<20} {:<20} ", name, show(cur), show(max));
        if !unit.is_empty() {
            let _ = write!(o, "{unit:<10}");
        }
        o.push('\n');
    }
    Ok(o)
}

/// One line of `maps`: the VMAs Linux would have merged into one.
struct Region {
    first: Vma,
    end: u64,
    parts: Vec<Vma>,
}

fn regions(vmas: Vec<Vma>) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    for v in vmas {
        if let Some(r) = out.last_mut() {
            let last = r.parts.last().expect("a region has a part");
            if last.continues_into(&v) {
                r.end = v.end;
                r.parts.push(v);
                continue;
            }
        }
        out.push(Region {
            first: v.clone(),
            end: v.end,
            parts: vec![v],
        });
    }
    out
}

/// `maps`, or `smaps` with each mapping's memory figures.
fn maps(fs: &ProcFs, t: &Target, smaps: bool) -> Result<Vec<u8>, Errno> {
    let Some(view) = fs.view(t)? else {
        return Ok(Vec::new());
    };
    let root = reader_root().ok();
    let mm = &view.mm;
    let (brk_start, brk) = (mm.brk_start(), mm.current_brk());
    let mut o = Vec::new();
    for r in regions(mm.vmas()) {
        let v = &r.first;
        let place = v
            .file
            .as_ref()
            .and_then(|f| f.place.downcast_ref::<Location>().cloned());
        let (mut dev, mut ino) = place
            .as_ref()
            .and_then(|l| l.inode().stat().ok())
            .map_or((0, 0), |s| (s.st_dev, s.st_ino));
        // Shared anonymous memory is a deleted shmem file on Linux.
        let shmem = v.shared && v.file.is_none();
        if shmem {
            (dev, ino) = (abi::stat::makedev(0, 1), v.offset / PAGE + 1);
        }
        let name: Option<Vec<u8>> = if shmem {
            Some(b"/dev/zero (deleted)".to_vec())
        } else if let Some(l) = &place {
            Some(
                root.as_ref()
                    .map_or_else(|| l.dentry.name(), |root| place_text(l, root)),
            )
        } else if v.kind == VmaKind::Heap || (v.start <= brk && r.end >= brk_start && brk > 0) {
            Some(b"[heap]".to_vec())
        } else if v.kind == VmaKind::Stack {
            Some(b"[stack]".to_vec())
        } else {
            None
        };
        let perms = [
            if v.access.read { 'r' } else { '-' },
            if v.access.write { 'w' } else { '-' },
            if v.access.execute { 'x' } else { '-' },
            if v.shared { 's' } else { 'p' },
        ];
        let pgoff = if v.file.is_some() { v.pgoff } else { 0 };
        o.extend_from_slice(&vma_line(
            (v.start, r.end),
            perms,
            pgoff,
            (dev, ino),
            name.as_deref(),
        ));
        if smaps {
            o.extend_from_slice(smaps_figures(mm, &r).as_bytes());
        }
    }
    Ok(o)
}

/// The first line of a mapping in `maps` and `smaps` (Linux's
/// `show_vma_header_prefix`, then the name padded to its column).
fn vma_line(
    (start, end): (u64, u64),
    perms: [char; 4],
    pgoff: u64,
    (dev, ino): (u64, u64),
    name: Option<&[u8]>,
) -> Vec<u8> {
    let [r, w, x, s] = perms;
    let mut line = format!(
        "{start:08x}-{end:08x} {r}{w}{x}{s} {pgoff:08x} {:02x}:{:02x} {ino} ",
        abi::stat::major(dev),
        abi::stat::minor(dev),
    )
    .into_bytes();
    if let Some(n) = name {
        // Linux pads the name to the column after 25 + 6 address widths.
        while line.len() < 72 {
            line.push(b' ');
        }
        line.push(b' ');
        line.extend_from_slice(n);
    }
    line.push(b'\n');
    line
}

/// The memory figures of one mapping, or of all (`smaps_rollup`), in
/// bytes, as Linux's `mem_size_stats`.
#[derive(Clone, Copy, Debug, Default)]
struct MemStats {
    rss: u64,
    pss_anon: u64,
    pss_file: u64,
    pss_shmem: u64,
    shared_dirty: u64,
    private_clean: u64,
    private_dirty: u64,
    /// The resident pages of mlock'd mappings.
    locked: u64,
}

impl std::ops::AddAssign for MemStats {
    fn add_assign(&mut self, o: MemStats) {
        self.rss += o.rss;
        self.pss_anon += o.pss_anon;
        self.pss_file += o.pss_file;
        self.pss_shmem += o.pss_shmem;
        self.shared_dirty += o.shared_dirty;
        self.private_clean += o.private_clean;
        self.private_dirty += o.private_dirty;
        self.locked += o.locked;
    }
}

/// A mapping's figures: each page is the sentry's alone, so its
/// proportional share (Pss) is all of it.
fn mem_stats(mm: &MemoryManager, r: &Region) -> MemStats {
    let v = &r.first;
    let rss: u64 = r
        .parts
        .iter()
        .filter(|p| p.access != platform::Access::NONE)
        .map(|p| mm.resident_in(p))
        .sum();
    let mut m = MemStats {
        rss,
        locked: if v.locked { rss } else { 0 },
        ..MemStats::default()
    };
    if v.file.is_some() {
        m.pss_file = rss;
    } else if v.shared {
        m.pss_shmem = rss;
    } else {
        m.pss_anon = rss;
    }
    if v.shared {
        m.shared_dirty = rss;
    } else if v.file.is_some() && !v.access.write {
        m.private_clean = rss;
    } else {
        m.private_dirty = rss;
    }
    m
}

/// Linux's `__show_smap`: the figures common to `smaps` and
/// `smaps_rollup`, which alone shows Pss by kind.
fn put_mem_stats(o: &mut String, m: &MemStats, rollup: bool) {
    let mut put = |name: &str, bytes: u64| {
        let _ = writeln!(o, "{:<16}{:>8} kB", format!("{name}:"), bytes / 1024);
    };
    put("Rss", m.rss);
    put("Pss", m.rss);
    put("Pss_Dirty", m.shared_dirty + m.private_dirty);
    if rollup {
        put("Pss_Anon", m.pss_anon);
        put("Pss_File", m.pss_file);
        put("Pss_Shmem", m.pss_shmem);
    }
    put("Shared_Clean", 0);
    put("Shared_Dirty", m.shared_dirty);
    put("Private_Clean", m.private_clean);
    put("Private_Dirty", m.private_dirty);
    put("Referenced", m.rss);
    put("Anonymous", m.pss_anon);
    put("KSM", 0);
    put("LazyFree", 0);
    put("AnonHugePages", 0);
    put("ShmemPmdMapped", 0);
    put("FilePmdMapped", 0);
    put("Shared_Hugetlb", 0);
    put("Private_Hugetlb", 0);
    put("Swap", 0);
    put("SwapPss", 0);
    put("Locked", m.locked);
}

/// `smaps_rollup`: the sum of `smaps` under one line spanning every
/// mapping.
fn smaps_rollup(fs: &ProcFs, t: &Target) -> Result<Vec<u8>, Errno> {
    let Some(view) = fs.view(t)? else {
        return Ok(Vec::new());
    };
    let mm = &view.mm;
    let regions = regions(mm.vmas());
    let (Some(first), Some(last)) = (regions.first(), regions.last()) else {
        return Ok(Vec::new());
    };
    let span = (first.first.start, last.end);
    let mut sum = MemStats::default();
    for r in &regions {
        sum += mem_stats(mm, r);
    }
    let mut o = vma_line(span, ['-', '-', '-', 'p'], 0, (0, 0), Some(b"[rollup]"));
    let mut figures = String::new();
    put_mem_stats(&mut figures, &sum, true);
    o.extend_from_slice(figures.as_bytes());
    Ok(o)
}

fn smaps_figures(mm: &MemoryManager, r: &Region) -> String {
    let v = &r.first;
    let mut o = String::new();
    let mut put = |name: &str, bytes: u64| {
        let _ = writeln!(o, "{:<16}{:>8} kB", format!("{name}:"), bytes / 1024);
    };
    put("Size", r.end - v.start);
    put("KernelPageSize", PAGE);
    put("MMUPageSize", PAGE);
    put_mem_stats(&mut o, &mem_stats(mm, r), false);
    let _ = writeln!(o, "THPeligible:    0");
    let mut flags = Vec::new();
    if v.access.read {
        flags.push("rd");
    }
    if v.access.write {
        flags.push("wr");
    }
    if v.access.execute {
        flags.push("ex");
    }
    if v.shared {
        flags.push("sh");
    }
    flags.extend(["mr", "mw", "me"]);
    if v.shared {
        flags.push("ms");
    }
    if v.growsdown {
        flags.push("gd");
    }
    if v.locked {
        flags.push("lo");
    }
    if !v.shared && (v.access.write || v.file.is_none()) {
        flags.push("ac");
    }
    flags.push("sd");
    let _ = writeln!(o, "VmFlags: {} ", flags.join(" "));
    o
}

/// Escapes what would break a line of `mounts` (space, tab, newline,
/// backslash) as octal, as Linux's `seq_path` does.
fn mount_escape(p: &[u8]) -> String {
    let mut s = String::new();
    for &b in p {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\\') {
            let _ = write!(s, "\\{b:03o}");
        } else {
            s.push(char::from(b));
        }
    }
    s
}

/// Which of the mount tables to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MountsFormat {
    Mounts,
    Info,
    Stats,
}

/// `mounts`, `mountinfo` or `mountstats`: the mounts visible from the
/// target's root.
fn mounts(fs: &ProcFs, t: &Target, format: MountsFormat) -> Result<Vec<u8>, Errno> {
    let Some(view) = fs.view(t)? else {
        return Ok(Vec::new());
    };
    let root = view.fs.lock().root.clone();
    let mut top = root.mnt.clone();
    while let Some((m, _)) = &top.parent.clone() {
        top = m.clone();
    }
    let mut o = String::new();
    for m in Mount::tree(&top) {
        let (point, reached) = Location::root_of(&m).path_from(&root);
        if !reached {
            continue;
        }
        let point = mount_escape(&point);
        let mut opts = String::from(if m.flags.read_only { "ro" } else { "rw" });
        for (on, name) in [
            (m.flags.nosuid, ",nosuid"),
            (m.flags.nodev, ",nodev"),
            (m.flags.noexec, ",noexec"),
        ] {
            if on {
                opts.push_str(name);
            }
        }
        opts.push_str(",relatime");
        let extra = if m.options.is_empty() {
            String::new()
        } else {
            format!(",{}", m.options)
        };
        if format == MountsFormat::Stats {
            // No filesystem here keeps statistics (NFS's show_stats).
            let _ = writeln!(
                o,
                "device {} mounted on {} with fstype {}",
                mount_escape(m.source.as_bytes()),
                point,
                m.fs_type
            );
        } else if format == MountsFormat::Info {
            let dev = m.root.inode.stat().map_or(0, |s| s.st_dev);
            let parent = m.parent.as_ref().map_or(m.id, |(p, _)| p.id);
            let _ = writeln!(
                o,
                "{} {} {}:{} / {} {} - {} {} {}{}",
                m.id,
                parent,
                abi::stat::major(dev),
                abi::stat::minor(dev),
                point,
                opts,
                m.fs_type,
                m.source,
                if m.flags.read_only { "ro" } else { "rw" },
                extra
            );
        } else {
            let _ = writeln!(
                o,
                "{} {} {} {}{} 0 0",
                m.source, point, m.fs_type, opts, extra
            );
        }
    }
    Ok(o.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_masks_print_as_linux_bitmaps() {
        assert_eq!(bitmap_hex(u64::MAX, 2), "3");
        assert_eq!(bitmap_hex(u64::MAX, 8), "ff");
        assert_eq!(bitmap_hex(0b101, 4), "5");
        assert_eq!(bitmap_hex(u64::MAX, 33), "1,ffffffff");
        assert_eq!(bitmap_list(u64::MAX, 2), "0-1");
        assert_eq!(bitmap_list(0b1011, 4), "0-1,3");
        assert_eq!(bitmap_list(0b1, 1), "0");
    }

    #[test]
    fn numbers_parse_as_kstrtoull() {
        assert_eq!(kstrtoull(b"12\n", 10), Ok(12));
        assert_eq!(kstrtoull(b"+7", 10), Ok(7));
        assert_eq!(kstrtoull(b"0x1f", 0), Ok(31));
        assert_eq!(kstrtoull(b"010", 0), Ok(8));
        assert_eq!(kstrtoull(b"5\0junk", 10), Ok(5));
        assert_eq!(kstrtoull(b"0x10", 10), Err(Errno::EINVAL));
        assert_eq!(kstrtoull(b"12 ", 10), Err(Errno::EINVAL));
        assert_eq!(kstrtoull(b"-1", 10), Err(Errno::EINVAL));
        assert_eq!(kstrtoull(b"", 10), Err(Errno::EINVAL));
        assert_eq!(kstrtoull(b"18446744073709551616", 10), Err(Errno::ERANGE));
    }

    #[test]
    fn names_escape_newlines_and_backslashes() {
        assert_eq!(escaped_name(b"a\nb\\c"), "a\\nb\\\\c");
        assert_eq!(mount_escape(b"/a b\\"), "/a\\040b\\134");
    }
}
