//! The virtual filesystem: inodes that filesystems implement, the dentry
//! tree that names them and caches lookups, mounts, and the path walk with
//! Linux's rules.
//!
//! A filesystem implements [`Inode`] for its nodes; everything above (path
//! resolution, permission checks, the name cache, mount crossing, the open
//! file of a regular file or a directory) is shared. Filesystems never see
//! paths, only a directory and a name.
//!
//! Lock order: `Dentry::op` of a directory before its `Dentry::state`; two
//! directories' `op` locks (rename) in address order under the global
//! rename lock. inotify's locks come after all of these: an unlinked
//! dentry's drop may report to it under them.

pub mod file;
pub mod inotify;
pub mod lock;
pub mod perm;
pub mod walk;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use abi::stat::{S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use abi::types::{Stat, Timespec};
use abi::Errno;
use parking_lot::Mutex;

use crate::fsimpl::FileImpl;

pub use walk::{Location, Resolver};

/// Linux's `NAME_MAX`.
pub const NAME_MAX: usize = 255;
/// Linux's `PATH_MAX`, counting the NUL.
pub const PATH_MAX: usize = 4096;

/// A reference to a filesystem node.
pub type InodeRef = Arc<dyn Inode>;

/// What a new node is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewKind {
    Regular,
    Directory,
    Symlink(Vec<u8>),
    Fifo,
    Socket,
    CharDevice(u64),
    BlockDevice(u64),
}

impl NewKind {
    /// The `S_IF*` type bits.
    pub fn type_bits(&self) -> u32 {
        use abi::stat::*;
        match self {
            NewKind::Regular => S_IFREG,
            NewKind::Directory => S_IFDIR,
            NewKind::Symlink(_) => S_IFLNK,
            NewKind::Fifo => S_IFIFO,
            NewKind::Socket => S_IFSOCK,
            NewKind::CharDevice(_) => S_IFCHR,
            NewKind::BlockDevice(_) => S_IFBLK,
        }
    }
}

/// A node to create: its kind, permission bits (umask applied) and owner.
#[derive(Clone, Debug)]
pub struct NewNode {
    pub kind: NewKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// Attribute changes; `None` keeps a field. ctime changes with any of them.
#[derive(Clone, Copy, Debug, Default)]
pub struct SetAttr {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: Option<Timespec>,
    pub mtime: Option<Timespec>,
}

/// One directory entry, without `.` and `..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub ino: u64,
    /// `DT_*`.
    pub kind: u8,
    pub name: Vec<u8>,
}

/// `statfs(2)`'s answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsStat {
    pub fs_type: u64,
    pub bsize: u64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
    pub namelen: u64,
    pub frsize: u64,
    pub flags: u64,
}

impl FsStat {
    /// The answer of a filesystem with no blocks to count (`/proc`,
    /// `/sys`): its magic number and page-sized blocks.
    pub fn empty(fs_type: u64) -> FsStat {
        FsStat {
            fs_type,
            bsize: 4096,
            namelen: NAME_MAX as u64,
            frsize: 4096,
            ..FsStat::default()
        }
    }
}

/// `rename(2)` flags.
pub const RENAME_NOREPLACE: u32 = 1;
pub const RENAME_EXCHANGE: u32 = 2;
pub const RENAME_WHITEOUT: u32 = 4;

/// `setxattr(2)` flags.
pub const XATTR_CREATE: i32 = 1;
pub const XATTR_REPLACE: i32 = 2;

/// A filesystem node. Defaults are the answers for a node that lacks the
/// operation; directory operations get a name already checked to be a
/// single component other than `.` and `..`, and the caller has checked
/// permissions.
pub trait Inode: Send + Sync + std::fmt::Debug {
    fn stat(&self) -> Result<Stat, Errno>;

    /// The mode (type and permission bits), cheaper than `stat`.
    fn mode(&self) -> u32 {
        self.stat().map_or(0, |s| s.st_mode)
    }

    /// Whether `creds` may access the node for `want` (`MAY_*`): Linux's
    /// `generic_permission` unless the filesystem has its own rule
    /// (`/proc/pid/fd` lets its process in whoever owns it).
    fn permission(&self, creds: &crate::creds::Credentials, want: u32) -> Result<(), Errno> {
        perm::check_stat(creds, &self.stat()?, want)
    }

    /// The child `name` of a directory.
    fn lookup(&self, _name: &[u8]) -> Result<InodeRef, Errno> {
        Err(Errno::ENOTDIR)
    }

