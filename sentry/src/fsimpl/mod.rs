//! File implementations behind open file descriptions: host-backed ones
//! for the standard streams the CLI donated, pipes, anonymous files, and
//! the filesystems (tmpfs, the gofer's, the overlay, `/dev`, `/proc`,
//! `/sys`).
//!
//! Operations that would block return `EAGAIN`; the syscall layer waits on
//! the file's queue for its readiness events and retries, so a blocked call
//! stays interruptible by signals.

pub mod dev;
pub mod epoll;
pub mod eventfd;
pub mod gofer;
pub mod host;
pub mod overlay;
pub mod pipe;
pub mod proc;
pub mod sys;
pub mod timerfd;
pub mod tmpfs;
pub mod tty;
pub mod xattr;

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use abi::types::{Stat, Termios, Winsize};
use abi::Errno;

use crate::vfs::file::DirentLayout;
use crate::vfs::inotify::{self, IN_ACCESS, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, IN_MODIFY};
use crate::vfs::{InodeRef, Location};
use crate::waiter::{Notify, WaitQueue};

/// `POLLIN`, `POLLOUT` and friends, as readiness masks.
pub mod events {
    pub const POLLIN: u32 = 0x001;
    pub const POLLPRI: u32 = 0x002;
    pub const POLLOUT: u32 = 0x004;
    pub const POLLERR: u32 = 0x008;
    pub const POLLHUP: u32 = 0x010;
    pub const POLLNVAL: u32 = 0x020;
    pub const POLLRDNORM: u32 = 0x040;
    pub const POLLRDBAND: u32 = 0x080;
    pub const POLLWRNORM: u32 = 0x100;
    pub const POLLWRBAND: u32 = 0x200;
    pub const POLLRDHUP: u32 = 0x2000;
}

/// What a kind of file does. Defaults are Linux's answers for a file that
/// lacks the operation.
pub trait FileImpl: Send + Sync + std::fmt::Debug {
    /// Reads into `buf`; `EAGAIN` when it would block.
    fn read(&self, _buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }

    /// Writes from `buf` (possibly partly); `EAGAIN` when nothing fits.
    fn write(&self, _buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }

    fn pread(&self, _buf: &mut [u8], _pos: u64) -> Result<usize, Errno> {
        Err(Errno::ESPIPE)
    }

    fn pwrite(&self, _buf: &[u8], _pos: u64) -> Result<usize, Errno> {
        Err(Errno::ESPIPE)
    }

    fn seek(&self, _offset: i64, _whence: i32) -> Result<i64, Errno> {
        Err(Errno::ESPIPE)
    }

    fn stat(&self) -> Result<Stat, Errno>;

    fn tcgets(&self) -> Result<Termios, Errno> {
        Err(Errno::ENOTTY)
    }

    fn window_size(&self) -> Result<Winsize, Errno> {
        Err(Errno::ENOTTY)
    }

    /// Requests a file kind answers itself (terminals); `ENOTTY` sends
    /// the request to the generic ones in `sys_ioctl`.
    fn ioctl(&self, _req: u64, _arg: u64, _mm: &crate::mm::MemoryManager) -> Result<u64, Errno> {
        Err(Errno::ENOTTY)
    }

    /// `FIONREAD`.
    fn bytes_readable(&self) -> Result<i32, Errno> {
        Err(Errno::ENOTTY)
    }

    /// Whether the file has a poll operation (Linux's `file_can_poll`):
    /// epoll refuses files without one (EPERM); poll and select take them
    /// as always ready.
    fn can_poll(&self) -> bool {
        true
    }

    /// The `POLL*` events the file is ready for now.
    fn readiness(&self) -> u32 {
        events::POLLIN | events::POLLOUT | events::POLLRDNORM | events::POLLWRNORM
    }

    /// Where waiters for readiness changes register; `None` for files that
    /// are always ready.
    fn queue(&self) -> Option<&WaitQueue> {
        None
    }

    /// `F_GETPIPE_SZ`.
    fn pipe_size(&self) -> Result<i32, Errno> {
        Err(Errno::EBADF)
    }

    /// The queue whose readiness changes `O_ASYNC` signals (Linux's
    /// `fasync`); `None` for kinds without it, where `O_ASYNC` does not
    /// stick.
    fn async_queue(&self) -> Option<&WaitQueue> {
        None
    }

    /// `F_SETPIPE_SZ`; returns the new size.
    fn set_pipe_size(&self, _size: u64) -> Result<i32, Errno> {
        Err(Errno::EBADF)
    }

