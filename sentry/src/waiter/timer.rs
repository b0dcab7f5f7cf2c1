//! One host thread that runs callbacks at deadlines: the clock behind
//! itimers, POSIX timers and timerfds. Callbacks run on that thread, must
//! not block, and may arm further timers.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

/// What runs when a timer fires.
pub type Callback = Arc<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct Heap {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    armed: HashMap<u64, Callback>,
    next_id: u64,
    thread_started: bool,
}

/// The timer service.
#[derive(Default)]
pub struct Timers {
    heap: Mutex<Heap>,
    cv: Condvar,
}

impl std::fmt::Debug for Timers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timers").finish_non_exhaustive()
    }
}

impl Timers {
    /// Runs `f` at `at` (at once if that has passed); returns an id for
    /// [`Timers::cancel`].
    pub fn arm(self: &Arc<Self>, at: Instant, f: Callback) -> u64 {
        let mut h = self.heap.lock();
        if !h.thread_started {
            h.thread_started = true;
            let me = Arc::downgrade(self);
            std::thread::Builder::new()
                .name("timers".into())
                .spawn(move || run(&me))
                .expect("spawn the timer thread");
        }
        h.next_id += 1;
        let id = h.next_id;
        h.heap.push(Reverse((at, id)));
        h.armed.insert(id, f);
        self.cv.notify_one();
        id
    }

    /// Disarms a timer; false if it already fired or was cancelled.
    pub fn cancel(&self, id: u64) -> bool {
        self.heap.lock().armed.remove(&id).is_some()
    }
}

fn run(timers: &std::sync::Weak<Timers>) {
    loop {
        let Some(t) = timers.upgrade() else {
            return;
        };
        let due: Vec<Callback> = {
            let mut h = t.heap.lock();
            let now = Instant::now();
            let mut due = Vec::new();
            while let Some(Reverse((at, id))) = h.heap.peek().copied() {
                if at > now {
                    break;
                }
                h.heap.pop();
                if let Some(f) = h.armed.remove(&id) {
                    due.push(f);
                }
            }
            if due.is_empty() {
                let next = h.heap.peek().map(|Reverse((at, _))| *at);
                match next {
                    Some(at) => {
                        t.cv.wait_until(&mut h, at);
                    }
                    None => {
                        // Wake now and then to notice the service is gone.
                        t.cv.wait_for(&mut h, std::time::Duration::from_millis(500));
                    }
                }
            }
            due
        };
        for f in due {
            f();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn fires_in_order_and_cancel_works() {
        let t = Arc::new(Timers::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let now = Instant::now();
        for (i, ms) in [(1, 30u64), (2, 10), (3, 20)] {
            let l = log.clone();
            t.arm(
                now + Duration::from_millis(ms),
                Arc::new(move || l.lock().push(i)),
            );
        }
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let id = t.arm(
            now + Duration::from_millis(15),
            Arc::new(move || {
                h.fetch_add(1, Ordering::SeqCst);
            }),
        );
        assert!(t.cancel(id));
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(*log.lock(), vec![2, 3, 1]);
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }
}
