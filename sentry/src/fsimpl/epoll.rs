//! epoll instances (`fs/eventpoll.c`): items keyed by (file, fd number),
//! a ready list fed by the watched files' wait queues, level- and
//! edge-triggered and one-shot reporting, nesting with Linux's limits.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use super::events::{POLLERR, POLLHUP, POLLIN, POLLRDNORM};
use super::{FileDescription, FileImpl};
use crate::waiter::{Notify, WaitQueue, ALL_EVENTS};

pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;
/// Bits that are flags, not events: a one-shot item keeps only these.
const PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/// Linux's `EP_MAX_NESTS`.
const MAX_NESTS: usize = 4;

/// (address of the description, fd number).
type Key = (usize, i32);

#[derive(Debug)]
struct Item {
    file: Weak<FileDescription>,
    events: u32,
    data: u64,
    notifier: Arc<dyn Notify>,
}

#[derive(Debug, Default)]
struct State {
    items: HashMap<Key, Item>,
    ready: VecDeque<Key>,
    /// Epoll instances this one is registered in.
    parents: Vec<Weak<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    state: Mutex<State>,
    queue: WaitQueue,
}

/// An epoll file.
#[derive(Debug, Default)]
pub struct Epoll {
    inner: Arc<Inner>,
}

/// Tells an epoll instance that a watched file has events.
#[derive(Debug)]
struct ItemNotifier {
    epoll: Weak<Inner>,
    key: Key,
}

impl Notify for ItemNotifier {
    fn notify(&self, events: u32) {
        let Some(ep) = self.epoll.upgrade() else {
            return;
        };
        {
            let mut st = ep.state.lock();
            let Some(item) = st.items.get(&self.key) else {
                return;
            };
            if item.events & (events | POLLERR | POLLHUP) & !PRIVATE_BITS == 0 {
                return;
            }
            if !st.ready.contains(&self.key) {
                st.ready.push_back(self.key);
            }
        }
        ep.queue.notify(POLLIN | POLLRDNORM);
    }
}

/// One event an `epoll_wait` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ready {
    pub events: u32,
    pub data: u64,
}

fn key_of(file: &Arc<FileDescription>, fd: i32) -> Key {
    (Arc::as_ptr(file) as usize, fd)
}

impl Epoll {
    /// The epoll behind a description, if it is one.
    pub fn of(file: &FileDescription) -> Option<&Epoll> {
        file.imp().as_epoll()
    }

    /// The files an instance watches that are still open.
    fn watched(inner: &Inner) -> Vec<Arc<FileDescription>> {
        inner
            .state
            .lock()
            .items
            .values()
            .filter_map(|i| i.file.upgrade())
            .collect()
    }

    /// How deep the epoll nesting goes below this instance.
    fn depth_below(inner: &Inner, seen: usize) -> usize {
        if seen > MAX_NESTS + 1 {
            return seen;
        }
        Self::watched(inner)
            .iter()
            .filter_map(|f| Epoll::of(f))
            .map(|e| 1 + Self::depth_below(&e.inner, seen + 1))
            .max()
            .unwrap_or(0)
    }

    /// How deep the epoll nesting goes above this instance.
    fn depth_above(inner: &Inner, seen: usize) -> usize {
        if seen > MAX_NESTS + 1 {
            return seen;
        }
        let parents: Vec<Arc<Inner>> = inner
            .state
            .lock()
            .parents
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        parents
            .iter()
            .map(|p| 1 + Self::depth_above(p, seen + 1))
            .max()
            .unwrap_or(0)
    }

    /// Whether `target` is `self` or contains it.
    fn reaches(target: &Inner, me: &Arc<Inner>, seen: usize) -> bool {
        if std::ptr::eq(target, Arc::as_ptr(me)) {
            return true;
        }
        if seen > MAX_NESTS + 1 {
            return false;
        }
        Self::watched(target)
            .iter()
            .filter_map(|f| Epoll::of(f))
            .any(|e| Self::reaches(&e.inner, me, seen + 1))
    }

