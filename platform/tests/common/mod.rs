//! What the platform tests share: a memory file with code, and protections.
#![allow(dead_code)] // each test crate uses its own part

use std::io::Write;
use std::os::fd::OwnedFd;

use platform::Access;

/// Reads the marker at 0x500000 into rax, then makes a system call.
const READ_MARKER_THEN_SYSCALL: [u8; 10] = [
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00, // mov 0x500000, %rax
    0x0f, 0x05, // syscall
];
pub const MARKER: u64 = 0x1122_3344_5566_7788;
pub const DATA_AT: u64 = 0x50_0000;

/// A memory file with the code at 0 and the marker at 0x1000.
pub fn code_and_marker() -> OwnedFd {
    let mut image = vec![0u8; 0x1008];
    image[..READ_MARKER_THEN_SYSCALL.len()].copy_from_slice(&READ_MARKER_THEN_SYSCALL);
    image[0x1000..].copy_from_slice(&MARKER.to_le_bytes());
    memory_file(&image)
}

pub fn ro() -> Access {
    Access {
        read: true,
        write: false,
        execute: false,
    }
}

pub const CODE_AT: u64 = 0x40_0000;

pub fn memory_file(code: &[u8]) -> OwnedFd {
    let fd = nix::sys::memfd::memfd_create(
        c"test-memory",
        nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
    )
    .expect("memfd_create");
    let mut f = std::fs::File::from(fd);
    f.write_all(code).expect("write code");
    f.set_len(0x10000).expect("size the memory file");
    f.into()
}

pub fn rx() -> Access {
    Access {
        read: true,
        write: false,
        execute: true,
    }
}
