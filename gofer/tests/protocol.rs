//! The gofer against a real server process serving a temporary directory:
//! every operation's success and Linux errnos, fd donation, paging,
//! malformed messages sent raw, and escape attempts.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

use std::fs;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use abi::Errno;
use gofer::protocol::{
    Header, Op, Reply, Request, HEADER_LEN, MAX_MESSAGE, NAME_MAX, VERSION, WALK_MAX,
};
use gofer::{Attr, Client, NodeId, SetAttr, TimeSpec, Timestamp};
use nix::sys::socket::{
    recv, send, setsockopt, socketpair, sockopt, AddressFamily, MsgFlags, SockFlag, SockType,
};
use nix::sys::time::TimeVal;
use tempfile::TempDir;

const SERVER: &str = env!("CARGO_BIN_EXE_gofer-test-server");

/// A server process on a fresh socket (its end is the child's stdin).
fn spawn_server(root: &Path, read_only: bool) -> (Child, OwnedFd) {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair");
    let mut cmd = Command::new(SERVER);
    cmd.arg("--root")
        .arg(root)
        .args(["--sock-fd", "0"])
        .stdin(Stdio::from(theirs));
    if read_only {
        cmd.arg("--read-only");
    }
    let child = cmd.spawn().expect("spawn gofer-test-server");
    // A test that goes wrong fails instead of hanging.
    setsockopt(&ours, sockopt::ReceiveTimeout, &TimeVal::new(20, 0)).expect("SO_RCVTIMEO");
    (child, ours)
}

/// Waits for `child` to exit (killing it after a while) and returns
/// whether it exited with status 0.
fn reap(child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait().expect("wait") {
            Some(status) => return status.success(),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// A gofer serving a temporary directory, with a connected client and the
/// root attached.
struct Fixture {
    dir: TempDir,
    child: Child,
    client: Option<Client>,
    root: NodeId,
    /// The server must exit with status 0 once the client is gone.
    clean_exit: bool,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with(false)
    }

    fn read_only() -> Fixture {
        Fixture::with(true)
    }

    fn with(read_only: bool) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("root")).expect("mkdir root");
        Fixture::serving(dir, read_only)
    }

    /// Serves `dir/root`; `dir` is free for things outside the root.
    fn serving(dir: TempDir, read_only: bool) -> Fixture {
        let (child, sock) = spawn_server(&dir.path().join("root"), read_only);
        let client = Client::connect(sock).expect("handshake");
        let (root, attr) = client.attach().expect("attach");
        assert!(attr.is_dir());
        Fixture {
            dir,
            child,
            client: Some(client),
            root,
            clean_exit: true,
        }
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("connected")
    }

    /// A path inside the served root.
    fn host(&self, rel: &str) -> PathBuf {
        self.dir.path().join("root").join(rel)
    }

    /// A path beside the root, outside it.
    fn outside(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Walks a slash-separated relative path from the root.
    fn walk(&self, path: &str) -> gofer::Walked {
        let names: Vec<&[u8]> = path.split('/').map(str::as_bytes).collect();
        self.c().walk(self.root, &names).expect("walk")
    }

    /// The node at `path`, which must exist without symlinks on the way.
    fn node(&self, path: &str) -> (NodeId, Attr) {
        let w = self.walk(path);
        assert_eq!(w.error, None, "walk {path}");
        assert_eq!(w.nodes.len(), path.split('/').count(), "walk {path}");
        *w.nodes.last().expect("a node")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Closing our end must end the server cleanly.
        drop(self.client.take());
        let clean = reap(&mut self.child);
        if self.clean_exit && !std::thread::panicking() {
            assert!(clean, "gofer server did not exit cleanly");
        }
    }
}

fn is_root() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    assert!(
        std::env::var("SANDBOX_TESTS_STRICT").as_deref() != Ok("1"),
        "root is required under SANDBOX_TESTS_STRICT=1"
    );
    eprintln!("SKIP: not root");
    false
}

fn read_fd(fd: &OwnedFd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let mut off = 0;
    loop {
        let n = nix::sys::uio::pread(fd, &mut buf, off).expect("pread");
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
        off += i64::try_from(n).expect("small");
    }
}

// ---------------------------------------------------------------- basics

#[test]
fn client_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Client>();
}

#[test]
fn attach_is_the_root_directory() {
    let f = Fixture::new();
    let meta = fs::metadata(f.host("")).expect("stat root");
    let attr = f.c().stat(f.root).expect("stat");
    assert_eq!((attr.dev, attr.ino), (meta.dev(), meta.ino()));
    assert!(attr.is_dir());
    // Each attach is a node of its own.
    let (again, _) = f.c().attach().expect("attach");
    assert_ne!(again, f.root);
}

#[test]
fn server_exits_cleanly_when_the_client_closes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, sock) = spawn_server(dir.path(), false);
    drop(sock);
    assert!(reap(&mut child));
}

#[test]
fn stat_matches_the_host() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"hello").expect("write");
    let meta = fs::symlink_metadata(f.host("file")).expect("stat");
    let (node, walked) = f.node("file");
    let attr = f.c().stat(node).expect("stat");
    assert_eq!(attr, walked);
    assert_eq!(attr.ino, meta.ino());
    assert_eq!(attr.dev, meta.dev());
    assert_eq!(attr.mode, meta.mode());
    assert_eq!(attr.size, 5);
    assert_eq!(attr.nlink, 1);
    assert_eq!(attr.uid, meta.uid());
    assert_eq!(attr.mtime.sec, meta.mtime());
    assert_eq!(i64::from(attr.mtime.nsec), meta.mtime_nsec());
}

#[test]
fn unknown_and_released_nodes_are_ebadf() {
    let f = Fixture::new();
    assert_eq!(f.c().stat(999_999), Err(Errno::EBADF));
    fs::write(f.host("file"), b"").expect("write");
    let (node, _) = f.node("file");
    f.c().release(&[node]);
    assert_eq!(f.c().stat(node), Err(Errno::EBADF));
    assert_eq!(f.c().open(node, libc::O_RDONLY).err(), Some(Errno::EBADF));
    // Releasing twice, or nonsense, is harmless.
    f.c().release(&[node, 0, u64::MAX]);
    assert!(f.c().stat(f.root).is_ok());
}

// ---------------------------------------------------------------- walk

#[test]
fn walk_finds_every_component() {
    let f = Fixture::new();
    fs::create_dir_all(f.host("a/b/c")).expect("mkdir");
    fs::write(f.host("a/b/c/file"), b"x").expect("write");
    let w = f.walk("a/b/c/file");
    assert_eq!(w.error, None);
    assert_eq!(w.nodes.len(), 4);
    let inos: Vec<u64> = w.nodes.iter().map(|(_, a)| a.ino).collect();
    for (i, p) in ["a", "a/b", "a/b/c", "a/b/c/file"].iter().enumerate() {
        assert_eq!(inos[i], fs::metadata(f.host(p)).expect("stat").ino());
    }
    // Node ids are distinct.
    let mut ids: Vec<NodeId> = w.nodes.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4);
}

#[test]
fn walk_of_a_missing_name_is_enoent_after_the_found_ones() {
    let f = Fixture::new();
    fs::create_dir(f.host("a")).expect("mkdir");
    let w = f.walk("a/missing/more");
    assert_eq!(w.nodes.len(), 1);
    assert_eq!(w.error, Some(Errno::ENOENT));
    let w = f.walk("missing");
    assert!(w.nodes.is_empty());
    assert_eq!(w.error, Some(Errno::ENOENT));
}

#[test]
fn walk_through_a_file_is_enotdir() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"").expect("write");
    let w = f.walk("file/x");
    assert_eq!(w.nodes.len(), 1);
    assert_eq!(w.error, Some(Errno::ENOTDIR));
    // From a file node: nothing to walk.
    let (file, _) = f.node("file");
    assert_eq!(f.c().walk(file, &[b"x"]), Err(Errno::ENOTDIR));
}