    /// EPOLL_CTL_ADD.
    pub fn add(
        &self,
        file: &Arc<FileDescription>,
        fd: i32,
        events: u32,
        data: u64,
    ) -> Result<(), Errno> {
        let key = key_of(file, fd);
        let events = events & !EPOLLWAKEUP;
        if let Some(child) = Epoll::of(file) {
            if Self::reaches(&child.inner, &self.inner, 0) {
                return Err(Errno::ELOOP);
            }
            let depth = Self::depth_above(&self.inner, 0) + 1 + Self::depth_below(&child.inner, 0);
            if depth > MAX_NESTS {
                return Err(Errno::ELOOP);
            }
        }
        let notifier: Arc<dyn Notify> = Arc::new(ItemNotifier {
            epoll: Arc::downgrade(&self.inner),
            key,
        });
        {
            let mut st = self.inner.state.lock();
            if st.items.contains_key(&key) {
                return Err(Errno::EEXIST);
            }
            st.items.insert(
                key,
                Item {
                    file: Arc::downgrade(file),
                    events,
                    data,
                    notifier: notifier.clone(),
                },
            );
        }
        if let Some(child) = Epoll::of(file) {
            child
                .inner
                .state
                .lock()
                .parents
                .push(Arc::downgrade(&self.inner));
        }
        if let Some(q) = file.queue() {
            q.add(notifier.clone(), ALL_EVENTS);
        }
        // Already ready: report it.
        notifier.notify(file.readiness());
        Ok(())
    }

    /// EPOLL_CTL_MOD.
    pub fn modify(
        &self,
        file: &Arc<FileDescription>,
        fd: i32,
        events: u32,
        data: u64,
    ) -> Result<(), Errno> {
        let key = key_of(file, fd);
        let notifier = {
            let mut st = self.inner.state.lock();
            let item = st.items.get_mut(&key).ok_or(Errno::ENOENT)?;
            if item.events & EPOLLEXCLUSIVE != 0 || events & EPOLLEXCLUSIVE != 0 {
                return Err(Errno::EINVAL);
            }
            item.events = events & !EPOLLWAKEUP;
            item.data = data;
            item.notifier.clone()
        };
        notifier.notify(file.readiness());
        Ok(())
    }

    /// EPOLL_CTL_DEL.
    pub fn delete(&self, file: &Arc<FileDescription>, fd: i32) -> Result<(), Errno> {
        let key = key_of(file, fd);
        let item = {
            let mut st = self.inner.state.lock();
            let item = st.items.remove(&key).ok_or(Errno::ENOENT)?;
            st.ready.retain(|k| *k != key);
            item
        };
        if let Some(q) = file.queue() {
            q.unregister(&item.notifier);
        }
        if let Some(child) = Epoll::of(file) {
            let me = Arc::as_ptr(&self.inner);
            child
                .inner
                .state
                .lock()
                .parents
                .retain(|p| !std::ptr::eq(p.as_ptr(), me));
        }
        Ok(())
    }

    /// Collects up to `max` ready events, as `ep_send_events` does.
    pub fn collect(&self, max: usize) -> Vec<Ready> {
        let mut out = Vec::new();
        let mut st = self.inner.state.lock();
        let mut requeue = Vec::new();
        let n = st.ready.len();
        for _ in 0..n {
            if out.len() >= max {
                break;
            }
            let Some(key) = st.ready.pop_front() else {
                break;
            };
            let Some(item) = st.items.get(&key) else {
                continue;
            };
            let Some(file) = item.file.upgrade() else {
                // The file is gone: so is its item.
                st.items.remove(&key);
                continue;
            };
            let (interest, data) = (item.events, item.data);
            // Readiness takes locks of its own: not under ours.
            drop(st);
            let revents = file.readiness() & (interest | POLLERR | POLLHUP) & !PRIVATE_BITS;
            st = self.inner.state.lock();
            if revents == 0 {
                continue;
            }
            out.push(Ready {
                events: revents,
                data,
            });
            if let Some(item) = st.items.get_mut(&key) {
                if interest & EPOLLONESHOT != 0 {
                    item.events &= PRIVATE_BITS;
                } else if interest & EPOLLET == 0 {
                    requeue.push(key);
                }
            }
        }
        st.ready.extend(requeue);
        out
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        let items: Vec<Item> = self
            .inner
            .state
            .lock()
            .items
            .drain()
            .map(|(_, i)| i)
            .collect();
        for item in items {
            if let Some(f) = item.file.upgrade() {
                if let Some(q) = f.queue() {
                    q.unregister(&item.notifier);
                }
            }
        }
    }
}

impl FileImpl for Epoll {
    fn anon_name(&self) -> Option<&'static str> {
        Some("[eventpoll]")
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(super::eventfd::anon_stat())
    }

    fn readiness(&self) -> u32 {
        // Ready when a collection would report something.
        let keys: Vec<(Weak<FileDescription>, u32)> = {
            let st = self.inner.state.lock();
            st.ready
                .iter()
                .filter_map(|k| st.items.get(k))
                .map(|i| (i.file.clone(), i.events))
                .collect()
        };
        let any = keys.iter().any(|(f, interest)| {
            f.upgrade().is_some_and(|f| {
                f.readiness() & (interest | POLLERR | POLLHUP) & !PRIVATE_BITS != 0
            })
        });
        if any {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.inner.queue)
    }

    fn as_epoll(&self) -> Option<&Epoll> {
        Some(self)
    }
}
