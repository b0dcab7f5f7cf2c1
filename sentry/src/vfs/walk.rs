//! Path resolution with Linux's rules: symlinks (40 at most per walk),
//! `..` that stops at the process root and climbs out of mounts, mount
//! crossing, trailing slashes, magic links, and `openat2`'s `RESOLVE_*`
//! restrictions.

use std::sync::Arc;

use abi::Errno;

use super::perm::MAY_EXEC;
use super::{is_dir, is_symlink, Dentry, InodeRef, Mount, NAME_MAX};
use crate::creds::Credentials;

/// Linux's `MAXSYMLINKS`.
pub const MAX_SYMLINKS: u32 = 40;

/// A place in the tree: a dentry seen through a mount (Linux's `struct
/// path`).
#[derive(Clone, Debug)]
pub struct Location {
    pub mnt: Arc<Mount>,
    pub dentry: Arc<Dentry>,
}

impl Location {
    pub fn new(mnt: Arc<Mount>, dentry: Arc<Dentry>) -> Location {
        Location { mnt, dentry }
    }

    /// The root of a mount.
    pub fn root_of(mnt: &Arc<Mount>) -> Location {
        Location::new(mnt.clone(), mnt.root.clone())
    }

    pub fn inode(&self) -> &InodeRef {
        &self.dentry.inode
    }

    pub fn same(&self, other: &Location) -> bool {
        Arc::ptr_eq(&self.mnt, &other.mnt) && Arc::ptr_eq(&self.dentry, &other.dentry)
    }

    /// Steps onto the topmost mount covering this place, if any.
    pub fn cross_mounts(mut self) -> Location {
        while let Some(m) = self.mnt.mounted_on(&self.dentry) {
            self = Location::root_of(&m);
        }
        self
    }

    /// The parent as `..` sees it, stopping at `root`.
    pub fn parent_within(&self, root: &Location) -> Location {
        match self.up(root) {
            Up::Root(l) | Up::Top(l) => l,
            Up::Parent(p, _) => p,
        }
    }

    /// One step towards the top: out of mount roots to the places they
    /// cover, then to the parent directory, stopping at `root` or at the
    /// top of the tree.
    fn up(&self, root: &Location) -> Up {
        let mut cur = self.clone();
        loop {
            if cur.same(root) {
                return Up::Root(cur);
            }
            if Arc::ptr_eq(&cur.dentry, &cur.mnt.root) {
                match &cur.mnt.parent {
                    Some((m, d)) => {
                        cur = Location::new(m.clone(), d.clone());
                        continue;
                    }
                    None => return Up::Top(cur),
                }
            }
            return match cur.dentry.parent() {
                Some(parent) => Up::Parent(Location::new(cur.mnt.clone(), parent), cur.dentry),
                None => Up::Top(cur),
            };
        }
    }

    /// The path from `root`, as `getcwd` and `/proc/pid/fd` show it, and
    /// whether `root` was reached (a place outside a chroot is not).
    pub fn path_from(&self, root: &Location) -> (Vec<u8>, bool) {
        let mut names: Vec<Vec<u8>> = Vec::new();
        let mut cur = self.clone();
        let reached = loop {
            match cur.up(root) {
                Up::Root(_) => break true,
                Up::Top(_) => break false,
                Up::Parent(parent, child) => {
                    names.push(child.name());
                    cur = parent;
                }
            }
        };
        let mut out = Vec::new();
        for n in names.iter().rev() {
            out.push(b'/');
            out.extend_from_slice(n);
        }
        if out.is_empty() {
            out.push(b'/');
        }
        (out, reached)
    }
}

/// Where [`Location::up`] got to.
#[derive(Debug)]
enum Up {
    /// The root it must not pass.
    Root(Location),
    /// The top of the tree (outside any chroot's root).
    Top(Location),
    /// The parent directory, and the dentry it was reached from.
    Parent(Location, Arc<Dentry>),
}

