//! The wire format between the sentry (client) and the gofer (server).
//!
//! One message per `SOCK_SEQPACKET` packet, little-endian, no padding:
//! a 12-byte [`Header`] (`len`, `tag`, `op`, `flags`), then the body. A reply
//! echoes the request's `tag` and `op`, then carries a `u32` errno (0 for
//! success) and, on success only, the op's reply body. Host fds travel as
//! `SCM_RIGHTS` ancillary data on the replies to `Open` and `Create`.
//! `docs/gofer-protocol.md` describes every message.
//!
//! Decoding never panics and never trusts a length: every count and string
//! is bounded before it is read, names are checked against the rules of
//! [`check_name`], and trailing bytes are an error.

use abi::Errno;

/// The protocol version the handshake ([`Request::Version`]) must carry.
pub const VERSION: u32 = 1;
/// The largest message either side sends or accepts, header included.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Bytes in a [`Header`].
pub const HEADER_LEN: usize = 12;
/// The longest name of one path component (Linux's `NAME_MAX`).
pub const NAME_MAX: usize = 255;
/// The longest symlink target (Linux's `PATH_MAX` less the NUL).
pub const SYMLINK_MAX: usize = 4095;
/// The most names one `Walk` request carries (the client splits longer walks).
pub const WALK_MAX: usize = 256;
/// The most node ids one `Release` request carries.
pub const RELEASE_MAX: usize = 4096;

/// A node: a file the server holds open for this connection. Ids are per
/// connection and never reused within one; 0 is never a node.
pub type NodeId = u64;

/// The operations. A request's `op` says which; its reply echoes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Op {
    Version = 1,
    Attach = 2,
    Walk = 3,
    Stat = 4,
    Open = 5,
    Create = 6,
    Mkdir = 7,
    Symlink = 8,
    Mknod = 9,
    Link = 10,
    Unlink = 11,
    Rename = 12,
    Readlink = 13,
    SetAttr = 14,
    Getdents = 15,
    Statfs = 16,
    Release = 17,
}

impl Op {
    /// The op numbered `raw`, if there is one.
    pub fn from_raw(raw: u16) -> Option<Op> {
        use Op::*;
        Some(match raw {
            1 => Version,
            2 => Attach,
            3 => Walk,
            4 => Stat,
            5 => Open,
            6 => Create,
            7 => Mkdir,
            8 => Symlink,
            9 => Mknod,
            10 => Link,
            11 => Unlink,
            12 => Rename,
            13 => Readlink,
            14 => SetAttr,
            15 => Getdents,
            16 => Statfs,
            17 => Release,
            _ => return None,
        })
    }

    /// The wire number.
    pub fn raw(self) -> u16 {
        self as u16
    }
}

/// The first bytes of every message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The whole message's length, header included; must equal the packet's.
    pub len: u32,
    /// Chosen by the client, echoed by the reply.
    pub tag: u32,
    /// An [`Op`] number (possibly unknown, for a reply to an unknown op).
    pub op: u16,
    /// Reserved, 0.
    pub flags: u16,
}

/// A point in time as `stat` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timestamp {
    pub sec: i64,
    pub nsec: u32,
}

/// A file's attributes, from the host's `fstat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attr {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: u64,
    pub blksize: u32,
    pub blocks: u64,
    pub atime: Timestamp,
    pub mtime: Timestamp,
    pub ctime: Timestamp,
}

impl Attr {
    /// The file type bits (`mode & S_IFMT`).
    pub fn file_type(&self) -> u32 {
        self.mode & libc::S_IFMT
    }

    pub fn is_dir(&self) -> bool {
        self.file_type() == libc::S_IFDIR
    }

    pub fn is_symlink(&self) -> bool {
        self.file_type() == libc::S_IFLNK
    }
}

/// A time to set: a given one, or the server's clock now (`UTIME_NOW`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSpec {
    Now,
    Set(Timestamp),
}

/// What `SetAttr` changes; `None` leaves a field alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetAttr {
    /// Permission bits (`& 0o7777`); the file type cannot change.
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: Option<TimeSpec>,
    pub mtime: Option<TimeSpec>,
}

/// A filesystem's numbers, from the host's `fstatfs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Statfs {
    pub fs_type: u64,
    pub bsize: u64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
    pub namelen: u64,
    pub frsize: u64,
    /// `ST_*` mount flags; `ST_RDONLY` is set when the server is read-only.
    pub flags: u64,
}

/// One directory entry ("." and ".." are never sent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dirent {
    pub ino: u64,
    /// `DT_*`; `DT_UNKNOWN` (0) when the host filesystem does not say.
    pub kind: u8,
    pub name: Vec<u8>,
}

