//! The kernel's objects: the sandbox-wide `Kernel`, the process tree, and
//! `Task`, one application thread with its identity and resources, run by
//! a host thread of its own.
//!
//! Lock order (outer first):
//!   Kernel::tree
//!   ipc tables (exit applies semaphore adjustments under the tree lock)
//!   Process::actions
//!   Task::fds
//!   futex buckets
//!   MemoryManager::inner

pub mod futex;
pub mod ipc;
pub mod process;
pub mod seccomp;
pub mod sigfiles;
pub mod signal;
pub mod task;
pub mod tty;
pub use crate::waiter as wait;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use parking_lot::{Condvar, Mutex};

pub use crate::creds::{Credentials, ALL_CAPS};
use crate::mm::MemoryFile;
pub use process::Tree;
pub use task::{Task, TaskSeed};

/// The kernel release the sandbox reports (uname, `/proc`).
pub const RELEASE: &[u8] = b"6.1.0";
pub const VERSION: &[u8] = b"#1 SMP PREEMPT_DYNAMIC runsc";
/// `CAP_LAST_CAP` of the kernels we model.
pub const CAP_LAST_CAP: u64 = 40;

/// Sandbox-wide state.
#[derive(Debug)]
pub struct Kernel {
    pub hostname: Mutex<Vec<u8>>,
    pub domainname: Mutex<Vec<u8>>,
    /// When the sandbox booted: its uptime and `CLOCK_BOOTTIME` start here.
    pub boot_instant: Instant,
    pub boot_realtime: SystemTime,
    pub num_cpus: u32,
    pub total_ram: u64,
    pub strace: bool,
    /// Calls to numbers with no handler, per number.
    pub unknown_syscalls: Vec<AtomicU64>,
    pub platform: Arc<dyn platform::Platform>,
    pub memory: Arc<MemoryFile>,
    /// `AT_HWCAP` and `AT_HWCAP2` for exec.
    pub hwcap: (u64, u64),
    /// Processes, threads and their signals.
    pub tree: Mutex<Tree>,
    pub futexes: futex::Futexes,
    /// The sandbox's System V IPC objects.
    pub ipc: ipc::Ipc,
    /// The clock behind itimers, POSIX timers and timerfds.
    pub timers: Arc<crate::waiter::timer::Timers>,
    /// The AF_UNIX names bound in the sandbox.
    pub unix: Arc<crate::net::unix::Names>,
    /// The sandbox's network namespace: its loopback's port tables.
    pub inet: Arc<crate::net::inet::Stack>,
    /// The port ids of its netlink sockets.
    pub netlink: Arc<crate::net::netlink::Ports>,
    /// Read-only segments of the programs above, loaded once.
    pub segments: crate::loader::SegmentCache,
    /// The bytes of every executable and interpreter exec has read, by
    /// (device, inode, size, mtime): the segment cache refers to them, so
    /// they are kept.
    images: Mutex<HashMap<crate::vfs::FileVersion, Arc<[u8]>>>,
    /// The hidden tmpfs memfd_create makes its files in.
    pub memfd_fs: std::sync::OnceLock<(Arc<crate::vfs::Mount>, Arc<crate::fsimpl::tmpfs::TmpNode>)>,
    /// Read-only file mappings already filled, by file version and range.
    pub file_pages: crate::loader::PageCache<(crate::vfs::FileVersion, u64, u64)>,
    /// Host threads running tasks, for the end of the sandbox.
    live: Mutex<usize>,
    all_gone: Condvar,
}

/// A host clock's time in nanoseconds (0 if the host refuses the clock).
pub fn clock_ns(id: libc::clockid_t) -> i128 {
    nix::time::clock_gettime(nix::time::ClockId::from_raw(id)).map_or(0, |ts| {
        i128::from(ts.tv_sec()) * 1_000_000_000 + i128::from(ts.tv_nsec())
    })
}

/// What the kernel is made of, besides settings.
#[derive(Debug)]
pub struct KernelParts {
    pub platform: Arc<dyn platform::Platform>,
    pub memory: Arc<MemoryFile>,
    pub hwcap: (u64, u64),
}

