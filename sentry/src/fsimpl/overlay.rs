//! An overlay: a writable upper layer (tmpfs in sentry memory) over a
//! lower layer that is only read. The root filesystem is one by default,
//! so a workload's writes never reach the host.
//!
//! As Linux's overlayfs: a lower node is copied up (with its ancestors)
//! before it changes; removing a lower name leaves a whiteout (a 0:0
//! character device) in the upper directory; a directory made where a
//! lower one was removed is opaque (hides the lower one). Renaming a
//! directory that has a lower part is `EXDEV`, as without `redirect_dir`,
//! and `mv` copies instead.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use crate::fsimpl::FileImpl;
use crate::vfs::{
    file_type, is_dir, DirEntry, FsStat, Inode, InodeRef, NewKind, NewNode, SetAttr,
    RENAME_EXCHANGE, RENAME_NOREPLACE,
};

/// `OVERLAYFS_SUPER_MAGIC`.
pub const OVERLAY_MAGIC: u64 = 0x794c_7630;

/// One overlay instance.
#[derive(Debug)]
pub struct Overlay {
    dev: u64,
    /// Upper directories that hide their lower part, by address.
    opaque: Mutex<HashSet<usize>>,
}

/// A node of the overlay: its upper part, its lower part, or both.
#[derive(Debug)]
pub struct OvlNode {
    fs: Arc<Overlay>,
    this: Weak<OvlNode>,
    /// The parent and the name in it, for copying up; `None` at the root.
    parent: Mutex<Option<(Arc<OvlNode>, Vec<u8>)>>,
    lower: Option<InodeRef>,
    upper: Mutex<Option<InodeRef>>,
    ino: u64,
    /// The live nodes of this directory's entries, so that every path
    /// reaches one node (whose copy-up all its users see).
    children: Mutex<std::collections::HashMap<Vec<u8>, Weak<OvlNode>>>,
    /// Its name was removed (its lower part still counts a link).
    removed: AtomicBool,
}

