//! Readiness: poll, ppoll, select, pselect6, epoll_*, and eventfd, the
//! simplest file to wait for.

use std::sync::Arc;
use std::time::{Duration, Instant};

use abi::types::{Pollfd, Timeval};

use super::timeval::{dur_tv, instant_after, left, read_timespec, tv_dur, write_timespec};
use abi::Errno;

use super::fd::{install, nofile};
use crate::arch::SyscallArgs;
use crate::fsimpl::epoll::{Epoll, EPOLLET, EPOLLEXCLUSIVE, EPOLLWAKEUP};
use crate::fsimpl::eventfd::{EventFd, EFD_SEMAPHORE};
use crate::fsimpl::events::{
    POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
    POLLWRNORM,
};
use crate::fsimpl::FileDescription;
use crate::kernel::Task;

const SIGSET_SIZE: u64 = 8;

/// Sleeps until `check` gives a value, registered on every file's queue.
fn wait_files<T>(
    t: &Task,
    files: &[Arc<FileDescription>],
    deadline: Option<Instant>,
    mut check: impl FnMut() -> Option<T>,
) -> Result<T, Errno> {
    let regs: Vec<_> = files
        .iter()
        .filter_map(|f| f.queue())
        .map(|q| q.register(&t.shared.waker))
        .collect();
    let r = t.block(deadline, &mut check);
    drop(regs);
    r
}

/// Reads a signal mask argument of ppoll/epoll_pwait: `None` if absent.
fn read_sigmask(t: &Task, addr: u64, size: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    Ok(Some(t.mm.read_obj(addr)?))
}

fn do_poll(t: &Task, addr: u64, nfds: u64, deadline: Option<Instant>) -> Result<u64, Errno> {
    if nfds > nofile(t) {
        return Err(Errno::EINVAL);
    }
    let n = usize::try_from(nfds).map_err(|_| Errno::EINVAL)?;
    let mut pfds = vec![Pollfd::default(); n];
    t.mm.copy_in(addr, zerocopy::IntoBytes::as_mut_bytes(pfds.as_mut_slice()))?;
    let files: Vec<Option<Arc<FileDescription>>> = {
        let fds = t.fds.lock();
        pfds.iter()
            .map(|p| if p.fd < 0 { None } else { fds.get(p.fd).ok() })
            .collect()
    };
    let scan = || -> Option<Vec<i16>> {
        let mut out = vec![0i16; n];
        let mut count = 0;
        for (i, p) in pfds.iter().enumerate() {
            if p.fd < 0 {
                continue;
            }
            let ev = match &files[i] {
                None => POLLNVAL,
                Some(f) => {
                    let want = u32::from(p.events.cast_unsigned()) | POLLERR | POLLHUP;
                    f.readiness() & want
                }
            };
            if ev != 0 {
                count += 1;
                out[i] = i16::try_from(ev & 0xffff).unwrap_or(0);
            }
        }
        (count > 0).then_some(out)
    };
    let live: Vec<Arc<FileDescription>> = files.iter().flatten().cloned().collect();
    let zero = deadline.is_some_and(|d| d <= Instant::now());
    let r = match scan() {
        Some(v) => Ok(v),
        None if zero => Err(Errno::ETIMEDOUT),
        None => wait_files(t, &live, deadline, scan),
    };
    let (revents, ret) = match r {
        Ok(v) => {
            let count = v.iter().filter(|&&e| e != 0).count() as u64;
            (v, Ok(count))
        }
        Err(Errno::ETIMEDOUT) => (vec![0; n], Ok(0)),
        Err(Errno::ERESTARTSYS) => (vec![0; n], Err(Errno::ERESTARTNOHAND)),
        Err(e) => return Err(e),
    };
    for (p, r) in pfds.iter_mut().zip(revents) {
        p.revents = r;
    }
    t.mm.copy_out(addr, zerocopy::IntoBytes::as_bytes(pfds.as_slice()))?;
    ret
}