#[test]
fn walk_of_no_names_walks_nothing() {
    let f = Fixture::new();
    let w = f.c().walk(f.root, &[]).expect("walk");
    assert!(w.nodes.is_empty());
    assert_eq!(w.error, None);
}

#[test]
fn walk_longer_than_one_request_is_split() {
    let f = Fixture::new();
    let depth = WALK_MAX + 44;
    let mut path = f.host("");
    for _ in 0..depth {
        path.push("d");
    }
    fs::create_dir_all(&path).expect("mkdir deep");
    let names = vec![&b"d"[..]; depth];
    let w = f.c().walk(f.root, &names).expect("walk");
    assert_eq!(w.error, None);
    assert_eq!(w.nodes.len(), depth);
    // Long names: fewer per request.
    let long = "n".repeat(NAME_MAX);
    let mut path = f.host("");
    for _ in 0..300 {
        path.push(&long);
    }
    if fs::create_dir_all(&path).is_ok() {
        let names = vec![long.as_bytes(); 300];
        let w = f.c().walk(f.root, &names).expect("walk");
        assert_eq!((w.nodes.len(), w.error), (300, None));
    }
    // Stops at a file reached at the end of one request, as one would.
    fs::write(f.host("file"), b"").expect("write");
    let mut names = vec![&b"file"[..]];
    names.extend(vec![&b"x"[..]; WALK_MAX + 5]);
    let w = f.c().walk(f.root, &names).expect("walk");
    assert_eq!((w.nodes.len(), w.error), (1, Some(Errno::ENOTDIR)));
}

#[test]
fn walk_refuses_bad_names() {
    let f = Fixture::new();
    fs::create_dir(f.host("a")).expect("mkdir");
    for bad in [&b".."[..], b".", b"", b"a/b", b"/", b"a\0"] {
        assert_eq!(f.c().walk(f.root, &[bad]), Err(Errno::EINVAL), "{bad:?}");
        assert_eq!(
            f.c().walk(f.root, &[b"a", bad]),
            Err(Errno::EINVAL),
            "{bad:?}"
        );
    }
    let long = vec![b'x'; NAME_MAX + 1];
    assert_eq!(f.c().walk(f.root, &[&long]), Err(Errno::ENAMETOOLONG));
    let longest = vec![b'x'; NAME_MAX];
    assert_eq!(
        f.c().walk(f.root, &[&longest]).expect("walk").error,
        Some(Errno::ENOENT)
    );
}

// ---------------------------------------------------------------- open

#[test]
fn open_donates_an_fd_to_the_real_file() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"hello").expect("write");
    let (node, _) = f.node("file");
    let fd = f.c().open(node, libc::O_RDWR).expect("open");
    assert_eq!(read_fd(&fd), b"hello");
    nix::sys::uio::pwrite(&fd, b"J", 0).expect("pwrite");
    nix::sys::uio::pwrite(&fd, b" world", 5).expect("pwrite");
    assert_eq!(fs::read(f.host("file")).expect("read"), b"Jello world");
    // And the host's writes show through our fd.
    fs::write(f.host("file"), b"host").expect("write");
    assert_eq!(read_fd(&fd), b"host");
    // Close-on-exec on our side.
    let flags = nix::fcntl::fcntl(fd.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFD).expect("getfd");
    assert_ne!(flags & libc::FD_CLOEXEC, 0);
    // Read-only fds cannot write.
    let ro = f.c().open(node, libc::O_RDONLY).expect("open");
    assert_eq!(
        nix::sys::uio::pwrite(&ro, b"x", 0),
        Err(nix::errno::Errno::EBADF)
    );
}

#[test]
fn open_with_trunc_truncates() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"hello").expect("write");
    let (node, _) = f.node("file");
    let fd = f
        .c()
        .open(node, libc::O_WRONLY | libc::O_TRUNC)
        .expect("open");
    drop(fd);
    assert_eq!(fs::read(f.host("file")).expect("read"), b"");
}

#[test]
fn open_directory_reads_its_entries() {
    let f = Fixture::new();
    fs::write(f.host("inside"), b"").expect("write");
    let fd = f
        .c()
        .open(f.root, libc::O_RDONLY | libc::O_DIRECTORY)
        .expect("open");
    let dir = nix::dir::Dir::from(fd).expect("fdopendir");
    let names: Vec<Vec<u8>> = dir
        .into_iter()
        .map(|e| e.expect("entry").file_name().to_bytes().to_vec())
        .collect();
    assert!(names.contains(&b"inside".to_vec()));
}

#[test]
fn open_errors_are_linuxs() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"").expect("write");
    fs::create_dir(f.host("dir")).expect("mkdir");
    let (file, _) = f.node("file");
    let (dir, _) = f.node("dir");
    let err = |node, flags| f.c().open(node, flags).err();
    assert_eq!(
        err(file, libc::O_RDONLY | libc::O_DIRECTORY),
        Some(Errno::ENOTDIR)
    );
    assert_eq!(err(dir, libc::O_WRONLY), Some(Errno::EISDIR));
    assert_eq!(err(dir, libc::O_RDWR), Some(Errno::EISDIR));
    assert_eq!(
        err(dir, libc::O_RDONLY | libc::O_TRUNC),
        Some(Errno::EISDIR)
    );
    assert!(err(dir, libc::O_RDONLY).is_none());
    // Flags the gofer does not take.
    for flags in [
        libc::O_ACCMODE,
        libc::O_RDONLY | libc::O_CREAT,
        libc::O_RDONLY | libc::O_APPEND,
        libc::O_RDONLY | libc::O_NOFOLLOW,
        libc::O_RDONLY | libc::O_PATH,
        -1,
    ] {
        assert_eq!(err(file, flags), Some(Errno::EINVAL), "{flags:#x}");
    }
}

#[test]
fn open_refuses_fifos_sockets_and_devices() {
    let f = Fixture::new();
    nix::unistd::mkfifo(
        &f.host("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o666),
    )
    .expect("mkfifo");
    let _listener = std::os::unix::net::UnixListener::bind(f.host("sock")).expect("bind");
    for name in ["fifo", "sock"] {
        let (node, attr) = f.node(name);
        assert!(!attr.is_dir() && !attr.is_symlink());
        for flags in [libc::O_RDONLY, libc::O_WRONLY, libc::O_RDWR] {
            assert_eq!(f.c().open(node, flags).err(), Some(Errno::EPERM), "{name}");
        }
    }
    let dev = nix::sys::stat::mknod(
        &f.host("null"),
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o666),
        nix::sys::stat::makedev(1, 3),
    );
    match dev {
        Ok(()) => {
            let (node, attr) = f.node("null");
            assert_eq!(attr.file_type(), libc::S_IFCHR);
            assert_eq!(f.c().open(node, libc::O_RDWR).err(), Some(Errno::EPERM));
        }
        Err(e) => eprintln!("SKIP: device node part: mknod: {e}"),
    }
}

// ---------------------------------------------------------------- create

