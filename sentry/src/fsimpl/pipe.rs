//! Pipes, with Linux's buffer model (`fs/pipe.c`): a ring of page-sized
//! buffers, 16 slots by default (64 KiB). A write first tops up the last
//! buffer with its length modulo the page size when that buffer may merge,
//! then fills whole new buffers while slots are free, so writes of at most
//! `PIPE_BUF` bytes are atomic. `O_DIRECT` writes make packet buffers,
//! which a read consumes whole. A buffer's slot is freed only once it is
//! read to its end.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use abi::types::{Stat, Timespec};
use abi::Errno;
use parking_lot::Mutex;

use super::events::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use super::FileImpl;
use crate::waiter::WaitQueue;

const PAGE: usize = 4096;
/// Atomic write size.
pub const PIPE_BUF: usize = PAGE;
const DEFAULT_SLOTS: usize = 16;
/// The largest size `F_SETPIPE_SZ` accepts (Linux refuses sizes above 2 GiB).
const MAX_SIZE: u64 = 1 << 31;
/// The device number of Linux's pipefs as `stat` shows it.
const PIPEFS_DEV: u64 = 0xd;

static NEXT_INO: AtomicU64 = AtomicU64::new(1);

#[derive(Debug)]
struct Buf {
    data: Vec<u8>,
    /// Bytes already read from the front of `data`.
    off: usize,
    packet: bool,
}

#[derive(Debug)]
struct State {
    bufs: VecDeque<Buf>,
    slots: usize,
    readers: usize,
    writers: usize,
    /// Ends ever opened, for FIFO opens that wait for the other side.
    opened_readers: u64,
    opened_writers: u64,
}

/// The pipe both ends share.
#[derive(Debug)]
pub struct Pipe {
    state: Mutex<State>,
    queue: WaitQueue,
    ino: u64,
    created: Timespec,
}

/// One end of a pipe.
#[derive(Debug)]
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    write: bool,
}

/// A new pipe: (read end, write end).
pub fn new_pipe(now: Timespec) -> (PipeEnd, PipeEnd) {
    let pipe = Arc::new(Pipe {
        state: Mutex::new(State {
            bufs: VecDeque::new(),
            slots: DEFAULT_SLOTS,
            readers: 1,
            writers: 1,
            opened_readers: 1,
            opened_writers: 1,
        }),
        queue: WaitQueue::default(),
        ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
        created: now,
    });
    (
        PipeEnd {
            pipe: pipe.clone(),
            write: false,
        },
        PipeEnd { pipe, write: true },
    )
}

impl Pipe {
    /// A named pipe's buffer, with no ends open yet.
    pub fn new_fifo(now: Timespec) -> Arc<Pipe> {
        Arc::new(Pipe {
            state: Mutex::new(State {
                bufs: VecDeque::new(),
                slots: DEFAULT_SLOTS,
                readers: 0,
                writers: 0,
                opened_readers: 0,
                opened_writers: 0,
            }),
            queue: WaitQueue::default(),
            ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
            created: now,
        })
    }

    /// Opens one more end of a named pipe.
    pub fn open_end(self: &Arc<Pipe>, write: bool) -> PipeEnd {
        {
            let mut st = self.state.lock();
            if write {
                st.writers += 1;
                st.opened_writers += 1;
            } else {
                st.readers += 1;
                st.opened_readers += 1;
            }
        }
        self.queue.notify_all();
        PipeEnd {
            pipe: self.clone(),
            write,
        }
    }

    /// (readers open, writers open, readers ever opened, writers ever
    /// opened).
    pub fn counts(&self) -> (usize, usize, u64, u64) {
        let st = self.state.lock();
        (st.readers, st.writers, st.opened_readers, st.opened_writers)
    }

    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        {
            let mut st = self.pipe.state.lock();
            if self.write {
                st.writers -= 1;
            } else {
                st.readers -= 1;
            }
        }
        self.pipe.queue.notify_all();
    }
}

impl FileImpl for PipeEnd {
    fn peek(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        if self.write {
            return Err(Errno::EBADF);
        }
        let st = self.pipe.state.lock();
        let mut ret = 0;
        for b in &st.bufs {
            if ret == buf.len() {
                break;
            }
            let chars = (b.data.len() - b.off).min(buf.len() - ret);
            buf[ret..ret + chars].copy_from_slice(&b.data[b.off..b.off + chars]);
            ret += chars;
        }
        if ret > 0 || st.writers == 0 || buf.is_empty() {
            return Ok(ret);
        }
        Err(Errno::EAGAIN)
    }

    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        if self.write {
            return Err(Errno::EBADF);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let mut st = self.pipe.state.lock();
        let mut ret = 0;
        let mut freed = false;
        while let Some(b) = st.bufs.front_mut() {
            let chars = (b.data.len() - b.off).min(buf.len() - ret);
            buf[ret..ret + chars].copy_from_slice(&b.data[b.off..b.off + chars]);
            ret += chars;
            b.off += chars;
            let packet = b.packet;
            if packet || b.off == b.data.len() {
                st.bufs.pop_front();
                freed = true;
            }
            if packet || ret == buf.len() {
                break;
            }
        }
        let writers = st.writers;
        drop(st);
        if freed {
            self.pipe.queue.notify(POLLOUT | POLLWRNORM);
        }
        if ret > 0 {
            return Ok(ret);
        }
        if writers == 0 {
            return Ok(0);
        }
        Err(Errno::EAGAIN)
    }