/// A request from the sentry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// The handshake: must come first; `max_message` must be at least
    /// [`MAX_MESSAGE`] (the client can take replies that large).
    Version {
        version: u32,
        max_message: u32,
    },
    /// A new node for the root directory.
    Attach,
    Walk {
        dir: NodeId,
        names: Vec<Vec<u8>>,
    },
    Stat {
        node: NodeId,
    },
    Open {
        node: NodeId,
        flags: i32,
    },
    Create {
        dir: NodeId,
        name: Vec<u8>,
        flags: i32,
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Mkdir {
        dir: NodeId,
        name: Vec<u8>,
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Symlink {
        dir: NodeId,
        name: Vec<u8>,
        target: Vec<u8>,
        uid: u32,
        gid: u32,
    },
    Mknod {
        dir: NodeId,
        name: Vec<u8>,
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Link {
        dir: NodeId,
        name: Vec<u8>,
        target: NodeId,
    },
    Unlink {
        dir: NodeId,
        name: Vec<u8>,
        flags: i32,
    },
    Rename {
        old_dir: NodeId,
        old_name: Vec<u8>,
        new_dir: NodeId,
        new_name: Vec<u8>,
        flags: u32,
    },
    Readlink {
        node: NodeId,
    },
    SetAttr {
        node: NodeId,
        attr: SetAttr,
    },
    /// The entries from index `offset` on ("." and ".." not counted).
    Getdents {
        dir: NodeId,
        offset: u64,
    },
    Statfs {
        node: NodeId,
    },
    Release {
        nodes: Vec<NodeId>,
    },
}

/// A successful reply's body. Errors are [`Reply::Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Error(Errno),
    /// To `Version`.
    Version {
        version: u32,
        max_message: u32,
    },
    /// To `Attach`, `Create` (with an fd), `Mkdir`, `Symlink`, `Mknod`, `Link`.
    Node {
        node: NodeId,
        attr: Attr,
    },
    /// To `Walk`: the nodes walked, in order, and why the next name failed.
    Walk {
        nodes: Vec<(NodeId, Attr)>,
        error: Option<Errno>,
    },
    /// To `Stat` and `SetAttr`.
    Attr(Attr),
    /// To `Open` (with an fd), `Unlink`, `Rename`, `Release`.
    Empty,
    /// To `Readlink`.
    Readlink(Vec<u8>),
    /// To `Getdents`: one page; `eof` when no entries follow it.
    Getdents {
        entries: Vec<Dirent>,
        eof: bool,
    },
    /// To `Statfs`.
    Statfs(Statfs),
}

/// Why a request could not be decoded, with what of its header could be
/// read, so the error reply still reaches the right caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub tag: u32,
    pub op: u16,
    pub errno: Errno,
}

/// Checks one path component: 1 to [`NAME_MAX`] bytes, no NUL, no '/',
/// not "." or "..". EINVAL, or ENAMETOOLONG for a long one.
pub fn check_name(name: &[u8]) -> Result<(), Errno> {
    if name.len() > NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0)
    {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Checks a symlink target: at most [`SYMLINK_MAX`] bytes, no NUL. An empty
/// target is the host's to refuse (ENOENT, as Linux does).
pub fn check_target(target: &[u8]) -> Result<(), Errno> {
    if target.len() > SYMLINK_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if target.contains(&0) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

// SetAttr mask bits.
const SET_MODE: u32 = 1 << 0;
const SET_UID: u32 = 1 << 1;
const SET_GID: u32 = 1 << 2;
const SET_SIZE: u32 = 1 << 3;
const SET_ATIME: u32 = 1 << 4;
const SET_ATIME_NOW: u32 = 1 << 5;
const SET_MTIME: u32 = 1 << 6;
const SET_MTIME_NOW: u32 = 1 << 7;
const SET_ALL: u32 = (1 << 8) - 1;

const NSEC_PER_SEC: u32 = 1_000_000_000;

/// Appends little-endian fields to a message.
#[derive(Debug)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// A message with room for its header, which `finish` fills in.
    fn new(tag: u32, op: u16) -> Writer {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&[0; 4]);
        buf.extend_from_slice(&tag.to_le_bytes());
        buf.extend_from_slice(&op.to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes());
        Writer { buf }
    }

    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn count(&mut self, n: usize) -> Result<(), Errno> {
        self.u32(u32::try_from(n).map_err(|_| Errno::EMSGSIZE)?);
        Ok(())
    }

    /// A `u16` length, then the bytes.
    fn bytes(&mut self, b: &[u8]) -> Result<(), Errno> {
        self.u16(u16::try_from(b.len()).map_err(|_| Errno::ENAMETOOLONG)?);
        self.buf.extend_from_slice(b);
        Ok(())
    }

    fn name(&mut self, name: &[u8]) -> Result<(), Errno> {
        check_name(name)?;
        self.bytes(name)
    }

    fn timestamp(&mut self, t: Timestamp) {
        self.i64(t.sec);
        self.u32(t.nsec);
    }

    fn attr(&mut self, a: &Attr) {
        self.u64(a.dev);
        self.u64(a.ino);
        self.u32(a.mode);
        self.u64(a.nlink);
        self.u32(a.uid);
        self.u32(a.gid);
        self.u64(a.rdev);
        self.u64(a.size);
        self.u32(a.blksize);
        self.u64(a.blocks);
        self.timestamp(a.atime);
        self.timestamp(a.mtime);
        self.timestamp(a.ctime);
    }

    /// Fills in the length; EMSGSIZE past [`MAX_MESSAGE`].
    fn finish(mut self) -> Result<Vec<u8>, Errno> {
        if self.buf.len() > MAX_MESSAGE {
            return Err(Errno::EMSGSIZE);
        }
        let len = u32::try_from(self.buf.len()).map_err(|_| Errno::EMSGSIZE)?;
        self.buf[..4].copy_from_slice(&len.to_le_bytes());
        Ok(self.buf)
    }
}

