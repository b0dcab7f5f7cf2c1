//! Clocks and sleeping.

use abi::time::*;
use abi::types::{Timespec, Timeval, Timezone};
use abi::Errno;
use nix::time::ClockId;

use std::time::{Duration, Instant};

use super::timeval::{instant_after, instant_at, left, ts_dur, write_timespec};
use crate::arch::SyscallArgs;
use crate::kernel::task::Restart;
use crate::kernel::Task;

const NSEC_PER_SEC: i64 = 1_000_000_000;

/// A clock named by an application's `clockid_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Clock {
    /// A host clock the sandbox shares (wall and monotonic time).
    Host(libc::clockid_t),
    /// The CPU time of the calling process or thread.
    ProcessCpu,
    ThreadCpu,
}

/// Linux's `MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)`.
pub(super) fn cpu_clock_of(pid: i32, per_thread: bool) -> libc::clockid_t {
    (!pid << 3) | 2 | if per_thread { 4 } else { 0 }
}

pub(super) fn clock(t: &Task, id: i32) -> Result<Clock, Errno> {
    Ok(match id {
        CLOCK_REALTIME
        | CLOCK_MONOTONIC
        | CLOCK_MONOTONIC_RAW
        | CLOCK_REALTIME_COARSE
        | CLOCK_MONOTONIC_COARSE
        | CLOCK_BOOTTIME
        | CLOCK_TAI => Clock::Host(id),
        // The sandbox has no wake-up alarm device: Linux without an RTC
        // alarm answers EINVAL to reads of these clocks and EOPNOTSUPP to
        // sleeps on them.
        CLOCK_REALTIME_ALARM | CLOCK_BOOTTIME_ALARM => return Err(Errno::EINVAL),
        CLOCK_PROCESS_CPUTIME_ID => Clock::ProcessCpu,
        CLOCK_THREAD_CPUTIME_ID => Clock::ThreadCpu,
        id if id < 0 => {
            // A CPU clock of a pid or tid (`CPUCLOCK_SCHED` only), or an fd
            // clock (`CLOCKFD`, not supported).
            let pid = !(id >> 3);
            let per_thread = id & 4 != 0;
            if id & 3 != 2 || !(pid == 0 || pid == t.tgid || (per_thread && pid == t.tid)) {
                return Err(Errno::EINVAL);
            }
            if per_thread {
                Clock::ThreadCpu
            } else {
                Clock::ProcessCpu
            }
        }
        _ => return Err(Errno::EINVAL),
    })
}

pub(super) fn host_clock(t: &Task, c: Clock) -> ClockId {
    let (pid, tid) = t.ctx.host_thread();
    match c {
        Clock::Host(id) => ClockId::from_raw(id),
        Clock::ProcessCpu => ClockId::from_raw(cpu_clock_of(pid, false)),
        Clock::ThreadCpu => ClockId::from_raw(cpu_clock_of(tid, true)),
    }
}

pub(super) fn now(t: &Task, c: Clock) -> Timespec {
    let cpu = match c {
        Clock::ProcessCpu => Some(t.kernel.tree.lock().process_cpu(t.tgid)),
        Clock::ThreadCpu => Some(t.shared.cpu()),
        Clock::Host(_) => None,
    };
    if let Some(c) = cpu {
        let ns = c.user + c.system;
        return Timespec {
            tv_sec: ns / NSEC_PER_SEC,
            tv_nsec: ns % NSEC_PER_SEC,
        };
    }
    let ts =
        nix::time::clock_gettime(host_clock(t, c)).unwrap_or(nix::sys::time::TimeSpec::new(0, 0));
    Timespec {
        tv_sec: ts.tv_sec(),
        tv_nsec: ts.tv_nsec(),
    }
}

/// Implements clock_gettime(2).
pub fn sys_clock_gettime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let c = clock(t, a.int(0))?;
    let ts = now(t, c);
    t.mm.write_obj(a.addr(1), &ts)?;
    Ok(0)
}

/// `timespec64_valid_settod`, roughly: a time of day the clock could be
/// set to.
fn valid_time_of_day(sec: i64, nsec: i64) -> bool {
    sec >= 0 && (0..NSEC_PER_SEC).contains(&nsec)
}

/// Implements clock_settime(2). The sandbox shares the host's clocks and
/// sets none of them: a valid request for the one settable clock,
/// CLOCK_REALTIME, is EPERM, as for a process without CAP_SYS_TIME; other
/// clocks are EINVAL.
pub fn sys_clock_settime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if clock(t, a.int(0))? != Clock::Host(CLOCK_REALTIME) {
        return Err(Errno::EINVAL);
    }
    let ts: Timespec = t.mm.read_obj(a.addr(1))?;
    if !valid_time_of_day(ts.tv_sec, ts.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Err(Errno::EPERM)
}

