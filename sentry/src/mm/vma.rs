//! The set of virtual memory areas of an address space.

use std::collections::BTreeMap;
use std::sync::Arc;

use platform::Access;

use super::FileMapping;

/// The file a mapping maps, as one `mmap` made it.
#[derive(Clone)]
pub struct MappedFile {
    /// The VFS's place of the file, for `/proc/pid/maps`, which this
    /// layer holds without knowing (it sits below the VFS). Two mappings
    /// are of the same `mmap` when this is the same allocation.
    pub place: Arc<dyn std::any::Any + Send + Sync>,
    /// The file's size and mappers, for SIGBUS past its end; `None` where
    /// nothing faults that way (an executable's segments).
    pub pages: Option<Arc<FileMapping>>,
    /// The access `mprotect` may grant (Linux's `VM_MAY*`): no write for
    /// a shared mapping of a descriptor not open for writing, no execute
    /// from a `noexec` mount.
    pub max: Access,
}

impl MappedFile {
    /// A file mapped with any access and no end (an executable's
    /// segments).
    pub fn new(place: Arc<dyn std::any::Any + Send + Sync>) -> MappedFile {
        MappedFile {
            place,
            pages: None,
            max: Access::ALL,
        }
    }
}

impl PartialEq for MappedFile {
    fn eq(&self, other: &MappedFile) -> bool {
        Arc::ptr_eq(&self.place, &other.place)
    }
}

impl Eq for MappedFile {}

impl std::fmt::Debug for MappedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MappedFile")
    }
}

/// What a mapping is, for `/proc/pid/maps` and the rules that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmaKind {
    /// `mmap` of anonymous memory.
    Anonymous,
    /// A segment of the executable.
    Elf,
    /// The `brk` heap.
    Heap,
    /// The initial thread's stack.
    Stack,
    /// `mmap` of a file.
    File,
}

/// One mapping: `[start, end)` backed by the memory file from `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub access: Access,
    pub shared: bool,
    pub growsdown: bool,
    pub kind: VmaKind,
    /// The memory-file offset that backs `start`.
    pub offset: u64,
    /// `MADV_DONTFORK` / `MADV_WIPEONFORK`, honoured by fork.
    pub dont_fork: bool,
    pub wipe_on_fork: bool,
    /// `VM_LOCKED`: mlock'd (kept out of a fork's copy).
    pub locked: bool,
    /// The file mapped, and the file offset of `start` (`/proc/pid/maps`).
    pub file: Option<MappedFile>,
    pub pgoff: u64,
}

impl Vma {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The memory-file offset backing `addr` (inside this VMA).
    pub fn offset_of(&self, addr: u64) -> u64 {
        debug_assert!(self.start <= addr && addr <= self.end);
        self.offset + (addr - self.start)
    }

    /// Where the pages that fault with SIGBUS start: the first page
    /// wholly past the end of the mapped file, or `end`.
    pub fn bus_from(&self) -> u64 {
        let Some(pages) = self.file.as_ref().and_then(|f| f.pages.as_ref()) else {
            return self.end;
        };
        let page_end = pages.page_end();
        if self.pgoff >= page_end {
            self.start
        } else {
            self.start + (page_end - self.pgoff).min(self.len())
        }
    }

    /// The access `mprotect` may grant.
    pub fn max_access(&self) -> Access {
        self.file.as_ref().map_or(Access::ALL, |f| f.max)
    }

    /// Whether `next` continues this mapping as Linux would merge them: same
    /// attributes and adjacent (the backing may be discontiguous), and for
    /// a file the next bytes of the same file.
    pub fn continues_into(&self, next: &Vma) -> bool {
        self.end == next.start
            && self.access == next.access
            && self.shared == next.shared
            && self.kind == next.kind
            && self.growsdown == next.growsdown
            && self.locked == next.locked
            && self.file == next.file
            && (self.file.is_none() || self.pgoff + self.len() == next.pgoff)
    }
}

/// The VMAs of one address space, keyed by start address, never overlapping.
#[derive(Clone, Debug, Default)]
pub struct VmaSet {
    map: BTreeMap<u64, Vma>,
}

impl VmaSet {
    /// The VMA containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.map
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    /// The first VMA that ends after `addr`.
    pub fn next_after(&self, addr: u64) -> Option<&Vma> {
        if let Some(v) = self.find(addr) {
            return Some(v);
        }
        self.map.range(addr..).next().map(|(_, v)| v)
    }

    /// The last VMA that starts before `addr`.
    pub fn prev_before(&self, addr: u64) -> Option<&Vma> {
        self.map.range(..addr).next_back().map(|(_, v)| v)
    }

    /// All VMAs in address order.
    pub fn iter(&self) -> impl Iterator<Item = &Vma> {
        self.map.values()
    }

    /// The VMAs overlapping `[start, end)`, in order.
    pub fn overlapping(&self, start: u64, end: u64) -> impl Iterator<Item = &Vma> {
        let first = self.find(start).map_or(start, |v| v.start);
        self.map
            .range(first..end)
            .map(|(_, v)| v)
            .filter(move |v| v.end > start)
    }

    /// Whether `[start, end)` overlaps no VMA.
    pub fn is_free(&self, start: u64, end: u64) -> bool {
        self.overlapping(start, end).next().is_none()
    }

