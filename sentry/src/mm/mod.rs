//! The memory manager: an application's VMAs over the memory file, the
//! platform address space that mirrors them, and copy-in/copy-out.
//!
//! Every VMA is backed by a range of the memory file, allocated when the VMA
//! is created and mapped into the stub at once (the file is sparse, so untouched
//! pages cost nothing). The host therefore resolves the application's page
//! faults itself; the sentry sees only real protection faults and stack growth.
//!
//! A page of a file mapping wholly past the end of the file is mapped in
//! the stub from past the end of the memory file instead, so the host
//! faults it with SIGBUS (and checks the protection first, as Linux
//! does); the sentry maps the real page once the file has grown over it.
//!
//! Lock order (outer first):
//!   MemoryManager::inner
//!     MemoryFile::free

pub mod filemap;
pub mod memfile;
#[allow(unsafe_code)]
mod raw;
pub mod vma;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use abi::Errno;
use parking_lot::Mutex;
use platform::{Access, AddressSpace, PlatformError};

pub use filemap::FileMapping;
pub use memfile::MemoryFile;
pub use vma::{MappedFile, Vma, VmaKind, VmaSet};

pub const PAGE: u64 = abi::mm::PAGE_SIZE;
/// `vm.mmap_min_addr`: nothing is mapped below it.
pub const MIN_ADDR: u64 = 0x1_0000;
/// Linux's `stack_guard_gap`: 256 pages kept free below a growing stack.
pub const STACK_GUARD_GAP: u64 = 256 * PAGE;

/// Rounds up to a page, or `None` on overflow.
pub fn page_round_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE - 1).map(|v| v & !(PAGE - 1))
}

pub fn page_round_down(x: u64) -> u64 {
    x & !(PAGE - 1)
}

pub fn is_page_aligned(x: u64) -> bool {
    x & (PAGE - 1) == 0
}

/// How a new anonymous mapping is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Anywhere; `hint` is tried first when non-zero.
    Hint(u64),
    /// Exactly here, replacing what is there.
    Fixed(u64),
    /// Exactly here, failing with EEXIST if anything is there.
    FixedNoReplace(u64),
}

/// Where `mremap` may put a mapping it moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Anywhere free, trying the hint first when non-zero.
    Hint(u64),
    /// Exactly here (`MREMAP_FIXED`), replacing what is there.
    Fixed(u64),
}

/// A request for a new anonymous mapping.
#[derive(Clone, Copy, Debug)]
pub struct MapRequest {
    pub placement: Placement,
    /// Page-aligned, non-zero.
    pub len: u64,
    pub access: Access,
    pub shared: bool,
    pub growsdown: bool,
    pub kind: VmaKind,
}

#[derive(Debug)]
struct MmInner {
    vmas: VmaSet,
    /// mlockall(MCL_FUTURE): new mappings are locked.
    lock_future: bool,
    brk_start: u64,
    brk: u64,
    mmap_base: u64,
    layout: Layout,
}

/// Where exec put things, as Linux's `mm_struct` records them for
/// `/proc/pid/stat`, `cmdline`, `environ` and `auxv`: each a `[start,
/// end)` range of application addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub start_code: u64,
    pub end_code: u64,
    pub start_data: u64,
    pub end_data: u64,
    /// The initial stack pointer's page: argc and the vectors.
    pub start_stack: u64,
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    pub auxv_start: u64,
    pub auxv_end: u64,
}

/// The platform address space an MM drives, once it has one: a forked MM
/// is built before its child's stub exists and records mappings only until
/// [`MemoryManager::attach`].
#[derive(Default)]
struct SpaceRef(parking_lot::RwLock<Option<Arc<dyn AddressSpace>>>);

impl SpaceRef {
    fn get(&self) -> Option<Arc<dyn AddressSpace>> {
        self.0.read().clone()
    }

    fn map(&self, addr: u64, len: u64, access: Access, offset: u64) -> Result<(), PlatformError> {
        self.0
            .read()
            .as_ref()
            .map_or(Ok(()), |s| s.map(addr, len, access, offset))
    }

    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError> {
        self.0
            .read()
            .as_ref()
            .map_or(Ok(()), |s| s.unmap(addr, len))
    }

    fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), PlatformError> {
        self.0
            .read()
            .as_ref()
            .map_or(Ok(()), |s| s.protect(addr, len, access))
    }
}

/// An application's memory.
pub struct MemoryManager {
    space: SpaceRef,
    file: Arc<MemoryFile>,
    max_addr: u64,
    inner: Mutex<MmInner>,
    broken: AtomicBool,
    /// The tasks that run in this address space, to interrupt when the
    /// stub's mappings must change from outside.
    runners: Mutex<Vec<std::sync::Weak<dyn Kick>>>,
    /// Files that shrank under mappings here, whose pages past their new
    /// end the next task to run takes from the stub; `pending` says
    /// there are some.
    shrunk: Mutex<Vec<Arc<FileMapping>>>,
    pending: AtomicBool,
    /// The page last mapped again after a SIGBUS fault because its file
    /// had grown over it: a second fault there in a row is the host's own
    /// SIGBUS, delivered rather than retried forever.
    revealed: AtomicU64,
}

impl std::fmt::Debug for MemoryManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryManager")
            .field("max_addr", &self.max_addr)
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Drop for MemoryManager {
    fn drop(&mut self) {
        // The address space goes with its last user; the memory file's
        // ranges come back here.
        let mm = self.inner.get_mut();
        for v in mm.vmas.iter() {
            self.file.release(v.offset, v.len());
        }
    }
}

/// Brings a task that runs in an address space back to the sentry soon,
/// as a signal does: only the tasks running in a stub can change its
/// mappings, so a change made elsewhere (a truncation in another process)
/// waits for them.
pub trait Kick: Send + Sync {
    fn kick(&self);
}

/// Access a copy needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Read,
    Write,
}

impl MemoryManager {
    /// An empty address space whose mappings go to `space`; the application
    /// may map below `max_addr`.
    pub fn new(
        space: Arc<dyn AddressSpace>,
        file: Arc<MemoryFile>,
        max_addr: u64,
    ) -> MemoryManager {
        MemoryManager {
            space: SpaceRef(parking_lot::RwLock::new(Some(space))),
            file,
            max_addr,
            inner: Mutex::new(MmInner {
                vmas: VmaSet::default(),
                lock_future: false,
                brk_start: 0,
                brk: 0,
                mmap_base: max_addr,
                layout: Layout::default(),
            }),
            broken: AtomicBool::new(false),
            revealed: AtomicU64::new(u64::MAX),
            runners: Mutex::new(Vec::new()),
            shrunk: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
        }
    }

    /// The platform address space, if attached.
    pub fn space(&self) -> Option<Arc<dyn AddressSpace>> {
        self.space.get()
    }

