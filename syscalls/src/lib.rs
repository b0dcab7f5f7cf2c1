//! The Linux x86-64 system call ABI as data: syscall numbers and names,
//! errnos, kernel structures and flag sets, and the argument formatting
//! `--strace` uses.
//!
//! It owns no behaviour: it must never touch the host (no libc, no I/O, no
//! unsafe code) and depends on nothing in-tree. Values are Linux's, spelled
//! as Linux spells them, and checked against the build machine's kernel
//! headers by the tests. Dependents import it as `abi`
//! (`abi::Errno::EBADF`, `abi::sysno::READ`, `abi::types::Stat`).
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod arch_prctl;
pub mod auxv;
pub mod errno;
pub mod fcntl;
pub mod futex;
pub mod ioctl;
pub mod ipc;
pub mod mm;
pub mod poll;
pub mod prctl;
pub mod random;
pub mod resource;
pub mod sched;
pub mod seccomp;
pub mod signal;
pub mod socket;
pub mod stat;
pub mod strace;
pub mod sysno;
pub mod time;
pub mod types;
pub mod wait;

#[cfg(test)]
mod kernel_headers;

pub use errno::Errno;
