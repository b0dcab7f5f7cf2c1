//! The host system calls a stub makes for the sentry (address-space
//! changes, new stub threads, FS and GS bases), spelled once for both
//! platforms, which differ only in how they get a stub thread to make them.

use std::os::fd::RawFd;

use crate::{Access, PlatformError};

/// One host system call: its name for errors, number and arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HostCall {
    pub name: &'static str,
    pub nr: u64,
    pub args: [u64; 6],
}

fn nr(n: libc::c_long) -> u64 {
    u64::try_from(n).expect("system call numbers are positive")
}

fn fd_arg(fd: RawFd) -> u64 {
    u64::try_from(fd).expect("descriptors are non-negative")
}

impl HostCall {
    /// `mmap(addr, len, access, MAP_SHARED | MAP_FIXED, fd, offset)`: the
    /// only kind of mapping a stub makes.
    pub(crate) fn map(fd: RawFd, addr: u64, len: u64, access: Access, offset: u64) -> HostCall {
        let flags = u64::try_from(libc::MAP_SHARED | libc::MAP_FIXED).expect("small");
        let prot = u64::try_from(access.prot()).expect("PROT bits are non-negative");
        HostCall {
            name: "mmap",
            nr: nr(libc::SYS_mmap),
            args: [addr, len, prot, flags, fd_arg(fd), offset],
        }
    }

    pub(crate) fn unmap(addr: u64, len: u64) -> HostCall {
        HostCall {
            name: "munmap",
            nr: nr(libc::SYS_munmap),
            args: [addr, len, 0, 0, 0, 0],
        }
    }

    pub(crate) fn protect(addr: u64, len: u64, access: Access) -> HostCall {
        let prot = u64::try_from(access.prot()).expect("PROT bits are non-negative");
        HostCall {
            name: "mprotect",
            nr: nr(libc::SYS_mprotect),
            args: [addr, len, prot, 0, 0, 0],
        }
    }

    /// A new thread of the stub process, on `stack` (0: the caller's).
    pub(crate) fn clone_thread(flags: u64, stack: u64) -> HostCall {
        HostCall {
            name: "clone",
            nr: nr(libc::SYS_clone),
            args: [flags, stack, 0, 0, 0, 0],
        }
    }

    /// `arch_prctl(code, value)`: ARCH_SET_FS or ARCH_SET_GS.
    pub(crate) fn arch_prctl(code: u64, value: u64) -> HostCall {
        HostCall {
            name: "arch_prctl",
            nr: nr(libc::SYS_arch_prctl),
            args: [code, value, 0, 0, 0, 0],
        }
    }

    pub(crate) fn close(fd: RawFd) -> HostCall {
        HostCall {
            name: "close",
            nr: nr(libc::SYS_close),
            args: [fd_arg(fd), 0, 0, 0, 0, 0],
        }
    }

    /// The call's raw result in stub `pid`: a value in [-4095, -1] is an
    /// errno.
    pub(crate) fn result(&self, pid: i32, raw: u64) -> Result<u64, PlatformError> {
        if raw > (-4096i64).cast_unsigned() {
            return Err(PlatformError::Injected {
                call: self.name,
                pid,
                errno: i32::try_from(raw.wrapping_neg()).unwrap_or(i32::MAX),
            });
        }
        Ok(raw)
    }
}