bitflags::bitflags! {
    /// `openat2`'s `RESOLVE_*` flags.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct ResolveFlags: u64 {
        const NO_XDEV = 0x01;
        const NO_MAGICLINKS = 0x02;
        const NO_SYMLINKS = 0x04;
        const BENEATH = 0x08;
        const IN_ROOT = 0x10;
        const CACHED = 0x20;
    }
}

/// The last component of a path whose parent was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Last {
    /// A name.
    Name(Vec<u8>),
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// The path named a root (`/`): there is no last component.
    Root,
}

/// One path walk: the process root it is confined to, the credentials it
/// checks search permission with, and the symlinks it has followed.
#[derive(Debug)]
pub struct Resolver<'a> {
    root: Location,
    creds: &'a Credentials,
    flags: ResolveFlags,
    links: u32,
}

fn components(path: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = path
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    v.reverse();
    v
}

impl<'a> Resolver<'a> {
    pub fn new(root: &Location, creds: &'a Credentials) -> Resolver<'a> {
        Resolver {
            root: root.clone(),
            creds,
            flags: ResolveFlags::empty(),
            links: 0,
        }
    }

    /// A walk under `openat2`'s restrictions, starting at `start` (which
    /// becomes the root for `RESOLVE_BENEATH` and `RESOLVE_IN_ROOT`).
    pub fn with_flags(
        root: &Location,
        start: &Location,
        creds: &'a Credentials,
        flags: ResolveFlags,
    ) -> Resolver<'a> {
        let root = if flags.intersects(ResolveFlags::BENEATH | ResolveFlags::IN_ROOT) {
            start.clone()
        } else {
            root.clone()
        };
        Resolver {
            root,
            creds,
            flags,
            links: 0,
        }
    }

    pub fn creds(&self) -> &Credentials {
        self.creds
    }

    /// Where an absolute path or symlink starts.
    fn absolute(&self) -> Result<Location, Errno> {
        if self.flags.contains(ResolveFlags::BENEATH) {
            return Err(Errno::EXDEV);
        }
        Ok(self.root.clone())
    }

    fn dotdot(&self, cur: &Location) -> Result<Location, Errno> {
        if cur.same(&self.root) && self.flags.contains(ResolveFlags::BENEATH) {
            return Err(Errno::EXDEV);
        }
        let up = cur.parent_within(&self.root);
        if self.flags.contains(ResolveFlags::NO_XDEV) && !Arc::ptr_eq(&up.mnt, &cur.mnt) {
            return Err(Errno::EXDEV);
        }
        Ok(up)
    }

    /// Searches `dir` for `name` (which must be a plain name).
    pub fn step(&self, dir: &Location, name: &[u8]) -> Result<Location, Errno> {
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let child = dir.dentry.lookup(name)?;
        let next = Location::new(dir.mnt.clone(), child).cross_mounts();
        if self.flags.contains(ResolveFlags::NO_XDEV) && !Arc::ptr_eq(&next.mnt, &dir.mnt) {
            return Err(Errno::EXDEV);
        }
        Ok(next)
    }

    /// Follows the symlink `link` found in `dir`: its target's components
    /// join `pending`, and the walk continues from the returned place.
    fn follow(
        &mut self,
        dir: &Location,
        link: &Location,
        pending: &mut Vec<Vec<u8>>,
        trailing: &mut bool,
    ) -> Result<Location, Errno> {
        if self.flags.contains(ResolveFlags::NO_SYMLINKS) {
            return Err(Errno::ELOOP);
        }
        self.links += 1;
        if self.links > MAX_SYMLINKS {
            return Err(Errno::ELOOP);
        }
        if let Some(target) = link.inode().follow_magic() {
            if self
                .flags
                .intersects(ResolveFlags::NO_MAGICLINKS | ResolveFlags::NO_SYMLINKS)
            {
                return Err(Errno::ELOOP);
            }
            if self
                .flags
                .intersects(ResolveFlags::BENEATH | ResolveFlags::IN_ROOT)
            {
                return Err(Errno::EXDEV);
            }
            return target;
        }
        let target = link.inode().readlink()?;
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if pending.is_empty() && target.ends_with(b"/") {
            *trailing = true;
        }
        pending.extend(components(&target));
        if target[0] == b'/' {
            self.absolute()
        } else {
            Ok(dir.clone())
        }
    }

