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

/// Implements sched_getaffinity(2): every CPU of the sandbox.
pub fn sys_sched_getaffinity(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    target_self(t, a.int(0))?;
    let len = a.u64(1);
    let ncpus = u64::from(t.kernel.num_cpus);
    if len.saturating_mul(8) < ncpus || !len.is_multiple_of(8) {
        return Err(Errno::EINVAL);
    }
    let words = ncpus.div_ceil(64).max(1);
    let mut mask = vec![0u8; usize::try_from(words * 8).expect("small")];
    for cpu in 0..ncpus {
        let i = usize::try_from(cpu / 8).expect("small");
        mask[i] |= 1 << (cpu % 8);
    }
    t.mm.copy_out(a.addr(2), &mask)?;
    Ok(words * 8)
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

/// Implements sched_getscheduler(2): every task is SCHED_OTHER.
pub fn sys_sched_getscheduler(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    target_self(t, a.int(0))?;
    Ok(0)
}

/// Implements sched_getparam(2): priority 0, as for SCHED_OTHER.
pub fn sys_sched_getparam(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.addr(1) == 0 {
        return Err(Errno::EINVAL);
    }
    target_self(t, a.int(0))?;
    t.mm.write_obj(a.addr(1), &0i32)?;
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
    Ok(0)
}
