//! The memory file: one memfd that backs all application memory. The sentry
//! maps the whole file once, so copy-in and copy-out are memcpys through its
//! own mapping; stubs map ranges of it where the application sees them.
//!
//! Lock order: `MemoryFile::free` is a leaf.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use abi::Errno;
use parking_lot::Mutex;

use super::raw::Mapping;

/// The file's size: sparse, so only pages the application touches cost
/// memory. 1 TiB of offsets is far more than a 24 GiB machine can back.
const FILE_SIZE: u64 = 1 << 40;
const PAGE: u64 = abi::mm::PAGE_SIZE;

/// Why the memory file could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MemoryFileError {
    #[error("memfd_create")]
    Create { source: nix::Error },
    #[error("size the memory file")]
    Truncate { source: nix::Error },
    #[error("map the memory file into the sentry")]
    Map { source: std::io::Error },
}

/// The sentry's memory file.
#[derive(Debug)]
pub struct MemoryFile {
    fd: OwnedFd,
    mapping: Mapping,
    /// Free page ranges: start offset -> length, never adjacent.
    free: Mutex<BTreeMap<u64, u64>>,
}

impl MemoryFile {
    /// Creates the memory file and maps it into the sentry.
    pub fn new() -> Result<MemoryFile, MemoryFileError> {
        let fd = nix::sys::memfd::memfd_create(
            c"runsc-memory",
            nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
        )
        .map_err(|source| MemoryFileError::Create { source })?;
        let size = i64::try_from(FILE_SIZE).expect("fits");
        nix::unistd::ftruncate(&fd, size).map_err(|source| MemoryFileError::Truncate { source })?;
        let mapping = Mapping::new(fd.as_fd(), FILE_SIZE)
            .map_err(|source| MemoryFileError::Map { source })?;
        let mut free = BTreeMap::new();
        free.insert(0, FILE_SIZE);
        Ok(MemoryFile {
            fd,
            mapping,
            free: Mutex::new(free),
        })
    }

    /// The descriptor stubs map the file through.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Allocates `len` bytes (page-aligned) of zeroed file space.
    pub fn allocate(&self, len: u64) -> Result<u64, Errno> {
        debug_assert!(len.is_multiple_of(PAGE) && len > 0);
        let mut free = self.free.lock();
        let (&start, &flen) = free.iter().find(|(_, &l)| l >= len).ok_or(Errno::ENOMEM)?;
        free.remove(&start);
        if flen > len {
            free.insert(start + len, flen - len);
        }
        Ok(start)
    }

    /// Grows the allocation ending at `end` by `extra` bytes in place, if the
    /// file space after it is free.
    pub fn try_extend(&self, end: u64, extra: u64) -> bool {
        let mut free = self.free.lock();
        match free.get(&end).copied() {
            Some(flen) if flen >= extra => {
                free.remove(&end);
                if flen > extra {
                    free.insert(end + extra, flen - extra);
                }
                true
            }
            _ => false,
        }
    }

    /// Returns `[offset, offset+len)` to the free space; its pages are
    /// released to the host and read as zero when allocated again.
    pub fn release(&self, offset: u64, len: u64) {
        self.decommit(offset, len);
        let mut free = self.free.lock();
        let (mut start, mut total) = (offset, len);
        if let Some((&prev, &prev_len)) = free.range(..offset).next_back() {
            debug_assert!(
                prev + prev_len <= offset,
                "double free of memory file range"
            );
            if prev + prev_len == offset {
                free.remove(&prev);
                start = prev;
                total += prev_len;
            }
        }
        if let Some(next_len) = free.remove(&(offset + len)) {
            total += next_len;
        }
        free.insert(start, total);
    }

    /// Zeroes `[offset, offset+len)` and gives its pages back to the host.
    pub fn decommit(&self, offset: u64, len: u64) {
        let mode = nix::fcntl::FallocateFlags::FALLOC_FL_PUNCH_HOLE
            | nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE;
        let (Ok(off), Ok(l)) = (i64::try_from(offset), i64::try_from(len)) else {
            return;
        };
        // Punching a hole in a memfd cannot fail for in-range offsets.
        if let Err(e) = nix::fcntl::fallocate(self.fd.as_raw_fd(), mode, off, l) {
            debug_assert!(false, "punch hole in memory file: {e}");
        }
    }

    /// Copies `dst.len()` bytes at file offset `offset` into `dst`.
    pub fn read(&self, offset: u64, dst: &mut [u8]) {
        self.mapping.read(offset, dst);
    }

    /// Copies `src` to file offset `offset`.
    pub fn write(&self, offset: u64, src: &[u8]) {
        self.mapping.write(offset, src);
    }

    /// Zeroes `len` bytes at `offset` without decommitting.
    pub fn zero(&self, offset: u64, len: u64) {
        self.mapping.zero(offset, len);
    }

    /// Whether each page of `[offset, offset+len)` is resident.
    pub fn residency(&self, offset: u64, len: u64, out: &mut Vec<u8>) {
        self.mapping.residency(offset, len, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_ranges_merge_and_read_as_zero() {
        let f = MemoryFile::new().unwrap();
        let a = f.allocate(2 * PAGE).unwrap();
        let b = f.allocate(PAGE).unwrap();
        f.write(a, b"hello");
        f.release(a, 2 * PAGE);
        f.release(b, PAGE);
        assert_eq!(f.free.lock().len(), 1, "all free space merged");
        let c = f.allocate(3 * PAGE).unwrap();
        let mut buf = [1u8; 5];
        f.read(c, &mut buf);
        assert_eq!(buf, [0; 5]);
    }

    #[test]
    fn extension_in_place_only_when_free() {
        let f = MemoryFile::new().unwrap();
        let a = f.allocate(PAGE).unwrap();
        assert!(f.try_extend(a + PAGE, PAGE));
        let b = f.allocate(PAGE).unwrap();
        assert_eq!(b, a + 2 * PAGE);
        assert!(!f.try_extend(a + 2 * PAGE, PAGE));
    }
}
