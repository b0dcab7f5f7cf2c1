//! getrusage and times: the application's CPU time is its stub thread's,
//! read from the host's per-process CPU clocks.

use abi::resource::{RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD};
use abi::types::{Rusage, Timeval, Tms};
use abi::Errno;
use nix::time::ClockId;

use crate::arch::SyscallArgs;
use crate::kernel::Task;

/// `USER_HZ`: the unit of `times`.
const CLOCK_TICKS: i64 = 100;

/// Linux's `MAKE_PROCESS_CPUCLOCK(pid, clock)`: PROF is user+system time,
/// VIRT user time only.
fn process_clock(pid: i32, which: i32) -> ClockId {
    ClockId::from_raw((!pid << 3) | which)
}

const CPUCLOCK_PROF: i32 = 0;
const CPUCLOCK_VIRT: i32 = 1;

/// (user, system) CPU time of the task, in nanoseconds.
fn cpu_times(t: &Task) -> (i64, i64) {
    let (pid, _) = t.ctx.host_thread();
    let read = |which| {
        nix::time::clock_gettime(process_clock(pid, which))
            .map_or(0, |ts| ts.tv_sec() * 1_000_000_000 + ts.tv_nsec())
    };
    let total = read(CPUCLOCK_PROF);
    let user = read(CPUCLOCK_VIRT).min(total);
    (user, total - user)
}

fn timeval(ns: i64) -> Timeval {
    Timeval {
        tv_sec: ns / 1_000_000_000,
        tv_usec: ns % 1_000_000_000 / 1000,
    }
}

/// Implements getrusage(2). Children's usage is zero: there are no
/// children until processes exist.
pub fn sys_getrusage(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mut ru = Rusage::default();
    match a.int(0) {
        RUSAGE_SELF | RUSAGE_THREAD => {
            let (user, system) = cpu_times(t);
            ru.ru_utime = timeval(user);
            ru.ru_stime = timeval(system);
            ru.ru_maxrss = i64::try_from(t.mm.resident_bytes() / 1024).unwrap_or(i64::MAX);
        }
        RUSAGE_CHILDREN => {}
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
            tms_cutime: 0,
            tms_cstime: 0,
        };
        t.mm.write_obj(a.addr(0), &tms)?;
    }
    let up = t.kernel.boot_instant.elapsed();
    // Linux's clock_t starts a little after boot (INITIAL_JIFFIES); any
    // base works as long as it only moves forward.
    let ticks = up.as_secs() * CLOCK_TICKS.unsigned_abs() + u64::from(up.subsec_millis()) / 10;
    Ok(ticks)
}