/// Reads little-endian fields; running out is EINVAL.
#[derive(Debug)]
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Errno> {
        if n > self.buf.len() {
            return Err(Errno::EINVAL);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Errno> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, Errno> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> Result<i32, Errno> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, Errno> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A count of items of at least `item_len` bytes each, at most `max`:
    /// EINVAL beyond either bound, before anything is allocated.
    fn count(&mut self, max: usize, item_len: usize) -> Result<usize, Errno> {
        let n = usize::try_from(self.u32()?).map_err(|_| Errno::EINVAL)?;
        if n > max || n.saturating_mul(item_len) > self.buf.len() {
            return Err(Errno::EINVAL);
        }
        Ok(n)
    }

    /// A `u16` length, at most `max` (else `too_long`), then the bytes.
    fn bytes(&mut self, max: usize, too_long: Errno) -> Result<Vec<u8>, Errno> {
        let len = usize::from(self.u16()?);
        if len > max {
            return Err(too_long);
        }
        Ok(self.take(len)?.to_vec())
    }

    fn name(&mut self) -> Result<Vec<u8>, Errno> {
        let name = self.bytes(NAME_MAX, Errno::ENAMETOOLONG)?;
        check_name(&name)?;
        Ok(name)
    }

    fn target(&mut self) -> Result<Vec<u8>, Errno> {
        let target = self.bytes(SYMLINK_MAX, Errno::ENAMETOOLONG)?;
        check_target(&target)?;
        Ok(target)
    }

    fn timestamp(&mut self) -> Result<Timestamp, Errno> {
        Ok(Timestamp {
            sec: self.i64()?,
            nsec: self.u32()?,
        })
    }

    fn attr(&mut self) -> Result<Attr, Errno> {
        Ok(Attr {
            dev: self.u64()?,
            ino: self.u64()?,
            mode: self.u32()?,
            nlink: self.u64()?,
            uid: self.u32()?,
            gid: self.u32()?,
            rdev: self.u64()?,
            size: self.u64()?,
            blksize: self.u32()?,
            blocks: self.u64()?,
            atime: self.timestamp()?,
            mtime: self.timestamp()?,
            ctime: self.timestamp()?,
        })
    }

    /// Nothing may follow the body.
    fn end(&self) -> Result<(), Errno> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }
}

/// Bytes of an encoded [`Attr`].
const ATTR_LEN: usize = 100;
/// Bytes of an encoded `Walk` name or `Dirent`, at the least.
const MIN_NAME_LEN: usize = 3;

/// The header fields of `msg`, unchecked; None if it is shorter than a
/// header.
pub fn read_header(msg: &[u8]) -> Option<Header> {
    let h: &[u8; HEADER_LEN] = msg.get(..HEADER_LEN)?.try_into().ok()?;
    Some(Header {
        len: u32::from_le_bytes([h[0], h[1], h[2], h[3]]),
        tag: u32::from_le_bytes([h[4], h[5], h[6], h[7]]),
        op: u16::from_le_bytes([h[8], h[9]]),
        flags: u16::from_le_bytes([h[10], h[11]]),
    })
}

/// Reads the header of `msg` and checks it: EINVAL if `msg` is shorter than
/// a header (tag and op 0 in the error), if `len` is not `msg`'s length or
/// `flags` is not 0; EMSGSIZE if `msg` is longer than [`MAX_MESSAGE`].
pub fn decode_header(msg: &[u8]) -> Result<Header, DecodeError> {
    let Some(header) = read_header(msg) else {
        return Err(DecodeError {
            tag: 0,
            op: 0,
            errno: Errno::EINVAL,
        });
    };
    let fail = |errno| DecodeError {
        tag: header.tag,
        op: header.op,
        errno,
    };
    if msg.len() > MAX_MESSAGE {
        return Err(fail(Errno::EMSGSIZE));
    }
    if usize::try_from(header.len).ok() != Some(msg.len()) || header.flags != 0 {
        return Err(fail(Errno::EINVAL));
    }
    Ok(header)
}

impl Request {
    pub fn op(&self) -> Op {
        match self {
            Request::Version { .. } => Op::Version,
            Request::Attach => Op::Attach,
            Request::Walk { .. } => Op::Walk,
            Request::Stat { .. } => Op::Stat,
            Request::Open { .. } => Op::Open,
            Request::Create { .. } => Op::Create,
            Request::Mkdir { .. } => Op::Mkdir,
            Request::Symlink { .. } => Op::Symlink,
            Request::Mknod { .. } => Op::Mknod,
            Request::Link { .. } => Op::Link,
            Request::Unlink { .. } => Op::Unlink,
            Request::Rename { .. } => Op::Rename,
            Request::Readlink { .. } => Op::Readlink,
            Request::SetAttr { .. } => Op::SetAttr,
            Request::Getdents { .. } => Op::Getdents,
            Request::Statfs { .. } => Op::Statfs,
            Request::Release { .. } => Op::Release,
        }
    }

