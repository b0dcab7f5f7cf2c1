//! Files about signals and processes: signalfd (reads the calling thread's
//! pending signals, as Linux's reads `current`'s) and pidfd (readable when
//! its process has exited).

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use abi::types::{Siginfo, Stat};
use abi::Errno;
use parking_lot::Mutex;

use super::process::ProcState;
use super::signal::{SigSet, SiginfoExt, UNBLOCKABLE};
use super::Kernel;
use crate::fsimpl::events::{POLLIN, POLLRDNORM};
use crate::fsimpl::FileImpl;
use crate::waiter::WaitQueue;

thread_local! {
    /// The task this host thread runs: signalfd reads and polls look at it.
    static CURRENT: RefCell<Option<(Weak<Kernel>, i32)>> = const { RefCell::new(None) };
}

/// Records the task the calling host thread runs (at start and after an
/// exec that changed its tid).
pub fn set_current(kernel: &Arc<Kernel>, tid: i32) {
    CURRENT.with(|c| *c.borrow_mut() = Some((Arc::downgrade(kernel), tid)));
}

/// The kernel and tid of the task the calling host thread runs.
pub fn current() -> Option<(Arc<Kernel>, i32)> {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|(k, tid)| k.upgrade().map(|k| (k, *tid)))
    })
}

/// A signalfd.
#[derive(Debug)]
pub struct SignalFd {
    mask: Mutex<SigSet>,
    events: Arc<WaitQueue>,
}

impl SignalFd {
    pub fn new(mask: SigSet, events: Arc<WaitQueue>) -> SignalFd {
        SignalFd {
            mask: Mutex::new(mask & !UNBLOCKABLE),
            events,
        }
    }

    pub fn set_mask(&self, mask: SigSet) {
        *self.mask.lock() = mask & !UNBLOCKABLE;
        self.events.notify_all();
    }
}

/// The `int` member of a `sigval` union: its low 32 bits.
#[allow(clippy::cast_possible_truncation)]
fn low32(v: u64) -> u32 {
    v as u32
}

/// Linux's `signalfd_copyinfo`: a `struct signalfd_siginfo` (128 bytes).
fn signalfd_siginfo(i: &Siginfo) -> [u8; 128] {
    let mut o = [0u8; 128];
    let put32 =
        |o: &mut [u8; 128], at: usize, v: u32| o[at..at + 4].copy_from_slice(&v.to_le_bytes());
    let put64 =
        |o: &mut [u8; 128], at: usize, v: u64| o[at..at + 8].copy_from_slice(&v.to_le_bytes());
    let sig = i.si_signo;
    put32(&mut o, 0, sig.cast_unsigned());
    put32(&mut o, 4, i.si_errno.cast_unsigned());
    put32(&mut o, 8, i.si_code.cast_unsigned());
    let code = i.si_code;
    let pid = i.get_i32(0).cast_unsigned();
    let uid = i.get_i32(4).cast_unsigned();
    let value = i.get_u64(8);
    if code > abi::signal::SI_USER && code < abi::signal::SI_KERNEL {
        match sig {
            abi::signal::SIGCHLD => {
                put32(&mut o, 12, pid);
                put32(&mut o, 16, uid);
                put32(&mut o, 40, i.get_i32(8).cast_unsigned()); // ssi_status
                put64(&mut o, 64, i.get_u64(16)); // ssi_utime
                put64(&mut o, 72, i.get_u64(24)); // ssi_stime
            }
            abi::signal::SIGILL
            | abi::signal::SIGFPE
            | abi::signal::SIGSEGV
            | abi::signal::SIGBUS
            | abi::signal::SIGTRAP => put64(&mut o, 80, i.get_u64(0)), // ssi_addr
            abi::signal::SIGIO => {
                put32(&mut o, 28, pid); // ssi_band (low half)
                put32(&mut o, 20, i.get_i32(8).cast_unsigned()); // ssi_fd
            }
            _ => {
                put32(&mut o, 12, pid);
                put32(&mut o, 16, uid);
            }
        }
    } else if code == abi::signal::SI_TIMER {
        put32(&mut o, 24, pid); // ssi_tid
        put32(&mut o, 32, uid); // ssi_overrun
        put64(&mut o, 56, value); // ssi_ptr
        put32(&mut o, 44, low32(value)); // ssi_int
    } else if code < 0 {
        put32(&mut o, 12, pid);
        put32(&mut o, 16, uid);
        put64(&mut o, 56, value);
        put32(&mut o, 44, low32(value));
    } else {
        put32(&mut o, 12, pid);
        put32(&mut o, 16, uid);
    }
    o
}

impl FileImpl for SignalFd {
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        if buf.len() < 128 {
            return Err(Errno::EINVAL);
        }
        let Some((kernel, tid)) = current() else {
            return Err(Errno::EAGAIN);
        };
        let mask = *self.mask.lock();
        let mut n = 0;
        let mut tree = kernel.tree.lock();
        while n + 128 <= buf.len() {
            let Some(info) = tree.dequeue(tid, !mask) else {
                break;
            };
            buf[n..n + 128].copy_from_slice(&signalfd_siginfo(&info));
            n += 128;
        }
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        Ok(n)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(crate::fsimpl::eventfd::anon_stat())
    }

    fn consumes_before_copy(&self) -> bool {
        true
    }

    fn readiness(&self) -> u32 {
        let Some((kernel, tid)) = current() else {
            return 0;
        };
        let mask = *self.mask.lock();
        if kernel.tree.lock().pending(tid) & mask != 0 {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.events)
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// A pidfd: names a process; readable once it has exited.
#[derive(Debug)]
pub struct PidFd {
    pub tgid: i32,
    kernel: Weak<Kernel>,
    events: Arc<WaitQueue>,
}

impl PidFd {
    pub fn new(kernel: &Arc<Kernel>, tgid: i32, events: Arc<WaitQueue>) -> PidFd {
        PidFd {
            tgid,
            kernel: Arc::downgrade(kernel),
            events,
        }
    }
}

impl FileImpl for PidFd {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(crate::fsimpl::eventfd::anon_stat())
    }

    fn readiness(&self) -> u32 {
        let Some(k) = self.kernel.upgrade() else {
            return POLLIN | POLLRDNORM;
        };
        let tree = k.tree.lock();
        match tree.procs.get(&self.tgid).map(|p| p.state) {
            Some(ProcState::Running | ProcState::Exiting(_)) => 0,
            _ => POLLIN | POLLRDNORM,
        }
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.events)
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