#[test]
fn create_makes_a_file_with_exact_mode_and_owner() {
    let f = Fixture::new();
    let (node, attr, fd) = f
        .c()
        .create(f.root, b"new", libc::O_RDWR, 0o4777, 1234, 5678)
        .expect("create");
    let meta = fs::symlink_metadata(f.host("new")).expect("stat");
    assert_eq!(attr.ino, meta.ino());
    // No umask, and chown did not strip the set-uid bit.
    assert_eq!(meta.mode(), libc::S_IFREG | 0o4777);
    assert_eq!(attr.mode, meta.mode());
    if is_root() {
        assert_eq!((meta.uid(), meta.gid()), (1234, 5678));
        assert_eq!((attr.uid, attr.gid), (1234, 5678));
    }
    nix::sys::uio::pwrite(&fd, b"data", 0).expect("pwrite");
    assert_eq!(fs::read(f.host("new")).expect("read"), b"data");
    assert_eq!(f.c().stat(node).expect("stat").size, 4);
    // Read-only create gives a read-only fd.
    let (_, _, ro) = f
        .c()
        .create(f.root, b"ro", libc::O_RDONLY, 0o600, 0, 0)
        .expect("create");
    assert!(nix::sys::uio::pwrite(&ro, b"x", 0).is_err());
    assert_eq!(
        fs::metadata(f.host("ro")).expect("stat").mode() & 0o7777,
        0o600
    );
}

#[test]
fn create_errors_are_linuxs() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"keep").expect("write");
    symlink("/nonexistent-target", f.host("dangling")).expect("symlink");
    let create = |dir, name: &[u8], flags| f.c().create(dir, name, flags, 0o644, 0, 0).err();
    assert_eq!(create(f.root, b"file", libc::O_RDWR), Some(Errno::EEXIST));
    assert_eq!(fs::read(f.host("file")).expect("read"), b"keep");
    // O_EXCL: a dangling symlink is not followed out of the root.
    assert_eq!(
        create(f.root, b"dangling", libc::O_RDWR),
        Some(Errno::EEXIST)
    );
    assert!(!Path::new("/nonexistent-target").exists());
    let (file, _) = f.node("file");
    assert_eq!(create(file, b"x", libc::O_RDWR), Some(Errno::ENOTDIR));
    assert_eq!(
        create(f.root, b"x", libc::O_RDWR | libc::O_DIRECTORY),
        Some(Errno::EINVAL)
    );
    assert_eq!(create(f.root, b"x", libc::O_ACCMODE), Some(Errno::EINVAL));
    assert_eq!(create(f.root, b"..", libc::O_RDWR), Some(Errno::EINVAL));
    assert_eq!(create(f.root, b"a/b", libc::O_RDWR), Some(Errno::EINVAL));
    assert!(!f.host("x").exists());
    // In a directory removed from under its node.
    fs::create_dir(f.host("gone")).expect("mkdir");
    let (gone, _) = f.node("gone");
    fs::remove_dir(f.host("gone")).expect("rmdir");
    assert_eq!(create(gone, b"x", libc::O_RDWR), Some(Errno::ENOENT));
}

// ---------------------------------------------------------------- mkdir, symlink, mknod, link

#[test]
fn mkdir_makes_a_directory_with_exact_mode_and_owner() {
    let f = Fixture::new();
    let (node, attr) = f.c().mkdir(f.root, b"d", 0o1777, 42, 43).expect("mkdir");
    let meta = fs::symlink_metadata(f.host("d")).expect("stat");
    assert!(meta.is_dir());
    assert_eq!(meta.mode() & 0o7777, 0o1777);
    assert_eq!(attr.ino, meta.ino());
    if is_root() {
        assert_eq!((meta.uid(), meta.gid()), (42, 43));
    }
    // The new node is a directory node to walk and create in.
    f.c().mkdir(node, b"sub", 0o700, 0, 0).expect("mkdir sub");
    assert!(f.host("d/sub").is_dir());
    assert_eq!(
        fs::metadata(f.host("d/sub")).expect("stat").mode() & 0o7777,
        0o700
    );
    assert_eq!(
        f.c().mkdir(f.root, b"d", 0o755, 0, 0).err(),
        Some(Errno::EEXIST)
    );
    fs::write(f.host("file"), b"").expect("write");
    let (file, _) = f.node("file");
    assert_eq!(
        f.c().mkdir(file, b"x", 0o755, 0, 0).err(),
        Some(Errno::ENOTDIR)
    );
}

#[test]
fn symlink_makes_a_link_that_reads_back() {
    let f = Fixture::new();
    let (node, attr) = f
        .c()
        .symlink(f.root, b"link", b"../../some/where", 7, 8)
        .expect("symlink");
    assert!(attr.is_symlink());
    assert_eq!(
        fs::read_link(f.host("link")).expect("readlink"),
        Path::new("../../some/where")
    );
    assert_eq!(f.c().readlink(node).expect("readlink"), b"../../some/where");
    if is_root() {
        let meta = fs::symlink_metadata(f.host("link")).expect("lstat");
        assert_eq!((meta.uid(), meta.gid()), (7, 8));
    }
    assert_eq!(
        f.c().symlink(f.root, b"link", b"x", 0, 0).err(),
        Some(Errno::EEXIST)
    );
    // Linux: an empty target is ENOENT.
    assert_eq!(
        f.c().symlink(f.root, b"empty", b"", 0, 0).err(),
        Some(Errno::ENOENT)
    );
    let long = vec![b'a'; 4096];
    assert_eq!(
        f.c().symlink(f.root, b"long", &long, 0, 0).err(),
        Some(Errno::ENAMETOOLONG)
    );
    let longest = vec![b'a'; 4095];
    let (n, _) = f
        .c()
        .symlink(f.root, b"longest", &longest, 0, 0)
        .expect("symlink");
    assert_eq!(f.c().readlink(n).expect("readlink"), longest);
}

#[test]
fn readlink_of_a_non_symlink_is_einval() {
    let f = Fixture::new();
    assert_eq!(f.c().readlink(f.root), Err(Errno::EINVAL));
}

#[test]
fn mknod_makes_regular_files_only() {
    let f = Fixture::new();
    let (_, attr) = f
        .c()
        .mknod(f.root, b"reg", libc::S_IFREG | 0o640, 9, 10)
        .expect("mknod");
    assert_eq!(attr.mode, libc::S_IFREG | 0o640);
    let (_, attr) = f.c().mknod(f.root, b"plain", 0o600, 0, 0).expect("mknod");
    assert_eq!(attr.file_type(), libc::S_IFREG);
    if is_root() {
        let meta = fs::metadata(f.host("reg")).expect("stat");
        assert_eq!((meta.uid(), meta.gid()), (9, 10));
    }
    for kind in [
        libc::S_IFIFO,
        libc::S_IFCHR,
        libc::S_IFBLK,
        libc::S_IFSOCK,
        libc::S_IFDIR,
    ] {
        assert_eq!(
            f.c().mknod(f.root, b"x", kind | 0o600, 0, 0).err(),
            Some(Errno::EPERM),
            "{kind:o}"
        );
    }
    assert_eq!(
        f.c().mknod(f.root, b"x", libc::S_IFLNK | 0o600, 0, 0).err(),
        Some(Errno::EINVAL)
    );
    assert!(!f.host("x").exists());
    assert_eq!(
        f.c().mknod(f.root, b"reg", 0o600, 0, 0).err(),
        Some(Errno::EEXIST)
    );
}

#[test]
fn link_makes_a_hard_link() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"shared").expect("write");
    fs::create_dir(f.host("dir")).expect("mkdir");
    let (file, _) = f.node("file");
    let (dir, _) = f.node("dir");
    let (link, attr) = f.c().link(dir, b"hard", file).expect("link");
    assert_eq!(attr.nlink, 2);
    assert_eq!(attr.ino, f.c().stat(file).expect("stat").ino);
    assert_ne!(link, file);
    assert_eq!(fs::read(f.host("dir/hard")).expect("read"), b"shared");
    assert_eq!(f.c().link(dir, b"hard", file).err(), Some(Errno::EEXIST));
    assert_eq!(f.c().link(f.root, b"x", dir).err(), Some(Errno::EPERM));
    // A hard link to a symlink is to the symlink itself.
    symlink("/etc", f.host("sym")).expect("symlink");
    let (sym, _) = f.node("sym");
    let (_, attr) = f.c().link(f.root, b"sym2", sym).expect("link symlink");
    assert!(attr.is_symlink());
    assert_eq!(
        fs::read_link(f.host("sym2")).expect("readlink"),
        Path::new("/etc")
    );
    // A file unlinked since its walk cannot be linked back (Linux: ENOENT).
    fs::write(f.host("doomed"), b"").expect("write");
    let (doomed, _) = f.node("doomed");
    fs::remove_file(f.host("doomed")).expect("unlink");
    assert_eq!(
        f.c().link(f.root, b"back", doomed).err(),
        Some(Errno::ENOENT)
    );
}

