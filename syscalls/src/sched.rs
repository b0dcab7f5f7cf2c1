//! clone/clone3/unshare flags (<linux/sched.h>).

use bitflags::bitflags;

bitflags! {
    /// clone `flags` above the exit-signal byte (`CSIGNAL`), and clone3's
    /// 64-bit `flags`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct CloneFlags: u64 {
        const CLONE_VM = 0x0000_0100;
        const CLONE_FS = 0x0000_0200;
        const CLONE_FILES = 0x0000_0400;
        const CLONE_SIGHAND = 0x0000_0800;
        const CLONE_PIDFD = 0x0000_1000;
        const CLONE_PTRACE = 0x0000_2000;
        const CLONE_VFORK = 0x0000_4000;
        const CLONE_PARENT = 0x0000_8000;
        const CLONE_THREAD = 0x0001_0000;
        const CLONE_NEWNS = 0x0002_0000;
        const CLONE_SYSVSEM = 0x0004_0000;
        const CLONE_SETTLS = 0x0008_0000;
        const CLONE_PARENT_SETTID = 0x0010_0000;
        const CLONE_CHILD_CLEARTID = 0x0020_0000;
        /// Ignored since Linux 2.6.2.
        const CLONE_DETACHED = 0x0040_0000;
        const CLONE_UNTRACED = 0x0080_0000;
        const CLONE_CHILD_SETTID = 0x0100_0000;
        const CLONE_NEWCGROUP = 0x0200_0000;
        const CLONE_NEWUTS = 0x0400_0000;
        const CLONE_NEWIPC = 0x0800_0000;
        const CLONE_NEWUSER = 0x1000_0000;
        const CLONE_NEWPID = 0x2000_0000;
        const CLONE_NEWNET = 0x4000_0000;
        const CLONE_IO = 0x8000_0000;
        /// clone3 only.
        const CLONE_CLEAR_SIGHAND = 0x1_0000_0000;
        /// clone3 only.
        const CLONE_INTO_CGROUP = 0x2_0000_0000;
    }
}

/// The exit-signal byte of clone(2)'s flags.
pub const CSIGNAL: u64 = 0xff;
/// New time namespace: clone3 and unshare only, since in clone(2) the bit
/// lies in the exit-signal byte.
pub const CLONE_NEWTIME: u64 = 0x80;

/// Scheduling policies.
pub const SCHED_NORMAL: i32 = 0;
pub const SCHED_FIFO: i32 = 1;
pub const SCHED_RR: i32 = 2;
pub const SCHED_BATCH: i32 = 3;
pub const SCHED_IDLE: i32 = 5;
pub const SCHED_DEADLINE: i32 = 6;
pub const SCHED_EXT: i32 = 7;
/// Policy flag: children start with the default policy.
pub const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;