    /// Host files: polls the host descriptor for `events`, waiting up to
    /// `timeout_ms`; `None` for sentry files.
    fn host_poll(&self, _events: u32, _timeout_ms: u16) -> Option<u32> {
        None
    }

    /// Host files keep their status flags on the host descriptor.
    fn host_status_flags(&self) -> Option<Result<i32, Errno>> {
        None
    }

    fn set_host_status_flags(&self, _flags: i32) -> Option<Result<(), Errno>> {
        None
    }

    /// Whether a read takes its data before copying it out, so a bad
    /// buffer loses it (eventfd, signalfd, timerfd), unlike pipes.
    fn consumes_before_copy(&self) -> bool {
        false
    }

    /// The file as `Any`, for kinds defined above this layer (signalfd,
    /// pidfd).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// The timerfd, for timerfd_settime and timerfd_gettime.
    fn as_timerfd(&self) -> Option<&timerfd::TimerFd> {
        None
    }

    /// The epoll instance, for epoll_ctl and epoll_wait.
    fn as_epoll(&self) -> Option<&epoll::Epoll> {
        None
    }

    /// `getdents`/`getdents64`: records of at most `max` bytes in all;
    /// `EINVAL` if the next one does not fit.
    fn getdents(&self, _max: usize, _layout: DirentLayout) -> Result<Vec<u8>, Errno> {
        Err(Errno::ENOTDIR)
    }

    /// Copies what a read would return without taking it (tee); `EAGAIN`
    /// when it would block.
    fn peek(&self, _buf: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }

    /// `ftruncate`.
    fn truncate(&self, _len: u64) -> Result<(), Errno> {
        Err(Errno::EINVAL)
    }

    /// The filesystem node behind the file, for files the VFS opened.
    fn inode(&self) -> Option<&InodeRef> {
        None
    }

    /// An anonymous-inode file's name (`[eventfd]`), which
    /// `/proc/pid/fd` shows as `anon_inode:[eventfd]`.
    fn anon_name(&self) -> Option<&'static str> {
        None
    }

    /// The lines this kind of file adds to `/proc/pid/fdinfo/N`.
    fn fdinfo(&self) -> String {
        String::new()
    }

    /// A new open of the same file with the access mode of `flags`, as
    /// opening `/proc/pid/fd/N` of a file outside the tree makes (a pipe
    /// opens as its FIFO would). `None`: the file has no such open, and
    /// the new description shares this one's file.
    fn reopen(&self, _flags: i32) -> Option<Box<dyn FileImpl>> {
        None
    }
}

/// The status flags `F_SETFL` may change (`SETFL_MASK` in Linux).
pub const SETFL_MASK: i32 =
    libc::O_APPEND | libc::O_NONBLOCK | libc::O_ASYNC | libc::O_DIRECT | libc::O_NOATIME;

/// `F_SETOWN_EX` owner types.
pub const F_OWNER_TID: i32 = 0;
pub const F_OWNER_PID: i32 = 1;
pub const F_OWNER_PGRP: i32 = 2;

/// Who gets the signals `O_ASYNC` sends (`F_SETOWN`, `F_SETOWN_EX`), and
/// which signal (`F_SETSIG`; 0 is a plain `SIGIO`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AsyncOwner {
    /// `F_OWNER_TID`, `F_OWNER_PID` or `F_OWNER_PGRP`.
    pub kind: i32,
    /// The thread, process or group; 0 for nobody.
    pub id: i32,
    pub sig: i32,
}

#[derive(Debug, Default)]
struct AsyncState {
    owner: AsyncOwner,
    /// What `O_ASYNC` registered on the file's async queue.
    notify: Option<Arc<dyn Notify>>,
}

/// An open file description: a file and its status flags, shared by
/// `dup`s and across `fork`.
#[derive(Debug)]
pub struct FileDescription {
    imp: Box<dyn FileImpl>,
    flags: AtomicI32,
    async_state: parking_lot::Mutex<AsyncState>,
    /// Where the file was opened, for files the VFS opened: access-mode
    /// checks apply, and `fchdir`, `*at` and `/proc/pid/fd` use it.
    location: Option<Location>,
}

