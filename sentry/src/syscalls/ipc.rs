//! System V IPC: shmget, shmat, shmdt, shmctl, semget, semop, semtimedop,
//! semctl, msgget, msgsnd, msgrcv, msgctl. The objects live in
//! `kernel::ipc`; this module decodes arguments and moves bytes.

use std::sync::Arc;

use abi::ipc::*;
use abi::Errno;
use parking_lot::Mutex;
use platform::Access;
use zerocopy::{FromBytes, Immutable, IntoBytes};

use super::timeval::{instant_after, read_timespec};
use crate::arch::SyscallArgs;
use crate::creds::{CAP_IPC_LOCK, CAP_SYS_RESOURCE};
use crate::kernel::ipc::msg::{self, Message, Queue};
use crate::kernel::ipc::sem::{self, Blocked, SemSet};
use crate::kernel::ipc::shm::{self, Attach, Segment};
use crate::kernel::ipc::{now, Kind, Object, State, Table, MAY_EXEC, MAY_READ, MAY_WRITE};
use crate::kernel::Task;
use crate::mm::{page_round_up, MapRequest, MappedFile, Placement, VmaKind, PAGE};

#[allow(clippy::cast_sign_loss)]
fn ok(v: i32) -> Result<u64, Errno> {
    Ok(u64::from(v as u32))
}

/// `*_STAT`, `*_STAT_ANY` (by index) and `IPC_STAT` (by id): the object's
/// `*id64_ds`; the `*_STAT` forms return its id.
fn stat<T, S: IntoBytes + Immutable>(
    t: &Task,
    table: &Mutex<Table<T>>,
    id: i32,
    by_index: Option<bool>,
    buf: u64,
    ds: fn(&State<T>) -> S,
) -> Result<u64, Errno> {
    let obj = match by_index {
        Some(_) => table.lock().at_index(id)?,
        None => table.lock().lookup(id)?,
    };
    let out = {
        let st = obj.state.lock();
        if by_index != Some(true) {
            st.perm.check(&t.creds, MAY_READ)?;
        }
        ds(&st)
    };
    t.mm.write_obj(buf, &out)?;
    match by_index {
        Some(_) => ok(obj.id),
        None => Ok(0),
    }
}

/// IPC_SET: `more`, then new owner and mode from `perm` (already read).
fn set<T: Kind>(
    t: &Task,
    table: &Mutex<Table<T>>,
    id: i32,
    perm: &Ipc64Perm,
    more: impl FnOnce(&mut State<T>) -> Result<(), Errno>,
) -> Result<u64, Errno> {
    let obj = table.lock().lookup(id)?;
    obj.update(|st| {
        st.perm.check_owner(&t.creds)?;
        more(st)?;
        st.perm.set(perm);
        st.data.changed();
        Ok(0)
    })
}

/// IPC_RMID of a semaphore set or message queue: gone at once, its
/// waiters woken with EIDRM.
fn remove<T>(t: &Task, table: &Mutex<Table<T>>, id: i32) -> Result<u64, Errno> {
    let mut table = table.lock();
    let obj = table.lookup(id)?;
    obj.state.lock().perm.check_owner(&t.creds)?;
    table.remove(&obj);
    Ok(0)
}

/// Sleeps on `obj`'s queue until `attempt` gives an answer; a removed
/// object answers EIDRM, a signal `on_signal`, the deadline EAGAIN.
fn wait_for<T, R>(
    t: &Task,
    obj: &Object<T>,
    deadline: Option<std::time::Instant>,
    on_signal: Errno,
    mut attempt: impl FnMut(&mut State<T>) -> Option<Result<R, Errno>>,
) -> Result<R, Errno> {
    let _r = obj.queue.register(&t.shared.waker);
    let r = t.block(deadline, || {
        let mut st = obj.state.lock();
        if st.removed {
            return Some(Err(Errno::EIDRM));
        }
        attempt(&mut st)
    });
    match r {
        Ok(r) => r,
        Err(Errno::ETIMEDOUT) => Err(Errno::EAGAIN),
        Err(Errno::ERESTARTSYS) => Err(on_signal),
        Err(e) => Err(e),
    }
}

