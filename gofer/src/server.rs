//! The gofer server: answers one sentry over one socket, opening host files
//! only beneath the root it was given.
//!
//! Confinement rests on four rules:
//!
//! - Every node is an `O_PATH|O_NOFOLLOW` fd, and every new node comes from
//!   `openat(parent_node, name, O_PATH|O_NOFOLLOW)` with one checked name
//!   (no '/', not "." or ".."): a walk can only go down, one component at a
//!   time, and never through a symlink. A symlink is returned as a node;
//!   the sentry reads it and resolves it itself.
//! - Nodes are reopened for I/O, chmod, truncate and utimes through
//!   `/proc/self/fd/N` (a directory fd opened once at startup), which names
//!   exactly the node's inode, whatever has been renamed since. Only
//!   regular files and directories are opened (anything else is EPERM: the
//!   sentry has its own devices and FIFOs); symlinks are ELOOP. What was
//!   opened is checked to be the node's (dev, ino).
//! - Node ids are per connection; a node of another gofer cannot be named.
//! - Read-only mode answers EROFS before any mutating host call.
//!
//! Host errors are passed through as the errno: the host kernel's answer is
//! Linux's answer. A malformed request gets an error reply and the server
//! carries on; only a dead socket ends it.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{self, IoSlice};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use abi::Errno;
use nix::dir::{Dir, OwningIter, Type};
use nix::fcntl::{AtFlags, OFlag, RenameFlags};
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::resource::{getrlimit, setrlimit, Resource};
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
use nix::sys::stat::{
    fchmodat, fstat, fstatat, mkdirat, mknodat, utimensat, FchmodatFlags, FileStat, Mode, SFlag,
    UtimensatFlags,
};
use nix::sys::time::TimeSpec as HostTimeSpec;
use nix::unistd::{fchownat, linkat, symlinkat, unlinkat, Gid, Uid, UnlinkatFlags};

use crate::protocol::{
    check_name, dirent_len, read_header, Attr, Dirent, NodeId, Reply, Request, SetAttr, Statfs,
    TimeSpec, Timestamp, GETDENTS_REPLY_OVERHEAD, MAX_MESSAGE, SYMLINK_MAX, VERSION,
};
use crate::raw;

/// How the server treats its root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// Answer EROFS to every change and every open for writing.
    pub read_only: bool,
}

/// Opens `path` as a root for [`serve`]: `O_PATH|O_DIRECTORY`.
pub fn open_root(path: &Path) -> io::Result<OwnedFd> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open(path)?;
    Ok(file.into())
}

/// Takes ownership of descriptor `fd`, inherited from the parent process
/// (`--sock-fd N`). For 0, 1 and 2 this is a duplicate (std's handles keep
/// the originals). Call it at startup, before this process opens anything,
/// once per number; a second claim of the same number, or of a closed
/// descriptor, is an error.
pub fn inherited_fd(fd: RawFd) -> io::Result<OwnedFd> {
    match fd {
        0 => io::stdin().as_fd().try_clone_to_owned(),
        1 => io::stdout().as_fd().try_clone_to_owned(),
        2 => io::stderr().as_fd().try_clone_to_owned(),
        _ => raw::claim_inherited(fd),
    }
}

/// A host error as the sentry's errno: the host kernel's answer for the
/// same operation is the one Linux gives.
fn host_errno(e: nix::errno::Errno) -> Errno {
    Errno::from_raw(e as i32)
}

