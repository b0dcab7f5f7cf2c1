//! Scheduling: yield, affinity, current CPU.

use abi::Errno;

use super::identity::target_self;
use crate::arch::SyscallArgs;
use crate::creds::{Credentials, CAP_SYS_ADMIN, CAP_SYS_NICE};
use crate::kernel::Task;

/// Implements sched_yield(2).
pub fn sys_sched_yield(_t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    std::thread::yield_now();
    Ok(0)
}

/// The thread a scheduling call's `pid` names: 0 is the caller.
fn thread_of(t: &Task, pid: i32) -> Result<i32, Errno> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid == 0 {
        return Ok(t.tid);
    }
    if t.kernel.tree.lock().threads.contains_key(&pid) {
        Ok(pid)
    } else {
        Err(Errno::ESRCH)
    }
}

/// Every CPU of the sandbox, as a mask.
fn online(t: &Task) -> u64 {
    let n = t.kernel.num_cpus.min(64);
    if n == 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Implements sched_getaffinity(2).
pub fn sys_sched_getaffinity(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let len = a.u64(1);
    let ncpus = u64::from(t.kernel.num_cpus);
    if len.saturating_mul(8) < ncpus || !len.is_multiple_of(8) {
        return Err(Errno::EINVAL);
    }
    // The affinity calls look the pid up as find_process_by_pid does: a
    // negative one is no process.
    let tid = thread_of(t, a.int(0)).map_err(|e| if a.int(0) < 0 { Errno::ESRCH } else { e })?;
    let set = t
        .kernel
        .tree
        .lock()
        .threads
        .get(&tid)
        .map_or(u64::MAX, |e| e.affinity)
        & online(t);
    let words = ncpus.div_ceil(64).max(1);
    let mut mask = vec![0u8; usize::try_from(words * 8).expect("small")];
    mask[..8].copy_from_slice(&set.to_le_bytes());
    t.mm.copy_out(a.addr(2), &mask)?;
    Ok(words * 8)
}

/// Implements sched_setaffinity(2): the mask is kept and read back; the
/// sentry keeps placing the host threads itself.
pub fn sys_sched_setaffinity(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let tid =
        thread_of(t, a.int(0)).map_err(|e| if e == Errno::EINVAL { Errno::ESRCH } else { e })?;
    let len = usize::try_from(a.u64(1).min(4096)).expect("small");
    let mut raw = vec![0u8; len];
    t.mm.copy_in(a.addr(2), &mut raw)?;
    let mut bytes = [0u8; 8];
    let n = len.min(8);
    bytes[..n].copy_from_slice(&raw[..n]);
    let set = u64::from_le_bytes(bytes) & online(t);
    if set == 0 {
        return Err(Errno::EINVAL);
    }
    if let Some(e) = t.kernel.tree.lock().threads.get_mut(&tid) {
        e.affinity = set;
    }
    Ok(0)
}

/// Implements getcpu(2).
pub fn sys_getcpu(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let cpu = u32::try_from(nix::sched::sched_getcpu().unwrap_or(0)).unwrap_or(0);
    if a.addr(0) != 0 {
        t.mm.write_obj(a.addr(0), &cpu)?;
    }
    if a.addr(1) != 0 {
        t.mm.write_obj(a.addr(1), &0u32)?;
    }
    Ok(0)
}

const SCHED_OTHER: i32 = 0;
const SCHED_FIFO: i32 = 1;
const SCHED_RR: i32 = 2;
const SCHED_BATCH: i32 = 3;
const SCHED_IDLE: i32 = 5;
const SCHED_DEADLINE: i32 = 6;

fn sched_of(t: &Task, tid: i32) -> (i32, i32) {
    t.kernel
        .tree
        .lock()
        .threads
        .get(&tid)
        .map_or((SCHED_OTHER, 0), |e| (e.sched_policy, e.sched_priority))
}

/// Implements sched_getscheduler(2).
pub fn sys_sched_getscheduler(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let tid = thread_of(t, a.int(0))?;
    Ok(u64::try_from(sched_of(t, tid).0).unwrap_or(0))
}

/// `SCHED_RESET_ON_FORK`, or-ed into a policy.
const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;

fn set_sched(t: &Task, pid: i32, policy: Option<i32>, param: u64) -> Result<u64, Errno> {
    if param == 0 {
        return Err(Errno::EINVAL);
    }
    let tid = thread_of(t, pid)?;
    let prio: i32 = t.mm.read_obj(param)?;
    let policy = policy.map_or_else(|| sched_of(t, tid).0, |p| p & !SCHED_RESET_ON_FORK);
    let (lo, hi) = match policy {
        SCHED_DEADLINE => return Err(Errno::EINVAL),
        p => priority_range(p)?,
    };
    if !(i64::from(prio) >= i64::try_from(lo).unwrap_or(0)
        && i64::from(prio) <= i64::try_from(hi).unwrap_or(0))
    {
        return Err(Errno::EINVAL);
    }
    if (policy == SCHED_FIFO || policy == SCHED_RR) && !t.creds.has_cap(CAP_SYS_NICE) {
        return Err(Errno::EPERM);
    }
    if let Some(e) = t.kernel.tree.lock().threads.get_mut(&tid) {
        e.sched_policy = policy;
        e.sched_priority = prio;
    }
    Ok(0)
}

/// Implements sched_setscheduler(2): the policy and priority are kept and
/// read back; the host schedules the sentry's threads as it likes.
pub fn sys_sched_setscheduler(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_sched(t, a.int(0), Some(a.int(1)), a.addr(2))
}

/// Implements sched_setparam(2).
pub fn sys_sched_setparam(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_sched(t, a.int(0), None, a.addr(1))
}

/// Implements sched_getparam(2): priority 0, as for SCHED_OTHER.
pub fn sys_sched_getparam(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.addr(1) == 0 {
        return Err(Errno::EINVAL);
    }
    let tid = thread_of(t, a.int(0))?;
    t.mm.write_obj(a.addr(1), &sched_of(t, tid).1)?;
    Ok(0)
}

fn priority_range(policy: i32) -> Result<(u64, u64), Errno> {
    match policy {
        SCHED_FIFO | SCHED_RR => Ok((1, 99)),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok((0, 0)),
        _ => Err(Errno::EINVAL),
    }
}

/// Implements sched_get_priority_max(2).
pub fn sys_sched_get_priority_max(_t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    priority_range(a.int(0)).map(|r| r.1)
}

/// Implements sched_get_priority_min(2).
pub fn sys_sched_get_priority_min(_t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    priority_range(a.int(0)).map(|r| r.0)
}

/// Implements sched_rr_get_interval(2): 0 for a SCHED_OTHER task.
pub fn sys_sched_rr_get_interval(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    target_self(t, a.int(0))?;
    t.mm.write_obj(a.addr(1), &abi::types::Timespec::default())?;
    Ok(0)
}

/// The tasks a getpriority/setpriority or ioprio_get/ioprio_set
/// `(which, who)` names.
#[derive(Clone, Copy)]
enum Who {
    /// One thread; 0 is the caller.
    Thread(i32),
    /// Every thread of every process in a process group; 0 is the caller's.
    Group(i32),
    /// Every thread whose real uid is this.
    User(u32),
}

const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;

/// A getpriority-style `(which, who)`.
#[allow(clippy::cast_sign_loss)]
fn who(which: i32, who: i32) -> Result<Who, Errno> {
    match which {
        PRIO_PROCESS => Ok(Who::Thread(who)),
        PRIO_PGRP => Ok(Who::Group(who)),
        PRIO_USER => Ok(Who::User(who as u32)),
        _ => Err(Errno::EINVAL),
    }
}

/// User 0 read as the caller's real uid, as every call but ioprio_set
/// reads it.
fn user_zero_is_caller(t: &Task, w: Who) -> Who {
    match w {
        Who::User(0) => Who::User(t.creds.ruid),
        w => w,
    }
}

/// One target thread: its tid, process and credentials.
struct Target {
    tid: i32,
    tgid: i32,
    creds: Credentials,
}

/// The threads `who` names, as Linux walks them; none is ESRCH.
fn targets(t: &Task, who: Who) -> Result<Vec<Target>, Errno> {
    let tree = t.kernel.tree.lock();
    let creds_of = |tid: i32, e: &crate::kernel::process::ThreadEntry| {
        if tid == t.tid {
            Some(t.creds.clone())
        } else {
            e.shared.view.lock().as_ref().map(|v| v.creds.clone())
        }
    };
    let pgid_of = |tgid: i32| tree.procs.get(&tgid).map_or(0, |p| p.pgid);
    // 0 names the caller's own thread or group.
    let who = match who {
        Who::Thread(0) => Who::Thread(t.tid),
        Who::Group(0) => Who::Group(pgid_of(t.tgid)),
        w => w,
    };
    let candidates: Vec<(i32, &crate::kernel::process::ThreadEntry)> = match who {
        Who::Thread(tid) => tree
            .threads
            .get(&tid)
            .map(|e| (tid, e))
            .into_iter()
            .collect(),
        _ => tree.threads.iter().map(|(&tid, e)| (tid, e)).collect(),
    };
    let mut out: Vec<Target> = Vec::new();
    for (tid, e) in candidates {
        let Some(creds) = creds_of(tid, e) else {
            continue;
        };
        let named = match who {
            Who::Thread(_) => true,
            Who::Group(pgid) => pgid > 0 && pgid_of(e.tgid) == pgid,
            Who::User(uid) => creds.ruid == uid,
        };
        if named {
            out.push(Target {
                tid,
                tgid: e.tgid,
                creds,
            });
        }
    }
    if out.is_empty() {
        return Err(Errno::ESRCH);
    }
    out.sort_by_key(|x| x.tid);
    Ok(out)
}

/// Reads one field of each target thread's entry.
fn read_each<T>(
    t: &Task,
    found: &[Target],
    f: impl Fn(&crate::kernel::process::ThreadEntry) -> T,
) -> Vec<T> {
    let tree = t.kernel.tree.lock();
    found
        .iter()
        .filter_map(|x| tree.threads.get(&x.tid).map(&f))
        .collect()
}

/// Sets each target thread's entry in turn, as Linux does: the first
/// refusal stops the walk (the threads before it keep the new value).
fn write_each(
    t: &Task,
    found: &[Target],
    mut f: impl FnMut(&Target, &mut crate::kernel::process::ThreadEntry) -> Result<(), Errno>,
) -> Result<u64, Errno> {
    let mut tree = t.kernel.tree.lock();
    for x in found {
        if let Some(e) = tree.threads.get_mut(&x.tid) {
            f(x, e)?;
        }
    }
    Ok(0)
}

/// Implements getpriority(2): `20 - nice` of the highest-priority thread
/// named, as the raw syscall returns it.
#[allow(clippy::cast_sign_loss)]
pub fn sys_getpriority(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let found = targets(t, user_zero_is_caller(t, who(a.int(0), a.int(1))?))?;
    let best = read_each(t, &found, |e| 20 - e.nice).into_iter().max();
    best.map(|v| v as u64).ok_or(Errno::ESRCH)
}

/// Implements setpriority(2) on the sandbox's nice values (the host's
/// scheduling is not changed). Another user's task needs CAP_SYS_NICE
/// (EPERM); lowering a nice value below what the target's RLIMIT_NICE
/// allows needs it too (EACCES).
pub fn sys_setpriority(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let found = targets(t, user_zero_is_caller(t, who(a.int(0), a.int(1))?))?;
    let nice = a.int(2).clamp(-20, 19);
    let privileged = t.creds.has_cap(CAP_SYS_NICE);
    let limits: Vec<u64> = {
        let tree = t.kernel.tree.lock();
        found
            .iter()
            .map(|x| {
                tree.procs.get(&x.tgid).map_or(0, |p| {
                    p.rlimits
                        .lock()
                        .get(abi::resource::RLIMIT_NICE as usize)
                        .map_or(0, |l| l.rlim_cur)
                })
            })
            .collect()
    };
    let mut limits = limits.into_iter();
    write_each(t, &found, |x, e| {
        let limit = limits.next().unwrap_or(0);
        let mine = x.creds.ruid == t.creds.euid || x.creds.euid == t.creds.euid;
        if !mine && !privileged {
            return Err(Errno::EPERM);
        }
        // can_nice: `20 - nice` within RLIMIT_NICE.
        #[allow(clippy::cast_sign_loss)]
        let wanted = (20 - nice) as u64;
        if nice < e.nice && wanted > limit && !privileged {
            return Err(Errno::EACCES);
        }
        e.nice = nice;
        Ok(())
    })
}

const IOPRIO_CLASS_SHIFT: u32 = 13;
const IOPRIO_CLASS_NONE: u16 = 0;
const IOPRIO_CLASS_RT: u16 = 1;
const IOPRIO_CLASS_BE: u16 = 2;
const IOPRIO_CLASS_IDLE: u16 = 3;
/// The level: the low three bits of the data (the rest are hints).
const IOPRIO_LEVEL_MASK: u16 = 7;

fn ioprio_class(prio: u16) -> u16 {
    prio >> IOPRIO_CLASS_SHIFT
}

/// ioprio_get/ioprio_set's `(which, who)`: IOPRIO_WHO_PROCESS is 1.
fn ioprio_who(which: i32, id: i32) -> Result<Who, Errno> {
    who(which.wrapping_sub(1), id)
}

/// The priority a thread's I/O gets: its own, or with none set, one that
/// follows its CPU scheduling (`__get_task_ioprio`).
fn effective_ioprio(e: &crate::kernel::process::ThreadEntry) -> u16 {
    if ioprio_class(e.ioprio) != IOPRIO_CLASS_NONE {
        return e.ioprio;
    }
    let class = match e.sched_policy {
        SCHED_IDLE => IOPRIO_CLASS_IDLE,
        SCHED_FIFO | SCHED_RR => IOPRIO_CLASS_RT,
        _ => IOPRIO_CLASS_BE,
    };
    let level = u16::try_from((e.nice + 20) / 5).unwrap_or(0);
    (class << IOPRIO_CLASS_SHIFT) | level
}

/// Implements ioprio_get(2): one thread's own value (0 when none was set),
/// or the best (lowest) effective value among a group's or a user's
/// threads. IOPRIO_WHO_USER 0 is the caller's real uid.
pub fn sys_ioprio_get(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let who = user_zero_is_caller(t, ioprio_who(a.int(0), a.int(1))?);
    let found = targets(t, who)?;
    let best = if let Who::Thread(_) = who {
        read_each(t, &found, |e| e.ioprio).into_iter().next()
    } else {
        read_each(t, &found, effective_ioprio).into_iter().min()
    };
    best.map(u64::from).ok_or(Errno::ESRCH)
}

/// Implements ioprio_set(2). The class must be none (level 0), realtime
/// (CAP_SYS_NICE or CAP_SYS_ADMIN), best-effort or idle; the value is kept
/// as 16 bits. A thread whose real uid is neither the caller's real nor
/// effective uid needs CAP_SYS_NICE. As on Linux, IOPRIO_WHO_USER 0 names
/// uid 0's threads, not the caller's.
pub fn sys_ioprio_set(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let raw = a.int(2);
    let class = (raw >> IOPRIO_CLASS_SHIFT) & 7;
    // Kept as 16 bits, as Linux's `unsigned short`.
    let prio = (raw.cast_unsigned() & 0xffff) as u16;
    match u16::try_from(class).unwrap_or(u16::MAX) {
        IOPRIO_CLASS_RT => {
            if !t.creds.has_cap(CAP_SYS_ADMIN) && !t.creds.has_cap(CAP_SYS_NICE) {
                return Err(Errno::EPERM);
            }
        }
        IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE => {}
        IOPRIO_CLASS_NONE if prio & IOPRIO_LEVEL_MASK == 0 => {}
        _ => return Err(Errno::EINVAL),
    }
    let found = targets(t, ioprio_who(a.int(0), a.int(1))?)?;
    let privileged = t.creds.has_cap(CAP_SYS_NICE);
    write_each(t, &found, |x, e| {
        if x.creds.ruid != t.creds.euid && x.creds.ruid != t.creds.ruid && !privileged {
            return Err(Errno::EPERM);
        }
        e.ioprio = prio;
        Ok(())
    })
}
