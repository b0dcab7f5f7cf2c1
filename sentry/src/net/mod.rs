//! Sockets, served entirely by the sentry: [`unix`] (AF_UNIX),
//! [`inet`] (AF_INET and AF_INET6 over the sandbox's own loopback, as
//! gVisor's `--network=none`) and [`netlink`] (`NETLINK_ROUTE`, which
//! describes that loopback). Nothing here touches a host socket.
//!
//! A socket file is a [`Socket`]: one of the families' objects behind
//! it. What the families share lives here: the `SOL_SOCKET` options,
//! their timeouts and buffer limits.
//!
//! This layer knows files and nodes but not tasks: callers pass plain
//! credentials and already-resolved nodes, and do the waiting.

pub mod inet;
pub mod netlink;
pub mod unix;

use std::sync::Arc;
use std::time::Duration;

use abi::types::Stat;
use abi::Errno;

use crate::fsimpl::{FileDescription, FileImpl};
use crate::waiter::WaitQueue;

/// `net.core.wmem_default` and `rmem_default`.
pub const DEFAULT_BUF: usize = 212_992;
/// `net.core.wmem_max` and `rmem_max` (Linux's defaults).
pub const MAX_BUF: usize = 212_992;
/// `SOCK_MIN_SNDBUF` and `SOCK_MIN_RCVBUF` on x86-64.
pub const MIN_SNDBUF: usize = 4608;
pub const MIN_RCVBUF: usize = 2304;
/// `net.core.somaxconn`: listen(2) backlogs are capped at it.
pub const SOMAXCONN: usize = 4096;
/// The device number of sockfs as `fstat` shows it.
const SOCKFS_DEV: u64 = 9;

/// `sk_shutdown` bits.
pub(crate) const RCV_SHUTDOWN: u8 = 1;
pub(crate) const SEND_SHUTDOWN: u8 = 2;
pub(crate) const SHUTDOWN_MASK: u8 = 3;

/// `SO_RCVTIMEO` and `SO_SNDTIMEO`, kept at a millisecond (a jiffy of a
/// 1000 Hz kernel): `After(0)` never waits (a negative time set it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Timeout {
    #[default]
    Forever,
    After(Duration),
}

/// The settable `SOL_SOCKET` options (`SO_SNDBUF` is kept apart, for
/// the accounting).
#[derive(Clone, Debug)]
pub struct Options {
    pub rcvbuf: usize,
    pub passcred: bool,
    pub keepalive: bool,
    pub reuseaddr: bool,
    pub reuseport: bool,
    pub broadcast: bool,
    pub dontroute: bool,
    pub oobinline: bool,
    pub debug: bool,
    pub priority: i32,
    /// `l_onoff` and `l_linger` (seconds).
    pub linger: (bool, i32),
    pub rcvtimeo: Timeout,
    pub sndtimeo: Timeout,
    pub rcvlowat: i32,
}

impl Default for Options {
    fn default() -> Options {
        Options::with_rcvbuf(DEFAULT_BUF)
    }
}

impl Options {
    /// The defaults, with a protocol's own receive buffer.
    pub fn with_rcvbuf(rcvbuf: usize) -> Options {
        Options {
            rcvbuf,
            passcred: false,
            keepalive: false,
            reuseaddr: false,
            reuseport: false,
            broadcast: false,
            dontroute: false,
            oobinline: false,
            debug: false,
            priority: 0,
            linger: (false, 0),
            rcvtimeo: Timeout::Forever,
            sndtimeo: Timeout::Forever,
            rcvlowat: 1,
        }
    }
}

/// The sockfs node `fstat` shows for a socket.
pub(crate) fn sockfs_stat(ino: u64, owner: (u32, u32)) -> Stat {
    Stat {
        st_dev: SOCKFS_DEV,
        st_ino: ino,
        st_nlink: 1,
        st_mode: abi::stat::S_IFSOCK | 0o777,
        st_uid: owner.0,
        st_gid: owner.1,
        st_blksize: 4096,
        ..Stat::default()
    }
}

/// A fresh sockfs inode number.
pub(crate) fn next_ino() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT_INO: AtomicU64 = AtomicU64::new(1);
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

/// The object behind a socket file, by family and protocol.
#[derive(Clone, Debug)]
pub enum Family {
    Unix(Arc<unix::Endpoint>),
    Tcp(Arc<inet::tcp::Tcp>),
    Udp(Arc<inet::udp::Udp>),
    Netlink(Arc<netlink::Netlink>),
}

impl Family {
    /// Readiness waiters: poll, epoll and blocked calls.
    pub fn queue(&self) -> &WaitQueue {
        match self {
            Family::Unix(ep) => ep.queue(),
            Family::Tcp(s) => s.endpoint().queue(),
            Family::Udp(s) => s.queue(),
            Family::Netlink(s) => s.queue(),
        }
    }