impl Drop for FileDescription {
    fn drop(&mut self) {
        if let (Some(n), Some(q)) = (
            self.async_state.get_mut().notify.take(),
            self.imp.async_queue(),
        ) {
            q.unregister(&n);
        }
        // OFD and flock locks go with their description's last close.
        if let Some(loc) = &self.location {
            let me = std::ptr::from_ref(self) as usize;
            crate::vfs::lock::LOCKS.release(None, crate::vfs::lock::Owner::Description(me));
            let flags = self.flags();
            if flags & libc::O_PATH == 0 {
                let acc = flags & libc::O_ACCMODE;
                let wrote = acc == libc::O_WRONLY || acc == libc::O_RDWR;
                inotify::file_event(
                    loc,
                    if wrote {
                        IN_CLOSE_WRITE
                    } else {
                        IN_CLOSE_NOWRITE
                    },
                );
            }
        }
    }
}

impl FileDescription {
    /// A description of `imp` opened with `flags` (`O_RDONLY`, ... and
    /// status flags).
    pub fn new(imp: Box<dyn FileImpl>, flags: i32) -> FileDescription {
        FileDescription {
            imp,
            flags: AtomicI32::new(flags),
            async_state: parking_lot::Mutex::default(),
            location: None,
        }
    }

    /// A description of a file opened at `location`.
    pub fn at(imp: Box<dyn FileImpl>, flags: i32, location: Location) -> FileDescription {
        FileDescription {
            imp,
            flags: AtomicI32::new(flags),
            async_state: parking_lot::Mutex::default(),
            location: Some(location),
        }
    }

    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Whether it is an `O_PATH` descriptor.
    pub fn is_path(&self) -> bool {
        self.flags() & libc::O_PATH != 0
    }

    /// `EBADF` unless the access mode allows reading (VFS files only;
    /// other kinds check for themselves).
    pub fn check_readable(&self) -> Result<(), Errno> {
        if self.location.is_some() {
            let f = self.flags();
            let acc = f & libc::O_ACCMODE;
            if f & libc::O_PATH != 0 || acc == libc::O_WRONLY || acc == libc::O_ACCMODE {
                return Err(Errno::EBADF);
            }
        }
        Ok(())
    }

    /// `EBADF` unless the access mode allows writing.
    pub fn check_writable(&self) -> Result<(), Errno> {
        if self.location.is_some() {
            let f = self.flags();
            let acc = f & libc::O_ACCMODE;
            if f & libc::O_PATH != 0 || acc == libc::O_RDONLY || acc == libc::O_ACCMODE {
                return Err(Errno::EBADF);
            }
        }
        Ok(())
    }

    pub fn getdents(&self, max: usize, layout: DirentLayout) -> Result<Vec<u8>, Errno> {
        if self.is_path() {
            return Err(Errno::EBADF);
        }
        let r = self.imp.getdents(max, layout);
        // iterate_dir reports the access whatever the buffer held.
        if matches!(r, Ok(_) | Err(Errno::EINVAL)) {
            self.notify(IN_ACCESS);
        }
        r
    }

    pub fn truncate(&self, len: u64) -> Result<(), Errno> {
        if self.is_path() {
            return Err(Errno::EBADF);
        }
        self.check_writable().map_err(|_| Errno::EINVAL)?;
        self.imp.truncate(len)?;
        if let Some(loc) = &self.location {
            let a = crate::vfs::SetAttr {
                size: Some(len),
                ..crate::vfs::SetAttr::default()
            };
            inotify::attr_changed(&loc.dentry, &a);
        }
        Ok(())
    }

    /// Tells inotify the file was read or written through this
    /// description (`fsnotify_access`, `fsnotify_modify`).
    pub fn notify(&self, mask: u32) {
        if let Some(loc) = &self.location {
            inotify::file_event(loc, mask);
        }
    }

    /// Notes `n` bytes moved by a read (`IN_ACCESS`) or write
    /// (`IN_MODIFY`) through this description.
    fn moved(&self, r: Result<usize, Errno>, mask: u32) -> Result<usize, Errno> {
        if matches!(r, Ok(n) if n > 0) {
            self.notify(mask);
        }
        r
    }

    pub fn inode(&self) -> Option<&InodeRef> {
        self.imp.inode()
    }

    /// A description over a host descriptor the sentry owns.
    pub fn from_host(host: std::os::fd::OwnedFd) -> FileDescription {
        FileDescription::new(Box::new(host::HostFile::new(host)), 0)
    }

    #[cfg(test)]
    pub fn null_for_test() -> FileDescription {
        let f = std::fs::File::open("/dev/null").expect("open /dev/null");
        FileDescription::from_host(f.into())
    }

    pub fn imp(&self) -> &dyn FileImpl {
        &*self.imp
    }

