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
