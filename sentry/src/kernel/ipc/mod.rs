//! System V IPC: the sandbox's one IPC namespace, with its tables of
//! shared memory segments, semaphore sets and message queues. An object is
//! found by key (`*get`) or by id (`seq * IPCMNI + index`); its
//! `ipc_perm` decides who may use it.
//!
//! Lock order (outer first):
//!   Table (one per kind)
//!     Object::state
//!       WaitQueue

pub mod msg;
pub mod sem;
pub mod shm;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use abi::ipc::{Ipc64Perm, IPCMNI, IPC_CREAT, IPC_EXCL, IPC_PRIVATE};
use abi::Errno;
use parking_lot::Mutex;

use crate::creds::{Credentials, CAP_IPC_OWNER, CAP_SYS_ADMIN};
use crate::waiter::WaitQueue;

/// The sandbox's IPC namespace.
#[derive(Debug, Default)]
pub struct Ipc {
    pub shm: Mutex<Table<shm::Segment>>,
    pub sem: Mutex<Table<sem::SemSet>>,
    pub msg: Mutex<Table<msg::Queue>>,
}

impl Ipc {
    /// A process ends: its semaphore adjustments are applied (Linux's
    /// `exit_sem`).
    pub fn exit_process(&self, tgid: i32) {
        let sets: Vec<Arc<Object<sem::SemSet>>> = self.sem.lock().objects().cloned().collect();
        for set in sets {
            set.update(|s| s.data.apply_undo(tgid));
        }
    }
}

/// Seconds since the epoch, for the `*_time` fields.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Linux's `kern_ipc_perm`, as far as the ABI shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perm {
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    /// The low 9 bits are the permissions; shm keeps SHM_DEST and
    /// SHM_LOCKED above them.
    pub mode: u32,
    pub seq: u16,
}

/// Read and write, as `ipcperms` asks for them.
pub const MAY_READ: u32 = 0o4;
pub const MAY_WRITE: u32 = 0o2;
pub const MAY_EXEC: u32 = 0o1;

impl Perm {
    fn new(key: i32, mode: u32, creds: &Credentials) -> Perm {
        Perm {
            key,
            uid: creds.euid,
            gid: creds.egid,
            cuid: creds.euid,
            cgid: creds.egid,
            mode: mode & 0o777,
            seq: 0,
        }
    }

    /// Linux's `ipcperms`: EACCES unless `may` (a `MAY_*` set) is granted
    /// to the owner, group or others, or CAP_IPC_OWNER overrides.
    pub fn check(&self, creds: &Credentials, may: u32) -> Result<(), Errno> {
        let granted = if creds.euid == self.cuid || creds.euid == self.uid {
            self.mode >> 6
        } else if in_group(creds, self.cgid) || in_group(creds, self.gid) {
            self.mode >> 3
        } else {
            self.mode
        };
        if may & !granted & 0o7 != 0 && !creds.has_cap(CAP_IPC_OWNER) {
            return Err(Errno::EACCES);
        }
        Ok(())
    }

    /// IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN
    /// (EPERM otherwise).
    pub fn check_owner(&self, creds: &Credentials) -> Result<(), Errno> {
        if creds.euid == self.uid || creds.euid == self.cuid || creds.has_cap(CAP_SYS_ADMIN) {
            Ok(())
        } else {
            Err(Errno::EPERM)
        }
    }

    /// IPC_SET's change: owner and the permission bits.
    pub fn set(&mut self, from: &Ipc64Perm) {
        self.uid = from.uid;
        self.gid = from.gid;
        self.mode = (self.mode & !0o777) | (from.mode & 0o777);
    }

    pub fn to_abi(self) -> Ipc64Perm {
        Ipc64Perm {
            key: self.key,
            uid: self.uid,
            gid: self.gid,
            cuid: self.cuid,
            cgid: self.cgid,
            mode: self.mode,
            seq: self.seq,
            ..Ipc64Perm::default()
        }
    }
}

fn in_group(creds: &Credentials, gid: u32) -> bool {
    creds.fsgid == gid || creds.groups.contains(&gid)
}

/// An object's mutable state.
#[derive(Debug)]
pub struct State<T> {
    pub perm: Perm,
    /// Gone from the table: waiters get EIDRM.
    pub removed: bool,
    pub data: T,
}

/// One segment, set or queue.
#[derive(Debug)]
pub struct Object<T> {
    pub id: i32,
    pub state: Mutex<State<T>>,
    /// Tasks blocked on it (semop, msgsnd, msgrcv).
    pub queue: WaitQueue,
}

impl<T> Object<T> {
    /// Runs `f` on the state, then wakes the waiters, whose condition it
    /// may have changed.
    pub fn update<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        let r = f(&mut self.state.lock());
        self.queue.notify_all();
        r
    }
}

