//! The sentry: a Linux-compatible kernel in user space.
//!
//! It serves every system call the sandboxed application makes: its own
//! tasks, memory manager, file descriptors, time and identity. It never
//! forwards an application's system call to the host: the host sees only the
//! sentry's own, audited calls on its own objects (the memory file, the stdio
//! descriptors the CLI donated, the platform's stubs). It boots from a plain
//! [`boot::BootConfig`] and knows nothing of OCI.
//!
//! Layers, bottom to top (a module uses only those before it): `arch`,
//! `waiter`, `mm`, `fsimpl`, `fd`, `net`, `loader`, `kernel`, `syscalls`,
//! `boot`.

pub mod arch;
pub mod boot;
pub mod creds;
pub mod fd;
pub mod fsimpl;
pub mod kernel;
pub mod loader;
pub mod mm;
pub mod net;
pub mod syscalls;
#[doc(hidden)]
pub mod testing;
pub mod vfs;
pub mod waiter;

pub use boot::{run, BootConfig, BootError, PlatformKind, RootFs, RunReport};
pub use kernel::ExitStatus;
