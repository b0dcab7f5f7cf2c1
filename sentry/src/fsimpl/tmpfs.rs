//! tmpfs: a filesystem in sentry memory. Also the upper layer of the root
//! overlay, and the base of `/dev`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use crate::fsimpl::xattr::Xattrs;
use crate::fsimpl::FileImpl;
use crate::mm::{page_round_down, page_round_up, FileMapping, MemoryFile, PAGE};
use crate::vfs::{
    dirent_type, DirEntry, FsStat, Inode, InodeRef, MappedPages, Meta, NewKind, NewNode, SetAttr,
    RENAME_EXCHANGE, RENAME_NOREPLACE,
};

#[allow(clippy::cast_possible_truncation)] // 4096
const PAGE_USIZE: usize = PAGE as usize;

/// `TMPFS_MAGIC`.
pub const TMPFS_MAGIC: u64 = 0x0102_1994;

/// The first chunk's size; each next chunk doubles, so a file of `n`
/// bytes has about `log2(n / 64 KiB)` chunks (and a shared mapping of it
/// as many VMAs).
const FIRST_CHUNK: u64 = 64 << 10;

/// Where chunk `i` starts in the file, and its length.
fn chunk_span(i: u32) -> (u64, u64) {
    let len = FIRST_CHUNK << i;
    (len - FIRST_CHUNK, len)
}

/// The chunk holding file offset `off`.
fn chunk_of(off: u64) -> u32 {
    (off / FIRST_CHUNK + 1).ilog2()
}

/// A regular file's bytes: chunks of the memory file, allocated as the
/// file grows (pages never written stay holes and take no memory), so
/// `read`, `write` and shared mappings see the same pages.
#[derive(Debug)]
pub struct FileData {
    memory: Arc<MemoryFile>,
    /// Memory-file offset of each chunk, by chunk number.
    chunks: BTreeMap<u32, u64>,
    size: u64,
    /// `blocks()` as last counted, until the pages change. Never kept
    /// for a file mapped shared, whose pages change under it.
    counted: Option<u64>,
    mapped: bool,
    /// The file's size and mappers, once mapped.
    mapping: Option<Arc<FileMapping>>,
    /// Pages `fallocate` reserved, as `[start, end)` file offsets by
    /// start: they count in `st_blocks` before anything is written there
    /// (the host does not count them resident) and read as holes.
    reserved: BTreeMap<u64, u64>,
}

impl FileData {
    fn new(memory: Arc<MemoryFile>) -> FileData {
        FileData {
            memory,
            chunks: BTreeMap::new(),
            size: 0,
            counted: None,
            mapped: false,
            mapping: None,
            reserved: BTreeMap::new(),
        }
    }

    /// Sets the size, which the file's mappings learn.
    fn set_size(&mut self, size: u64) {
        self.size = size;
        if let Some(m) = &self.mapping {
            m.set_size(size);
        }
    }

    /// The chunks covering `[off, end)`, allocated if `make`: (file
    /// offset, memory offset, length) pieces clipped to the range.
    fn pieces(
        &mut self,
        off: u64,
        end: u64,
        make: bool,
    ) -> Result<Vec<(u64, Option<u64>, u64)>, Errno> {
        let mut out = Vec::new();
        let mut at = off;
        while at < end {
            let i = chunk_of(at);
            let (start, len) = chunk_span(i);
            let stop = (start + len).min(end);
            let mem = match self.chunks.get(&i) {
                Some(&m) => Some(m),
                None if make => {
                    let m = self.memory.allocate(len)?;
                    self.chunks.insert(i, m);
                    Some(m)
                }
                None => None,
            };
            out.push((at, mem.map(|m| m + (at - start)), stop - at));
            at = stop;
        }
        Ok(out)
    }

    fn read(&mut self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        if off >= self.size {
            return Ok(0);
        }
        let n = usize::try_from((self.size - off).min(buf.len() as u64)).unwrap_or(buf.len());
        let mut done = 0;
        for (_, mem, len) in self.pieces(off, off + n as u64, false)? {
            let l = usize::try_from(len).unwrap_or(0);
            match mem {
                Some(m) => self.memory.read_sparse(m, &mut buf[done..done + l]),
                None => buf[done..done + l].fill(0),
            }
            done += l;
        }
        Ok(n)
    }

