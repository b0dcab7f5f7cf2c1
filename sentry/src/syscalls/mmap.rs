//! mmap, munmap, mprotect, mremap, madvise, mincore, msync, brk.

use std::sync::Arc;

use abi::mm::*;
use abi::resource::{RLIMIT_DATA, RLIMIT_MEMLOCK, RLIMIT_STACK};
use abi::Errno;
use platform::Access;

use crate::arch::SyscallArgs;
use crate::creds::CAP_IPC_LOCK;
use crate::kernel::Task;
use crate::mm::{
    is_page_aligned, page_round_up, FileMapping, MapRequest, MappedFile, Placement, Target, Vma,
    VmaKind, MIN_ADDR, PAGE,
};

fn access(prot: MmapProt) -> Access {
    Access {
        read: prot.contains(MmapProt::PROT_READ),
        write: prot.contains(MmapProt::PROT_WRITE),
        execute: prot.contains(MmapProt::PROT_EXEC),
    }
}

/// Implements mmap(2). Anonymous memory only until the filesystem lands:
/// a descriptor that exists cannot be mapped (ENODEV, as for a pipe).
pub fn sys_mmap(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (addr, len, off) = (a.addr(0), a.u64(1), a.u64(5));
    // Unknown PROT bits are ignored by mmap (unlike mprotect).
    let prot = MmapProt::from_bits_truncate(a.u64(2));
    let flags = MmapFlags::from_bits_retain(a.u64(3) & 0xffff_ffff);
    if off & (PAGE - 1) != 0 {
        return Err(Errno::EINVAL);
    }
    let file = if flags.contains(MmapFlags::MAP_ANONYMOUS) {
        None
    } else {
        let file = t.fds.lock().get(a.fd(4))?;
        if file.is_path() {
            return Err(Errno::EBADF);
        }
        // Mapping needs a readable file (EACCES), then a file that can be
        // mapped (ENODEV, as for pipes and terminals).
        #[allow(clippy::cast_sign_loss)]
        let access = file.status_flags()? as u32 & abi::fcntl::O_ACCMODE;
        if access == abi::fcntl::OpenFlags::O_WRONLY.bits() {
            return Err(Errno::EACCES);
        }
        let inode = file
            .location()
            .map(|l| l.inode().clone())
            .ok_or(Errno::ENODEV)?;
        let mode = inode.mode();
        if crate::vfs::file_type(mode) == abi::stat::S_IFCHR
            && inode.stat()?.st_rdev == abi::stat::makedev(1, 5)
        {
            // /dev/zero maps as anonymous memory.
            None
        } else {
            if !crate::vfs::is_regular(mode) {
                return Err(Errno::ENODEV);
            }
            let shared_type = flags.bits() & MAP_TYPE == MmapFlags::MAP_SHARED.bits();
            if shared_type
                && prot.contains(MmapProt::PROT_WRITE)
                && access != abi::fcntl::OpenFlags::O_RDWR.bits()
            {
                return Err(Errno::EACCES);
            }
            let write_sealed = inode.seals().is_ok_and(|s| {
                s & (crate::fsimpl::tmpfs::F_SEAL_WRITE | crate::fsimpl::tmpfs::F_SEAL_FUTURE_WRITE)
                    != 0
            });
            if shared_type && prot.contains(MmapProt::PROT_WRITE) && write_sealed {
                return Err(Errno::EPERM);
            }
            let noexec = file.location().is_some_and(|l| l.mnt.flags.noexec);
            if prot.contains(MmapProt::PROT_EXEC) && noexec {
                return Err(Errno::EPERM);
            }
            // What mprotect may add later (Linux's VM_MAYWRITE and
            // VM_MAYEXEC): a shared mapping writes the file, so only
            // through a descriptor open for writing, and not into a memfd
            // sealed against writing.
            let max = Access {
                read: true,
                write: !shared_type
                    || (access == abi::fcntl::OpenFlags::O_RDWR.bits() && !write_sealed),
                execute: !noexec,
            };
            Some((inode, file.location().cloned(), max))
        }
    };
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_round_up(len).ok_or(Errno::ENOMEM)?;
    let fixed = flags.intersects(MmapFlags::MAP_FIXED | MmapFlags::MAP_FIXED_NOREPLACE);
    if fixed {
        if len > t.mm.max_addr() || addr > t.mm.max_addr() - len {
            return Err(Errno::ENOMEM);
        }
        if !is_page_aligned(addr) {
            return Err(Errno::EINVAL);
        }
    }
    let shared = match flags.bits() & MAP_TYPE {
        t if t == MmapFlags::MAP_SHARED.bits() => true,
        t if t == MmapFlags::MAP_PRIVATE.bits() => false,
        _ => return Err(Errno::EINVAL),
    };
    let growsdown = flags.contains(MmapFlags::MAP_GROWSDOWN);
    if shared && growsdown {
        return Err(Errno::EINVAL);
    }
    let placement = if flags.contains(MmapFlags::MAP_FIXED_NOREPLACE)
        && !flags.contains(MmapFlags::MAP_FIXED)
    {
        Placement::FixedNoReplace(addr)
    } else if fixed {
        Placement::Fixed(addr)
    } else {
        // round_hint_to_min: a hint below mmap_min_addr is raised to it.
        Placement::Hint(if addr != 0 && addr < MIN_ADDR {
            MIN_ADDR
        } else {
            addr
        })
    };
    let req = MapRequest {
        placement,
        len,
        access: access(prot),
        shared,
        growsdown,
        kind: VmaKind::Anonymous,
    };
    match file {
        None => t.mm.map_anonymous(req),
        Some((inode, place, max)) => {
            let (addr, pages) = map_file(t, &inode, req, off)?;
            if let Some(place) = place {
                t.mm.watch(&pages);
                let file = MappedFile {
                    place: Arc::new(place),
                    pages: Some(pages),
                    max,
                };
                t.mm.set_file(addr, len, &file, off)?;
            }
            Ok(addr)
        }
    }
}