    /// Creates the child `name`; `EEXIST` if there is one.
    fn create(&self, _name: &[u8], _node: &NewNode) -> Result<InodeRef, Errno> {
        Err(Errno::ENOTDIR)
    }

    /// A regular file of this directory's filesystem with no name and no
    /// link (`O_TMPFILE`); `EOPNOTSUPP` where the filesystem has none.
    fn tmpfile(&self, _node: &NewNode) -> Result<InodeRef, Errno> {
        Err(Errno::EOPNOTSUPP)
    }

    /// Makes `name` another link to `target` (same filesystem).
    fn link(&self, _name: &[u8], _target: &InodeRef) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }

    /// Removes `name`: a directory (which must be empty) if `dir`, else
    /// anything but a directory.
    fn unlink(&self, _name: &[u8], _dir: bool) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }

    /// Renames `old` here to `new` in `new_dir`, a directory of the same
    /// filesystem. The VFS has checked the kinds (`EISDIR`, `ENOTDIR`) and
    /// loops; the filesystem checks emptiness of a replaced directory.
    fn rename(
        &self,
        _old: &[u8],
        _new_dir: &InodeRef,
        _new: &[u8],
        _flags: u32,
    ) -> Result<(), Errno> {
        Err(Errno::ENOTDIR)
    }

    /// The entries of a directory, without `.` and `..`, in a stable order.
    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        Err(Errno::ENOTDIR)
    }

    /// A symlink's target.
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        Err(Errno::EINVAL)
    }

    /// A magic link (`/proc/pid/fd/N`, `/proc/pid/cwd`): where following it
    /// leads, without a path. `None` for ordinary nodes.
    fn follow_magic(&self) -> Option<Result<Location, Errno>> {
        None
    }

    /// Opens the node. `None` means the VFS's file for its kind (a regular
    /// file over `read_at`/`write_at`, a directory over `readdir`).
    fn open(&self, _flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        None
    }

    /// Reads a regular file's bytes at `off`.
    fn read_at(&self, _buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }

    /// Writes a regular file's bytes at `off`, growing it.
    fn write_at(&self, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }

    /// Applies attribute changes (the caller has checked permission).
    fn setattr(&self, _attr: &SetAttr) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }

    fn statfs(&self) -> Result<FsStat, Errno>;

    /// Flushes the file's data (`fsync`).
    fn sync(&self) -> Result<(), Errno> {
        Ok(())
    }

    /// `fallocate(2)`.
    fn allocate(&self, _mode: i32, _off: u64, _len: u64) -> Result<(), Errno> {
        Err(Errno::EOPNOTSUPP)
    }

    /// The pages of a regular file from `off` for `mmap`: a memory-file
    /// range holding the file's bytes. `ENODEV` for nodes that cannot be
    /// mapped.
    fn map_pages(&self, _off: u64, _len: u64, _shared: bool) -> Result<Vec<MappedPages>, Errno> {
        Err(Errno::ENODEV)
    }

    /// The value of extended attribute `name` (namespace prefix
    /// included; the caller checked permissions): `ENODATA` if unset,
    /// `EOPNOTSUPP` where the filesystem has no such namespace.
    fn getxattr(&self, _name: &[u8]) -> Result<Vec<u8>, Errno> {
        Err(Errno::EOPNOTSUPP)
    }

    /// Sets extended attribute `name` (`XATTR_CREATE`, `XATTR_REPLACE`
    /// in `flags`), or with no value removes it.
    fn setxattr(&self, _name: &[u8], _value: Option<&[u8]>, _flags: i32) -> Result<(), Errno> {
        Err(Errno::EOPNOTSUPP)
    }

    /// The names of the extended attributes set, in the filesystem's
    /// order; none where it has none.
    fn listxattr(&self) -> Result<Vec<Vec<u8>>, Errno> {
        Ok(Vec::new())
    }

    /// The size and mappers of a regular file whose filesystem reports
    /// its size changes to them (for SIGBUS past the end of a mapping);
    /// `None` where mappings keep the size the file had when mapped.
    fn file_mapping(&self) -> Option<Arc<crate::mm::FileMapping>> {
        None
    }

    /// `SEEK_DATA` (or with `hole`, `SEEK_HOLE`) from `off`: a file
    /// without holes has data everywhere below its size.
    fn seek_data(&self, off: u64, hole: bool) -> Result<u64, Errno> {
        let size = u64::try_from(self.stat()?.st_size).unwrap_or(0);
        if off >= size {
            return Err(Errno::ENXIO);
        }
        Ok(if hole { size } else { off })
    }

    /// `F_GET_SEALS`: `EINVAL` where the filesystem has no seals.
    fn seals(&self) -> Result<u32, Errno> {
        Err(Errno::EINVAL)
    }

    /// `F_ADD_SEALS`.
    fn add_seals(&self, _seals: u32) -> Result<(), Errno> {
        Err(Errno::EINVAL)
    }

    /// Whether the dentry tree may cache this directory's lookups (positive
    /// and negative). `/proc` directories change under the cache and say no.
    fn cacheable(&self) -> bool {
        true
    }

    /// Whether a missing name in this directory is one a call may create.
    /// procfs has no negative entries: its lookup fails, so creating a
    /// name there (`open(O_CREAT)`, `mkdir`, `link`) is `ENOENT` before
    /// any other check, as on Linux.
    fn creatable(&self) -> bool {
        true
    }

    /// Whether no name links to the node any more (Linux's `i_nlink` is
    /// 0): once its last unlinked dentry goes, the node is gone for
    /// inotify (`IN_DELETE_SELF`). A filesystem whose `st_nlink` says
    /// otherwise (the overlay shows a removed lower file's count) answers
    /// itself.
    fn unlinked(&self) -> bool {
        self.stat().is_ok_and(|s| s.st_nlink == 0)
    }

    /// The node as `Any`, for a filesystem to recognise its own nodes (the
    /// target of `link`, the new directory of `rename`).
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Memory-file pages backing a piece of a file range, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MappedPages {
    /// The memory-file offset of the first page.
    pub offset: u64,
    pub len: u64,
}