/// Implements poll(2).
pub fn sys_poll(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let ms = a.int(2);
    let deadline =
        (ms >= 0).then(|| instant_after(Duration::from_millis(ms.cast_unsigned().into())));
    do_poll(t, a.addr(0), a.u64(1), deadline)
}

/// Implements ppoll(2).
pub fn sys_ppoll(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let timeout = read_timespec(t, a.addr(2))?;
    let mask = read_sigmask(t, a.addr(3), a.u64(4))?;
    let deadline = timeout.map(instant_after);
    if let Some(m) = mask {
        t.set_temp_mask(m);
    }
    let r = do_poll(t, a.addr(0), a.u64(1), deadline);
    let r = if mask.is_some() {
        t.end_temp_mask(r)
    } else {
        r
    };
    if let Some(d) = deadline {
        write_timespec(t, a.addr(2), left(d))?;
    }
    r
}

const IN_SET: u32 = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const OUT_SET: u32 = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const EX_SET: u32 = POLLPRI;

/// The size of the fd table select looks at: Linux's `max_fds`, at least
/// 64 and a power of two.
fn max_fds(t: &Task) -> usize {
    t.fds.lock().len().next_power_of_two().max(64)
}

fn do_select(t: &Task, nfds: i32, sets: [u64; 3], deadline: Option<Instant>) -> Result<u64, Errno> {
    if nfds < 0 {
        return Err(Errno::EINVAL);
    }
    let n = usize::try_from(nfds).expect("non-negative").min(max_fds(t));
    let words = n.div_ceil(64);
    let mut ins = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 && words > 0 {
            t.mm.copy_in(
                addr,
                zerocopy::IntoBytes::as_mut_bytes(ins[i].as_mut_slice()),
            )?;
        }
    }
    let mut watched: Vec<(usize, Arc<FileDescription>)> = Vec::new();
    {
        let fds = t.fds.lock();
        for fd in 0..n {
            let (w, b) = (fd / 64, 1u64 << (fd % 64));
            if (ins[0][w] | ins[1][w] | ins[2][w]) & b != 0 {
                let f = fds.get(i32::try_from(fd).expect("small"))?;
                watched.push((fd, f));
            }
        }
    }
    let scan = || -> Option<[Vec<u64>; 3]> {
        let mut out = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
        let mut any = false;
        for (fd, f) in &watched {
            let (w, b) = (fd / 64, 1u64 << (fd % 64));
            let r = f.readiness();
            for (k, mask) in [IN_SET, OUT_SET, EX_SET].into_iter().enumerate() {
                if ins[k][w] & b != 0 && r & mask != 0 {
                    out[k][w] |= b;
                    any = true;
                }
            }
        }
        any.then_some(out)
    };
    let files: Vec<Arc<FileDescription>> = watched.iter().map(|(_, f)| f.clone()).collect();
    let zero = deadline.is_some_and(|d| d <= Instant::now());
    let r = match scan() {
        Some(v) => Ok(v),
        None if zero => Err(Errno::ETIMEDOUT),
        None => wait_files(t, &files, deadline, scan),
    };
    let out = match r {
        Ok(v) => v,
        Err(Errno::ETIMEDOUT) => [vec![0u64; words], vec![0u64; words], vec![0u64; words]],
        Err(Errno::ERESTARTSYS) => return Err(Errno::ERESTARTNOHAND),
        Err(e) => return Err(e),
    };
    let mut count = 0u64;
    for (i, &addr) in sets.iter().enumerate() {
        count += out[i]
            .iter()
            .map(|w| u64::from(w.count_ones()))
            .sum::<u64>();
        if addr != 0 && words > 0 {
            t.mm.copy_out(addr, zerocopy::IntoBytes::as_bytes(out[i].as_slice()))?;
        }
    }
    Ok(count)
}

