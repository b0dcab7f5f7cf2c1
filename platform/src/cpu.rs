//! Host CPU placement, and the calling host thread's id.

use nix::sched::{sched_setaffinity, CpuSet};
use nix::unistd::Pid;

/// Pins the calling host thread to the CPU it runs on now, and returns it.
///
/// A stub forked afterwards inherits the affinity, so the sentry thread and
/// the application thread it serves share one CPU: on this class of VM a
/// wake-up on the other vCPU costs several times the whole syscall round trip.
pub fn pin_current_thread() -> Option<usize> {
    let cpu = nix::sched::sched_getcpu().ok()?;
    let mut set = CpuSet::new();
    set.set(cpu).ok()?;
    sched_setaffinity(Pid::from_raw(0), &set).ok()?;
    Some(cpu)
}

/// Pins the calling host thread to `cpu`.
pub fn pin_to_cpu(cpu: usize) {
    let mut set = CpuSet::new();
    if set.set(cpu).is_ok() {
        let _ = sched_setaffinity(Pid::from_raw(0), &set);
    }
}

/// Lets the calling host thread run on every online CPU again.
pub fn unpin_current_thread() {
    let n = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let n = nix::unistd::sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN)
        .ok()
        .flatten()
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(n);
    let mut set = CpuSet::new();
    for cpu in 0..n.min(CpuSet::count()) {
        let _ = set.set(cpu);
    }
    let _ = sched_setaffinity(Pid::from_raw(0), &set);
}

thread_local! {
    static TID: Pid = nix::unistd::gettid();
}

/// The calling host thread's id, asked of the host once per thread: the
/// platforms check it at every switch.
pub fn current_tid() -> Pid {
    TID.with(|t| *t)
}