/// Which version of which file: device, inode, size and mtime. What
/// caches of a file's bytes (exec images, read-only mappings) key on.
pub type FileVersion = (u64, u64, i64, i64, i64);

/// The version `st` describes.
pub fn version(st: &Stat) -> FileVersion {
    (
        st.st_dev,
        st.st_ino,
        st.st_size,
        st.st_mtim.tv_sec,
        st.st_mtim.tv_nsec,
    )
}

/// Reads up to `len` bytes of a regular file from `off` in pieces of at
/// most 1 MiB, handing each to `sink` with its distance from `off`; stops
/// at the end of the file. Returns how many bytes were read.
pub fn read_pieces(
    inode: &dyn Inode,
    off: u64,
    len: u64,
    mut sink: impl FnMut(u64, &[u8]) -> Result<(), Errno>,
) -> Result<u64, Errno> {
    const PIECE: u64 = 1 << 20;
    let mut buf = vec![0u8; usize::try_from(len.min(PIECE)).unwrap_or(0)];
    let mut done = 0u64;
    while done < len {
        let want = usize::try_from((len - done).min(PIECE)).unwrap_or(buf.len());
        let n = inode.read_at(&mut buf[..want], off + done)?;
        if n == 0 {
            break;
        }
        sink(done, &buf[..n])?;
        done += n as u64;
    }
    Ok(done)
}

/// A file's identity for the lock table.
pub fn inode_key(inode: &InodeRef) -> usize {
    Arc::as_ptr(inode).cast::<()>() as usize
}

/// The file type of a mode.
pub fn file_type(mode: u32) -> u32 {
    mode & S_IFMT
}

pub fn is_dir(mode: u32) -> bool {
    file_type(mode) == S_IFDIR
}

pub fn is_symlink(mode: u32) -> bool {
    file_type(mode) == S_IFLNK
}

pub fn is_regular(mode: u32) -> bool {
    file_type(mode) == S_IFREG
}

/// The `DT_*` type of a mode.
pub fn dirent_type(mode: u32) -> u8 {
    u8::try_from(file_type(mode) >> 12).unwrap_or(0)
}

/// The sandbox's wall-clock time, for timestamps.
pub fn now() -> Timespec {
    let ns = crate::kernel::clock_ns(libc::CLOCK_REALTIME);
    #[allow(clippy::cast_possible_truncation)]
    Timespec {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as i64,
    }
}