/// Implements select(2).
pub fn sys_select(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let deadline = if a.addr(4) == 0 {
        None
    } else {
        let tv: Timeval = t.mm.read_obj(a.addr(4))?;
        Some(instant_after(tv_dur(&tv)?))
    };
    let r = do_select(t, a.int(0), [a.addr(1), a.addr(2), a.addr(3)], deadline);
    if let Some(d) = deadline {
        t.mm.write_obj(a.addr(4), &dur_tv(left(d)))?;
    }
    r
}

/// Implements pselect6(2): the sixth argument points at `{ sigset_t *,
/// size_t }`.
pub fn sys_pselect6(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let timeout = read_timespec(t, a.addr(4))?;
    let mask = if a.addr(5) == 0 {
        None
    } else {
        let pair: [u64; 2] = t.mm.read_obj(a.addr(5))?;
        read_sigmask(t, pair[0], pair[1])?
    };
    let deadline = timeout.map(instant_after);
    if let Some(m) = mask {
        t.set_temp_mask(m);
    }
    let r = do_select(t, a.int(0), [a.addr(1), a.addr(2), a.addr(3)], deadline);
    let r = if mask.is_some() {
        t.end_temp_mask(r)
    } else {
        r
    };
    if let Some(d) = deadline {
        write_timespec(t, a.addr(4), left(d))?;
    }
    r
}

/// Implements eventfd2(2).
pub fn sys_eventfd2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(1);
    if flags & !(libc::O_CLOEXEC | libc::O_NONBLOCK | EFD_SEMAPHORE) != 0 {
        return Err(Errno::EINVAL);
    }
    let efd = EventFd::new(a.uint(0), flags & EFD_SEMAPHORE != 0);
    let file = FileDescription::new(Box::new(efd), libc::O_RDWR | (flags & libc::O_NONBLOCK));
    install(t, file, flags & libc::O_CLOEXEC != 0)
}

/// Implements eventfd(2).
pub fn sys_eventfd(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let efd = EventFd::new(a.uint(0), false);
    install(t, FileDescription::new(Box::new(efd), libc::O_RDWR), false)
}

/// Implements epoll_create1(2).
pub fn sys_epoll_create1(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.int(0);
    if flags & !libc::O_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    let file = FileDescription::new(Box::new(Epoll::default()), libc::O_RDWR);
    install(t, file, flags != 0)
}

/// Implements epoll_create(2).
pub fn sys_epoll_create(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.int(0) <= 0 {
        return Err(Errno::EINVAL);
    }
    install(
        t,
        FileDescription::new(Box::new(Epoll::default()), libc::O_RDWR),
        false,
    )
}

const EPOLL_CTL_ADD: i32 = 1;
const EPOLL_CTL_DEL: i32 = 2;
const EPOLL_CTL_MOD: i32 = 3;
/// The events EPOLLEXCLUSIVE may come with.
const EXCLUSIVE_OK: u32 =
    POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

/// Reads a packed `struct epoll_event` (12 bytes).
fn read_event(t: &Task, addr: u64) -> Result<(u32, u64), Errno> {
    let mut b = [0u8; 12];
    t.mm.copy_in(addr, &mut b)?;
    Ok((
        u32::from_le_bytes(b[..4].try_into().expect("4")),
        u64::from_le_bytes(b[4..].try_into().expect("8")),
    ))
}