    /// The message for this request. Fails, without a round trip, with the
    /// errno the server would give: a bad name (EINVAL, ENAMETOOLONG), too
    /// many names or nodes (EINVAL), a bad time (EINVAL), too big (EMSGSIZE).
    pub fn encode(&self, tag: u32) -> Result<Vec<u8>, Errno> {
        let mut w = Writer::new(tag, self.op().raw());
        match self {
            Request::Version {
                version,
                max_message,
            } => {
                w.u32(*version);
                w.u32(*max_message);
            }
            Request::Attach => {}
            Request::Walk { dir, names } => {
                if names.len() > WALK_MAX {
                    return Err(Errno::EINVAL);
                }
                w.u64(*dir);
                w.count(names.len())?;
                for name in names {
                    w.name(name)?;
                }
            }
            Request::Stat { node } | Request::Readlink { node } | Request::Statfs { node } => {
                w.u64(*node);
            }
            Request::Open { node, flags } => {
                w.u64(*node);
                w.i32(*flags);
            }
            Request::Create {
                dir,
                name,
                flags,
                mode,
                uid,
                gid,
            } => {
                w.u64(*dir);
                w.name(name)?;
                w.i32(*flags);
                w.u32(*mode);
                w.u32(*uid);
                w.u32(*gid);
            }
            Request::Mkdir {
                dir,
                name,
                mode,
                uid,
                gid,
            }
            | Request::Mknod {
                dir,
                name,
                mode,
                uid,
                gid,
            } => {
                w.u64(*dir);
                w.name(name)?;
                w.u32(*mode);
                w.u32(*uid);
                w.u32(*gid);
            }
            Request::Symlink {
                dir,
                name,
                target,
                uid,
                gid,
            } => {
                check_target(target)?;
                w.u64(*dir);
                w.name(name)?;
                w.bytes(target)?;
                w.u32(*uid);
                w.u32(*gid);
            }
            Request::Link { dir, name, target } => {
                w.u64(*dir);
                w.name(name)?;
                w.u64(*target);
            }
            Request::Unlink { dir, name, flags } => {
                w.u64(*dir);
                w.name(name)?;
                w.i32(*flags);
            }
            Request::Rename {
                old_dir,
                old_name,
                new_dir,
                new_name,
                flags,
            } => {
                w.u64(*old_dir);
                w.name(old_name)?;
                w.u64(*new_dir);
                w.name(new_name)?;
                w.u32(*flags);
            }
            Request::SetAttr { node, attr } => {
                w.u64(*node);
                encode_setattr(&mut w, attr)?;
            }
            Request::Getdents { dir, offset } => {
                w.u64(*dir);
                w.u64(*offset);
            }
            Request::Release { nodes } => {
                if nodes.len() > RELEASE_MAX {
                    return Err(Errno::EINVAL);
                }
                w.count(nodes.len())?;
                for node in nodes {
                    w.u64(*node);
                }
            }
        }
        w.finish()
    }

    /// Decodes a request. An error keeps the tag and op it could read, for
    /// the error reply: EINVAL for anything malformed, ENAMETOOLONG for a
    /// long name, ENOSYS for an unknown op.
    pub fn decode(msg: &[u8]) -> Result<(Header, Request), DecodeError> {
        let header = decode_header(msg)?;
        let fail = |errno| DecodeError {
            tag: header.tag,
            op: header.op,
            errno,
        };
        let op = Op::from_raw(header.op).ok_or(fail(Errno::ENOSYS))?;
        let mut r = Reader {
            buf: &msg[HEADER_LEN..],
        };
        let req = decode_request_body(op, &mut r).map_err(fail)?;
        r.end().map_err(fail)?;
        Ok((header, req))
    }
}

fn decode_request_body(op: Op, r: &mut Reader<'_>) -> Result<Request, Errno> {
    Ok(match op {
        Op::Version => Request::Version {
            version: r.u32()?,
            max_message: r.u32()?,
        },
        Op::Attach => Request::Attach,
        Op::Walk => {
            let dir = r.u64()?;
            let n = r.count(WALK_MAX, MIN_NAME_LEN)?;
            let mut names = Vec::with_capacity(n);
            for _ in 0..n {
                names.push(r.name()?);
            }
            Request::Walk { dir, names }
        }
        Op::Stat => Request::Stat { node: r.u64()? },
        Op::Open => Request::Open {
            node: r.u64()?,
            flags: r.i32()?,
        },
        Op::Create => Request::Create {
            dir: r.u64()?,
            name: r.name()?,
            flags: r.i32()?,
            mode: r.u32()?,
            uid: r.u32()?,
            gid: r.u32()?,
        },
        Op::Mkdir => Request::Mkdir {
            dir: r.u64()?,
            name: r.name()?,
            mode: r.u32()?,
            uid: r.u32()?,
            gid: r.u32()?,
        },
        Op::Symlink => Request::Symlink {
            dir: r.u64()?,
            name: r.name()?,
            target: r.target()?,
            uid: r.u32()?,
            gid: r.u32()?,
        },
        Op::Mknod => Request::Mknod {
            dir: r.u64()?,
            name: r.name()?,
            mode: r.u32()?,
            uid: r.u32()?,
            gid: r.u32()?,
        },
        Op::Link => Request::Link {
            dir: r.u64()?,
            name: r.name()?,
            target: r.u64()?,
        },
        Op::Unlink => Request::Unlink {
            dir: r.u64()?,
            name: r.name()?,
            flags: r.i32()?,
        },
        Op::Rename => Request::Rename {
            old_dir: r.u64()?,
            old_name: r.name()?,
            new_dir: r.u64()?,
            new_name: r.name()?,
            flags: r.u32()?,
        },
        Op::Readlink => Request::Readlink { node: r.u64()? },
        Op::SetAttr => Request::SetAttr {
            node: r.u64()?,
            attr: decode_setattr(r)?,
        },
        Op::Getdents => Request::Getdents {
            dir: r.u64()?,
            offset: r.u64()?,
        },
        Op::Statfs => Request::Statfs { node: r.u64()? },
        Op::Release => {
            let n = r.count(RELEASE_MAX, 8)?;
            let mut nodes = Vec::with_capacity(n);
            for _ in 0..n {
                nodes.push(r.u64()?);
            }
            Request::Release { nodes }
        }
    })
}