/// A fresh anonymous device number (`0:N`), as Linux gives tmpfs, proc and
/// other filesystems without a block device.
pub fn anon_dev() -> u64 {
    static NEXT: AtomicU32 = AtomicU32::new(16);
    abi::stat::makedev(0, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A name the dentry tree holds for a directory entry.
#[derive(Debug)]
struct DentryState {
    name: Vec<u8>,
    parent: Option<Arc<Dentry>>,
    /// Cached lookups: `None` is a cached "no such entry".
    children: HashMap<Vec<u8>, Option<Arc<Dentry>>>,
}

/// A name for an inode in the tree: the inode, its name and its parent.
/// Dentries of a directory are cached in their parent, so one path always
/// reaches the same dentry (what `getcwd` and `/proc/pid/fd` rely on).
#[derive(Debug)]
pub struct Dentry {
    pub inode: InodeRef,
    state: Mutex<DentryState>,
    /// Serialises changes to this directory's entries with lookups that
    /// miss the cache (Linux's `i_rwsem`).
    op: Mutex<()>,
    /// Mounts whose mountpoint is this dentry.
    mounted: AtomicU32,
    /// Unlinked (its name is gone).
    dead: AtomicBool,
    /// An `O_TMPFILE` file's, which `linkat` may still name (Linux's
    /// `I_LINKABLE`): not opened with `O_EXCL`, not linked yet.
    linkable: AtomicBool,
}

impl Drop for Dentry {
    fn drop(&mut self) {
        // An unlinked name's last user went: the inode may be gone.
        if self.is_dead() {
            inotify::name_released(&self.inode);
        }
    }
}

impl Dentry {
    /// The root dentry of a filesystem.
    pub fn new_root(inode: InodeRef) -> Arc<Dentry> {
        Arc::new(Dentry {
            inode,
            state: Mutex::new(DentryState {
                name: b"/".to_vec(),
                parent: None,
                children: HashMap::new(),
            }),
            op: Mutex::new(()),
            mounted: AtomicU32::new(0),
            dead: AtomicBool::new(false),
            linkable: AtomicBool::new(false),
        })
    }

    fn new_child(parent: &Arc<Dentry>, name: &[u8], inode: InodeRef) -> Arc<Dentry> {
        Arc::new(Dentry {
            inode,
            state: Mutex::new(DentryState {
                name: name.to_vec(),
                parent: Some(parent.clone()),
                children: HashMap::new(),
            }),
            op: Mutex::new(()),
            mounted: AtomicU32::new(0),
            dead: AtomicBool::new(false),
            linkable: AtomicBool::new(false),
        })
    }

    pub fn name(&self) -> Vec<u8> {
        self.state.lock().name.clone()
    }

    /// The parent dentry; `None` at a filesystem's root.
    pub fn parent(&self) -> Option<Arc<Dentry>> {
        self.state.lock().parent.clone()
    }

    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Relaxed)
    }

    pub fn is_mountpoint(&self) -> bool {
        self.mounted.load(Ordering::Relaxed) > 0
    }

    /// The child `name`, from the cache or the filesystem.
    pub fn lookup(self: &Arc<Dentry>, name: &[u8]) -> Result<Arc<Dentry>, Errno> {
        let cacheable = self.inode.cacheable();
        if cacheable {
            if let Some(hit) = self.state.lock().children.get(name) {
                return hit.clone().ok_or(Errno::ENOENT);
            }
        }
        let _op = self.op.lock();
        if cacheable {
            if let Some(hit) = self.state.lock().children.get(name) {
                return hit.clone().ok_or(Errno::ENOENT);
            }
        }
        if self.is_dead() {
            return Err(Errno::ENOENT);
        }
        match self.inode.lookup(name) {
            Ok(inode) => {
                let d = Dentry::new_child(self, name, inode);
                if cacheable {
                    self.state
                        .lock()
                        .children
                        .insert(name.to_vec(), Some(d.clone()));
                }
                Ok(d)
            }
            Err(Errno::ENOENT) => {
                if cacheable {
                    self.state.lock().children.insert(name.to_vec(), None);
                }
                Err(Errno::ENOENT)
            }
            Err(e) => Err(e),
        }
    }

    /// Runs a change to this directory's entries under its lock.
    pub fn locked<T>(&self, f: impl FnOnce() -> T) -> T {
        let _op = self.op.lock();
        f()
    }

    /// Records a new child (after a successful create or link).
    pub fn add_child(self: &Arc<Dentry>, name: &[u8], inode: InodeRef) -> Arc<Dentry> {
        let d = Dentry::new_child(self, name, inode);
        if self.inode.cacheable() {
            self.state
                .lock()
                .children
                .insert(name.to_vec(), Some(d.clone()));
        }
        d
    }

    /// The name of an `O_TMPFILE` file made in this directory: `#INO`,
    /// never in the cache, unlinked from the start (so `/proc/pid/fd`
    /// shows `/dir/#INO (deleted)`). `linkable` unless opened `O_EXCL`.
    pub fn tmpfile_child(self: &Arc<Dentry>, inode: InodeRef, linkable: bool) -> Arc<Dentry> {
        let ino = inode.stat().map_or(0, |s| s.st_ino);
        let d = Dentry::new_child(self, format!("#{ino}").as_bytes(), inode);
        d.dead.store(true, Ordering::Relaxed);
        d.linkable.store(linkable, Ordering::Relaxed);
        d
    }

    /// Whether `linkat` may give this unlinked `O_TMPFILE` file a name.
    pub fn is_linkable(&self) -> bool {
        self.linkable.load(Ordering::Relaxed)
    }

    /// The file got a name: once unlinked again it stays unlinked.
    pub fn clear_linkable(&self) {
        self.linkable.store(false, Ordering::Relaxed);
    }

    /// Forgets a removed child: it is dead, and the name is a cached miss.
    pub fn remove_child(&self, name: &[u8]) {
        let mut st = self.state.lock();
        if let Some(Some(d)) = st.children.insert(name.to_vec(), None) {
            d.dead.store(true, Ordering::Relaxed);
        }
    }

    /// The cached child `name`, if the cache knows it exists.
    fn cached_child(&self, name: &[u8]) -> Option<Arc<Dentry>> {
        self.state.lock().children.get(name).cloned().flatten()
    }

    /// Forgets whatever the cache knows of `name`.
    pub fn invalidate_child(&self, name: &[u8]) {
        self.state.lock().children.remove(name);
    }
}