// ---------------------------------------------------------------- unlink, rename

#[test]
fn unlink_errors_are_linuxs() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"").expect("write");
    fs::create_dir(f.host("empty")).expect("mkdir");
    fs::create_dir(f.host("full")).expect("mkdir");
    fs::write(f.host("full/x"), b"").expect("write");
    let un = |name: &[u8], flags| f.c().unlink(f.root, name, flags).err();
    assert_eq!(un(b"missing", 0), Some(Errno::ENOENT));
    assert_eq!(un(b"empty", 0), Some(Errno::EISDIR));
    assert_eq!(un(b"file", libc::AT_REMOVEDIR), Some(Errno::ENOTDIR));
    assert_eq!(un(b"full", libc::AT_REMOVEDIR), Some(Errno::ENOTEMPTY));
    assert_eq!(un(b"file", 1), Some(Errno::EINVAL));
    assert_eq!(un(b"..", libc::AT_REMOVEDIR), Some(Errno::EINVAL));
    assert_eq!(un(b"file", 0), None);
    assert_eq!(un(b"empty", libc::AT_REMOVEDIR), None);
    assert!(!f.host("file").exists() && !f.host("empty").exists());
}

#[test]
fn a_node_outlives_its_unlink() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"still here").expect("write");
    let (node, _) = f.node("file");
    f.c().unlink(f.root, b"file", 0).expect("unlink");
    assert_eq!(f.c().stat(node).expect("stat").nlink, 0);
    let fd = f.c().open(node, libc::O_RDONLY).expect("open unlinked");
    assert_eq!(read_fd(&fd), b"still here");
}

#[test]
fn rename_moves_exchanges_and_refuses_as_linux_does() {
    let f = Fixture::new();
    fs::write(f.host("a"), b"A").expect("write");
    fs::write(f.host("b"), b"B").expect("write");
    fs::create_dir(f.host("dir")).expect("mkdir");
    fs::create_dir(f.host("full")).expect("mkdir");
    fs::write(f.host("full/x"), b"").expect("write");
    let (a, _) = f.node("a");
    let (dir, _) = f.node("dir");
    let mv = |od, o: &[u8], nd, n: &[u8], flags| f.c().rename(od, o, nd, n, flags).err();
    assert_eq!(
        mv(f.root, b"a", f.root, b"b", libc::RENAME_NOREPLACE),
        Some(Errno::EEXIST)
    );
    assert_eq!(mv(f.root, b"a", f.root, b"b", libc::RENAME_EXCHANGE), None);
    assert_eq!(fs::read(f.host("a")).expect("read"), b"B");
    assert_eq!(mv(f.root, b"missing", f.root, b"c", 0), Some(Errno::ENOENT));
    assert_eq!(
        mv(f.root, b"dir", f.root, b"full", 0),
        Some(Errno::ENOTEMPTY)
    );
    assert_eq!(mv(f.root, b"dir", f.root, b"a", 0), Some(Errno::ENOTDIR));
    assert_eq!(mv(f.root, b"a", f.root, b"dir", 0), Some(Errno::EISDIR));
    assert_eq!(mv(f.root, b"a", f.root, b"c", 4), Some(Errno::EINVAL));
    assert_eq!(mv(f.root, b"a", f.root, b"c", 0x8000), Some(Errno::EINVAL));
    assert_eq!(
        mv(
            f.root,
            b"a",
            f.root,
            b"c",
            libc::RENAME_NOREPLACE | libc::RENAME_EXCHANGE
        ),
        Some(Errno::EINVAL)
    );
    // A node follows its file across a rename into another directory.
    assert_eq!(mv(f.root, b"b", dir, b"moved", 0), None);
    assert!(f.host("dir/moved").exists());
    let fd = f.c().open(a, libc::O_RDONLY).expect("open after rename");
    assert_eq!(read_fd(&fd), b"A");
    // And a directory node keeps working under its new name.
    assert_eq!(mv(f.root, b"dir", f.root, b"dir2", 0), None);
    f.c()
        .mkdir(dir, b"new", 0o755, 0, 0)
        .expect("mkdir in renamed dir");
    assert!(f.host("dir2/new").is_dir());
}

// ---------------------------------------------------------------- setattr, statfs

#[test]
fn setattr_changes_mode_owner_size_and_times() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"0123456789").expect("write");
    let (node, _) = f.node("file");
    let attr = f
        .c()
        .setattr(
            node,
            &SetAttr {
                mode: Some(0o6751),
                size: Some(4),
                atime: Some(TimeSpec::Set(Timestamp {
                    sec: 1_000_000,
                    nsec: 5,
                })),
                mtime: Some(TimeSpec::Set(Timestamp {
                    sec: 2_000_000,
                    nsec: 999_999_999,
                })),
                ..SetAttr::default()
            },
        )
        .expect("setattr");
    let meta = fs::metadata(f.host("file")).expect("stat");
    assert_eq!(meta.mode(), libc::S_IFREG | 0o6751);
    assert_eq!(attr.mode, meta.mode());
    assert_eq!(meta.len(), 4);
    assert_eq!((meta.atime(), meta.atime_nsec()), (1_000_000, 5));
    assert_eq!((meta.mtime(), meta.mtime_nsec()), (2_000_000, 999_999_999));
    assert_eq!(
        attr.mtime,
        Timestamp {
            sec: 2_000_000,
            nsec: 999_999_999
        }
    );
    // Growing, and now.
    let attr = f
        .c()
        .setattr(
            node,
            &SetAttr {
                size: Some(100),
                mtime: Some(TimeSpec::Now),
                ..SetAttr::default()
            },
        )
        .expect("setattr");
    assert_eq!(attr.size, 100);
    assert!(attr.mtime.sec > 2_000_000);
    assert_eq!(attr.atime.sec, 1_000_000, "atime omitted");
    if is_root() {
        let attr = f
            .c()
            .setattr(
                node,
                &SetAttr {
                    uid: Some(77),
                    gid: Some(88),
                    mode: Some(0o4755),
                    ..SetAttr::default()
                },
            )
            .expect("chown");
        assert_eq!((attr.uid, attr.gid), (77, 88));
        // Mode after owner: the set-uid bit asked for survives the chown.
        assert_eq!(attr.mode & 0o7777, 0o4755);
        let attr = f
            .c()
            .setattr(
                node,
                &SetAttr {
                    gid: Some(99),
                    ..SetAttr::default()
                },
            )
            .expect("chgrp");
        assert_eq!((attr.uid, attr.gid), (77, 99));
    }
}

