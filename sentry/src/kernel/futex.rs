//! Futex wait queues, keyed by the futex word's identity.
//!
//! A waiter checks the word and queues itself under the queues lock, so a
//! waker that changes the word and then wakes (under the same lock) is
//! never missed. Requeue moves waiters between keys; PI unlock hands the
//! lock to the first waiter, as Linux does.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use abi::Errno;
use parking_lot::Mutex;

use super::wait::Waker;

/// What identifies a futex word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FutexKey {
    /// A word in private memory: this address space, this address, and
    /// whether the operation was a shared (non-`FUTEX_PRIVATE_FLAG`) one.
    Private {
        mm: usize,
        addr: u64,
        shared_op: bool,
    },
    /// A word in shared memory: its place in the memory file.
    Shared { offset: u64 },
}

/// One task waiting on a futex.
#[derive(Debug)]
pub struct Waiter {
    key: Mutex<FutexKey>,
    bitset: u32,
    /// The waiter's tid, for PI hand-over.
    pub tid: i32,
    /// Waits for a PI lock: plain wakes and requeues must not touch it.
    pub pi: bool,
    woken: AtomicBool,
    waker: Arc<Waker>,
}

impl Waiter {
    pub fn is_woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }
}

/// All futex queues of the sandbox.
#[derive(Debug, Default)]
pub struct Futexes {
    queues: Mutex<HashMap<FutexKey, VecDeque<Arc<Waiter>>>>,
}

impl Futexes {
    /// Queues a waiter on `key` if `check` (run under the queues lock)
    /// says so; its error (EAGAIN for a changed word) is returned as is,
    /// and `Ok(false)` (a PI lock taken at once) queues nothing.
    pub fn enqueue(
        &self,
        key: FutexKey,
        bitset: u32,
        tid: i32,
        pi: bool,
        waker: &Arc<Waker>,
        check: impl FnOnce() -> Result<bool, Errno>,
    ) -> Result<Option<Arc<Waiter>>, Errno> {
        let mut q = self.queues.lock();
        if !check()? {
            return Ok(None);
        }
        let w = Arc::new(Waiter {
            key: Mutex::new(key),
            bitset,
            tid,
            pi,
            woken: AtomicBool::new(false),
            waker: waker.clone(),
        });
        q.entry(key).or_default().push_back(w.clone());
        Ok(Some(w))
    }

    /// Takes a waiter off its queue if it is still there (timeout, signal);
    /// returns whether it had been woken meanwhile.
    pub fn dequeue(&self, w: &Arc<Waiter>) -> bool {
        let mut q = self.queues.lock();
        let key = *w.key.lock();
        if let Some(list) = q.get_mut(&key) {
            list.retain(|x| !Arc::ptr_eq(x, w));
            if list.is_empty() {
                q.remove(&key);
            }
        }
        w.is_woken()
    }

    /// Wakes up to `n` waiters of `key` whose bitset meets `bitset`;
    /// EINVAL if a PI waiter is queued there.
    pub fn wake(&self, key: FutexKey, n: usize, bitset: u32) -> Result<usize, Errno> {
        let mut q = self.queues.lock();
        Self::check_not_pi(&q, key)?;
        Ok(Self::wake_locked(&mut q, key, n, bitset))
    }

