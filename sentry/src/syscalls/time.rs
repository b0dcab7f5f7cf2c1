//! Clocks and sleeping.

use abi::time::*;
use abi::types::{Timespec, Timeval, Timezone};
use abi::Errno;
use nix::time::ClockId;

use crate::arch::SyscallArgs;
use crate::kernel::Task;

const NSEC_PER_SEC: i64 = 1_000_000_000;

/// A clock named by an application's `clockid_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clock {
    /// A host clock the sandbox shares (wall and monotonic time).
    Host(libc::clockid_t),
    /// The CPU time of the calling process or thread.
    ProcessCpu,
    ThreadCpu,
}

/// Linux's `MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)`.
fn cpu_clock_of(pid: i32, per_thread: bool) -> libc::clockid_t {
    (!pid << 3) | 2 | if per_thread { 4 } else { 0 }
}

fn clock(t: &Task, id: i32) -> Result<Clock, Errno> {
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

fn host_clock(t: &Task, c: Clock) -> ClockId {
    let (pid, tid) = t.host_thread;
    match c {
        Clock::Host(id) => ClockId::from_raw(id),
        Clock::ProcessCpu => ClockId::from_raw(cpu_clock_of(pid, false)),
        Clock::ThreadCpu => ClockId::from_raw(cpu_clock_of(tid, true)),
    }
}

fn now(t: &Task, c: Clock) -> Timespec {
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

fn valid(ts: &Timespec) -> bool {
    ts.tv_sec >= 0 && (0..NSEC_PER_SEC).contains(&ts.tv_nsec)
}

fn sleep(t: &Task, id: libc::clockid_t, abs: bool, ts: &Timespec) -> Result<(), Errno> {
    let _ = t;
    let req = nix::sys::time::TimeSpec::new(ts.tv_sec, ts.tv_nsec);
    let flags = if abs {
        nix::time::ClockNanosleepFlags::TIMER_ABSTIME
    } else {
        nix::time::ClockNanosleepFlags::empty()
    };
    // The sentry thread sleeps; signals that interrupt sleeps come with the
    // next issue, and until then a sleep runs to its end.
    let mut left = req;
    let mut flags = flags;
    loop {
        match nix::time::clock_nanosleep(ClockId::from_raw(id), flags, &left) {
            Ok(_) => return Ok(()),
            Err(nix::Error::EINTR) if abs => continue,
            Err(nix::Error::EINTR) => {
                // Without the remainder from nix, finish the sleep against
                // an absolute deadline instead.
                let now =
                    nix::time::clock_gettime(ClockId::from_raw(id)).map_err(|_| Errno::EINVAL)?;
                left = now + req;
                flags = nix::time::ClockNanosleepFlags::TIMER_ABSTIME;
            }
            Err(e) => return Err(Errno::from_raw(e as i32)),
        }
    }
}

/// Implements nanosleep(2).
pub fn sys_nanosleep(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let ts: Timespec = t.mm.read_obj(a.addr(0))?;
    if !valid(&ts) {
        return Err(Errno::EINVAL);
    }
    sleep(t, CLOCK_MONOTONIC, false, &ts)?;
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
    let ts: Timespec = t.mm.read_obj(a.addr(2))?;
    if !valid(&ts) {
        return Err(Errno::EINVAL);
    }
    sleep(t, host, abs, &ts)?;
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