#[test]
fn setattr_errors_are_linuxs() {
    let f = Fixture::new();
    symlink("target", f.host("sym")).expect("symlink");
    let (sym, _) = f.node("sym");
    let set = |node, attr: SetAttr| f.c().setattr(node, &attr).err();
    assert_eq!(
        set(
            f.root,
            SetAttr {
                size: Some(0),
                ..SetAttr::default()
            }
        ),
        Some(Errno::EISDIR)
    );
    assert_eq!(
        set(
            sym,
            SetAttr {
                mode: Some(0o777),
                ..SetAttr::default()
            }
        ),
        Some(Errno::EOPNOTSUPP)
    );
    // Refused up front: the owner asked for alongside is not changed.
    let uid_before = fs::symlink_metadata(f.host("sym")).expect("lstat").uid();
    assert_eq!(
        set(
            sym,
            SetAttr {
                uid: Some(uid_before + 1),
                mode: Some(0o777),
                ..SetAttr::default()
            }
        ),
        Some(Errno::EOPNOTSUPP)
    );
    assert_eq!(
        fs::symlink_metadata(f.host("sym")).expect("lstat").uid(),
        uid_before
    );
    assert_eq!(
        set(
            f.root,
            SetAttr {
                uid: Some(uid_before + 1),
                size: Some(1),
                ..SetAttr::default()
            }
        ),
        Some(Errno::EISDIR)
    );
    assert_eq!(fs::metadata(f.host("")).expect("stat").uid(), uid_before);
    fs::write(f.host("file"), b"").expect("write");
    let (file, _) = f.node("file");
    assert_eq!(
        set(
            file,
            SetAttr {
                size: Some(u64::MAX),
                ..SetAttr::default()
            }
        ),
        Some(Errno::EINVAL)
    );
    assert_eq!(
        set(
            file,
            SetAttr {
                atime: Some(TimeSpec::Set(Timestamp {
                    sec: 0,
                    nsec: 1_000_000_000
                })),
                ..SetAttr::default()
            }
        ),
        Some(Errno::EINVAL)
    );
}

#[test]
fn setattr_times_on_a_symlink_are_the_symlinks_own() {
    let f = Fixture::new();
    fs::write(f.host("target"), b"").expect("write");
    symlink("target", f.host("sym")).expect("symlink");
    let before = fs::metadata(f.host("target")).expect("stat").mtime();
    let (sym, _) = f.node("sym");
    let attr = f
        .c()
        .setattr(
            sym,
            &SetAttr {
                mtime: Some(TimeSpec::Set(Timestamp {
                    sec: 12345,
                    nsec: 0,
                })),
                ..SetAttr::default()
            },
        )
        .expect("utimes symlink");
    assert_eq!(attr.mtime.sec, 12345);
    let lmeta = fs::symlink_metadata(f.host("sym")).expect("lstat");
    assert_eq!(lmeta.mtime(), 12345);
    assert_eq!(
        fs::metadata(f.host("target")).expect("stat").mtime(),
        before
    );
    if is_root() {
        let attr = f
            .c()
            .setattr(
                sym,
                &SetAttr {
                    uid: Some(5),
                    ..SetAttr::default()
                },
            )
            .expect("lchown");
        assert_eq!(attr.uid, 5);
        assert_eq!(fs::metadata(f.host("target")).expect("stat").uid(), 0);
    }
}

#[test]
fn statfs_reports_the_host_filesystem() {
    let f = Fixture::new();
    let s = f.c().statfs(f.root).expect("statfs");
    let host = nix::sys::statfs::statfs(&f.host("")).expect("host statfs");
    assert_eq!(
        s.fs_type,
        u64::try_from(host.filesystem_type().0).expect("type")
    );
    assert!(s.bsize > 0);
    assert!(s.namelen >= 255);
    assert_eq!(s.flags & libc::ST_RDONLY, 0);
}

// ---------------------------------------------------------------- getdents

fn listing(f: &Fixture, dir: NodeId) -> Vec<(Vec<u8>, u8, u64)> {
    let mut all: Vec<_> = f
        .c()
        .getdents(dir)
        .expect("getdents")
        .into_iter()
        .map(|d| (d.name, d.kind, d.ino))
        .collect();
    all.sort();
    all
}