/// Implements settimeofday(2): checked as Linux checks it, then EPERM
/// (the sandbox does not set the host's clock or timezone).
pub fn sys_settimeofday(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.addr(0) != 0 {
        let tv: Timeval = t.mm.read_obj(a.addr(0))?;
        if !(0..=1_000_000).contains(&tv.tv_usec)
            || !valid_time_of_day(tv.tv_sec, tv.tv_usec * 1000)
        {
            return Err(Errno::EINVAL);
        }
    }
    if a.addr(1) != 0 {
        let _: Timezone = t.mm.read_obj(a.addr(1))?;
    }
    Err(Errno::EPERM)
}

/// Implements clock_getres(2).
pub fn sys_clock_getres(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let c = clock(t, a.int(0))?;
    if a.addr(1) == 0 {
        return Ok(0);
    }
    let res = match c {
        Clock::Host(id @ (CLOCK_REALTIME_COARSE | CLOCK_MONOTONIC_COARSE)) => {
            // The tick length: the host's, which is the sandbox's too.
            let r = nix::time::clock_getres(ClockId::from_raw(id)).map_err(|_| Errno::EINVAL)?;
            Timespec {
                tv_sec: r.tv_sec(),
                tv_nsec: r.tv_nsec(),
            }
        }
        _ => Timespec {
            tv_sec: 0,
            tv_nsec: 1,
        },
    };
    t.mm.write_obj(a.addr(1), &res)?;
    Ok(0)
}

/// Sleeps on host clock `id` until `d` (absolute) or for `d`. A signal
/// ends a relative sleep with the time left in `rem` (if non-zero) and a
/// restart block; an absolute one simply restarts.
fn sleep(t: &mut Task, id: libc::clockid_t, abs: bool, d: Duration, rem: u64) -> Result<(), Errno> {
    let deadline = if abs {
        instant_at(id, d)
    } else {
        instant_after(d)
    };
    sleep_until(t, id, deadline, abs, rem)
}

fn sleep_until(
    t: &mut Task,
    id: libc::clockid_t,
    deadline: Instant,
    abs: bool,
    rem: u64,
) -> Result<(), Errno> {
    match t.block(Some(deadline), || None::<()>) {
        Err(Errno::ETIMEDOUT) | Ok(()) => Ok(()),
        Err(_) if abs => Err(Errno::ERESTARTNOHAND),
        Err(_) => {
            if rem != 0 {
                write_timespec(t, rem, left(deadline))?;
            }
            t.restart = Some(Restart::Sleep {
                clock: id,
                deadline,
                rem,
            });
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
    }
}

/// Implements restart_syscall(2): resumes an interrupted sleep.
pub fn sys_restart_syscall(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    match t.restart.take() {
        Some(Restart::Sleep {
            clock,
            deadline,
            rem,
        }) => sleep_until(t, clock, deadline, false, rem).map(|()| 0),
        None => Err(Errno::EINTR),
    }
}

/// Implements nanosleep(2).
pub fn sys_nanosleep(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let d = ts_dur(&t.mm.read_obj(a.addr(0))?)?;
    sleep(t, CLOCK_MONOTONIC, false, d, a.addr(1))?;
    Ok(0)
}

/// Implements clock_nanosleep(2).
pub fn sys_clock_nanosleep(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let id = a.int(0);
    let abs = a.int(1) & TIMER_ABSTIME != 0;
    if id == CLOCK_REALTIME_ALARM || id == CLOCK_BOOTTIME_ALARM {
        return Err(Errno::EOPNOTSUPP);
    }
    let host = match clock(t, id)? {
        Clock::Host(CLOCK_REALTIME_COARSE | CLOCK_MONOTONIC_COARSE | CLOCK_MONOTONIC_RAW) => {
            return Err(Errno::EOPNOTSUPP)
        }
        Clock::Host(id) => id,
        Clock::ThreadCpu => return Err(Errno::EOPNOTSUPP),
        // Linux sleeps until the process has used that much CPU, which a
        // process sleeping alone never does; not supported.
        Clock::ProcessCpu => return Err(Errno::EINVAL),
    };
    let d = ts_dur(&t.mm.read_obj(a.addr(2))?)?;
    sleep(t, host, abs, d, a.addr(3))?;
    Ok(0)
}

/// Implements gettimeofday(2).
pub fn sys_gettimeofday(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.addr(0) != 0 {
        let ts = now(t, Clock::Host(CLOCK_REALTIME));
        let tv = Timeval {
            tv_sec: ts.tv_sec,
            tv_usec: ts.tv_nsec / 1000,
        };
        t.mm.write_obj(a.addr(0), &tv)?;
    }
    if a.addr(1) != 0 {
        // The kernel's `sys_tz`, which nothing in the sandbox sets.
        t.mm.write_obj(a.addr(1), &Timezone::default())?;
    }
    Ok(0)
}

/// Implements time(2).
#[allow(clippy::cast_sign_loss)]
pub fn sys_time(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let secs = now(t, Clock::Host(CLOCK_REALTIME)).tv_sec;
    if a.addr(0) != 0 {
        t.mm.write_obj(a.addr(0), &secs)?;
    }
    Ok(secs as u64)
}