    /// Maps `req` (a fixed placement) onto memory-file memory another
    /// holder keeps (a cached read-only segment), taking a reference.
    pub fn map_shared_range(&self, req: MapRequest, offset: u64) -> Result<u64, Errno> {
        self.map_pieces(req, &[(offset, req.len)])
    }

    /// Maps `req` onto memory-file pieces another holder keeps (a shared
    /// mapping of a tmpfs file: one VMA per chunk of the file), in order,
    /// taking a reference to each. The pieces' lengths add up to the
    /// request's.
    pub fn map_pieces(&self, req: MapRequest, pieces: &[(u64, u64)]) -> Result<u64, Errno> {
        debug_assert_eq!(pieces.iter().map(|p| p.1).sum::<u64>(), req.len);
        let mut mm = self.inner.lock();
        let addr = self.place_locked(&mm, &req)?;
        if !mm.vmas.is_free(addr, addr + req.len) {
            self.unmap_locked(&mut mm, addr, req.len)?;
        }
        let mut at = addr;
        let locked = mm.lock_future;
        for &(offset, len) in pieces {
            self.file.share(offset, len);
            if let Err(e) = self.platform(self.space.map(at, len, req.access, offset)) {
                self.file.release(offset, len);
                self.unmap_locked(&mut mm, addr, at - addr)?;
                return Err(e);
            }
            mm.vmas.insert(Vma {
                start: at,
                end: at + len,
                access: req.access,
                shared: req.shared,
                growsdown: req.growsdown,
                kind: req.kind,
                offset,
                dont_fork: false,
                wipe_on_fork: false,
                locked,
                file: None,
                pgoff: 0,
            });
            at += len;
        }
        Ok(addr)
    }

    /// The memory-file offset backing `addr`, if mapped.
    pub fn backing(&self, addr: u64) -> Option<u64> {
        let mm = self.inner.lock();
        mm.vmas.find(addr).map(|v| v.offset_of(addr))
    }

    /// Takes a reference to a memory-file range for a holder outside any
    /// address space (the segment cache).
    pub fn hold_range(&self, offset: u64, len: u64) {
        self.file.share(offset, len);
    }

    /// Gives every private VMA overlapping `[start, end)` whose memory a
    /// fork shares (read-only until now) memory of its own: the copy-on-
    /// write of read-only private mappings, done when they may change.
    fn unshare_locked(&self, mm: &mut MmInner, start: u64, end: u64) -> Result<(), Errno> {
        let shared: Vec<Vma> = mm
            .vmas
            .overlapping(start, end)
            .filter(|v| !v.shared && self.file.is_shared(v.offset, v.len()))
            .cloned()
            .collect();
        for v in shared {
            let off = self.file.allocate(v.len())?;
            self.file.copy_range(v.offset, off, v.len());
            let copy = Vma {
                offset: off,
                ..v.clone()
            };
            if let Err(e) = self.install(&copy, copy.start, copy.end) {
                self.file.release(off, v.len());
                return Err(e);
            }
            self.file.release(v.offset, v.len());
            if let Some(m) = mm.vmas.get_mut(v.start) {
                m.offset = off;
            }
        }
        Ok(())
    }

    /// A copy for a forked child, not attached to any address space:
    /// private mappings are copied (their touched pages), shared ones
    /// shared, `MADV_DONTFORK` ones left out and `MADV_WIPEONFORK` ones
    /// fresh.
    pub fn fork(&self) -> Result<Arc<MemoryManager>, Errno> {
        let mm = self.inner.lock();
        let mut vmas = VmaSet::default();
        let mut allocated: Vec<(u64, u64)> = Vec::new();
        for v in mm.vmas.iter() {
            if v.dont_fork {
                continue;
            }
            let mut nv = v.clone();
            // Memory locks are not inherited.
            nv.locked = false;
            if v.shared || (!v.access.write && !v.wipe_on_fork) {
                // Shared memory is shared; read-only private memory (the
                // program's text and constants) too, until either side
                // makes it writable (see `unshare_locked`).
                self.file.share(v.offset, v.len());
            } else {
                let off = match self.file.allocate(v.len()) {
                    Ok(o) => o,
                    Err(e) => {
                        for (o, l) in allocated {
                            self.file.release(o, l);
                        }
                        return Err(e);
                    }
                };
                allocated.push((off, v.len()));
                if !v.wipe_on_fork {
                    self.file.copy_range(v.offset, off, v.len());
                }
                nv.offset = off;
                nv.wipe_on_fork = v.wipe_on_fork;
            }
            vmas.insert(nv);
        }
        let child = Arc::new(MemoryManager {
            space: SpaceRef::default(),
            file: self.file.clone(),
            max_addr: self.max_addr,
            inner: Mutex::new(MmInner {
                vmas,
                lock_future: false,
                brk_start: mm.brk_start,
                brk: mm.brk,
                mmap_base: mm.mmap_base,
                layout: mm.layout,
            }),
            broken: AtomicBool::new(false),
            revealed: AtomicU64::new(u64::MAX),
            runners: Mutex::new(Vec::new()),
            shrunk: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
        });
        for v in child.inner.lock().vmas.iter() {
            if let Some(pages) = v.file.as_ref().and_then(|f| f.pages.as_ref()) {
                pages.add_user(&child);
            }
        }
        Ok(child)
    }

    /// Gives a forked MM its address space and maps every VMA into it.
    pub fn attach(&self, space: Arc<dyn AddressSpace>) -> Result<(), Errno> {
        let mm = self.inner.lock();
        *self.space.0.write() = Some(space);
        for v in mm.vmas.iter() {
            self.install(v, v.start, v.end)?;
        }
        Ok(())
    }

    /// The end of the range the application may map.
    pub fn max_addr(&self) -> u64 {
        self.max_addr
    }

