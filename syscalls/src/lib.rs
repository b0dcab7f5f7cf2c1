//! The Linux x86-64 system call ABI as data: syscall numbers and names,
//! errnos, kernel structures and flag sets, and the argument formatting
//! `--strace` uses. It has no host effects and depends on nothing in-tree;
//! dependents import it as `abi`.
#![forbid(unsafe_code)]

mod consts;
pub mod errno;
pub mod strace;
pub mod sysno;
pub mod types;

pub use consts::{arch_prctl, auxv, fcntl, ioctl, mm, prctl, random, resource, signal, stat, time};
pub use errno::Errno;
