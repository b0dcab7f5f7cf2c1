//! The sentry's side of the gofer protocol: one connection, one request at a
//! time.
//!
//! Errors are the gofer's answer (the host's errno for the same operation)
//! or, when the connection itself fails (closed, a reply that does not
//! parse or does not match its request), EIO: the connection is then
//! marked broken and every later call is EIO at once.
//!
//! Lock order: `Client::conn` is a leaf, held for the round trips of one
//! call.

use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::{Mutex, MutexGuard, PoisonError};

use abi::Errno;
use nix::sys::socket::{sendmsg, MsgFlags};

use crate::protocol::{check_name, Reply, Request, HEADER_LEN, RELEASE_MAX, WALK_MAX};
pub use crate::protocol::{
    Attr, Dirent, NodeId, SetAttr, Statfs, TimeSpec, Timestamp, MAX_MESSAGE, VERSION,
};
use crate::raw;

/// The result of [`Client::walk`].
///
/// `nodes` are the nodes found, one per name walked, in order; the caller
/// owns them (release them). `error` is why the next name failed (ENOENT,
/// EACCES, ENOTDIR when a file that is neither a directory nor a symlink was
/// followed by more names, ...), or None. A walk stops after a symlink:
/// when more names follow one, `nodes` is shorter than the names and
/// `error` is None, and the caller resolves the symlink (readlink) and walks
/// on from where it points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walked {
    pub nodes: Vec<(NodeId, Attr)>,
    pub error: Option<Errno>,
}

/// A connection to a gofer. `Send + Sync`: calls from several threads take
/// turns.
#[derive(Debug)]
pub struct Client {
    conn: Mutex<Conn>,
}

#[derive(Debug)]
struct Conn {
    sock: OwnedFd,
    next_tag: u32,
    broken: bool,
    buf: Vec<u8>,
}

impl Conn {
    /// Marks the connection dead; the caller's answer is EIO.
    fn fail(&mut self) -> Errno {
        self.broken = true;
        Errno::EIO
    }

    /// One round trip. `Err` is the gofer's errno, or EIO for a transport
    /// failure (which breaks the connection), or the errno encoding gave
    /// for a request that cannot be sent (EINVAL, ENAMETOOLONG).
    fn call(&mut self, req: &Request) -> Result<(Reply, Vec<OwnedFd>), Errno> {
        if self.broken {
            return Err(Errno::EIO);
        }
        let tag = self.next_tag;
        let msg = req.encode(tag)?;
        self.next_tag = self.next_tag.wrapping_add(1).max(1);
        loop {
            let iov = [IoSlice::new(&msg)];
            match sendmsg::<()>(
                self.sock.as_raw_fd(),
                &iov,
                &[],
                MsgFlags::MSG_NOSIGNAL,
                None,
            ) {
                Ok(_) => break,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return Err(self.fail()),
            }
        }
        let received = loop {
            match raw::recv_with_fds(self.sock.as_fd(), &mut self.buf) {
                Ok(r) => break r,
                // The request is in flight: its reply must still be read.
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return Err(self.fail()),
            }
        };
        let bad_flags = MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC;
        if received.len == 0 || received.flags.intersects(bad_flags) {
            return Err(self.fail());
        }
        let (header, reply) = match Reply::decode(&self.buf[..received.len]) {
            Ok(r) => r,
            Err(_) => return Err(self.fail()),
        };
        if header.tag != tag || header.op != req.op().raw() {
            return Err(self.fail());
        }
        match reply {
            Reply::Error(e) => Err(e),
            reply => Ok((reply, received.fds)),
        }
    }

    /// A round trip whose reply `pick` must recognise; anything else is a
    /// gofer not speaking the protocol (EIO).
    fn expect<T>(
        &mut self,
        req: &Request,
        pick: impl FnOnce(Reply, Vec<OwnedFd>) -> Option<T>,
    ) -> Result<T, Errno> {
        let (reply, fds) = self.call(req)?;
        match pick(reply, fds) {
            Some(v) => Ok(v),
            None => Err(self.fail()),
        }
    }

    fn node(&mut self, req: &Request) -> Result<(NodeId, Attr), Errno> {
        self.expect(req, |r, fds| match r {
            Reply::Node { node, attr } if fds.is_empty() => Some((node, attr)),
            _ => None,
        })
    }

    fn attr(&mut self, req: &Request) -> Result<Attr, Errno> {
        self.expect(req, |r, fds| match r {
            Reply::Attr(attr) if fds.is_empty() => Some(attr),
            _ => None,
        })
    }

