//! inotify: watches on inodes, the instances that read their events, and
//! the hooks the VFS calls where things change (Linux's `fs/notify` and
//! `include/linux/fsnotify.h`).
//!
//! Events are made where the syscalls and the VFS change things, never by
//! a filesystem, so they are the same on tmpfs, the overlay and gofer
//! files; changes the host makes behind the sandbox's back are not seen.
//!
//! Watches live in one registry keyed by inode (`inode_key`); a watch
//! holds its inode, so the key stays that inode's while it exists. Every
//! hook first loads [`LIVE`], the number of watches in the sandbox: with
//! none, that load is all a hook costs.
//!
//! Lock order (outer first):
//!   Instance::watches
//!     REGISTRY
//!       USERS
//!       Instance::events

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use abi::types::Stat;
use abi::Errno;
use parking_lot::{Mutex, RwLock};

use super::{inode_key, is_dir, Dentry, InodeRef, Location, SetAttr};
use crate::fsimpl::events::{POLLIN, POLLRDNORM};
use crate::fsimpl::FileImpl;
use crate::waiter::WaitQueue;

pub const IN_ACCESS: u32 = 0x0000_0001;
pub const IN_MODIFY: u32 = 0x0000_0002;
pub const IN_ATTRIB: u32 = 0x0000_0004;
pub const IN_CLOSE_WRITE: u32 = 0x0000_0008;
pub const IN_CLOSE_NOWRITE: u32 = 0x0000_0010;
pub const IN_OPEN: u32 = 0x0000_0020;
pub const IN_MOVED_FROM: u32 = 0x0000_0040;
pub const IN_MOVED_TO: u32 = 0x0000_0080;
pub const IN_CREATE: u32 = 0x0000_0100;
pub const IN_DELETE: u32 = 0x0000_0200;
pub const IN_DELETE_SELF: u32 = 0x0000_0400;
pub const IN_MOVE_SELF: u32 = 0x0000_0800;
pub const IN_UNMOUNT: u32 = 0x0000_2000;
pub const IN_Q_OVERFLOW: u32 = 0x0000_4000;
pub const IN_IGNORED: u32 = 0x0000_8000;
pub const IN_ONLYDIR: u32 = 0x0100_0000;
pub const IN_DONT_FOLLOW: u32 = 0x0200_0000;
pub const IN_EXCL_UNLINK: u32 = 0x0400_0000;
pub const IN_MASK_CREATE: u32 = 0x1000_0000;
pub const IN_MASK_ADD: u32 = 0x2000_0000;
pub const IN_ISDIR: u32 = 0x4000_0000;
pub const IN_ONESHOT: u32 = 0x8000_0000;
pub const IN_ALL_EVENTS: u32 = 0x0000_0fff;

/// The bits `inotify_add_watch` knows; a mask without any is `EINVAL`.
pub const ALL_INOTIFY_BITS: u32 = IN_ALL_EVENTS
    | IN_UNMOUNT
    | IN_Q_OVERFLOW
    | IN_IGNORED
    | IN_ONLYDIR
    | IN_DONT_FOLLOW
    | IN_EXCL_UNLINK
    | IN_MASK_ADD
    | IN_MASK_CREATE
    | IN_ISDIR
    | IN_ONESHOT;

/// The flags a watch keeps besides its events.
const WATCH_FLAGS: u32 = IN_ONESHOT | IN_EXCL_UNLINK;

/// `/proc/sys/fs/inotify/max_queued_events`.
pub const MAX_QUEUED_EVENTS: usize = 16384;
/// `/proc/sys/fs/inotify/max_user_instances`.
pub const MAX_USER_INSTANCES: u32 = 128;

/// `/proc/sys/fs/inotify/max_user_watches` for a machine of `total_ram`
/// bytes: Linux's default, 1% of memory at `INOTIFY_WATCH_COST` (a mark
/// and two inodes, 1312 bytes on x86-64) a watch, within [8192, 1048576].
pub fn max_user_watches(total_ram: u64) -> u64 {
    (total_ram / 100 / 1312).clamp(8192, 1_048_576)
}