/// Maps `len` bytes of a file from `off`; returns the address and the
/// file's size and mappers (the size it has now, for a file whose
/// filesystem does not report changes). The pages are the file's bytes
/// at the time of the call (zero past its end); a mapping that cannot be
/// written shares one copy per file version and range, which writing
/// (after mprotect) copies.
fn map_file(
    t: &Task,
    inode: &crate::vfs::InodeRef,
    mut req: MapRequest,
    off: u64,
) -> Result<(u64, Arc<FileMapping>), Errno> {
    req.kind = VmaKind::File;
    if req.shared {
        // Files in sentry memory share their pages with the mapping.
        match inode.map_pages(off, req.len, req.access.write) {
            Ok(pieces) => {
                let pieces: Vec<(u64, u64)> = pieces.iter().map(|p| (p.offset, p.len)).collect();
                let pages = mapping_of(inode)?;
                return Ok((t.mm.map_pieces(req, &pieces)?, pages));
            }
            Err(Errno::ENODEV) => {}
            Err(e) => return Err(e),
        }
    }
    let pages = mapping_of(inode)?;
    let st = inode.stat()?;
    let key = (crate::vfs::version(&st), off, req.len);
    let cacheable = !req.access.write;
    if cacheable {
        if let Some((offset, len)) = t.kernel.file_pages.get(&key) {
            if len == req.len {
                return Ok((t.mm.map_shared_range(req, offset)?, pages));
            }
        }
    }
    let addr = t.mm.map_anonymous(req)?;
    let size = u64::try_from(st.st_size).unwrap_or(0);
    let want = size.saturating_sub(off).min(req.len);
    crate::vfs::read_pieces(&**inode, off, want, |at, piece| {
        t.mm.write_ignoring_protection(addr + at, piece)
    })?;
    if cacheable {
        if let Some(offset) = t.mm.backing(addr) {
            if t.kernel.file_pages.put(key, (offset, req.len)) {
                t.mm.hold_range(offset, req.len);
            }
        }
    }
    Ok((addr, pages))
}

/// The file's size and mappers: its filesystem's, or the size it has
/// now.
fn mapping_of(inode: &crate::vfs::InodeRef) -> Result<Arc<FileMapping>, Errno> {
    match inode.file_mapping() {
        Some(m) => Ok(m),
        None => {
            let size = u64::try_from(inode.stat()?.st_size).unwrap_or(0);
            Ok(FileMapping::new(size))
        }
    }
}

