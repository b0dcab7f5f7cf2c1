//! `/dev`: a tmpfs holding the sandbox's own devices (null, zero, full,
//! random, urandom), the `fd`, `stdin`, `stdout` and `stderr` links, and
//! `shm`, `tty` (the caller's controlling terminal) and `ptmx` (a link
//! into the devpts mounted on `pts`). No host device is reachable.

use std::sync::Arc;

use abi::stat::makedev;
use abi::types::Stat;
use abi::Errno;

use super::tmpfs::{TmpNode, Tmpfs};
use super::FileImpl;
use crate::vfs::{NewKind, NewNode};

/// The memory devices (major 1) by minor number.
const NULL: u32 = 3;
const ZERO: u32 = 5;
const FULL: u32 = 7;
const RANDOM: u32 = 8;
const URANDOM: u32 = 9;

/// One of the memory devices.
#[derive(Debug)]
struct MemDevice {
    minor: u32,
}

impl FileImpl for MemDevice {
    /// Only /dev/random has a poll operation.
    fn can_poll(&self) -> bool {
        self.minor == RANDOM
    }

    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        match self.minor {
            NULL => Ok(0),
            RANDOM | URANDOM => {
                getrandom::fill(buf).map_err(|_| Errno::EIO)?;
                Ok(buf.len())
            }
            _ => {
                buf.fill(0);
                Ok(buf.len())
            }
        }
    }

    fn write(&self, buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        match self.minor {
            FULL => Err(Errno::ENOSPC),
            _ => Ok(buf.len()),
        }
    }

    fn pread(&self, buf: &mut [u8], _pos: u64) -> Result<usize, Errno> {
        self.read(buf, 0)
    }

    fn pwrite(&self, buf: &[u8], _pos: u64) -> Result<usize, Errno> {
        self.write(buf, 0)
    }

    fn seek(&self, _offset: i64, _whence: i32) -> Result<i64, Errno> {
        Ok(0)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(Stat {
            st_mode: abi::stat::S_IFCHR | 0o666,
            st_rdev: makedev(1, self.minor),
            st_nlink: 1,
            st_blksize: 4096,
            ..Stat::default()
        })
    }
}

/// Opens device `rdev`.
fn open_device(rdev: u64, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
    let (major, minor) = (abi::stat::major(rdev), abi::stat::minor(rdev));
    match (major, minor) {
        (1, NULL | ZERO | FULL | RANDOM | URANDOM) => Some(Ok(Box::new(MemDevice { minor }))),
        (super::tty::TTYAUX_MAJOR, 0) => Some(super::tty::open_dev_tty(flags)),
        _ => None,
    }
}

/// A new `/dev`.
pub fn new_devfs(memory: &Arc<crate::mm::MemoryFile>) -> Arc<TmpNode> {
    let root = Tmpfs::with_devices(memory, 64 << 20, (0o755, 0, 0), Some(open_device));
    let node = |kind: NewKind, mode: u32| NewNode {
        kind,
        mode,
        uid: 0,
        gid: 0,
    };
    for (name, minor) in [
        (&b"null"[..], NULL),
        (b"zero", ZERO),
        (b"full", FULL),
        (b"random", RANDOM),
        (b"urandom", URANDOM),
    ] {
        let _ = root.make(name, &node(NewKind::CharDevice(makedev(1, minor)), 0o666));
    }
    for (name, target) in [
        (&b"fd"[..], &b"/proc/self/fd"[..]),
        (b"stdin", b"/proc/self/fd/0"),
        (b"stdout", b"/proc/self/fd/1"),
        (b"stderr", b"/proc/self/fd/2"),
        (b"ptmx", b"pts/ptmx"),
    ] {
        let _ = root.make(name, &node(NewKind::Symlink(target.to_vec()), 0o777));
    }
    let _ = root.make(
        b"tty",
        &node(
            NewKind::CharDevice(makedev(super::tty::TTYAUX_MAJOR, 0)),
            0o666,
        ),
    );
    let _ = root.make(b"shm", &node(NewKind::Directory, 0o1777));
    let _ = root.make(b"pts", &node(NewKind::Directory, 0o755));
    root
}