    /// Walks `pending` from `cur`. With `parent_only`, stops before the
    /// last component and returns it.
    fn walk(
        &mut self,
        mut cur: Location,
        mut pending: Vec<Vec<u8>>,
        mut trailing: bool,
        follow_last: bool,
        parent_only: bool,
    ) -> Result<(Location, Last, bool), Errno> {
        while let Some(comp) = pending.pop() {
            let last = pending.is_empty();
            let mode = cur.inode().mode();
            if !is_dir(mode) {
                return Err(Errno::ENOTDIR);
            }
            cur.inode().permission(self.creds, MAY_EXEC)?;
            if last && parent_only {
                if comp.len() > NAME_MAX {
                    return Err(Errno::ENAMETOOLONG);
                }
                let l = match comp.as_slice() {
                    b"." => Last::Dot,
                    b".." => Last::DotDot,
                    _ => Last::Name(comp),
                };
                return Ok((cur, l, trailing));
            }
            match comp.as_slice() {
                b"." => {}
                b".." => cur = self.dotdot(&cur)?,
                name => {
                    let next = self.step(&cur, name)?;
                    if is_symlink(next.inode().mode()) && (!last || follow_last || trailing) {
                        cur = self.follow(&cur, &next, &mut pending, &mut trailing)?;
                        continue;
                    }
                    cur = next;
                }
            }
        }
        if parent_only {
            return Ok((cur, Last::Root, trailing));
        }
        if trailing && !is_dir(cur.inode().mode()) {
            return Err(Errno::ENOTDIR);
        }
        Ok((cur, Last::Root, trailing))
    }

    fn start(&self, from: &Location, path: &[u8]) -> Result<Location, Errno> {
        if path.first() == Some(&b'/') {
            self.absolute()
        } else {
            Ok(from.clone())
        }
    }

    /// Resolves `path` from `from` (relative paths) or the root. `follow`
    /// says whether a symlink in the last component is followed; a
    /// trailing slash always follows and requires a directory.
    pub fn resolve(
        &mut self,
        from: &Location,
        path: &[u8],
        follow: bool,
    ) -> Result<Location, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let cur = self.start(from, path)?;
        let (loc, _, _) = self.walk(cur, components(path), path.ends_with(b"/"), follow, false)?;
        Ok(loc)
    }

    /// Resolves all but the last component of `path`: the parent
    /// directory, the last component, and whether the path had a trailing
    /// slash.
    pub fn resolve_parent(
        &mut self,
        from: &Location,
        path: &[u8],
    ) -> Result<(Location, Last, bool), Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let cur = self.start(from, path)?;
        self.walk(cur, components(path), path.ends_with(b"/"), false, true)
    }

    /// Continues through a symlink found as the last component by a
    /// caller of [`Resolver::resolve_parent`] (open with `O_CREAT`): the
    /// parent of the link target and its last component.
    pub fn resolve_link_parent(
        &mut self,
        dir: &Location,
        link: &Location,
    ) -> Result<(Location, Last, bool), Errno> {
        let mut pending = Vec::new();
        let mut trailing = false;
        let cur = self.follow(dir, link, &mut pending, &mut trailing)?;
        if pending.is_empty() {
            // A magic link (or a link to "/"): the target itself.
            return Ok((cur, Last::Root, trailing));
        }
        self.walk(cur, pending, trailing, false, true)
    }
}