#[test]
fn getdents_lists_names_kinds_and_inodes() {
    let f = Fixture::new();
    fs::write(f.host("file"), b"").expect("write");
    fs::create_dir(f.host("dir")).expect("mkdir");
    symlink("file", f.host("sym")).expect("symlink");
    nix::unistd::mkfifo(
        &f.host("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .expect("mkfifo");
    let ino = |p: &str| fs::symlink_metadata(f.host(p)).expect("lstat").ino();
    let want = vec![
        (b"dir".to_vec(), libc::DT_DIR, ino("dir")),
        (b"fifo".to_vec(), libc::DT_FIFO, ino("fifo")),
        (b"file".to_vec(), libc::DT_REG, ino("file")),
        (b"sym".to_vec(), libc::DT_LNK, ino("sym")),
    ];
    let got = listing(&f, f.root);
    // A filesystem may not report types; the names and inodes must match.
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((&g.0, g.2), (&w.0, w.2));
        assert!(g.1 == w.1 || g.1 == libc::DT_UNKNOWN);
    }
    let (dir, _) = f.node("dir");
    assert!(listing(&f, dir).is_empty());
    let (file, _) = f.node("file");
    assert_eq!(f.c().getdents(file), Err(Errno::ENOTDIR));
    // Twice in a row: the second starts afresh.
    assert_eq!(listing(&f, f.root), got);
}

#[test]
fn getdents_of_a_thousand_entries_pages_through_all() {
    let f = Fixture::new();
    fs::create_dir(f.host("big")).expect("mkdir");
    // Long names, so the listing takes several 64 KiB pages.
    let mut want = Vec::new();
    for i in 0..1000 {
        let name = format!("{i:04}-{}", "x".repeat(200));
        fs::write(f.host(&format!("big/{name}")), b"").expect("create");
        want.push(name.into_bytes());
    }
    let (big, _) = f.node("big");
    let mut got: Vec<Vec<u8>> = f
        .c()
        .getdents(big)
        .expect("getdents")
        .into_iter()
        .map(|d| d.name)
        .collect();
    got.sort();
    assert_eq!(got, want);

    // The pages as they go over the wire: not all at once, offsets resume.
    let mut raw = RawConn::handshaken(&f.host(""));
    let big = raw.walk_one(b"big");
    let (mut offset, mut pages, mut seen) = (0u64, 0, Vec::new());
    loop {
        let reply = raw.call(&Request::Getdents { dir: big, offset });
        let Reply::Getdents { entries, eof } = reply else {
            panic!("{reply:?}")
        };
        pages += 1;
        offset += u64::try_from(entries.len()).expect("small");
        seen.extend(entries.into_iter().map(|d| d.name));
        if eof {
            break;
        }
    }
    assert!(pages > 2, "{pages} pages");
    seen.sort();
    assert_eq!(seen, want);
    // An offset out of sequence restarts and skips to it.
    let Reply::Getdents { entries, .. } = raw.call(&Request::Getdents {
        dir: big,
        offset: 990,
    }) else {
        panic!("getdents")
    };
    assert_eq!(entries.len(), 10);
    let Reply::Getdents { entries, eof } = raw.call(&Request::Getdents {
        dir: big,
        offset: 5000,
    }) else {
        panic!("getdents")
    };
    assert!(entries.is_empty() && eof);
}

// ---------------------------------------------------------------- read-only

#[test]
fn read_only_refuses_every_change_with_erofs() {
    let f = Fixture::read_only();
    fs::write(f.host("file"), b"data").expect("write");
    fs::create_dir(f.host("dir")).expect("mkdir");
    let (file, _) = f.node("file");
    let (dir, _) = f.node("dir");
    let c = f.c();
    let rofs = Some(Errno::EROFS);
    assert_eq!(
        c.create(f.root, b"new", libc::O_RDWR, 0o644, 0, 0).err(),
        rofs
    );
    assert_eq!(c.mkdir(f.root, b"new", 0o755, 0, 0).err(), rofs);
    assert_eq!(c.symlink(f.root, b"new", b"x", 0, 0).err(), rofs);
    assert_eq!(c.mknod(f.root, b"new", libc::S_IFREG, 0, 0).err(), rofs);
    assert_eq!(c.link(f.root, b"new", file).err(), rofs);
    assert_eq!(c.unlink(f.root, b"file", 0).err(), rofs);
    assert_eq!(c.unlink(f.root, b"missing", 0).err(), rofs);
    assert_eq!(c.rename(f.root, b"file", f.root, b"new", 0).err(), rofs);
    assert_eq!(
        c.setattr(
            file,
            &SetAttr {
                mode: Some(0o777),
                ..SetAttr::default()
            }
        )
        .err(),
        rofs
    );
    assert_eq!(c.open(file, libc::O_WRONLY).err(), rofs);
    assert_eq!(c.open(file, libc::O_RDWR).err(), rofs);
    assert_eq!(c.open(file, libc::O_RDONLY | libc::O_TRUNC).err(), rofs);
    // Linux's order: EEXIST and EISDIR come before EROFS.
    assert_eq!(
        c.create(f.root, b"file", libc::O_RDWR, 0o644, 0, 0).err(),
        Some(Errno::EEXIST)
    );
    assert_eq!(
        c.mkdir(f.root, b"dir", 0o755, 0, 0).err(),
        Some(Errno::EEXIST)
    );
    assert_eq!(c.open(dir, libc::O_WRONLY).err(), Some(Errno::EISDIR));
    // Reading still works, and nothing changed.
    let fd = c.open(file, libc::O_RDONLY).expect("open");
    assert_eq!(read_fd(&fd), b"data");
    assert!(c.getdents(f.root).expect("getdents").len() == 2);
    assert_ne!(c.statfs(f.root).expect("statfs").flags & libc::ST_RDONLY, 0);
    assert_eq!(fs::read_dir(f.host("")).expect("ls").count(), 2);
    assert_eq!(fs::metadata(f.host("file")).expect("stat").len(), 4);
}

// ---------------------------------------------------------------- raw messages

/// A connection that speaks bytes, as a hostile or broken sentry would.
struct RawConn {
    sock: OwnedFd,
    child: Child,
    tag: u32,
}

impl RawConn {
    fn new(root: &Path) -> RawConn {
        let (child, sock) = spawn_server(root, false);
        RawConn {
            sock,
            child,
            tag: 1,
        }
    }

    fn handshaken(root: &Path) -> RawConn {
        let mut raw = RawConn::new(root);
        let reply = raw.call(&Request::Version {
            version: VERSION,
            max_message: u32::try_from(MAX_MESSAGE).expect("fits"),
        });
        assert!(matches!(
            reply,
            Reply::Version {
                version: VERSION,
                ..
            }
        ));
        raw
    }

    fn send(&self, bytes: &[u8]) {
        send(self.sock.as_raw_fd(), bytes, MsgFlags::empty()).expect("send");
    }

    fn recv(&self) -> (Header, Reply) {
        let mut buf = vec![0; MAX_MESSAGE + 1];
        let n = recv(self.sock.as_raw_fd(), &mut buf, MsgFlags::empty()).expect("a reply");
        Reply::decode(&buf[..n]).expect("a reply that decodes")
    }

    fn call(&mut self, req: &Request) -> Reply {
        self.tag += 1;
        self.send(&req.encode(self.tag).expect("encodes"));
        let (header, reply) = self.recv();
        assert_eq!((header.tag, header.op), (self.tag, req.op().raw()));
        reply
    }

    /// Sends `bytes`; the reply must be the error `errno` with `tag`, `op`.
    fn expect_error(&self, bytes: &[u8], tag: u32, op: u16, errno: Errno) {
        self.send(bytes);
        let (header, reply) = self.recv();
        assert_eq!(
            reply,
            Reply::Error(errno),
            "for {:02x?}",
            &bytes[..bytes.len().min(32)]
        );
        assert_eq!((header.tag, header.op), (tag, op));
    }

    fn attach(&mut self) -> NodeId {
        match self.call(&Request::Attach) {
            Reply::Node { node, .. } => node,
            r => panic!("attach: {r:?}"),
        }
    }

    fn walk_one(&mut self, name: &[u8]) -> NodeId {
        let root = self.attach();
        match self.call(&Request::Walk {
            dir: root,
            names: vec![name.to_vec()],
        }) {
            Reply::Walk { nodes, error: None } if nodes.len() == 1 => nodes[0].0,
            r => panic!("walk: {r:?}"),
        }
    }

    /// The server still answers a valid request.
    fn still_serving(&mut self) {
        let root = self.attach();
        assert!(matches!(self.call(&Request::Stat { node: root }), Reply::Attr(a) if a.is_dir()));
    }
}

impl Drop for RawConn {
    fn drop(&mut self) {
        nix::sys::socket::shutdown(self.sock.as_raw_fd(), nix::sys::socket::Shutdown::Both).ok();
        let clean = reap(&mut self.child);
        if !std::thread::panicking() {
            assert!(clean, "gofer server did not exit cleanly");
        }
    }
}

/// A message with the given header fields and body; `len` is right.
fn message(tag: u32, op: u16, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(HEADER_LEN + body.len()).expect("small");
    let mut m = Vec::new();
    m.extend_from_slice(&len.to_le_bytes());
    m.extend_from_slice(&tag.to_le_bytes());
    m.extend_from_slice(&op.to_le_bytes());
    m.extend_from_slice(&0u16.to_le_bytes());
    m.extend_from_slice(body);
    m
}

fn name_field(name: &[u8]) -> Vec<u8> {
    let mut b = u16::try_from(name.len())
        .expect("short")
        .to_le_bytes()
        .to_vec();
    b.extend_from_slice(name);
    b
}

#[test]
fn requests_before_the_handshake_are_eproto() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut raw = RawConn::new(dir.path());
    raw.expect_error(
        &message(3, Op::Attach.raw(), &[]),
        3,
        Op::Attach.raw(),
        Errno::EPROTO,
    );
    // A wrong version does not count, and says so.
    let mut body = 99u32.to_le_bytes().to_vec();
    body.extend_from_slice(&65536u32.to_le_bytes());
    raw.expect_error(
        &message(4, Op::Version.raw(), &body),
        4,
        Op::Version.raw(),
        Errno::EPROTONOSUPPORT,
    );
    raw.expect_error(
        &message(5, Op::Attach.raw(), &[]),
        5,
        Op::Attach.raw(),
        Errno::EPROTO,
    );
    // A client that cannot take full-size replies is refused.
    let mut body = VERSION.to_le_bytes().to_vec();
    body.extend_from_slice(&4096u32.to_le_bytes());
    raw.expect_error(
        &message(6, Op::Version.raw(), &body),
        6,
        Op::Version.raw(),
        Errno::EINVAL,
    );
    let reply = raw.call(&Request::Version {
        version: VERSION,
        max_message: 65536,
    });
    assert!(matches!(
        reply,
        Reply::Version {
            version: VERSION,
            ..
        }
    ));
    raw.still_serving();
}

