//! Memory-management flags: mmap, mprotect, mremap, msync, madvise
//! (<asm-generic/mman-common.h>, <asm/mman.h>, <linux/mman.h>).

use bitflags::bitflags;

/// The page size of x86-64.
pub const PAGE_SIZE: u64 = 4096;

bitflags! {
    /// mmap/mprotect `prot`; `PROT_NONE` is the empty set.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MmapProt: u64 {
        const PROT_READ = 0x1;
        const PROT_WRITE = 0x2;
        const PROT_EXEC = 0x4;
        const PROT_SEM = 0x8;
        const PROT_GROWSDOWN = 0x0100_0000;
        const PROT_GROWSUP = 0x0200_0000;
    }

    /// mmap `flags`. The low nibble is a type (`MAP_TYPE`), not bits:
    /// compare `flags & MAP_TYPE`, do not test `MAP_SHARED` with `contains`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MmapFlags: u64 {
        const MAP_SHARED = 0x01;
        const MAP_PRIVATE = 0x02;
        const MAP_SHARED_VALIDATE = 0x03;
        const MAP_FIXED = 0x10;
        const MAP_ANONYMOUS = 0x20;
        const MAP_32BIT = 0x40;
        const MAP_GROWSDOWN = 0x0100;
        const MAP_DENYWRITE = 0x0800;
        const MAP_EXECUTABLE = 0x1000;
        const MAP_LOCKED = 0x2000;
        const MAP_NORESERVE = 0x4000;
        const MAP_POPULATE = 0x8000;
        const MAP_NONBLOCK = 0x1_0000;
        const MAP_STACK = 0x2_0000;
        const MAP_HUGETLB = 0x4_0000;
        const MAP_SYNC = 0x8_0000;
        const MAP_FIXED_NOREPLACE = 0x10_0000;
        const MAP_UNINITIALIZED = 0x400_0000;
    }

    /// mremap `flags`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MremapFlags: u64 {
        const MREMAP_MAYMOVE = 1;
        const MREMAP_FIXED = 2;
        const MREMAP_DONTUNMAP = 4;
    }

    /// msync `flags`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MsyncFlags: u64 {
        const MS_ASYNC = 1;
        const MS_INVALIDATE = 2;
        const MS_SYNC = 4;
    }
}

/// The mapping-type bits of the mmap flags.
pub const MAP_TYPE: u64 = 0x0f;
/// `MAP_ANONYMOUS` by its other name.
pub const MAP_ANON: u64 = MmapFlags::MAP_ANONYMOUS.bits();
/// The page-size field of `MAP_HUGETLB` flags: `log2(size) << MAP_HUGE_SHIFT`.
pub const MAP_HUGE_SHIFT: u32 = 26;
/// The mask of the `MAP_HUGETLB` page-size field, before shifting.
pub const MAP_HUGE_MASK: u64 = 0x3f;

named_consts! {
    /// The name of madvise `advice`, "MADV_DONTNEED".
    pub fn madvise_name(i32) {
        MADV_NORMAL = 0,
        MADV_RANDOM = 1,
        MADV_SEQUENTIAL = 2,
        MADV_WILLNEED = 3,
        MADV_DONTNEED = 4,
        MADV_FREE = 8,
        MADV_REMOVE = 9,
        MADV_DONTFORK = 10,
        MADV_DOFORK = 11,
        MADV_MERGEABLE = 12,
        MADV_UNMERGEABLE = 13,
        MADV_HUGEPAGE = 14,
        MADV_NOHUGEPAGE = 15,
        MADV_DONTDUMP = 16,
        MADV_DODUMP = 17,
        MADV_WIPEONFORK = 18,
        MADV_KEEPONFORK = 19,
        MADV_COLD = 20,
        MADV_PAGEOUT = 21,
        MADV_POPULATE_READ = 22,
        MADV_POPULATE_WRITE = 23,
        MADV_DONTNEED_LOCKED = 24,
        MADV_COLLAPSE = 25,
        MADV_HWPOISON = 100,
        MADV_SOFT_OFFLINE = 101,
        MADV_GUARD_INSTALL = 102,
        MADV_GUARD_REMOVE = 103,
    }
}

/// mlockall(2) flags.
pub const MCL_CURRENT: i32 = 1;
pub const MCL_FUTURE: i32 = 2;
pub const MCL_ONFAULT: i32 = 4;
/// mlock2(2)'s flag.
pub const MLOCK_ONFAULT: i32 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_type_covers_the_sharing_types_only() {
        assert_eq!(MmapFlags::MAP_SHARED_VALIDATE.bits() & !MAP_TYPE, 0);
        assert_eq!(MmapFlags::MAP_FIXED.bits() & MAP_TYPE, 0);
        assert_eq!(MAP_ANON, 0x20);
    }

    #[test]
    fn madvise_names() {
        assert_eq!(madvise_name(4), Some("MADV_DONTNEED"));
        assert_eq!(madvise_name(MADV_HWPOISON), Some("MADV_HWPOISON"));
        assert_eq!(madvise_name(7), None);
    }
}
