//! Descriptors: close, dup*, fcntl, ioctl, fstat, pipes.

use abi::fcntl::*;
use abi::ioctl::*;
use abi::resource::RLIMIT_NOFILE;
use abi::Errno;

use std::sync::Arc;

use crate::arch::SyscallArgs;
use crate::fsimpl::FileDescription;
use crate::kernel::Task;
use crate::vfs::lock::{Family, Owner, Taking, LOCKS};

/// Implements close(2).
pub fn sys_close(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().remove(a.fd(0))?;
    closed(t, &file);
    drop(file);
    Ok(0)
}

/// A descriptor of `file` closed: the process's POSIX locks on the file
/// go, whichever descriptor took them.
pub(super) fn closed(t: &Task, file: &FileDescription) {
    if let Some(inode) = file.inode() {
        let key = crate::vfs::inode_key(inode);
        LOCKS.release(Some(key), Owner::Process(t.tgid));
    }
}

/// Implements close_range(2).
pub fn sys_close_range(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    const CLOSE_RANGE_UNSHARE: u32 = 2;
    const CLOSE_RANGE_CLOEXEC: u32 = 4;
    let (first, last, flags) = (a.uint(0), a.uint(1), a.uint(2));
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 {
        let copy = t.fds.lock().clone();
        t.fds = Arc::new(parking_lot::Mutex::new(copy));
        t.publish();
    }
    let open = t.fds.lock().open_fds();
    let mut gone = Vec::new();
    {
        let mut fds = t.fds.lock();
        for fd in open {
            #[allow(clippy::cast_sign_loss)]
            let n = fd as u32;
            if n < first || n > last {
                continue;
            }
            if flags & CLOSE_RANGE_CLOEXEC != 0 {
                let _ = fds.set_cloexec(fd, true);
            } else if let Ok(f) = fds.remove(fd) {
                gone.push(f);
            }
        }
    }
    for f in &gone {
        closed(t, f);
    }
    Ok(0)
}

/// `F_GETLK`, `F_SETLK`, `F_SETLKW` and their `F_OFD_*` forms.
fn record_lock(t: &Task, file: &Arc<FileDescription>, cmd: i32, addr: u64) -> Result<u64, Errno> {
    const F_RDLCK: i16 = 0;
    const F_WRLCK: i16 = 1;
    const F_UNLCK: i16 = 2;
    let mut fl: abi::types::Flock = t.mm.read_obj(addr)?;
    let ofd = matches!(cmd, F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW);
    if ofd && fl.l_pid != 0 {
        return Err(Errno::EINVAL);
    }
    let inode = file.inode().ok_or(Errno::EBADF)?.clone();
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    let base = match i32::from(fl.l_whence) {
        0 => 0,
        1 => file.seek(0, 1)?,
        2 => inode.stat()?.st_size,
        _ => return Err(Errno::EINVAL),
    };
    let start = base.checked_add(fl.l_start).ok_or(Errno::EOVERFLOW)?;
    let (start, end) = match fl.l_len {
        0 => (start, i64::MAX),
        n if n > 0 => (start, start.checked_add(n).ok_or(Errno::EOVERFLOW)?),
        n => (start.checked_add(n).ok_or(Errno::EINVAL)?, start),
    };
    if start < 0 {
        return Err(Errno::EINVAL);
    }
    #[allow(clippy::cast_sign_loss)]
    let (s, e) = (
        start as u64,
        if end == i64::MAX {
            u64::MAX
        } else {
            end as u64
        },
    );
    let key = crate::vfs::inode_key(&inode);
    let owner = if ofd {
        Owner::Description(Arc::as_ptr(file) as usize)
    } else {
        Owner::Process(t.tgid)
    };
    let kind = match fl.l_type {
        F_RDLCK => Some(false),
        F_WRLCK => Some(true),
        F_UNLCK => None,
        _ => return Err(Errno::EINVAL),
    };
    if matches!(cmd, F_GETLK | F_OFD_GETLK) {
        let write = kind.ok_or(Errno::EINVAL)?;
        match LOCKS.conflict(key, Family::Record, s, e, write, owner) {
            Some(h) => {
                fl.l_type = if h.write { F_WRLCK } else { F_RDLCK };
                fl.l_whence = 0;
                fl.l_start = i64::try_from(h.start).unwrap_or(i64::MAX);
                fl.l_len = if h.end == u64::MAX {
                    0
                } else {
                    i64::try_from(h.end - h.start).unwrap_or(0)
                };
                fl.l_pid = h.pid;
            }
            None => fl.l_type = F_UNLCK,
        }
        t.mm.write_obj(addr, &fl)?;
        return Ok(0);
    }
    let acc = file.status_flags()? & libc::O_ACCMODE;
    match kind {
        Some(false) if acc == libc::O_WRONLY => return Err(Errno::EBADF),
        Some(true) if acc == libc::O_RDONLY => return Err(Errno::EBADF),
        _ => {}
    }
    let pid = if ofd { -1 } else { t.tgid };
    let wait = matches!(cmd, F_SETLKW | F_OFD_SETLKW);
    let take = || LOCKS.set(key, Family::Record, (s, e), kind, owner, pid);
    let Some(write) = kind.filter(|_| wait) else {
        return if take() { Ok(0) } else { Err(Errno::EAGAIN) };
    };
    // A waiter is known to the lock table, which says EDEADLK rather
    // than let a process wait on one that waits on it.
    struct Waiting(i32);
    impl Drop for Waiting {
        fn drop(&mut self) {
            LOCKS.stop_waiting(self.0);
        }
    }
    let _waiting = Waiting(t.tid);
    let _reg = LOCKS.queue.register(&t.shared.waker);
    let got = t.block(None, || {
        match LOCKS.take_or_wait(t.tid, key, Family::Record, (s, e), write, owner, pid) {
            Taking::Taken => Some(Ok(0)),
            Taking::Deadlock => Some(Err(Errno::EDEADLK)),
            Taking::Blocked => None,
        }
    });
    lock_wait_ended(got)?
}

