//! exit, exit_group.

use abi::Errno;

use super::Control;
use crate::arch::SyscallArgs;
use crate::kernel::{ExitStatus, Task};

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn status(args: &SyscallArgs) -> ExitStatus {
    // Only the low 8 bits of the code survive, as in Linux's `(code & 0xff) << 8`.
    ExitStatus::Exited((args.int(0) & 0xff) as u8)
}

/// Implements exit(2): the calling thread ends; the process ends with its
/// last thread.
pub fn sys_exit(_t: &mut Task, args: &SyscallArgs) -> Result<Control, Errno> {
    Ok(Control::ExitThread(status(args)))
}

/// Implements exit_group(2).
pub fn sys_exit_group(_t: &mut Task, args: &SyscallArgs) -> Result<Control, Errno> {
    Ok(Control::ExitGroup(status(args)))
}