/// `sizeof(struct inotify_event)`, which names are padded to.
const EVENT_HEADER: usize = 16;

/// How many watches exist in the sandbox.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The watches on each watched inode, by `inode_key`.
static REGISTRY: RwLock<BTreeMap<usize, Vec<Arc<Watch>>>> = RwLock::new(BTreeMap::new());

/// Instances and watches per user (by effective uid), for the limits.
static USERS: Mutex<BTreeMap<u32, UserCounts>> = Mutex::new(BTreeMap::new());

#[derive(Clone, Copy, Debug, Default)]
struct UserCounts {
    instances: u32,
    watches: u64,
}

/// The cookie that ties a `MOVED_FROM` to its `MOVED_TO`.
static NEXT_COOKIE: AtomicU32 = AtomicU32::new(0);

/// Whether any watch exists: every hook's first test.
#[inline]
fn active() -> bool {
    LIVE.load(Ordering::Relaxed) != 0
}

/// One queued event.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Event {
    wd: i32,
    mask: u32,
    cookie: u32,
    name: Vec<u8>,
}

impl Event {
    /// The name's length as read: with its NUL, padded to the header size.
    fn name_len(&self) -> usize {
        if self.name.is_empty() {
            0
        } else {
            (self.name.len() + 1).next_multiple_of(EVENT_HEADER)
        }
    }

    fn size(&self) -> usize {
        EVENT_HEADER + self.name_len()
    }

    fn write_to(&self, out: &mut Vec<u8>) {
        let len = self.name_len();
        out.extend_from_slice(&self.wd.to_le_bytes());
        out.extend_from_slice(&self.mask.to_le_bytes());
        out.extend_from_slice(&self.cookie.to_le_bytes());
        out.extend_from_slice(&u32::try_from(len).unwrap_or(0).to_le_bytes());
        let start = out.len();
        out.extend_from_slice(&self.name);
        out.resize(start + len, 0);
    }
}

/// An instance's unread events.
#[derive(Debug, Default)]
struct Events {
    queue: VecDeque<Event>,
    /// The overflow event is in the queue: nothing more is queued.
    overflowed: bool,
}

impl Events {
    /// Queues `ev` as Linux's `fsnotify_insert_event` does: past the limit
    /// one `IN_Q_OVERFLOW` stands for everything dropped; an event equal
    /// to the last queued one merges into it. Returns whether the queue
    /// grew.
    fn push(&mut self, ev: Event) -> bool {
        if self.queue.len() >= MAX_QUEUED_EVENTS {
            if self.overflowed {
                return false;
            }
            self.overflowed = true;
            self.queue.push_back(Event {
                wd: -1,
                mask: IN_Q_OVERFLOW,
                cookie: 0,
                name: Vec::new(),
            });
            return true;
        }
        if let Some(last) = self.queue.back() {
            if last.mask & IN_IGNORED == 0
                && last.mask == ev.mask
                && last.wd == ev.wd
                && last.name == ev.name
            {
                return false;
            }
        }
        self.queue.push_back(ev);
        true
    }

    fn pop(&mut self) -> Option<Event> {
        let ev = self.queue.pop_front()?;
        if ev.mask == IN_Q_OVERFLOW && ev.wd == -1 {
            self.overflowed = false;
        }
        Some(ev)
    }
}

/// One watch: an instance's interest in an inode.
#[derive(Debug)]
struct Watch {
    wd: i32,
    owner: Weak<Instance>,
    /// Held so the inode, and with it the registry key, stays.
    inode: InodeRef,
    /// Events (`IN_ALL_EVENTS`) and flags (`IN_ONESHOT`, `IN_EXCL_UNLINK`).
    mask: AtomicU32,
    /// Cleared, under the owner's events lock, when `IN_IGNORED` is
    /// queued: nothing follows it.
    live: AtomicBool,
}

impl Watch {
    fn wants(&self, mask: u32, unlinked: bool) -> bool {
        let m = self.mask.load(Ordering::Relaxed);
        if unlinked && m & IN_EXCL_UNLINK != 0 {
            return false;
        }
        m & mask & IN_ALL_EVENTS != 0
    }
}