#[test]
fn malformed_messages_get_an_error_and_the_server_carries_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("file"), b"").expect("write");
    let mut raw = RawConn::handshaken(dir.path());
    let root = raw.attach();
    let walk = Op::Walk.raw();
    let walk_body = |names: &[&[u8]]| {
        let mut b = root.to_le_bytes().to_vec();
        b.extend_from_slice(&u32::try_from(names.len()).expect("few").to_le_bytes());
        for n in names {
            b.extend_from_slice(&name_field(n));
        }
        b
    };

    // Shorter than a header: nothing to echo.
    for short in [&[][..], &[1], &[1, 2, 3, 4, 5], &[0; 11]] {
        raw.expect_error(short, 0, 0, Errno::EINVAL);
        raw.still_serving();
    }
    // Another version, after the handshake: refused, the session goes on.
    let mut body = (VERSION + 1).to_le_bytes().to_vec();
    body.extend_from_slice(&65536u32.to_le_bytes());
    raw.expect_error(
        &message(6, Op::Version.raw(), &body),
        6,
        Op::Version.raw(),
        Errno::EPROTONOSUPPORT,
    );
    raw.still_serving();
    // A header whose length is not the packet's.
    let mut m = message(7, Op::Stat.raw(), &root.to_le_bytes());
    m[0] += 1;
    raw.expect_error(&m, 7, Op::Stat.raw(), Errno::EINVAL);
    // Reserved flags set.
    let mut m = message(8, Op::Stat.raw(), &root.to_le_bytes());
    m[10] = 1;
    raw.expect_error(&m, 8, Op::Stat.raw(), Errno::EINVAL);
    // A truncated body.
    raw.expect_error(
        &message(9, Op::Stat.raw(), &[1, 2, 3]),
        9,
        Op::Stat.raw(),
        Errno::EINVAL,
    );
    // Trailing garbage.
    let mut body = root.to_le_bytes().to_vec();
    body.push(0);
    raw.expect_error(
        &message(10, Op::Stat.raw(), &body),
        10,
        Op::Stat.raw(),
        Errno::EINVAL,
    );
    // Unknown ops.
    for op in [0, 18, 0x7fff, 0xffff] {
        raw.expect_error(&message(11, op, &[]), 11, op, Errno::ENOSYS);
    }
    // A node that is not one.
    for node in [0u64, 12345, u64::MAX] {
        raw.expect_error(
            &message(12, Op::Stat.raw(), &node.to_le_bytes()),
            12,
            Op::Stat.raw(),
            Errno::EBADF,
        );
    }
    // Bad names: '/', "..", ".", empty, NUL.
    for bad in [&b"a/b"[..], b"..", b".", b"", b"/", b"x\0y"] {
        raw.expect_error(
            &message(13, walk, &walk_body(&[bad])),
            13,
            walk,
            Errno::EINVAL,
        );
        raw.expect_error(
            &message(14, walk, &walk_body(&[b"file", bad])),
            14,
            walk,
            Errno::EINVAL,
        );
    }
    // Oversized lengths: a name longer than NAME_MAX, a length past the end,
    // counts past the limits or the packet.
    let long = vec![b'x'; NAME_MAX + 1];
    raw.expect_error(
        &message(15, walk, &walk_body(&[&long])),
        15,
        walk,
        Errno::ENAMETOOLONG,
    );
    let mut body = root.to_le_bytes().to_vec();
    body.extend_from_slice(&1u32.to_le_bytes());
    body.extend_from_slice(&200u16.to_le_bytes());
    body.extend_from_slice(b"short");
    raw.expect_error(&message(16, walk, &body), 16, walk, Errno::EINVAL);
    for count in [u32::MAX, 100_000, 257, 2] {
        let mut body = root.to_le_bytes().to_vec();
        body.extend_from_slice(&count.to_le_bytes());
        body.extend_from_slice(&name_field(b"file"));
        raw.expect_error(&message(17, walk, &body), 17, walk, Errno::EINVAL);
    }
    let mut body = u32::MAX.to_le_bytes().to_vec();
    body.extend_from_slice(&[0; 16]);
    raw.expect_error(
        &message(18, Op::Release.raw(), &body),
        18,
        Op::Release.raw(),
        Errno::EINVAL,
    );
    let mut body = root.to_le_bytes().to_vec();
    body.extend_from_slice(&name_field(b"l"));
    body.extend_from_slice(&60000u16.to_le_bytes());
    raw.expect_error(
        &message(19, Op::Symlink.raw(), &body),
        19,
        Op::Symlink.raw(),
        Errno::ENAMETOOLONG,
    );
    // A packet bigger than any message.
    let mut huge = message(20, Op::Stat.raw(), &vec![0; MAX_MESSAGE + 100]);
    huge[..4].copy_from_slice(&0u32.to_le_bytes());
    raw.expect_error(&huge, 20, Op::Stat.raw(), Errno::EMSGSIZE);
    raw.still_serving();
    assert!(!dir.path().join("l").exists());
}

#[test]
fn garbage_gets_one_reply_per_packet_and_never_kills_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut raw = RawConn::handshaken(dir.path());
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..3000usize {
        let len = usize::try_from(next() % 200).expect("small");
        let mut m: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[0]).collect();
        // Most with a plausible header, so the bodies get decoded too.
        if m.len() >= HEADER_LEN && i % 4 != 0 {
            let l = u32::try_from(m.len()).expect("small");
            m[..4].copy_from_slice(&l.to_le_bytes());
            m[8] = m[8] % 18 + 1;
            m[9] = 0;
            m[10] = 0;
            m[11] = 0;
        }
        raw.send(&m);
        raw.recv();
    }
    raw.still_serving();
}

#[test]
fn fds_sent_to_the_server_are_refused_and_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut raw = RawConn::handshaken(dir.path());
    let devnull = fs::File::open("/dev/null").expect("open");
    let fds = [devnull.as_raw_fd()];
    let msg = Request::Attach.encode(77).expect("encodes");
    nix::sys::socket::sendmsg::<()>(
        raw.sock.as_raw_fd(),
        &[std::io::IoSlice::new(&msg)],
        &[nix::sys::socket::ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )
    .expect("sendmsg");
    let (header, _) = raw.recv();
    assert_eq!(header.tag, 77);
    raw.still_serving();
}

#[test]
fn a_dead_gofer_is_eio() {
    let mut f = Fixture::new();
    f.child.kill().expect("kill");
    f.child.wait().expect("wait");
    assert_eq!(f.c().stat(f.root), Err(Errno::EIO));
    assert_eq!(f.c().attach().err(), Some(Errno::EIO));
    f.c().release(&[f.root]);
    f.clean_exit = false;
}

#[test]
fn connect_to_nothing_is_eio() {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair");
    drop(theirs);
    assert_eq!(Client::connect(ours).err(), Some(Errno::EIO));
}

#[test]
fn one_client_serves_many_threads() {
    let f = Fixture::new();
    for i in 0..8 {
        fs::write(f.host(&format!("f{i}")), format!("{i}")).expect("write");
    }
    std::thread::scope(|s| {
        for i in 0..8 {
            let f = &f;
            s.spawn(move || {
                for _ in 0..50 {
                    let (node, _) = f.node(&format!("f{i}"));
                    let fd = f.c().open(node, libc::O_RDONLY).expect("open");
                    assert_eq!(read_fd(&fd), format!("{i}").as_bytes());
                    f.c().release(&[node]);
                }
            });
        }
    });
}

// ---------------------------------------------------------------- escapes