    fn write(&mut self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        self.counted = None;
        let mut done = 0;
        for (_, mem, len) in self.pieces(off, end, true)? {
            let l = usize::try_from(len).unwrap_or(0);
            if let Some(m) = mem {
                self.memory.write(m, &buf[done..done + l]);
            }
            done += l;
        }
        if end > self.size {
            self.set_size(end);
        }
        Ok(buf.len())
    }

    /// Zeroes `[off, end)` and gives its whole pages back (truncation,
    /// hole punching).
    fn clear(&mut self, off: u64, end: u64) -> Result<(), Errno> {
        self.counted = None;
        self.unreserve(page_round_up(off).unwrap_or(u64::MAX), page_round_down(end));
        for (at, mem, len) in self.pieces(off, end, false)? {
            let Some(m) = mem else { continue };
            let end = at + len;
            let (pa, pb) = (page_round_up(at).unwrap_or(end), page_round_down(end));
            if pa >= pb {
                self.memory.zero(m, len);
            } else {
                self.memory.zero(m, pa - at);
                self.memory.decommit(m + (pa - at), pb - pa);
                self.memory.zero(m + (pb - at), end - pb);
            }
        }
        Ok(())
    }

    /// Sets the size; a size not above the old one also frees what lies
    /// past it, reserved pages included (Linux's `shmem_setattr`).
    fn truncate(&mut self, size: u64) -> Result<(), Errno> {
        if size <= self.size {
            let end = self.chunks.keys().next_back().map_or(0, |&i| {
                let (start, len) = chunk_span(i);
                start + len
            });
            self.clear(size, end.max(self.size))?;
        }
        self.set_size(size);
        Ok(())
    }

