//! `/proc`: the sandbox's own processes, threads and settings, generated
//! from the kernel's tables at each read. Nothing of the host shows.
//!
//! The filesystem is a tree of [`ProcNode`]s named by what they show
//! ([`Kind`]); the nodes of a process name it by pid and start time, so a
//! node outlives its process harmlessly: once the process is gone (or its
//! pid names a newer one) lookups are `ENOENT` and reads `ESRCH`, as on
//! Linux. Directories whose entries come and go (`/proc`, `task`, `fd`)
//! are not cached by the dentry tree.
//!
//! This is the one module below `kernel` that reads tasks (STYLE's upward
//! use): it takes `Kernel::tree` briefly to copy what it shows, and each
//! task's published [`TaskView`] for its memory, files and fs context,
//! which it locks only after releasing the tree.
//!
//! Lock order (outer first):
//!   Kernel::tree
//!     TaskShared::view, TaskShared::comm

mod pid;
mod top;

use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

use abi::stat::{S_IFDIR, S_IFLNK, S_IFREG};
use abi::types::{Stat, Timespec};
use abi::Errno;
use parking_lot::Mutex;

use crate::fsimpl::{FileDescription, FileImpl};
use crate::kernel::process::{Process, TaskView, ThreadEntry, Tree};
use crate::kernel::Kernel;
use crate::vfs::{
    dirent_type, Dentry, DirEntry, FsStat, Inode, InodeRef, Location, Mount, SetAttr,
};
use crate::waiter::WaitQueue;

pub use pid::PidFile;
pub use top::TopFile;

/// `PROC_SUPER_MAGIC`.
pub const PROC_SUPER_MAGIC: u64 = 0x9fa0;

/// One mounted `/proc`.
#[derive(Debug)]
pub struct ProcFs {
    dev: u64,
    kernel: Weak<Kernel>,
    /// Where `/proc/pid/fd/N` leads for a file with no place in the tree.
    anon: OnceLock<Arc<Mount>>,
    /// The mount of the files `/proc/pid/ns/*` lead to, as Linux's nsfs.
    nsfs: OnceLock<Arc<Mount>>,
    /// `/proc/sys/kernel/random/boot_id`: one per boot.
    boot_id: String,
}

/// A process, or one thread of it, as a `/proc` directory names it. The
/// start time tells it from a later one with the same id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub tgid: i32,
    /// The thread, for `/proc/pid/task/tid` and `/proc/tid`.
    pub tid: Option<i32>,
    started: Instant,
}

/// What a node shows.
#[derive(Clone, Debug)]
enum Kind {
    Root,
    /// `/proc/self`, `/proc/thread-self`.
    SelfLink,
    ThreadSelfLink,
    /// A file at the top (`meminfo`, `/proc/sys/...`).
    Top(TopFile),
    /// A directory of `/proc/sys`, by its entries.
    SysDir(&'static [(&'static str, top::Sys)]),
    /// A symlink with fixed text (`/proc/mounts`).
    Link(&'static str),
    /// `/proc/pid` (or `/proc/pid/task/tid` when `in_task`).
    Pid {
        target: Target,
        in_task: bool,
    },
    /// `/proc/pid/task`.
    Tasks(Target),
    FdDir(Target),
    FdInfoDir(Target),
    Fd(Target, i32),
    FdInfo(Target, i32),
    /// `/proc/pid/ns` and its links.
    NsDir(Target),
    Ns(Target, pid::Namespace),
    File(Target, PidFile),
    /// `exe`, `cwd`, `root`.
    Magic(Target, pid::MagicLink),
}

/// A node of `/proc`.
#[derive(Debug)]
pub struct ProcNode {
    fs: Arc<ProcFs>,
    kind: Kind,
    this: Weak<ProcNode>,
}

/// The process a `/proc/<pid>` directory names: pidfd_send_signal takes
/// such a directory's descriptor as a pidfd.
pub fn process_of_dir(inode: &InodeRef) -> Option<i32> {
    let node = inode.as_any().downcast_ref::<ProcNode>()?;
    match &node.kind {
        Kind::Pid {
            target,
            in_task: false,
        } if target.tid.is_none() => Some(target.tgid),
        _ => None,
    }
}

/// A new `/proc` for `kernel`.
pub fn new_procfs(kernel: &Arc<Kernel>) -> InodeRef {
    let mut id = [0u8; 16];
    // The host's entropy cannot fail after boot on Linux.
    getrandom::fill(&mut id).expect("host getrandom");
    let fs = Arc::new(ProcFs {
        dev: crate::vfs::anon_dev(),
        kernel: Arc::downgrade(kernel),
        anon: OnceLock::new(),
        nsfs: OnceLock::new(),
        boot_id: uuid_text(&id),
    });
    ProcNode::new(&fs, Kind::Root)
}

