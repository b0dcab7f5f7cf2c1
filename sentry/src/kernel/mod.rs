//! The kernel's objects: the sandbox-wide `Kernel`, the process tree, and
//! `Task`, one application thread with its identity and resources, run by
//! a host thread of its own.
//!
//! Lock order (outer first):
//!   Kernel::tree
//!   Process::actions
//!   Task::fds
//!   futex buckets
//!   MemoryManager::inner

pub mod futex;
pub mod process;
pub mod sigfiles;
pub mod signal;
pub mod task;
pub use crate::waiter as wait;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use parking_lot::{Condvar, Mutex};

use crate::mm::MemoryFile;
pub use process::Tree;
pub use task::{Task, TaskSeed};

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
    /// The clock behind itimers, POSIX timers and timerfds.
    pub timers: Arc<crate::waiter::timer::Timers>,
    /// Executables the sandbox can exec until it has a filesystem: the
    /// program `runsc do` was given, by the paths it can be named by.
    pub programs: Mutex<HashMap<Vec<u8>, Arc<[u8]>>>,
    /// Read-only segments of the programs above, loaded once.
    pub segments: crate::loader::SegmentCache,
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
            timers: Arc::default(),
            programs: Mutex::new(HashMap::new()),
            segments: crate::loader::SegmentCache::default(),
            live: Mutex::new(0),
            all_gone: Condvar::new(),
        }
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

/// Every capability of the kernels we model (`CAP_LAST_CAP` is 40).
pub const ALL_CAPS: u64 = (1 << 41) - 1;
/// The capabilities a change of fsuid to or from 0 drops or raises.
const FS_CAPS: u64 =
    (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 9) | (1 << 32) | (1 << 27);

/// User and group identity of a task, with its capability sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    pub ruid: u32,
    pub euid: u32,
    pub suid: u32,
    pub fsuid: u32,
    pub rgid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub fsgid: u32,
    pub groups: Vec<u32>,
    pub cap_effective: u64,
    pub cap_permitted: u64,
    pub cap_inheritable: u64,
    pub cap_bounding: u64,
    pub cap_ambient: u64,
}

impl Credentials {
    pub fn new(uid: u32, gid: u32, mut groups: Vec<u32>) -> Credentials {
        groups.sort_unstable();
        let caps = if uid == 0 { ALL_CAPS } else { 0 };
        Credentials {
            cap_effective: caps,
            cap_permitted: caps,
            cap_inheritable: 0,
            cap_bounding: ALL_CAPS,
            cap_ambient: 0,
            ruid: uid,
            euid: uid,
            suid: uid,
            fsuid: uid,
            rgid: gid,
            egid: gid,
            sgid: gid,
            fsgid: gid,
            groups,
        }
    }

    /// Whether capability `cap` is effective.
    pub fn has_cap(&self, cap: u32) -> bool {
        self.cap_effective & (1 << cap) != 0
    }

    /// Linux's `cap_emulate_setxuid` and the fsuid fixup after a uid
    /// change from `old`; `keep_caps` is PR_SET_KEEPCAPS.
    pub fn fix_caps_after_setuid(&mut self, old: &Credentials, keep_caps: bool) {
        let was_root = old.ruid == 0 || old.euid == 0 || old.suid == 0;
        let now_root = self.ruid == 0 || self.euid == 0 || self.suid == 0;
        if was_root && !now_root {
            if !keep_caps {
                self.cap_permitted = 0;
                self.cap_effective = 0;
            }
            self.cap_ambient = 0;
        }
        if old.euid == 0 && self.euid != 0 {
            self.cap_effective = 0;
        }
        if old.euid != 0 && self.euid == 0 {
            self.cap_effective = self.cap_permitted;
        }
        self.fix_fs_caps(old.fsuid);
    }

    /// Drops the file-system capabilities when fsuid leaves 0, raises them
    /// (from permitted) when it becomes 0.
    pub fn fix_fs_caps(&mut self, old_fsuid: u32) {
        if old_fsuid == 0 && self.fsuid != 0 {
            self.cap_effective &= !FS_CAPS;
        }
        if old_fsuid != 0 && self.fsuid == 0 {
            self.cap_effective |= self.cap_permitted & FS_CAPS;
        }
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
    /// The nice value, -20..=19.
    pub nice: i32,
}