    fn empty(&mut self, req: &Request) -> Result<(), Errno> {
        self.expect(req, |r, fds| match r {
            Reply::Empty if fds.is_empty() => Some(()),
            _ => None,
        })
    }

    fn release(&mut self, nodes: &[NodeId]) {
        for chunk in nodes.chunks(RELEASE_MAX) {
            let _ = self.empty(&Request::Release {
                nodes: chunk.to_vec(),
            });
        }
    }
}

/// How many of `names` fit in one `Walk` request.
fn walk_chunk(names: &[&[u8]]) -> usize {
    let mut size = HEADER_LEN + 8 + 4;
    let mut n = 0;
    for name in names.iter().take(WALK_MAX) {
        size += 2 + name.len();
        if size > MAX_MESSAGE {
            break;
        }
        n += 1;
    }
    n
}

impl Client {
    /// Handshakes on `sock`, a connected `SOCK_SEQPACKET` unix socket:
    /// EPROTONOSUPPORT if the gofer speaks another version, EIO if it does
    /// not answer.
    pub fn connect(sock: OwnedFd) -> Result<Client, Errno> {
        let mut conn = Conn {
            sock,
            next_tag: 1,
            broken: false,
            buf: vec![0; MAX_MESSAGE],
        };
        let req = Request::Version {
            version: VERSION,
            max_message: u32::try_from(MAX_MESSAGE).expect("64 KiB fits"),
        };
        let version = conn.expect(&req, |r, fds| match r {
            Reply::Version { version, .. } if fds.is_empty() => Some(version),
            _ => None,
        })?;
        if version != VERSION {
            return Err(Errno::EPROTONOSUPPORT);
        }
        Ok(Client {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Conn> {
        // panic = "abort": a poisoned lock cannot outlive its panic.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new node for the root directory.
    pub fn attach(&self) -> Result<(NodeId, Attr), Errno> {
        self.lock().node(&Request::Attach)
    }

    /// Walks `names` from the directory `dir`, one component each (see
    /// [`Walked`]). A bad name (empty, ".", "..", with '/' or NUL: EINVAL;
    /// too long: ENAMETOOLONG) fails the whole call before anything is
    /// walked; `dir` not a directory is ENOTDIR. Long walks are split over
    /// several requests.
    pub fn walk(&self, dir: NodeId, names: &[&[u8]]) -> Result<Walked, Errno> {
        for name in names {
            check_name(name)?;
        }
        let mut conn = self.lock();
        let mut out = Walked::default();
        let mut at = dir;
        let mut rest = names;
        loop {
            let (chunk, tail) = rest.split_at(walk_chunk(rest));
            let req = Request::Walk {
                dir: at,
                names: chunk.iter().map(|n| n.to_vec()).collect(),
            };
            let walked = conn.expect(&req, |r, fds| match r {
                Reply::Walk { nodes, error } if fds.is_empty() && nodes.len() <= chunk.len() => {
                    Some((nodes, error))
                }
                _ => None,
            });
            let (nodes, error) = match walked {
                Ok(w) => w,
                Err(e) => {
                    // Earlier requests' nodes are ours to give back.
                    let ids: Vec<NodeId> = out.nodes.iter().map(|(id, _)| *id).collect();
                    conn.release(&ids);
                    return Err(e);
                }
            };
            let complete = nodes.len() == chunk.len() && error.is_none();
            out.nodes.extend(nodes);
            out.error = error;
            if !complete || tail.is_empty() {
                return Ok(out);
            }
            // Carry on from the last node as the gofer would have.
            let Some(&(last, attr)) = out.nodes.last() else {
                return Ok(out);
            };
            if attr.is_symlink() {
                return Ok(out);
            }
            if !attr.is_dir() {
                out.error = Some(Errno::ENOTDIR);
                return Ok(out);
            }
            at = last;
            rest = tail;
        }
    }

    /// The node's attributes, fresh from the host.
    pub fn stat(&self, node: NodeId) -> Result<Attr, Errno> {
        self.lock().attr(&Request::Stat { node })
    }

    /// A host fd for I/O on a regular file or directory. `flags`: an access
    /// mode, `O_TRUNC`, `O_DIRECTORY`; anything else is EINVAL. A symlink is
    /// ELOOP; a device, FIFO or socket EPERM.
    pub fn open(&self, node: NodeId, flags: i32) -> Result<OwnedFd, Errno> {
        self.lock()
            .expect(&Request::Open { node, flags }, |r, mut fds| match r {
                Reply::Empty if fds.len() == 1 => fds.pop(),
                _ => None,
            })
    }

    /// Creates the regular file `name` in `dir` (`O_CREAT|O_EXCL`: EEXIST if
    /// it exists, even as a dangling symlink) with exactly `mode`'s
    /// permission bits and owner `uid:gid`, and opens it with `flags`'s
    /// access mode.
    pub fn create(
        &self,
        dir: NodeId,
        name: &[u8],
        flags: i32,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr, OwnedFd), Errno> {
        let req = Request::Create {
            dir,
            name: name.to_vec(),
            flags,
            mode,
            uid,
            gid,
        };
        self.lock().expect(&req, |r, mut fds| match r {
            Reply::Node { node, attr } if fds.len() == 1 => fds.pop().map(|fd| (node, attr, fd)),
            _ => None,
        })
    }

    pub fn mkdir(
        &self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr), Errno> {
        self.lock().node(&Request::Mkdir {
            dir,
            name: name.to_vec(),
            mode,
            uid,
            gid,
        })
    }

    pub fn symlink(
        &self,
        dir: NodeId,
        name: &[u8],
        target: &[u8],
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr), Errno> {
        self.lock().node(&Request::Symlink {
            dir,
            name: name.to_vec(),
            target: target.to_vec(),
            uid,
            gid,
        })
    }

    /// Regular files only (`S_IFREG` or no type); other types are EPERM
    /// (EINVAL for a type Linux does not know).
    pub fn mknod(
        &self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(NodeId, Attr), Errno> {
        self.lock().node(&Request::Mknod {
            dir,
            name: name.to_vec(),
            mode,
            uid,
            gid,
        })
    }

    /// A hard link `name` in `dir` to the node `target`.
    pub fn link(&self, dir: NodeId, name: &[u8], target: NodeId) -> Result<(NodeId, Attr), Errno> {
        self.lock().node(&Request::Link {
            dir,
            name: name.to_vec(),
            target,
        })
    }

    /// `flags`: 0 or `AT_REMOVEDIR`.
    pub fn unlink(&self, dir: NodeId, name: &[u8], flags: i32) -> Result<(), Errno> {
        self.lock().empty(&Request::Unlink {
            dir,
            name: name.to_vec(),
            flags,
        })
    }

    /// `flags`: `RENAME_NOREPLACE`, `RENAME_EXCHANGE` or 0.
    pub fn rename(
        &self,
        old_dir: NodeId,
        old: &[u8],
        new_dir: NodeId,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        self.lock().empty(&Request::Rename {
            old_dir,
            old_name: old.to_vec(),
            new_dir,
            new_name: new.to_vec(),
            flags,
        })
    }

    /// A symlink node's target; EINVAL for anything else.
    pub fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        self.lock()
            .expect(&Request::Readlink { node }, |r, fds| match r {
                Reply::Readlink(target) if fds.is_empty() => Some(target),
                _ => None,
            })
    }

    /// Changes what `attr` sets (owner, then size, mode, times) and returns
    /// the attributes after. On an error, the changes before the failing one
    /// stay made (refusals known up front, EOPNOTSUPP, EISDIR, EINVAL,
    /// change nothing).
    pub fn setattr(&self, node: NodeId, attr: &SetAttr) -> Result<Attr, Errno> {
        self.lock().attr(&Request::SetAttr { node, attr: *attr })
    }

    /// Every entry of the directory but "." and "..", in the host's order,
    /// paged over as many requests as it takes.
    pub fn getdents(&self, dir: NodeId) -> Result<Vec<Dirent>, Errno> {
        let mut conn = self.lock();
        let mut all = Vec::new();
        loop {
            let offset = u64::try_from(all.len()).map_err(|_| Errno::EOVERFLOW)?;
            let (entries, eof) =
                conn.expect(&Request::Getdents { dir, offset }, |r, fds| match r {
                    Reply::Getdents { entries, eof } if fds.is_empty() => Some((entries, eof)),
                    _ => None,
                })?;
            if entries.is_empty() && !eof {
                // No progress: the gofer would have us loop forever.
                return Err(conn.fail());
            }
            all.extend(entries);
            if eof {
                return Ok(all);
            }
        }
    }

    pub fn statfs(&self, node: NodeId) -> Result<Statfs, Errno> {
        self.lock()
            .expect(&Request::Statfs { node }, |r, fds| match r {
                Reply::Statfs(s) if fds.is_empty() => Some(s),
                _ => None,
            })
    }

    /// Forgets `nodes`, best effort: errors (unknown ids, a dead gofer) are
    /// ignored.
    pub fn release(&self, nodes: &[NodeId]) {
        self.lock().release(nodes);
    }
}
