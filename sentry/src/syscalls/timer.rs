//! Timers: alarm, setitimer/getitimer, POSIX timers (timer_*), timerfd.
//!
//! All run on the kernel's timer service. A firing locks the process tree,
//! checks the timer's generation (a re-set timer ignores stale firings),
//! queues its signal and re-arms an interval. CPU-time itimers sample the
//! process's host CPU clock.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use abi::signal::{SIGALRM, SIGPROF, SIGVTALRM, SI_KERNEL, SI_TIMER};
use abi::time::{
    CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET,
    TIMER_ABSTIME,
};
use abi::types::{Itimerspec, Itimerval, Siginfo};
use abi::Errno;

use super::time::{clock, Clock};
use super::timeval::{dur_ts, dur_tv, instant_after, instant_at, left, ts_dur, tv_dur};
use crate::arch::SyscallArgs;
use crate::fsimpl::timerfd::{until_next, TimerFd};
use crate::fsimpl::FileDescription;
use crate::kernel::process::{ITimer, PosixTimer, SigevNotify, Tree};
use crate::kernel::signal::{valid, SiginfoExt};
use crate::kernel::{Kernel, Task};

const NSEC: i128 = 1_000_000_000;

/// The time left of an armed wall timer: at least 1 ns, so that an armed
/// timer never reads as disarmed.
fn left_armed(deadline: Instant) -> Duration {
    left(deadline).max(Duration::from_nanos(1))
}

/// The next deadline of an interval timer that fired at `deadline`, and
/// how many periods were missed.
fn forward(deadline: Instant, interval: Duration) -> (Instant, i32) {
    let late = Instant::now()
        .saturating_duration_since(deadline)
        .as_nanos();
    let missed = late / interval.as_nanos().max(1);
    let periods = u32::try_from(missed + 1).unwrap_or(u32::MAX);
    (
        deadline + interval.saturating_mul(periods),
        i32::try_from(missed).unwrap_or(i32::MAX),
    )
}

// ---- ITIMER_REAL and the CPU itimers ----

const WHICH_SIGNAL: [i32; 3] = [SIGALRM, SIGVTALRM, SIGPROF];

/// The process's CPU time for the CPU itimers, in ns: the precise
/// (scheduler) CPU clock of the host process running the application.
/// Linux's VIRTUAL and PROF clocks are tick-sampled splits of the same
/// time; with every application syscall stopping the stub, tick sampling
/// misattributes whole ticks, so both use the precise sum (the stub's own
/// system time is negligible: the sentry serves the syscalls).
fn cpu_ns(host_pid: i32, _which: usize) -> i128 {
    cpu_clock_ns(super::time::cpu_clock_of(host_pid, false))
}

fn arm_itimer(kernel: &Arc<Kernel>, tgid: i32, which: usize, generation: u64, at: Instant) -> u64 {
    let k: Weak<Kernel> = Arc::downgrade(kernel);
    kernel.timers.arm(
        at,
        Arc::new(move || {
            if let Some(k) = k.upgrade() {
                fire_itimer(&k, tgid, which, generation);
            }
        }),
    )
}

fn fire_itimer(kernel: &Arc<Kernel>, tgid: i32, which: usize, generation: u64) {
    let mut tree = kernel.tree.lock();
    let Some(p) = tree.procs.get_mut(&tgid) else {
        return;
    };
    let host_pid = p.host_pid;
    let it = &mut p.itimers[which];
    if it.generation != generation {
        return;
    }
    it.armed = None;
    let fire = if which == 0 {
        let Some(deadline) = it.deadline else { return };
        if it.interval.is_zero() {
            it.deadline = None;
        } else {
            let (next, _) = forward(deadline, it.interval);
            it.deadline = Some(next);
            it.armed = Some(arm_itimer(kernel, tgid, which, generation, next));
        }
        true
    } else {
        let Some(expiry) = it.cpu_expiry_ns else {
            return;
        };
        let used = cpu_ns(host_pid, which);
        let fire = used >= expiry;
        let next_expiry = if fire {
            (!it.interval.is_zero())
                .then(|| expiry + i128::try_from(it.interval.as_nanos()).unwrap_or(i128::MAX))
        } else {
            Some(expiry)
        };
        it.cpu_expiry_ns = next_expiry;
        if let Some(e) = next_expiry {
            // CPU time cannot outrun the wall clock by more than the
            // thread count; sample again when it could have expired.
            let wait = u64::try_from((e - used).max(1_000_000)).unwrap_or(u64::MAX);
            let at = instant_after(Duration::from_nanos(wait / 2));
            it.armed = Some(arm_itimer(kernel, tgid, which, generation, at));
        }
        fire
    };
    if fire {
        let info = Siginfo::new(WHICH_SIGNAL[which], SI_KERNEL);
        tree.send_to_process(tgid, info);
    }
}