// ---- shared memory ----

/// Implements shmget(2).
pub fn sys_shmget(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (key, size, flags) = (a.int(0), a.u64(1), a.int(2));
    let memory = t.kernel.memory.clone();
    let mut table = t.kernel.ipc.shm.lock();
    table.reap();
    let tgid = t.tgid;
    let id = table.get(
        key,
        flags,
        &t.creds,
        || {
            if !(SHMMIN..=SHMMAX).contains(&size) {
                return Err(Errno::EINVAL);
            }
            let len = page_round_up(size).ok_or(Errno::ENOSPC)?;
            let offset = memory.allocate(len).map_err(|_| Errno::ENOMEM)?;
            Ok(Segment {
                size,
                offset,
                len,
                memory: memory.clone(),
                token: Arc::new(Attach { id: 0 }),
                atime: 0,
                dtime: 0,
                ctime: now(),
                cpid: tgid,
                lpid: 0,
            })
        },
        |s| {
            if size > s.size {
                Err(Errno::EINVAL)
            } else {
                Ok(())
            }
        },
    )?;
    // The token names the id, known only now.
    let obj = table.lookup(id)?;
    let mut st = obj.state.lock();
    if st.data.nattch() == 0 && st.data.token.id != id {
        st.data.token = Arc::new(Attach { id });
    }
    ok(id)
}

/// Implements shmat(2).
pub fn sys_shmat(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, mut addr, flags) = (a.int(0), a.addr(1), a.int(2));
    if addr != 0 {
        // SHMLBA is the page size on x86-64.
        if addr & (PAGE - 1) != 0 {
            if flags & SHM_RND == 0 {
                return Err(Errno::EINVAL);
            }
            addr &= !(PAGE - 1);
            if addr == 0 && flags & SHM_REMAP != 0 {
                return Err(Errno::EINVAL);
            }
        }
    } else if flags & SHM_REMAP != 0 {
        return Err(Errno::EINVAL);
    }
    let obj = {
        let mut table = t.kernel.ipc.shm.lock();
        table.reap();
        table.lookup(id)?
    };
    let read_only = flags & SHM_RDONLY != 0;
    let exec = flags & SHM_EXEC != 0;
    let (offset, len, token) = {
        let st = obj.state.lock();
        let mut may = MAY_READ;
        if !read_only {
            may |= MAY_WRITE;
        }
        if exec {
            may |= MAY_EXEC;
        }
        st.perm.check(&t.creds, may)?;
        (st.data.offset, st.data.len, st.data.token.clone())
    };
    if addr != 0 && flags & SHM_REMAP == 0 {
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        if t.mm.vmas().iter().any(|v| v.start < end && addr < v.end) {
            return Err(Errno::EINVAL);
        }
    }
    let access = Access {
        read: true,
        write: !read_only,
        execute: exec,
    };
    let req = MapRequest {
        placement: if addr != 0 {
            Placement::Fixed(addr)
        } else {
            Placement::Hint(0)
        },
        len,
        access,
        shared: true,
        growsdown: false,
        kind: VmaKind::Anonymous,
    };
    let at = t.mm.map_shared_range(req, offset)?;
    let file = MappedFile {
        place: token,
        pages: None,
        max: Access {
            read: true,
            write: !read_only,
            execute: true,
        },
    };
    t.mm.set_file(at, len, &file, 0)?;
    let mut st = obj.state.lock();
    st.data.atime = now();
    st.data.lpid = t.tgid;
    Ok(at)
}

/// Implements shmdt(2): every piece of the attach that starts at `addr`
/// goes.
pub fn sys_shmdt(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let addr = a.addr(0);
    if addr & (PAGE - 1) != 0 {
        return Err(Errno::EINVAL);
    }
    let attach_of = |v: &crate::mm::Vma| {
        v.file
            .as_ref()
            .and_then(|f| f.place.clone().downcast::<Attach>().ok())
            .filter(|_| v.start.checked_sub(v.pgoff) == Some(addr))
    };
    let vmas = t.mm.vmas();
    let token = vmas.iter().find_map(attach_of).ok_or(Errno::EINVAL)?;
    for v in vmas
        .iter()
        .filter(|v| attach_of(v).is_some_and(|a| Arc::ptr_eq(&a, &token)))
    {
        t.mm.unmap(v.start, v.len())?;
    }
    let mut table = t.kernel.ipc.shm.lock();
    if let Ok(obj) = table.lookup(token.id) {
        let mut st = obj.state.lock();
        st.data.dtime = now();
        st.data.lpid = t.tgid;
    }
    drop(token);
    table.reap();
    Ok(0)
}