impl Kernel {
    pub fn new(
        hostname: &[u8],
        num_cpus: u32,
        total_ram: u64,
        strace: bool,
        parts: KernelParts,
    ) -> Kernel {
        Kernel {
            hostname: Mutex::new(hostname.to_vec()),
            domainname: Mutex::new(b"(none)".to_vec()),
            boot_instant: Instant::now(),
            boot_realtime: SystemTime::now(),
            num_cpus,
            total_ram,
            strace,
            unknown_syscalls: (0..1024).map(|_| AtomicU64::new(0)).collect(),
            platform: parts.platform,
            memory: parts.memory,
            hwcap: parts.hwcap,
            tree: Mutex::new(Tree::default()),
            futexes: futex::Futexes::default(),
            ipc: ipc::Ipc::default(),
            timers: Arc::default(),
            unix: Arc::new(crate::net::unix::Names::new()),
            inet: Arc::default(),
            netlink: Arc::default(),
            segments: crate::loader::SegmentCache::default(),
            images: Mutex::new(HashMap::new()),
            file_pages: crate::loader::PageCache::default(),
            memfd_fs: std::sync::OnceLock::new(),
            live: Mutex::new(0),
            all_gone: Condvar::new(),
        }
    }

    /// Memory the sandbox may still use (sysinfo's `freeram`, `MemFree`):
    /// what the host has unused, within the sandbox's total.
    pub fn free_ram(&self) -> u64 {
        nix::sys::sysinfo::sysinfo()
            .map_or(self.total_ram / 2, |h| h.ram_unused())
            .min(self.total_ram)
    }

    /// The whole contents of an executable file, read once per version.
    pub fn image_of(&self, inode: &crate::vfs::InodeRef) -> Result<Arc<[u8]>, abi::Errno> {
        let st = inode.stat()?;
        let key = crate::vfs::version(&st);
        if let Some(i) = self.images.lock().get(&key) {
            return Ok(i.clone());
        }
        let size = u64::try_from(st.st_size).map_err(|_| abi::Errno::ENOEXEC)?;
        let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        crate::vfs::read_pieces(&**inode, 0, size, |_, piece| {
            buf.extend_from_slice(piece);
            Ok(())
        })?;
        let image: Arc<[u8]> = Arc::from(buf);
        self.images.lock().insert(key, image.clone());
        Ok(image)
    }

    /// A task thread starts.
    pub fn thread_started(&self) {
        *self.live.lock() += 1;
    }

    /// A task thread is done.
    pub fn thread_ended(&self) {
        let mut n = self.live.lock();
        *n -= 1;
        if *n == 0 {
            self.all_gone.notify_all();
        }
    }

    /// Waits until no task thread is left.
    pub fn wait_all_gone(&self) {
        let mut n = self.live.lock();
        while *n > 0 {
            self.all_gone.wait(&mut n);
        }
    }

    /// Counts a call to an unimplemented or unknown syscall number.
    pub fn count_unknown(&self, nr: u64) {
        let i = usize::try_from(nr)
            .unwrap_or(usize::MAX)
            .min(self.unknown_syscalls.len() - 1);
        self.unknown_syscalls[i].fetch_add(1, Ordering::Relaxed);
    }

    /// `(number, count)` of every unknown syscall that was called.
    pub fn unknown_counts(&self) -> Vec<(u64, u64)> {
        self.unknown_syscalls
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let n = c.load(Ordering::Relaxed);
                (n > 0).then_some((i as u64, n))
            })
            .collect()
    }
}

/// How a task (or the whole workload) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(u8),
    Signaled(i32),
}

/// Per-thread settings that `prctl` reads and writes.
#[derive(Clone, Debug, Default)]
pub struct ProcessFlags {
    pub pdeathsig: i32,
    pub dumpable: bool,
    pub no_new_privs: bool,
    pub keep_caps: bool,
    /// personality(2)'s execution domain and flags.
    pub personality: u32,
}