/// The watches of one instance.
#[derive(Debug, Default)]
struct WatchTable {
    by_wd: BTreeMap<i32, Arc<Watch>>,
    by_inode: HashMap<usize, i32>,
    /// The last wd given: they are allocated cyclically, as Linux's idr.
    last_wd: i32,
}

impl WatchTable {
    fn next_wd(&mut self) -> i32 {
        let mut wd = self.last_wd;
        loop {
            wd = if wd == i32::MAX { 1 } else { wd + 1 };
            if !self.by_wd.contains_key(&wd) {
                self.last_wd = wd;
                return wd;
            }
        }
    }
}

/// An inotify instance (Linux's `fsnotify_group`).
#[derive(Debug)]
struct Instance {
    uid: u32,
    queue: WaitQueue,
    events: Mutex<Events>,
    watches: Mutex<WatchTable>,
}

impl Instance {
    /// Queues an event of `w` unless `w` is gone; wakes readers.
    fn queue_event(&self, w: &Watch, mask: u32, cookie: u32, name: &[u8]) {
        let grew = {
            let mut ev = self.events.lock();
            if !w.live.load(Ordering::Relaxed) {
                return;
            }
            ev.push(Event {
                wd: w.wd,
                mask,
                cookie,
                name: name.to_vec(),
            })
        };
        if grew {
            self.queue.notify(POLLIN | POLLRDNORM);
        }
    }

    /// Removes watch `wd`, queueing `IN_IGNORED`. False if there is none.
    fn remove(&self, wd: i32) -> bool {
        let mut table = self.watches.lock();
        let Some(w) = table.by_wd.remove(&wd) else {
            return false;
        };
        let key = inode_key(&w.inode);
        table.by_inode.remove(&key);
        unregister(&w, self.uid);
        {
            let mut ev = self.events.lock();
            w.live.store(false, Ordering::Relaxed);
            ev.push(Event {
                wd,
                mask: IN_IGNORED,
                cookie: 0,
                name: Vec::new(),
            });
        }
        drop(table);
        self.queue.notify(POLLIN | POLLRDNORM);
        true
    }
}

/// Takes `w` out of the registry and its owner's count.
fn unregister(w: &Arc<Watch>, uid: u32) {
    let key = inode_key(&w.inode);
    let mut reg = REGISTRY.write();
    if let Some(list) = reg.get_mut(&key) {
        list.retain(|x| !Arc::ptr_eq(x, w));
        if list.is_empty() {
            reg.remove(&key);
        }
    }
    LIVE.fetch_sub(1, Ordering::Relaxed);
    if let Some(c) = USERS.lock().get_mut(&uid) {
        c.watches = c.watches.saturating_sub(1);
    }
}

/// The watches on `inode`, if any.
fn watches_of(inode: &InodeRef) -> Option<Vec<Arc<Watch>>> {
    REGISTRY.read().get(&inode_key(inode)).cloned()
}

/// Sends `mask` to the watches of `inode` that want it, with `name` (a
/// child's, for a directory's watches) and `cookie`.
fn send(inode: &InodeRef, mut mask: u32, cookie: u32, name: &[u8], unlinked: bool) {
    let Some(list) = watches_of(inode) else {
        return;
    };
    // inotify never said IN_ISDIR with these, and keeps it so.
    if mask & (IN_MOVE_SELF | IN_DELETE_SELF) != 0 {
        mask &= !IN_ISDIR;
    }
    for w in list {
        if !w.wants(mask, unlinked) {
            continue;
        }
        let Some(owner) = w.owner.upgrade() else {
            continue;
        };
        owner.queue_event(&w, mask, cookie, name);
        if w.mask.load(Ordering::Relaxed) & IN_ONESHOT != 0 {
            owner.remove(w.wd);
        }
    }
}

/// `IN_ISDIR` for events about a directory.
fn isdir(inode: &InodeRef) -> u32 {
    if is_dir(inode.mode()) {
        IN_ISDIR
    } else {
        0
    }
}