    /// Runs `f` on the `SOL_SOCKET` options.
    pub fn with_options<T>(&self, f: impl FnOnce(&mut Options) -> T) -> T {
        match self {
            Family::Unix(ep) => ep.with_options(f),
            Family::Tcp(s) => s.endpoint().with_options(f),
            Family::Udp(s) => s.with_options(f),
            Family::Netlink(s) => s.with_options(f),
        }
    }

    /// `SO_SNDBUF`.
    pub fn sndbuf(&self) -> usize {
        match self {
            Family::Unix(ep) => ep.sndbuf(),
            Family::Tcp(s) => s.sndbuf(),
            Family::Udp(s) => s.sndbuf(),
            Family::Netlink(s) => s.sndbuf(),
        }
    }

    pub fn set_sndbuf(&self, n: usize) {
        match self {
            Family::Unix(ep) => ep.set_sndbuf(n),
            Family::Tcp(s) => s.set_sndbuf(n),
            Family::Udp(s) => s.set_sndbuf(n),
            Family::Netlink(s) => s.set_sndbuf(n),
        }
    }

    /// `SO_ERROR`: the pending error, cleared.
    pub fn take_error(&self) -> Option<Errno> {
        match self {
            Family::Unix(ep) => ep.take_error(),
            Family::Tcp(s) => s.take_error(),
            Family::Udp(s) => s.take_error(),
            Family::Netlink(s) => s.take_error(),
        }
    }

    /// Records an error for the next call.
    pub fn set_error(&self, e: Errno) {
        match self {
            Family::Unix(ep) => ep.set_error(e),
            Family::Tcp(s) => s.endpoint().set_error(e),
            Family::Udp(s) => s.set_error(e),
            Family::Netlink(s) => s.set_error(e),
        }
    }

    /// `SIOCOUTQ`.
    pub fn unsent(&self) -> usize {
        match self {
            Family::Unix(ep) => ep.unsent(),
            // Loopback acknowledges what it delivers at once, and a
            // datagram leaves its sender's buffer as it is sent.
            Family::Tcp(_) | Family::Udp(_) | Family::Netlink(_) => 0,
        }
    }

    /// `SIOCINQ` (`FIONREAD`).
    pub fn readable(&self) -> Result<usize, Errno> {
        match self {
            Family::Unix(ep) => ep.readable(),
            Family::Tcp(s) => s.readable(),
            Family::Udp(s) => Ok(s.readable()),
            Family::Netlink(s) => Ok(s.readable()),
        }
    }

    fn poll(&self) -> u32 {
        match self {
            Family::Unix(ep) => ep.poll(),
            Family::Tcp(s) => s.poll(),
            Family::Udp(s) => s.poll(),
            Family::Netlink(s) => s.poll(),
        }
    }

    fn stat(&self) -> Stat {
        match self {
            Family::Unix(ep) => ep.stat(),
            Family::Tcp(s) => s.endpoint().stat(),
            Family::Udp(s) => s.stat(),
            Family::Netlink(s) => s.stat(),
        }
    }
}

/// A socket file: its family's object, released at the last close.
#[derive(Debug)]
pub struct Socket {
    family: Family,
}

impl Socket {
    pub fn new(family: Family) -> Socket {
        Socket { family }
    }

    pub fn family(&self) -> &Family {
        &self.family
    }

    /// The socket behind a description, if it is one.
    pub fn of(f: &FileDescription) -> Option<&Socket> {
        f.imp().as_any()?.downcast_ref::<Socket>()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        match &self.family {
            Family::Unix(ep) => ep.close(),
            Family::Tcp(s) => s.close(),
            Family::Udp(s) => s.close(),
            Family::Netlink(s) => s.close(),
        }
    }
}

impl FileImpl for Socket {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.family.stat())
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        self.family
            .readable()
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX))
    }

    fn readiness(&self) -> u32 {
        self.family.poll()
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(self.family.queue())
    }

    fn async_queue(&self) -> Option<&WaitQueue> {
        Some(self.family.queue())
    }

    fn ioctl(&self, req: u64, arg: u64, mm: &crate::mm::MemoryManager) -> Result<u64, Errno> {
        match req {
            abi::socket::SIOCOUTQ => {
                let n = i32::try_from(self.family.unsent()).unwrap_or(i32::MAX);
                mm.write_obj(arg, &n)?;
                Ok(0)
            }
            // Every family answers the interface requests (Linux's
            // sock_ioctl hands them to dev_ioctl).
            _ => inet::iface::ioctl(req, arg, mm),
        }
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
