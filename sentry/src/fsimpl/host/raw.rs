//! The terminal and pipe ioctls nix has no safe wrapper for, on the
//! sentry's own host descriptors.

use std::os::fd::{AsRawFd, BorrowedFd};

use abi::types::{Termios, Winsize};
use abi::Errno;
use zerocopy::FromZeros;

fn result(r: libc::c_int) -> Result<(), Errno> {
    if r < 0 {
        Err(super::host_errno(nix::Error::last()))
    } else {
        Ok(())
    }
}

/// `TCGETS` on a host descriptor.
pub fn tcgets(fd: BorrowedFd<'_>) -> Result<Termios, Errno> {
    let mut t = Termios::new_zeroed();
    // SAFETY: TCGETS writes one kernel `struct termios`, which `Termios`
    // mirrors exactly (its size is asserted in abi), into `t`.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TCGETS, &raw mut t) };
    result(r).map(|()| t)
}

/// `TIOCGWINSZ` on a host descriptor.
pub fn tiocgwinsz(fd: BorrowedFd<'_>) -> Result<Winsize, Errno> {
    let mut w = Winsize::new_zeroed();
    // SAFETY: TIOCGWINSZ writes one `struct winsize` into `w`, whose layout
    // `Winsize` mirrors.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &raw mut w) };
    result(r).map(|()| w)
}

/// `FIONREAD` on a host descriptor.
pub fn fionread(fd: BorrowedFd<'_>) -> Result<i32, Errno> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int into `n`.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &raw mut n) };
    result(r).map(|()| n)
}