    fn check_not_pi(
        q: &HashMap<FutexKey, VecDeque<Arc<Waiter>>>,
        key: FutexKey,
    ) -> Result<(), Errno> {
        if q.get(&key).is_some_and(|l| l.iter().any(|w| w.pi)) {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    fn wake_locked(
        q: &mut HashMap<FutexKey, VecDeque<Arc<Waiter>>>,
        key: FutexKey,
        n: usize,
        bitset: u32,
    ) -> usize {
        let Some(list) = q.get_mut(&key) else {
            return 0;
        };
        let mut woken = 0;
        list.retain(|w| {
            if woken < n && w.bitset & bitset != 0 {
                woken += 1;
                w.woken.store(true, Ordering::SeqCst);
                w.waker.wake();
                false
            } else {
                true
            }
        });
        if list.is_empty() {
            q.remove(&key);
        }
        woken
    }

    /// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes `n_wake` waiters of `from`
    /// and moves up to `n_move` more to `to`, after `check` passes (under
    /// the lock). Returns woken + moved.
    pub fn requeue(
        &self,
        from: FutexKey,
        to: FutexKey,
        n_wake: usize,
        n_move: usize,
        check: impl FnOnce() -> Result<(), Errno>,
    ) -> Result<usize, Errno> {
        let mut q = self.queues.lock();
        Self::check_not_pi(&q, from)?;
        Self::check_not_pi(&q, to)?;
        check()?;
        let woken = Self::wake_locked(&mut q, from, n_wake, u32::MAX);
        if from == to {
            // Requeueing onto the same word moves nobody but counts them.
            let left = q.get(&from).map_or(0, VecDeque::len);
            return Ok(woken + left.min(n_move));
        }
        let mut moved = Vec::new();
        if let Some(list) = q.get_mut(&from) {
            while moved.len() < n_move {
                let Some(w) = list.pop_front() else { break };
                moved.push(w);
            }
            if list.is_empty() {
                q.remove(&from);
            }
        }
        let n = moved.len();
        let dest = q.entry(to).or_default();
        for w in moved {
            *w.key.lock() = to;
            dest.push_back(w);
        }
        Ok(woken + n)
    }

    /// FUTEX_WAKE_OP: runs `op` (which updates the second word and says
    /// whether its old value passed the comparison) under the lock, then
    /// wakes `n1` waiters of `k1` and, if it passed, `n2` of `k2`.
    pub fn wake_op(
        &self,
        k1: FutexKey,
        k2: FutexKey,
        n1: usize,
        n2: usize,
        op: impl FnOnce() -> Result<bool, Errno>,
    ) -> Result<usize, Errno> {
        let mut q = self.queues.lock();
        let passed = op()?;
        let mut woken = Self::wake_locked(&mut q, k1, n1, u32::MAX);
        if passed {
            woken += Self::wake_locked(&mut q, k2, n2, u32::MAX);
        }
        Ok(woken)
    }

    /// PI unlock: under the lock, `release` is given the first waiter's tid
    /// (if any) and whether more wait, and updates the word; that waiter is
    /// then woken as the new owner.
    pub fn unlock_pi(
        &self,
        key: FutexKey,
        release: impl FnOnce(Option<(i32, bool)>) -> Result<(), Errno>,
    ) -> Result<(), Errno> {
        let mut q = self.queues.lock();
        let first = q
            .get(&key)
            .and_then(|l| l.front().map(|w| (w.tid, l.len() > 1)));
        release(first)?;
        if first.is_some() {
            Self::wake_locked(&mut q, key, 1, u32::MAX);
        }
        Ok(())
    }

    /// Runs `f` under the queues lock (PI lock attempts that must not race
    /// an unlock).
    pub fn with_lock<T>(&self, f: impl FnOnce() -> T) -> T {
        let _q = self.queues.lock();
        f()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(addr: u64) -> FutexKey {
        FutexKey::Private {
            mm: 1,
            addr,
            shared_op: false,
        }
    }

    #[test]
    fn wake_respects_count_and_bitset() {
        let f = Futexes::default();
        let wk = Arc::new(Waker::default());
        let q = |bits, tid| {
            f.enqueue(key(8), bits, tid, false, &wk, || Ok(true))
                .unwrap()
                .unwrap()
        };
        let a = q(1, 1);
        let b = q(2, 2);
        let c = q(2, 3);
        assert_eq!(f.wake(key(8), 5, 2), Ok(2));
        assert!(!a.is_woken() && b.is_woken() && c.is_woken());
        assert!(!f.dequeue(&a));
        assert_eq!(f.wake(key(8), 5, u32::MAX), Ok(0));
    }

    #[test]
    fn requeue_moves_waiters_and_a_failed_check_changes_nothing() {
        let f = Futexes::default();
        let wk = Arc::new(Waker::default());
        let ws: Vec<_> = (0..4)
            .map(|i| {
                f.enqueue(key(8), u32::MAX, i, false, &wk, || Ok(true))
                    .unwrap()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            f.requeue(key(8), key(16), 1, 10, || Err(Errno::EAGAIN)),
            Err(Errno::EAGAIN)
        );
        assert_eq!(f.requeue(key(8), key(16), 1, 2, || Ok(())), Ok(3));
        assert!(ws[0].is_woken());
        assert_eq!(f.wake(key(16), 10, u32::MAX), Ok(2));
        assert_eq!(f.wake(key(8), 10, u32::MAX), Ok(1));
    }

    #[test]
    fn a_failed_check_queues_nothing() {
        let f = Futexes::default();
        let wk = Arc::new(Waker::default());
        assert!(f
            .enqueue(key(8), 1, 1, false, &wk, || Err(Errno::EAGAIN))
            .is_err());
        assert!(f
            .enqueue(key(8), 1, 1, false, &wk, || Ok(false))
            .unwrap()
            .is_none());
        assert_eq!(f.wake(key(8), 1, u32::MAX), Ok(0));
    }
}