/// Sets itimer `which`; returns the old (value, interval).
fn set_itimer(t: &Task, which: usize, value: Duration, interval: Duration) -> (Duration, Duration) {
    let mut tree = t.kernel.tree.lock();
    let p = tree.procs.get_mut(&t.tgid).expect("the caller's process");
    let host_pid = p.host_pid;
    let it = &mut p.itimers[which];
    let old = get_itimer_of(it, host_pid, which);
    if let Some(id) = it.armed.take() {
        t.kernel.timers.cancel(id);
    }
    it.generation += 1;
    it.interval = interval;
    it.deadline = None;
    it.cpu_expiry_ns = None;
    if !value.is_zero() {
        let generation = it.generation;
        let at = if which == 0 {
            let at = instant_after(value);
            it.deadline = Some(at);
            at
        } else {
            let v = i128::try_from(value.as_nanos()).unwrap_or(i128::MAX);
            it.cpu_expiry_ns = Some(cpu_ns(host_pid, which) + v);
            instant_after(value / 2)
        };
        it.armed = Some(arm_itimer(&t.kernel, t.tgid, which, generation, at));
    }
    old
}

fn get_itimer_of(it: &ITimer, host_pid: i32, which: usize) -> (Duration, Duration) {
    let value = if which == 0 {
        it.deadline.map_or(Duration::ZERO, left_armed)
    } else {
        it.cpu_expiry_ns.map_or(Duration::ZERO, |e| {
            let ns = (e - cpu_ns(host_pid, which)).max(1);
            Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
        })
    };
    (value, it.interval)
}

fn which_of(w: i32) -> Result<usize, Errno> {
    usize::try_from(w)
        .ok()
        .filter(|&w| w < 3)
        .ok_or(Errno::EINVAL)
}

/// Implements setitimer(2). A NULL new value disarms, as Linux now does.
pub fn sys_setitimer(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let which = which_of(a.int(0))?;
    let (value, interval) = if a.addr(1) == 0 {
        (Duration::ZERO, Duration::ZERO)
    } else {
        let v: Itimerval = t.mm.read_obj(a.addr(1))?;
        (tv_dur(&v.it_value)?, tv_dur(&v.it_interval)?)
    };
    let (ov, oi) = set_itimer(t, which, value, interval);
    if a.addr(2) != 0 {
        let old = Itimerval {
            it_interval: dur_tv(oi),
            it_value: dur_tv(ov),
        };
        t.mm.write_obj(a.addr(2), &old)?;
    }
    Ok(0)
}

/// Implements getitimer(2).
pub fn sys_getitimer(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let which = which_of(a.int(0))?;
    let (v, i) = {
        let tree = t.kernel.tree.lock();
        let p = &tree.procs[&t.tgid];
        get_itimer_of(&p.itimers[which], p.host_pid, which)
    };
    let cur = Itimerval {
        it_interval: dur_tv(i),
        it_value: dur_tv(v),
    };
    t.mm.write_obj(a.addr(1), &cur)?;
    Ok(0)
}

/// Implements alarm(2): the old timer's seconds, rounded to nearest.
pub fn sys_alarm(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let secs = Duration::from_secs(u64::from(a.uint(0)));
    let (old, _) = set_itimer(t, 0, secs, Duration::ZERO);
    let mut s = old.as_secs();
    if (s == 0 && old.subsec_nanos() > 0) || old.subsec_micros() >= 500_000 {
        s += 1;
    }
    Ok(s)
}

// ---- POSIX timers ----

const SIGEV_SIGNAL: i32 = 0;
const SIGEV_NONE: i32 = 1;
const SIGEV_THREAD: i32 = 2;
const SIGEV_THREAD_ID: i32 = 4;

fn arm_posix(kernel: &Arc<Kernel>, tgid: i32, id: i32, generation: u64, at: Instant) -> u64 {
    let k: Weak<Kernel> = Arc::downgrade(kernel);
    kernel.timers.arm(
        at,
        Arc::new(move || {
            if let Some(k) = k.upgrade() {
                fire_posix(&k, tgid, id, generation);
            }
        }),
    )
}

