//! Clock ids and timer flags (<linux/time.h>, <linux/timerfd.h>).

named_consts! {
    /// The name of a static clock id, "CLOCK_MONOTONIC". Negative ids are
    /// the dynamic CPU-time and fd clocks and have none.
    pub fn clock_name(i32) {
        CLOCK_REALTIME = 0,
        CLOCK_MONOTONIC = 1,
        CLOCK_PROCESS_CPUTIME_ID = 2,
        CLOCK_THREAD_CPUTIME_ID = 3,
        CLOCK_MONOTONIC_RAW = 4,
        CLOCK_REALTIME_COARSE = 5,
        CLOCK_MONOTONIC_COARSE = 6,
        CLOCK_BOOTTIME = 7,
        CLOCK_REALTIME_ALARM = 8,
        CLOCK_BOOTTIME_ALARM = 9,
        /// Number 10 was CLOCK_SGI_CYCLE, long gone.
        CLOCK_TAI = 11,
    }
}

named_consts! {
    /// The name of an interval timer of getitimer/setitimer, "ITIMER_REAL".
    pub fn itimer_name(i32) {
        ITIMER_REAL = 0,
        ITIMER_VIRTUAL = 1,
        ITIMER_PROF = 2,
    }
}

/// clock_nanosleep and timer_settime flag: the time is absolute.
pub const TIMER_ABSTIME: i32 = 1;

/// timerfd_settime flag: the time is absolute.
pub const TFD_TIMER_ABSTIME: i32 = 1;
/// timerfd_settime flag: fail with ECANCELED when the realtime clock is set.
pub const TFD_TIMER_CANCEL_ON_SET: i32 = 2;

pub const NSEC_PER_SEC: i64 = 1_000_000_000;
pub const USEC_PER_SEC: i64 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_names_skip_the_retired_id() {
        assert_eq!(clock_name(CLOCK_TAI), Some("CLOCK_TAI"));
        assert_eq!(clock_name(10), None);
        assert_eq!(clock_name(-2), None);
        assert_eq!(itimer_name(2), Some("ITIMER_PROF"));
    }
}
