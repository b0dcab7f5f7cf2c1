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

/// Every lock in the sandbox, by (file, family).
#[derive(Debug, Default)]
pub struct LockTable {
    locks: Mutex<HashMap<(usize, Family), Vec<Held>>>,
    /// Woken when any lock goes.
    pub queue: WaitQueue,
}

/// The sandbox's locks.
pub static LOCKS: LazyLock<LockTable> = LazyLock::new(LockTable::default);

fn overlaps(a: &Held, start: u64, end: u64) -> bool {
    a.start < end && start < a.end
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
        let locks = self.locks.lock();
        locks.get(&(file, family)).and_then(|v| {
            v.iter()
                .find(|h| h.owner != owner && overlaps(h, start, end) && (write || h.write))
                .copied()
        })
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
        let (start, end) = range;
        let mut locks = self.locks.lock();
        let list = locks.entry((file, family)).or_default();
        if let Some(write) = kind {
            if list
                .iter()
                .any(|h| h.owner != owner && overlaps(h, start, end) && (write || h.write))
            {
                return false;
            }
        }
        // The owner's locks in the range go (split at its edges).
        let mut kept = Vec::with_capacity(list.len() + 2);
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
            locks.remove(&(file, family));
        }
        drop(locks);
        self.queue.notify_all();
        true
    }

    /// Drops every lock `owner` holds on `file` (a process closing any
    /// descriptor of it), or on every file (`None`: exit, last close).
    pub fn release(&self, file: Option<usize>, owner: Owner) {
        let mut locks = self.locks.lock();
        let mut changed = false;
        locks.retain(|(f, _), v| {
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