/// Waits until `take` gets the lock; a signal ends the wait with EINTR,
/// as lock waits are never restarted.
fn wait_for_lock(t: &Task, take: impl Fn() -> bool) -> Result<u64, Errno> {
    let _reg = LOCKS.queue.register(&t.shared.waker);
    lock_wait_ended(t.block(None, || take().then_some(())))?;
    Ok(0)
}

/// A lock wait's end: a signal makes it EINTR.
fn lock_wait_ended<T>(r: Result<T, Errno>) -> Result<T, Errno> {
    r.map_err(|e| {
        if e == Errno::ERESTARTSYS {
            Errno::EINTR
        } else {
            e
        }
    })
}

/// Implements memfd_create(2): an anonymous tmpfs file, named
/// `/memfd:NAME (deleted)`.
pub fn sys_memfd_create(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    use crate::fsimpl::tmpfs::{Tmpfs, F_SEAL_EXEC, F_SEAL_SEAL};
    const MFD_CLOEXEC: u32 = 1;
    const MFD_ALLOW_SEALING: u32 = 2;
    const MFD_HUGETLB: u32 = 4;
    const MFD_NOEXEC_SEAL: u32 = 8;
    const MFD_EXEC: u32 = 0x10;
    let flags = a.uint(1);
    if flags & !(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC) != 0
        || flags & MFD_HUGETLB != 0
        || (flags & MFD_NOEXEC_SEAL != 0 && flags & MFD_EXEC != 0)
    {
        return Err(Errno::EINVAL);
    }
    // NAME_MAX minus "memfd:".
    let name = t.mm.read_cstring(a.addr(0), 249).map_err(|e| {
        if e == Errno::ENAMETOOLONG {
            Errno::EINVAL
        } else {
            e
        }
    })?;
    let (mnt, root) = t.kernel.memfd_fs.get_or_init(|| {
        let root = Tmpfs::new_root(&t.kernel.memory, u64::MAX / 2, 0o1777, 0, 0);
        let dentry = crate::vfs::Dentry::new_root(root.clone());
        (crate::vfs::Mount::new_root(dentry, "tmpfs", "memfd"), root)
    });
    let mut seals = if flags & MFD_ALLOW_SEALING != 0 {
        0
    } else {
        F_SEAL_SEAL
    };
    let mut mode = 0o777;
    if flags & MFD_NOEXEC_SEAL != 0 {
        mode = 0o666;
        seals |= F_SEAL_EXEC;
        seals &= !F_SEAL_SEAL;
    }
    let node = root.make_detached(mode, t.creds.fsuid, t.creds.fsgid, seals);
    let mut label = b"memfd:".to_vec();
    label.extend_from_slice(&name);
    let inode: crate::vfs::InodeRef = node;
    let dentry = mnt.root.add_child(&label, inode.clone());
    mnt.root.remove_child(&label);
    let loc = crate::vfs::Location::new(mnt.clone(), dentry);
    let imp = Box::new(crate::vfs::file::RegularFile::new(inode));
    let file = FileDescription::at(imp, libc::O_RDWR | 0o100000, loc);
    install(t, file, flags & MFD_CLOEXEC != 0)
}