fn fire_posix(kernel: &Arc<Kernel>, tgid: i32, id: i32, generation: u64) {
    let mut tree = kernel.tree.lock();
    let Some(timer) = tree
        .procs
        .get_mut(&tgid)
        .and_then(|p| p.timers.get_mut(&id))
    else {
        return;
    };
    if timer.timer.generation != generation {
        return;
    }
    timer.timer.armed = None;
    if let Some(cpu) = timer.cpu_clock {
        let Some(expiry) = timer.timer.cpu_expiry_ns else {
            return;
        };
        let used = cpu_clock_ns(cpu);
        let next = if used >= expiry {
            (!timer.timer.interval.is_zero()).then(|| {
                expiry + i128::try_from(timer.timer.interval.as_nanos()).unwrap_or(i128::MAX)
            })
        } else {
            Some(expiry)
        };
        timer.timer.cpu_expiry_ns = next;
        if let Some(e) = next {
            let wait = u64::try_from((e - used).max(1_000_000)).unwrap_or(u64::MAX);
            let at = instant_after(Duration::from_nanos(wait / 2));
            timer.timer.armed = Some(arm_posix(kernel, tgid, id, generation, at));
        }
        if used < expiry {
            return;
        }
        let notify = timer.notify;
        if notify == SigevNotify::None {
            return;
        }
        if timer.queued {
            timer.overrun = timer.overrun.saturating_add(1);
            return;
        }
        timer.queued = true;
        send_timer_signal(&mut tree, tgid, id, notify);
        return;
    }
    let Some(deadline) = timer.timer.deadline else {
        return;
    };
    let mut missed = 0;
    if timer.timer.interval.is_zero() {
        timer.timer.deadline = None;
    } else {
        let (next, m) = forward(deadline, timer.timer.interval);
        missed = m;
        timer.timer.deadline = Some(next);
        timer.timer.armed = Some(arm_posix(kernel, tgid, id, generation, next));
    }
    let notify = timer.notify;
    if notify == SigevNotify::None {
        return;
    }
    if timer.queued {
        timer.overrun = timer.overrun.saturating_add(1 + missed);
        return;
    }
    timer.queued = true;
    timer.overrun = missed;
    send_timer_signal(&mut tree, tgid, id, notify);
}

fn send_timer_signal(tree: &mut Tree, tgid: i32, id: i32, notify: SigevNotify) {
    let (signo, value, tid) = match notify {
        SigevNotify::None => return,
        SigevNotify::Signal { signo, value } => (signo, value, None),
        SigevNotify::Thread { signo, value, tid } => (signo, value, Some(tid)),
    };
    let mut info = Siginfo::new(signo, SI_TIMER);
    info.put_i32(0, id);
    info.set_value(value);
    match tid {
        Some(tid) if tree.threads.contains_key(&tid) => tree.send_to_thread(tid, info),
        _ => tree.send_to_process(tgid, info),
    }
}