fn context(what: &str, e: impl Into<io::Error>) -> io::Error {
    let e = e.into();
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// Serves the sentry on `sock` (a `SOCK_SEQPACKET` unix socket) until it
/// closes its end, confined to the directory `root`.
///
/// Sets the process umask to 0 (modes are applied exactly as asked) and
/// raises the soft fd limit to the hard one (every node is an fd). Needs
/// `/proc/self/fd` at startup; confinement that follows may hide /proc
/// again, since the directory fd stays open.
pub fn serve(root: OwnedFd, sock: OwnedFd, opts: ServerOptions) -> io::Result<()> {
    nix::sys::stat::umask(Mode::empty());
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
    let proc_fd: OwnedFd = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open("/proc/self/fd")
        .map_err(|e| context("open /proc/self/fd", e))?
        .into();
    let root = raw::openat(
        proc_fd.as_fd(),
        fd_name(root.as_fd()).as_str(),
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| context("reopen root directory", e))?;
    let mut server = Server {
        root,
        proc_fd,
        read_only: opts.read_only,
        nodes: HashMap::new(),
        next_id: 1,
        versioned: false,
    };
    let mut buf = vec![0; MAX_MESSAGE];
    loop {
        let received = match raw::recv_with_fds(sock.as_fd(), &mut buf) {
            Ok(r) => r,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(nix::errno::Errno::ECONNRESET) => return Ok(()),
            Err(e) => return Err(context("gofer receive", e)),
        };
        // Fds sent to us are refused: dropping closes them.
        drop(received.fds);
        // A zero-length read is either the peer's close or an empty packet.
        if received.len == 0 && peer_closed(sock.as_fd()) {
            return Ok(());
        }
        let truncated = received.flags.contains(MsgFlags::MSG_TRUNC);
        let (reply, fd) = server.handle(&buf[..received.len], truncated);
        if !send_reply(sock.as_fd(), &reply, fd.as_ref())? {
            return Ok(());
        }
    }
}

fn peer_closed(sock: BorrowedFd<'_>) -> bool {
    let mut fds = [PollFd::new(sock, PollFlags::POLLIN)];
    match nix::poll::poll(&mut fds, PollTimeout::ZERO) {
        Ok(_) => fds[0]
            .revents()
            .is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)),
        Err(_) => true,
    }
}

/// Sends one reply; false if the peer is gone.
fn send_reply(sock: BorrowedFd<'_>, reply: &[u8], fd: Option<&OwnedFd>) -> io::Result<bool> {
    let raw_fds = fd.map(|f| [f.as_raw_fd()]);
    let cmsgs: Vec<ControlMessage<'_>> = raw_fds
        .as_ref()
        .map(|f| ControlMessage::ScmRights(f))
        .into_iter()
        .collect();
    loop {
        match sendmsg::<()>(
            sock.as_raw_fd(),
            &[IoSlice::new(reply)],
            &cmsgs,
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            Ok(_) => return Ok(true),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(nix::errno::Errno::EPIPE | nix::errno::Errno::ECONNRESET) => return Ok(false),
            Err(e) => return Err(context("gofer send", e)),
        }
    }
}

/// The name of `fd` in `/proc/self/fd`.
fn fd_name(fd: BorrowedFd<'_>) -> String {
    fd.as_raw_fd().to_string()
}

fn file_type(st: &FileStat) -> u32 {
    st.st_mode & libc::S_IFMT
}

fn attr_of(st: &FileStat) -> Attr {
    let nonneg = |v: i64| u64::try_from(v).unwrap_or(0);
    let ts = |sec: i64, nsec: i64| Timestamp {
        sec,
        nsec: u32::try_from(nsec).unwrap_or(0),
    };
    Attr {
        dev: st.st_dev,
        ino: st.st_ino,
        mode: st.st_mode,
        nlink: st.st_nlink,
        uid: st.st_uid,
        gid: st.st_gid,
        rdev: st.st_rdev,
        size: nonneg(st.st_size),
        blksize: u32::try_from(st.st_blksize).unwrap_or(u32::MAX),
        blocks: nonneg(st.st_blocks),
        atime: ts(st.st_atime, st.st_atime_nsec),
        mtime: ts(st.st_mtime, st.st_mtime_nsec),
        ctime: ts(st.st_ctime, st.st_ctime_nsec),
    }
}

fn stat_fd(fd: BorrowedFd<'_>) -> Result<FileStat, Errno> {
    fstat(fd.as_raw_fd()).map_err(host_errno)
}

fn dirent_kind(t: Option<Type>) -> u8 {
    match t {
        Some(Type::Fifo) => libc::DT_FIFO,
        Some(Type::CharacterDevice) => libc::DT_CHR,
        Some(Type::Directory) => libc::DT_DIR,
        Some(Type::BlockDevice) => libc::DT_BLK,
        Some(Type::File) => libc::DT_REG,
        Some(Type::Symlink) => libc::DT_LNK,
        Some(Type::Socket) => libc::DT_SOCK,
        None => libc::DT_UNKNOWN,
    }
}

/// A file the sentry holds.
struct Node {
    /// `O_PATH`; never a symlink followed.
    fd: OwnedFd,
    dev: u64,
    ino: u64,
    /// `S_IFMT` bits: an inode's type never changes.
    kind: u32,
    /// An open listing, continued by the next `Getdents` at its offset.
    listing: Option<Listing>,
}

struct Listing {
    entries: OwningIter,
    /// The offset of the next entry `entries` (or `pending`) yields.
    next: u64,
    /// Read but did not fit the last page.
    pending: Option<Dirent>,
}