/// Implements flock(2).
pub fn sys_flock(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    const LOCK_SH: i32 = 1;
    const LOCK_EX: i32 = 2;
    const LOCK_NB: i32 = 4;
    const LOCK_UN: i32 = 8;
    let file = t.fds.lock().get(a.fd(0))?;
    let op = a.int(1);
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    /// `LOCK_MAND` (with `LOCK_READ`/`LOCK_WRITE`): accepted and ignored
    /// since Linux 5.15.
    const LOCK_MAND: i32 = 32;
    if op & LOCK_MAND != 0 {
        return Ok(0);
    }
    let kind = match op & !LOCK_NB {
        LOCK_SH => Some(false),
        LOCK_EX => Some(true),
        LOCK_UN => None,
        _ => return Err(Errno::EINVAL),
    };
    let Some(inode) = file.inode() else {
        return Err(Errno::EINVAL);
    };
    let key = crate::vfs::inode_key(inode);
    let owner = Owner::Description(Arc::as_ptr(&file) as usize);
    // A conversion drops the old lock first, as Linux's flock does.
    if kind.is_some() {
        LOCKS.set(key, Family::Flock, (0, u64::MAX), None, owner, t.tgid);
    }
    let take = || LOCKS.set(key, Family::Flock, (0, u64::MAX), kind, owner, t.tgid);
    if take() {
        return Ok(0);
    }
    if op & LOCK_NB != 0 {
        return Err(Errno::EAGAIN);
    }
    wait_for_lock(t, take)
}

pub(super) fn nofile(t: &Task) -> u64 {
    t.rlimit_cur(RLIMIT_NOFILE)
}

#[allow(clippy::cast_sign_loss)]
fn fd_value(fd: i32) -> u64 {
    u64::from(fd as u32)
}

/// Implements dup(2).
pub fn sys_dup(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let limit = nofile(t);
    let mut fds = t.fds.lock();
    let f = fds.get(a.fd(0))?;
    fds.insert_from(0, f, false, limit).map(fd_value)
}

fn dup_to(t: &Task, old: i32, new: i32, cloexec: bool) -> Result<u64, Errno> {
    let limit = nofile(t);
    let replaced = {
        let mut fds = t.fds.lock();
        let f = fds.get(old)?;
        fds.insert_at(new, f, cloexec, limit)?
    };
    // The replaced description is released outside the table lock.
    drop(replaced);
    Ok(fd_value(new))
}

/// Implements dup2(2).
pub fn sys_dup2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (old, new) = (a.fd(0), a.fd(1));
    if old == new {
        t.fds.lock().get(old)?;
        return Ok(fd_value(new));
    }
    dup_to(t, old, new, false)
}

/// Implements dup3(2).
pub fn sys_dup3(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (old, new, flags) = (a.fd(0), a.fd(1), a.int(2));
    if flags & !O_CLOEXEC_BITS != 0 {
        return Err(Errno::EINVAL);
    }
    if old == new {
        return Err(Errno::EINVAL);
    }
    dup_to(t, old, new, flags & O_CLOEXEC_BITS != 0)
}

