//! `O_ASYNC`: a signal to a file's owner whenever the file becomes
//! readable or writable (Linux's `fasync` and `send_sigio` in
//! fs/fcntl.c), and the `fcntl` commands that choose the owner and the
//! signal. Readiness reaches the owner through the file's wait queue,
//! where `O_ASYNC` registers a [`Sigio`].

use std::sync::{Arc, Weak};

use abi::fcntl::{F_GETOWN, F_GETOWN_EX, F_GETSIG, F_SETOWN, F_SETOWN_EX, F_SETSIG};
use abi::signal::{SIGIO, SI_KERNEL};
use abi::types::Siginfo;
use abi::Errno;

use crate::fsimpl::events::{
    POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND, POLLWRNORM,
};
use crate::fsimpl::FileDescription;
use crate::fsimpl::{AsyncOwner, F_OWNER_PGRP, F_OWNER_PID, F_OWNER_TID};
use crate::kernel::signal::SiginfoExt;
use crate::kernel::{Kernel, Task};
use crate::waiter::Notify;

/// `si_code` of a `SIGPOLL`-style signal: what happened.
const POLL_IN: i32 = 1;
const POLL_OUT: i32 = 2;
/// `si_band` per reason (Linux's `band_table`).
const BAND_IN: u64 = 0x41; // POLLIN | POLLRDNORM
const BAND_OUT: u64 = 0x304; // POLLOUT | POLLWRNORM | POLLWRBAND

/// `struct f_owner_ex`.
#[derive(
    Clone, Copy, Debug, Default, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable,
)]
#[repr(C)]
struct FOwnerEx {
    kind: i32,
    pid: i32,
}

/// Tells a file's owner of readiness changes: registered on the file's
/// async queue while `O_ASYNC` is on.
#[derive(Debug)]
struct Sigio {
    kernel: Weak<Kernel>,
    file: Weak<FileDescription>,
    /// The descriptor `O_ASYNC` was turned on through (`si_fd`).
    fd: i32,
}

impl Notify for Sigio {
    fn notify(&self, events: u32) {
        let (Some(kernel), Some(file)) = (self.kernel.upgrade(), self.file.upgrade()) else {
            return;
        };
        // The queue may serve more than this end (a pty's two sides):
        // only what this description is ready for now counts.
        let ready = file.readiness();
        let acc = file.status_flags().unwrap_or(0) & libc::O_ACCMODE;
        let input = POLLIN | POLLRDNORM | POLLHUP | POLLRDHUP;
        let output = POLLOUT | POLLWRNORM | POLLWRBAND;
        let owner = file.async_owner();
        if acc != libc::O_WRONLY && events & ready & input != 0 {
            send(&kernel, owner, self.fd, POLL_IN);
        }
        if acc != libc::O_RDONLY && events & ready & output != 0 {
            send(&kernel, owner, self.fd, POLL_OUT);
        }
    }
}

/// Linux's `send_sigio`: `F_SETSIG`'s signal with the reason, band and
/// descriptor, or a plain `SIGIO`, to the owning thread, process or
/// process group.
fn send(kernel: &Kernel, owner: AsyncOwner, fd: i32, reason: i32) {
    if owner.id == 0 {
        return;
    }
    let info = if owner.sig == 0 {
        Siginfo::new(SIGIO, SI_KERNEL)
    } else {
        let band = if reason == POLL_IN { BAND_IN } else { BAND_OUT };
        Siginfo::poll(owner.sig, reason, band, fd)
    };
    let mut tree = kernel.tree.lock();
    match owner.kind {
        F_OWNER_TID => tree.send_to_thread(owner.id, info),
        F_OWNER_PID => {
            if let Some(tgid) = tree.threads.get(&owner.id).map(|t| t.tgid) {
                tree.send_to_process(tgid, info);
            }
        }
        _ => {
            for p in tree.targets(crate::kernel::process::Target::Group(owner.id)) {
                tree.send_to_process(p, info);
            }
        }
    }
}

/// Turns `O_ASYNC` on or off for `file`, reached through `fd`.
/// `ENOTTY` for a file without async notification.
pub fn set(t: &Task, fd: i32, file: &Arc<FileDescription>, on: bool) -> Result<(), Errno> {
    let notify: Option<Arc<dyn Notify>> = on.then(|| {
        Arc::new(Sigio {
            kernel: Arc::downgrade(&t.kernel),
            file: Arc::downgrade(file),
            fd,
        }) as Arc<dyn Notify>
    });
    file.set_async(notify)
}

/// Whether a thread, process or group `id` exists (Linux's `find_vpid`).
fn exists(t: &Task, id: i32) -> bool {
    let tree = t.kernel.tree.lock();
    tree.threads.contains_key(&id) || tree.procs.values().any(|p| p.pgid == id || p.sid == id)
}

/// The owner and signal commands of fcntl(2); `None` for other commands.
pub fn fcntl(t: &Task, file: &FileDescription, cmd: i32, arg: u64) -> Option<Result<u64, Errno>> {
    Some(match cmd {
        F_GETOWN => {
            let o = file.async_owner();
            let v = if o.kind == F_OWNER_PGRP { -o.id } else { o.id };
            Ok(i64::from(v).cast_unsigned())
        }
        F_SETOWN => {
            // An int argument: the upper half is ignored.
            #[allow(clippy::cast_possible_truncation)]
            let who = arg as i32;
            if who == i32::MIN {
                return Some(Err(Errno::EINVAL));
            }
            let (kind, id) = if who < 0 {
                (F_OWNER_PGRP, -who)
            } else {
                (F_OWNER_PID, who)
            };
            set_owner(t, file, kind, id)
        }
        F_GETOWN_EX => {
            let o = file.async_owner();
            let ex = FOwnerEx {
                kind: o.kind,
                pid: o.id,
            };
            t.mm.write_obj(arg, &ex).map(|()| 0)
        }
        F_SETOWN_EX => match t.mm.read_obj::<FOwnerEx>(arg) {
            Ok(ex) if matches!(ex.kind, F_OWNER_TID | F_OWNER_PID | F_OWNER_PGRP) => {
                set_owner(t, file, ex.kind, ex.pid)
            }
            Ok(_) => Err(Errno::EINVAL),
            Err(e) => Err(e),
        },
        F_GETSIG => Ok(u64::from(file.async_owner().sig.cast_unsigned())),
        F_SETSIG => {
            if arg > u64::from(abi::signal::NSIG.cast_unsigned()) {
                return Some(Err(Errno::EINVAL));
            }
            let sig = i32::try_from(arg).expect("at most NSIG");
            file.update_async_owner(|o| o.sig = sig);
            Ok(0)
        }
        _ => return None,
    })
}

fn set_owner(t: &Task, file: &FileDescription, kind: i32, id: i32) -> Result<u64, Errno> {
    if id != 0 && (id < 0 || !exists(t, id)) {
        return Err(Errno::ESRCH);
    }
    file.update_async_owner(|o| {
        o.kind = kind;
        o.id = id;
    });
    Ok(0)
}