impl Listing {
    /// The next entry but "." and "..", or None at the end.
    fn next_entry(&mut self) -> Result<Option<Dirent>, Errno> {
        if let Some(e) = self.pending.take() {
            return Ok(Some(e));
        }
        for entry in self.entries.by_ref() {
            let entry = entry.map_err(host_errno)?;
            let name = entry.file_name().to_bytes();
            // Skips "." and ".." (and names no Linux filesystem makes).
            if check_name(name).is_err() {
                continue;
            }
            return Ok(Some(Dirent {
                ino: entry.ino(),
                kind: dirent_kind(entry.file_type()),
                name: name.to_vec(),
            }));
        }
        Ok(None)
    }
}

type Outcome = Result<(Reply, Option<OwnedFd>), Errno>;

struct Server {
    /// `O_PATH` on the root directory; `Attach` hands out duplicates.
    root: OwnedFd,
    /// `/proc/self/fd`, through which nodes are reopened exactly.
    proc_fd: OwnedFd,
    read_only: bool,
    nodes: HashMap<NodeId, Node>,
    next_id: NodeId,
    /// A `Version` handshake has succeeded.
    versioned: bool,
}

impl Server {
    /// The reply message (and fd to donate) for one received packet.
    fn handle(&mut self, msg: &[u8], truncated: bool) -> (Vec<u8>, Option<OwnedFd>) {
        let (tag, op, outcome) = if truncated {
            // Too big for our buffer: answer what the header says, if any.
            let (tag, op) = read_header(msg).map_or((0, 0), |h| (h.tag, h.op));
            (tag, op, Err(Errno::EMSGSIZE))
        } else {
            match Request::decode(msg) {
                Err(e) => (e.tag, e.op, Err(e.errno)),
                Ok((header, req)) => (header.tag, header.op, self.dispatch(req)),
            }
        };
        let (reply, fd) = outcome.unwrap_or_else(|e| (Reply::Error(e), None));
        match reply.encode(tag, op) {
            Ok(bytes) => (bytes, fd),
            Err(_) => {
                let bytes = Reply::Error(Errno::EIO).encode(tag, op);
                (bytes.expect("an error reply is small"), None)
            }
        }
    }

    fn dispatch(&mut self, req: Request) -> Outcome {
        let plain = |r: Result<Reply, Errno>| r.map(|r| (r, None));
        let node = |r: Result<(NodeId, Attr), Errno>| {
            r.map(|(node, attr)| (Reply::Node { node, attr }, None))
        };
        if !self.versioned && !matches!(req, Request::Version { .. }) {
            return Err(Errno::EPROTO);
        }
        match req {
            Request::Version {
                version,
                max_message,
            } => plain(self.version(version, max_message)),
            Request::Attach => node(self.attach()),
            Request::Walk { dir, names } => plain(self.walk(dir, &names)),
            Request::Stat { node } => plain(self.stat(node).map(Reply::Attr)),
            Request::Open { node, flags } => {
                self.open(node, flags).map(|f| (Reply::Empty, Some(f)))
            }
            Request::Create {
                dir,
                name,
                flags,
                mode,
                uid,
                gid,
            } => self
                .create(dir, &name, flags, mode, uid, gid)
                .map(|(node, attr, f)| (Reply::Node { node, attr }, Some(f))),
            Request::Mkdir {
                dir,
                name,
                mode,
                uid,
                gid,
            } => node(self.mkdir(dir, &name, mode, uid, gid)),
            Request::Symlink {
                dir,
                name,
                target,
                uid,
                gid,
            } => node(self.symlink(dir, &name, &target, uid, gid)),
            Request::Mknod {
                dir,
                name,
                mode,
                uid,
                gid,
            } => node(self.mknod(dir, &name, mode, uid, gid)),
            Request::Link { dir, name, target } => node(self.link(dir, &name, target)),
            Request::Unlink { dir, name, flags } => {
                plain(self.unlink(dir, &name, flags).map(|()| Reply::Empty))
            }
            Request::Rename {
                old_dir,
                old_name,
                new_dir,
                new_name,
                flags,
            } => plain(
                self.rename(old_dir, &old_name, new_dir, &new_name, flags)
                    .map(|()| Reply::Empty),
            ),
            Request::Readlink { node } => plain(self.readlink(node).map(Reply::Readlink)),
            Request::SetAttr { node, attr } => plain(self.setattr(node, &attr).map(Reply::Attr)),
            Request::Getdents { dir, offset } => plain(self.getdents(dir, offset)),
            Request::Statfs { node } => plain(self.statfs(node).map(Reply::Statfs)),
            Request::Release { nodes } => plain(self.release(&nodes).map(|()| Reply::Empty)),
        }
    }

