//! Advisory file locks: POSIX record locks (owned by a process), open
//! file description locks (`F_OFD_*`, owned by a description) and
//! `flock` locks (also owned by a description, and independent of the
//! other two, as in Linux).

use std::collections::HashMap;
use std::sync::LazyLock;

use parking_lot::Mutex;

use crate::waiter::WaitQueue;

/// Who holds a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A process's POSIX locks.
    Process(i32),
    /// An open file description's OFD or flock locks.
    Description(usize),
}

/// One held lock on `[start, end)` (`end` is `u64::MAX` for "to the end
/// of the file and beyond").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub start: u64,
    pub end: u64,
    pub write: bool,
    pub owner: Owner,
    /// The pid `F_GETLK` reports (-1 for OFD locks).
    pub pid: i32,
}

/// Which family of locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// fcntl locks: POSIX and OFD, which conflict with each other.
    Record,
    Flock,
}

/// A request waiting for a lock (`F_SETLKW`, `flock` without
/// `LOCK_NB`), for deadlock detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Waiter {
    /// The waiting thread: one request each.
    id: i32,
    file: usize,
    family: Family,
    start: u64,
    end: u64,
    write: bool,
    owner: Owner,
}

#[derive(Debug, Default)]
struct Table {
    held: HashMap<(usize, Family), Vec<Held>>,
    waiting: Vec<Waiter>,
}

/// Every lock in the sandbox, by (file, family).
#[derive(Debug, Default)]
pub struct LockTable {
    locks: Mutex<Table>,
    /// Woken when any lock goes.
    pub queue: WaitQueue,
}

/// How far deadlock detection follows the chain of waiting owners
/// (Linux's `MAX_DEADLK_ITERATIONS`).
const MAX_DEADLOCK_STEPS: usize = 10;

/// What a request for a lock that may wait got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taking {
    Taken,
    /// Another owner holds a conflicting lock: the request waits.
    Blocked,
    /// Waiting would never end (`EDEADLK`).
    Deadlock,
}

/// The sandbox's locks.
pub static LOCKS: LazyLock<LockTable> = LazyLock::new(LockTable::default);

fn overlaps(a: &Held, start: u64, end: u64) -> bool {
    a.start < end && start < a.end
}

impl Table {
    /// The first lock of another owner that conflicts with a lock of
    /// `write` on `[start, end)`.
    fn conflict(
        &self,
        file: usize,
        family: Family,
        (start, end): (u64, u64),
        write: bool,
        owner: Owner,
    ) -> Option<Held> {
        self.held.get(&(file, family)).and_then(|v| {
            v.iter()
                .find(|h| h.owner != owner && overlaps(h, start, end) && (write || h.write))
                .copied()
        })
    }

    /// Whether `owner` waiting behind `blocker` would wait forever:
    /// following, from `blocker`'s owner, the owner of the lock each
    /// waits for leads back to `owner` (Linux's `posix_locks_deadlock`,
    /// for process-owned locks only).
    fn deadlocks(&self, owner: Owner, blocker: Held) -> bool {
        if !matches!(owner, Owner::Process(_)) {
            return false;
        }
        let mut next = blocker.owner;
        for _ in 0..MAX_DEADLOCK_STEPS {
            let Some(w) = self.waiting.iter().find(|w| w.owner == next) else {
                return false;
            };
            let Some(h) = self.conflict(w.file, w.family, (w.start, w.end), w.write, w.owner)
            else {
                return false;
            };
            if h.owner == owner {
                return true;
            }
            next = h.owner;
        }
        false
    }

    /// Takes (or, with `kind` `None`, releases) `[start, end)` for
    /// `owner`, which no other owner's lock conflicts with. The owner's
    /// locks of the same kind that overlap or touch the range merge with
    /// it; its others in the range go (split at its edges).
    fn put(
        &mut self,
        file: usize,
        family: Family,
        range: (u64, u64),
        kind: Option<bool>,
        owner: Owner,
        pid: i32,
    ) {
        let (mut start, mut end) = range;
        let list = self.held.entry((file, family)).or_default();
        let mut kept = Vec::with_capacity(list.len() + 2);
        if let Some(write) = kind {
            for h in list.drain(..) {
                let touches = h.start <= end && start <= h.end;
                if h.owner == owner && h.write == write && touches {
                    start = start.min(h.start);
                    end = end.max(h.end);
                } else {
                    kept.push(h);
                }
            }
            *list = std::mem::take(&mut kept);
        }
        for h in list.drain(..) {
            if h.owner != owner || !overlaps(&h, start, end) {
                kept.push(h);
                continue;
            }
            if h.start < start {
                kept.push(Held { end: start, ..h });
            }
            if h.end > end {
                kept.push(Held { start: end, ..h });
            }
        }
        if let Some(write) = kind {
            kept.push(Held {
                start,
                end,
                write,
                owner,
                pid,
            });
        }
        *list = kept;
        if list.is_empty() {
            self.held.remove(&(file, family));
        }
    }
}

impl LockTable {
    /// The first lock of another owner that conflicts with a lock of
    /// `write` on `[start, end)`.
    pub fn conflict(
        &self,
        file: usize,
        family: Family,
        start: u64,
        end: u64,
        write: bool,
        owner: Owner,
    ) -> Option<Held> {
        self.locks
            .lock()
            .conflict(file, family, (start, end), write, owner)
    }