    /// Whether every byte of `[start, end)` is mapped.
    pub fn is_covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        for v in self.overlapping(start, end) {
            if v.start > at {
                return false;
            }
            at = v.end;
        }
        at >= end
    }

    /// Adds a VMA; the range must be free.
    pub fn insert(&mut self, vma: Vma) {
        debug_assert!(vma.start < vma.end && self.is_free(vma.start, vma.end));
        self.map.insert(vma.start, vma);
    }

    /// Splits the VMA containing `addr` so that a VMA starts at `addr`.
    pub fn split_at(&mut self, addr: u64) {
        let Some(v) = self.find(addr).cloned() else {
            return;
        };
        if v.start == addr {
            return;
        }
        let mut lo = v.clone();
        lo.end = addr;
        let mut hi = v.clone();
        hi.start = addr;
        hi.offset = v.offset_of(addr);
        if hi.file.is_some() {
            hi.pgoff = v.pgoff + (addr - v.start);
        }
        self.map.insert(lo.start, lo);
        self.map.insert(hi.start, hi);
    }

    /// Removes `[start, end)`, splitting VMAs at its edges, and returns the
    /// removed pieces.
    pub fn remove_range(&mut self, start: u64, end: u64) -> Vec<Vma> {
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self.overlapping(start, end).map(|v| v.start).collect();
        keys.iter().filter_map(|k| self.map.remove(k)).collect()
    }

    /// Applies `f` to every VMA in `[start, end)`, splitting at the edges.
    pub fn update_range(&mut self, start: u64, end: u64, mut f: impl FnMut(&mut Vma)) {
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self.overlapping(start, end).map(|v| v.start).collect();
        for k in keys {
            if let Some(v) = self.map.get_mut(&k) {
                f(v);
            }
        }
    }

    /// Replaces the VMA starting at `start` (used to grow one in place).
    pub fn get_mut(&mut self, start: u64) -> Option<&mut Vma> {
        self.map.get_mut(&start)
    }

    /// The highest `len`-byte free range ending at or below `below` and
    /// starting at or above `min`.
    pub fn find_gap_top_down(&self, len: u64, min: u64, below: u64) -> Option<u64> {
        let mut hi = below;
        for v in self.map.range(..below).rev().map(|(_, v)| v) {
            if v.end < hi {
                if let Some(s) = hi.checked_sub(len) {
                    if s >= v.end && s >= min {
                        return Some(s);
                    }
                }
            }
            hi = hi.min(v.start);
            if hi < min.saturating_add(len) {
                return None;
            }
        }
        hi.checked_sub(len).filter(|&s| s >= min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RW: Access = Access {
        read: true,
        write: true,
        execute: false,
    };

    fn vma(start: u64, end: u64, offset: u64) -> Vma {
        Vma {
            start,
            end,
            access: RW,
            shared: false,
            growsdown: false,
            kind: VmaKind::Anonymous,
            offset,
            dont_fork: false,
            wipe_on_fork: false,
            locked: false,
            file: None,
            pgoff: 0,
        }
    }

    #[test]
    fn removing_the_middle_splits_with_offsets() {
        let mut s = VmaSet::default();
        s.insert(vma(0x1000, 0x5000, 0x10000));
        let removed = s.remove_range(0x2000, 0x3000);
        assert_eq!(removed, vec![vma(0x2000, 0x3000, 0x11000)]);
        let left: Vec<_> = s.iter().cloned().collect();
        assert_eq!(
            left,
            vec![vma(0x1000, 0x2000, 0x10000), vma(0x3000, 0x5000, 0x12000)]
        );
    }

    #[test]
    fn coverage_and_freedom() {
        let mut s = VmaSet::default();
        s.insert(vma(0x1000, 0x2000, 0));
        s.insert(vma(0x2000, 0x3000, 0x9000));
        s.insert(vma(0x4000, 0x5000, 0x1000));
        assert!(s.is_covered(0x1000, 0x3000));
        assert!(!s.is_covered(0x1000, 0x4001));
        assert!(s.is_free(0x3000, 0x4000));
        assert!(!s.is_free(0x2fff, 0x3001));
        assert_eq!(s.find(0x2fff).unwrap().start, 0x2000);
        assert!(s.find(0x3000).is_none());
    }

    #[test]
    fn gaps_are_found_from_the_top() {
        let mut s = VmaSet::default();
        s.insert(vma(0x8000, 0x9000, 0));
        s.insert(vma(0x5000, 0x7000, 0));
        assert_eq!(s.find_gap_top_down(0x1000, 0x1000, 0x10000), Some(0xf000));
        assert_eq!(s.find_gap_top_down(0x1000, 0x1000, 0x9000), Some(0x7000));
        assert_eq!(s.find_gap_top_down(0x2000, 0x1000, 0x9000), Some(0x3000));
        assert_eq!(s.find_gap_top_down(0x5000, 0x1000, 0x9000), None);
    }

    #[test]
    fn update_range_splits_only_the_edges() {
        let mut s = VmaSet::default();
        s.insert(vma(0x1000, 0x4000, 0));
        s.update_range(0x2000, 0x3000, |v| v.access = Access::NONE);
        let got: Vec<_> = s.iter().map(|v| (v.start, v.end, v.access == RW)).collect();
        assert_eq!(
            got,
            vec![
                (0x1000, 0x2000, true),
                (0x2000, 0x3000, false),
                (0x3000, 0x4000, true)
            ]
        );
    }
}