/// What `*get` creates, and checks of an existing object beside its
/// permissions (a size or count larger than it has).
pub trait Kind: Sized {
    /// Objects allowed at once (`SHMMNI`, `SEMMNI`, `MSGMNI`).
    const MAX: usize;
    /// Notes a change of the object's settings (`*_ctime`).
    fn changed(&mut self);
}

/// The objects of one kind, by index.
#[derive(Debug)]
pub struct Table<T> {
    objects: BTreeMap<i32, Arc<Object<T>>>,
    keys: BTreeMap<i32, i32>,
    seq: u16,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            objects: BTreeMap::new(),
            keys: BTreeMap::new(),
            seq: 0,
        }
    }
}

impl<T: Kind> Table<T> {
    /// Linux's `ipcget`: the object of `key`, created by `create` when
    /// `IPC_CREAT` says so (or the key is private); `fits` checks an
    /// existing one after its permissions.
    pub fn get(
        &mut self,
        key: i32,
        flags: i32,
        creds: &Credentials,
        create: impl FnOnce() -> Result<T, Errno>,
        fits: impl FnOnce(&T) -> Result<(), Errno>,
    ) -> Result<i32, Errno> {
        let existing = (key != IPC_PRIVATE)
            .then(|| self.keys.get(&key).copied())
            .flatten();
        match existing {
            None if key != IPC_PRIVATE && flags & IPC_CREAT == 0 => Err(Errno::ENOENT),
            None => {
                if self.objects.len() >= T::MAX {
                    return Err(Errno::ENOSPC);
                }
                let data = create()?;
                #[allow(clippy::cast_sign_loss)]
                let perm = Perm::new(key, flags as u32, creds);
                Ok(self.insert(perm, data))
            }
            Some(_) if flags & IPC_CREAT != 0 && flags & IPC_EXCL != 0 => Err(Errno::EEXIST),
            Some(id) => {
                let obj = self.lookup(id)?;
                let st = obj.state.lock();
                #[allow(clippy::cast_sign_loss)]
                let may = (flags as u32 & 0o777)
                    | (flags as u32 & 0o777) >> 3
                    | (flags as u32 & 0o777) >> 6;
                st.perm.check(creds, may & 0o7)?;
                fits(&st.data)?;
                Ok(id)
            }
        }
    }

    fn insert(&mut self, mut perm: Perm, data: T) -> i32 {
        let index = (0..IPCMNI)
            .find(|i| !self.objects.contains_key(i))
            .expect("fewer objects than IPCMNI");
        perm.seq = self.seq;
        self.seq = (self.seq + 1) % 0x8000;
        let id = i32::from(perm.seq) * IPCMNI + index;
        if perm.key != IPC_PRIVATE {
            self.keys.insert(perm.key, id);
        }
        let obj = Object {
            id,
            state: Mutex::new(State {
                perm,
                removed: false,
                data,
            }),
            queue: WaitQueue::default(),
        };
        self.objects.insert(index, Arc::new(obj));
        id
    }
}

impl<T> Table<T> {
    /// The object with id `id`: EINVAL for none (or a stale one).
    pub fn lookup(&self, id: i32) -> Result<Arc<Object<T>>, Errno> {
        if id < 0 {
            return Err(Errno::EINVAL);
        }
        self.objects
            .get(&(id % IPCMNI))
            .filter(|o| o.id == id)
            .cloned()
            .ok_or(Errno::EINVAL)
    }

    /// The object at `index` (`*_STAT`): EINVAL for none.
    pub fn at_index(&self, index: i32) -> Result<Arc<Object<T>>, Errno> {
        self.objects.get(&index).cloned().ok_or(Errno::EINVAL)
    }

    /// The highest index in use, or 0 (what `IPC_INFO` returns).
    pub fn max_index(&self) -> i32 {
        self.objects.keys().next_back().copied().unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    pub fn objects(&self) -> impl Iterator<Item = &Arc<Object<T>>> {
        self.objects.values()
    }

    /// Forgets the object's key, so `*get` no longer finds it (shm's
    /// IPC_RMID of an attached segment).
    pub fn forget_key(&mut self, obj: &Object<T>) {
        let mut st = obj.state.lock();
        if st.perm.key != IPC_PRIVATE {
            self.keys.remove(&st.perm.key);
            st.perm.key = IPC_PRIVATE;
        }
    }

    /// Takes the object out of the table and wakes its waiters (EIDRM).
    pub fn remove(&mut self, obj: &Object<T>) {
        self.forget_key(obj);
        self.objects.remove(&(obj.id % IPCMNI));
        obj.update(|s| s.removed = true);
    }
}