/// Implements munmap(2).
pub fn sys_munmap(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (addr, len) = (a.addr(0), a.u64(1));
    let max = t.mm.max_addr();
    if !is_page_aligned(addr) || addr > max || len > max - addr {
        return Err(Errno::EINVAL);
    }
    let len = page_round_up(len).ok_or(Errno::EINVAL)?;
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    t.mm.unmap(addr, len)?;
    Ok(0)
}

/// Implements mprotect(2).
pub fn sys_mprotect(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (mut addr, len) = (a.addr(0), a.u64(1));
    let bits = a.u64(2) & 0xffff_ffff;
    let prot = MmapProt::from_bits_retain(bits);
    let grows = prot & (MmapProt::PROT_GROWSDOWN | MmapProt::PROT_GROWSUP);
    if grows == MmapProt::PROT_GROWSDOWN | MmapProt::PROT_GROWSUP {
        return Err(Errno::EINVAL);
    }
    if !is_page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let len = page_round_up(len).ok_or(Errno::ENOMEM)?;
    let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
    let valid =
        MmapProt::PROT_READ | MmapProt::PROT_WRITE | MmapProt::PROT_EXEC | MmapProt::PROT_SEM;
    let prot = prot - grows;
    if !valid.contains(prot) {
        return Err(Errno::EINVAL);
    }
    if grows.contains(MmapProt::PROT_GROWSUP) {
        // No VM_GROWSUP mappings exist on x86-64.
        return Err(Errno::EINVAL);
    }
    if grows.contains(MmapProt::PROT_GROWSDOWN) {
        addr = t.mm.growsdown_start(addr)?;
    }
    t.mm.protect(addr, end - addr, access(prot))?;
    Ok(0)
}

/// Implements mremap(2).
pub fn sys_mremap(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (old, old_len, new_len, new_addr) = (a.addr(0), a.u64(1), a.u64(2), a.addr(4));
    let flags = MremapFlags::from_bits(a.u64(3)).ok_or(Errno::EINVAL)?;
    let may_move = flags.contains(MremapFlags::MREMAP_MAYMOVE);
    let fixed = flags.contains(MremapFlags::MREMAP_FIXED);
    let dont_unmap = flags.contains(MremapFlags::MREMAP_DONTUNMAP);
    if fixed && !may_move {
        return Err(Errno::EINVAL);
    }
    if dont_unmap && (!may_move || old_len != new_len) {
        return Err(Errno::EINVAL);
    }
    if !is_page_aligned(old) {
        return Err(Errno::EINVAL);
    }
    let old_len = page_round_up(old_len).ok_or(Errno::EINVAL)?;
    let new_len = page_round_up(new_len).ok_or(Errno::EINVAL)?;
    if new_len == 0 {
        return Err(Errno::EINVAL);
    }
    // With MREMAP_DONTUNMAP the new address is a hint, validated like a
    // fixed one.
    if (fixed || dont_unmap) && !is_page_aligned(new_addr) {
        return Err(Errno::EINVAL);
    }
    if (fixed || dont_unmap) && new_addr != 0 {
        let max = t.mm.max_addr();
        if new_len > max || new_addr > max - new_len {
            return Err(Errno::EINVAL);
        }
        if old.saturating_add(old_len) > new_addr && new_addr.saturating_add(new_len) > old {
            return Err(Errno::EINVAL);
        }
    }
    if old_len == 0 {
        // Duplicating a shared mapping: not supported for anonymous memory
        // that is private, which is all there is today.
        return Err(Errno::EINVAL);
    }
    let target = if fixed {
        Target::Fixed(new_addr)
    } else {
        Target::Hint(if dont_unmap { new_addr } else { 0 })
    };
    t.mm.remap(old, old_len, new_len, may_move, target, dont_unmap)
}

