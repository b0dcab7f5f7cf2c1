//! timerfd: a timer whose expirations are read as a count (`fs/timerfd.c`).

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use super::events::{POLLIN, POLLRDNORM};
use super::FileImpl;
use crate::waiter::timer::Timers;
use crate::waiter::WaitQueue;

#[derive(Debug, Default)]
struct State {
    /// The next expiry, when armed.
    deadline: Option<Instant>,
    interval: Duration,
    expirations: u64,
    /// The service's id of the armed timer.
    armed: Option<u64>,
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    queue: WaitQueue,
}

/// A timerfd.
#[derive(Debug)]
pub struct TimerFd {
    inner: Arc<Inner>,
    timers: Arc<Timers>,
    clock: i32,
}

impl TimerFd {
    pub fn new(timers: Arc<Timers>, clock: i32) -> TimerFd {
        TimerFd {
            clock,
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                queue: WaitQueue::default(),
            }),
            timers,
        }
    }

    /// The clock it runs on.
    pub fn clock(&self) -> i32 {
        self.clock
    }

    /// The time left and the interval (`timerfd_gettime`).
    pub fn get(&self) -> (Duration, Duration) {
        let st = self.inner.state.lock();
        let left = st
            .deadline
            .map_or(Duration::ZERO, |d| until_next(d, st.interval));
        (left, st.interval)
    }

    /// Arms (or, with `None`, disarms) the timer; returns the old setting.
    /// Unread expirations are dropped.
    pub fn set(&self, first: Option<Instant>, interval: Duration) -> (Duration, Duration) {
        let old = self.get();
        let mut st = self.inner.state.lock();
        if let Some(id) = st.armed.take() {
            self.timers.cancel(id);
        }
        st.expirations = 0;
        st.deadline = first;
        st.interval = interval;
        if let Some(at) = first {
            st.armed = Some(arm(&self.timers, &self.inner, at));
        }
        old
    }

    /// The file behind a description, if it is a timerfd.
    pub fn of(f: &super::FileDescription) -> Option<&TimerFd> {
        f.imp().as_timerfd()
    }
}

/// The time to the next expiry of a timer due at `deadline`: when the
/// timer thread is late with a periodic timer, the next period's (Linux
/// forwards the timer when it is read), never zero while armed.
pub fn until_next(deadline: Instant, interval: Duration) -> Duration {
    let now = Instant::now();
    if deadline > now {
        return deadline - now;
    }
    if interval.is_zero() {
        return Duration::from_nanos(1);
    }
    let late = (now - deadline).as_nanos() % interval.as_nanos();
    interval - Duration::from_nanos(u64::try_from(late).unwrap_or(0))
}

fn arm(timers: &Arc<Timers>, inner: &Arc<Inner>, at: Instant) -> u64 {
    let weak: Weak<Inner> = Arc::downgrade(inner);
    let t = Arc::downgrade(timers);
    timers.arm(
        at,
        Arc::new(move || {
            if let (Some(inner), Some(timers)) = (weak.upgrade(), t.upgrade()) {
                fire(&timers, &inner);
            }
        }),
    )
}

fn fire(timers: &Arc<Timers>, inner: &Arc<Inner>) {
    {
        let mut st = inner.state.lock();
        let Some(deadline) = st.deadline else {
            return;
        };
        let now = Instant::now();
        if st.interval.is_zero() {
            st.expirations += 1;
            st.deadline = None;
            st.armed = None;
        } else {
            // Count the periods that passed, as hrtimer_forward does.
            let late = now.saturating_duration_since(deadline).as_nanos();
            let missed = u64::try_from(late / st.interval.as_nanos()).unwrap_or(u64::MAX);
            st.expirations = st.expirations.saturating_add(1 + missed);
            let periods = u32::try_from(missed.saturating_add(1)).unwrap_or(u32::MAX);
            let next = deadline + st.interval.saturating_mul(periods);
            st.deadline = Some(next);
            st.armed = Some(arm(timers, inner, next));
        }
    }
    inner.queue.notify(POLLIN | POLLRDNORM);
}

impl FileImpl for TimerFd {
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        if buf.len() < 8 {
            return Err(Errno::EINVAL);
        }
        let n = std::mem::take(&mut self.inner.state.lock().expirations);
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        buf[..8].copy_from_slice(&n.to_le_bytes());
        Ok(8)
    }

    fn anon_name(&self) -> Option<&'static str> {
        Some("[timerfd]")
    }

    fn fdinfo(&self) -> String {
        let ticks = self.inner.state.lock().expirations;
        let (value, interval) = self.get();
        // The TFD_TIMER_* flags of the last settime are not kept.
        format!(
            "clockid: {}\nticks: {ticks}\nsettime flags: 00\nit_value: ({}, {})\nit_interval: ({}, {})\n",
            self.clock,
            value.as_secs(),
            value.subsec_nanos(),
            interval.as_secs(),
            interval.subsec_nanos()
        )
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(super::eventfd::anon_stat())
    }

    fn consumes_before_copy(&self) -> bool {
        true
    }

    fn readiness(&self) -> u32 {
        if self.inner.state.lock().expirations > 0 {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.inner.queue)
    }

    fn as_timerfd(&self) -> Option<&TimerFd> {
        Some(self)
    }
}

impl Drop for TimerFd {
    fn drop(&mut self) {
        if let Some(id) = self.inner.state.lock().armed.take() {
            self.timers.cancel(id);
        }
    }
}