    fn write(&self, buf: &[u8], flags: i32) -> Result<usize, Errno> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let packet = flags & libc::O_DIRECT != 0;
        let mut st = self.pipe.state.lock();
        if st.readers == 0 {
            return Err(Errno::EPIPE);
        }
        let mut ret = 0;
        let chars = buf.len() % PAGE;
        if chars > 0 {
            if let Some(last) = st.bufs.back_mut() {
                if !last.packet && last.data.len() + chars <= PAGE {
                    last.data.extend_from_slice(&buf[..chars]);
                    ret = chars;
                }
            }
        }
        while ret < buf.len() && st.bufs.len() < st.slots {
            let n = (buf.len() - ret).min(PAGE);
            let mut data = Vec::with_capacity(PAGE);
            data.extend_from_slice(&buf[ret..ret + n]);
            st.bufs.push_back(Buf {
                data,
                off: 0,
                packet,
            });
            ret += n;
        }
        drop(st);
        if ret == 0 {
            return Err(Errno::EAGAIN);
        }
        self.pipe.queue.notify(POLLIN | POLLRDNORM);
        Ok(ret)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(Stat {
            st_dev: PIPEFS_DEV,
            st_ino: self.pipe.ino,
            st_nlink: 1,
            st_mode: libc::S_IFIFO | 0o600,
            st_blksize: 4096,
            st_atim: self.pipe.created,
            st_mtim: self.pipe.created,
            st_ctim: self.pipe.created,
            ..Stat::default()
        })
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        let st = self.pipe.state.lock();
        let n: usize = st.bufs.iter().map(|b| b.data.len() - b.off).sum();
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    fn readiness(&self) -> u32 {
        let st = self.pipe.state.lock();
        if self.write {
            let mut ev = 0;
            if st.bufs.len() < st.slots {
                ev |= POLLOUT | POLLWRNORM;
            }
            if st.readers == 0 {
                ev |= POLLERR;
            }
            ev
        } else {
            let mut ev = 0;
            if !st.bufs.is_empty() {
                ev |= POLLIN | POLLRDNORM;
            }
            if st.writers == 0 {
                ev |= POLLHUP;
            }
            ev
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.pipe.queue)
    }

    fn async_queue(&self) -> Option<&WaitQueue> {
        Some(&self.pipe.queue)
    }

    fn pipe_size(&self) -> Result<i32, Errno> {
        let st = self.pipe.state.lock();
        Ok(i32::try_from(st.slots * PAGE).unwrap_or(i32::MAX))
    }

    fn reopen(&self, flags: i32) -> Option<Box<dyn FileImpl>> {
        Some(match flags & libc::O_ACCMODE {
            libc::O_RDONLY => Box::new(self.pipe.open_end(false)),
            libc::O_WRONLY => Box::new(self.pipe.open_end(true)),
            _ => Box::new(PipeFile::new(
                Some(self.pipe.open_end(false)),
                Some(self.pipe.open_end(true)),
                None,
            )),
        })
    }

