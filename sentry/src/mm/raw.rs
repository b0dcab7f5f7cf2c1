//! The sentry's own mapping of the memory file, and the raw copies through
//! it. Application threads may write these pages at any time, so no Rust
//! reference is ever formed over them: bytes are copied with raw pointers
//! into and out of sentry buffers.

use std::os::fd::BorrowedFd;
use std::ptr::NonNull;

/// A shared mapping of a whole file into the sentry.
#[derive(Debug)]
pub struct Mapping {
    base: NonNull<u8>,
    len: u64,
}

// SAFETY: the mapping is plain shared memory; all access goes through raw
// copies that tolerate concurrent writers, so any thread may use it.
unsafe impl Send for Mapping {}
// SAFETY: as above.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `len` bytes of `fd` shared, read-write, without reserving swap.
    pub fn new(fd: BorrowedFd<'_>, len: u64) -> std::io::Result<Mapping> {
        let size =
            std::num::NonZeroUsize::new(usize::try_from(len).map_err(std::io::Error::other)?)
                .ok_or_else(|| std::io::Error::other("empty mapping"))?;
        // SAFETY: a fresh mapping at an address the kernel picks replaces
        // nothing; the fd is a valid memfd of at least `len` bytes.
        let base = unsafe {
            nix::sys::mman::mmap(
                None,
                size,
                nix::sys::mman::ProtFlags::PROT_READ | nix::sys::mman::ProtFlags::PROT_WRITE,
                nix::sys::mman::MapFlags::MAP_SHARED | nix::sys::mman::MapFlags::MAP_NORESERVE,
                fd,
                0,
            )
        }
        .map_err(std::io::Error::from)?;
        Ok(Mapping {
            base: base.cast(),
            len,
        })
    }

    fn ptr(&self, offset: u64, len: usize) -> *mut u8 {
        let end = offset
            .checked_add(len as u64)
            .expect("offset range overflows");
        assert!(end <= self.len, "memory file access out of range");
        let off = usize::try_from(offset).expect("checked against the mapping length");
        // SAFETY: `offset + len <= self.len` (checked above), so the result
        // stays inside the mapping.
        unsafe { self.base.as_ptr().add(off) }
    }

    /// Copies from the file at `offset` into `dst`.
    pub fn read(&self, offset: u64, dst: &mut [u8]) {
        let src = self.ptr(offset, dst.len());
        // SAFETY: `src..src+len` lies in the mapping (checked by `ptr`),
        // which lives as long as `self`; `dst` is a sentry buffer, so the two
        // never overlap.
        unsafe { std::ptr::copy_nonoverlapping(src, dst.as_mut_ptr(), dst.len()) };
    }

    /// Copies `src` into the file at `offset`.
    pub fn write(&self, offset: u64, src: &[u8]) {
        let dst = self.ptr(offset, src.len());
        // SAFETY: as in `read`, with the roles swapped.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst, src.len()) };
    }

    /// Copies `len` bytes from `src` to `dst`, both offsets in the mapping;
    /// the ranges must not overlap.
    pub fn copy_within(&self, src: u64, dst: u64, len: u64) {
        let n = usize::try_from(len).expect("copied ranges fit in memory");
        let from = self.ptr(src, n);
        let to = self.ptr(dst, n);
        debug_assert!(src + len <= dst || dst + len <= src, "overlapping copy");
        // SAFETY: both ranges lie in the mapping (checked by `ptr`) and do
        // not overlap (the callers copy between distinct allocations).
        unsafe { std::ptr::copy_nonoverlapping(from, to, n) };
    }

    /// Compare-and-exchange of the 4-byte-aligned word at `offset`;
    /// returns the value found.
    pub fn cmpxchg_u32(&self, offset: u64, old: u32, new: u32) -> u32 {
        assert!(offset.is_multiple_of(4), "aligned word");
        let p = self.ptr(offset, 4).cast::<u32>();
        // SAFETY: `p` is 4-byte aligned (the mapping is page-aligned) and
        // lies in the mapping (checked by `ptr`); application threads access
        // the word concurrently only through atomic instructions or plain
        // stores, which an atomic RMW tolerates.
        let a = unsafe { std::sync::atomic::AtomicU32::from_ptr(p) };
        match a.compare_exchange(
            old,
            new,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        ) {
            Ok(v) | Err(v) => v,
        }
    }

    /// Zeroes `len` bytes at `offset`.
    pub fn zero(&self, offset: u64, len: u64) {
        let n = usize::try_from(len).expect("zeroed ranges are small");
        let dst = self.ptr(offset, n);
        // SAFETY: `dst..dst+n` lies in the mapping (checked by `ptr`).
        unsafe { std::ptr::write_bytes(dst, 0, n) };
    }

    /// Faults `[offset, offset+len)` in writable without changing a byte
    /// (MADV_POPULATE_WRITE): each page gets memory and reads as resident.
    /// Best effort: a host without the advice leaves the pages as they are.
    pub fn populate(&self, offset: u64, len: u64) {
        let n = usize::try_from(len).expect("bounded by the caller");
        let start = self.ptr(offset, n);
        // SAFETY: `start..start+n` is page-aligned memory of our own shared
        // mapping; the advice only faults pages in and writes nothing.
        let _ = unsafe { libc::madvise(start.cast(), n, libc::MADV_POPULATE_WRITE) };
    }

    /// Appends one byte per page of `[offset, offset+len)`: 1 if resident.
    pub fn residency(&self, offset: u64, len: u64, out: &mut Vec<u8>) {
        let n = usize::try_from(len).expect("bounded by the caller");
        let start = self.ptr(offset, n);
        let pages = n.div_ceil(4096);
        let at = out.len();
        out.resize(at + pages, 0);
        // SAFETY: `start..start+n` is page-aligned memory of our mapping and
        // `out[at..]` has room for one byte per page.
        let r = unsafe { libc::mincore(start.cast(), n, out[at..].as_mut_ptr()) };
        if r != 0 {
            out.truncate(at);
            out.resize(at + pages, 0);
        }
        for b in &mut out[at..] {
            *b &= 1;
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        let len = usize::try_from(self.len).expect("mapped, so it fits");
        // SAFETY: `base..base+len` is our mapping and no copy is in flight:
        // copies borrow `self`.
        let _ = unsafe { nix::sys::mman::munmap(self.base.cast(), len) };
    }
}