    /// Notes `[start, end)` (whole pages) as reserved.
    fn reserve(&mut self, mut start: u64, mut end: u64) {
        self.counted = None;
        // Merge with the ranges it touches.
        let touching: Vec<(u64, u64)> = self
            .reserved
            .range(..=end)
            .filter(|&(_, &e)| e >= start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in touching {
            self.reserved.remove(&s);
            start = start.min(s);
            end = end.max(e);
        }
        self.reserved.insert(start, end);
    }

    /// Forgets reservations in `[start, end)` (whole pages).
    fn unreserve(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let hit: Vec<(u64, u64)> = self
            .reserved
            .range(..end)
            .filter(|&(_, &e)| e > start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in hit {
            self.reserved.remove(&s);
            if s < start {
                self.reserved.insert(s, start);
            }
            if e > end {
                self.reserved.insert(end, e);
            }
        }
    }

    fn is_reserved(&self, off: u64) -> bool {
        self.reserved
            .range(..=off)
            .next_back()
            .is_some_and(|(_, &e)| off < e)
    }

    /// Pages holding data, as 512-byte blocks: counted from the memory
    /// file's residency once per change, not on every stat.
    fn blocks(&mut self) -> u64 {
        if let Some(b) = self.counted {
            return b;
        }
        let mut pages = 0u64;
        let mut v = Vec::new();
        for (&i, &m) in &self.chunks {
            let (start, len) = chunk_span(i);
            v.clear();
            self.memory.residency(m, len, &mut v);
            pages += v
                .iter()
                .zip((start..start + len).step_by(PAGE_USIZE))
                .filter(|&(&b, at)| b & 1 != 0 || self.is_reserved(at))
                .count() as u64;
        }
        let blocks = pages * (PAGE / 512);
        if !self.mapped {
            self.counted = Some(blocks);
        }
        blocks
    }

    /// SEEK_DATA / SEEK_HOLE from `off` (below the size).
    fn seek_data(&self, off: u64, hole: bool) -> u64 {
        let mut at = off;
        while at < self.size {
            let i = chunk_of(at);
            let (start, len) = chunk_span(i);
            let end = (start + len).min(self.size);
            match self.chunks.get(&i) {
                None if hole => return at,
                None => {}
                Some(&m) => {
                    let mem_at = m + (at - start);
                    let found = if hole {
                        self.memory.hole_from(mem_at)
                    } else {
                        self.memory.data_from(mem_at)
                    };
                    if let Some(f) = found {
                        if f < m + (end - start) {
                            return start + (f - m);
                        }
                    }
                }
            }
            at = end;
        }
        if hole {
            self.size
        } else {
            u64::MAX
        }
    }
}

impl Drop for FileData {
    fn drop(&mut self) {
        for (&i, &m) in &self.chunks {
            self.memory.release(m, chunk_span(i).1);
        }
    }
}

/// What one tmpfs instance shares among its nodes.
#[derive(Debug)]
pub struct Tmpfs {
    dev: u64,
    next_ino: AtomicU64,
    /// The capacity statfs reports, in bytes.
    size: u64,
    /// Opens a device node: what `/dev/null` and friends are.
    devices: Option<DeviceOpener>,
    /// Where file data lives.
    memory: Arc<MemoryFile>,
}

/// How a tmpfs opens its character devices: by device number.
pub type DeviceOpener = fn(u64, i32) -> Option<Result<Box<dyn FileImpl>, Errno>>;

impl Tmpfs {
    /// A new, empty instance whose root has `mode` and owner.
    pub fn new_root(
        memory: &Arc<MemoryFile>,
        size: u64,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Arc<TmpNode> {
        Tmpfs::with_devices(memory, size, (mode, uid, gid), None)
    }

    /// A new instance whose device nodes open through `devices`; its
    /// root has `(mode, uid, gid)`.
    pub fn with_devices(
        memory: &Arc<MemoryFile>,
        size: u64,
        (mode, uid, gid): (u32, u32, u32),
        devices: Option<DeviceOpener>,
    ) -> Arc<TmpNode> {
        let fs = Arc::new(Tmpfs {
            dev: crate::vfs::anon_dev(),
            next_ino: AtomicU64::new(1),
            size,
            devices,
            memory: memory.clone(),
        });
        let ino = fs.ino();
        TmpNode::new(
            &fs,
            Meta::new(ino, fs.dev, abi::stat::S_IFDIR | (mode & 0o7777), uid, gid),
            Body::Dir(Mutex::new(BTreeMap::new())),
        )
    }

    fn ino(&self) -> u64 {
        self.next_ino.fetch_add(1, Ordering::Relaxed)
    }
}

/// A directory's entries.
type Entries = Mutex<BTreeMap<Vec<u8>, Arc<TmpNode>>>;

#[derive(Debug)]
enum Body {
    Dir(Entries),
    File(Mutex<FileData>),
    Symlink(Vec<u8>),
    /// FIFOs, sockets and devices: the node only.
    Special,
}

/// One tmpfs node.
#[derive(Debug)]
pub struct TmpNode {
    fs: Arc<Tmpfs>,
    this: Weak<TmpNode>,
    meta: Mutex<Meta>,
    body: Body,
    /// `F_SEAL_*` of a regular file (a file not made by memfd_create is
    /// sealed against sealing).
    seals: std::sync::atomic::AtomicU32,
    xattrs: Xattrs,
}

/// `F_SEAL_*`.
pub const F_SEAL_SEAL: u32 = 1;
pub const F_SEAL_SHRINK: u32 = 2;
pub const F_SEAL_GROW: u32 = 4;
pub const F_SEAL_WRITE: u32 = 8;
pub const F_SEAL_FUTURE_WRITE: u32 = 16;
pub const F_SEAL_EXEC: u32 = 32;

impl TmpNode {
    fn new(fs: &Arc<Tmpfs>, meta: Meta, body: Body) -> Arc<TmpNode> {
        Arc::new_cyclic(|this| TmpNode {
            fs: fs.clone(),
            this: this.clone(),
            meta: Mutex::new(meta),
            body,
            seals: std::sync::atomic::AtomicU32::new(F_SEAL_SEAL),
            xattrs: Xattrs::default(),
        })
    }

    fn me(&self) -> Arc<TmpNode> {
        self.this.upgrade().expect("a node in use is alive")
    }

    fn dir(&self) -> Result<&Entries, Errno> {
        match &self.body {
            Body::Dir(d) => Ok(d),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn of(inode: &InodeRef) -> Option<&TmpNode> {
        inode.as_any().downcast_ref::<TmpNode>()
    }

    fn is_dir(&self) -> bool {
        matches!(self.body, Body::Dir(_))
    }

    fn is_empty_dir(&self) -> bool {
        matches!(&self.body, Body::Dir(d) if d.lock().is_empty())
    }

    fn size(&self) -> u64 {
        match &self.body {
            Body::File(d) => d.lock().size,
            Body::Symlink(t) => t.len() as u64,
            Body::Dir(_) => 4096,
            Body::Special => 0,
        }
    }

    fn touch_dir(&self) {
        self.meta.lock().touch_modified();
    }

    fn add_link(&self, delta: i64) {
        let mut m = self.meta.lock();
        m.nlink = m.nlink.saturating_add_signed(delta);
        m.ctime = crate::vfs::now();
    }

    /// Adds an entry for a new child (the name is free).
    pub fn insert(&self, name: &[u8], child: Arc<TmpNode>) -> Result<(), Errno> {
        let mut d = self.dir()?.lock();
        if d.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if child.is_dir() {
            self.add_link(1);
        }
        d.insert(name.to_vec(), child);
        drop(d);
        self.touch_dir();
        Ok(())
    }

    /// A regular file in no directory (memfd_create), with `seals`.
    pub fn make_detached(&self, mode: u32, uid: u32, gid: u32, seals: u32) -> Arc<TmpNode> {
        let node = self.node(&NewNode {
            kind: NewKind::Regular,
            mode,
            uid,
            gid,
        });
        node.meta.lock().nlink = 0;
        node.seals
            .store(seals, std::sync::atomic::Ordering::Relaxed);
        node
    }

    fn sealed(&self, any: u32) -> bool {
        self.seals.load(std::sync::atomic::Ordering::Relaxed) & any != 0
    }

    /// A new node of this filesystem, in no directory yet.
    fn node(&self, node: &NewNode) -> Arc<TmpNode> {
        let mut meta = Meta::new(
            self.fs.ino(),
            self.fs.dev,
            node.kind.type_bits() | (node.mode & 0o7777),
            node.uid,
            node.gid,
        );
        let body = match &node.kind {
            NewKind::Directory => Body::Dir(Mutex::new(BTreeMap::new())),
            NewKind::Regular => Body::File(Mutex::new(FileData::new(self.fs.memory.clone()))),
            NewKind::Symlink(t) => Body::Symlink(t.clone()),
            NewKind::CharDevice(rdev) | NewKind::BlockDevice(rdev) => {
                meta.rdev = *rdev;
                Body::Special
            }
            NewKind::Fifo | NewKind::Socket => Body::Special,
        };
        TmpNode::new(&self.fs, meta, body)
    }

    /// Creates a child node (used by filesystems built on tmpfs, like
    /// `/dev`, to populate themselves).
    pub fn make(&self, name: &[u8], node: &NewNode) -> Result<Arc<TmpNode>, Errno> {
        let child = self.node(node);
        self.insert(name, child.clone())?;
        Ok(child)
    }
}

impl Inode for TmpNode {
    fn stat(&self) -> Result<Stat, Errno> {
        let size = self.size();
        let mut st = self.meta.lock().stat(size);
        if let Body::File(d) = &self.body {
            st.st_blocks = i64::try_from(d.lock().blocks()).unwrap_or(i64::MAX);
        }
        Ok(st)
    }

    fn mode(&self) -> u32 {
        self.meta.lock().mode
    }

    fn lookup(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        let d = self.dir()?.lock();
        d.get(name)
            .map(|n| n.clone() as InodeRef)
            .ok_or(Errno::ENOENT)
    }

    fn create(&self, name: &[u8], node: &NewNode) -> Result<InodeRef, Errno> {
        self.dir()?;
        Ok(self.make(name, node)?)
    }

    fn tmpfile(&self, node: &NewNode) -> Result<InodeRef, Errno> {
        self.dir()?;
        let n = self.node(node);
        n.meta.lock().nlink = 0;
        Ok(n)
    }

    fn link(&self, name: &[u8], target: &InodeRef) -> Result<(), Errno> {
        let t = TmpNode::of(target).ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if t.is_dir() {
            return Err(Errno::EPERM);
        }
        self.insert(name, t.me())?;
        t.add_link(1);
        Ok(())
    }

    fn unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        let mut d = self.dir()?.lock();
        let victim = d.get(name).ok_or(Errno::ENOENT)?;
        match (dir, victim.is_dir()) {
            (true, false) => return Err(Errno::ENOTDIR),
            (false, true) => return Err(Errno::EISDIR),
            (true, true) if !victim.is_empty_dir() => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        let victim = d.remove(name).expect("just found");
        drop(d);
        if dir {
            victim.add_link(-2);
            self.add_link(-1);
        } else {
            victim.add_link(-1);
        }
        self.touch_dir();
        Ok(())
    }

    fn rename(&self, old: &[u8], new_dir: &InodeRef, new: &[u8], flags: u32) -> Result<(), Errno> {
        // The VFS holds both directories' locks: the maps change one at a
        // time without anyone looking in between.
        let to = TmpNode::of(new_dir).ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&to.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let same = std::ptr::eq(self, to);
        let moving = self.dir()?.lock().get(old).cloned().ok_or(Errno::ENOENT)?;
        let existing = to.dir()?.lock().get(new).cloned();
        if flags & RENAME_EXCHANGE != 0 {
            let other = existing.ok_or(Errno::ENOENT)?;
            to.dir()?.lock().insert(new.to_vec(), moving.clone());
            self.dir()?.lock().insert(old.to_vec(), other.clone());
            if !same && moving.is_dir() != other.is_dir() {
                let (d_in, d_out) = if moving.is_dir() {
                    (to, self)
                } else {
                    (self, to)
                };
                d_in.add_link(1);
                d_out.add_link(-1);
            }
            self.touch_dir();
            to.touch_dir();
            return Ok(());
        }
        if let Some(e) = &existing {
            if Arc::ptr_eq(e, &moving) {
                return Ok(());
            }
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            if e.is_dir() && !e.is_empty_dir() {
                return Err(Errno::ENOTEMPTY);
            }
        }
        self.dir()?.lock().remove(old);
        to.dir()?.lock().insert(new.to_vec(), moving.clone());
        if let Some(e) = existing {
            if e.is_dir() {
                e.add_link(-2);
                to.add_link(-1);
            } else {
                e.add_link(-1);
            }
        }
        if moving.is_dir() && !same {
            self.add_link(-1);
            to.add_link(1);
        }
        moving.meta.lock().ctime = crate::vfs::now();
        self.touch_dir();
        to.touch_dir();
        Ok(())
    }

    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        let d = self.dir()?.lock();
        Ok(d.iter()
            .map(|(name, n)| {
                let m = n.meta.lock();
                DirEntry {
                    ino: m.ino,
                    kind: dirent_type(m.mode),
                    name: name.clone(),
                }
            })
            .collect())
    }

    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        match &self.body {
            Body::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn open(&self, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        let m = *self.meta.lock();
        if crate::vfs::file_type(m.mode) == abi::stat::S_IFCHR {
            return match self.fs.devices {
                Some(open) => open(m.rdev, flags).or(Some(Err(Errno::ENXIO))),
                None => Some(Err(Errno::ENXIO)),
            };
        }
        None
    }

    fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let Body::File(data) = &self.body else {
            return Err(if self.is_dir() {
                Errno::EISDIR
            } else {
                Errno::EINVAL
            });
        };
        let n = data.lock().read(buf, off)?;
        self.meta.lock().atime = crate::vfs::now();
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::EINVAL);
        };
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        if end > self.fs.size {
            return Err(Errno::ENOSPC);
        }
        if self.sealed(F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
            || (self.sealed(F_SEAL_GROW) && end > data.lock().size)
        {
            return Err(Errno::EPERM);
        }
        let n = data.lock().write(buf, off)?;
        self.meta.lock().touch_modified();
        Ok(n)
    }

    fn seek_data(&self, off: u64, hole: bool) -> Result<u64, Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::EINVAL);
        };
        let d = data.lock();
        if off >= d.size {
            return Err(Errno::ENXIO);
        }
        match d.seek_data(off, hole) {
            u64::MAX => Err(Errno::ENXIO),
            at => Ok(at),
        }
    }