/// Implements shmctl(2).
pub fn sys_shmctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, cmd, buf) = (a.int(0), a.int(1), a.addr(2));
    if id < 0 || cmd < 0 {
        return Err(Errno::EINVAL);
    }
    let ipc = t.kernel.clone();
    let table = &ipc.ipc.shm;
    table.lock().reap();
    match cmd {
        IPC_INFO => {
            let info = ShmInfo64 {
                shmmax: SHMMAX,
                shmmin: SHMMIN,
                shmmni: SHMMNI,
                shmseg: SHMMNI,
                shmall: SHMALL,
                ..ShmInfo64::default()
            };
            let max = table.lock().max_index();
            t.mm.write_obj(buf, &info)?;
            ok(max)
        }
        SHM_INFO => {
            let (info, max) = {
                let table = table.lock();
                let pages = table.total_pages();
                let info = ShmInfo {
                    used_ids: i32::try_from(table.len()).unwrap_or(i32::MAX),
                    shm_tot: pages,
                    shm_rss: pages,
                    ..ShmInfo::default()
                };
                (info, table.max_index())
            };
            t.mm.write_obj(buf, &info)?;
            ok(max)
        }
        SHM_STAT | SHM_STAT_ANY => stat(t, table, id, Some(cmd == SHM_STAT_ANY), buf, shm::stat),
        IPC_STAT => stat(t, table, id, None, buf, shm::stat),
        IPC_SET => {
            let ds: ShmidDs = t.mm.read_obj(buf)?;
            set(t, table, id, &ds.shm_perm, |_| Ok(()))
        }
        IPC_RMID => {
            let mut table = table.lock();
            let obj = table.lookup(id)?;
            let attached = {
                let mut st = obj.state.lock();
                st.perm.check_owner(&t.creds)?;
                st.perm.mode |= SHM_DEST;
                st.data.nattch() > 0
            };
            if attached {
                table.forget_key(&obj);
            } else {
                table.remove(&obj);
            }
            Ok(0)
        }
        SHM_LOCK | SHM_UNLOCK => {
            let obj = table.lock().lookup(id)?;
            let mut st = obj.state.lock();
            if !t.creds.has_cap(CAP_IPC_LOCK) {
                st.perm.check_owner(&t.creds)?;
            }
            if cmd == SHM_LOCK {
                st.perm.mode |= SHM_LOCKED;
            } else {
                st.perm.mode &= !SHM_LOCKED;
            }
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

// ---- semaphores ----

/// Implements semget(2).
pub fn sys_semget(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (key, nsems, flags) = (a.int(0), a.int(1), a.int(2));
    if !(0..=SEMMSL).contains(&nsems) {
        return Err(Errno::EINVAL);
    }
    #[allow(clippy::cast_sign_loss)]
    let n = nsems as usize;
    let id = t.kernel.ipc.sem.lock().get(
        key,
        flags,
        &t.creds,
        || {
            if n == 0 {
                return Err(Errno::EINVAL);
            }
            Ok(SemSet::new(n))
        },
        |s| {
            if n > s.sems.len() {
                Err(Errno::EINVAL)
            } else {
                Ok(())
            }
        },
    )?;
    ok(id)
}

/// Implements semop(2).
pub fn sys_semop(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    semtimedop(t, a.int(0), a.addr(1), a.u64(2), 0)
}

/// Implements semtimedop(2).
pub fn sys_semtimedop(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    semtimedop(t, a.int(0), a.addr(1), a.u64(2), a.addr(3))
}

fn semtimedop(t: &Task, id: i32, sops: u64, nsops: u64, timeout: u64) -> Result<u64, Errno> {
    if nsops < 1 || id < 0 {
        return Err(Errno::EINVAL);
    }
    #[allow(clippy::cast_sign_loss)]
    if nsops > SEMOPM as u64 {
        return Err(Errno::E2BIG);
    }
    let size = std::mem::size_of::<Sembuf>();
    let mut raw = vec![0u8; usize::try_from(nsops).map_err(|_| Errno::E2BIG)? * size];
    t.mm.copy_in(sops, &mut raw)?;
    let ops: Vec<Sembuf> = raw
        .chunks_exact(size)
        .map(|c| Sembuf::read_from_bytes(c).expect("chunk of the struct's size"))
        .collect();
    let deadline = read_timespec(t, timeout)?.map(instant_after);
    let set = t.kernel.ipc.sem.lock().lookup(id)?;
    let max = ops.iter().map(|o| o.sem_num).max().unwrap_or(0);
    let alter = ops.iter().any(|o| o.sem_op != 0);
    let waiter = {
        let mut st = set.state.lock();
        if usize::from(max) >= st.data.sems.len() {
            return Err(Errno::EFBIG);
        }
        st.perm
            .check(&t.creds, if alter { MAY_WRITE } else { MAY_READ })?;
        st.data.next_waiter += 1;
        st.data.next_waiter
    };
    let tgid = t.tgid;
    // semop is never restarted, whatever SA_RESTART says.
    let r = wait_for(t, &set, deadline, Errno::EINTR, |st| {
        match st.data.try_ops(&ops, tgid) {
            Ok(()) => Some(Ok(())),
            Err(Blocked::Error(e)) => Some(Err(e)),
            Err(Blocked::On { num, zero }) => {
                st.data.waiting.insert(waiter, (num, zero));
                None
            }
        }
    });
    set.update(|st| st.data.waiting.remove(&waiter));
    r.map(|()| 0)
}

/// Implements semctl(2).
pub fn sys_semctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, num, cmd, arg) = (a.int(0), a.int(1), a.int(2), a.addr(3));
    if id < 0 {
        return Err(Errno::EINVAL);
    }
    let kernel = t.kernel.clone();
    let table = &kernel.ipc.sem;
    let one = |may: u32| -> Result<(Arc<Object<SemSet>>, usize), Errno> {
        let set = table.lock().lookup(id)?;
        let st = set.state.lock();
        st.perm.check(&t.creds, may)?;
        let n = usize::try_from(num)
            .ok()
            .filter(|&n| n < st.data.sems.len())
            .ok_or(Errno::EINVAL)?;
        drop(st);
        Ok((set, n))
    };
    match cmd {
        IPC_INFO | SEM_INFO => {
            let (max, sets, sems) = {
                let table = table.lock();
                let sems: usize = table
                    .objects()
                    .map(|o| o.state.lock().data.sems.len())
                    .sum();
                (table.max_index(), table.len(), sems)
            };
            let info = SemInfo {
                semmap: SEMMNS,
                semmni: SEMMNI,
                semmns: SEMMNS,
                semmnu: SEMMNS,
                semmsl: SEMMSL,
                semopm: SEMOPM,
                semume: SEMOPM,
                semusz: if cmd == SEM_INFO {
                    i32::try_from(sets).unwrap_or(i32::MAX)
                } else {
                    20
                },
                semvmx: SEMVMX,
                semaem: if cmd == SEM_INFO {
                    i32::try_from(sems).unwrap_or(i32::MAX)
                } else {
                    SEMAEM
                },
            };
            t.mm.write_obj(arg, &info)?;
            ok(max)
        }
        SEM_STAT | SEM_STAT_ANY => stat(t, table, id, Some(cmd == SEM_STAT_ANY), arg, sem::stat),
        IPC_STAT => stat(t, table, id, None, arg, sem::stat),
        IPC_SET => {
            let ds: SemidDs = t.mm.read_obj(arg)?;
            set(t, table, id, &ds.sem_perm, |_| Ok(()))
        }
        IPC_RMID => remove(t, table, id),
        GETVAL | GETPID | GETNCNT | GETZCNT => {
            let (set, n) = one(MAY_READ)?;
            let st = set.state.lock();
            let s = st.data.sems[n];
            #[allow(clippy::cast_possible_truncation)]
            let num = n as u16;
            Ok(match cmd {
                GETVAL => ok(s.val)?,
                GETPID => ok(s.pid)?,
                GETNCNT => st.data.count_waiting(num, false),
                _ => st.data.count_waiting(num, true),
            })
        }
        GETALL => {
            let set = table.lock().lookup(id)?;
            let vals: Vec<u8> = {
                let st = set.state.lock();
                st.perm.check(&t.creds, MAY_READ)?;
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                st.data
                    .sems
                    .iter()
                    .flat_map(|s| (s.val as u16).to_ne_bytes())
                    .collect()
            };
            t.mm.copy_out(arg, &vals)?;
            Ok(0)
        }
        SETVAL => {
            let val = a.int(3);
            if !(0..=SEMVMX).contains(&val) {
                return Err(Errno::ERANGE);
            }
            let set = table.lock().lookup(id)?;
            set.update(|st| {
                let n = usize::try_from(num)
                    .ok()
                    .filter(|&n| n < st.data.sems.len())
                    .ok_or(Errno::EINVAL)?;
                st.perm.check(&t.creds, MAY_WRITE)?;
                st.data.set_val(n, val, t.tgid);
                Ok(0)
            })
        }
        SETALL => {
            let set = table.lock().lookup(id)?;
            let n = {
                let st = set.state.lock();
                st.perm.check(&t.creds, MAY_WRITE)?;
                st.data.sems.len()
            };
            let mut raw = vec![0u8; n * 2];
            t.mm.copy_in(arg, &mut raw)?;
            let vals: Vec<i32> = raw
                .chunks_exact(2)
                .map(|c| i32::from(u16::from_ne_bytes([c[0], c[1]])))
                .collect();
            if vals.iter().any(|&v| v > SEMVMX) {
                return Err(Errno::ERANGE);
            }
            set.update(|st| {
                if st.removed {
                    return Err(Errno::EIDRM);
                }
                for (i, &v) in vals.iter().enumerate().take(st.data.sems.len()) {
                    st.data.set_val(i, v, t.tgid);
                }
                Ok(0)
            })
        }
        _ => Err(Errno::EINVAL),
    }
}

