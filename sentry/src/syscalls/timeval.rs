//! Time arguments, one way for every family: timespecs and timevals in and
//! out, relative and absolute deadlines as `Instant`s, the time left.

use std::time::{Duration, Instant};

use abi::types::{Timespec, Timeval};
use abi::Errno;

use crate::kernel::Task;

/// A `timespec` as a duration: EINVAL for a negative or denormal one.
pub fn ts_dur(ts: &Timespec) -> Result<Duration, Errno> {
    if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    let ns = u32::try_from(ts.tv_nsec).expect("checked");
    Ok(Duration::new(ts.tv_sec.cast_unsigned(), ns))
}

/// A `timeval` as a duration: EINVAL for a negative or denormal one.
pub fn tv_dur(tv: &Timeval) -> Result<Duration, Errno> {
    if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(Errno::EINVAL);
    }
    let us = u64::try_from(tv.tv_usec).expect("checked");
    Ok(Duration::from_secs(tv.tv_sec.cast_unsigned()) + Duration::from_micros(us))
}

pub fn dur_ts(d: Duration) -> Timespec {
    Timespec {
        tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

pub fn dur_tv(d: Duration) -> Timeval {
    Timeval {
        tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        tv_usec: i64::from(d.subsec_micros()),
    }
}

/// Reads an optional `timespec` argument (NULL is `None`).
pub fn read_timespec(t: &Task, addr: u64) -> Result<Option<Duration>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    ts_dur(&t.mm.read_obj(addr)?).map(Some)
}

pub fn write_timespec(t: &Task, addr: u64, d: Duration) -> Result<(), Errno> {
    t.mm.write_obj(addr, &dur_ts(d))
}

/// `d` from now; a duration too long for an `Instant` means "for ages".
pub fn instant_after(d: Duration) -> Instant {
    Instant::now()
        .checked_add(d)
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 32))
}

/// The instant absolute time `abs` on host clock `id` comes; now if passed.
pub fn instant_at(id: libc::clockid_t, abs: Duration) -> Instant {
    let cur = crate::kernel::clock_ns(id);
    let ahead = i128::try_from(abs.as_nanos()).unwrap_or(i128::MAX) - cur;
    if ahead <= 0 {
        Instant::now()
    } else {
        instant_after(Duration::from_nanos(
            u64::try_from(ahead).unwrap_or(u64::MAX),
        ))
    }
}

/// The time left until `deadline`, zero once it has passed.
pub fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}