/// An event about the file at `dentry`: to its directory's watches with
/// its name, then to its own (Linux's `fsnotify_parent`). `by_file`
/// events (open, read, write, close) skip `IN_EXCL_UNLINK` watches once
/// the name is gone.
fn dentry_event(dentry: &Arc<Dentry>, mask: u32, by_file: bool) {
    let mask = mask | isdir(&dentry.inode);
    let unlinked = by_file && dentry.is_dead();
    if let Some(parent) = dentry.parent() {
        send(&parent.inode, mask, 0, &dentry.name(), unlinked);
    }
    send(&dentry.inode, mask, 0, &[], unlinked);
}

/// `fsnotify_inode`: an event for the inode's own watches only.
fn inode_event(inode: &InodeRef, mask: u32) {
    send(inode, mask | isdir(inode), 0, &[], false);
}

/// A file opened at `loc` was opened, read, written or closed (`IN_OPEN`,
/// `IN_ACCESS`, `IN_MODIFY`, `IN_CLOSE_*`).
#[inline]
pub fn file_event(loc: &Location, mask: u32) {
    if active() {
        dentry_event(&loc.dentry, mask, true);
    }
}

/// `name` was made in `dir` (`IN_CREATE`, with `IN_ISDIR` for a
/// directory).
#[inline]
pub fn created(dir: &InodeRef, name: &[u8], made_dir: bool) {
    if active() {
        let mask = IN_CREATE | if made_dir { IN_ISDIR } else { 0 };
        send(dir, mask, 0, name, false);
    }
}

/// `name` in `dir` became another link to `inode` (`fsnotify_link`).
#[inline]
pub fn linked(dir: &InodeRef, name: &[u8], inode: &InodeRef) {
    if active() {
        inode_event(inode, IN_ATTRIB);
        send(dir, IN_CREATE, 0, name, false);
    }
}

/// A link to `inode` went (unlink, or a rename replacing it): its link
/// count changed (`fsnotify_link_count`).
#[inline]
pub fn link_dropped(inode: &InodeRef) {
    if active() {
        inode_event(inode, IN_ATTRIB);
    }
}

/// `name` was removed from `dir` (`IN_DELETE`).
#[inline]
pub fn deleted(dir: &InodeRef, name: &[u8], was_dir: bool) {
    if active() {
        let mask = IN_DELETE | if was_dir { IN_ISDIR } else { 0 };
        send(dir, mask, 0, name, false);
    }
}

/// `moved` went from `old` in `old_dir` to `new` in `new_dir`, replacing
/// `target` (`fsnotify_move`): `MOVED_FROM` and `MOVED_TO` with one
/// cookie, the replaced inode's link count, the moved inode's
/// `MOVE_SELF`.
#[inline]
pub fn moved(
    (old_dir, old): (&InodeRef, &[u8]),
    (new_dir, new): (&InodeRef, &[u8]),
    moved: &InodeRef,
    target: Option<&InodeRef>,
) {
    if !active() {
        return;
    }
    let cookie = NEXT_COOKIE.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
    let dir = isdir(moved);
    send(old_dir, IN_MOVED_FROM | dir, cookie, old, false);
    send(new_dir, IN_MOVED_TO | dir, cookie, new, false);
    if let Some(t) = target {
        inode_event(t, IN_ATTRIB);
    }
    inode_event(moved, IN_MOVE_SELF);
}

/// Attributes of the file at `dentry` changed (`fsnotify_change`): the
/// event follows from the fields set, as Linux's `ia_valid`.
#[inline]
pub fn attr_changed(dentry: &Arc<Dentry>, a: &SetAttr) {
    if !active() {
        return;
    }
    let mut mask = 0;
    if a.uid.is_some() || a.gid.is_some() || a.mode.is_some() {
        mask |= IN_ATTRIB;
    }
    if a.size.is_some() {
        mask |= IN_MODIFY;
    }
    match (a.atime.is_some(), a.mtime.is_some()) {
        (true, true) => mask |= IN_ATTRIB,
        (true, false) => mask |= IN_ACCESS,
        (false, true) => mask |= IN_MODIFY,
        (false, false) => {}
    }
    if mask != 0 {
        dentry_event(dentry, mask, false);
    }
}