    fn node(&self, id: NodeId) -> Result<&Node, Errno> {
        self.nodes.get(&id).ok_or(Errno::EBADF)
    }

    fn dir_node(&self, id: NodeId) -> Result<&Node, Errno> {
        let node = self.node(id)?;
        if node.kind != libc::S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        Ok(node)
    }

    /// Records `fd` as a new node.
    fn insert(&mut self, fd: OwnedFd, st: &FileStat) -> (NodeId, Attr) {
        let id = self.next_id;
        // 2^64 requests are not in any sentry's future.
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.nodes.insert(
            id,
            Node {
                fd,
                dev: st.st_dev,
                ino: st.st_ino,
                kind: file_type(st),
                listing: None,
            },
        );
        (id, attr_of(st))
    }

    fn insert_fd(&mut self, fd: OwnedFd) -> Result<(NodeId, Attr), Errno> {
        let st = stat_fd(fd.as_fd())?;
        Ok(self.insert(fd, &st))
    }

    /// Opens `node`'s own inode anew through `/proc/self/fd`, checking it is
    /// the same file. `flags` must not ask to create anything.
    fn reopen(&self, node: &Node, flags: OFlag) -> Result<OwnedFd, Errno> {
        let fd = raw::openat(
            self.proc_fd.as_fd(),
            fd_name(node.fd.as_fd()).as_str(),
            flags | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
            Mode::empty(),
        )
        .map_err(host_errno)?;
        let st = stat_fd(fd.as_fd())?;
        if (st.st_dev, st.st_ino) != (node.dev, node.ino) {
            return Err(Errno::ESTALE);
        }
        Ok(fd)
    }

    /// What Linux says to creating `name` in `dir` on a read-only mount:
    /// EEXIST if it exists, else EROFS.
    fn read_only_create_error(&self, dir: &Node, name: &[u8]) -> Errno {
        match fstatat(Some(dir.fd.as_raw_fd()), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(_) => Errno::EEXIST,
            Err(nix::errno::Errno::ENOENT) => Errno::EROFS,
            Err(e) => host_errno(e),
        }
    }

    /// Gives a new file the owner asked for, if this process may (it may
    /// not without CAP_CHOWN, or for ids outside its user namespace: then
    /// the file stays ours).
    fn set_owner(&self, fd: BorrowedFd<'_>, uid: u32, gid: u32) -> Result<(), Errno> {
        match fchownat(
            Some(fd.as_raw_fd()),
            "",
            Some(Uid::from_raw(uid)),
            Some(Gid::from_raw(gid)),
            AtFlags::AT_EMPTY_PATH | AtFlags::AT_SYMLINK_NOFOLLOW,
        ) {
            Ok(()) | Err(nix::errno::Errno::EPERM | nix::errno::Errno::EINVAL) => Ok(()),
            Err(e) => Err(host_errno(e)),
        }
    }

    /// Sets exactly `mode`'s permission bits on `fd`'s inode (never a
    /// symlink); chown may have cleared set-id bits, a setgid parent added
    /// one.
    fn chmod(&self, fd: BorrowedFd<'_>, mode: u32) -> Result<(), Errno> {
        fchmodat(
            Some(self.proc_fd.as_raw_fd()),
            fd_name(fd).as_str(),
            Mode::from_bits_retain(mode & 0o7777),
            FchmodatFlags::FollowSymlink,
        )
        .map_err(host_errno)
    }

    /// Owner and exact mode for a file just created; its stat.
    fn finish_new(
        &self,
        fd: BorrowedFd<'_>,
        mode: Option<u32>,
        uid: u32,
        gid: u32,
    ) -> Result<FileStat, Errno> {
        self.set_owner(fd, uid, gid)?;
        let st = stat_fd(fd)?;
        match mode {
            Some(mode) if st.st_mode & 0o7777 != mode & 0o7777 => {
                self.chmod(fd, mode)?;
                stat_fd(fd)
            }
            _ => Ok(st),
        }
    }

    fn version(&mut self, version: u32, max_message: u32) -> Result<Reply, Errno> {
        if version != VERSION {
            eprintln!("gofer: client speaks protocol version {version}, this gofer {VERSION}");
            return Err(Errno::EPROTONOSUPPORT);
        }
        if usize::try_from(max_message).map_or(true, |m| m < MAX_MESSAGE) {
            return Err(Errno::EINVAL);
        }
        self.versioned = true;
        Ok(Reply::Version {
            version: VERSION,
            max_message: u32::try_from(MAX_MESSAGE).expect("64 KiB fits"),
        })
    }