    fn set_pipe_size(&self, size: u64) -> Result<i32, Errno> {
        if size > MAX_SIZE {
            return Err(Errno::EINVAL);
        }
        let pages = usize::try_from(size.div_ceil(PAGE as u64).max(1))
            .map_err(|_| Errno::EINVAL)?
            .next_power_of_two();
        let mut st = self.pipe.state.lock();
        if st.bufs.len() > pages {
            return Err(Errno::EBUSY);
        }
        st.slots = pages;
        drop(st);
        self.pipe.queue.notify(POLLOUT | POLLWRNORM);
        Ok(i32::try_from(pages * PAGE).unwrap_or(i32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe() -> (PipeEnd, PipeEnd) {
        new_pipe(Timespec::default())
    }

    #[test]
    fn capacity_is_sixteen_page_slots() {
        let (r, w) = pipe();
        let mut n = 0;
        while w.write(&[1], 0).is_ok() {
            n += 1;
        }
        assert_eq!(n, 65536);
        let mut b = [0u8; 1];
        assert_eq!(r.read(&mut b, 0), Ok(1));
        assert_eq!(
            w.write(&[1], 0),
            Err(Errno::EAGAIN),
            "a slot frees only when read to its end"
        );
        let mut page = vec![0u8; 4095];
        assert_eq!(r.read(&mut page, 0), Ok(4095));
        assert_eq!(w.write(&[1], 0), Ok(1));
    }

    #[test]
    fn packets_are_read_whole_and_small_writes_are_atomic() {
        let (r, w) = pipe();
        assert_eq!(w.write(b"abc", libc::O_DIRECT), Ok(3));
        assert_eq!(w.write(b"de", libc::O_DIRECT), Ok(2));
        let mut b = [0u8; 2];
        assert_eq!(r.read(&mut b, 0), Ok(2));
        assert_eq!(&b, b"ab");
        let mut b = [0u8; 10];
        assert_eq!(
            r.read(&mut b, 0),
            Ok(2),
            "the rest of the first packet is gone"
        );
        assert_eq!(&b[..2], b"de");
        // Fill all but one slot, then a PIPE_BUF write fits exactly.
        for _ in 0..15 {
            assert_eq!(w.write(&[0u8; PAGE], 0), Ok(PAGE));
        }
        assert_eq!(w.write(&[0u8; PAGE], 0), Ok(PAGE));
        assert_eq!(w.write(&[0u8; 10], 0), Err(Errno::EAGAIN));
    }

    #[test]
    fn eof_and_epipe() {
        let (r, w) = pipe();
        let mut b = [0u8; 4];
        assert_eq!(r.read(&mut b, 0), Err(Errno::EAGAIN));
        drop(w);
        assert_eq!(r.read(&mut b, 0), Ok(0));
        assert_eq!(r.readiness() & POLLHUP, POLLHUP);
        let (r, w) = pipe();
        drop(r);
        assert_eq!(w.write(b"x", 0), Err(Errno::EPIPE));
        assert_eq!(w.write(b"", 0), Ok(0));
        assert_eq!(w.readiness() & POLLERR, POLLERR);
    }

    #[test]
    fn set_size_rounds_to_powers_of_two_pages() {
        let (_r, w) = pipe();
        assert_eq!(w.set_pipe_size(0), Ok(4096));
        assert_eq!(w.set_pipe_size(5000), Ok(8192));
        assert_eq!(w.set_pipe_size(12288), Ok(16384));
        assert_eq!(w.set_pipe_size(65537), Ok(131_072));
        assert_eq!(w.set_pipe_size(u64::MAX), Err(Errno::EINVAL));
        w.set_pipe_size(4096).unwrap();
        w.write(&[0u8; 4096], 0).unwrap();
        w.set_pipe_size(8192).unwrap();
        w.write(&[0u8; 4096], 0).unwrap();
        assert_eq!(w.set_pipe_size(4096), Err(Errno::EBUSY));
    }
}

/// One or both ends of a pipe in one file: an open FIFO (with its node,
/// whose attributes it shows), or a pipe reopened read-write through
/// `/proc/pid/fd/N`.
#[derive(Debug)]
pub struct PipeFile {
    reader: Option<PipeEnd>,
    writer: Option<PipeEnd>,
    inode: Option<crate::vfs::InodeRef>,
}

impl PipeFile {
    pub fn new(
        reader: Option<PipeEnd>,
        writer: Option<PipeEnd>,
        inode: Option<crate::vfs::InodeRef>,
    ) -> PipeFile {
        PipeFile {
            reader,
            writer,
            inode,
        }
    }

    fn any(&self) -> &PipeEnd {
        self.reader
            .as_ref()
            .or(self.writer.as_ref())
            .expect("a FIFO file has an end")
    }
}

impl FileImpl for PipeFile {
    fn read(&self, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        self.reader.as_ref().ok_or(Errno::EBADF)?.read(buf, flags)
    }

    fn write(&self, buf: &[u8], flags: i32) -> Result<usize, Errno> {
        self.writer.as_ref().ok_or(Errno::EBADF)?.write(buf, flags)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        match &self.inode {
            Some(i) => i.stat(),
            None => self.any().stat(),
        }
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        self.any().bytes_readable()
    }

    fn readiness(&self) -> u32 {
        let r = self.reader.as_ref().map_or(0, FileImpl::readiness);
        let w = self.writer.as_ref().map_or(0, FileImpl::readiness);
        if self.reader.is_some() && self.writer.is_some() {
            // Both ends open here: neither hang-up nor error applies.
            (r | w) & !(POLLHUP | POLLERR)
        } else {
            r | w
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        self.any().queue()
    }

    fn async_queue(&self) -> Option<&WaitQueue> {
        self.any().queue()
    }

    fn pipe_size(&self) -> Result<i32, Errno> {
        self.any().pipe_size()
    }

    fn set_pipe_size(&self, size: u64) -> Result<i32, Errno> {
        self.any().set_pipe_size(size)
    }

    fn inode(&self) -> Option<&crate::vfs::InodeRef> {
        self.inode.as_ref()
    }
}

/// The buffers of named pipes with an end open, by node.
static FIFOS: std::sync::LazyLock<Mutex<std::collections::HashMap<usize, std::sync::Weak<Pipe>>>> =
    std::sync::LazyLock::new(Mutex::default);

/// The pipe behind the FIFO node `key`: the one its open ends share, or a
/// new one.
pub fn fifo_of(key: usize, now: Timespec) -> Arc<Pipe> {
    let mut fifos = FIFOS.lock();
    if let Some(p) = fifos.get(&key).and_then(std::sync::Weak::upgrade) {
        return p;
    }
    fifos.retain(|_, w| w.strong_count() > 0);
    let p = Pipe::new_fifo(now);
    fifos.insert(key, Arc::downgrade(&p));
    p
}