/// The last reference to an unlinked name of `inode` went: with no link
/// left the inode is gone (`fsnotify_inoderemove`): `IN_DELETE_SELF`, and
/// every watch on it ends.
#[inline]
pub fn name_released(inode: &InodeRef) {
    if !active() {
        return;
    }
    let Some(list) = watches_of(inode) else {
        return;
    };
    if !inode.unlinked() {
        return;
    }
    for w in list {
        let Some(owner) = w.owner.upgrade() else {
            continue;
        };
        if w.wants(IN_DELETE_SELF, false) {
            owner.queue_event(&w, IN_DELETE_SELF, 0, &[]);
        }
        owner.remove(w.wd);
    }
}

/// An inotify instance's file.
#[derive(Debug)]
pub struct Inotify {
    inner: Arc<Instance>,
}

impl Inotify {
    /// A new instance of user `uid`: `EMFILE` past its limit of
    /// instances.
    pub fn new(uid: u32) -> Result<Inotify, Errno> {
        let mut users = USERS.lock();
        let c = users.entry(uid).or_default();
        if c.instances >= MAX_USER_INSTANCES {
            return Err(Errno::EMFILE);
        }
        c.instances += 1;
        Ok(Inotify {
            inner: Arc::new(Instance {
                uid,
                queue: WaitQueue::default(),
                events: Mutex::new(Events::default()),
                watches: Mutex::new(WatchTable::default()),
            }),
        })
    }

    /// The instance behind a file, if it is one.
    pub fn of(f: &crate::fsimpl::FileDescription) -> Option<&Inotify> {
        f.imp().as_any()?.downcast_ref::<Inotify>()
    }

    /// `inotify_add_watch` on `inode` (found and permitted): the watch's
    /// wd. The same inode keeps its wd; `IN_MASK_ADD` adds to the mask,
    /// `IN_MASK_CREATE` wants a new watch (`EEXIST`). `ENOSPC` past
    /// `max_watches` watches of the user.
    pub fn add_watch(&self, inode: &InodeRef, mask: u32, max_watches: u64) -> Result<i32, Errno> {
        let me = &self.inner;
        let key = inode_key(inode);
        let wanted = mask & (IN_ALL_EVENTS | WATCH_FLAGS);
        let mut table = me.watches.lock();
        if let Some(&wd) = table.by_inode.get(&key) {
            if mask & IN_MASK_CREATE != 0 {
                return Err(Errno::EEXIST);
            }
            let w = table.by_wd.get(&wd).ok_or(Errno::EINVAL)?;
            if mask & IN_MASK_ADD != 0 {
                w.mask.fetch_or(wanted, Ordering::Relaxed);
            } else {
                w.mask.store(wanted, Ordering::Relaxed);
            }
            return Ok(wd);
        }
        let wd = table.next_wd();
        let w = Arc::new(Watch {
            wd,
            owner: Arc::downgrade(me),
            inode: inode.clone(),
            mask: AtomicU32::new(wanted),
            live: AtomicBool::new(true),
        });
        let mut reg = REGISTRY.write();
        {
            let mut users = USERS.lock();
            let c = users.entry(me.uid).or_default();
            if c.watches >= max_watches {
                return Err(Errno::ENOSPC);
            }
            c.watches += 1;
        }
        reg.entry(key).or_default().push(w.clone());
        LIVE.fetch_add(1, Ordering::Relaxed);
        drop(reg);
        table.by_inode.insert(key, wd);
        table.by_wd.insert(wd, w);
        Ok(wd)
    }