/// Implements epoll_ctl(2).
pub fn sys_epoll_ctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (epfd, op, fd) = (a.fd(0), a.int(1), a.fd(2));
    let (mut events, data) = if op == EPOLL_CTL_DEL {
        (0, 0)
    } else {
        read_event(t, a.addr(3))?
    };
    let (ep_file, target) = {
        let fds = t.fds.lock();
        (fds.get(epfd)?, fds.get(fd)?)
    };
    if ep_file.is_path() || target.is_path() {
        return Err(Errno::EBADF);
    }
    if !target.can_poll() {
        return Err(Errno::EPERM);
    }
    if Arc::ptr_eq(&ep_file, &target) {
        return Err(Errno::EINVAL);
    }
    let ep = Epoll::of(&ep_file).ok_or(Errno::EINVAL)?;
    if op != EPOLL_CTL_DEL && events & EPOLLEXCLUSIVE != 0 {
        if op == EPOLL_CTL_MOD {
            return Err(Errno::EINVAL);
        }
        if op == EPOLL_CTL_ADD && (Epoll::of(&target).is_some() || events & !EXCLUSIVE_OK != 0) {
            return Err(Errno::EINVAL);
        }
    }
    events |= POLLERR | POLLHUP;
    match op {
        EPOLL_CTL_ADD => ep.add(&target, fd, events, data)?,
        EPOLL_CTL_MOD => ep.modify(&target, fd, events, data)?,
        EPOLL_CTL_DEL => ep.delete(&target, fd)?,
        _ => return Err(Errno::EINVAL),
    }
    Ok(0)
}

/// `INT_MAX / sizeof(struct epoll_event)`.
const EP_MAX_EVENTS: i32 = i32::MAX / 12;

fn do_epoll_wait(
    t: &Task,
    epfd: i32,
    addr: u64,
    max: i32,
    deadline: Option<Instant>,
) -> Result<u64, Errno> {
    if max <= 0 || max > EP_MAX_EVENTS {
        return Err(Errno::EINVAL);
    }
    let file = t.fds.lock().get(epfd)?;
    let ep = Epoll::of(&file).ok_or(Errno::EINVAL)?;
    let max = usize::try_from(max).expect("positive");
    let zero = deadline.is_some_and(|d| d <= Instant::now());
    let mut ready = ep.collect(max);
    if ready.is_empty() && !zero {
        let q = file.queue().expect("an epoll has a queue");
        let _reg = q.register(&t.shared.waker);
        ready = match t.block(deadline, || {
            let r = ep.collect(max);
            (!r.is_empty()).then_some(r)
        }) {
            Ok(r) => r,
            Err(Errno::ETIMEDOUT) => Vec::new(),
            Err(Errno::ERESTARTSYS) => return Err(Errno::EINTR),
            Err(e) => return Err(e),
        };
    }
    let mut bytes = Vec::with_capacity(ready.len() * 12);
    for r in &ready {
        bytes.extend_from_slice(&r.events.to_le_bytes());
        bytes.extend_from_slice(&r.data.to_le_bytes());
    }
    t.mm.copy_out(addr, &bytes)?;
    Ok(ready.len() as u64)
}

fn ms_deadline(ms: i32) -> Option<Instant> {
    (ms >= 0).then(|| instant_after(Duration::from_millis(ms.cast_unsigned().into())))
}

/// Implements epoll_wait(2).
pub fn sys_epoll_wait(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    do_epoll_wait(t, a.fd(0), a.addr(1), a.int(2), ms_deadline(a.int(3)))
}

/// Implements epoll_pwait(2).
pub fn sys_epoll_pwait(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mask = read_sigmask(t, a.addr(4), a.u64(5))?;
    if let Some(m) = mask {
        t.set_temp_mask(m);
    }
    let r = do_epoll_wait(t, a.fd(0), a.addr(1), a.int(2), ms_deadline(a.int(3)));
    if mask.is_some() {
        t.end_temp_mask(r)
    } else {
        r
    }
}

/// Implements epoll_pwait2(2).
pub fn sys_epoll_pwait2(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let timeout = read_timespec(t, a.addr(3))?;
    let mask = read_sigmask(t, a.addr(4), a.u64(5))?;
    if let Some(m) = mask {
        t.set_temp_mask(m);
    }
    let r = do_epoll_wait(t, a.fd(0), a.addr(1), a.int(2), timeout.map(instant_after));
    if mask.is_some() {
        t.end_temp_mask(r)
    } else {
        r
    }
}