/// Overlayfs keeps its own state in `trusted.overlay.*` and refuses
/// those names to everyone else.
fn own_xattr(name: &[u8]) -> Result<(), Errno> {
    if name.starts_with(b"trusted.overlay.") {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(())
}

fn is_whiteout(inode: &InodeRef) -> bool {
    inode
        .stat()
        .is_ok_and(|s| file_type(s.st_mode) == abi::stat::S_IFCHR && s.st_rdev == 0)
}

fn key(inode: &InodeRef) -> usize {
    Arc::as_ptr(inode).cast::<()>() as usize
}

impl Overlay {
    /// An overlay of `upper` (an empty directory) over `lower`.
    pub fn new_root(upper: InodeRef, lower: InodeRef) -> Arc<OvlNode> {
        let fs = Arc::new(Overlay {
            dev: crate::vfs::anon_dev(),
            opaque: Mutex::new(HashSet::new()),
        });
        let ino = lower.stat().map_or(1, |s| s.st_ino);
        OvlNode::new(&fs, None, Some(lower), Some(upper), ino)
    }
}

impl OvlNode {
    fn new(
        fs: &Arc<Overlay>,
        parent: Option<(Arc<OvlNode>, Vec<u8>)>,
        lower: Option<InodeRef>,
        upper: Option<InodeRef>,
        ino: u64,
    ) -> Arc<OvlNode> {
        Arc::new_cyclic(|this| OvlNode {
            fs: fs.clone(),
            this: this.clone(),
            parent: Mutex::new(parent),
            lower,
            upper: Mutex::new(upper),
            ino,
            children: Mutex::new(std::collections::HashMap::new()),
            removed: AtomicBool::new(false),
        })
    }

    fn me(&self) -> Arc<OvlNode> {
        self.this.upgrade().expect("a node in use is alive")
    }

    fn of(inode: &InodeRef) -> Option<&OvlNode> {
        inode.as_any().downcast_ref::<OvlNode>()
    }

    fn upper(&self) -> Option<InodeRef> {
        self.upper.lock().clone()
    }

    /// The layer that answers reads: upper if there is one.
    fn top(&self) -> InodeRef {
        match self.upper() {
            Some(u) => u,
            None => self.lower.clone().expect("a node has a layer"),
        }
    }

    fn is_opaque(&self) -> bool {
        self.upper()
            .is_some_and(|u| self.fs.opaque.lock().contains(&key(&u)))
    }

    /// The lower directory whose entries show through, if any.
    fn lower_dir(&self) -> Option<&InodeRef> {
        if self.is_opaque() {
            return None;
        }
        self.lower.as_ref().filter(|l| is_dir(l.mode()))
    }

    /// Makes sure this node has an upper part, copying it (and its
    /// ancestors) up. `keep_data` is false when the caller truncates it.
    fn copy_up(&self, keep_data: bool) -> Result<InodeRef, Errno> {
        if let Some(u) = self.upper() {
            return Ok(u);
        }
        let (parent, name) = self.parent.lock().clone().ok_or(Errno::EIO)?;
        let pu = parent.copy_up(true)?;
        let lower = self.lower.clone().ok_or(Errno::EIO)?;
        let st = lower.stat()?;
        let kind = match file_type(st.st_mode) {
            abi::stat::S_IFDIR => NewKind::Directory,
            abi::stat::S_IFREG => NewKind::Regular,
            abi::stat::S_IFLNK => NewKind::Symlink(lower.readlink()?),
            abi::stat::S_IFIFO => NewKind::Fifo,
            abi::stat::S_IFSOCK => NewKind::Socket,
            abi::stat::S_IFCHR => NewKind::CharDevice(st.st_rdev),
            abi::stat::S_IFBLK => NewKind::BlockDevice(st.st_rdev),
            _ => return Err(Errno::EIO),
        };
        let regular = kind == NewKind::Regular;
        let dir = kind == NewKind::Directory;
        let node = NewNode {
            kind,
            mode: st.st_mode & 0o7777,
            uid: st.st_uid,
            gid: st.st_gid,
        };
        // A whiteout may stand where the name was hidden before; a copy
        // made through another node is this node's too.
        match pu.lookup(&name) {
            Ok(w) if is_whiteout(&w) => pu.unlink(&name, false)?,
            Ok(existing) => {
                *self.upper.lock() = Some(existing.clone());
                return Ok(existing);
            }
            Err(_) => {}
        }
        let up = pu.create(&name, &node)?;
        if regular && keep_data {
            let size = u64::try_from(st.st_size).unwrap_or(0);
            crate::vfs::read_pieces(&*lower, 0, size, |at, piece| {
                up.write_at(piece, at).map(|_| ())
            })?;
        }
        // Extended attributes come along where the lower layer has them.
        for name in lower.listxattr().unwrap_or_default() {
            if let Ok(v) = lower.getxattr(&name) {
                up.setxattr(&name, Some(&v), 0)?;
            }
        }
        up.setattr(&SetAttr {
            mode: Some(st.st_mode & 0o7777),
            atime: Some(st.st_atim),
            mtime: Some(st.st_mtim),
            ..SetAttr::default()
        })?;
        if dir {
            // Its lower entries still show through: not opaque.
        }
        *self.upper.lock() = Some(up.clone());
        Ok(up)
    }

    /// Whether the lower directory (when it shows through) has `name`: a
    /// name removed here must then be whited out.
    fn lower_has(&self, name: &[u8]) -> bool {
        self.lower_dir().is_some_and(|l| l.lookup(name).is_ok())
    }

    /// Keeps `node` as the one live node of `name` here.
    fn remember(&self, name: &[u8], node: &InodeRef) {
        if let Some(n) = OvlNode::of(node) {
            let mut kids = self.children.lock();
            // Sweep dead entries as the map doubles, not on every insert:
            // a directory of n names costs O(n), not O(n^2).
            if kids.len() >= 64 && kids.len().is_power_of_two() {
                kids.retain(|_, w| w.strong_count() > 0);
            }
            kids.insert(name.to_vec(), n.this.clone());
        }
    }

    /// Forgets the node of `name` (gone from this directory).
    fn forget(&self, name: &[u8]) -> Option<Arc<OvlNode>> {
        self.children.lock().remove(name).and_then(|w| w.upgrade())
    }

    fn lookup_fresh(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        let parent = Some((self.me(), name.to_vec()));
        if let Some(u) = self.upper() {
            match u.lookup(name) {
                Ok(child) if is_whiteout(&child) => return Err(Errno::ENOENT),
                Ok(child) => {
                    let lower = if is_dir(child.mode()) {
                        self.lower_dir()
                            .and_then(|l| l.lookup(name).ok())
                            .filter(|l| is_dir(l.mode()))
                    } else {
                        None
                    };
                    let ino = lower
                        .as_ref()
                        .and_then(|l| l.stat().ok())
                        .or_else(|| child.stat().ok())
                        .map_or(0, |s| s.st_ino);
                    return Ok(OvlNode::new(&self.fs, parent, lower, Some(child), ino));
                }
                Err(Errno::ENOENT) => {}
                Err(e) => return Err(e),
            }
        }
        let lower = self.lower_dir().ok_or(Errno::ENOENT)?.lookup(name)?;
        let ino = lower.stat()?.st_ino;
        Ok(OvlNode::new(&self.fs, parent, Some(lower), None, ino))
    }

    fn create_fresh(&self, name: &[u8], node: &NewNode) -> Result<InodeRef, Errno> {
        let u = self.copy_up(true)?;
        let mut hid_lower = false;
        if u.lookup(name).is_ok_and(|w| is_whiteout(&w)) {
            u.unlink(name, false)?;
            hid_lower = true;
        }
        let child = u.create(name, node)?;
        if node.kind == NewKind::Directory
            && (hid_lower || self.lower_dir().is_some_and(|l| l.lookup(name).is_ok()))
        {
            self.fs.opaque.lock().insert(key(&child));
        }
        let ino = child.stat()?.st_ino;
        Ok(OvlNode::new(
            &self.fs,
            Some((self.me(), name.to_vec())),
            None,
            Some(child),
            ino,
        ))
    }

    /// Whether the merged directory has no entries.
    fn merged_empty(&self) -> Result<bool, Errno> {
        Ok(self.readdir()?.is_empty())
    }

    /// Removes whiteouts from an upper directory (before it is removed).
    fn clear_whiteouts(upper: &InodeRef) -> Result<(), Errno> {
        for e in upper.readdir()? {
            if upper.lookup(&e.name).is_ok_and(|w| is_whiteout(&w)) {
                upper.unlink(&e.name, false)?;
            }
        }
        Ok(())
    }

    fn whiteout(upper_dir: &InodeRef, name: &[u8]) -> Result<(), Errno> {
        upper_dir.create(
            name,
            &NewNode {
                kind: NewKind::CharDevice(0),
                mode: 0,
                uid: 0,
                gid: 0,
            },
        )?;
        Ok(())
    }
}

impl Inode for OvlNode {
    fn stat(&self) -> Result<Stat, Errno> {
        let mut st = self.top().stat()?;
        st.st_dev = self.fs.dev;
        st.st_ino = self.ino;
        Ok(st)
    }

    fn mode(&self) -> u32 {
        self.top().mode()
    }

    fn lookup(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        if let Some(n) = self.children.lock().get(name).and_then(Weak::upgrade) {
            return Ok(n);
        }
        let node = self.lookup_fresh(name)?;
        self.remember(name, &node);
        Ok(node)
    }

    fn create(&self, name: &[u8], node: &NewNode) -> Result<InodeRef, Errno> {
        let made = self.create_fresh(name, node)?;
        self.remember(name, &made);
        Ok(made)
    }

    /// Made in the upper layer, as Linux's overlayfs (6.7 and later) does.
    fn tmpfile(&self, node: &NewNode) -> Result<InodeRef, Errno> {
        let up = self.copy_up(true)?.tmpfile(node)?;
        let ino = up.stat()?.st_ino;
        Ok(OvlNode::new(&self.fs, None, None, Some(up), ino))
    }

    fn link(&self, name: &[u8], target: &InodeRef) -> Result<(), Errno> {
        let t = OvlNode::of(target).ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let tu = t.copy_up(true)?;
        let u = self.copy_up(true)?;
        if u.lookup(name).is_ok_and(|w| is_whiteout(&w)) {
            u.unlink(name, false)?;
        }
        u.link(name, &tu)
    }

    fn unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        let child = self.lookup(name)?;
        let c = OvlNode::of(&child).ok_or(Errno::EIO)?;
        match (dir, is_dir(c.mode())) {
            (true, false) => return Err(Errno::ENOTDIR),
            (false, true) => return Err(Errno::EISDIR),
            (true, true) if !c.merged_empty()? => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        let u = self.copy_up(true)?;
        if let Some(cu) = c.upper() {
            if dir {
                OvlNode::clear_whiteouts(&cu)?;
            }
            u.unlink(name, dir)?;
        }
        if c.lower.is_some() || self.lower_has(name) {
            OvlNode::whiteout(&u, name)?;
        }
        c.removed.store(true, Ordering::Relaxed);
        self.forget(name);
        Ok(())
    }

    fn rename(&self, old: &[u8], new_dir: &InodeRef, new: &[u8], flags: u32) -> Result<(), Errno> {
        let to = OvlNode::of(new_dir).ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&to.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let moving = self.lookup(old)?;
        let m = OvlNode::of(&moving).ok_or(Errno::EIO)?;
        if is_dir(m.mode()) && m.lower.is_some() {
            return Err(Errno::EXDEV);
        }
        let existing = to.lookup(new).ok();
        if flags & RENAME_EXCHANGE != 0 {
            let e = existing.as_ref().ok_or(Errno::ENOENT)?;
            let eo = OvlNode::of(e).ok_or(Errno::EIO)?;
            if m.lower.is_some() || eo.lower.is_some() {
                return Err(Errno::EXDEV);
            }
        }
        if let Some(e) = &existing {
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            let eo = OvlNode::of(e).ok_or(Errno::EIO)?;
            if is_dir(eo.mode()) && flags & RENAME_EXCHANGE == 0 {
                if !eo.merged_empty()? {
                    return Err(Errno::ENOTEMPTY);
                }
                if let Some(eu) = eo.upper() {
                    OvlNode::clear_whiteouts(&eu)?;
                }
            }
        }
        let mu = m.copy_up(true)?;
        let from_u = self.copy_up(true)?;
        let to_u = to.copy_up(true)?;
        let covers_lower = existing
            .as_ref()
            .and_then(|e| OvlNode::of(e))
            .is_some_and(|e| e.lower.is_some());
        let new_is_whiteout = to_u.lookup(new).is_ok_and(|w| is_whiteout(&w));
        if new_is_whiteout {
            to_u.unlink(new, false)?;
        }
        if existing.is_some() && !new_is_whiteout {
            let in_upper = to_u.lookup(new).is_ok();
            if !in_upper {
                // Only a lower entry: the renamed node covers it.
            }
        }
        from_u.rename(old, &to_u, new, flags)?;
        if (m.lower.is_some() || self.lower_has(old)) && flags & RENAME_EXCHANGE == 0 {
            OvlNode::whiteout(&from_u, old)?;
        }
        // The live nodes follow their names.
        let moved = self.forget(old);
        let displaced = to.forget(new);
        if let Some(n) = moved {
            *n.parent.lock() = Some((to.me(), new.to_vec()));
            to.children.lock().insert(new.to_vec(), n.this.clone());
        }
        match (displaced, flags & RENAME_EXCHANGE != 0) {
            (Some(d), true) => {
                *d.parent.lock() = Some((self.me(), old.to_vec()));
                self.children.lock().insert(old.to_vec(), d.this.clone());
            }
            (Some(d), false) => d.removed.store(true, Ordering::Relaxed),
            (None, _) => {}
        }
        if is_dir(mu.mode()) && covers_lower {
            self.fs.opaque.lock().insert(key(&mu));
        }
        Ok(())
    }

    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        let mut merged: BTreeMap<Vec<u8>, Option<DirEntry>> = BTreeMap::new();
        if let Some(u) = self.upper() {
            for e in u.readdir()? {
                let white = e.kind == crate::vfs::dirent_type(abi::stat::S_IFCHR)
                    && u.lookup(&e.name).is_ok_and(|w| is_whiteout(&w));
                let name = e.name.clone();
                merged.insert(name, (!white).then_some(e));
            }
        }
        if let Some(l) = self.lower_dir() {
            for e in l.readdir()? {
                merged.entry(e.name.clone()).or_insert(Some(e));
            }
        }
        Ok(merged.into_values().flatten().collect())
    }

    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        self.top().readlink()
    }

    fn open(&self, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        self.top().open(flags)
    }

    fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.top().read_at(buf, off)
    }

    fn write_at(&self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        self.copy_up(true)?.write_at(buf, off)
    }

    fn setattr(&self, a: &SetAttr) -> Result<(), Errno> {
        let keep = a.size != Some(0);
        self.copy_up(keep)?.setattr(a)
    }

    fn map_pages(
        &self,
        off: u64,
        len: u64,
        writable: bool,
    ) -> Result<Vec<crate::vfs::MappedPages>, Errno> {
        if writable {
            return self.copy_up(true)?.map_pages(off, len, writable);
        }
        self.top().map_pages(off, len, writable)
    }

    fn getxattr(&self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        own_xattr(name)?;
        self.top().getxattr(name)
    }

    fn setxattr(&self, name: &[u8], value: Option<&[u8]>, flags: i32) -> Result<(), Errno> {
        own_xattr(name)?;
        // Without an upper copy there is nothing to remove: the lower
        // layer's answer stands.
        if value.is_none() && self.upper().is_none() {
            return self.top().setxattr(name, value, flags);
        }
        self.copy_up(true)?.setxattr(name, value, flags)
    }

    fn listxattr(&self) -> Result<Vec<Vec<u8>>, Errno> {
        self.top().listxattr()
    }

    fn file_mapping(&self) -> Option<Arc<crate::mm::FileMapping>> {
        // A lower file cannot change under the overlay.
        self.upper().and_then(|u| u.file_mapping())
    }

    fn seek_data(&self, off: u64, hole: bool) -> Result<u64, Errno> {
        self.top().seek_data(off, hole)
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        let mut s = self.top().statfs()?;
        s.fs_type = OVERLAY_MAGIC;
        Ok(s)
    }

    fn sync(&self) -> Result<(), Errno> {
        Ok(())
    }

    fn allocate(&self, mode: i32, off: u64, len: u64) -> Result<(), Errno> {
        self.copy_up(true)?.allocate(mode, off, len)
    }

    fn unlinked(&self) -> bool {
        (self.removed.load(Ordering::Relaxed) && self.upper().is_none()) || self.top().unlinked()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