    /// `inotify_rm_watch`: `EINVAL` for a wd it does not have.
    pub fn rm_watch(&self, wd: i32) -> Result<(), Errno> {
        if self.inner.remove(wd) {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }
}

impl Drop for Inotify {
    fn drop(&mut self) {
        let me = &self.inner;
        let table = std::mem::take(&mut *me.watches.lock());
        for w in table.by_wd.values() {
            unregister(w, me.uid);
        }
        if let Some(c) = USERS.lock().get_mut(&me.uid) {
            c.instances = c.instances.saturating_sub(1);
        }
    }
}

impl FileImpl for Inotify {
    /// Whole events, as many as fit; `EINVAL` when the next one does not
    /// fit at all.
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        let mut out = Vec::new();
        let mut ev = self.inner.events.lock();
        while let Some(next) = ev.queue.front() {
            if out.len() + next.size() > buf.len() {
                if out.is_empty() {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            if let Some(e) = ev.pop() {
                e.write_to(&mut out);
            }
        }
        drop(ev);
        if out.is_empty() {
            return Err(Errno::EAGAIN);
        }
        buf[..out.len()].copy_from_slice(&out);
        Ok(out.len())
    }

    fn write(&self, _buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        // Opened read-only.
        Err(Errno::EBADF)
    }

    /// `noop_llseek`: the position stays 0.
    fn seek(&self, _offset: i64, _whence: i32) -> Result<i64, Errno> {
        Ok(0)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(crate::fsimpl::eventfd::anon_stat())
    }

    /// `INOTIFY_IOC_SETNEXTWD` (for checkpoint/restore): the next wd
    /// tried.
    fn ioctl(&self, req: u64, arg: u64, _mm: &crate::mm::MemoryManager) -> Result<u64, Errno> {
        const INOTIFY_IOC_SETNEXTWD: u64 = 0x4004_4900;
        if req != INOTIFY_IOC_SETNEXTWD {
            return Err(Errno::ENOTTY);
        }
        let next = i32::try_from(arg)
            .ok()
            .filter(|&n| n >= 1)
            .ok_or(Errno::EINVAL)?;
        self.inner.watches.lock().last_wd = next - 1;
        Ok(0)
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        let n: usize = self.inner.events.lock().queue.iter().map(Event::size).sum();
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    fn readiness(&self) -> u32 {
        if self.inner.events.lock().queue.is_empty() {
            0
        } else {
            POLLIN | POLLRDNORM
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.inner.queue)
    }

    /// Linux takes an event off the queue before copying it out: a bad
    /// buffer loses it.
    fn consumes_before_copy(&self) -> bool {
        true
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn anon_name(&self) -> Option<&'static str> {
        Some("inotify")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(wd: i32, mask: u32, name: &[u8]) -> Event {
        Event {
            wd,
            mask,
            cookie: 0,
            name: name.to_vec(),
        }
    }

    #[test]
    fn names_pad_to_the_header_size_with_their_nul() {
        assert_eq!(ev(1, IN_CREATE, b"").size(), 16);
        assert_eq!(ev(1, IN_CREATE, b"tiny").size(), 32);
        assert_eq!(ev(1, IN_CREATE, &[b'x'; 15]).size(), 32);
        assert_eq!(ev(1, IN_CREATE, &[b'x'; 16]).size(), 48);
        let mut out = Vec::new();
        ev(3, IN_CREATE, b"ab").write_to(&mut out);
        assert_eq!(out.len(), 32);
        assert_eq!(&out[16..19], b"ab\0");
    }

    #[test]
    fn an_event_equal_to_the_last_merges() {
        let mut q = Events::default();
        assert!(q.push(ev(1, IN_MODIFY, b"a")));
        assert!(!q.push(ev(1, IN_MODIFY, b"a")));
        assert!(q.push(ev(1, IN_MODIFY, b"b")));
        assert!(q.push(ev(1, IN_MODIFY, b"a")));
        assert_eq!(q.queue.len(), 3);
    }

    #[test]
    fn a_full_queue_ends_with_one_overflow_event() {
        let mut q = Events::default();
        for i in 0..MAX_QUEUED_EVENTS + 10 {
            q.push(ev(1, IN_MODIFY, format!("{i}").as_bytes()));
        }
        assert_eq!(q.queue.len(), MAX_QUEUED_EVENTS + 1);
        assert_eq!(q.queue.back().map(|e| e.mask), Some(IN_Q_OVERFLOW));
        // Still full with the overflow event queued: dropped.
        q.pop();
        assert!(!q.push(ev(1, IN_MODIFY, b"dropped")));
        q.pop();
        assert!(q.push(ev(1, IN_MODIFY, b"again")));
        assert!(!q.push(ev(1, IN_MODIFY, b"more")));
    }
}