// ---- message queues ----

/// Implements msgget(2).
pub fn sys_msgget(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (key, flags) = (a.int(0), a.int(1));
    let id =
        t.kernel
            .ipc
            .msg
            .lock()
            .get(key, flags, &t.creds, || Ok(Queue::default()), |_| Ok(()))?;
    ok(id)
}

/// Implements msgsnd(2).
pub fn sys_msgsnd(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, msgp, msgsz, flags) = (a.int(0), a.addr(1), a.long(2), a.int(3));
    let mtype: i64 = t.mm.read_obj(msgp)?;
    if msgsz > i64::from(MSGMAX) || msgsz < 0 || id < 0 || mtype < 1 {
        return Err(Errno::EINVAL);
    }
    let mut text = vec![0u8; usize::try_from(msgsz).map_err(|_| Errno::EINVAL)?];
    t.mm.copy_in(msgp.wrapping_add(8), &mut text)?;
    let q = t.kernel.ipc.msg.lock().lookup(id)?;
    q.state.lock().perm.check(&t.creds, MAY_WRITE)?;
    let tgid = t.tgid;
    let mut msg = Some(Message { mtype, text });
    wait_for(t, &q, None, Errno::ERESTARTNOHAND, |st| {
        let len = msg.as_ref().map_or(0, |m| m.text.len());
        if st.data.fits(len) {
            st.data.push(msg.take()?, tgid);
            Some(Ok(()))
        } else if flags & IPC_NOWAIT != 0 {
            Some(Err(Errno::EAGAIN))
        } else {
            None
        }
    })?;
    q.queue.notify_all();
    Ok(0)
}