    fn attach(&mut self) -> Result<(NodeId, Attr), Errno> {
        let fd = self
            .root
            .try_clone()
            .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?;
        self.insert_fd(fd)
    }

    /// Walks `names` from `dir`, one `openat(O_PATH|O_NOFOLLOW)` each.
    /// A mount of one of the kernel's own filesystems (the host's /proc,
    /// /sys and the like) is not entered: EACCES.
    /// Stops at the first failure (its errno in the reply), after a symlink
    /// (no error: the sentry resolves it), or at a non-directory followed
    /// by more names (ENOTDIR).
    fn walk(&mut self, dir: NodeId, names: &[Vec<u8>]) -> Result<Reply, Errno> {
        let start = self.dir_node(dir)?;
        let mut walked: Vec<(OwnedFd, FileStat)> = Vec::new();
        let mut error = None;
        for (i, name) in names.iter().enumerate() {
            let at = walked.last().map_or(start.fd.as_fd(), |(fd, _)| fd.as_fd());
            let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
            let found = raw::openat(at, name.as_slice(), flags, Mode::empty())
                .map_err(host_errno)
                .and_then(|fd| Ok((stat_fd(fd.as_fd())?, fd)));
            let (st, fd) = match found {
                Ok(found) => found,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            };
            let kind = file_type(&st);
            let parent_dev = walked.last().map_or(start.dev, |(_, p)| p.st_dev);
            if kind == libc::S_IFDIR && st.st_dev != parent_dev && kernel_pseudo_fs(fd.as_fd()) {
                error = Some(Errno::EACCES);
                break;
            }
            walked.push((fd, st));
            if kind != libc::S_IFDIR && i + 1 < names.len() {
                if kind != libc::S_IFLNK {
                    error = Some(Errno::ENOTDIR);
                }
                break;
            }
        }
        let nodes = walked
            .into_iter()
            .map(|(fd, st)| self.insert(fd, &st))
            .collect();
        Ok(Reply::Walk { nodes, error })
    }

    fn stat(&self, id: NodeId) -> Result<Attr, Errno> {
        Ok(attr_of(&stat_fd(self.node(id)?.fd.as_fd())?))
    }

    /// A file description for I/O on a regular file or directory. The
    /// errors come in Linux's order: ENOTDIR for `O_DIRECTORY`, ELOOP for a
    /// symlink, EISDIR for writing a directory, then EROFS.
    fn open(&self, id: NodeId, flags: i32) -> Result<OwnedFd, Errno> {
        const ALLOWED: i32 = libc::O_ACCMODE | libc::O_TRUNC | libc::O_DIRECTORY;
        if flags & !ALLOWED != 0 || flags & libc::O_ACCMODE == libc::O_ACCMODE {
            return Err(Errno::EINVAL);
        }
        let node = self.node(id)?;
        let writes = flags & libc::O_ACCMODE != libc::O_RDONLY || flags & libc::O_TRUNC != 0;
        let dir = node.kind == libc::S_IFDIR;
        if flags & libc::O_DIRECTORY != 0 && !dir {
            return Err(Errno::ENOTDIR);
        }
        match node.kind {
            libc::S_IFLNK => return Err(Errno::ELOOP),
            libc::S_IFDIR if writes => return Err(Errno::EISDIR),
            libc::S_IFDIR => {}
            libc::S_IFREG if writes && self.read_only => return Err(Errno::EROFS),
            libc::S_IFREG => {}
            _ => return Err(Errno::EPERM),
        }
        let mut oflags = OFlag::from_bits_retain(flags);
        if dir {
            oflags |= OFlag::O_DIRECTORY;
        }
        self.reopen(node, oflags)
    }