fn check_time(t: Option<TimeSpec>) -> Result<(), Errno> {
    match t {
        Some(TimeSpec::Set(ts)) if ts.nsec >= NSEC_PER_SEC => Err(Errno::EINVAL),
        _ => Ok(()),
    }
}

/// A mask of what is set, then every field (zero when unset): 48 bytes.
fn encode_setattr(w: &mut Writer, a: &SetAttr) -> Result<(), Errno> {
    check_time(a.atime)?;
    check_time(a.mtime)?;
    let mut mask = 0;
    let bit = |set: bool, b: u32| if set { b } else { 0 };
    mask |= bit(a.mode.is_some(), SET_MODE);
    mask |= bit(a.uid.is_some(), SET_UID);
    mask |= bit(a.gid.is_some(), SET_GID);
    mask |= bit(a.size.is_some(), SET_SIZE);
    let time_bits = |t: Option<TimeSpec>, set: u32, now: u32| match t {
        None => (0, Timestamp::default()),
        Some(TimeSpec::Now) => (now, Timestamp::default()),
        Some(TimeSpec::Set(ts)) => (set, ts),
    };
    let (abits, atime) = time_bits(a.atime, SET_ATIME, SET_ATIME_NOW);
    let (mbits, mtime) = time_bits(a.mtime, SET_MTIME, SET_MTIME_NOW);
    w.u32(mask | abits | mbits);
    w.u32(a.mode.unwrap_or(0));
    w.u32(a.uid.unwrap_or(0));
    w.u32(a.gid.unwrap_or(0));
    w.u64(a.size.unwrap_or(0));
    w.timestamp(atime);
    w.timestamp(mtime);
    Ok(())
}

fn decode_setattr(r: &mut Reader<'_>) -> Result<SetAttr, Errno> {
    let mask = r.u32()?;
    let (mode, uid, gid, size) = (r.u32()?, r.u32()?, r.u32()?, r.u64()?);
    let (atime, mtime) = (r.timestamp()?, r.timestamp()?);
    if mask & !SET_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let time = |t: Timestamp, set: u32, now: u32| -> Result<Option<TimeSpec>, Errno> {
        match (mask & set != 0, mask & now != 0) {
            (false, false) => Ok(None),
            (false, true) => Ok(Some(TimeSpec::Now)),
            (true, false) if t.nsec < NSEC_PER_SEC => Ok(Some(TimeSpec::Set(t))),
            _ => Err(Errno::EINVAL),
        }
    };
    let when = |b: u32, v| (mask & b != 0).then_some(v);
    Ok(SetAttr {
        mode: when(SET_MODE, mode),
        uid: when(SET_UID, uid),
        gid: when(SET_GID, gid),
        size: (mask & SET_SIZE != 0).then_some(size),
        atime: time(atime, SET_ATIME, SET_ATIME_NOW)?,
        mtime: time(mtime, SET_MTIME, SET_MTIME_NOW)?,
    })
}

impl Reply {
    /// The reply message to a request with `tag` and `op`. Fails only if
    /// the body would not fit (a server bug, answered with EIO instead).
    pub fn encode(&self, tag: u32, op: u16) -> Result<Vec<u8>, Errno> {
        let mut w = Writer::new(tag, op);
        match self {
            Reply::Error(e) => {
                // Errnos are positive; anything else would read as success.
                let raw = u32::try_from(e.raw()).ok().filter(|&r| r != 0);
                w.u32(raw.unwrap_or(libc::EIO.unsigned_abs()));
                return w.finish();
            }
            _ => w.u32(0),
        }
        match self {
            Reply::Error(_) | Reply::Empty => {}
            Reply::Version {
                version,
                max_message,
            } => {
                w.u32(*version);
                w.u32(*max_message);
            }
            Reply::Node { node, attr } => {
                w.u64(*node);
                w.attr(attr);
            }
            Reply::Walk { nodes, error } => {
                w.count(nodes.len())?;
                for (node, attr) in nodes {
                    w.u64(*node);
                    w.attr(attr);
                }
                w.u32(error.map_or(0, |e| e.raw().unsigned_abs()));
            }
            Reply::Attr(attr) => w.attr(attr),
            Reply::Readlink(target) => w.bytes(target)?,
            Reply::Getdents { entries, eof } => {
                w.u8(u8::from(*eof));
                w.count(entries.len())?;
                for e in entries {
                    encode_dirent(&mut w, e)?;
                }
            }
            Reply::Statfs(s) => {
                for v in [
                    s.fs_type, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree, s.namelen,
                    s.frsize, s.flags,
                ] {
                    w.u64(v);
                }
            }
        }
        w.finish()
    }