/// Implements msgrcv(2), with MSG_COPY as kernels built with
/// CONFIG_CHECKPOINT_RESTORE have it.
pub fn sys_msgrcv(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, msgp, bufsz, msgtyp, flags) = (a.int(0), a.addr(1), a.long(2), a.long(3), a.int(4));
    if id < 0 || bufsz < 0 {
        return Err(Errno::EINVAL);
    }
    let copy = flags & MSG_COPY != 0;
    if copy && (flags & MSG_EXCEPT != 0 || flags & IPC_NOWAIT == 0) {
        return Err(Errno::EINVAL);
    }
    let bufsz = usize::try_from(bufsz).map_err(|_| Errno::EINVAL)?;
    let q = t.kernel.ipc.msg.lock().lookup(id)?;
    q.state.lock().perm.check(&t.creds, MAY_READ)?;
    let tgid = t.tgid;
    let fits = |m: &Message| m.text.len() <= bufsz || flags & MSG_NOERROR != 0;
    let msg = wait_for(t, &q, None, Errno::ERESTARTNOHAND, |st| {
        let q = &mut st.data;
        let found = if copy {
            usize::try_from(msgtyp)
                .ok()
                .filter(|&i| i < q.messages.len())
        } else {
            q.find(msgtyp, flags)
        };
        match found {
            Some(i) if !fits(&q.messages[i]) => Some(Err(Errno::E2BIG)),
            Some(i) if copy => Some(Ok(Message {
                mtype: q.messages[i].mtype,
                text: q.messages[i].text.clone(),
            })),
            Some(i) => Some(q.take(i, tgid)),
            None if flags & IPC_NOWAIT != 0 => Some(Err(Errno::ENOMSG)),
            None => None,
        }
    })?;
    if !copy {
        q.queue.notify_all();
    }
    let n = msg.text.len().min(bufsz);
    t.mm.write_obj(msgp, &msg.mtype)?;
    t.mm.copy_out(msgp.wrapping_add(8), &msg.text[..n])?;
    Ok(n as u64)
}

