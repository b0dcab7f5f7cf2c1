//! `/sys`: a small, fixed tree of the sandbox's own CPUs and settings,
//! built at boot: `devices/system/cpu` (`online`, `possible`, `present`
//! and a `cpuN` directory per CPU), an empty `fs/cgroup` and
//! `kernel/mm/transparent_hugepage/enabled`. Nothing else exists, and
//! nothing can be written or created.

use std::sync::Arc;

use abi::stat::{S_IFDIR, S_IFREG};
use abi::types::{Stat, Timespec};
use abi::Errno;

use super::FileImpl;
use crate::vfs::{dirent_type, DirEntry, FsStat, Inode, InodeRef, NewNode, SetAttr};

/// `SYSFS_MAGIC`.
pub const SYSFS_MAGIC: u64 = 0x6265_6572;

#[derive(Debug)]
enum Body {
    Dir(Vec<(&'static str, Arc<SysNode>)>),
    File(Vec<u8>),
}

/// A node of `/sys`.
#[derive(Debug)]
pub struct SysNode {
    dev: u64,
    ino: u64,
    mode: u32,
    time: Timespec,
    body: Body,
}

/// Builds nodes with one device number and consecutive inode numbers.
struct Builder {
    dev: u64,
    next: u64,
    time: Timespec,
}

impl Builder {
    fn node(&mut self, mode: u32, body: Body) -> Arc<SysNode> {
        self.next += 1;
        Arc::new(SysNode {
            dev: self.dev,
            ino: self.next,
            mode,
            time: self.time,
            body,
        })
    }

    fn dir(&mut self, entries: Vec<(&'static str, Arc<SysNode>)>) -> Arc<SysNode> {
        self.node(S_IFDIR | 0o755, Body::Dir(entries))
    }

    fn file(&mut self, mode: u32, text: String) -> Arc<SysNode> {
        self.node(S_IFREG | mode, Body::File(text.into_bytes()))
    }
}

/// Names of the `cpuN` directories: static, as the tree is.
fn cpu_name(i: u32) -> &'static str {
    const NAMES: [&str; 64] = [
        "cpu0", "cpu1", "cpu2", "cpu3", "cpu4", "cpu5", "cpu6", "cpu7", "cpu8", "cpu9", "cpu10",
        "cpu11", "cpu12", "cpu13", "cpu14", "cpu15", "cpu16", "cpu17", "cpu18", "cpu19", "cpu20",
        "cpu21", "cpu22", "cpu23", "cpu24", "cpu25", "cpu26", "cpu27", "cpu28", "cpu29", "cpu30",
        "cpu31", "cpu32", "cpu33", "cpu34", "cpu35", "cpu36", "cpu37", "cpu38", "cpu39", "cpu40",
        "cpu41", "cpu42", "cpu43", "cpu44", "cpu45", "cpu46", "cpu47", "cpu48", "cpu49", "cpu50",
        "cpu51", "cpu52", "cpu53", "cpu54", "cpu55", "cpu56", "cpu57", "cpu58", "cpu59", "cpu60",
        "cpu61", "cpu62", "cpu63",
    ];
    NAMES[usize::try_from(i).unwrap_or(0).min(63)]
}

/// A new `/sys` for a sandbox of `num_cpus` CPUs (at most 64).
pub fn new_sysfs(num_cpus: u32) -> InodeRef {
    let mut b = Builder {
        dev: crate::vfs::anon_dev(),
        next: 0,
        time: crate::vfs::now(),
    };
    let n = num_cpus.clamp(1, 64);
    let range = if n == 1 {
        "0\n".to_owned()
    } else {
        format!("0-{}\n", n - 1)
    };
    let mut cpu: Vec<(&'static str, Arc<SysNode>)> = Vec::new();
    for (name, text) in [
        ("online", &range),
        ("possible", &range),
        ("present", &range),
    ] {
        let f = b.file(0o444, text.clone());
        cpu.push((name, f));
    }
    for i in 0..n {
        let d = b.dir(Vec::new());
        cpu.push((cpu_name(i), d));
    }
    let cpu = b.dir(cpu);
    let system = b.dir(vec![("cpu", cpu)]);
    let devices = b.dir(vec![("system", system)]);
    let cgroup = b.dir(Vec::new());
    let fs = b.dir(vec![("cgroup", cgroup)]);
    let enabled = b.file(0o644, "always [madvise] never\n".to_owned());
    let thp = b.dir(vec![("enabled", enabled)]);
    let mm = b.dir(vec![("transparent_hugepage", thp)]);
    let kernel = b.dir(vec![("mm", mm)]);
    b.dir(vec![("devices", devices), ("fs", fs), ("kernel", kernel)])
}

impl SysNode {
    fn entries(&self) -> Result<&[(&'static str, Arc<SysNode>)], Errno> {
        match &self.body {
            Body::Dir(e) => Ok(e),
            Body::File(_) => Err(Errno::ENOTDIR),
        }
    }

    /// The answer to a directory change: sysfs directories have no such
    /// operations.
    fn no_changes(&self) -> Errno {
        if self.is_dir() {
            Errno::EPERM
        } else {
            Errno::ENOTDIR
        }
    }
}

impl Inode for SysNode {
    fn stat(&self) -> Result<Stat, Errno> {
        let (nlink, size) = match &self.body {
            Body::Dir(e) => (2 + e.iter().filter(|(_, n)| n.is_dir()).count() as u64, 0),
            // sysfs attributes report a page whatever they hold.
            Body::File(_) => (1, 4096),
        };
        Ok(Stat {
            st_dev: self.dev,
            st_ino: self.ino,
            st_nlink: nlink,
            st_mode: self.mode,
            st_size: size,
            st_blksize: 4096,
            st_atim: self.time,
            st_mtim: self.time,
            st_ctim: self.time,
            ..Stat::default()
        })
    }

    fn mode(&self) -> u32 {
        self.mode
    }

    fn lookup(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        self.entries()?
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, node)| node.clone() as InodeRef)
            .ok_or(Errno::ENOENT)
    }

    fn create(&self, _name: &[u8], node: &NewNode) -> Result<InodeRef, Errno> {
        // open(O_CREAT) finds no create operation (EACCES in Linux's
        // lookup_open); mkdir, mknod and symlink find none of theirs
        // (EPERM). mknod of a regular file is EACCES here.
        if self.is_dir() && node.kind == crate::vfs::NewKind::Regular {
            return Err(Errno::EACCES);
        }
        Err(self.no_changes())
    }

    fn link(&self, _name: &[u8], _target: &InodeRef) -> Result<(), Errno> {
        Err(self.no_changes())
    }

    fn unlink(&self, _name: &[u8], _dir: bool) -> Result<(), Errno> {
        Err(self.no_changes())
    }

    fn rename(
        &self,
        _old: &[u8],
        _new_dir: &InodeRef,
        _new: &[u8],
        _flags: u32,
    ) -> Result<(), Errno> {
        Err(self.no_changes())
    }

    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        Ok(self
            .entries()?
            .iter()
            .map(|(name, node)| DirEntry {
                ino: node.ino,
                kind: dirent_type(node.mode),
                name: name.as_bytes().to_vec(),
            })
            .collect())
    }

    fn open(&self, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        // Nothing here has a store operation: kernfs refuses writers.
        if matches!(self.body, Body::File(_)) && flags & libc::O_ACCMODE != libc::O_RDONLY {
            return Some(Err(Errno::EACCES));
        }
        None
    }

    fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let Body::File(data) = &self.body else {
            return Err(Errno::EISDIR);
        };
        let at = usize::try_from(off).unwrap_or(usize::MAX).min(data.len());
        let n = buf.len().min(data.len() - at);
        buf[..n].copy_from_slice(&data[at..at + n]);
        Ok(n)
    }