    /// Decodes a reply; the body's shape is the header's op's. Any error
    /// (EINVAL, ENOSYS for an op we never send) means the server is not
    /// speaking this protocol.
    pub fn decode(msg: &[u8]) -> Result<(Header, Reply), Errno> {
        let header = decode_header(msg).map_err(|e| e.errno)?;
        let mut r = Reader {
            buf: &msg[HEADER_LEN..],
        };
        let errno = r.u32()?;
        if errno != 0 {
            r.end()?;
            return Ok((header, Reply::Error(decode_errno(errno)?)));
        }
        let op = Op::from_raw(header.op).ok_or(Errno::ENOSYS)?;
        let reply = decode_reply_body(op, &mut r)?;
        r.end()?;
        Ok((header, reply))
    }
}

/// Dirent size on the wire, at most 266 bytes.
pub fn dirent_len(e: &Dirent) -> usize {
    8 + 1 + 2 + e.name.len()
}

/// Bytes of a `Getdents` reply before its entries.
pub const GETDENTS_REPLY_OVERHEAD: usize = HEADER_LEN + 4 + 1 + 4;

fn encode_dirent(w: &mut Writer, e: &Dirent) -> Result<(), Errno> {
    w.u64(e.ino);
    w.u8(e.kind);
    w.name(&e.name)
}

/// An errno as the wire carries it: 1..=4095, as Linux's are.
fn decode_errno(raw: u32) -> Result<Errno, Errno> {
    match i32::try_from(raw) {
        Ok(v @ 1..=4095) => Ok(Errno::from_raw(v)),
        _ => Err(Errno::EINVAL),
    }
}

