//! tmpfs: a filesystem in sentry memory. Also the upper layer of the root
//! overlay, and the base of `/dev`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use crate::fsimpl::FileImpl;
use crate::vfs::{
    dirent_type, is_dir, DirEntry, FsStat, Inode, InodeRef, Meta, NewKind, NewNode, SetAttr,
    RENAME_EXCHANGE, RENAME_NOREPLACE,
};

/// `TMPFS_MAGIC`.
pub const TMPFS_MAGIC: u64 = 0x0102_1994;

/// What one tmpfs instance shares among its nodes.
#[derive(Debug)]
pub struct Tmpfs {
    dev: u64,
    next_ino: AtomicU64,
    /// The capacity statfs reports, in bytes.
    size: u64,
    /// Opens a device node: what `/dev/null` and friends are.
    devices: Option<DeviceOpener>,
}

/// How a tmpfs opens its character devices: by device number.
pub type DeviceOpener = fn(u64, i32) -> Option<Result<Box<dyn FileImpl>, Errno>>;

impl Tmpfs {
    /// A new, empty instance whose root has `mode` and owner.
    pub fn new_root(size: u64, mode: u32, uid: u32, gid: u32) -> Arc<TmpNode> {
        Tmpfs::with_devices(size, mode, uid, gid, None)
    }

    /// A new instance whose device nodes open through `devices`.
    pub fn with_devices(
        size: u64,
        mode: u32,
        uid: u32,
        gid: u32,
        devices: Option<DeviceOpener>,
    ) -> Arc<TmpNode> {
        let fs = Arc::new(Tmpfs {
            dev: crate::vfs::anon_dev(),
            next_ino: AtomicU64::new(1),
            size,
            devices,
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
    File(Mutex<Vec<u8>>),
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
}

impl TmpNode {
    fn new(fs: &Arc<Tmpfs>, meta: Meta, body: Body) -> Arc<TmpNode> {
        Arc::new_cyclic(|this| TmpNode {
            fs: fs.clone(),
            this: this.clone(),
            meta: Mutex::new(meta),
            body,
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
            Body::File(d) => d.lock().len() as u64,
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

    /// Creates a child node (used by filesystems built on tmpfs, like
    /// `/dev`, to populate themselves).
    pub fn make(&self, name: &[u8], node: &NewNode) -> Result<Arc<TmpNode>, Errno> {
        let ino = self.fs.ino();
        let mut meta = Meta::new(
            ino,
            self.fs.dev,
            node.kind.type_bits() | (node.mode & 0o7777),
            node.uid,
            node.gid,
        );
        let body = match &node.kind {
            NewKind::Directory => Body::Dir(Mutex::new(BTreeMap::new())),
            NewKind::Regular => Body::File(Mutex::new(Vec::new())),
            NewKind::Symlink(t) => Body::Symlink(t.clone()),
            NewKind::CharDevice(rdev) | NewKind::BlockDevice(rdev) => {
                meta.rdev = *rdev;
                Body::Special
            }
            NewKind::Fifo | NewKind::Socket => Body::Special,
        };
        let child = TmpNode::new(&self.fs, meta, body);
        self.insert(name, child.clone())?;
        Ok(child)
    }
}

impl Inode for TmpNode {
    fn stat(&self) -> Result<Stat, Errno> {
        let size = self.size();
        Ok(self.meta.lock().stat(size))
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
        let d = data.lock();
        let Ok(off) = usize::try_from(off) else {
            return Ok(0);
        };
        if off >= d.len() {
            return Ok(0);
        }
        let n = buf.len().min(d.len() - off);
        buf[..n].copy_from_slice(&d[off..off + n]);
        drop(d);
        self.meta.lock().atime = crate::vfs::now();
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::EINVAL);
        };
        let off = usize::try_from(off).map_err(|_| Errno::EFBIG)?;
        let end = off.checked_add(buf.len()).ok_or(Errno::EFBIG)?;
        if end as u64 > self.fs.size {
            return Err(Errno::ENOSPC);
        }
        let mut d = data.lock();
        if end > d.len() {
            d.resize(end, 0);
        }
        d[off..end].copy_from_slice(buf);
        drop(d);
        self.meta.lock().touch_modified();
        Ok(buf.len())
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
            let size = usize::try_from(size).map_err(|_| Errno::EFBIG)?;
            let mut d = data.lock();
            if size != d.len() {
                d.resize(size, 0);
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
        let end =
            usize::try_from(off.checked_add(len).ok_or(Errno::EFBIG)?).map_err(|_| Errno::EFBIG)?;
        let off = usize::try_from(off).map_err(|_| Errno::EFBIG)?;
        let mut d = data.lock();
        match mode {
            0 => {
                if end > d.len() {
                    d.resize(end, 0);
                }
            }
            KEEP_SIZE => {}
            m if m == PUNCH_HOLE | KEEP_SIZE => {
                let stop = end.min(d.len());
                if off < stop {
                    d[off..stop].fill(0);
                }
            }
            _ => return Err(Errno::EOPNOTSUPP),
        }
        drop(d);
        self.meta.lock().touch_modified();
        Ok(())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Whether a tmpfs node is a directory (for callers holding an
/// `InodeRef`).
pub fn is_tmpfs_dir(inode: &InodeRef) -> bool {
    TmpNode::of(inode).is_some_and(TmpNode::is_dir) || is_dir(inode.mode())
}

/// A fresh tmpfs mounted as a namespace root (tests and the sandbox
/// without a root filesystem).
pub fn root_mount() -> Arc<crate::vfs::Mount> {
    let root = Tmpfs::new_root(1 << 30, 0o755, 0, 0);
    crate::vfs::Mount::new_root(crate::vfs::Dentry::new_root(root), "tmpfs", "tmpfs")
}