/// Moves the cached dentry of `old` in `from` to `new` in `to` after a
/// rename; what was at `new` dies (or, for `RENAME_EXCHANGE`, moves back).
pub fn rename_dentries(
    from: &Arc<Dentry>,
    old: &[u8],
    to: &Arc<Dentry>,
    new: &[u8],
    exchange: bool,
) {
    let moving = from.cached_child(old);
    let displaced = to.cached_child(new);
    let relink = |d: &Arc<Dentry>, parent: &Arc<Dentry>, name: &[u8]| {
        let mut st = d.state.lock();
        st.name = name.to_vec();
        st.parent = Some(parent.clone());
    };
    from.invalidate_child(old);
    to.invalidate_child(new);
    if let Some(d) = &moving {
        relink(d, to, new);
        if to.inode.cacheable() {
            to.state
                .lock()
                .children
                .insert(new.to_vec(), Some(d.clone()));
        }
    }
    match displaced {
        Some(d) if exchange => {
            relink(&d, from, old);
            if from.inode.cacheable() {
                from.state.lock().children.insert(old.to_vec(), Some(d));
            }
        }
        Some(d) => d.dead.store(true, Ordering::Relaxed),
        None => {}
    }
}

/// Mount flags that the VFS enforces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountFlags {
    pub read_only: bool,
    pub nosuid: bool,
    pub nodev: bool,
    pub noexec: bool,
}

/// A mounted filesystem instance at a place in the tree.
#[derive(Debug)]
pub struct Mount {
    pub id: u32,
    pub root: Arc<Dentry>,
    /// The mount and dentry this one covers; `None` for the root mount.
    pub parent: Option<(Arc<Mount>, Arc<Dentry>)>,
    pub flags: MountFlags,
    /// The filesystem type (`tmpfs`, `proc`), its source and options, for
    /// `/proc/pid/mounts`.
    pub fs_type: &'static str,
    pub source: String,
    pub options: String,
    /// Mounts on dentries of this mount, by the dentry's address.
    children: Mutex<HashMap<usize, Vec<Arc<Mount>>>>,
}

static NEXT_MOUNT_ID: AtomicU64 = AtomicU64::new(1);

impl Mount {
    /// A filesystem's root mount (the namespace root).
    pub fn new_root(root: Arc<Dentry>, fs_type: &'static str, source: &str) -> Arc<Mount> {
        Mount::make(root, None, MountFlags::default(), fs_type, source)
    }

