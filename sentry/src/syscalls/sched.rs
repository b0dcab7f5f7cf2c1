//! Scheduling: yield, affinity, current CPU.

use abi::Errno;

use super::identity::target_self;
use crate::arch::SyscallArgs;
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
const CAP_SYS_NICE: u32 = 23;

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

const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;

/// The task a getpriority/setpriority `(which, who)` names: only the caller
/// exists today.
fn priority_target(t: &Task, which: i32, who: i32) -> Result<(), Errno> {
    let me = match which {
        PRIO_PROCESS => who == 0 || who == t.tgid || who == t.tid,
        PRIO_PGRP => who == 0 || who == t.pgid(),
        #[allow(clippy::cast_sign_loss)]
        PRIO_USER => who == 0 || who as u32 == t.creds.euid,
        _ => return Err(Errno::EINVAL),
    };
    if me {
        Ok(())
    } else {
        Err(Errno::ESRCH)
    }
}

/// Implements getpriority(2): `20 - nice`, as the raw syscall returns it.
#[allow(clippy::cast_sign_loss)]
pub fn sys_getpriority(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    priority_target(t, a.int(0), a.int(1))?;
    Ok((20 - t.flags.nice) as u64)
}

/// Implements setpriority(2) on the sandbox's own nice value. Lowering it
/// needs CAP_SYS_NICE (root's); the host's scheduling is not changed.
pub fn sys_setpriority(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    priority_target(t, a.int(0), a.int(1))?;
    let nice = a.int(2).clamp(-20, 19);
    if nice < t.flags.nice && t.creds.euid != 0 {
        return Err(Errno::EACCES);
    }
    t.flags.nice = nice;
    t.publish();
    Ok(0)
}
