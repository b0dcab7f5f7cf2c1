//! Files backed by a host descriptor the sentry owns: the standard streams
//! that `runsc` donates. The application's call is never forwarded: the
//! sentry validates it, then does its own I/O on its own descriptor.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use abi::types::{Stat, Termios, Timespec, Winsize};
use abi::Errno;

#[allow(unsafe_code)]
mod raw;

/// A host error as the application's errno: a host EBADF or EAGAIN on our
/// own descriptor is the answer Linux would give for the same file.
pub fn host_errno(e: nix::Error) -> Errno {
    Errno::from_raw(e as i32)
}

/// A host descriptor the sentry owns.
#[derive(Debug)]
pub struct HostFile {
    host: OwnedFd,
}

/// The status flags `F_SETFL` may change (`SETFL_MASK` in Linux).
const SETFL_MASK: i32 =
    libc::O_APPEND | libc::O_NONBLOCK | libc::O_ASYNC | libc::O_DIRECT | libc::O_NOATIME;

impl HostFile {
    pub fn new(host: OwnedFd) -> HostFile {
        HostFile { host }
    }
}

impl super::FileImpl for HostFile {
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        HostFile::read(self, buf)
    }

    fn write(&self, buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        HostFile::write(self, buf)
    }

    fn pread(&self, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        HostFile::pread(self, buf, pos)
    }

    fn pwrite(&self, buf: &[u8], pos: u64) -> Result<usize, Errno> {
        HostFile::pwrite(self, buf, pos)
    }

    fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        HostFile::seek(self, offset, whence)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        HostFile::stat(self)
    }

    fn tcgets(&self) -> Result<Termios, Errno> {
        HostFile::tcgets(self)
    }

    fn window_size(&self) -> Result<Winsize, Errno> {
        HostFile::window_size(self)
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        HostFile::bytes_readable(self)
    }

    fn pipe_size(&self) -> Result<i32, Errno> {
        HostFile::pipe_size(self)
    }

    fn host_status_flags(&self) -> Option<Result<i32, Errno>> {
        Some(self.status_flags())
    }

    fn readiness(&self) -> u32 {
        self.poll(
            u32::from(
                (libc::POLLIN | libc::POLLOUT | libc::POLLRDNORM | libc::POLLWRNORM)
                    .cast_unsigned(),
            ),
            0,
        )
    }

    fn host_poll(&self, events: u32, timeout_ms: u16) -> Option<u32> {
        Some(self.poll(events, timeout_ms))
    }

    fn set_host_status_flags(&self, flags: i32) -> Option<Result<(), Errno>> {
        Some(self.set_status_flags(flags))
    }
}

impl HostFile {
    /// The host's readiness of the descriptor for `events`, waiting up to
    /// `timeout_ms` for one.
    fn poll(&self, events: u32, timeout_ms: u16) -> u32 {
        let ev =
            nix::poll::PollFlags::from_bits_truncate(i16::try_from(events & 0x7fff).unwrap_or(0));
        let mut fds = [nix::poll::PollFd::new(self.host.as_fd(), ev)];
        match nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(timeout_ms)) {
            Ok(n) if n > 0 => fds[0]
                .revents()
                .map_or(0, |r| u32::from(r.bits().cast_unsigned())),
            _ => 0,
        }
    }

    /// Reads into `buf`; returns the byte count.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            match nix::unistd::read(self.host.as_raw_fd(), buf) {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(host_errno),
            }
        }
    }

    /// Writes `buf`; returns the byte count.
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        loop {
            match nix::unistd::write(self.host.as_fd(), buf) {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(host_errno),
            }
        }
    }

    /// Reads at `pos` without moving the file offset.
    #[allow(clippy::cast_possible_wrap)]
    pub fn pread(&self, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        loop {
            match nix::sys::uio::pread(self.host.as_fd(), buf, pos as i64) {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(host_errno),
            }
        }
    }

    /// Writes at `pos` without moving the file offset.
    #[allow(clippy::cast_possible_wrap)]
    pub fn pwrite(&self, buf: &[u8], pos: u64) -> Result<usize, Errno> {
        loop {
            match nix::sys::uio::pwrite(self.host.as_fd(), buf, pos as i64) {
                Err(nix::Error::EINTR) => continue,
                r => return r.map_err(host_errno),
            }
        }
    }

    /// The file's status flags and access mode (`F_GETFL`).
    pub fn status_flags(&self) -> Result<i32, Errno> {
        nix::fcntl::fcntl(self.host.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFL).map_err(host_errno)
    }

    /// `F_SETFL`: only the settable flags change.
    pub fn set_status_flags(&self, flags: i32) -> Result<(), Errno> {
        let cur = self.status_flags()?;
        let new = (cur & !SETFL_MASK) | (flags & SETFL_MASK);
        let oflags = nix::fcntl::OFlag::from_bits_retain(new);
        nix::fcntl::fcntl(self.host.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFL(oflags))
            .map(drop)
            .map_err(host_errno)
    }

    /// `F_GETPIPE_SZ` where the host file is a pipe.
    pub fn pipe_size(&self) -> Result<i32, Errno> {
        nix::fcntl::fcntl(self.host.as_raw_fd(), nix::fcntl::FcntlArg::F_GETPIPE_SZ)
            .map_err(host_errno)
    }

    /// `fstat`.
    pub fn stat(&self) -> Result<Stat, Errno> {
        let s = nix::sys::stat::fstat(self.host.as_raw_fd()).map_err(host_errno)?;
        Ok(stat_from_host(&s))
    }

    /// `TCGETS`: ENOTTY unless the host file is a terminal.
    pub fn tcgets(&self) -> Result<Termios, Errno> {
        raw::tcgets(self.host.as_fd())
    }

    /// `TIOCGWINSZ`.
    pub fn window_size(&self) -> Result<Winsize, Errno> {
        raw::tiocgwinsz(self.host.as_fd())
    }

    /// `FIONREAD`: bytes ready to read.
    pub fn bytes_readable(&self) -> Result<i32, Errno> {
        raw::fionread(self.host.as_fd())
    }

    /// `lseek`.
    pub fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        let whence = match whence {
            0 => nix::unistd::Whence::SeekSet,
            1 => nix::unistd::Whence::SeekCur,
            2 => nix::unistd::Whence::SeekEnd,
            3 => nix::unistd::Whence::SeekData,
            4 => nix::unistd::Whence::SeekHole,
            _ => return Err(Errno::EINVAL),
        };
        nix::unistd::lseek(self.host.as_raw_fd(), offset, whence).map_err(host_errno)
    }
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn stat_from_host(s: &libc::stat) -> Stat {
    Stat {
        st_dev: s.st_dev,
        st_ino: s.st_ino,
        st_nlink: s.st_nlink,
        st_mode: s.st_mode,
        st_uid: s.st_uid,
        st_gid: s.st_gid,
        st_rdev: s.st_rdev,
        st_size: s.st_size,
        st_blksize: s.st_blksize,
        st_blocks: s.st_blocks,
        st_atim: Timespec {
            tv_sec: s.st_atime,
            tv_nsec: s.st_atime_nsec,
        },
        st_mtim: Timespec {
            tv_sec: s.st_mtime,
            tv_nsec: s.st_mtime_nsec,
        },
        st_ctim: Timespec {
            tv_sec: s.st_ctime,
            tv_nsec: s.st_ctime_nsec,
        },
        ..Default::default()
    }
}