fn decode_reply_body(op: Op, r: &mut Reader<'_>) -> Result<Reply, Errno> {
    Ok(match op {
        Op::Version => Reply::Version {
            version: r.u32()?,
            max_message: r.u32()?,
        },
        Op::Attach | Op::Create | Op::Mkdir | Op::Symlink | Op::Mknod | Op::Link => Reply::Node {
            node: r.u64()?,
            attr: r.attr()?,
        },
        Op::Walk => {
            let n = r.count(WALK_MAX, 8 + ATTR_LEN)?;
            let mut nodes = Vec::with_capacity(n);
            for _ in 0..n {
                nodes.push((r.u64()?, r.attr()?));
            }
            let error = match r.u32()? {
                0 => None,
                e => Some(decode_errno(e)?),
            };
            Reply::Walk { nodes, error }
        }
        Op::Stat | Op::SetAttr => Reply::Attr(r.attr()?),
        Op::Open | Op::Unlink | Op::Rename | Op::Release => Reply::Empty,
        Op::Readlink => Reply::Readlink(r.target()?),
        Op::Getdents => {
            let eof = match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(Errno::EINVAL),
            };
            let n = r.count(MAX_MESSAGE, 8 + 1 + MIN_NAME_LEN)?;
            let mut entries = Vec::with_capacity(n);
            for _ in 0..n {
                entries.push(Dirent {
                    ino: r.u64()?,
                    kind: r.u8()?,
                    name: r.name()?,
                });
            }
            Reply::Getdents { entries, eof }
        }
        Op::Statfs => Reply::Statfs(Statfs {
            fs_type: r.u64()?,
            bsize: r.u64()?,
            blocks: r.u64()?,
            bfree: r.u64()?,
            bavail: r.u64()?,
            files: r.u64()?,
            ffree: r.u64()?,
            namelen: r.u64()?,
            frsize: r.u64()?,
            flags: r.u64()?,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(seed: u64) -> Attr {
        Attr {
            dev: seed,
            ino: seed + 1,
            mode: libc::S_IFREG | 0o644,
            nlink: 2,
            uid: 1000,
            gid: 1001,
            rdev: 0,
            size: 12345,
            blksize: 4096,
            blocks: 8,
            atime: Timestamp { sec: -5, nsec: 1 },
            mtime: Timestamp {
                sec: i64::MAX,
                nsec: 999_999_999,
            },
            ctime: Timestamp { sec: 0, nsec: 0 },
        }
    }

    fn all_requests() -> Vec<Request> {
        vec![
            Request::Version {
                version: VERSION,
                max_message: 65536,
            },
            Request::Attach,
            Request::Walk {
                dir: 1,
                names: vec![b"a".to_vec(), vec![b'x'; 255]],
            },
            Request::Walk {
                dir: 1,
                names: vec![],
            },
            Request::Stat { node: u64::MAX },
            Request::Open { node: 3, flags: -1 },
            Request::Create {
                dir: 1,
                name: b"f".to_vec(),
                flags: 2,
                mode: 0o644,
                uid: 1,
                gid: 2,
            },
            Request::Mkdir {
                dir: 1,
                name: b"d".to_vec(),
                mode: 0o755,
                uid: 3,
                gid: 4,
            },
            Request::Symlink {
                dir: 1,
                name: b"l".to_vec(),
                target: vec![b'/'; SYMLINK_MAX],
                uid: 5,
                gid: 6,
            },
            Request::Mknod {
                dir: 1,
                name: b"n".to_vec(),
                mode: libc::S_IFREG | 0o600,
                uid: 7,
                gid: 8,
            },
            Request::Link {
                dir: 1,
                name: b"h".to_vec(),
                target: 9,
            },
            Request::Unlink {
                dir: 1,
                name: b"u".to_vec(),
                flags: libc::AT_REMOVEDIR,
            },
            Request::Rename {
                old_dir: 1,
                old_name: b"a".to_vec(),
                new_dir: 2,
                new_name: b"b".to_vec(),
                flags: 1,
            },
            Request::Readlink { node: 4 },
            Request::SetAttr {
                node: 4,
                attr: SetAttr::default(),
            },
            Request::SetAttr {
                node: 4,
                attr: SetAttr {
                    mode: Some(0o4755),
                    uid: Some(0),
                    gid: Some(u32::MAX),
                    size: Some(0),
                    atime: Some(TimeSpec::Now),
                    mtime: Some(TimeSpec::Set(Timestamp { sec: 7, nsec: 8 })),
                },
            },
            Request::Getdents { dir: 1, offset: 77 },
            Request::Statfs { node: 1 },
            Request::Release {
                nodes: vec![1, 2, 3],
            },
        ]
    }

    #[test]
    fn every_request_round_trips() {
        for (i, req) in all_requests().into_iter().enumerate() {
            let tag = u32::try_from(i).expect("few requests") + 100;
            let msg = req.encode(tag).expect("valid request");
            let (header, back) = Request::decode(&msg).expect("decodes");
            assert_eq!(back, req);
            assert_eq!(header.tag, tag);
            assert_eq!(header.op, req.op().raw());
            assert_eq!(header.len as usize, msg.len());
        }
    }

    #[test]
    fn every_reply_round_trips() {
        let replies = [
            (
                Op::Version,
                Reply::Version {
                    version: 1,
                    max_message: 65536,
                },
            ),
            (
                Op::Attach,
                Reply::Node {
                    node: 1,
                    attr: attr(1),
                },
            ),
            (
                Op::Walk,
                Reply::Walk {
                    nodes: vec![(2, attr(2)), (3, attr(3))],
                    error: Some(Errno::ENOENT),
                },
            ),
            (
                Op::Walk,
                Reply::Walk {
                    nodes: vec![],
                    error: None,
                },
            ),
            (Op::Stat, Reply::Attr(attr(4))),
            (Op::Open, Reply::Empty),
            (Op::Readlink, Reply::Readlink(b"../x".to_vec())),
            (
                Op::Getdents,
                Reply::Getdents {
                    entries: vec![Dirent {
                        ino: 5,
                        kind: libc::DT_DIR,
                        name: b"sub".to_vec(),
                    }],
                    eof: true,
                },
            ),
            (
                Op::Statfs,
                Reply::Statfs(Statfs {
                    fs_type: 0xef53,
                    bsize: 4096,
                    blocks: 1,
                    bfree: 2,
                    bavail: 3,
                    files: 4,
                    ffree: 5,
                    namelen: 255,
                    frsize: 4096,
                    flags: 1,
                }),
            ),
            (Op::Stat, Reply::Error(Errno::EBADF)),
            (Op::Walk, Reply::Error(Errno::EPROTONOSUPPORT)),
        ];
        for (op, reply) in replies {
            let msg = reply.encode(9, op.raw()).expect("fits");
            let (header, back) = Reply::decode(&msg).expect("decodes");
            assert_eq!(back, reply);
            assert_eq!((header.tag, header.op), (9, op.raw()));
        }
    }

    #[test]
    fn attr_is_attr_len_bytes() {
        let msg = Reply::Attr(attr(1))
            .encode(1, Op::Stat.raw())
            .expect("fits");
        assert_eq!(msg.len(), HEADER_LEN + 4 + ATTR_LEN);
    }

    #[test]
    fn bad_names_are_refused_on_both_sides() {
        for (name, errno) in [
            (&b""[..], Errno::EINVAL),
            (b".", Errno::EINVAL),
            (b"..", Errno::EINVAL),
            (b"a/b", Errno::EINVAL),
            (b"/", Errno::EINVAL),
            (b"a\0b", Errno::EINVAL),
            (&[b'x'; 256], Errno::ENAMETOOLONG),
        ] {
            let req = Request::Walk {
                dir: 1,
                names: vec![name.to_vec()],
            };
            assert_eq!(req.encode(1), Err(errno), "{name:?}");
            // Hand-built, as a hostile client would.
            let mut msg = Writer::new(1, Op::Walk.raw());
            msg.u64(1);
            msg.u32(1);
            msg.bytes(name).expect("short");
            let msg = msg.finish().expect("fits");
            let err = Request::decode(&msg).expect_err("refused");
            assert_eq!((err.tag, err.op, err.errno), (1, Op::Walk.raw(), errno));
        }
    }

    #[test]
    fn truncated_requests_are_einval_at_every_length() {
        for req in all_requests() {
            let msg = req.encode(5).expect("valid");
            for cut in 0..msg.len() {
                let mut short = msg[..cut].to_vec();
                // Keep the length field honest so only the body is short.
                if cut >= 4 {
                    let len = u32::try_from(cut).expect("small");
                    short[..4].copy_from_slice(&len.to_le_bytes());
                }
                let err = Request::decode(&short).expect_err("truncated");
                assert_eq!(err.errno, Errno::EINVAL, "{req:?} cut at {cut}");
                if cut < HEADER_LEN {
                    assert_eq!((err.tag, err.op), (0, 0));
                } else {
                    assert_eq!((err.tag, err.op), (5, req.op().raw()));
                }
            }
        }
    }

    #[test]
    fn header_length_must_match_packet() {
        let mut msg = Request::Stat { node: 1 }.encode(3).expect("valid");
        msg.push(0);
        let err = Request::decode(&msg).expect_err("long");
        assert_eq!((err.tag, err.errno), (3, Errno::EINVAL));
        msg.pop();
        msg[10] = 1; // flags
        assert_eq!(
            Request::decode(&msg).expect_err("flags").errno,
            Errno::EINVAL
        );
    }

    #[test]
    fn messages_over_the_limit_are_emsgsize() {
        let mut w = Writer::new(6, Op::Stat.raw());
        w.buf.resize(MAX_MESSAGE + 1, 0);
        let len = u32::try_from(w.buf.len()).expect("small");
        w.buf[..4].copy_from_slice(&len.to_le_bytes());
        let err = Request::decode(&w.buf).expect_err("too big");
        assert_eq!(
            (err.tag, err.op, err.errno),
            (6, Op::Stat.raw(), Errno::EMSGSIZE)
        );
    }

    #[test]
    fn trailing_bytes_are_einval() {
        let mut msg = Request::Stat { node: 1 }.encode(3).expect("valid");
        msg.push(0);
        let len = u32::try_from(msg.len()).expect("small");
        msg[..4].copy_from_slice(&len.to_le_bytes());
        assert_eq!(
            Request::decode(&msg).expect_err("trailing").errno,
            Errno::EINVAL
        );
    }

    #[test]
    fn unknown_op_is_enosys_with_tag() {
        let msg = Writer::new(42, 999).finish().expect("fits");
        let err = Request::decode(&msg).expect_err("unknown");
        assert_eq!((err.tag, err.op, err.errno), (42, 999, Errno::ENOSYS));
    }

    #[test]
    fn huge_counts_are_refused_before_allocating() {
        let mut w = Writer::new(1, Op::Release.raw());
        w.u32(u32::MAX);
        let msg = w.finish().expect("fits");
        assert_eq!(
            Request::decode(&msg).expect_err("count").errno,
            Errno::EINVAL
        );
        let mut w = Writer::new(1, Op::Walk.raw());
        w.u64(1);
        w.u32(100); // within WALK_MAX but no names follow
        let msg = w.finish().expect("fits");
        assert_eq!(
            Request::decode(&msg).expect_err("count").errno,
            Errno::EINVAL
        );
    }

    #[test]
    fn long_name_length_is_enametoolong_even_when_truncated() {
        let mut w = Writer::new(1, Op::Mkdir.raw());
        w.u64(1);
        w.u16(60000);
        let msg = w.finish().expect("fits");
        assert_eq!(
            Request::decode(&msg).expect_err("long").errno,
            Errno::ENAMETOOLONG
        );
    }

    #[test]
    fn setattr_refuses_bad_masks_and_times() {
        let bad = [
            SET_ALL + 1,
            SET_ATIME | SET_ATIME_NOW,
            SET_MTIME | SET_MTIME_NOW,
        ];
        for mask in bad {
            let mut w = Writer::new(1, Op::SetAttr.raw());
            w.u64(1);
            w.u32(mask);
            w.buf.extend_from_slice(&[0; 44]);
            let msg = w.finish().expect("fits");
            assert_eq!(
                Request::decode(&msg).expect_err("mask").errno,
                Errno::EINVAL
            );
        }
        let req = Request::SetAttr {
            node: 1,
            attr: SetAttr {
                atime: Some(TimeSpec::Set(Timestamp {
                    sec: 0,
                    nsec: NSEC_PER_SEC,
                })),
                ..SetAttr::default()
            },
        };
        assert_eq!(req.encode(1), Err(Errno::EINVAL));
    }

    #[test]
    fn oversized_requests_are_emsgsize() {
        let req = Request::Walk {
            dir: 1,
            names: vec![vec![b'x'; 255]; WALK_MAX],
        };
        assert_eq!(req.encode(1), Err(Errno::EMSGSIZE));
    }

    #[test]
    fn reply_errno_zero_or_huge_is_refused() {
        let mut w = Writer::new(1, Op::Stat.raw());
        w.u32(5000);
        let msg = w.finish().expect("fits");
        assert_eq!(Reply::decode(&msg), Err(Errno::EINVAL));
    }

    #[test]
    fn garbage_never_panics() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..2000usize {
            let mut msg = Vec::with_capacity(len);
            for _ in 0..len % 300 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                msg.push(x.to_le_bytes()[0]);
            }
            if msg.len() >= HEADER_LEN {
                let l = u32::try_from(msg.len()).expect("small");
                msg[..4].copy_from_slice(&l.to_le_bytes());
                msg[8] %= 20;
                msg[9] = 0;
                msg[10] = 0;
                msg[11] = 0;
            }
            let _ = Request::decode(&msg);
            let _ = Reply::decode(&msg);
        }
    }
}
