//! The gofer-backed filesystem: host files the sentry reaches only through
//! the gofer process. Lookups, creation and attribute changes are gofer
//! requests; reads and writes use host descriptors the gofer donated, kept
//! per node and shared by every open file of it.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, OnceLock};

use abi::types::{Stat, Timespec};
use abi::Errno;
use gofer::client::{Attr, Client, NodeId, TimeSpec, Timestamp};
use parking_lot::Mutex;

use super::host::host_errno;
use crate::vfs::{DirEntry, FsStat, Inode, InodeRef, NewKind, NewNode, SetAttr};

/// One gofer connection mounted as a filesystem.
#[derive(Debug)]
pub struct GoferFs {
    client: Client,
    /// The sandbox's device number for this mount.
    dev: u64,
}

impl GoferFs {
    /// Attaches to the gofer's root.
    pub fn mount(client: Client) -> Result<Arc<GoferNode>, Errno> {
        let (id, attr) = client.attach()?;
        let fs = Arc::new(GoferFs {
            client,
            dev: crate::vfs::anon_dev(),
        });
        Ok(GoferNode::new(&fs, id, attr))
    }
}

/// A host file or directory, named by a gofer node id.
#[derive(Debug)]
pub struct GoferNode {
    fs: Arc<GoferFs>,
    id: NodeId,
    attr: Mutex<Attr>,
    /// The symlink target, read once.
    target: OnceLock<Vec<u8>>,
    /// Host descriptors for reading and for writing, opened on first use.
    read_fd: OnceLock<OwnedFd>,
    write_fd: OnceLock<OwnedFd>,
}

fn ts(t: Timestamp) -> Timespec {
    Timespec {
        tv_sec: t.sec,
        tv_nsec: i64::from(t.nsec),
    }
}

impl GoferNode {
    fn new(fs: &Arc<GoferFs>, id: NodeId, attr: Attr) -> Arc<GoferNode> {
        Arc::new(GoferNode {
            fs: fs.clone(),
            id,
            attr: Mutex::new(attr),
            target: OnceLock::new(),
            read_fd: OnceLock::new(),
            write_fd: OnceLock::new(),
        })
    }

    fn of(inode: &InodeRef) -> Option<&GoferNode> {
        inode.as_any().downcast_ref::<GoferNode>()
    }

    fn reader(&self) -> Result<&OwnedFd, Errno> {
        if let Some(fd) = self.read_fd.get() {
            return Ok(fd);
        }
        let fd = self.fs.client.open(self.id, libc::O_RDONLY)?;
        Ok(self.read_fd.get_or_init(|| fd))
    }

    fn writer(&self) -> Result<&OwnedFd, Errno> {
        if let Some(fd) = self.write_fd.get() {
            return Ok(fd);
        }
        let fd = self.fs.client.open(self.id, libc::O_WRONLY)?;
        Ok(self.write_fd.get_or_init(|| fd))
    }

    fn refresh(&self) -> Result<(), Errno> {
        let a = self.fs.client.stat(self.id)?;
        *self.attr.lock() = a;
        Ok(())
    }
}

impl Drop for GoferNode {
    fn drop(&mut self) {
        self.fs.client.release(&[self.id]);
    }
}

impl Inode for GoferNode {
    fn stat(&self) -> Result<Stat, Errno> {
        let a = *self.attr.lock();
        Ok(Stat {
            st_dev: self.fs.dev,
            st_ino: a.ino,
            st_nlink: a.nlink,
            st_mode: a.mode,
            st_uid: a.uid,
            st_gid: a.gid,
            st_rdev: a.rdev,
            st_size: i64::try_from(a.size).unwrap_or(i64::MAX),
            st_blksize: i64::from(a.blksize),
            st_blocks: i64::try_from(a.blocks).unwrap_or(i64::MAX),
            st_atim: ts(a.atime),
            st_mtim: ts(a.mtime),
            st_ctim: ts(a.ctime),
            ..Stat::default()
        })
    }

    fn mode(&self) -> u32 {
        self.attr.lock().mode
    }

    fn lookup(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        let w = self.fs.client.walk(self.id, &[name])?;
        match w.nodes.into_iter().next() {
            Some((id, attr)) => Ok(GoferNode::new(&self.fs, id, attr)),
            None => Err(w.error.unwrap_or(Errno::ENOENT)),
        }
    }

