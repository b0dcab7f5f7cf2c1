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
#[allow(clippy::cast_possible_truncation)] // 4096
const PAGE_USIZE: usize = PAGE as usize;

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
    /// Extra references to shared ranges (a `MAP_SHARED` mapping inherited
    /// by fork), per page: offset -> references beyond the first. A release
    /// of a page with extra references only drops one.
    shared: Mutex<BTreeMap<u64, u32>>,
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
            shared: Mutex::new(BTreeMap::new()),
        })
    }

    /// An offset past the file's end: the host faults every touch of a
    /// stub mapping from here with SIGBUS, as Linux does a page of a
    /// mapping past the end of the mapped file.
    pub fn past_end(&self) -> u64 {
        FILE_SIZE
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

    /// Adds a reference to every page of `[offset, offset+len)`, which
    /// another mapping now shares.
    pub fn share(&self, offset: u64, len: u64) {
        let mut shared = self.shared.lock();
        for page in (offset..offset + len).step_by(PAGE_USIZE) {
            *shared.entry(page).or_insert(0) += 1;
        }
    }

    /// Whether any page of `[offset, offset+len)` has another reference.
    pub fn is_shared(&self, offset: u64, len: u64) -> bool {
        self.shared
            .lock()
            .range(offset..offset + len)
            .next()
            .is_some()
    }

    /// Drops one reference to `[offset, offset+len)`: pages nobody else
    /// shares go back to the free space.
    pub fn release(&self, offset: u64, len: u64) {
        let mut freed = Vec::new();
        {
            let mut shared = self.shared.lock();
            if shared.range(offset..offset + len).next().is_none() {
                freed.push((offset, len));
            } else {
                let mut run: Option<(u64, u64)> = None;
                for page in (offset..offset + len).step_by(PAGE_USIZE) {
                    if let Some(n) = shared.get_mut(&page) {
                        *n -= 1;
                        if *n == 0 {
                            shared.remove(&page);
                        }
                        if let Some(r) = run.take() {
                            freed.push(r);
                        }
                    } else {
                        run = match run {
                            Some((s, l)) => Some((s, l + PAGE)),
                            None => Some((page, PAGE)),
                        };
                    }
                }
                freed.extend(run);
            }
        }
        for (o, l) in freed {
            self.release_unshared(o, l);
        }
    }

    /// Copies `[src, src+len)` to `[dst, dst+len)`, skipping holes (pages
    /// never touched read as zero in the fresh destination anyway).
    pub fn copy_range(&self, src: u64, dst: u64, len: u64) {
        let end = src + len;
        let mut at = src;
        while at < end {
            let Some(data) = self.seek(at, nix::unistd::Whence::SeekData) else {
                return;
            };
            if data >= end {
                return;
            }
            let hole = self
                .seek(data, nix::unistd::Whence::SeekHole)
                .unwrap_or(end)
                .min(end);
            self.mapping
                .copy_within(data, dst + (data - src), hole - data);
            at = hole;
        }
    }

    /// Makes `[offset, offset+len)` hold (zero) pages: fallocate without
    /// punching.
    pub fn commit(&self, offset: u64, len: u64) {
        let (Ok(off), Ok(l)) = (i64::try_from(offset), i64::try_from(len)) else {
            return;
        };
        let _ = nix::fcntl::fallocate(
            self.fd.as_raw_fd(),
            nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE,
            off,
            l,
        );
    }

    /// The first offset at or after `at` that holds data (SEEK_DATA).
    pub fn data_from(&self, at: u64) -> Option<u64> {
        self.seek(at, nix::unistd::Whence::SeekData)
    }

    /// The first offset at or after `at` in a hole (SEEK_HOLE).
    pub fn hole_from(&self, at: u64) -> Option<u64> {
        self.seek(at, nix::unistd::Whence::SeekHole)
    }

    fn seek(&self, at: u64, whence: nix::unistd::Whence) -> Option<u64> {
        let off = i64::try_from(at).ok()?;
        nix::unistd::lseek(self.fd.as_raw_fd(), off, whence)
            .ok()
            .and_then(|o| u64::try_from(o).ok())
    }

    fn release_unshared(&self, offset: u64, len: u64) {
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

    /// Like [`Self::read`], but through the descriptor: holes read as
    /// zeros and stay holes (touching them through the mapping would give
    /// them pages), as reading a sparse tmpfs file leaves it sparse.
    pub fn read_sparse(&self, offset: u64, dst: &mut [u8]) {
        let mut done = 0;
        while done < dst.len() {
            let Ok(at) = i64::try_from(offset + done as u64) else {
                break;
            };
            match nix::sys::uio::pread(&self.fd, &mut dst[done..], at) {
                Ok(n) if n > 0 => done += n,
                Ok(_) => break,
                Err(nix::errno::Errno::EINTR) => {}
                Err(e) => {
                    // Cannot happen within the file; the mapping still works.
                    debug_assert!(false, "pread of memory file: {e}");
                    break;
                }
            }
        }
        if done < dst.len() {
            self.read(offset + done as u64, &mut dst[done..]);
        }
    }

    /// Copies `src` to file offset `offset`.
    pub fn write(&self, offset: u64, src: &[u8]) {
        self.mapping.write(offset, src);
    }

    /// Compare-and-exchange of the aligned word at `offset`; returns the
    /// value found (`old` when it succeeded).
    pub fn cmpxchg_u32(&self, offset: u64, old: u32, new: u32) -> u32 {
        self.mapping.cmpxchg_u32(offset, old, new)
    }

    /// Zeroes `len` bytes at `offset` without decommitting.
    pub fn zero(&self, offset: u64, len: u64) {
        self.mapping.zero(offset, len);
    }

    /// Gives `[offset, offset+len)` resident pages, leaving their bytes as
    /// they are (mlock's populate).
    pub fn populate(&self, offset: u64, len: u64) {
        self.mapping.populate(offset, len);
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
    fn shared_pages_are_freed_by_their_last_release() {
        let f = MemoryFile::new().unwrap();
        let a = f.allocate(2 * PAGE).unwrap();
        f.write(a, b"kept");
        f.share(a, PAGE);
        f.release(a, 2 * PAGE);
        let mut buf = [0u8; 4];
        f.read(a, &mut buf);
        assert_eq!(&buf, b"kept", "the shared page survives the first release");
        let b = f.allocate(PAGE).unwrap();
        assert_eq!(b, a + PAGE, "the unshared page was freed");
        f.release(a, PAGE);
        f.read(a, &mut buf);
        assert_eq!(buf, [0; 4]);
    }

    #[test]
    fn copies_skip_holes() {
        let f = MemoryFile::new().unwrap();
        let a = f.allocate(64 * PAGE).unwrap();
        let b = f.allocate(64 * PAGE).unwrap();
        f.write(a + 10 * PAGE + 5, b"data");
        f.copy_range(a, b, 64 * PAGE);
        let mut buf = [0u8; 4];
        f.read(b + 10 * PAGE + 5, &mut buf);
        assert_eq!(&buf, b"data");
        let mut r = Vec::new();
        f.residency(b, 64 * PAGE, &mut r);
        assert_eq!(
            r.iter().filter(|&&x| x != 0).count(),
            1,
            "only the data page"
        );
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
