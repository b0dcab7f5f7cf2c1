//! wait4/waitid options and id types (<linux/wait.h>).

use bitflags::bitflags;

bitflags! {
    /// wait4/waitid `options`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WaitOptions: u32 {
        const WNOHANG = 0x0000_0001;
        /// Report stopped children (`WSTOPPED` for waitid).
        const WUNTRACED = 0x0000_0002;
        /// waitid: report exited children.
        const WEXITED = 0x0000_0004;
        const WCONTINUED = 0x0000_0008;
        /// waitid: leave the child waitable.
        const WNOWAIT = 0x0100_0000;
        /// Wait for children of this thread only.
        const __WNOTHREAD = 0x2000_0000;
        /// Wait for all children, whatever their exit signal.
        const __WALL = 0x4000_0000;
        /// Wait for "clone" children only (exit signal other than SIGCHLD).
        const __WCLONE = 0x8000_0000;
    }
}

/// `WUNTRACED` by its waitid name.
pub const WSTOPPED: u32 = WaitOptions::WUNTRACED.bits();

/// waitid `idtype`.
pub const P_ALL: i32 = 0;
pub const P_PID: i32 = 1;
pub const P_PGID: i32 = 2;
pub const P_PIDFD: i32 = 3;