    fn setattr(&self, a: &SetAttr) -> Result<(), Errno> {
        // O_TRUNC never gets here (writers are refused at open).
        if a.size.is_some() {
            return Err(Errno::EACCES);
        }
        Err(Errno::EPERM)
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        Ok(FsStat::empty(SYSFS_MAGIC))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl SysNode {
    fn is_dir(&self) -> bool {
        matches!(self.body, Body::Dir(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(node: &InodeRef, path: &[&str]) -> String {
        let mut n = node.clone();
        for p in path {
            n = n.lookup(p.as_bytes()).unwrap();
        }
        let mut buf = [0u8; 128];
        let len = n.read_at(&mut buf, 0).unwrap();
        String::from_utf8_lossy(&buf[..len]).into_owned()
    }

    #[test]
    fn cpu_ranges_follow_the_cpu_count() {
        let one = new_sysfs(1);
        assert_eq!(read(&one, &["devices", "system", "cpu", "online"]), "0\n");
        let four = new_sysfs(4);
        assert_eq!(
            read(&four, &["devices", "system", "cpu", "present"]),
            "0-3\n"
        );
        let cpu = four
            .lookup(b"devices")
            .and_then(|d| d.lookup(b"system"))
            .and_then(|d| d.lookup(b"cpu"))
            .unwrap();
        let names: Vec<Vec<u8>> = cpu.readdir().unwrap().into_iter().map(|e| e.name).collect();
        assert!(names.contains(&b"cpu3".to_vec()) && !names.contains(&b"cpu4".to_vec()));
    }

    #[test]
    fn nothing_else_exists_or_can_be_made() {
        let sys = new_sysfs(2);
        assert_eq!(sys.lookup(b"class").unwrap_err(), Errno::ENOENT);
        let node = NewNode {
            kind: crate::vfs::NewKind::Directory,
            mode: 0o755,
            uid: 0,
            gid: 0,
        };
        assert_eq!(sys.create(b"x", &node).unwrap_err(), Errno::EPERM);
        let cgroup = sys.lookup(b"fs").and_then(|d| d.lookup(b"cgroup")).unwrap();
        assert!(cgroup.readdir().unwrap().is_empty());
    }
}