    fn flags(&self) -> i32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// Whether calls on it must not block (`O_NONBLOCK`).
    pub fn nonblocking(&self) -> bool {
        self.status_flags().is_ok_and(|f| f & libc::O_NONBLOCK != 0)
    }

    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.check_readable()?;
        self.moved(self.imp.read(buf, self.flags()), IN_ACCESS)
    }

    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.check_writable()?;
        self.moved(self.imp.write(buf, self.flags()), IN_MODIFY)
    }

    pub fn pread(&self, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        self.check_readable()?;
        self.moved(self.imp.pread(buf, pos), IN_ACCESS)
    }

    /// `pwrite`; on an `O_APPEND` file Linux appends regardless of `pos`.
    pub fn pwrite(&self, buf: &[u8], pos: u64) -> Result<usize, Errno> {
        self.check_writable()?;
        if self.location.is_some() && self.flags() & libc::O_APPEND != 0 {
            if let Some(inode) = self.imp.inode() {
                let end = u64::try_from(inode.stat()?.st_size).unwrap_or(0);
                return self.moved(self.imp.pwrite(buf, end), IN_MODIFY);
            }
        }
        self.moved(self.imp.pwrite(buf, pos), IN_MODIFY)
    }

    pub fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        self.imp.seek(offset, whence)
    }

    pub fn stat(&self) -> Result<Stat, Errno> {
        self.imp.stat()
    }

    pub fn tcgets(&self) -> Result<Termios, Errno> {
        self.imp.tcgets()
    }

    pub fn window_size(&self) -> Result<Winsize, Errno> {
        self.imp.window_size()
    }

    pub fn bytes_readable(&self) -> Result<i32, Errno> {
        self.imp.bytes_readable()
    }

    pub fn pipe_size(&self) -> Result<i32, Errno> {
        self.imp.pipe_size()
    }

    pub fn set_pipe_size(&self, size: u64) -> Result<i32, Errno> {
        self.imp.set_pipe_size(size)
    }

    pub fn readiness(&self) -> u32 {
        self.imp.readiness()
    }

    pub fn can_poll(&self) -> bool {
        self.imp.can_poll()
    }

    pub fn queue(&self) -> Option<&WaitQueue> {
        self.imp.queue()
    }

    /// The status flags and access mode (`F_GETFL`).
    pub fn status_flags(&self) -> Result<i32, Errno> {
        self.imp
            .host_status_flags()
            .unwrap_or_else(|| Ok(self.flags()))
    }

    /// `F_SETFL`: only the settable flags change, and `O_ASYNC` only
    /// through [`Self::set_async`].
    pub fn set_status_flags(&self, flags: i32) -> Result<(), Errno> {
        let mask = SETFL_MASK & !libc::O_ASYNC;
        if let Some(r) = self.imp.set_host_status_flags(flags & mask) {
            return r;
        }
        let cur = self.flags();
        self.flags
            .store((cur & !mask) | (flags & mask), Ordering::Relaxed);
        Ok(())
    }

    /// Turns `O_ASYNC` on (with what tells the owner of readiness
    /// changes) or off. `ENOTTY` for a file without async notification
    /// (Linux's missing `fasync`).
    pub fn set_async(&self, notify: Option<Arc<dyn Notify>>) -> Result<(), Errno> {
        let queue = self.imp.async_queue().ok_or(Errno::ENOTTY)?;
        let mut st = self.async_state.lock();
        if let Some(old) = st.notify.take() {
            queue.unregister(&old);
        }
        let on = notify.is_some();
        if let Some(n) = notify {
            queue.add(n.clone(), crate::waiter::ALL_EVENTS);
            st.notify = Some(n);
        }
        let async_bit = if on { libc::O_ASYNC } else { 0 };
        let cur = self.flags();
        self.flags
            .store((cur & !libc::O_ASYNC) | async_bit, Ordering::Relaxed);
        Ok(())
    }

    /// Whether `O_ASYNC` is on.
    pub fn is_async(&self) -> bool {
        self.flags() & libc::O_ASYNC != 0
    }

    /// `F_GETOWN_EX`, `F_GETSIG`.
    pub fn async_owner(&self) -> AsyncOwner {
        self.async_state.lock().owner
    }

    /// `F_SETOWN`, `F_SETOWN_EX`, `F_SETSIG`: changes the owner.
    pub fn update_async_owner(&self, f: impl FnOnce(&mut AsyncOwner)) {
        f(&mut self.async_state.lock().owner);
    }
}
