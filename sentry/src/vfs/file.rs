//! The open files the VFS gives every filesystem: a regular file over the
//! inode's `read_at`/`write_at` with the description's offset, and a
//! directory over `readdir` for getdents.

use abi::types::Stat;
use abi::Errno;
use parking_lot::Mutex;

use super::{dirent_type, DirEntry, InodeRef, Location, SetAttr};
use crate::fsimpl::FileImpl;

const SEEK_SET: i32 = 0;
const SEEK_CUR: i32 = 1;
const SEEK_END: i32 = 2;
const SEEK_DATA: i32 = 3;
const SEEK_HOLE: i32 = 4;

/// The largest file offset (`MAX_LFS_FILESIZE`).
pub const MAX_OFFSET: i64 = i64::MAX;

/// A new offset for `lseek` from the current one and the file's size.
/// Files without holes have data everywhere below the size.
pub fn seek_offset(cur: i64, size: i64, offset: i64, whence: i32) -> Result<i64, Errno> {
    let new = match whence {
        SEEK_SET => offset,
        SEEK_CUR => cur.checked_add(offset).ok_or(Errno::EOVERFLOW)?,
        SEEK_END => size.checked_add(offset).ok_or(Errno::EOVERFLOW)?,
        SEEK_DATA => {
            if offset < 0 || offset >= size {
                return Err(Errno::ENXIO);
            }
            offset
        }
        SEEK_HOLE => {
            if offset < 0 || offset >= size {
                return Err(Errno::ENXIO);
            }
            size
        }
        _ => return Err(Errno::EINVAL),
    };
    if new < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(new)
}

/// A new offset for `lseek` on a file without an end to seek from (a
/// directory, a generated `/proc` file): `SEEK_SET` and `SEEK_CUR` only.
pub fn seek_from_start(cur: u64, offset: i64, whence: i32) -> Result<u64, Errno> {
    let new = match whence {
        SEEK_SET => offset,
        SEEK_CUR => i64::try_from(cur)
            .unwrap_or(i64::MAX)
            .checked_add(offset)
            .ok_or(Errno::EINVAL)?,
        _ => return Err(Errno::EINVAL),
    };
    u64::try_from(new).map_err(|_| Errno::EINVAL)
}

/// An open regular file.
#[derive(Debug)]
pub struct RegularFile {
    inode: InodeRef,
    pos: Mutex<u64>,
}

impl RegularFile {
    pub fn new(inode: InodeRef) -> RegularFile {
        RegularFile {
            inode,
            pos: Mutex::new(0),
        }
    }

    fn size(&self) -> Result<u64, Errno> {
        Ok(u64::try_from(self.inode.stat()?.st_size).unwrap_or(0))
    }
}

impl FileImpl for RegularFile {
    fn can_poll(&self) -> bool {
        false
    }

    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        let mut pos = self.pos.lock();
        let n = self.inode.read_at(buf, *pos)?;
        *pos += n as u64;
        Ok(n)
    }

    fn write(&self, buf: &[u8], flags: i32) -> Result<usize, Errno> {
        let mut pos = self.pos.lock();
        if flags & libc::O_APPEND != 0 {
            *pos = self.size()?;
        }
        let n = self.inode.write_at(buf, *pos)?;
        *pos += n as u64;
        Ok(n)
    }

    fn pread(&self, buf: &mut [u8], pos: u64) -> Result<usize, Errno> {
        self.inode.read_at(buf, pos)
    }

    fn pwrite(&self, buf: &[u8], pos: u64) -> Result<usize, Errno> {
        self.inode.write_at(buf, pos)
    }

    fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        let mut pos = self.pos.lock();
        if whence == SEEK_DATA || whence == SEEK_HOLE {
            let off = u64::try_from(offset).map_err(|_| Errno::ENXIO)?;
            let at = self.inode.seek_data(off, whence == SEEK_HOLE)?;
            *pos = at;
            return i64::try_from(at).map_err(|_| Errno::EOVERFLOW);
        }
        let size = i64::try_from(self.size()?).unwrap_or(i64::MAX);
        let cur = i64::try_from(*pos).unwrap_or(i64::MAX);
        let new = seek_offset(cur, size, offset, whence)?;
        *pos = new.cast_unsigned();
        Ok(new)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        self.inode.stat()
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        // Size minus position: negative past the end, as Linux says.
        let pos = i64::try_from(*self.pos.lock()).unwrap_or(i64::MAX);
        let size = i64::try_from(self.size()?).unwrap_or(i64::MAX);
        let left = size
            .saturating_sub(pos)
            .clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        Ok(i32::try_from(left).unwrap_or(0))
    }

    fn truncate(&self, len: u64) -> Result<(), Errno> {
        self.inode.setattr(&SetAttr {
            size: Some(len),
            ..SetAttr::default()
        })
    }

    fn inode(&self) -> Option<&InodeRef> {
        Some(&self.inode)
    }
}

/// Linux's `struct linux_dirent64` header: ino, off, reclen, type.
const DIRENT64_HEADER: usize = 19;
/// The old `struct linux_dirent` header: ino, off, reclen.
const DIRENT_HEADER: usize = 18;