    fn create(&self, name: &[u8], node: &NewNode) -> Result<InodeRef, Errno> {
        let c = &self.fs.client;
        let (id, attr) = match &node.kind {
            NewKind::Regular => {
                let (id, attr, fd) =
                    c.create(self.id, name, libc::O_RDWR, node.mode, node.uid, node.gid)?;
                let n = GoferNode::new(&self.fs, id, attr);
                if let Ok(dup) = fd.try_clone() {
                    let _ = n.read_fd.set(dup);
                }
                let _ = n.write_fd.set(fd);
                self.refresh()?;
                return Ok(n);
            }
            NewKind::Directory => c.mkdir(self.id, name, node.mode, node.uid, node.gid)?,
            NewKind::Symlink(t) => c.symlink(self.id, name, t, node.uid, node.gid)?,
            _ => return Err(Errno::EPERM),
        };
        self.refresh()?;
        Ok(GoferNode::new(&self.fs, id, attr))
    }

    fn link(&self, name: &[u8], target: &InodeRef) -> Result<(), Errno> {
        let t = GoferNode::of(target).ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        self.fs.client.link(self.id, name, t.id)?;
        t.refresh()?;
        self.refresh()
    }

    fn unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        let flags = if dir { libc::AT_REMOVEDIR } else { 0 };
        self.fs.client.unlink(self.id, name, flags)?;
        self.refresh()
    }

    fn rename(&self, old: &[u8], new_dir: &InodeRef, new: &[u8], flags: u32) -> Result<(), Errno> {
        let to = GoferNode::of(new_dir).ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&to.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        self.fs.client.rename(self.id, old, to.id, new, flags)?;
        self.refresh()?;
        to.refresh()
    }

    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        let mut v: Vec<DirEntry> = self
            .fs
            .client
            .getdents(self.id)?
            .into_iter()
            .map(|d| DirEntry {
                ino: d.ino,
                kind: d.kind,
                name: d.name,
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        if let Some(t) = self.target.get() {
            return Ok(t.clone());
        }
        let t = self.fs.client.readlink(self.id)?;
        Ok(self.target.get_or_init(|| t).clone())
    }

    fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        if crate::vfs::is_dir(self.mode()) {
            return Err(Errno::EISDIR);
        }
        let fd = self.reader()?;
        let off = i64::try_from(off).map_err(|_| Errno::EINVAL)?;
        nix::sys::uio::pread(fd.as_fd(), buf, off).map_err(host_errno)
    }

    fn write_at(&self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let fd = self.writer()?;
        let off = i64::try_from(off).map_err(|_| Errno::EFBIG)?;
        let n = nix::sys::uio::pwrite(fd.as_fd(), buf, off).map_err(host_errno)?;
        let mut a = self.attr.lock();
        a.size = a.size.max(off.cast_unsigned() + n as u64);
        let now = crate::vfs::now();
        a.mtime = Timestamp {
            sec: now.tv_sec,
            nsec: u32::try_from(now.tv_nsec).unwrap_or(0),
        };
        a.ctime = a.mtime;
        Ok(n)
    }

    fn setattr(&self, s: &SetAttr) -> Result<(), Errno> {
        let conv = |t: Option<Timespec>| {
            t.map(|t| {
                TimeSpec::Set(Timestamp {
                    sec: t.tv_sec,
                    nsec: u32::try_from(t.tv_nsec).unwrap_or(0),
                })
            })
        };
        let req = gofer::client::SetAttr {
            mode: s.mode,
            uid: s.uid,
            gid: s.gid,
            size: s.size,
            atime: conv(s.atime),
            mtime: conv(s.mtime),
        };
        let a = self.fs.client.setattr(self.id, &req)?;
        *self.attr.lock() = a;
        Ok(())
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        let s = self.fs.client.statfs(self.id)?;
        Ok(FsStat {
            fs_type: s.fs_type,
            bsize: s.bsize,
            blocks: s.blocks,
            bfree: s.bfree,
            bavail: s.bavail,
            files: s.files,
            ffree: s.ffree,
            namelen: s.namelen,
            frsize: s.frsize,
            flags: 0,
        })
    }

    fn sync(&self) -> Result<(), Errno> {
        if let Some(fd) = self.write_fd.get() {
            nix::unistd::fsync(std::os::fd::AsRawFd::as_raw_fd(fd)).map_err(host_errno)?;
        }
        Ok(())
    }

    /// The cached count predates the unlink: ask the host.
    fn unlinked(&self) -> bool {
        self.refresh().is_err() || self.attr.lock().nlink == 0
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