#[allow(clippy::cast_possible_wrap)]
const O_CLOEXEC_BITS: i32 = OpenFlags::O_CLOEXEC.bits() as i32;

/// Implements fcntl(2): descriptor flags, status flags, dup.
pub fn sys_fcntl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (fd, cmd) = (a.fd(0), a.int(1));
    let file = t.fds.lock().get(fd)?;
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let min = a.u64(2) & 0xffff_ffff;
            let limit = nofile(t);
            if min >= limit.min(crate::fd::NR_OPEN) {
                return Err(Errno::EINVAL);
            }
            let min = usize::try_from(min).expect("below NR_OPEN");
            t.fds
                .lock()
                .insert_from(min, file, cmd == F_DUPFD_CLOEXEC, limit)
                .map(fd_value)
        }
        F_GETLK | F_SETLK | F_SETLKW | F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW => {
            record_lock(t, &file, cmd, a.addr(2))
        }
        F_ADD_SEALS | F_GET_SEALS => {
            // Adding needs a writable description, checked first.
            if cmd == F_ADD_SEALS && file.status_flags()? & libc::O_ACCMODE == libc::O_RDONLY {
                return Err(Errno::EPERM);
            }
            let Some(inode) = file.inode() else {
                return Err(Errno::EINVAL);
            };
            if cmd == F_GET_SEALS {
                return inode.seals().map(u64::from);
            }
            inode.add_seals(a.uint(2)).map(|()| 0)
        }
        // dnotify: accepted on directories; no events are sent.
        F_NOTIFY => match file.location() {
            Some(l) if crate::vfs::is_dir(l.inode().mode()) => Ok(0),
            _ => Err(Errno::ENOTDIR),
        },
        F_GETFD => Ok(u64::from(t.fds.lock().cloexec(fd)?)),
        F_SETFD => {
            t.fds.lock().set_cloexec(fd, a.int(2) & FD_CLOEXEC != 0)?;
            Ok(0)
        }
        #[allow(clippy::cast_sign_loss)]
        F_GETFL => file.status_flags().map(|f| u64::from(f as u32)),
        F_SETFL => {
            // O_ASYNC sticks only where the file has async notification
            // (Linux's fasync), and is turned on before the other flags.
            let on = a.int(2) & libc::O_ASYNC != 0;
            if on != file.is_async() && file.imp().async_queue().is_some() {
                super::fasync::set(t, fd, &file, on)?;
            }
            file.set_status_flags(a.int(2)).map(|()| 0)
        }
        #[allow(clippy::cast_sign_loss)]
        F_GETPIPE_SZ => file.pipe_size().map(|n| u64::from(n as u32)),
        #[allow(clippy::cast_sign_loss)]
        F_SETPIPE_SZ => file
            .set_pipe_size(a.u64(2) & 0xffff_ffff)
            .map(|n| u64::from(n as u32)),
        _ => super::fasync::fcntl(t, &file, cmd, a.u64(2)).unwrap_or(Err(Errno::EINVAL)),
    }
}