    fn make(
        root: Arc<Dentry>,
        parent: Option<(Arc<Mount>, Arc<Dentry>)>,
        flags: MountFlags,
        fs_type: &'static str,
        source: &str,
    ) -> Arc<Mount> {
        let id = u32::try_from(NEXT_MOUNT_ID.fetch_add(1, Ordering::Relaxed)).unwrap_or(u32::MAX);
        Arc::new(Mount {
            id,
            root,
            parent,
            flags,
            fs_type,
            source: source.to_owned(),
            options: String::new(),
            children: Mutex::new(HashMap::new()),
        })
    }

    /// Mounts the filesystem rooted at `root` on `at`.
    pub fn attach(
        at: &Location,
        root: Arc<Dentry>,
        flags: MountFlags,
        fs_type: &'static str,
        source: &str,
    ) -> Arc<Mount> {
        let m = Mount::make(
            root,
            Some((at.mnt.clone(), at.dentry.clone())),
            flags,
            fs_type,
            source,
        );
        at.dentry.mounted.fetch_add(1, Ordering::Relaxed);
        at.mnt
            .children
            .lock()
            .entry(Arc::as_ptr(&at.dentry) as usize)
            .or_default()
            .push(m.clone());
        m
    }

    /// The topmost mount on `dentry` of this mount.
    pub fn mounted_on(&self, dentry: &Arc<Dentry>) -> Option<Arc<Mount>> {
        if !dentry.is_mountpoint() {
            return None;
        }
        self.children
            .lock()
            .get(&(Arc::as_ptr(dentry) as usize))
            .and_then(|v| v.last().cloned())
    }

    /// Every mount below this one, depth first, this one first.
    pub fn tree(self: &Arc<Mount>) -> Vec<Arc<Mount>> {
        let mut out = vec![self.clone()];
        let kids: Vec<Arc<Mount>> = self.children.lock().values().flatten().cloned().collect();
        let mut kids = kids;
        kids.sort_by_key(|m| m.id);
        for k in kids {
            out.extend(k.tree());
        }
        out
    }
}

/// Timestamps and ownership shared by most in-memory nodes.
#[derive(Clone, Copy, Debug)]
pub struct Meta {
    pub ino: u64,
    pub dev: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u64,
    pub rdev: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
}

impl Meta {
    /// Fresh metadata for a new node, all times now.
    pub fn new(ino: u64, dev: u64, mode: u32, uid: u32, gid: u32) -> Meta {
        let t = now();
        Meta {
            ino,
            dev,
            mode,
            uid,
            gid,
            nlink: if is_dir(mode) { 2 } else { 1 },
            rdev: 0,
            atime: t,
            mtime: t,
            ctime: t,
        }
    }

    /// `struct stat` for a node of `size` bytes.
    pub fn stat(&self, size: u64) -> Stat {
        Stat {
            st_dev: self.dev,
            st_ino: self.ino,
            st_nlink: self.nlink,
            st_mode: self.mode,
            st_uid: self.uid,
            st_gid: self.gid,
            st_rdev: self.rdev,
            st_size: i64::try_from(size).unwrap_or(i64::MAX),
            st_blksize: 4096,
            st_blocks: i64::try_from(size.div_ceil(4096) * 8).unwrap_or(i64::MAX),
            st_atim: self.atime,
            st_mtim: self.mtime,
            st_ctim: self.ctime,
            ..Stat::default()
        }
    }

    /// Applies the ownership, mode and time fields of `a` (size is the
    /// node's business).
    pub fn apply(&mut self, a: &SetAttr) {
        if let Some(m) = a.mode {
            self.mode = (self.mode & S_IFMT) | (m & abi::stat::S_IALLUGO);
        }
        if let Some(u) = a.uid {
            self.uid = u;
        }
        if let Some(g) = a.gid {
            self.gid = g;
        }
        if let Some(t) = a.atime {
            self.atime = t;
        }
        if let Some(t) = a.mtime {
            self.mtime = t;
        }
        self.ctime = now();
    }

    /// The data changed: mtime and ctime are now.
    pub fn touch_modified(&mut self) {
        let t = now();
        self.mtime = t;
        self.ctime = t;
    }
}

/// A task's view of the tree: its root, working directory and umask,
/// shared by `CLONE_FS`.
#[derive(Clone, Debug)]
pub struct FsContext {
    pub root: Location,
    pub cwd: Location,
    pub umask: u32,
}

impl FsContext {
    /// A context at the root of `mnt`.
    pub fn at_root(mnt: &Arc<Mount>, umask: u32) -> FsContext {
        let root = Location::root_of(mnt);
        FsContext {
            cwd: root.clone(),
            root,
            umask,
        }
    }
}