/// Which record layout getdents writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirentLayout {
    /// `getdents64`: type before the name.
    Dirent64,
    /// `getdents`: type in the last byte of the record.
    Dirent,
}

/// Appends one record to `out` if it fits in `max`; false if not.
fn put_dirent(out: &mut Vec<u8>, max: usize, e: &DirEntry, off: u64, layout: DirentLayout) -> bool {
    let (header, tail) = match layout {
        DirentLayout::Dirent64 => (DIRENT64_HEADER, 1),
        DirentLayout::Dirent => (DIRENT_HEADER, 2),
    };
    let reclen = (header + e.name.len() + tail).next_multiple_of(8);
    if out.len() + reclen > max {
        return false;
    }
    let start = out.len();
    out.extend_from_slice(&e.ino.to_le_bytes());
    out.extend_from_slice(&off.to_le_bytes());
    out.extend_from_slice(&u16::try_from(reclen).unwrap_or(u16::MAX).to_le_bytes());
    if layout == DirentLayout::Dirent64 {
        out.push(e.kind);
    }
    out.extend_from_slice(&e.name);
    out.resize(start + reclen, 0);
    if layout == DirentLayout::Dirent {
        out[start + reclen - 1] = e.kind;
    }
    true
}

#[derive(Debug, Default)]
struct DirState {
    /// The listing being read, taken when reading starts at offset 0.
    entries: Option<Vec<DirEntry>>,
    pos: u64,
}

/// An open directory.
#[derive(Debug)]
pub struct DirFile {
    loc: Location,
    state: Mutex<DirState>,
}

impl DirFile {
    pub fn new(loc: Location) -> DirFile {
        DirFile {
            loc,
            state: Mutex::new(DirState::default()),
        }
    }

    fn listing(&self) -> Result<Vec<DirEntry>, Errno> {
        let me = self.loc.inode().stat()?;
        let parent = self
            .loc
            .dentry
            .parent()
            .map_or(Ok(me), |p| p.inode.stat())?;
        let mut v = vec![
            DirEntry {
                ino: me.st_ino,
                kind: dirent_type(me.st_mode),
                name: b".".to_vec(),
            },
            DirEntry {
                ino: parent.st_ino,
                kind: dirent_type(parent.st_mode),
                name: b"..".to_vec(),
            },
        ];
        if self.loc.dentry.is_dead() {
            // An unlinked directory lists nothing, not even . and ..
            return Ok(Vec::new());
        }
        v.extend(self.loc.inode().readdir()?);
        Ok(v)
    }
}

impl FileImpl for DirFile {
    fn can_poll(&self) -> bool {
        false
    }

    fn read(&self, _buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        Err(Errno::EISDIR)
    }

    fn write(&self, _buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }

    fn pread(&self, _buf: &mut [u8], _pos: u64) -> Result<usize, Errno> {
        Err(Errno::EISDIR)
    }

    fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        let mut st = self.state.lock();
        let new = seek_from_start(st.pos, offset, whence)?;
        st.pos = new;
        if new == 0 {
            st.entries = None;
        }
        Ok(new.cast_signed())
    }

    fn stat(&self) -> Result<Stat, Errno> {
        self.loc.inode().stat()
    }

    fn getdents(&self, max: usize, layout: DirentLayout) -> Result<Vec<u8>, Errno> {
        if self.loc.dentry.is_dead() {
            return Err(Errno::ENOENT);
        }
        let mut st = self.state.lock();
        if st.entries.is_none() || st.pos == 0 {
            st.entries = Some(self.listing()?);
        }
        let entries = st.entries.as_ref().map_or(&[][..], Vec::as_slice);
        let mut out = Vec::new();
        let mut pos = usize::try_from(st.pos).unwrap_or(usize::MAX);
        while let Some(e) = entries.get(pos) {
            if !put_dirent(&mut out, max, e, pos as u64 + 1, layout) {
                if out.is_empty() {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            pos += 1;
        }
        st.pos = pos as u64;
        Ok(out)
    }

    fn inode(&self) -> Option<&InodeRef> {
        Some(self.loc.inode())
    }
}

/// An `O_PATH` descriptor: a place, no I/O.
#[derive(Debug)]
pub struct PathFile {
    inode: InodeRef,
}

impl PathFile {
    pub fn new(inode: InodeRef) -> PathFile {
        PathFile { inode }
    }
}

impl FileImpl for PathFile {
    fn read(&self, _buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }

    fn write(&self, _buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }

    fn pread(&self, _buf: &mut [u8], _pos: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }

    fn pwrite(&self, _buf: &[u8], _pos: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }

    fn seek(&self, _offset: i64, _whence: i32) -> Result<i64, Errno> {
        Err(Errno::EBADF)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        self.inode.stat()
    }

    fn readiness(&self) -> u32 {
        crate::fsimpl::events::POLLNVAL
    }

    fn getdents(&self, _max: usize, _layout: DirentLayout) -> Result<Vec<u8>, Errno> {
        Err(Errno::EBADF)
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        Err(Errno::EBADF)
    }

    fn inode(&self) -> Option<&InodeRef> {
        Some(&self.inode)
    }
}