/// Implements ioctl(2): the file's own requests (terminals), then the
/// generic ones, those of sockets and those programs make on host
/// standard streams.
pub fn sys_ioctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (fd, req, arg) = (a.fd(0), a.u64(1) & 0xffff_ffff, a.addr(2));
    let file = t.fds.lock().get(fd)?;
    if req == TIOCGPTPEER {
        return open_pty_peer(t, &file, a.int(2));
    }
    match file.imp().ioctl(req, arg, &t.mm) {
        Err(Errno::ENOTTY) => {}
        r => return r,
    }
    match req {
        TCGETS => {
            let termios = file.tcgets()?;
            t.mm.write_obj(arg, &termios)?;
            Ok(0)
        }
        TIOCGWINSZ => {
            let ws = file.window_size()?;
            t.mm.write_obj(arg, &ws)?;
            Ok(0)
        }
        FIONREAD => {
            let n = file.bytes_readable()?;
            t.mm.write_obj(arg, &n)?;
            Ok(0)
        }
        FIOCLEX | FIONCLEX => {
            t.fds.lock().set_cloexec(fd, req == FIOCLEX)?;
            Ok(0)
        }
        FIOASYNC => {
            let on = t.mm.read_obj::<i32>(arg)? != 0;
            if on != file.is_async() {
                super::fasync::set(t, fd, &file, on)?;
            }
            Ok(0)
        }
        FIONBIO => {
            let on: i32 = t.mm.read_obj(arg)?;
            let cur = file.status_flags()?;
            #[allow(clippy::cast_possible_wrap)]
            let nb = OpenFlags::O_NONBLOCK.bits() as i32;
            file.set_status_flags(if on != 0 { cur | nb } else { cur & !nb })?;
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}

/// TIOCGPTPEER: opens the slave of a pty master with `flags`.
fn open_pty_peer(t: &Task, file: &FileDescription, flags: i32) -> Result<u64, Errno> {
    use crate::fsimpl::tty::PtyMaster;
    let master = file
        .imp()
        .as_any()
        .and_then(|a| a.downcast_ref::<PtyMaster>())
        .ok_or(Errno::ENOTTY)?;
    let allowed = libc::O_ACCMODE | libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_CLOEXEC;
    if flags & !allowed != 0 {
        return Err(Errno::EINVAL);
    }
    let imp = master.open_peer(flags)?;
    let kept = (flags & (libc::O_ACCMODE | libc::O_NONBLOCK)) | 0o100000;
    install(
        t,
        FileDescription::new(imp, kept),
        flags & libc::O_CLOEXEC != 0,
    )
}

/// Implements fstat(2).
pub fn sys_fstat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let file = t.fds.lock().get(a.fd(0))?;
    let st = file.stat()?;
    t.mm.write_obj(a.addr(1), &st)?;
    Ok(0)
}

/// Installs a new description at the lowest free descriptor; returns it.
pub(super) fn install(t: &Task, file: FileDescription, cloexec: bool) -> Result<u64, Errno> {
    let fd = t
        .fds
        .lock()
        .insert_from(0, Arc::new(file), cloexec, nofile(t))?;
    Ok(fd_value(fd))
}

/// Implements pipe2(2).
pub fn sys_pipe2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    pipe(t, a.addr(0), a.int(1))
}

/// Implements pipe(2).
pub fn sys_pipe(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    pipe(t, a.addr(0), 0)
}

fn pipe(t: &Task, addr: u64, flags: i32) -> Result<u64, Errno> {
    if flags & !(libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_DIRECT) != 0 {
        return Err(Errno::EINVAL);
    }
    let now = {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        abi::types::Timespec {
            tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(d.subsec_nanos()),
        }
    };
    let (r, w) = crate::fsimpl::pipe::new_pipe(now);
    let rf = FileDescription::new(Box::new(r), libc::O_RDONLY | (flags & libc::O_NONBLOCK));
    let wf = FileDescription::new(
        Box::new(w),
        libc::O_WRONLY | (flags & (libc::O_NONBLOCK | libc::O_DIRECT)),
    );
    install_pair(t, rf, wf, flags & libc::O_CLOEXEC != 0, addr)?;
    Ok(0)
}

/// Installs two descriptions at the lowest free descriptors and writes
/// their numbers to `addr` (pipe, socketpair); on failure neither stays.
pub(super) fn install_pair(
    t: &Task,
    a: FileDescription,
    b: FileDescription,
    cloexec: bool,
    addr: u64,
) -> Result<(), Errno> {
    let limit = nofile(t);
    // Descriptions that fail to go in are released outside the table
    // lock.
    let (afd, bfd) = {
        let mut fds = t.fds.lock();
        let afd = fds.insert_from(0, Arc::new(a), cloexec, limit)?;
        match fds.insert_from(0, Arc::new(b), cloexec, limit) {
            Ok(bfd) => (afd, bfd),
            Err(e) => {
                let gone = fds.remove(afd);
                drop(fds);
                drop(gone);
                return Err(e);
            }
        }
    };
    if let Err(e) = t.mm.write_obj(addr, &[afd, bfd]) {
        let gone = {
            let mut fds = t.fds.lock();
            (fds.remove(afd), fds.remove(bfd))
        };
        drop(gone);
        return Err(e);
    }
    Ok(())
}