#[test]
fn symlinks_out_of_the_root_are_nodes_never_followed() {
    let f = Fixture::new();
    fs::write(f.outside("secret"), b"outside").expect("write");
    symlink("/etc", f.host("abs")).expect("symlink");
    symlink("../../../../../../../..", f.host("up")).expect("symlink");
    symlink("../secret", f.host("rel")).expect("symlink");
    symlink("/etc/passwd", f.host("passwd")).expect("symlink");
    fs::create_dir(f.host("dir")).expect("mkdir");
    symlink("..", f.host("dir/parent")).expect("symlink");
    for (path, target) in [
        ("abs", "/etc"),
        ("up", "../../../../../../../.."),
        ("rel", "../secret"),
        ("passwd", "/etc/passwd"),
        ("dir/parent", ".."),
    ] {
        let (node, attr) = f.node(path);
        assert!(attr.is_symlink(), "{path}");
        assert_eq!(
            attr.ino,
            fs::symlink_metadata(f.host(path)).expect("lstat").ino()
        );
        assert_eq!(f.c().readlink(node).expect("readlink"), target.as_bytes());
        for flags in [libc::O_RDONLY, libc::O_RDWR, libc::O_RDONLY | libc::O_TRUNC] {
            assert_eq!(f.c().open(node, flags).err(), Some(Errno::ELOOP), "{path}");
        }
        assert_eq!(
            f.c().open(node, libc::O_RDONLY | libc::O_DIRECTORY).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(f.c().getdents(node), Err(Errno::ENOTDIR), "{path}");
        assert_eq!(f.c().walk(node, &[b"passwd"]), Err(Errno::ENOTDIR));
        assert_eq!(
            f.c().create(node, b"x", libc::O_RDWR, 0o644, 0, 0).err(),
            Some(Errno::ENOTDIR)
        );
        // Walking through it stops at it.
        let w = f.walk(&format!("{path}/passwd"));
        assert_eq!(w.nodes.len(), path.split('/').count(), "{path}");
        assert_eq!(w.error, None);
        assert!(w.nodes.last().expect("node").1.is_symlink());
        // Changing it changes the link, never the target.
        if is_root() {
            f.c()
                .setattr(
                    node,
                    &SetAttr {
                        uid: Some(4242),
                        ..SetAttr::default()
                    },
                )
                .expect("lchown");
            assert_ne!(fs::metadata("/etc").expect("stat").uid(), 4242);
        }
    }
    assert_eq!(fs::read(f.outside("secret")).expect("read"), b"outside");
    // A hard link to the symlink is a symlink, not the host file.
    let (passwd, _) = f.node("passwd");
    let (_, attr) = f.c().link(f.root, b"hard", passwd).expect("link");
    assert!(attr.is_symlink());
    assert_ne!(attr.ino, fs::metadata("/etc/passwd").expect("stat").ino());
}

#[test]
fn dot_dot_and_slashes_never_leave_the_root() {
    let f = Fixture::new();
    fs::write(f.outside("secret"), b"outside").expect("write");
    fs::create_dir(f.host("dir")).expect("mkdir");
    let (dir, _) = f.node("dir");
    for names in [
        vec![&b".."[..]],
        vec![b"..", b"secret"],
        vec![b"dir", b"..", b"..", b"secret"],
        vec![b"../secret"],
        vec![b"/etc"],
        vec![b"dir/../../secret"],
    ] {
        assert_eq!(f.c().walk(f.root, &names), Err(Errno::EINVAL), "{names:?}");
        assert_eq!(f.c().walk(dir, &names), Err(Errno::EINVAL), "{names:?}");
    }
    for name in [&b".."[..], b"../x", b"/tmp/x"] {
        assert_eq!(
            f.c().create(dir, name, libc::O_RDWR, 0o644, 0, 0).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(
            f.c().mkdir(dir, name, 0o755, 0, 0).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(
            f.c().symlink(dir, name, b"/", 0, 0).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(f.c().unlink(f.root, name, 0).err(), Some(Errno::EINVAL));
        assert_eq!(
            f.c().rename(f.root, b"dir", dir, name, 0).err(),
            Some(Errno::EINVAL)
        );
    }
    assert!(!f.outside("x").exists());
    assert_eq!(fs::read(f.outside("secret")).expect("read"), b"outside");
}

#[test]
fn node_ids_of_another_gofer_name_nothing_here() {
    let a = Fixture::new();
    let b = Fixture::new();
    fs::write(b.host("theirs"), b"b's file").expect("write");
    // Give b many nodes, so its ids run past any of a's.
    let mut last = 0;
    for _ in 0..20 {
        last = b.node("theirs").0;
    }
    assert!(last > 5);
    assert_eq!(
        a.c().link(a.root, b"stolen", last).err(),
        Some(Errno::EBADF)
    );
    assert_eq!(a.c().open(last, libc::O_RDONLY).err(), Some(Errno::EBADF));
    assert_eq!(a.c().stat(last).err(), Some(Errno::EBADF));
    assert!(!a.host("stolen").exists());
    // An id both have is a's own node in a: a's root, never b's file.
    let in_a = a.c().stat(a.root).expect("stat");
    assert_eq!(in_a.ino, fs::metadata(a.host("")).expect("stat").ino());
}

#[test]
fn renaming_a_directory_to_a_symlink_mid_walk_never_escapes() {
    let f = Fixture::new();
    fs::create_dir(f.host("d")).expect("mkdir");
    fs::write(f.host("d/passwd"), b"ours").expect("write");
    symlink("/etc", f.host("s")).expect("symlink");
    let ours = fs::metadata(f.host("d/passwd")).expect("stat").ino();
    let host = fs::metadata("/etc/passwd").expect("stat");
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (d, s) = (f.host("d"), f.host("s"));
    let (mut through, mut stopped) = (0, 0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                nix::fcntl::renameat2(None, &d, None, &s, nix::fcntl::RenameFlags::RENAME_EXCHANGE)
                    .expect("exchange");
            }
        });
        for _ in 0..2000 {
            let w = f.walk("d/passwd");
            assert_eq!(w.error, None);
            for (node, attr) in &w.nodes {
                assert!(
                    (attr.dev, attr.ino) != (host.dev(), host.ino()),
                    "walked out of the root"
                );
                if attr.file_type() == libc::S_IFREG {
                    assert_eq!(attr.ino, ours);
                    let fd = f.c().open(*node, libc::O_RDONLY).expect("open");
                    assert_eq!(read_fd(&fd), b"ours");
                }
            }
            match w.nodes.len() {
                2 => through += 1,
                1 => {
                    assert!(w.nodes[0].1.is_symlink());
                    stopped += 1;
                }
                n => panic!("{n} nodes"),
            }
            let ids: Vec<NodeId> = w.nodes.iter().map(|(id, _)| *id).collect();
            f.c().release(&ids);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    eprintln!("{through} walks went through the directory, {stopped} stopped at the symlink");
}

#[test]
fn a_directory_node_moved_by_the_sandbox_stays_inside() {
    let f = Fixture::new();
    fs::create_dir_all(f.host("a/b")).expect("mkdir");
    let w = f.walk("a/b");
    let (b, _) = w.nodes[1];
    // The sandbox moves b up and a away; b's node follows b, still inside.
    f.c()
        .rename(w.nodes[0].0, b"b", f.root, b"b2", 0)
        .expect("rename");
    f.c()
        .unlink(f.root, b"a", libc::AT_REMOVEDIR)
        .expect("rmdir");
    f.c().mkdir(b, b"made", 0o755, 0, 0).expect("mkdir");
    assert!(f.host("b2/made").is_dir());
}

#[test]
fn the_host_kernels_own_filesystems_are_not_entered() {
    // Serving the host's root, as `runsc do` does: its /proc and /sys are
    // mounts of procfs and sysfs, which the gofer refuses to walk into.
    let (mut child, sock) = spawn_server(Path::new("/"), true);
    let client = Client::connect(sock).expect("handshake");
    let (root, _) = client.attach().expect("attach");
    for (dir, magic) in [(&b"proc"[..], 0x9fa0), (b"sys", 0x6265_6572)] {
        let host = Path::new("/").join(std::str::from_utf8(dir).unwrap());
        // Only where the host has them mounted (a container may not).
        let mounted = nix::sys::statfs::statfs(&host).is_ok_and(|s| s.filesystem_type().0 == magic);
        if !mounted {
            continue;
        }
        let w = client.walk(root, &[dir]).expect("walk");
        assert!(
            w.nodes.is_empty(),
            "{:?} was entered",
            String::from_utf8_lossy(dir)
        );
        assert_eq!(w.error, Some(abi::Errno::EACCES));
    }
    // Ordinary directories still are.
    let w = client.walk(root, &[b"usr"]).expect("walk");
    assert_eq!(w.nodes.len(), 1);
    drop(client);
    assert!(reap(&mut child));
}
