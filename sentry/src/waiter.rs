//! Sleeping and waking: a [`Waker`] per task, [`WaitQueue`]s on the objects
//! tasks wait for (pipes, child exits, epoll instances), each registration
//! with the events (`POLL*` bits) it cares about.
//!
//! A waiting task registers its waker on the queues it waits on, then loops:
//! clear the waker, test the condition (and whether a signal interrupts),
//! sleep. A notifier changes the condition first and wakes second, so a wake
//! between the test and the sleep is never lost: the sleep returns at once.

pub mod timer;

use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

/// Wakes one sleeping task.
#[derive(Debug, Default)]
pub struct Waker {
    woken: Mutex<bool>,
    cv: Condvar,
}

impl Waker {
    /// Wakes the task if it sleeps, or makes its next sleep return at once.
    pub fn wake(&self) {
        let mut w = self.woken.lock();
        *w = true;
        self.cv.notify_one();
    }

    /// Forgets earlier wakes: call before testing the condition.
    pub fn clear(&self) {
        *self.woken.lock() = false;
    }

    /// Sleeps until woken or until `deadline`; returns whether it was woken.
    pub fn sleep(&self, deadline: Option<Instant>) -> bool {
        let mut w = self.woken.lock();
        while !*w {
            match deadline {
                Some(d) => {
                    if self.cv.wait_until(&mut w, d).timed_out() {
                        return std::mem::take(&mut *w);
                    }
                }
                None => self.cv.wait(&mut w),
            }
        }
        *w = false;
        true
    }
}

/// Something to tell when a queue's object has events. Notifiers call it
/// with none of the object's locks held: a notified party may ask the
/// object for its readiness (`O_ASYNC` does).
pub trait Notify: Send + Sync + std::fmt::Debug {
    fn notify(&self, events: u32);
}

impl Notify for Waker {
    fn notify(&self, _events: u32) {
        self.wake();
    }
}

type Entry = (u32, Arc<dyn Notify>);

/// The tasks (and epoll instances) waiting for something.
#[derive(Debug, Default)]
pub struct WaitQueue {
    waiters: Mutex<Vec<Entry>>,
}

/// Every event.
pub const ALL_EVENTS: u32 = u32::MAX;

impl WaitQueue {
    /// Wakes every waiter.
    pub fn notify_all(&self) {
        self.notify(ALL_EVENTS);
    }

    /// Tells the waiters interested in any of `events`.
    pub fn notify(&self, events: u32) {
        // Copied out, so a notified party may use the queue.
        let targets: Vec<Arc<dyn Notify>> = self
            .waiters
            .lock()
            .iter()
            .filter(|(mask, _)| mask & events != 0)
            .map(|(_, n)| n.clone())
            .collect();
        for n in targets {
            n.notify(events);
        }
    }

    /// Whether anybody waits.
    pub fn has_waiters(&self) -> bool {
        !self.waiters.lock().is_empty()
    }

    /// Registers `waker` for every event until the guard is dropped.
    pub fn register(&self, waker: &Arc<Waker>) -> Registration<'_> {
        self.register_for(waker.clone(), ALL_EVENTS)
    }

    /// Registers `n` for `events` until the guard is dropped.
    pub fn register_for(&self, n: Arc<dyn Notify>, events: u32) -> Registration<'_> {
        self.waiters.lock().push((events, n.clone()));
        Registration { queue: self, n }
    }

    /// Registers `n` for `events` until [`WaitQueue::unregister`].
    pub fn add(&self, n: Arc<dyn Notify>, events: u32) {
        self.waiters.lock().push((events, n));
    }

    /// Removes a registration made with [`WaitQueue::add`].
    pub fn unregister(&self, n: &Arc<dyn Notify>) {
        let mut w = self.waiters.lock();
        if let Some(i) = w.iter().position(|(_, x)| Arc::ptr_eq(x, n)) {
            w.swap_remove(i);
        }
    }
}

/// A waker's place on a queue.
#[derive(Debug)]
pub struct Registration<'a> {
    queue: &'a WaitQueue,
    n: Arc<dyn Notify>,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.queue.unregister(&self.n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_wake_before_the_sleep_is_not_lost() {
        let w = Arc::new(Waker::default());
        w.clear();
        w.wake();
        assert!(w.sleep(Some(Instant::now() + Duration::from_secs(5))));
    }

    #[test]
    fn sleep_times_out() {
        let w = Waker::default();
        assert!(!w.sleep(Some(Instant::now() + Duration::from_millis(5))));
    }

    #[test]
    fn queue_wakes_registered_waiters_only_while_registered() {
        let q = WaitQueue::default();
        let w = Arc::new(Waker::default());
        {
            let _r = q.register(&w);
            assert!(q.has_waiters());
            q.notify_all();
            assert!(w.sleep(Some(Instant::now())));
        }
        assert!(!q.has_waiters());
        q.notify_all();
        assert!(!w.sleep(Some(Instant::now() + Duration::from_millis(1))));
    }
}