/// Implements msgctl(2).
pub fn sys_msgctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (id, cmd, buf) = (a.int(0), a.int(1), a.addr(2));
    if id < 0 || cmd < 0 {
        return Err(Errno::EINVAL);
    }
    let kernel = t.kernel.clone();
    let table = &kernel.ipc.msg;
    match cmd {
        IPC_INFO | MSG_INFO => {
            let (max, queues, msgs, bytes) = {
                let table = table.lock();
                let (mut msgs, mut bytes) = (0usize, 0u64);
                for o in table.objects() {
                    let st = o.state.lock();
                    msgs += st.data.messages.len();
                    bytes += st.data.bytes;
                }
                (table.max_index(), table.len(), msgs, bytes)
            };
            let info_only = cmd == IPC_INFO;
            let int = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
            let info = MsgInfo {
                msgpool: if info_only {
                    MSGMNI * MSGMNB / 1024
                } else {
                    int(queues)
                },
                msgmap: if info_only { MSGMNB } else { int(msgs) },
                msgmax: MSGMAX,
                msgmnb: MSGMNB,
                msgmni: MSGMNI,
                msgssz: 16,
                msgtql: if info_only {
                    MSGMNB
                } else {
                    i32::try_from(bytes).unwrap_or(i32::MAX)
                },
                msgseg: 0xffff,
                ..MsgInfo::default()
            };
            t.mm.write_obj(buf, &info)?;
            ok(max)
        }
        MSG_STAT | MSG_STAT_ANY => stat(t, table, id, Some(cmd == MSG_STAT_ANY), buf, msg::stat),
        IPC_STAT => stat(t, table, id, None, buf, msg::stat),
        IPC_SET => {
            let ds: MsqidDs = t.mm.read_obj(buf)?;
            #[allow(clippy::cast_sign_loss)]
            let over = ds.msg_qbytes > MSGMNB as u64;
            let may_raise = t.creds.has_cap(CAP_SYS_RESOURCE);
            set(t, table, id, &ds.msg_perm, |st| {
                if over && !may_raise {
                    return Err(Errno::EPERM);
                }
                st.data.qbytes = ds.msg_qbytes;
                Ok(())
            })
        }
        IPC_RMID => remove(t, table, id),
        _ => Err(Errno::EINVAL),
    }
}
