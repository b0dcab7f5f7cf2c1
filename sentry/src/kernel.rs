//! The kernel's objects: the sandbox-wide `Kernel`, and `Task`, one
//! application thread with its identity and resources.
//!
//! Lock order (outer first):
//!   Task::fds
//!   MemoryManager::inner

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use abi::types::Rlimit;
use parking_lot::Mutex;
use platform::Registers;

use crate::fd::FdTable;
use crate::mm::MemoryManager;

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
}

impl Kernel {
    pub fn new(hostname: &[u8], num_cpus: u32, total_ram: u64, strace: bool) -> Kernel {
        Kernel {
            hostname: Mutex::new(hostname.to_vec()),
            domainname: Mutex::new(b"(none)".to_vec()),
            boot_instant: Instant::now(),
            boot_realtime: SystemTime::now(),
            num_cpus,
            total_ram,
            strace,
            unknown_syscalls: (0..1024).map(|_| AtomicU64::new(0)).collect(),
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

/// User and group identity of a task.
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
}

impl Credentials {
    pub fn new(uid: u32, gid: u32, groups: Vec<u32>) -> Credentials {
        Credentials {
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
}

/// How a task (or the whole workload) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(u8),
    Signaled(i32),
}

/// Per-process settings that `prctl` reads and writes.
#[derive(Clone, Debug, Default)]
pub struct ProcessFlags {
    pub pdeathsig: i32,
    pub dumpable: bool,
    pub no_new_privs: bool,
    pub child_subreaper: bool,
    pub keep_caps: bool,
    /// The nice value, -20..=19.
    pub nice: i32,
}

/// One application thread.
#[derive(Debug)]
pub struct Task {
    pub kernel: Arc<Kernel>,
    /// Thread id in the sandbox's PID namespace.
    pub tid: i32,
    /// Thread-group (process) id.
    pub tgid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    pub creds: Credentials,
    pub mm: Arc<MemoryManager>,
    pub fds: Arc<Mutex<FdTable>>,
    pub regs: Registers,
    pub rlimits: Arc<Mutex<Vec<Rlimit>>>,
    pub umask: u32,
    /// `comm`: at most 15 bytes.
    pub comm: Vec<u8>,
    pub clear_child_tid: u64,
    pub robust_list: u64,
    pub robust_list_len: u64,
    pub flags: ProcessFlags,
    /// The host thread that runs this task's application code, for its CPU
    /// clocks: (pid, tid) of the stub.
    pub host_thread: (i32, i32),
}

impl Task {
    /// The soft limit of `resource`.
    pub fn rlimit_cur(&self, resource: u32) -> u64 {
        let r = self.rlimits.lock();
        r.get(resource as usize)
            .map_or(abi::resource::RLIM_INFINITY, |l| l.rlim_cur)
    }
}