    /// Takes (or, with `kind` `None`, releases) `[start, end)` for
    /// `owner`; false if another owner's lock conflicts.
    pub fn set(
        &self,
        file: usize,
        family: Family,
        range: (u64, u64),
        kind: Option<bool>,
        owner: Owner,
        pid: i32,
    ) -> bool {
        let mut locks = self.locks.lock();
        if let Some(write) = kind {
            if locks.conflict(file, family, range, write, owner).is_some() {
                return false;
            }
        }
        locks.put(file, family, range, kind, owner, pid);
        drop(locks);
        self.queue.notify_all();
        true
    }

    /// Takes a lock for thread `waiter` of `owner`, which waits while
    /// another owner's lock conflicts (and stays recorded as waiting
    /// until it takes the lock, gives up with [`Self::stop_waiting`], or
    /// would deadlock).
    #[allow(clippy::too_many_arguments)]
    pub fn take_or_wait(
        &self,
        waiter: i32,
        file: usize,
        family: Family,
        range: (u64, u64),
        write: bool,
        owner: Owner,
        pid: i32,
    ) -> Taking {
        let mut locks = self.locks.lock();
        locks.waiting.retain(|w| w.id != waiter);
        if let Some(blocker) = locks.conflict(file, family, range, write, owner) {
            if locks.deadlocks(owner, blocker) {
                return Taking::Deadlock;
            }
            locks.waiting.push(Waiter {
                id: waiter,
                file,
                family,
                start: range.0,
                end: range.1,
                write,
                owner,
            });
            return Taking::Blocked;
        }
        locks.put(file, family, range, Some(write), owner, pid);
        drop(locks);
        self.queue.notify_all();
        Taking::Taken
    }

    /// Thread `waiter` no longer waits for a lock.
    pub fn stop_waiting(&self, waiter: i32) {
        self.locks.lock().waiting.retain(|w| w.id != waiter);
    }

    /// Drops every lock `owner` holds on `file` (a process closing any
    /// descriptor of it), or on every file (`None`: exit, last close).
    pub fn release(&self, file: Option<usize>, owner: Owner) {
        let mut locks = self.locks.lock();
        let mut changed = false;
        locks.held.retain(|(f, _), v| {
            if file.is_none_or(|x| x == *f) {
                let before = v.len();
                v.retain(|h| h.owner != owner);
                changed |= v.len() != before;
            }
            !v.is_empty()
        });
        drop(locks);
        if changed {
            self.queue.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_share_and_writers_exclude() {
        let t = LockTable::default();
        let (a, b) = (Owner::Process(1), Owner::Process(2));
        assert!(t.set(1, Family::Record, (0, 10), Some(false), a, 1));
        assert!(t.set(1, Family::Record, (5, 20), Some(false), b, 2));
        assert!(!t.set(1, Family::Record, (0, 1), Some(true), b, 2));
        assert!(t.conflict(1, Family::Record, 9, 10, true, b).is_some());
        assert!(t.set(1, Family::Record, (0, 10), None, a, 1));
        assert!(t.set(1, Family::Record, (0, 5), Some(true), b, 2));
    }

    #[test]
    fn touching_locks_of_one_kind_merge() {
        let t = LockTable::default();
        let (a, b) = (Owner::Process(1), Owner::Process(2));
        assert!(t.set(3, Family::Record, (0, 10), Some(false), a, 1));
        assert!(t.set(3, Family::Record, (10, 20), Some(false), a, 1));
        let h = t.conflict(3, Family::Record, 0, 1, true, b).unwrap();
        assert_eq!((h.start, h.end), (0, 20));
        assert!(t.set(3, Family::Record, (5, 8), Some(true), a, 1));
        let h = t.conflict(3, Family::Record, 9, 30, true, b).unwrap();
        assert_eq!((h.start, h.end, h.write), (8, 20, false));
    }

    #[test]
    fn waiting_on_each_other_is_a_deadlock() {
        let t = LockTable::default();
        let (a, b) = (Owner::Process(1), Owner::Process(2));
        assert!(t.set(4, Family::Record, (0, 1), Some(true), a, 1));
        assert!(t.set(4, Family::Record, (1, 2), Some(true), b, 2));
        let take = |id, range, owner| t.take_or_wait(id, 4, Family::Record, range, true, owner, id);
        assert_eq!(take(2, (0, 1), b), Taking::Blocked);
        assert_eq!(take(1, (1, 2), a), Taking::Deadlock);
        t.stop_waiting(2);
        assert_eq!(take(1, (1, 2), a), Taking::Blocked);
        let (c, d) = (Owner::Description(1), Owner::Description(2));
        assert!(t.set(5, Family::Record, (0, 1), Some(true), c, -1));
        assert!(t.set(5, Family::Record, (1, 2), Some(true), d, -1));
        let take = |id, range, owner| t.take_or_wait(id, 5, Family::Record, range, true, owner, -1);
        assert_eq!(take(3, (0, 1), d), Taking::Blocked);
        assert_eq!(
            take(4, (1, 2), c),
            Taking::Blocked,
            "OFD locks are not checked"
        );
    }

    #[test]
    fn unlocking_the_middle_splits() {
        let t = LockTable::default();
        let a = Owner::Process(1);
        assert!(t.set(7, Family::Record, (0, 100), Some(true), a, 1));
        assert!(t.set(7, Family::Record, (40, 60), None, a, 1));
        let b = Owner::Process(2);
        assert!(t.conflict(7, Family::Record, 45, 55, true, b).is_none());
        assert!(t.conflict(7, Family::Record, 30, 41, true, b).is_some());
        assert!(t.conflict(7, Family::Record, 59, 61, true, b).is_some());
    }
}