/// `struct sigevent`: value, signo, notify, then the thread id.
fn read_sigevent(t: &Task, addr: u64) -> Result<SigevNotify, Errno> {
    let mut b = [0u8; 24];
    t.mm.copy_in(addr, &mut b)?;
    let value = u64::from_le_bytes(b[0..8].try_into().expect("8"));
    let signo = i32::from_le_bytes(b[8..12].try_into().expect("4"));
    let notify = i32::from_le_bytes(b[12..16].try_into().expect("4"));
    let tid = i32::from_le_bytes(b[16..20].try_into().expect("4"));
    match notify {
        SIGEV_NONE => Ok(SigevNotify::None),
        SIGEV_SIGNAL | SIGEV_THREAD if valid(signo) => Ok(SigevNotify::Signal { signo, value }),
        SIGEV_THREAD_ID if valid(signo) => {
            let tree = t.kernel.tree.lock();
            match tree.threads.get(&tid) {
                Some(th) if th.tgid == t.tgid => Ok(SigevNotify::Thread { signo, value, tid }),
                _ => Err(Errno::EINVAL),
            }
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The clock a POSIX timer runs on: a wall clock, or (second) the host
/// CPU clock to sample for a CPU-time one.
fn timer_clock(t: &Task, id: i32) -> Result<(i32, Option<i32>), Errno> {
    match clock(t, id)? {
        Clock::Host(h @ (CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME)) => Ok((h, None)),
        Clock::Host(_) => Err(Errno::EINVAL),
        c @ (Clock::ProcessCpu | Clock::ThreadCpu) => Ok((
            CLOCK_MONOTONIC,
            Some(super::time::host_clock(t, c).as_raw()),
        )),
    }
}

fn cpu_clock_ns(id: i32) -> i128 {
    nix::time::clock_gettime(nix::time::ClockId::from_raw(id)).map_or(0, |ts| {
        i128::from(ts.tv_sec()) * NSEC + i128::from(ts.tv_nsec())
    })
}

/// Implements timer_create(2).
pub fn sys_timer_create(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (clock, cpu_clock) = timer_clock(t, a.int(0))?;
    let notify = if a.addr(1) == 0 {
        SigevNotify::Signal {
            signo: SIGALRM,
            value: 0,
        }
    } else {
        read_sigevent(t, a.addr(1))?
    };
    let id = {
        let mut tree = t.kernel.tree.lock();
        let p = tree.procs.get_mut(&t.tgid).expect("the caller's process");
        let id = (0..i32::MAX)
            .find(|i| !p.timers.contains_key(i))
            .ok_or(Errno::EAGAIN)?;
        let mut notify = notify;
        // Without a sigevent, si_value is the timer id.
        if a.addr(1) == 0 {
            notify = SigevNotify::Signal {
                signo: SIGALRM,
                value: u64::try_from(id).expect("non-negative"),
            };
        }
        p.timers.insert(
            id,
            PosixTimer {
                clock,
                cpu_clock,
                notify,
                timer: ITimer::default(),
                overrun: 0,
                overrun_last: 0,
                queued: false,
            },
        );
        id
    };
    if let Err(e) = t.mm.write_obj(a.addr(2), &id) {
        let mut tree = t.kernel.tree.lock();
        if let Some(p) = tree.procs.get_mut(&t.tgid) {
            p.timers.remove(&id);
        }
        return Err(e);
    }
    Ok(0)
}

/// The time left before a POSIX timer fires (0 when disarmed).
fn remaining(timer: &PosixTimer) -> Duration {
    match (timer.cpu_clock, timer.timer.cpu_expiry_ns) {
        (Some(c), Some(e)) => {
            let ns = (e - cpu_clock_ns(c)).max(1);
            Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
        }
        (Some(_), None) => Duration::ZERO,
        _ => timer
            .timer
            .deadline
            .map_or(Duration::ZERO, |d| until_next(d, timer.timer.interval)),
    }
}

fn timer_id(a: &SyscallArgs) -> i32 {
    a.int(0)
}

/// Implements timer_settime(2).
pub fn sys_timer_settime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let id = timer_id(a);
    let flags = a.int(1);
    if a.addr(2) == 0 {
        return Err(Errno::EINVAL);
    }
    let spec: Itimerspec = t.mm.read_obj(a.addr(2))?;
    let value = ts_dur(&spec.it_value)?;
    let interval = ts_dur(&spec.it_interval)?;
    let (clock, cpu_clock) = {
        let tree = t.kernel.tree.lock();
        let timer = tree.procs[&t.tgid].timers.get(&id).ok_or(Errno::EINVAL)?;
        (timer.clock, timer.cpu_clock)
    };
    let cpu_expiry = cpu_clock.filter(|_| !value.is_zero()).map(|c| {
        let v = i128::try_from(value.as_nanos()).unwrap_or(i128::MAX);
        if flags & TIMER_ABSTIME != 0 {
            v
        } else {
            cpu_clock_ns(c) + v
        }
    });
    let at = if value.is_zero() {
        None
    } else if cpu_clock.is_some() {
        // Sampled: first look when the CPU time could have been used.
        Some(instant_after(value / 2))
    } else if flags & TIMER_ABSTIME != 0 {
        Some(instant_at(clock, value))
    } else {
        Some(instant_after(value))
    };
    let old = {
        let mut tree = t.kernel.tree.lock();
        let timer = tree
            .procs
            .get_mut(&t.tgid)
            .and_then(|p| p.timers.get_mut(&id))
            .ok_or(Errno::EINVAL)?;
        let old = (remaining(timer), timer.timer.interval);
        if let Some(armed) = timer.timer.armed.take() {
            t.kernel.timers.cancel(armed);
        }
        timer.timer.generation += 1;
        timer.timer.interval = interval;
        timer.timer.deadline = if cpu_clock.is_some() { None } else { at };
        timer.timer.cpu_expiry_ns = cpu_expiry;
        if let Some(at) = at {
            let generation = timer.timer.generation;
            timer.timer.armed = Some(arm_posix(&t.kernel, t.tgid, id, generation, at));
        }
        old
    };
    if a.addr(3) != 0 {
        let o = Itimerspec {
            it_interval: dur_ts(old.1),
            it_value: dur_ts(old.0),
        };
        t.mm.write_obj(a.addr(3), &o)?;
    }
    Ok(0)
}

/// Implements timer_gettime(2).
pub fn sys_timer_gettime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let id = timer_id(a);
    let (v, i) = {
        let tree = t.kernel.tree.lock();
        let timer = tree.procs[&t.tgid].timers.get(&id).ok_or(Errno::EINVAL)?;
        (remaining(timer), timer.timer.interval)
    };
    let spec = Itimerspec {
        it_interval: dur_ts(i),
        it_value: dur_ts(v),
    };
    t.mm.write_obj(a.addr(1), &spec)?;
    Ok(0)
}

/// Implements timer_getoverrun(2).
pub fn sys_timer_getoverrun(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let tree = t.kernel.tree.lock();
    let timer = tree.procs[&t.tgid]
        .timers
        .get(&timer_id(a))
        .ok_or(Errno::EINVAL)?;
    Ok(u64::try_from(timer.overrun_last).unwrap_or(0))
}

/// Implements timer_delete(2).
pub fn sys_timer_delete(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mut tree = t.kernel.tree.lock();
    let timer = tree
        .procs
        .get_mut(&t.tgid)
        .and_then(|p| p.timers.remove(&timer_id(a)))
        .ok_or(Errno::EINVAL)?;
    if let Some(id) = timer.timer.armed {
        t.kernel.timers.cancel(id);
    }
    Ok(0)
}

// ---- timerfd ----

const TFD_CLOEXEC: i32 = libc::O_CLOEXEC;
const TFD_NONBLOCK: i32 = libc::O_NONBLOCK;

/// Implements timerfd_create(2).
pub fn sys_timerfd_create(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, flags) = (a.int(0), a.int(1));
    if flags & !(TFD_CLOEXEC | TFD_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    if !matches!(id, CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME) {
        return Err(Errno::EINVAL);
    }
    let tfd = TimerFd::new(t.kernel.timers.clone(), id);
    let file = FileDescription::new(Box::new(tfd), libc::O_RDWR | (flags & TFD_NONBLOCK));
    super::fd::install(t, file, flags & TFD_CLOEXEC != 0)
}

fn timerfd(t: &Task, fd: i32) -> Result<Arc<FileDescription>, Errno> {
    let f = t.fds.lock().get(fd)?;
    if TimerFd::of(&f).is_none() {
        return Err(Errno::EINVAL);
    }
    Ok(f)
}

/// Implements timerfd_settime(2).
pub fn sys_timerfd_settime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(1);
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0 {
        return Err(Errno::EINVAL);
    }
    let spec: Itimerspec = t.mm.read_obj(a.addr(2))?;
    let value = ts_dur(&spec.it_value)?;
    let interval = ts_dur(&spec.it_interval)?;
    let f = timerfd(t, a.fd(0))?;
    let tfd = TimerFd::of(&f).expect("checked");
    let at = if value.is_zero() {
        None
    } else if flags & TFD_TIMER_ABSTIME != 0 {
        Some(instant_at(tfd.clock(), value))
    } else {
        Some(instant_after(value))
    };
    let (ov, oi) = tfd.set(at, interval);
    if a.addr(3) != 0 {
        let o = Itimerspec {
            it_interval: dur_ts(oi),
            it_value: dur_ts(ov),
        };
        t.mm.write_obj(a.addr(3), &o)?;
    }
    Ok(0)
}

/// Implements timerfd_gettime(2).
pub fn sys_timerfd_gettime(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let f = timerfd(t, a.fd(0))?;
    let (v, i) = TimerFd::of(&f).expect("checked").get();
    let spec = Itimerspec {
        it_interval: dur_ts(i),
        it_value: dur_ts(v),
    };
    t.mm.write_obj(a.addr(1), &spec)?;
    Ok(0)
}