/// Implements madvise(2).
pub fn sys_madvise(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (addr, len_in, advice) = (a.addr(0), a.u64(1), a.int(2));
    let known = matches!(
        advice,
        MADV_NORMAL
            | MADV_RANDOM
            | MADV_SEQUENTIAL
            | MADV_WILLNEED
            | MADV_DONTNEED
            | MADV_FREE
            | MADV_REMOVE
            | MADV_DONTFORK
            | MADV_DOFORK
            | MADV_MERGEABLE
            | MADV_UNMERGEABLE
            | MADV_HUGEPAGE
            | MADV_NOHUGEPAGE
            | MADV_DONTDUMP
            | MADV_DODUMP
            | MADV_WIPEONFORK
            | MADV_KEEPONFORK
            | MADV_COLD
            | MADV_PAGEOUT
            | MADV_POPULATE_READ
            | MADV_POPULATE_WRITE
            | MADV_HWPOISON
    );
    if !known {
        return Err(Errno::EINVAL);
    }
    if !is_page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    let len = page_round_up(len_in).ok_or(Errno::EINVAL)?;
    if len_in != 0 && len == 0 {
        return Err(Errno::EINVAL);
    }
    if addr.checked_add(len).is_none() {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    match advice {
        MADV_HWPOISON => Err(Errno::EPERM),
        MADV_DONTNEED => t.mm.dont_need(addr, len).map(|()| 0),
        MADV_REMOVE => t.mm.remove_pages(addr, len).map(|()| 0),
        MADV_FREE => {
            t.mm.set_vma_flags(addr, len, |v| {
                if v.shared {
                    Err(Errno::EINVAL)
                } else {
                    Ok(())
                }
            })
            .map(|()| 0)
        }
        MADV_DONTFORK | MADV_DOFORK => {
            let on = advice == MADV_DONTFORK;
            t.mm.set_vma_flags(addr, len, |v| {
                v.dont_fork = on;
                Ok(())
            })
            .map(|()| 0)
        }
        MADV_WIPEONFORK | MADV_KEEPONFORK => {
            let on = advice == MADV_WIPEONFORK;
            t.mm.set_vma_flags(addr, len, |v| {
                if on && v.shared {
                    return Err(Errno::EINVAL);
                }
                v.wipe_on_fork = on;
                Ok(())
            })
            .map(|()| 0)
        }
        _ => t.mm.check_mapped(addr, len).map(|()| 0),
    }
}

/// Implements mincore(2).
pub fn sys_mincore(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (addr, len, vec) = (a.addr(0), a.u64(1), a.addr(2));
    if !is_page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    let max = platform::ptrace::TASK_SIZE;
    if addr > max || len > max - addr {
        return Err(Errno::ENOMEM);
    }
    if len == 0 {
        return Ok(0);
    }
    let pages = len.div_ceil(PAGE);
    let resident = t.mm.residency(addr, pages * PAGE)?;
    t.mm.copy_out(vec, &resident)?;
    Ok(0)
}

/// Implements msync(2). Anonymous memory has nothing to write back.
pub fn sys_msync(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (addr, len) = (a.addr(0), a.u64(1));
    let flags = MsyncFlags::from_bits(a.u64(2) & 0xffff_ffff).ok_or(Errno::EINVAL)?;
    if a.u64(2) >> 32 != 0 {
        return Err(Errno::EINVAL);
    }
    if !is_page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    if flags.contains(MsyncFlags::MS_ASYNC | MsyncFlags::MS_SYNC) {
        return Err(Errno::EINVAL);
    }
    let len = page_round_up(len).ok_or(Errno::ENOMEM)?;
    if addr.checked_add(len).is_none() {
        return Err(Errno::ENOMEM);
    }
    if len == 0 {
        return Ok(0);
    }
    t.mm.check_mapped(addr, len).map(|()| 0)
}

/// Implements brk(2): returns the new break, or the old one on failure.
pub fn sys_brk(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let limit = t.rlimit_cur(RLIMIT_DATA);
    Ok(t.mm.brk(a.addr(0), limit))
}

/// The stack rlimit, for stack growth on faults.
pub fn stack_limit(t: &Task) -> u64 {
    t.rlimit_cur(RLIMIT_STACK)
}

/// mlock's range: `addr` rounded down to its page, the length up.
fn lock_range(addr: u64, len: u64) -> (u64, u64) {
    let start = addr & !(PAGE - 1);
    let len = page_round_up(len.saturating_add(addr - start)).unwrap_or(!(PAGE - 1));
    (start, len)
}

/// `can_do_mlock`: a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK.
fn may_lock(t: &Task) -> Result<(), Errno> {
    if t.rlimit_cur(RLIMIT_MEMLOCK) != 0 || t.creds.has_cap(CAP_IPC_LOCK) {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

/// mlock and mlock2: locks `[addr, addr+len)` within RLIMIT_MEMLOCK
/// (pages already locked are not counted again) and, unless
/// `on_fault`, gives the pages their memory.
fn lock(t: &Task, addr: u64, len: u64, on_fault: bool) -> Result<u64, Errno> {
    may_lock(t)?;
    let (start, len) = lock_range(addr, len);
    let end = start.checked_add(len);
    if !t.creds.has_cap(CAP_IPC_LOCK) {
        // Locked memory outside the range, plus the range itself.
        let e = end.unwrap_or(u64::MAX);
        let others: u64 =
            t.mm.vmas()
                .iter()
                .filter(|v| v.locked)
                .map(|v| v.len() - v.end.min(e).saturating_sub(v.start.max(start)))
                .sum();
        if others.saturating_add(len) > t.rlimit_cur(RLIMIT_MEMLOCK) {
            return Err(Errno::ENOMEM);
        }
    }
    let end = end.ok_or(Errno::EINVAL)?;
    if len == 0 {
        return Ok(0);
    }
    // Linux locks what is mapped up to a hole, then fails.
    t.mm.set_vma_flags(start, end - start, |v| {
        v.locked = true;
        Ok(())
    })?;
    if !on_fault {
        t.mm.populate(start, len, false)?;
    }
    Ok(0)
}

/// Implements mlock(2). The pages are the sentry's memory file's, so
/// locking them keeps nothing from the host's swap; it is accounted
/// (RLIMIT_MEMLOCK, `VmLck`) and populates as Linux does.
pub fn sys_mlock(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    lock(t, a.addr(0), a.u64(1), false)
}

/// Implements mlock2(2): MLOCK_ONFAULT locks without populating.
pub fn sys_mlock2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(2);
    if flags & !MLOCK_ONFAULT != 0 {
        return Err(Errno::EINVAL);
    }
    lock(t, a.addr(0), a.u64(1), flags & MLOCK_ONFAULT != 0)
}

/// Implements munlock(2).
pub fn sys_munlock(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (start, len) = lock_range(a.addr(0), a.u64(1));
    let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
    if len == 0 {
        return Ok(0);
    }
    t.mm.set_vma_flags(start, end - start, |v| {
        v.locked = false;
        Ok(())
    })
    .map(|()| 0)
}

/// Implements mlockall(2): MCL_CURRENT locks every mapping (within
/// RLIMIT_MEMLOCK, counting all mapped memory) and populates it unless
/// MCL_ONFAULT; MCL_FUTURE locks mappings made from now on (and
/// MCL_CURRENT alone stops that).
pub fn sys_mlockall(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(0);
    if flags == 0 || flags & !(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 || flags == MCL_ONFAULT
    {
        return Err(Errno::EINVAL);
    }
    may_lock(t)?;
    let current = flags & MCL_CURRENT != 0;
    if current && !t.creds.has_cap(CAP_IPC_LOCK) {
        let total: u64 = t.mm.vmas().iter().map(Vma::len).sum();
        if total > t.rlimit_cur(RLIMIT_MEMLOCK) {
            return Err(Errno::ENOMEM);
        }
    }
    t.mm.set_lock_future(flags & MCL_FUTURE != 0);
    if current {
        let vmas = t.mm.vmas();
        for v in &vmas {
            t.mm.set_vma_flags(v.start, v.len(), |m| {
                m.locked = true;
                Ok(())
            })?;
        }
        if flags & MCL_ONFAULT == 0 {
            for v in &vmas {
                t.mm.populate(v.start, v.len(), true)?;
            }
        }
    }
    Ok(0)
}

/// Implements munlockall(2).
pub fn sys_munlockall(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    t.mm.set_lock_future(false);
    for v in t.mm.vmas() {
        // A mapping gone since the snapshot has nothing left to unlock.
        let _ = t.mm.set_vma_flags(v.start, v.len(), |m| {
            m.locked = false;
            Ok(())
        });
    }
    Ok(0)
}
