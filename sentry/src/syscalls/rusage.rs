//! getrusage and times. A task's user time is the time its application
//! code ran (measured around each switch into it), its system time the CPU
//! time of the sentry thread serving it; a process adds its threads, live
//! and exited.

use abi::resource::{RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD};
use abi::types::{Rusage, Timeval, Tms};
use abi::Errno;

use crate::arch::SyscallArgs;
use crate::kernel::Task;

/// `USER_HZ`: the unit of `times`.
const CLOCK_TICKS: i64 = 100;

/// (user, system) CPU time of the calling process, in nanoseconds.
fn cpu_times(t: &Task) -> (i64, i64) {
    let c = t.kernel.tree.lock().process_cpu(t.tgid);
    (c.user, c.system)
}

/// (user, system) CPU time of the reaped children, in nanoseconds.
fn children_times(t: &Task) -> (i64, i64) {
    let tree = t.kernel.tree.lock();
    tree.procs
        .get(&t.tgid)
        .map_or((0, 0), |p| (p.children_ticks.user, p.children_ticks.system))
}

pub(super) fn timeval(ns: i64) -> Timeval {
    Timeval {
        tv_sec: ns / 1_000_000_000,
        tv_usec: ns % 1_000_000_000 / 1000,
    }
}

/// Implements getrusage(2): user time is the application's, system time
/// the sentry's serving it; children's are their reaped totals.
pub fn sys_getrusage(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mut ru = Rusage::default();
    match a.int(0) {
        RUSAGE_SELF | RUSAGE_THREAD => {
            let (user, system) = if a.int(0) == RUSAGE_THREAD {
                let c = t.shared.cpu();
                (c.user, c.system)
            } else {
                cpu_times(t)
            };
            ru.ru_utime = timeval(user);
            ru.ru_stime = timeval(system);
            ru.ru_maxrss = i64::try_from(t.mm.resident_bytes() / 1024).unwrap_or(i64::MAX);
        }
        RUSAGE_CHILDREN => {
            let (user, system) = children_times(t);
            ru.ru_utime = timeval(user);
            ru.ru_stime = timeval(system);
        }
        _ => return Err(Errno::EINVAL),
    }
    t.mm.write_obj(a.addr(1), &ru)?;
    Ok(0)
}

/// Implements times(2): CPU times in clock ticks, and the ticks since the
/// sandbox booted.
pub fn sys_times(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.addr(0) != 0 {
        let (user, system) = cpu_times(t);
        let ticks = |ns: i64| ns / (1_000_000_000 / CLOCK_TICKS);
        let tms = Tms {
            tms_utime: ticks(user),
            tms_stime: ticks(system),
            tms_cutime: ticks(children_times(t).0),
            tms_cstime: ticks(children_times(t).1),
        };
        t.mm.write_obj(a.addr(0), &tms)?;
    }
    let up = t.kernel.boot_instant.elapsed();
    // Linux's clock_t starts a little after boot (INITIAL_JIFFIES); any
    // base works as long as it only moves forward.
    let ticks = up.as_secs() * CLOCK_TICKS.unsigned_abs() + u64::from(up.subsec_millis()) / 10;
    Ok(ticks)
}