    /// Whether the platform failed under this address space: the sandbox
    /// cannot go on.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    fn platform(&self, r: Result<(), PlatformError>) -> Result<(), Errno> {
        r.map_err(|e| {
            eprintln!("runsc: platform failure in memory manager: {e}");
            self.broken.store(true, Ordering::Relaxed);
            Errno::EFAULT
        })
    }

    /// Maps `[from, to)` of `v` into the stub: its memory up to the first
    /// page past the end of its file, SIGBUS from there.
    fn install(&self, v: &Vma, from: u64, to: u64) -> Result<(), Errno> {
        debug_assert!(v.start <= from && from <= to && to <= v.end);
        let cut = v.bus_from().clamp(from, to);
        if cut > from {
            self.platform(
                self.space
                    .map(from, cut - from, v.access, v.offset_of(from)),
            )?;
        }
        if to > cut {
            self.platform(
                self.space
                    .map(cut, to - cut, v.access, self.file.past_end()),
            )?;
        }
        Ok(())
    }

    /// Sets where top-down placement starts.
    pub fn set_mmap_base(&self, base: u64) {
        self.inner.lock().mmap_base = page_round_down(base);
    }

    /// Sets the start of the heap (after loading the executable).
    pub fn set_brk_start(&self, start: u64) {
        let mut mm = self.inner.lock();
        mm.brk_start = start;
        mm.brk = start;
    }

    /// A snapshot of the VMAs.
    pub fn vmas(&self) -> Vec<Vma> {
        self.inner.lock().vmas.iter().cloned().collect()
    }

    /// Notes that this address space is about to map `pages`' file, so
    /// that the file's truncations reach it: before [`Self::set_file`].
    pub fn watch(self: &Arc<Self>, pages: &FileMapping) {
        pages.add_user(self);
    }

    /// Records that `[addr, addr+len)`, just mapped, maps `file` from
    /// file offset `pgoff`; its pages past the end of the file fault
    /// with SIGBUS from now on.
    pub fn set_file(
        &self,
        addr: u64,
        len: u64,
        file: &MappedFile,
        pgoff: u64,
    ) -> Result<(), Errno> {
        let mut mm = self.inner.lock();
        mm.vmas.update_range(addr, addr + len, |v| {
            v.file = Some(file.clone());
            v.pgoff = pgoff + (v.start - addr);
        });
        if file.pages.is_some() {
            for v in mm.vmas.overlapping(addr, addr + len) {
                if v.bus_from() < v.end {
                    self.install(v, v.bus_from(), v.end)?;
                }
            }
        }
        Ok(())
    }

    /// Notes a task that runs in this address space (at its first run
    /// in it).
    pub fn add_runner(&self, task: std::sync::Weak<dyn Kick>) {
        let mut runners = self.runners.lock();
        runners.retain(|r| r.strong_count() > 0);
        runners.push(task);
    }

    /// `pages`' file shrank: the pages of its mappings here past the new
    /// end fault with SIGBUS once a task running here has caught up.
    pub(crate) fn file_shrank(&self, pages: &Arc<FileMapping>) {
        self.shrunk.lock().push(pages.clone());
        self.pending.store(true, Ordering::SeqCst);
        let runners: Vec<_> = self
            .runners
            .lock()
            .iter()
            .filter_map(|r| r.upgrade())
            .collect();
        for r in runners {
            r.kick();
        }
    }

    /// Takes the pages of files that shrank past their new ends from the
    /// stub, and private copies of them away; called by a task running
    /// here before it runs application code.
    pub fn catch_up(&self) {
        if !self.pending.swap(false, Ordering::SeqCst) {
            return;
        }
        let mut shrunk = std::mem::take(&mut *self.shrunk.lock());
        shrunk.dedup_by(|a, b| Arc::ptr_eq(a, b));
        for pages in shrunk {
            self.take_past_end(&pages);
        }
    }

    fn take_past_end(&self, pages: &Arc<FileMapping>) {
        let mut mm = self.inner.lock();
        self.revealed.store(u64::MAX, Ordering::Relaxed);
        let hit: Vec<Vma> = mm
            .vmas
            .iter()
            .filter(|v| {
                v.file
                    .as_ref()
                    .and_then(|f| f.pages.as_ref())
                    .is_some_and(|p| Arc::ptr_eq(p, pages))
                    && v.bus_from() < v.end
            })
            .cloned()
            .collect();
        for v in hit {
            let from = v.bus_from();
            if !v.shared {
                if self.unshare_locked(&mut mm, from, v.end).is_err() {
                    continue;
                }
                let Some(now) = mm.vmas.find(v.start) else {
                    continue;
                };
                self.file.decommit(now.offset_of(from), v.end - from);
            }
            let now = mm.vmas.find(v.start).cloned().unwrap_or(v);
            // A platform failure marks the address space broken.
            let _ = self.install(&now, from, now.end);
        }
    }

    /// Whether a shared mapping of `pages`' file here may write it.
    fn maps_writably(&self, pages: &Arc<FileMapping>) -> bool {
        self.inner.lock().vmas.iter().any(|v| {
            v.shared
                && v.file.as_ref().is_some_and(|f| {
                    f.max.write && f.pages.as_ref().is_some_and(|p| Arc::ptr_eq(p, pages))
                })
        })
    }

    /// Where exec put the program, its stack and its strings.
    pub fn layout(&self) -> Layout {
        self.inner.lock().layout
    }

    pub fn set_layout(&self, layout: Layout) {
        self.inner.lock().layout = layout;
    }

    /// Creates an anonymous mapping; returns its address.
    pub fn map_anonymous(&self, req: MapRequest) -> Result<u64, Errno> {
        let mut mm = self.inner.lock();
        self.map_locked(&mut mm, req)
    }

    fn map_locked(&self, mm: &mut MmInner, req: MapRequest) -> Result<u64, Errno> {
        debug_assert!(req.len > 0 && is_page_aligned(req.len));
        let len = req.len;
        let addr = self.place_locked(mm, &req)?;
        if !mm.vmas.is_free(addr, addr + len) {
            self.unmap_locked(mm, addr, len)?;
        }
        let offset = self.file.allocate(len)?;
        let vma = Vma {
            start: addr,
            end: addr + len,
            access: req.access,
            shared: req.shared,
            growsdown: req.growsdown,
            kind: req.kind,
            offset,
            dont_fork: false,
            wipe_on_fork: false,
            locked: mm.lock_future,
            file: None,
            pgoff: 0,
        };
        if let Err(e) = self.platform(self.space.map(addr, len, req.access, offset)) {
            self.file.release(offset, len);
            return Err(e);
        }
        // A locked mapping starts populated.
        if vma.locked && vma.access != Access::NONE {
            self.file.populate(offset, len);
        }
        mm.vmas.insert(vma);
        Ok(addr)
    }

    /// Where `req` goes: its fixed address (checked) or a free range.
    fn place_locked(&self, mm: &MmInner, req: &MapRequest) -> Result<u64, Errno> {
        let len = req.len;
        match req.placement {
            Placement::Fixed(a) | Placement::FixedNoReplace(a) => {
                if a.checked_add(len).is_none_or(|end| end > self.max_addr) || a < MIN_ADDR {
                    return Err(if a < MIN_ADDR {
                        Errno::EPERM
                    } else {
                        Errno::ENOMEM
                    });
                }
                if matches!(req.placement, Placement::FixedNoReplace(_))
                    && !mm.vmas.is_free(a, a + len)
                {
                    return Err(Errno::EEXIST);
                }
                Ok(a)
            }
            Placement::Hint(h) => self.find_free(mm, h, len),
        }
    }

    fn find_free(&self, mm: &MmInner, hint: u64, len: u64) -> Result<u64, Errno> {
        if hint != 0 {
            if let Some(h) = page_round_up(hint) {
                if h >= MIN_ADDR
                    && h.checked_add(len).is_some_and(|e| e <= self.max_addr)
                    && mm.vmas.is_free(h, h + len)
                {
                    return Ok(h);
                }
            }
        }
        mm.vmas
            .find_gap_top_down(len, MIN_ADDR, mm.mmap_base)
            .or_else(|| mm.vmas.find_gap_top_down(len, MIN_ADDR, self.max_addr))
            .ok_or(Errno::ENOMEM)
    }

    /// Removes the mappings of `[addr, addr+len)` (page-aligned).
    pub fn unmap(&self, addr: u64, len: u64) -> Result<(), Errno> {
        let mut mm = self.inner.lock();
        self.unmap_locked(&mut mm, addr, len)
    }

    fn unmap_locked(&self, mm: &mut MmInner, addr: u64, len: u64) -> Result<(), Errno> {
        let end = addr + len;
        if mm.vmas.is_free(addr, end) {
            return Ok(());
        }
        let removed = mm.vmas.remove_range(addr, end);
        let r = self.platform(self.space.unmap(addr, len));
        for v in removed {
            self.file.release(v.offset, v.len());
        }
        r
    }

    /// Changes the protection of `[addr, addr+len)`, which must be mapped.
    pub fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), Errno> {
        let mut mm = self.inner.lock();
        let end = addr + len;
        if !mm.vmas.is_covered(addr, end) {
            return Err(Errno::ENOMEM);
        }
        let beyond = |want: bool, may: bool| want && !may;
        if mm.vmas.overlapping(addr, end).any(|v| {
            let max = v.max_access();
            beyond(access.write, max.write) || beyond(access.execute, max.execute)
        }) {
            return Err(Errno::EACCES);
        }
        if access.write {
            self.unshare_locked(&mut mm, addr, end)?;
        }
        mm.vmas.update_range(addr, end, |v| v.access = access);
        self.platform(self.space.protect(addr, len, access))
    }

    /// The start of the `growsdown` VMA that `addr` belongs to for
    /// `PROT_GROWSDOWN`, or EINVAL if it is not one.
    pub fn growsdown_start(&self, addr: u64) -> Result<u64, Errno> {
        let mm = self.inner.lock();
        let v = mm.vmas.find(addr).ok_or(Errno::ENOMEM)?;
        if !v.growsdown {
            return Err(Errno::EINVAL);
        }
        let mut start = v.start;
        while let Some(p) = mm.vmas.prev_before(start) {
            if p.continues_into(mm.vmas.find(start).expect("a VMA starts here")) {
                start = p.start;
            } else {
                break;
            }
        }
        Ok(start)
    }

    /// `mremap` on page-aligned arguments (the syscall validated flags).
    pub fn remap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        may_move: bool,
        target: Target,
        dont_unmap: bool,
    ) -> Result<u64, Errno> {
        let mut mm = self.inner.lock();
        let old_end = old.checked_add(old_len).ok_or(Errno::EINVAL)?;
        // The old range must lie in one mapping as Linux merges them.
        let first = mm.vmas.find(old).ok_or(Errno::EFAULT)?.clone();
        let mut at = first.end;
        let mut last = first.clone();
        while at < old_end {
            let next = mm.vmas.find(at).ok_or(Errno::EFAULT)?.clone();
            if !last.continues_into(&next) {
                return Err(Errno::EFAULT);
            }
            at = next.end;
            last = next;
        }
        if dont_unmap && (first.shared || first.kind != VmaKind::Anonymous) {
            return Err(Errno::EINVAL);
        }
        if let Target::Fixed(new) = target {
            let new_end = new.checked_add(new_len).ok_or(Errno::EINVAL)?;
            if new_end > self.max_addr || new < MIN_ADDR {
                return Err(Errno::EINVAL);
            }
            if new < old_end && old < new_end {
                return Err(Errno::EINVAL);
            }
            self.unmap_locked(&mut mm, new, new_len)?;
            let keep = old_len.min(new_len);
            if old_len > new_len {
                self.unmap_locked(&mut mm, old + new_len, old_len - new_len)?;
            }
            return self.move_locked(&mut mm, old, keep, new, new_len, dont_unmap);
        }
        if new_len <= old_len && !dont_unmap {
            if new_len < old_len {
                self.unmap_locked(&mut mm, old + new_len, old_len - new_len)?;
            }
            return Ok(old);
        }
        // Grow in place when the space after the mapping is free.
        let grow_end = old.checked_add(new_len).ok_or(Errno::ENOMEM)?;
        if old_end == last.end
            && grow_end <= self.max_addr
            && mm.vmas.is_free(old_end, grow_end)
            && !dont_unmap
        {
            self.extend_locked(&mut mm, last.start, new_len - old_len)?;
            return Ok(old);
        }
        if !may_move {
            return Err(Errno::ENOMEM);
        }
        let hint = match target {
            Target::Hint(h) => h,
            Target::Fixed(_) => 0,
        };
        let new = self.find_free(&mm, hint, new_len)?;
        self.move_locked(&mut mm, old, old_len, new, new_len, dont_unmap)
    }

    /// Grows the VMA starting at `start` upwards by `extra` bytes.
    fn extend_locked(&self, mm: &mut MmInner, start: u64, extra: u64) -> Result<(), Errno> {
        let v = mm.vmas.find(start).expect("caller found it").clone();
        if self.file.try_extend(v.offset + v.len(), extra) {
            let grown = Vma {
                end: v.end + extra,
                ..v.clone()
            };
            self.install(&grown, v.end, grown.end)?;
            mm.vmas.get_mut(start).expect("caller found it").end += extra;
            return Ok(());
        }
        let offset = self.file.allocate(extra)?;
        let next = Vma {
            start: v.end,
            end: v.end + extra,
            offset,
            // A file mapping goes on with the file's next bytes.
            pgoff: v.pgoff + v.len(),
            ..v
        };
        if let Err(e) = self.install(&next, next.start, next.end) {
            self.file.release(offset, extra);
            return Err(e);
        }
        mm.vmas.insert(next);
        Ok(())
    }

    /// Moves `[old, old+len)` to `new` keeping its pages, then grows it to
    /// `new_len` with fresh pages.
    fn move_locked(
        &self,
        mm: &mut MmInner,
        old: u64,
        len: u64,
        new: u64,
        new_len: u64,
        dont_unmap: bool,
    ) -> Result<u64, Errno> {
        let pieces = mm.vmas.remove_range(old, old + len);
        let shift = |a: u64| a - old + new;
        for p in &pieces {
            let moved = Vma {
                start: shift(p.start),
                end: shift(p.end),
                ..p.clone()
            };
            self.install(&moved, moved.start, moved.end)?;
            mm.vmas.insert(moved);
        }
        self.platform(self.space.unmap(old, len))?;
        if dont_unmap {
            // The old range stays mapped, with fresh zero pages.
            for p in &pieces {
                let offset = self.file.allocate(p.len())?;
                self.platform(self.space.map(p.start, p.len(), p.access, offset))?;
                mm.vmas.insert(Vma {
                    offset,
                    ..p.clone()
                });
            }
        }
        if new_len > len {
            let last_start = mm.vmas.find(new + len - 1).expect("just moved").start;
            self.extend_locked(mm, last_start, new_len - len)?;
        }
        Ok(new)
    }

    /// `MADV_DONTNEED`: private anonymous pages read as zero afterwards;
    /// shared pages keep their contents.
    pub fn dont_need(&self, addr: u64, len: u64) -> Result<(), Errno> {
        let mut mm = self.inner.lock();
        let end = addr + len;
        self.unshare_locked(&mut mm, addr, end)?;
        let covered = mm.vmas.is_covered(addr, end);
        for v in mm.vmas.overlapping(addr, end) {
            if !v.shared {
                let s = v.start.max(addr);
                let e = v.end.min(end);
                self.file.decommit(v.offset_of(s), e - s);
            }
        }
        if covered {
            Ok(())
        } else {
            Err(Errno::ENOMEM)
        }
    }

    /// `MADV_REMOVE`: shared pages are freed (they read as zero).
    pub fn remove_pages(&self, addr: u64, len: u64) -> Result<(), Errno> {
        let mm = self.inner.lock();
        let end = addr + len;
        if !mm.vmas.is_covered(addr, end) {
            return Err(Errno::ENOMEM);
        }
        if mm
            .vmas
            .overlapping(addr, end)
            .any(|v| !v.shared || !v.access.write)
        {
            return Err(Errno::EINVAL);
        }
        for v in mm.vmas.overlapping(addr, end) {
            let s = v.start.max(addr);
            let e = v.end.min(end);
            self.file.decommit(v.offset_of(s), e - s);
        }
        Ok(())
    }

    /// Changes a flag of the VMAs over `[addr, addr+len)` (madvise's fork
    /// flags, mlock's lock); ENOMEM if not all mapped.
    pub fn set_vma_flags(
        &self,
        addr: u64,
        len: u64,
        f: impl Fn(&mut Vma) -> Result<(), Errno>,
    ) -> Result<(), Errno> {
        let mut mm = self.inner.lock();
        let end = addr + len;
        let covered = mm.vmas.is_covered(addr, end);
        let mut err = Ok(());
        mm.vmas.update_range(addr, end, |v| {
            if let Err(e) = f(v) {
                err = Err(e);
            }
        });
        err?;
        if covered {
            Ok(())
        } else {
            Err(Errno::ENOMEM)
        }
    }

    /// mlockall's MCL_FUTURE: whether new mappings start locked.
    pub fn set_lock_future(&self, on: bool) {
        self.inner.lock().lock_future = on;
    }

    /// Gives the pages of `[addr, addr+len)` their memory, as mlock's
    /// populate does: it stops at an inaccessible mapping (ENOMEM, or
    /// skips it if `ignore_errors`, as mlockall does).
    pub fn populate(&self, addr: u64, len: u64, ignore_errors: bool) -> Result<(), Errno> {
        let mm = self.inner.lock();
        let end = addr.saturating_add(len);
        for v in mm.vmas.overlapping(addr, end) {
            if v.access == Access::NONE {
                if ignore_errors {
                    continue;
                }
                return Err(Errno::ENOMEM);
            }
            let s = v.start.max(addr);
            let e = v.end.min(end);
            self.file.populate(v.offset_of(s), e - s);
        }
        Ok(())
    }

    /// Checks that `[addr, addr+len)` is mapped (madvise, msync).
    pub fn check_mapped(&self, addr: u64, len: u64) -> Result<(), Errno> {
        if self.inner.lock().vmas.is_covered(addr, addr + len) {
            Ok(())
        } else {
            Err(Errno::ENOMEM)
        }
    }

    /// One byte per page of `[addr, addr+len)`: whether it is resident.
    pub fn residency(&self, addr: u64, len: u64) -> Result<Vec<u8>, Errno> {
        let mm = self.inner.lock();
        let end = addr + len;
        if !mm.vmas.is_covered(addr, end) {
            return Err(Errno::ENOMEM);
        }
        let mut out = Vec::with_capacity(usize::try_from(len / PAGE).unwrap_or(0));
        for v in mm.vmas.overlapping(addr, end) {
            let s = v.start.max(addr);
            let e = v.end.min(end);
            self.file.residency(v.offset_of(s), e - s, &mut out);
        }
        Ok(out)
    }

    /// `brk`: moves the program break, returning the new (or unchanged) one.
    pub fn brk(&self, want: u64, data_limit: u64) -> u64 {
        let mut mm = self.inner.lock();
        let cur = mm.brk;
        if want < mm.brk_start {
            return cur;
        }
        if want.saturating_sub(mm.brk_start) > data_limit {
            return cur;
        }
        let (Some(old_top), Some(new_top)) = (page_round_up(cur), page_round_up(want)) else {
            return cur;
        };
        if new_top > old_top {
            // The new heap must not run into the next mapping or its guard.
            let Some(guard_end) = new_top.checked_add(PAGE) else {
                return cur;
            };
            if guard_end > self.max_addr || !mm.vmas.is_free(old_top, new_top) {
                return cur;
            }
            if let Some(next) = mm.vmas.next_after(old_top) {
                if next.growsdown && next.start < new_top.saturating_add(STACK_GUARD_GAP) {
                    return cur;
                }
            }
            let req = MapRequest {
                placement: Placement::Fixed(old_top),
                len: new_top - old_top,
                access: Access::READ_WRITE,
                shared: false,
                growsdown: false,
                kind: VmaKind::Heap,
            };
            if self.map_locked(&mut mm, req).is_err() {
                return cur;
            }
        } else if new_top < old_top
            && self
                .unmap_locked(&mut mm, new_top, old_top - new_top)
                .is_err()
        {
            return cur;
        }
        mm.brk = want;
        want
    }

    /// Bytes of the address space's memory that are resident.
    pub fn resident_bytes(&self) -> u64 {
        let mm = self.inner.lock();
        let mut out = Vec::new();
        for v in mm.vmas.iter() {
            self.file.residency(v.offset, v.len(), &mut out);
        }
        out.iter().filter(|&&b| b & 1 != 0).count() as u64 * PAGE
    }

    /// Bytes of a VMA's memory that are resident (`/proc/pid/smaps`),
    /// counted a chunk at a time so a huge reservation costs no huge
    /// buffer.
    pub fn resident_in(&self, v: &Vma) -> u64 {
        const CHUNK: u64 = 1 << 26;
        let mut pages = 0u64;
        let mut out = Vec::new();
        let mut at = 0;
        while at < v.len() {
            let n = CHUNK.min(v.len() - at);
            out.clear();
            self.file.residency(v.offset + at, n, &mut out);
            pages += out.iter().filter(|&&b| b & 1 != 0).count() as u64;
            at += n;
        }
        pages * PAGE
    }

    /// Where the heap starts.
    pub fn brk_start(&self) -> u64 {
        self.inner.lock().brk_start
    }

    /// The program break.
    pub fn current_brk(&self) -> u64 {
        self.inner.lock().brk
    }

    /// Resolves a fault the host reported at `addr`: grows a stack VMA down
    /// to it when Linux would. Returns whether the application may retry.
    pub fn handle_fault(&self, addr: u64, stack_limit: u64) -> bool {
        let mut mm = self.inner.lock();
        if mm.vmas.find(addr).is_some() {
            return false;
        }
        let Some(stack) = mm.vmas.next_after(addr).cloned() else {
            return false;
        };
        if !stack.growsdown {
            return false;
        }
        let new_start = page_round_down(addr);
        // The whole run of stack VMAs above, for the rlimit check.
        let mut top = stack.end;
        while let Some(n) = mm.vmas.find(top) {
            if n.growsdown {
                top = n.end;
            } else {
                break;
            }
        }
        if top - new_start > stack_limit {
            return false;
        }
        if let Some(prev) = mm.vmas.prev_before(stack.start) {
            if prev.end.saturating_add(STACK_GUARD_GAP) > new_start {
                return false;
            }
        }
        let len = stack.start - new_start;
        let Ok(offset) = self.file.allocate(len) else {
            return false;
        };
        if self
            .platform(self.space.map(new_start, len, stack.access, offset))
            .is_err()
        {
            self.file.release(offset, len);
            return false;
        }
        mm.vmas.insert(Vma {
            start: new_start,
            end: stack.start,
            offset,
            ..stack
        });
        true
    }

    /// Resolves a SIGBUS the host reported at `addr`: if it is a page
    /// of a file mapping that the file has grown over since the page was
    /// mapped past its end, maps the page's memory. Returns whether the
    /// application may retry; otherwise SIGBUS is the answer.
    pub fn handle_bus_fault(&self, addr: u64) -> bool {
        let mm = self.inner.lock();
        let Some(v) = mm.vmas.find(addr) else {
            return false;
        };
        let page = page_round_down(addr);
        let of_file = v.file.as_ref().is_some_and(|f| f.pages.is_some());
        if !of_file || v.bus_from() <= page || self.revealed.swap(page, Ordering::Relaxed) == page {
            self.revealed.store(u64::MAX, Ordering::Relaxed);
            return false;
        }
        self.install(v, v.start, v.end).is_ok()
    }

    /// Walks `[addr, addr+len)` page run by page run, calling `f` with the
    /// memory-file offset, the position in the caller's buffer and the run
    /// length, as long as the VMAs allow `need`. Returns the bytes covered.
    fn walk(
        &self,
        addr: u64,
        len: usize,
        need: Need,
        mut f: impl FnMut(u64, usize, usize),
    ) -> usize {
        let mm = self.inner.lock();
        let mut done = 0usize;
        while done < len {
            let Some(at) = addr.checked_add(done as u64) else {
                break;
            };
            let Some(v) = mm.vmas.find(at) else {
                break;
            };
            let ok = match need {
                Need::Read => v.access.read || v.access.write || v.access.execute,
                Need::Write => v.access.write,
            };
            // Past the end of a mapped file the application faults.
            let end = v.bus_from();
            if !ok || at >= end {
                break;
            }
            let n = usize::try_from(end - at)
                .unwrap_or(usize::MAX)
                .min(len - done);
            f(v.offset_of(at), done, n);
            done += n;
        }
        done
    }

    /// Copies application memory at `addr` into `dst`; EFAULT unless all of
    /// it is readable.
    pub fn copy_in(&self, addr: u64, dst: &mut [u8]) -> Result<(), Errno> {
        if self.copy_in_partial(addr, dst) == dst.len() {
            Ok(())
        } else {
            Err(Errno::EFAULT)
        }
    }

    /// Copies as much of `dst.len()` bytes at `addr` as is readable; returns
    /// how many.
    pub fn copy_in_partial(&self, addr: u64, dst: &mut [u8]) -> usize {
        let len = dst.len();
        self.walk(addr, len, Need::Read, |off, at, n| {
            self.file.read(off, &mut dst[at..at + n])
        })
    }

    /// Copies `src` to application memory at `addr`; EFAULT unless all of it
    /// is writable (nothing is written then).
    pub fn copy_out(&self, addr: u64, src: &[u8]) -> Result<(), Errno> {
        if self.writable_prefix(addr, src.len()) < src.len() {
            return Err(Errno::EFAULT);
        }
        self.walk(addr, src.len(), Need::Write, |off, at, n| {
            self.file.write(off, &src[at..at + n])
        });
        Ok(())
    }

    /// How many bytes from `addr` (up to `len`) the application could have
    /// written there itself.
    pub fn writable_prefix(&self, addr: u64, len: usize) -> usize {
        self.walk(addr, len, Need::Write, |_, _, _| {})
    }

    /// How many bytes from `addr` (up to `len`) are readable.
    pub fn readable_prefix(&self, addr: u64, len: usize) -> usize {
        self.walk(addr, len, Need::Read, |_, _, _| {})
    }

    /// Copies a value in; EFAULT if any byte is unreadable.
    pub fn read_obj<T: zerocopy::FromBytes + zerocopy::IntoBytes>(
        &self,
        addr: u64,
    ) -> Result<T, Errno> {
        let mut v = T::new_zeroed();
        self.copy_in(addr, v.as_mut_bytes())?;
        Ok(v)
    }

    /// Copies a value out; EFAULT if any byte is unwritable.
    pub fn write_obj<T: zerocopy::IntoBytes + zerocopy::Immutable>(
        &self,
        addr: u64,
        v: &T,
    ) -> Result<(), Errno> {
        self.copy_out(addr, v.as_bytes())
    }

    /// The identity of the futex word at `addr`: shared mappings are keyed
    /// by their memory (so processes sharing it meet), everything else, or
    /// any `FUTEX_PRIVATE_FLAG` futex, by this MM and the address.
    pub fn futex_key(
        &self,
        addr: u64,
        private: bool,
    ) -> Result<crate::kernel::futex::FutexKey, Errno> {
        use crate::kernel::futex::FutexKey;
        if !addr.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        let mm = std::ptr::from_ref(self) as usize;
        // Linux keys a private futex without looking at the mapping.
        if private {
            return Ok(FutexKey::Private {
                mm,
                addr,
                shared_op: false,
            });
        }
        let inner = self.inner.lock();
        let v = inner.vmas.find(addr).ok_or(Errno::EFAULT)?;
        if v.shared {
            return Ok(FutexKey::Shared {
                offset: v.offset_of(addr),
            });
        }
        // A non-private futex on private memory: keyed like a private one
        // but never matching it (Linux's FUT_OFF_MMSHARED).
        Ok(FutexKey::Private {
            mm,
            addr,
            shared_op: true,
        })
    }

    /// Atomically replaces the aligned word at `addr` by `f(old)` while `f`
    /// gives `Some`; returns the old value. EFAULT unless writable.
    pub fn update_u32(
        &self,
        addr: u64,
        mut f: impl FnMut(u32) -> Option<u32>,
    ) -> Result<u32, Errno> {
        if !addr.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        let offset = {
            let mm = self.inner.lock();
            let v = mm.vmas.find(addr).ok_or(Errno::EFAULT)?;
            if !v.access.write {
                return Err(Errno::EFAULT);
            }
            v.offset_of(addr)
        };
        let mut cur = self.file.cmpxchg_u32(offset, 0, 0);
        loop {
            let Some(new) = f(cur) else {
                return Ok(cur);
            };
            let seen = self.file.cmpxchg_u32(offset, cur, new);
            if seen == cur {
                return Ok(cur);
            }
            cur = seen;
        }
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the
    /// NUL). EFAULT if unreadable before the NUL, ENAMETOOLONG if longer.
    pub fn read_cstring(&self, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let mut at = addr;
        let mut chunk = [0u8; 256];
        loop {
            // Stay within the page so that a string ending just before an
            // unmapped page reads fine.
            let to_page_end = usize::try_from(PAGE - (at & (PAGE - 1))).expect("below a page");
            let want = chunk.len().min(to_page_end);
            let got = self.copy_in_partial(at, &mut chunk[..want]);
            if got == 0 {
                return Err(Errno::EFAULT);
            }
            if let Some(nul) = chunk[..got].iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                if out.len() > max {
                    return Err(Errno::ENAMETOOLONG);
                }
                return Ok(out);
            }
            out.extend_from_slice(&chunk[..got]);
            if out.len() > max {
                return Err(Errno::ENAMETOOLONG);
            }
            at = at.checked_add(got as u64).ok_or(Errno::EFAULT)?;
        }
    }

    /// Writes `src` at `addr` ignoring protections (the loader filling a
    /// read-only segment). The range must be mapped.
    pub fn write_ignoring_protection(&self, addr: u64, src: &[u8]) -> Result<(), Errno> {
        let mut mm = self.inner.lock();
        let end = addr.saturating_add(src.len() as u64);
        self.unshare_locked(&mut mm, addr, end)?;
        let mut done = 0usize;
        while done < src.len() {
            let at = addr + done as u64;
            let v = mm.vmas.find(at).ok_or(Errno::EFAULT)?;
            let n = usize::try_from(v.end - at)
                .unwrap_or(usize::MAX)
                .min(src.len() - done);
            self.file.write(v.offset_of(at), &src[done..done + n]);
            done += n;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
pub(crate) mod tests {
    use super::*;

    pub use platform::null::NullAddressSpace as NullSpace;

    const RW: Access = Access::READ_WRITE;
    const TOP: u64 = 0x7fff_0000_0000;

    fn mm() -> MemoryManager {
        let m = MemoryManager::new(
            Arc::new(NullSpace),
            Arc::new(MemoryFile::new().unwrap()),
            TOP,
        );
        m.set_mmap_base(0x7000_0000_0000);
        m
    }

    fn anon(m: &MemoryManager, placement: Placement, len: u64) -> Result<u64, Errno> {
        m.map_anonymous(MapRequest {
            placement,
            len,
            access: RW,
            shared: false,
            growsdown: false,
            kind: VmaKind::Anonymous,
        })
    }

    fn read_u8(m: &MemoryManager, addr: u64) -> u8 {
        let mut b = [0u8; 1];
        m.copy_in(addr, &mut b).unwrap();
        b[0]
    }

    #[test]
    fn pages_past_the_end_of_a_mapped_file_follow_its_size() {
        let m = Arc::new(mm());
        let addr = anon(&m, Placement::Fixed(0x10_0000), 3 * PAGE).unwrap();
        let pages = FileMapping::new(100);
        m.watch(&pages);
        let file = MappedFile {
            place: Arc::new(()),
            pages: Some(pages.clone()),
            max: Access::READ_WRITE,
        };
        m.set_file(addr, 3 * PAGE, &file, 0).unwrap();
        assert_eq!(m.readable_prefix(addr, 3 * PAGE as usize), PAGE as usize);
        pages.set_size(2 * PAGE + 1);
        assert_eq!(
            m.readable_prefix(addr, 3 * PAGE as usize),
            3 * PAGE as usize
        );
        m.copy_out(addr + PAGE, &[7]).unwrap();
        pages.set_size(PAGE);
        m.catch_up();
        assert_eq!(m.readable_prefix(addr, 3 * PAGE as usize), PAGE as usize);
        pages.set_size(2 * PAGE);
        assert_eq!(
            read_u8(&m, addr + PAGE),
            0,
            "a private page past the end went"
        );
        assert_eq!(
            m.protect(addr, PAGE, Access::ALL),
            Err(Errno::EACCES),
            "beyond what the file allows"
        );
    }

    #[test]
    fn fork_copies_private_memory_and_shares_shared_and_read_only_memory() {
        let parent = mm();
        let private = anon(&parent, Placement::Fixed(0x10_0000), PAGE).unwrap();
        let shared = parent
            .map_anonymous(MapRequest {
                placement: Placement::Fixed(0x20_0000),
                len: PAGE,
                access: RW,
                shared: true,
                growsdown: false,
                kind: VmaKind::Anonymous,
            })
            .unwrap();
        let ro = anon(&parent, Placement::Fixed(0x30_0000), PAGE).unwrap();
        parent.copy_out(private, &[1]).unwrap();
        parent.copy_out(shared, &[2]).unwrap();
        parent.copy_out(ro, &[3]).unwrap();
        parent
            .protect(
                ro,
                PAGE,
                Access {
                    read: true,
                    write: false,
                    execute: false,
                },
            )
            .unwrap();

        let child = parent.fork().unwrap();
        child.attach(Arc::new(NullSpace)).unwrap();
        parent.copy_out(private, &[10]).unwrap();
        assert_eq!(read_u8(&child, private), 1, "private memory was copied");
        parent.copy_out(shared, &[20]).unwrap();
        assert_eq!(read_u8(&child, shared), 20, "shared memory is shared");
        assert_eq!(read_u8(&child, ro), 3);
        // Making the read-only page writable gives the writer its own copy.
        parent.protect(ro, PAGE, RW).unwrap();
        parent.copy_out(ro, &[30]).unwrap();
        assert_eq!(read_u8(&child, ro), 3, "the child keeps the old contents");
        assert_eq!(read_u8(&parent, ro), 30);
        child.dont_need(ro, PAGE).unwrap();
        assert_eq!(read_u8(&child, ro), 0);
        // Dropping one side leaves the other's memory alone.
        drop(child);
        assert_eq!(read_u8(&parent, shared), 20);
        assert_eq!(read_u8(&parent, ro), 30);
    }

    #[test]
    fn placement_is_top_down_below_the_base_and_honours_hints() {
        let m = mm();
        let a = anon(&m, Placement::Hint(0), 2 * PAGE).unwrap();
        assert_eq!(a, 0x7000_0000_0000 - 2 * PAGE);
        let b = anon(&m, Placement::Hint(0), PAGE).unwrap();
        assert_eq!(b, a - PAGE);
        let h = anon(&m, Placement::Hint(0x1234_5000), PAGE).unwrap();
        assert_eq!(h, 0x1234_5000);
        let taken = anon(&m, Placement::Hint(0x1234_5000), PAGE).unwrap();
        assert_ne!(taken, 0x1234_5000, "an occupied hint is not used");
        assert_eq!(
            anon(&m, Placement::FixedNoReplace(h), PAGE),
            Err(Errno::EEXIST)
        );
        assert_eq!(anon(&m, Placement::Fixed(0x1000), PAGE), Err(Errno::EPERM));
    }

    #[test]
    fn copies_respect_protection_and_report_partial_prefixes() {
        let m = mm();
        let a = anon(&m, Placement::Fixed(0x10_0000), 2 * PAGE).unwrap();
        m.copy_out(a, b"hello").unwrap();
        let mut buf = [0u8; 5];
        m.copy_in(a, &mut buf).unwrap();
        assert_eq!(&buf, b"hello");
        m.protect(
            a + PAGE,
            PAGE,
            Access {
                read: true,
                write: false,
                execute: false,
            },
        )
        .unwrap();
        assert_eq!(m.writable_prefix(a + PAGE - 3, 10), 3);
        assert_eq!(m.copy_out(a + PAGE - 3, &[1; 10]), Err(Errno::EFAULT));
        assert_eq!(
            m.readable_prefix(a + 2 * PAGE - 4, 10),
            4,
            "nothing is mapped above"
        );
        m.copy_out(a + 10, b"abc\0").unwrap();
        assert_eq!(m.read_cstring(a + 10, 100).unwrap(), b"abc");
        assert_eq!(m.read_cstring(a + 10, 2), Err(Errno::ENAMETOOLONG));
    }

    #[test]
    fn munmap_in_the_middle_splits_and_frees() {
        let m = mm();
        let a = anon(&m, Placement::Fixed(0x10_0000), 3 * PAGE).unwrap();
        m.unmap(a + PAGE, PAGE).unwrap();
        let v = m.vmas();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].start, v[0].end), (a, a + PAGE));
        assert_eq!((v[1].start, v[1].end), (a + 2 * PAGE, a + 3 * PAGE));
        assert_eq!(
            m.protect(a, 3 * PAGE, RW),
            Err(Errno::ENOMEM),
            "the hole is unmapped"
        );
    }

    #[test]
    fn mremap_moves_keeping_contents_and_grows_in_place() {
        let m = mm();
        let a = anon(&m, Placement::Fixed(0x10_0000), PAGE).unwrap();
        m.copy_out(a, b"data").unwrap();
        assert_eq!(
            m.remap(a, PAGE, 3 * PAGE, false, Target::Hint(0), false),
            Ok(a),
            "room above: in place"
        );
        anon(&m, Placement::Fixed(a + 3 * PAGE), PAGE).unwrap();
        assert_eq!(
            m.remap(a, 3 * PAGE, 5 * PAGE, false, Target::Hint(0), false),
            Err(Errno::ENOMEM)
        );
        let b = m
            .remap(a, 3 * PAGE, 5 * PAGE, true, Target::Hint(0), false)
            .unwrap();
        assert_ne!(a, b);
        let mut buf = [0u8; 4];
        m.copy_in(b, &mut buf).unwrap();
        assert_eq!(&buf, b"data");
        assert!(m.readable_prefix(a, 1) == 0, "the old range is gone");
        assert_eq!(
            m.remap(0x5000_0000, PAGE, PAGE, false, Target::Hint(0), false),
            Err(Errno::EFAULT)
        );
    }

    #[test]
    fn dontneed_zeroes_private_pages_only() {
        let m = mm();
        let p = anon(&m, Placement::Fixed(0x10_0000), PAGE).unwrap();
        let s = m
            .map_anonymous(MapRequest {
                placement: Placement::Fixed(0x20_0000),
                len: PAGE,
                access: RW,
                shared: true,
                growsdown: false,
                kind: VmaKind::Anonymous,
            })
            .unwrap();
        m.copy_out(p, b"x").unwrap();
        m.copy_out(s, b"y").unwrap();
        m.dont_need(p, PAGE).unwrap();
        m.dont_need(s, PAGE).unwrap();
        let mut b = [9u8; 1];
        m.copy_in(p, &mut b).unwrap();
        assert_eq!(b, [0]);
        m.copy_in(s, &mut b).unwrap();
        assert_eq!(b, *b"y");
    }

    #[test]
    fn brk_grows_shrinks_and_refuses_collisions() {
        let m = mm();
        m.set_brk_start(0x40_0000);
        assert_eq!(m.brk(0, u64::MAX), 0x40_0000);
        assert_eq!(m.brk(0x40_2100, u64::MAX), 0x40_2100);
        m.copy_out(0x40_2000, b"z").unwrap();
        assert_eq!(m.brk(0x40_1000, u64::MAX), 0x40_1000);
        assert_eq!(m.readable_prefix(0x40_1000, 1), 0);
        assert_eq!(m.brk(0x50_0000, 0x1000), 0x40_1000, "RLIMIT_DATA");
        anon(&m, Placement::Fixed(0x41_0000), PAGE).unwrap();
        assert_eq!(
            m.brk(0x42_0000, u64::MAX),
            0x40_1000,
            "would overlap a mapping"
        );
    }

    #[test]
    fn stack_grows_down_on_faults_within_the_limit() {
        let m = mm();
        let top = 0x7f00_0000_0000;
        m.map_anonymous(MapRequest {
            placement: Placement::Fixed(top - 4 * PAGE),
            len: 4 * PAGE,
            access: RW,
            shared: false,
            growsdown: true,
            kind: VmaKind::Stack,
        })
        .unwrap();
        assert!(m.handle_fault(top - 10 * PAGE + 8, 1 << 20));
        assert_eq!(
            m.writable_prefix(top - 10 * PAGE, 10 * PAGE as usize),
            10 * PAGE as usize
        );
        assert!(
            !m.handle_fault(top - (2 << 20), 1 << 20),
            "beyond RLIMIT_STACK"
        );
        assert!(!m.handle_fault(0x1000_0000, 1 << 40), "not below a stack");
    }
}
