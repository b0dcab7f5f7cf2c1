//! eventfd: a 64-bit counter with read/write/poll semantics
//! (`fs/eventfd.c`).

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use super::events::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use super::FileImpl;
use crate::waiter::WaitQueue;

/// `EFD_SEMAPHORE`.
pub const EFD_SEMAPHORE: i32 = 1;
const MAX: u64 = u64::MAX - 1;

/// The device number and inode every anonymous-inode file shows.
pub const ANON_INODE_DEV: u64 = 0xf;
pub const ANON_INODE_INO: u64 = 1;

/// The `stat` of an anonymous-inode file (eventfd, epoll, timerfd, ...).
pub fn anon_stat() -> Stat {
    Stat {
        st_dev: ANON_INODE_DEV,
        st_ino: ANON_INODE_INO,
        st_nlink: 1,
        st_mode: 0o600,
        st_blksize: 4096,
        ..Stat::default()
    }
}

/// An eventfd.
#[derive(Debug)]
pub struct EventFd {
    count: Mutex<u64>,
    semaphore: bool,
    queue: WaitQueue,
    /// `eventfd-id` in fdinfo.
    id: u64,
}

impl EventFd {
    pub fn new(initval: u32, semaphore: bool) -> EventFd {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        EventFd {
            count: Mutex::new(u64::from(initval)),
            semaphore,
            queue: WaitQueue::default(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

impl FileImpl for EventFd {
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        if buf.len() < 8 {
            return Err(Errno::EINVAL);
        }
        let v = {
            let mut c = self.count.lock();
            if *c == 0 {
                return Err(Errno::EAGAIN);
            }
            let v = if self.semaphore { 1 } else { *c };
            *c -= v;
            v
        };
        buf[..8].copy_from_slice(&v.to_le_bytes());
        self.queue.notify(POLLOUT | POLLWRNORM);
        Ok(8)
    }

    fn write(&self, buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        if buf.len() != 8 {
            return Err(Errno::EINVAL);
        }
        let v = u64::from_le_bytes(buf.try_into().expect("8 bytes"));
        if v == u64::MAX {
            return Err(Errno::EINVAL);
        }
        {
            let mut c = self.count.lock();
            if MAX - *c < v {
                return Err(Errno::EAGAIN);
            }
            *c += v;
        }
        if v > 0 {
            self.queue.notify(POLLIN | POLLRDNORM);
        }
        Ok(8)
    }

    fn anon_name(&self) -> Option<&'static str> {
        Some("[eventfd]")
    }

    fn fdinfo(&self) -> String {
        format!(
            "eventfd-count: {:16x}\neventfd-id: {}\neventfd-semaphore: {}\n",
            *self.count.lock(),
            self.id,
            u8::from(self.semaphore)
        )
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(anon_stat())
    }

    fn consumes_before_copy(&self) -> bool {
        true
    }

    fn readiness(&self) -> u32 {
        let c = *self.count.lock();
        let mut ev = 0;
        if c > 0 {
            ev |= POLLIN | POLLRDNORM;
        }
        if c < MAX {
            ev |= POLLOUT | POLLWRNORM;
        }
        ev
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.queue)
    }
}