/// A random UUID (version 4) in its text form.
fn uuid_text(b: &[u8; 16]) -> String {
    let mut b = *b;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        h[0..4].concat(),
        h[4..6].concat(),
        h[6..8].concat(),
        h[8..10].concat(),
        h[10..16].concat()
    )
}

/// A stable inode number for a node: a hash of what it shows.
fn ino_of(key: &str) -> u64 {
    // FNV-1a; 0 and 1 are left out (1 is the root).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h | 2
}

/// The sandbox's wall-clock time of an instant since boot.
fn wall_time(k: &Kernel, at: Instant) -> Timespec {
    let since = at.saturating_duration_since(k.boot_instant);
    let t = k.boot_realtime + since;
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timespec {
        tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

/// The caller: the kernel and the task the calling host thread runs.
fn current() -> Result<(Arc<Kernel>, i32), Errno> {
    crate::kernel::sigfiles::current().ok_or(Errno::ENOENT)
}

/// What the tree holds of a target, found under its lock.
struct Found<'a> {
    proc_: &'a Process,
    /// The thread the target names, or the process's main thread (the
    /// leader while it lives); `None` for a zombie.
    thread: Option<(i32, &'a ThreadEntry)>,
}

impl ProcFs {
    fn kernel(&self) -> Result<Arc<Kernel>, Errno> {
        self.kernel.upgrade().ok_or(Errno::ESRCH)
    }

    /// Runs `f` on the target's process and thread under the tree lock;
    /// `ESRCH` once they are gone.
    fn with<T>(&self, t: &Target, f: impl FnOnce(&Tree, Found<'_>) -> T) -> Result<T, Errno> {
        let k = self.kernel()?;
        let tree = k.tree.lock();
        let found = find(&tree, t).ok_or(Errno::ESRCH)?;
        Ok(f(&tree, found))
    }

    /// The target's published view: its memory, files and fs context.
    fn view(&self, t: &Target) -> Result<Option<TaskView>, Errno> {
        self.with(t, |_, f| {
            f.thread
                .and_then(|(_, e)| e.shared.view.lock().as_ref().cloned())
        })
    }

    /// Runs `f` on the target's process under the tree lock, to change
    /// it; `ESRCH` once it is gone.
    fn with_proc_mut(&self, t: &Target, f: impl FnOnce(&mut Process)) -> Result<(), Errno> {
        let k = self.kernel()?;
        let mut tree = k.tree.lock();
        find(&tree, t).ok_or(Errno::ESRCH)?;
        if let Some(p) = tree.procs.get_mut(&t.tgid) {
            f(p);
        }
        Ok(())
    }

    /// Where `/proc/pid/ns/*` leads: the namespace's file on an nsfs
    /// mount of this `/proc`'s own.
    fn ns_place(&self, ns: pid::Namespace) -> Location {
        let mount = self
            .nsfs
            .get_or_init(|| {
                let root = Arc::new(NsInode {
                    dev: crate::vfs::anon_dev(),
                    ino: 1,
                });
                Mount::new_root(Dentry::new_root(root), "nsfs", "nsfs")
            })
            .clone();
        let dev = mount
            .root
            .inode
            .as_any()
            .downcast_ref::<NsInode>()
            .map_or(0, |r| r.dev);
        let ino = ns.id().1;
        Location::new(mount, Dentry::new_root(Arc::new(NsInode { dev, ino })))
    }

    /// Whether the target still exists.
    fn alive(&self, t: &Target) -> bool {
        self.with(t, |_, _| ()).is_ok()
    }

    /// The mount that places of files outside the tree (pipes, host
    /// files, anonymous inodes) are on, as Linux's pipefs and
    /// anon_inodefs.
    fn anon_mount(&self) -> Arc<Mount> {
        self.anon
            .get_or_init(|| {
                let root = ProcNode::new(
                    &Arc::new(ProcFs {
                        dev: crate::vfs::anon_dev(),
                        kernel: Weak::new(),
                        anon: OnceLock::new(),
                        nsfs: OnceLock::new(),
                        boot_id: String::new(),
                    }),
                    Kind::Root,
                );
                Mount::new_root(Dentry::new_root(root), "anon_inodefs", "anon_inodefs")
            })
            .clone()
    }
}

/// Finds a target in the tree.
fn find<'a>(tree: &'a Tree, t: &Target) -> Option<Found<'a>> {
    let p = tree.procs.get(&t.tgid)?;
    if let Some(tid) = t.tid {
        let e = tree.threads.get(&tid)?;
        if e.tgid != t.tgid || e.started != t.started {
            return None;
        }
        return Some(Found {
            proc_: p,
            thread: Some((tid, e)),
        });
    }
    if p.started != t.started {
        return None;
    }
    let main = if p.threads.contains(&t.tgid) {
        Some(t.tgid)
    } else {
        p.threads.first().copied()
    };
    let thread = main.and_then(|tid| tree.threads.get(&tid).map(|e| (tid, e)));
    Some(Found { proc_: p, thread })
}

/// The target for `/proc/<id>`: a process by its pid, or any thread by
/// its tid (Linux answers lookups of tids it does not list).
fn target_of(tree: &Tree, id: i32) -> Option<Target> {
    if let Some(p) = tree.procs.get(&id) {
        return Some(Target {
            tgid: id,
            tid: None,
            started: p.started,
        });
    }
    let e = tree.threads.get(&id)?;
    Some(Target {
        tgid: e.tgid,
        tid: Some(id),
        started: e.started,
    })
}

/// A decimal name (no sign, no leading zeros), as `/proc` accepts pids
/// and descriptors.
fn parse_id(name: &[u8]) -> Option<i32> {
    if name.is_empty()
        || (name[0] == b'0' && name.len() > 1)
        || !name.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    std::str::from_utf8(name)
        .ok()?
        .parse::<u32>()
        .ok()?
        .try_into()
        .ok()
}

impl ProcNode {
    fn new(fs: &Arc<ProcFs>, kind: Kind) -> Arc<ProcNode> {
        Arc::new_cyclic(|this| ProcNode {
            fs: fs.clone(),
            kind,
            this: this.clone(),
        })
    }

    fn child(&self, kind: Kind) -> InodeRef {
        ProcNode::new(&self.fs, kind)
    }

    fn me(&self) -> Arc<ProcNode> {
        self.this.upgrade().expect("a node in use is alive")
    }

    /// The target a node of a process shows.
    fn target(&self) -> Option<&Target> {
        match &self.kind {
            Kind::Pid { target, .. }
            | Kind::Tasks(target)
            | Kind::FdDir(target)
            | Kind::FdInfoDir(target)
            | Kind::Fd(target, _)
            | Kind::FdInfo(target, _)
            | Kind::NsDir(target)
            | Kind::Ns(target, _)
            | Kind::File(target, _)
            | Kind::Magic(target, _) => Some(target),
            _ => None,
        }
    }

    /// The node's inode number.
    fn ino(&self) -> u64 {
        let t = |t: &Target| match t.tid {
            Some(tid) => format!("{}/task/{}", t.tgid, tid),
            None => t.tgid.to_string(),
        };
        let key = match &self.kind {
            Kind::Root => return 1,
            Kind::SelfLink => "self".to_owned(),
            Kind::ThreadSelfLink => "thread-self".to_owned(),
            Kind::Top(f) => format!("top/{f:?}"),
            Kind::SysDir(e) => format!("sys/{:p}", e.as_ptr()),
            Kind::Link(l) => format!("link/{l}"),
            Kind::Pid { target, in_task } => format!("{}/{in_task}", t(target)),
            Kind::Tasks(target) => format!("{}/task", t(target)),
            Kind::FdDir(target) => format!("{}/fd", t(target)),
            Kind::FdInfoDir(target) => format!("{}/fdinfo", t(target)),
            Kind::Fd(target, n) => format!("{}/fd/{n}", t(target)),
            Kind::FdInfo(target, n) => format!("{}/fdinfo/{n}", t(target)),
            Kind::NsDir(target) => format!("{}/ns", t(target)),
            Kind::Ns(target, ns) => format!("{}/ns/{}", t(target), ns.id().0),
            Kind::File(target, f) => format!("{}/{f:?}", t(target)),
            Kind::Magic(target, m) => format!("{}/{m:?}", t(target)),
        };
        ino_of(&key)
    }

    /// The type and permission bits.
    fn kind_mode(&self) -> u32 {
        match &self.kind {
            Kind::Root | Kind::SysDir(_) | Kind::Pid { .. } | Kind::Tasks(_) => S_IFDIR | 0o555,
            Kind::FdDir(_) | Kind::FdInfoDir(_) => S_IFDIR | 0o500,
            Kind::NsDir(_) => S_IFDIR | 0o511,
            Kind::SelfLink
            | Kind::ThreadSelfLink
            | Kind::Link(_)
            | Kind::Magic(..)
            | Kind::Ns(..) => S_IFLNK | 0o777,
            Kind::Fd(t, n) => S_IFLNK | self.fd_link_mode(t, *n),
            Kind::Top(f) => S_IFREG | f.mode(),
            Kind::FdInfo(..) => S_IFREG | 0o444,
            Kind::File(_, f) => S_IFREG | f.mode(),
        }
    }

    /// An fd link's mode: the owner's r and w follow the access mode.
    fn fd_link_mode(&self, t: &Target, fd: i32) -> u32 {
        let Ok(file) = self.fd_file(t, fd) else {
            return 0;
        };
        let flags = file.status_flags().unwrap_or(0);
        if flags & libc::O_PATH != 0 {
            return 0;
        }
        match flags & libc::O_ACCMODE {
            libc::O_RDONLY => 0o500,
            libc::O_WRONLY => 0o300,
            _ => 0o700,
        }
    }

    /// The description behind descriptor `fd` of the target.
    fn fd_file(&self, t: &Target, fd: i32) -> Result<Arc<FileDescription>, Errno> {
        let view = self.fs.view(t)?.ok_or(Errno::ENOENT)?;
        let f = view.fds.lock().get(fd).map_err(|_| Errno::ENOENT);
        f
    }

    /// The owner of a process's nodes: its effective ids, but root's for
    /// the files of a process that is not dumpable (Linux's
    /// `task_dump_owner`; its world-readable directories stay the
    /// process's, which is how `ps` finds a process's user).
    fn owner(&self) -> (u32, u32) {
        let Some(t) = self.target() else {
            return (0, 0);
        };
        let dir = self.kind_mode() == S_IFDIR | 0o555;
        match self.fs.view(t) {
            Ok(Some(v)) if v.dumpable || dir => (v.creds.euid, v.creds.egid),
            _ => (0, 0),
        }
    }

    fn times(&self) -> Timespec {
        let Ok(k) = self.fs.kernel() else {
            return Timespec::default();
        };
        match self.target() {
            Some(t) => wall_time(&k, t.started),
            None => wall_time(&k, k.boot_instant),
        }
    }

    /// Fails once the node's process is gone.
    fn check_alive(&self) -> Result<(), Errno> {
        match self.target() {
            Some(t) if !self.fs.alive(t) => Err(Errno::ENOENT),
            _ => Ok(()),
        }
    }

    /// The entries of a directory node: name and child.
    fn entries(&self) -> Result<Vec<(Vec<u8>, Kind)>, Errno> {
        self.check_alive()?;
        match &self.kind {
            Kind::Root => {
                let mut v: Vec<(Vec<u8>, Kind)> = top::ROOT
                    .iter()
                    .map(|(n, e)| (n.as_bytes().to_vec(), top_kind(e)))
                    .collect();
                v.push((b"self".to_vec(), Kind::SelfLink));
                v.push((b"thread-self".to_vec(), Kind::ThreadSelfLink));
                let k = self.fs.kernel()?;
                let tree = k.tree.lock();
                let mut pids: Vec<&Process> = tree.procs.values().collect();
                pids.sort_by_key(|p| p.tgid);
                for p in pids {
                    let target = Target {
                        tgid: p.tgid,
                        tid: None,
                        started: p.started,
                    };
                    v.push((
                        p.tgid.to_string().into_bytes(),
                        Kind::Pid {
                            target,
                            in_task: false,
                        },
                    ));
                }
                Ok(v)
            }
            Kind::SysDir(entries) => Ok(entries
                .iter()
                .map(|(n, e)| (n.as_bytes().to_vec(), top_kind(e)))
                .collect()),
            Kind::Pid { target, in_task } => Ok(pid::ENTRIES
                .iter()
                .filter(|(n, _)| !(*in_task && pid::PROCESS_ONLY.contains(n)))
                .map(|(n, e)| (n.as_bytes().to_vec(), e.kind(*target)))
                .collect()),
            Kind::NsDir(target) => Ok(pid::NAMESPACES
                .iter()
                .map(|(n, ns)| (n.as_bytes().to_vec(), Kind::Ns(*target, *ns)))
                .collect()),
            Kind::Tasks(target) => {
                let threads = self.fs.with(target, |tree, f| {
                    f.proc_
                        .threads
                        .iter()
                        .filter_map(|tid| tree.threads.get(tid).map(|e| (*tid, e.started)))
                        .collect::<Vec<_>>()
                })?;
                let mut threads = threads;
                threads.sort_by_key(|(tid, _)| *tid);
                Ok(threads
                    .into_iter()
                    .map(|(tid, started)| {
                        let t = Target {
                            tgid: target.tgid,
                            tid: Some(tid),
                            started,
                        };
                        (
                            tid.to_string().into_bytes(),
                            Kind::Pid {
                                target: t,
                                in_task: true,
                            },
                        )
                    })
                    .collect())
            }
            Kind::FdDir(target) | Kind::FdInfoDir(target) => {
                let fds = match self.fs.view(target)? {
                    Some(v) => v.fds.lock().open_fds(),
                    None => Vec::new(),
                };
                let info = matches!(self.kind, Kind::FdInfoDir(_));
                Ok(fds
                    .into_iter()
                    .map(|fd| {
                        let k = if info {
                            Kind::FdInfo(*target, fd)
                        } else {
                            Kind::Fd(*target, fd)
                        };
                        (fd.to_string().into_bytes(), k)
                    })
                    .collect())
            }
            _ => Err(Errno::ENOTDIR),
        }
    }

    /// The text of a symlink node.
    fn link_text(&self) -> Result<Vec<u8>, Errno> {
        match &self.kind {
            Kind::SelfLink => {
                let (tgid, _) = pid::caller()?;
                Ok(tgid.to_string().into_bytes())
            }
            Kind::ThreadSelfLink => {
                let (tgid, tid) = pid::caller()?;
                Ok(format!("{tgid}/task/{tid}").into_bytes())
            }
            Kind::Link(text) => Ok(text.as_bytes().to_vec()),
            Kind::Fd(t, fd) => {
                pid::may_read(&self.fs, t)?;
                let file = self.fd_file(t, *fd)?;
                Ok(fd_text(&file, &reader_root()?))
            }
            Kind::Magic(t, m) => {
                pid::may_read(&self.fs, t)?;
                let loc = pid::magic_place(&self.fs, t, *m)?;
                Ok(place_text(&loc, &reader_root()?))
            }
            Kind::Ns(t, ns) => {
                pid::may_read(&self.fs, t)?;
                let (name, ino) = ns.id();
                Ok(format!("{name}:[{ino}]").into_bytes())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// The bytes of a file node, generated now.
    fn generate(&self) -> Result<Vec<u8>, Errno> {
        match &self.kind {
            Kind::Top(f) => top::generate(&self.fs, *f),
            Kind::File(t, f) => pid::generate(&self.fs, t, *f),
            Kind::FdInfo(t, fd) => {
                pid::may_read(&self.fs, t)?;
                let view = self.fs.view(t)?.ok_or(Errno::ESRCH)?;
                let (file, cloexec) = {
                    let fds = view.fds.lock();
                    (
                        fds.get(*fd).map_err(|_| Errno::ENOENT)?,
                        fds.cloexec(*fd).unwrap_or(false),
                    )
                };
                Ok(fdinfo_text(&self.fs, &file, cloexec).into_bytes())
            }
            _ => Err(Errno::EISDIR),
        }
    }

    /// A write to a writable file node.
    fn store(&self, buf: &[u8]) -> Result<usize, Errno> {
        match &self.kind {
            Kind::Top(f) => top::store(&self.fs, *f, buf),
            Kind::File(t, f) => pid::store(&self.fs, t, *f, buf),
            _ => Err(Errno::EINVAL),
        }
    }
}

/// The node kind of a `/proc` or `/proc/sys` entry.
fn top_kind(e: &top::Sys) -> Kind {
    match e {
        top::Sys::Dir(d) => Kind::SysDir(d),
        top::Sys::File(f) => Kind::Top(*f),
        top::Sys::Link(l) => Kind::Link(l),
    }
}

/// The caller's root, which paths in `/proc` are relative to.
fn reader_root() -> Result<Location, Errno> {
    let (k, tid) = current()?;
    let shared = k
        .tree
        .lock()
        .threads
        .get(&tid)
        .map(|e| e.shared.clone())
        .ok_or(Errno::ENOENT)?;
    let view = shared.view.lock().clone().ok_or(Errno::ENOENT)?;
    let root = view.fs.lock().root.clone();
    Ok(root)
}

/// A place's path as `/proc` shows it: from the reader's root, with
/// " (deleted)" once its name is gone.
fn place_text(loc: &Location, root: &Location) -> Vec<u8> {
    let (mut p, _) = loc.path_from(root);
    if loc.dentry.is_dead() {
        p.extend_from_slice(b" (deleted)");
    }
    p
}

/// The file's place in the tree: `None` for files outside it, including
/// those opened again through `/proc/pid/fd/N`, whose place is a
/// [`Reopen`] node.
fn tree_place(file: &FileDescription) -> Option<&Location> {
    file.location()
        .filter(|l| !l.inode().as_any().is::<Reopen>())
}

/// What `/proc/pid/fd/N` reads as.
fn fd_text(file: &FileDescription, root: &Location) -> Vec<u8> {
    if let Some(loc) = tree_place(file) {
        return place_text(loc, root);
    }
    if let Some(name) = file.imp().anon_name() {
        return format!("anon_inode:{name}").into_bytes();
    }
    let st = file.stat().unwrap_or_default();
    let kind = match crate::vfs::file_type(st.st_mode) {
        abi::stat::S_IFIFO => "pipe",
        abi::stat::S_IFSOCK => "socket",
        // A file the host donated (a terminal, a file): no path of ours.
        _ => "host",
    };
    format!("{kind}:[{}]", st.st_ino).into_bytes()
}

/// `/proc/pid/fdinfo/N`.
fn fdinfo_text(fs: &ProcFs, file: &FileDescription, cloexec: bool) -> String {
    let pos = file.imp().seek(0, 1).unwrap_or(0);
    let mut flags = file.status_flags().unwrap_or(0);
    if cloexec {
        flags |= libc::O_CLOEXEC;
    }
    let mnt = file
        .location()
        .map_or_else(|| fs.anon_mount().id, |l| l.mnt.id);
    let ino = file.stat().map_or(0, |s| s.st_ino);
    format!(
        "pos:\t{pos}\nflags:\t0{:o}\nmnt_id:\t{mnt}\nino:\t{ino}\n{}",
        flags.cast_unsigned(),
        file.imp().fdinfo()
    )
}

impl Inode for ProcNode {
    fn stat(&self) -> Result<Stat, Errno> {
        let (uid, gid) = self.owner();
        let t = self.times();
        let mode = self.kind_mode();
        Ok(Stat {
            st_dev: self.fs.dev,
            st_ino: self.ino(),
            st_nlink: if crate::vfs::is_dir(mode) { 2 } else { 1 },
            st_mode: mode,
            st_uid: uid,
            st_gid: gid,
            st_blksize: 1024,
            st_atim: t,
            st_mtim: t,
            st_ctim: t,
            ..Stat::default()
        })
    }

    fn mode(&self) -> u32 {
        self.kind_mode()
    }

    fn permission(&self, creds: &crate::creds::Credentials, want: u32) -> Result<(), Errno> {
        let st = self.stat()?;
        if let Kind::Top(f) = &self.kind {
            // proc_sys_permission: a setting with no write bit is read-only
            // for root too.
            if f.is_sysctl() && want & crate::vfs::perm::MAY_WRITE != 0 && st.st_mode & 0o222 == 0 {
                return Err(Errno::EACCES);
            }
        }
        let r = crate::vfs::perm::check_stat(creds, &st, want);
        if let (Err(_), Kind::FdDir(t) | Kind::FdInfoDir(t)) = (&r, &self.kind) {
            // proc_fd_permission: a process may always look at its own.
            if pid::reader_tgid() == Some(t.tgid) {
                return Ok(());
            }
        }
        r
    }

    fn lookup(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        // Linux's proc_pid_permission finds no process before any lookup
        // in its directory (or its task/ directory) can.
        if let Kind::Pid { target, .. } | Kind::Tasks(target) = &self.kind {
            if !self.fs.alive(target) {
                return Err(Errno::ESRCH);
            }
        }
        if let Kind::Root = self.kind {
            let fixed = match name {
                b"self" => Some(Kind::SelfLink),
                b"thread-self" => Some(Kind::ThreadSelfLink),
                _ => top::ROOT
                    .iter()
                    .find(|(n, _)| n.as_bytes() == name)
                    .map(|(_, e)| top_kind(e)),
            };
            if let Some(kind) = fixed {
                return Ok(self.child(kind));
            }
            if let Some(id) = parse_id(name) {
                let k = self.fs.kernel().map_err(|_| Errno::ENOENT)?;
                let target = target_of(&k.tree.lock(), id).ok_or(Errno::ENOENT)?;
                return Ok(self.child(Kind::Pid {
                    target,
                    in_task: false,
                }));
            }
        }
        if let Kind::Tasks(t) = &self.kind {
            let tid = parse_id(name).ok_or(Errno::ENOENT)?;
            let k = self.fs.kernel().map_err(|_| Errno::ENOENT)?;
            let tree = k.tree.lock();
            find(&tree, t).ok_or(Errno::ENOENT)?;
            let e = tree.threads.get(&tid).ok_or(Errno::ENOENT)?;
            if e.tgid != t.tgid {
                return Err(Errno::ENOENT);
            }
            let target = Target {
                tgid: t.tgid,
                tid: Some(tid),
                started: e.started,
            };
            return Ok(self.child(Kind::Pid {
                target,
                in_task: true,
            }));
        }
        if let Kind::FdDir(t) | Kind::FdInfoDir(t) = &self.kind {
            let fd = parse_id(name).ok_or(Errno::ENOENT)?;
            self.check_alive()?;
            self.fd_file(t, fd)?;
            return Ok(self.child(if matches!(self.kind, Kind::FdDir(_)) {
                Kind::Fd(*t, fd)
            } else {
                Kind::FdInfo(*t, fd)
            }));
        }
        if matches!(
            self.kind,
            Kind::Root | Kind::SysDir(_) | Kind::Pid { .. } | Kind::NsDir(_)
        ) {
            return match self.entries()?.into_iter().find(|(n, _)| n == name) {
                Some((_, kind)) => Ok(self.child(kind)),
                None => Err(Errno::ENOENT),
            };
        }
        Err(Errno::ENOTDIR)
    }

    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        let entries = self.entries()?;
        Ok(entries
            .into_iter()
            .map(|(name, kind)| {
                let n = ProcNode {
                    fs: self.fs.clone(),
                    kind,
                    this: Weak::new(),
                };
                DirEntry {
                    ino: n.ino(),
                    kind: dirent_type(n.kind_mode()),
                    name,
                }
            })
            .collect())
    }

    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        self.check_alive()?;
        self.link_text()
    }

    fn follow_magic(&self) -> Option<Result<Location, Errno>> {
        match &self.kind {
            Kind::Fd(t, fd) => Some(pid::may_read(&self.fs, t).and_then(|()| {
                let file = self.fd_file(t, *fd)?;
                Ok(match tree_place(&file) {
                    Some(l) => l.clone(),
                    None => Location::new(
                        self.fs.anon_mount(),
                        Dentry::new_root(Arc::new(Reopen {
                            file: Arc::downgrade(&file),
                        })),
                    ),
                })
            })),
            Kind::Magic(t, m) => {
                Some(pid::may_read(&self.fs, t).and_then(|()| pid::magic_place(&self.fs, t, *m)))
            }
            Kind::Ns(t, ns) => Some(pid::may_read(&self.fs, t).map(|()| self.fs.ns_place(*ns))),
            _ => None,
        }
    }

    fn open(&self, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        match &self.kind {
            Kind::Top(_) | Kind::File(..) | Kind::FdInfo(..) => {}
            _ => return None,
        }
        let writing = flags & libc::O_ACCMODE != libc::O_RDONLY;
        if let Err(e) = self.check_alive() {
            return Some(Err(e));
        }
        let node = self.me();
        // Linux checks access to the process when the file is opened.
        if let Kind::File(t, f) = &self.kind {
            if let Err(e) = pid::may_open(&self.fs, t, *f, writing) {
                return Some(Err(e));
            }
        }
        Some(Ok(Box::new(SeqFile {
            inode: node,
            state: Mutex::new(SeqState::default()),
        })))
    }

    fn setattr(&self, a: &SetAttr) -> Result<(), Errno> {
        // O_TRUNC on a proc file is accepted and does nothing; owners and
        // modes are the kernel's.
        if a.mode.is_some() || a.uid.is_some() || a.gid.is_some() {
            return Err(Errno::EPERM);
        }
        Ok(())
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        Ok(FsStat::empty(PROC_SUPER_MAGIC))
    }

    fn cacheable(&self) -> bool {
        // Only /proc/sys keeps its lookups: a process directory's entries
        // go with the process.
        matches!(self.kind, Kind::SysDir(_))
    }

    fn creatable(&self) -> bool {
        false
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug, Default)]
struct SeqState {
    /// The bytes being read, generated when reading starts at offset 0.
    data: Option<Vec<u8>>,
    pos: u64,
}

/// An open `/proc` file: like Linux's seq_file, the text is generated
/// when a read starts at offset 0 and reads continue through it.
#[derive(Debug)]
struct SeqFile {
    inode: Arc<ProcNode>,
    state: Mutex<SeqState>,
}

impl SeqFile {
    fn read_at(&self, st: &mut SeqState, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        if st.data.is_none() || pos == 0 {
            st.data = Some(self.inode.generate()?);
        }
        let data = st.data.as_deref().unwrap_or_default();
        let at = usize::try_from(pos).unwrap_or(usize::MAX).min(data.len());
        let n = buf.len().min(data.len() - at);
        buf[..n].copy_from_slice(&data[at..at + n]);
        Ok(n)
    }
}

impl FileImpl for SeqFile {
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        let mut st = self.state.lock();
        let pos = st.pos;
        let n = self.read_at(&mut st, buf, pos)?;
        st.pos += n as u64;
        Ok(n)
    }

    fn pread(&self, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        let mut st = self.state.lock();
        self.read_at(&mut st, buf, pos)
    }

    fn write(&self, buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        self.inode.store(buf)
    }

    fn pwrite(&self, buf: &[u8], _pos: u64) -> Result<usize, Errno> {
        self.inode.store(buf)
    }

    fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        let mut st = self.state.lock();
        st.pos = crate::vfs::file::seek_from_start(st.pos, offset, whence)?;
        Ok(st.pos.cast_signed())
    }

    fn stat(&self) -> Result<Stat, Errno> {
        self.inode.stat()
    }

    fn truncate(&self, _len: u64) -> Result<(), Errno> {
        Ok(())
    }
}