    fn create(
        &mut self,
        dir: NodeId,
        name: &[u8],
        flags: i32,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr, OwnedFd), Errno> {
        const ALLOWED: i32 = libc::O_ACCMODE | libc::O_TRUNC | libc::O_CREAT | libc::O_EXCL;
        if flags & !ALLOWED != 0 || flags & libc::O_ACCMODE == libc::O_ACCMODE {
            return Err(Errno::EINVAL);
        }
        let parent = self.dir_node(dir)?;
        if self.read_only {
            return Err(self.read_only_create_error(parent, name));
        }
        let mode = mode & 0o7777;
        let oflags = OFlag::from_bits_retain(flags & libc::O_ACCMODE)
            | OFlag::O_CREAT
            | OFlag::O_EXCL
            | OFlag::O_NOFOLLOW
            | OFlag::O_CLOEXEC
            | OFlag::O_NOCTTY;
        let file = raw::openat(
            parent.fd.as_fd(),
            name,
            oflags,
            Mode::from_bits_retain(mode),
        )
        .map_err(host_errno)?;
        let finished = self
            .finish_new(file.as_fd(), Some(mode), uid, gid)
            .and_then(|st| {
                let path = raw::openat(
                    self.proc_fd.as_fd(),
                    fd_name(file.as_fd()).as_str(),
                    OFlag::O_PATH | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(host_errno)?;
                Ok((path, st))
            });
        match finished {
            Ok((path, st)) => {
                let (id, attr) = self.insert(path, &st);
                Ok((id, attr, file))
            }
            Err(e) => {
                // O_EXCL: the file is the one we just made.
                let _ = unlinkat(
                    Some(parent.fd.as_raw_fd()),
                    name,
                    UnlinkatFlags::NoRemoveDir,
                );
                Err(e)
            }
        }
    }

    /// Makes the entry `name` in `dir` with `make` (given the directory's
    /// fd), then opens it as a node, which must be of type `kind`, and sets
    /// its owner and exact `mode`.
    fn make(
        &mut self,
        dir: NodeId,
        name: &[u8],
        kind: u32,
        mode: Option<u32>,
        (uid, gid): (u32, u32),
        make: impl FnOnce(RawFd) -> nix::Result<()>,
    ) -> Result<(NodeId, Attr), Errno> {
        let parent = self.dir_node(dir)?;
        if self.read_only {
            return Err(self.read_only_create_error(parent, name));
        }
        make(parent.fd.as_raw_fd()).map_err(host_errno)?;
        let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = raw::openat(parent.fd.as_fd(), name, flags, Mode::empty()).map_err(host_errno)?;
        let st = stat_fd(fd.as_fd())?;
        if file_type(&st) != kind {
            // Replaced between our create and open: by the host, not us.
            return Err(Errno::ESTALE);
        }
        let st = self.finish_new(fd.as_fd(), mode, uid, gid)?;
        Ok(self.insert(fd, &st))
    }

    fn mkdir(
        &mut self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr), Errno> {
        let mode = mode & 0o7777;
        let perm = Mode::from_bits_retain(mode);
        self.make(dir, name, libc::S_IFDIR, Some(mode), (uid, gid), |at| {
            mkdirat(Some(at), name, perm)
        })
    }

    fn symlink(
        &mut self,
        dir: NodeId,
        name: &[u8],
        target: &[u8],
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr), Errno> {
        self.make(dir, name, libc::S_IFLNK, None, (uid, gid), |at| {
            symlinkat(target, Some(at), name)
        })
    }

    /// Regular files only: the sentry makes its own devices, FIFOs and
    /// sockets. Other types are refused as Linux's `may_mknod` would order
    /// it: EPERM for a type it knows, EINVAL for one it does not.
    fn mknod(
        &mut self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr), Errno> {
        match mode & libc::S_IFMT {
            0 | libc::S_IFREG => {}
            libc::S_IFDIR | libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO | libc::S_IFSOCK => {
                return Err(Errno::EPERM)
            }
            _ => return Err(Errno::EINVAL),
        }
        let mode = mode & 0o7777;
        let perm = Mode::from_bits_retain(mode);
        self.make(dir, name, libc::S_IFREG, Some(mode), (uid, gid), |at| {
            mknodat(Some(at), name, SFlag::S_IFREG, perm, 0)
        })
    }

    /// A hard link to `target`'s own inode, made through `/proc/self/fd`
    /// (no CAP_DAC_READ_SEARCH needed, unlike `AT_EMPTY_PATH`).
    fn link(&mut self, dir: NodeId, name: &[u8], target: NodeId) -> Result<(NodeId, Attr), Errno> {
        let parent = self.dir_node(dir)?;
        let target = self.node(target)?;
        if self.read_only {
            return Err(self.read_only_create_error(parent, name));
        }
        if target.kind == libc::S_IFDIR {
            return Err(Errno::EPERM);
        }
        let (dev, ino) = (target.dev, target.ino);
        linkat(
            Some(self.proc_fd.as_raw_fd()),
            fd_name(target.fd.as_fd()).as_bytes(),
            Some(parent.fd.as_raw_fd()),
            name,
            AtFlags::AT_SYMLINK_FOLLOW,
        )
        .map_err(host_errno)?;
        let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = raw::openat(parent.fd.as_fd(), name, flags, Mode::empty()).map_err(host_errno)?;
        let st = stat_fd(fd.as_fd())?;
        if (st.st_dev, st.st_ino) != (dev, ino) {
            return Err(Errno::ESTALE);
        }
        Ok(self.insert(fd, &st))
    }

    fn unlink(&self, dir: NodeId, name: &[u8], flags: i32) -> Result<(), Errno> {
        let how = match flags {
            0 => UnlinkatFlags::NoRemoveDir,
            libc::AT_REMOVEDIR => UnlinkatFlags::RemoveDir,
            _ => return Err(Errno::EINVAL),
        };
        let parent = self.dir_node(dir)?;
        if self.read_only {
            return Err(Errno::EROFS);
        }
        unlinkat(Some(parent.fd.as_raw_fd()), name, how).map_err(host_errno)
    }

    fn rename(
        &self,
        old_dir: NodeId,
        old_name: &[u8],
        new_dir: NodeId,
        new_name: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        let allowed = RenameFlags::RENAME_NOREPLACE | RenameFlags::RENAME_EXCHANGE;
        let flags = RenameFlags::from_bits(flags)
            .filter(|f| allowed.contains(*f))
            .ok_or(Errno::EINVAL)?;
        let old = self.dir_node(old_dir)?;
        let new = self.dir_node(new_dir)?;
        if self.read_only {
            return Err(Errno::EROFS);
        }
        nix::fcntl::renameat2(
            Some(old.fd.as_raw_fd()),
            old_name,
            Some(new.fd.as_raw_fd()),
            new_name,
            flags,
        )
        .map_err(host_errno)
    }

    fn readlink(&self, id: NodeId) -> Result<Vec<u8>, Errno> {
        let node = self.node(id)?;
        if node.kind != libc::S_IFLNK {
            return Err(Errno::EINVAL);
        }
        // An empty path reads the symlink the O_PATH fd itself names.
        let target = nix::fcntl::readlinkat(Some(node.fd.as_raw_fd()), "").map_err(host_errno)?;
        let target = std::os::unix::ffi::OsStringExt::into_vec(target);
        if target.len() > SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(target)
    }

    /// Owner, size, mode, times, in that order: chown and (unprivileged)
    /// truncate clear set-id bits, so the mode asked for comes after them,
    /// and truncate sets mtime, so times come last. What can be refused
    /// without trying is refused before anything changes; after that the
    /// first failure is the answer, and what came before it stays done.
    fn setattr(&self, id: NodeId, set: &SetAttr) -> Result<Attr, Errno> {
        let node = self.node(id)?;
        if self.read_only {
            return Err(Errno::EROFS);
        }
        // Linux cannot chmod a symlink itself (fchmodat2's answer).
        if set.mode.is_some() && node.kind == libc::S_IFLNK {
            return Err(Errno::EOPNOTSUPP);
        }
        let len = match set.size {
            None => None,
            Some(size) => match node.kind {
                libc::S_IFDIR => return Err(Errno::EISDIR),
                libc::S_IFREG => Some(i64::try_from(size).map_err(|_| Errno::EINVAL)?),
                _ => return Err(Errno::EINVAL),
            },
        };
        let fd = node.fd.as_fd();
        if set.uid.is_some() || set.gid.is_some() {
            fchownat(
                Some(fd.as_raw_fd()),
                "",
                set.uid.map(Uid::from_raw),
                set.gid.map(Gid::from_raw),
                AtFlags::AT_EMPTY_PATH | AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(host_errno)?;
        }
        if let Some(len) = len {
            let file = self.reopen(node, OFlag::O_WRONLY)?;
            nix::unistd::ftruncate(&file, len).map_err(host_errno)?;
        }
        if let Some(mode) = set.mode {
            self.chmod(fd, mode)?;
        }
        if set.atime.is_some() || set.mtime.is_some() {
            let host = |t: Option<TimeSpec>| match t {
                None => HostTimeSpec::UTIME_OMIT,
                Some(TimeSpec::Now) => HostTimeSpec::UTIME_NOW,
                Some(TimeSpec::Set(t)) => HostTimeSpec::new(t.sec, i64::from(t.nsec)),
            };
            // Through /proc/self/fd so a symlink's own times are set: the
            // magic link names the node's inode and is not followed further.
            utimensat(
                Some(self.proc_fd.as_raw_fd()),
                fd_name(fd).as_str(),
                &host(set.atime),
                &host(set.mtime),
                UtimensatFlags::FollowSymlink,
            )
            .map_err(host_errno)?;
        }
        Ok(attr_of(&stat_fd(fd)?))
    }

    /// One page of `dir`'s entries from index `offset`. Pages continue one
    /// open listing per node; any other offset starts a new listing and
    /// skips to it.
    fn getdents(&mut self, dir: NodeId, offset: u64) -> Result<Reply, Errno> {
        let node = self.dir_node(dir)?;
        let continues = node.listing.as_ref().is_some_and(|l| l.next == offset);
        let fresh = if continues {
            None
        } else {
            let fd = self.reopen(node, OFlag::O_RDONLY | OFlag::O_DIRECTORY)?;
            let mut listing = Listing {
                entries: Dir::from(fd).map_err(host_errno)?.into_iter(),
                next: 0,
                pending: None,
            };
            while listing.next < offset && listing.next_entry()?.is_some() {
                listing.next += 1;
            }
            Some(listing)
        };
        let node = self.nodes.get_mut(&dir).ok_or(Errno::EBADF)?;
        if let Some(listing) = fresh {
            node.listing = Some(listing);
        }
        let listing = node.listing.as_mut().ok_or(Errno::EBADF)?;
        let budget = MAX_MESSAGE - GETDENTS_REPLY_OVERHEAD;
        let mut used = 0;
        let mut entries = Vec::new();
        let eof = loop {
            let entry = match listing.next_entry() {
                Ok(Some(e)) => e,
                Ok(None) => break true,
                Err(e) => {
                    node.listing = None;
                    return Err(e);
                }
            };
            let len = dirent_len(&entry);
            if used + len > budget {
                listing.pending = Some(entry);
                break false;
            }
            used += len;
            entries.push(entry);
        };
        listing.next = offset.saturating_add(u64::try_from(entries.len()).unwrap_or(u64::MAX));
        if eof {
            node.listing = None;
        }
        Ok(Reply::Getdents { entries, eof })
    }

    fn statfs(&self, id: NodeId) -> Result<Statfs, Errno> {
        let fd = self.node(id)?.fd.as_fd();
        let fs = nix::sys::statfs::fstatfs(fd).map_err(host_errno)?;
        let vfs = nix::sys::statvfs::fstatvfs(fd).map_err(host_errno)?;
        let mut flags = vfs.flags().bits();
        if self.read_only {
            flags |= libc::ST_RDONLY;
        }
        let signed = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(Statfs {
            fs_type: signed(fs.filesystem_type().0),
            bsize: signed(fs.block_size()),
            blocks: fs.blocks(),
            bfree: fs.blocks_free(),
            bavail: fs.blocks_available(),
            files: fs.files(),
            ffree: fs.files_free(),
            namelen: signed(fs.maximum_name_length()),
            frsize: vfs.fragment_size(),
            flags,
        })
    }

    /// Forgets `ids`; EBADF if any was not a node (the others are still
    /// released).
    fn release(&mut self, ids: &[NodeId]) -> Result<(), Errno> {
        let mut unknown = false;
        for id in ids {
            unknown |= self.nodes.remove(id).is_none();
        }
        if unknown {
            return Err(Errno::EBADF);
        }
        Ok(())
    }
}

/// Whether the directory `fd` is on a filesystem of the host kernel's own
/// state (procfs, sysfs, debugfs, cgroups, ...), which the gofer never
/// serves: the sandbox has its own, and the host's would describe the
/// host.
fn kernel_pseudo_fs(fd: BorrowedFd<'_>) -> bool {
    const DENY: &[i64] = &[
        0x9fa0,      // PROC_SUPER_MAGIC
        0x6265_6572, // SYSFS_MAGIC
        0x6462_6720, // DEBUGFS_MAGIC
        0x7472_6163, // TRACEFS_MAGIC
        0x7363_6673, // SECURITYFS_MAGIC
        0x0027_e0eb, // CGROUP_SUPER_MAGIC
        0x6367_7270, // CGROUP2_SUPER_MAGIC
        0xcafe_4a11, // BPF_FS_MAGIC
        0x6265_6570, // CONFIGFS_MAGIC
        0x6573_5546, // FUSECTL_SUPER_MAGIC
        0x6165_676c, // PSTOREFS_MAGIC
        0xde5e_81e4, // EFIVARFS_MAGIC
        0x1cd1,      // DEVPTS_SUPER_MAGIC
        0x6e73_6673, // NSFS_MAGIC
    ];
    match nix::sys::statfs::fstatfs(fd) {
        Ok(s) => DENY.contains(&s.filesystem_type().0),
        // A filesystem that cannot say what it is is not served either.
        Err(_) => true,
    }
}
