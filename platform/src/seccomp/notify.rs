//! Seccomp user notification: the listener descriptor a stub thread's
//! filter reports its application system calls to, and the descriptor
//! transfer that brings it into the sentry.

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;

/// One notification: the system call a stub thread waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: u64,
    pub nr: i32,
    pub arch: u32,
    pub ip: u64,
    pub args: [u64; 6],
}

/// Waits for the next notification on `listener`.
pub fn receive(listener: BorrowedFd<'_>) -> Result<Notification, Errno> {
    // SAFETY: seccomp_notif is plain data; all-zero is valid and is what
    // the kernel requires of the buffer.
    let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: the ioctl writes one `seccomp_notif` into `n`, which lives
    // for the call.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_RECV,
            &raw mut n,
        )
    };
    if r < 0 {
        return Err(Errno::last());
    }
    Ok(Notification {
        id: n.id,
        nr: n.data.nr,
        arch: n.data.arch,
        ip: n.data.instruction_pointer,
        args: n.data.args,
    })
}

/// Answers notification `id`: the system call returns `error` when it is
/// not zero (a negative errno), else `val`.
pub fn respond(listener: BorrowedFd<'_>, id: u64, val: i64, error: i32) -> Result<(), Errno> {
    let mut resp = libc::seccomp_notif_resp {
        id,
        val,
        error,
        flags: 0,
    };
    // SAFETY: the ioctl reads one `seccomp_notif_resp`, valid for the call.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SEND,
            &raw mut resp,
        )
    };
    if r < 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// A descriptor for process `pid`.
pub fn pidfd_open(pid: i32) -> Result<OwnedFd, Errno> {
    // SAFETY: pidfd_open takes no pointers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    own(fd)
}

/// A copy of descriptor `fd` of the process `pidfd` names.
pub fn pidfd_getfd(pidfd: BorrowedFd<'_>, fd: RawFd) -> Result<OwnedFd, Errno> {
    // SAFETY: pidfd_getfd takes no pointers.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
    own(r)
}

fn own(r: libc::c_long) -> Result<OwnedFd, Errno> {
    if r < 0 {
        return Err(Errno::last());
    }
    let fd = RawFd::try_from(r).map_err(|_| Errno::EBADF)?;
    // SAFETY: the kernel just returned this new descriptor, which nothing
    // else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Whether this host lets a thread install a filter with a listener that
/// waits killably, as stub threads do: a short-lived thread tries one that
/// allows everything.
pub fn listeners_work() -> bool {
    std::thread::spawn(|| {
        let allow = [libc::sock_filter {
            code: 0x06, // BPF_RET | BPF_K
            jt: 0,
            jf: 0,
            k: crate::bpf::SECCOMP_RET_ALLOW,
        }];
        let prog = libc::sock_fprog {
            len: 1,
            filter: allow.as_ptr().cast_mut(),
        };
        // SAFETY: prctl takes integers; it marks only this thread, which
        // ends right after.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return false;
        }
        let flags =
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        // SAFETY: the program is valid for the call; the filter allows
        // every call and goes with this thread.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                flags,
                &raw const prog,
            )
        };
        own(fd).is_ok()
    })
    .join()
    .unwrap_or(false)
}
