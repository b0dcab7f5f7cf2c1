//! The gofer's unsafe code, all of it: taking ownership of descriptor
//! numbers that nix 0.29 hands back as bare `RawFd`s (a new fd from
//! `openat`, fds received with `SCM_RIGHTS`, an fd inherited from the
//! parent process).

use std::collections::BTreeSet;
use std::io::{self, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Mutex;

use nix::fcntl::{FcntlArg, OFlag};
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
use nix::sys::stat::Mode;
use nix::NixPath;

/// `openat(2)` returning an owned descriptor.
pub(crate) fn openat<P: ?Sized + NixPath>(
    dir: BorrowedFd<'_>,
    path: &P,
    flags: OFlag,
    mode: Mode,
) -> nix::Result<OwnedFd> {
    let fd = nix::fcntl::openat(Some(dir.as_raw_fd()), path, flags, mode)?;
    // SAFETY: a successful openat just returned `fd`: a new descriptor that
    // nothing else in this process knows of, so it is ours to own and close.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// One received packet.
#[derive(Debug)]
pub(crate) struct Received {
    pub len: usize,
    pub flags: MsgFlags,
    pub fds: Vec<OwnedFd>,
}

/// `SCM_MAX_FD`: the most fds one message carries. Room for that many
/// means the control data is never truncated, which would leave received
/// fds that nix refuses to iterate (and that we would leak).
const SCM_MAX_FD: usize = 253;

/// `recvmsg(2)` into `buf`, taking ownership of any fds that came with the
/// packet (close-on-exec).
pub(crate) fn recv_with_fds(sock: BorrowedFd<'_>, buf: &mut [u8]) -> nix::Result<Received> {
    let mut cmsg = nix::cmsg_space!([RawFd; SCM_MAX_FD]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut cmsg),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    let mut fds = Vec::new();
    if let Ok(cmsgs) = msg.cmsgs() {
        for c in cmsgs {
            if let ControlMessageOwned::ScmRights(raw) = c {
                for fd in raw {
                    // SAFETY: the kernel installed `fd` in our table for this
                    // SCM_RIGHTS message just now; nothing else has seen it.
                    fds.push(unsafe { OwnedFd::from_raw_fd(fd) });
                }
            }
        }
    }
    Ok(Received {
        len: msg.bytes,
        flags: msg.flags,
        fds,
    })
}

/// Descriptors already claimed by [`claim_inherited`].
static CLAIMED: Mutex<BTreeSet<RawFd>> = Mutex::new(BTreeSet::new());

/// Takes ownership of `fd`, a descriptor above the standard streams that
/// the parent process left open for us. Refuses a closed fd and a second
/// claim of the same number.
pub(crate) fn claim_inherited(fd: RawFd) -> io::Result<OwnedFd> {
    if fd < 3 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("fd {fd} is a standard stream"),
        ));
    }
    let mut claimed = CLAIMED.lock().unwrap_or_else(|e| e.into_inner());
    if claimed.contains(&fd) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("fd {fd} already claimed"),
        ));
    }
    nix::fcntl::fcntl(fd, FcntlArg::F_GETFD).map_err(io::Error::from)?;
    claimed.insert(fd);
    // SAFETY: `fd` is open (F_GETFD succeeded) and is not a standard stream
    // (std's handles own those). It has not been claimed before in this
    // process (the set above), and `server::inherited_fd`'s contract, called
    // at startup before this process opens anything, is that it came from
    // the parent, so no other owner exists.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