    fn map_pages(&self, off: u64, len: u64, _shared: bool) -> Result<Vec<MappedPages>, Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::ENODEV);
        };
        let end = off.checked_add(len).ok_or(Errno::EOVERFLOW)?;
        let mut d = data.lock();
        // Its pages now change under the file: st_blocks is counted anew
        // on every stat.
        d.mapped = true;
        d.counted = None;
        let pieces = d.pieces(off, end, true)?;
        Ok(pieces
            .into_iter()
            .filter_map(|(_, mem, len)| mem.map(|offset| MappedPages { offset, len }))
            .collect())
    }

    fn getxattr(&self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.xattrs.get(name)
    }

    fn setxattr(&self, name: &[u8], value: Option<&[u8]>, flags: i32) -> Result<(), Errno> {
        self.xattrs.set(name, value, flags)?;
        self.meta.lock().ctime = crate::vfs::now();
        Ok(())
    }

    fn listxattr(&self) -> Result<Vec<Vec<u8>>, Errno> {
        Ok(self.xattrs.list())
    }

    fn file_mapping(&self) -> Option<Arc<FileMapping>> {
        let Body::File(data) = &self.body else {
            return None;
        };
        let mut d = data.lock();
        let size = d.size;
        Some(
            d.mapping
                .get_or_insert_with(|| FileMapping::new(size))
                .clone(),
        )
    }

    fn setattr(&self, a: &SetAttr) -> Result<(), Errno> {
        if let Some(size) = a.size {
            let Body::File(data) = &self.body else {
                return Err(if self.is_dir() {
                    Errno::EISDIR
                } else {
                    Errno::EINVAL
                });
            };
            if size > self.fs.size {
                return Err(Errno::EFBIG);
            }
            let mut d = data.lock();
            if (size < d.size && self.sealed(F_SEAL_SHRINK))
                || (size > d.size && self.sealed(F_SEAL_GROW))
            {
                return Err(Errno::EPERM);
            }
            let changed = size != d.size;
            d.truncate(size)?;
            drop(d);
            if changed {
                self.meta.lock().touch_modified();
            }
        }
        self.meta.lock().apply(a);
        Ok(())
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        let blocks = self.fs.size / 4096;
        Ok(FsStat {
            fs_type: TMPFS_MAGIC,
            bsize: 4096,
            blocks,
            bfree: blocks,
            bavail: blocks,
            files: blocks,
            ffree: blocks,
            namelen: 255,
            frsize: 4096,
            flags: 0,
        })
    }

    fn allocate(&self, mode: i32, off: u64, len: u64) -> Result<(), Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::ENODEV);
        };
        const KEEP_SIZE: i32 = 1;
        const PUNCH_HOLE: i32 = 2;
        // What shmem_fallocate has: no ZERO_RANGE, COLLAPSE_RANGE,
        // INSERT_RANGE or UNSHARE_RANGE.
        if mode & !(KEEP_SIZE | PUNCH_HOLE) != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let end = off.checked_add(len).ok_or(Errno::EFBIG)?;
        if mode & PUNCH_HOLE == 0 && end > self.fs.size {
            return Err(Errno::ENOSPC);
        }
        let mut d = data.lock();
        if mode == 0 && end > d.size && self.sealed(F_SEAL_GROW) {
            return Err(Errno::EPERM);
        }
        if mode & PUNCH_HOLE != 0 && self.sealed(F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) {
            return Err(Errno::EPERM);
        }
        match mode {
            0 | KEEP_SIZE => {
                // Allocation: the pages exist (and count) from now on.
                d.counted = None;
                let pieces = d.pieces(off, end, true)?;
                for (_, mem, l) in pieces {
                    if let Some(m) = mem {
                        self.fs.memory.commit(m, l);
                    }
                }
                d.reserve(page_round_down(off), page_round_up(end).unwrap_or(u64::MAX));
                if mode == 0 && end > d.size {
                    d.set_size(end);
                }
            }
            // Past the end too: reserved pages there go.
            m if m == PUNCH_HOLE | KEEP_SIZE => d.clear(off, end)?,
            _ => return Err(Errno::EOPNOTSUPP),
        }
        drop(d);
        self.meta.lock().touch_modified();
        Ok(())
    }

    fn seals(&self) -> Result<u32, Errno> {
        match self.body {
            Body::File(_) => Ok(self.seals.load(std::sync::atomic::Ordering::Relaxed)),
            _ => Err(Errno::EINVAL),
        }
    }

    fn add_seals(&self, seals: u32) -> Result<(), Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::EINVAL);
        };
        if seals
            & !(F_SEAL_SEAL
                | F_SEAL_SHRINK
                | F_SEAL_GROW
                | F_SEAL_WRITE
                | F_SEAL_FUTURE_WRITE
                | F_SEAL_EXEC)
            != 0
        {
            return Err(Errno::EINVAL);
        }
        if self.sealed(F_SEAL_SEAL) {
            return Err(Errno::EPERM);
        }
        // Writes through a shared mapping could not be stopped (Linux's
        // mapping_deny_writable); F_SEAL_FUTURE_WRITE lets them go on.
        let d = data.lock();
        if seals & F_SEAL_WRITE != 0
            && !self.sealed(F_SEAL_WRITE)
            && d.mapping.as_ref().is_some_and(|m| m.is_writably_mapped())
        {
            return Err(Errno::EBUSY);
        }
        self.seals
            .fetch_or(seals, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A fresh tmpfs mounted as a namespace root (tests and the sandbox
/// without a root filesystem).
pub fn root_mount(memory: &Arc<MemoryFile>) -> Arc<crate::vfs::Mount> {
    let root = Tmpfs::new_root(memory, 1 << 30, 0o755, 0, 0);
    crate::vfs::Mount::new_root(crate::vfs::Dentry::new_root(root), "tmpfs", "tmpfs")
}