/// A namespace as a file, what `/proc/pid/ns/*` leads to (Linux's nsfs
/// inode): its number names the namespace.
#[derive(Debug)]
struct NsInode {
    dev: u64,
    ino: u64,
}

impl Inode for NsInode {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(Stat {
            st_dev: self.dev,
            st_ino: self.ino,
            st_nlink: 1,
            st_mode: S_IFREG | 0o444,
            st_blksize: 4096,
            ..Stat::default()
        })
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        /// `NSFS_MAGIC`.
        const MAGIC: u64 = 0x6e73_6673;
        Ok(FsStat::empty(MAGIC))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The place `/proc/pid/fd/N` leads to for a file outside the tree (a
/// pipe, a donated host file, an eventfd): opening it opens that file
/// again, as Linux reopens a pipe's inode. It holds the file weakly: what
/// is opened through it is the new description's, and the old one still
/// closes when its descriptors do.
#[derive(Debug)]
struct Reopen {
    file: Weak<FileDescription>,
}

impl Reopen {
    fn file(&self) -> Result<Arc<FileDescription>, Errno> {
        self.file.upgrade().ok_or(Errno::ENOENT)
    }
}

impl Inode for Reopen {
    fn stat(&self) -> Result<Stat, Errno> {
        self.file()?.stat()
    }

    fn open(&self, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        Some(self.file().map(|file| {
            file.imp()
                .reopen(flags)
                .unwrap_or_else(|| Box::new(Reopened(file.clone())))
        }))
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        /// `ANON_INODE_FS_MAGIC`.
        const MAGIC: u64 = 0x0904_1934;
        Ok(FsStat::empty(MAGIC))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A file opened again through `/proc/pid/fd/N`: a new description (its
/// own access mode) of the same file.
#[derive(Debug)]
struct Reopened(Arc<FileDescription>);

impl FileImpl for Reopened {
    fn can_poll(&self) -> bool {
        self.0.can_poll()
    }

    fn read(&self, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        self.0.imp().read(buf, flags)
    }

    fn write(&self, buf: &[u8], flags: i32) -> Result<usize, Errno> {
        self.0.imp().write(buf, flags)
    }

    fn pread(&self, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        self.0.imp().pread(buf, pos)
    }

    fn pwrite(&self, buf: &[u8], pos: u64) -> Result<usize, Errno> {
        self.0.imp().pwrite(buf, pos)
    }

    fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        self.0.imp().seek(offset, whence)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        self.0.imp().stat()
    }

    fn tcgets(&self) -> Result<abi::types::Termios, Errno> {
        self.0.imp().tcgets()
    }

    fn window_size(&self) -> Result<abi::types::Winsize, Errno> {
        self.0.imp().window_size()
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        self.0.imp().bytes_readable()
    }

    fn readiness(&self) -> u32 {
        self.0.imp().readiness()
    }

    fn queue(&self) -> Option<&WaitQueue> {
        self.0.imp().queue()
    }

    fn pipe_size(&self) -> Result<i32, Errno> {
        self.0.imp().pipe_size()
    }

    fn set_pipe_size(&self, size: u64) -> Result<i32, Errno> {
        self.0.imp().set_pipe_size(size)
    }

    fn host_poll(&self, events: u32, timeout_ms: u16) -> Option<u32> {
        self.0.imp().host_poll(events, timeout_ms)
    }

    fn consumes_before_copy(&self) -> bool {
        self.0.imp().consumes_before_copy()
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        self.0.imp().as_any()
    }

    fn as_timerfd(&self) -> Option<&crate::fsimpl::timerfd::TimerFd> {
        self.0.imp().as_timerfd()
    }

    fn as_epoll(&self) -> Option<&crate::fsimpl::epoll::Epoll> {
        self.0.imp().as_epoll()
    }

    fn anon_name(&self) -> Option<&'static str> {
        self.0.imp().anon_name()
    }

    fn fdinfo(&self) -> String {
        self.0.imp().fdinfo()
    }

    fn reopen(&self, flags: i32) -> Option<Box<dyn FileImpl>> {
        self.0.imp().reopen(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_four_text() {
        let u = uuid_text(&[0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn ids_are_plain_decimals() {
        assert_eq!(parse_id(b"12"), Some(12));
        assert_eq!(parse_id(b"0"), Some(0));
        assert_eq!(parse_id(b"012"), None);
        assert_eq!(parse_id(b"+1"), None);
        assert_eq!(parse_id(b"-1"), None);
        assert_eq!(parse_id(b""), None);
        assert_eq!(parse_id(b"99999999999"), None);
    }

    #[test]
    fn inode_numbers_differ_by_key() {
        assert_ne!(ino_of("1/status"), ino_of("1/stat"));
        assert_ne!(ino_of("x"), 1);
    }
}
