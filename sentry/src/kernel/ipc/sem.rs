//! Semaphore sets: semop's all-or-nothing operations, SEM_UNDO
//! adjustments per process, and the counts of waiters.

use std::collections::{BTreeMap, HashMap};

use abi::ipc::{Sembuf, SemidDs, SEMAEM, SEMMNI, SEMVMX, SEM_UNDO};
use abi::Errno;

use super::{now, Kind, State};

#[derive(Clone, Copy, Debug, Default)]
pub struct Sem {
    pub val: i32,
    /// The process that last changed it (GETPID).
    pub pid: i32,
}

/// One set.
#[derive(Debug, Default)]
pub struct SemSet {
    pub sems: Vec<Sem>,
    pub otime: i64,
    pub ctime: i64,
    /// SEM_UNDO adjustments by process (thread-group id), one per
    /// semaphore, applied when it exits.
    pub undo: HashMap<i32, Vec<i32>>,
    /// Blocked semops: the semaphore each waits on and whether for zero
    /// (GETZCNT) or an increase (GETNCNT).
    pub waiting: BTreeMap<u64, (u16, bool)>,
    pub next_waiter: u64,
}

impl Kind for SemSet {
    #[allow(clippy::cast_sign_loss)]
    const MAX: usize = SEMMNI as usize;

    fn changed(&mut self) {
        self.ctime = now();
    }
}

/// Why a semop cannot complete now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// The operation on semaphore `num` waits for zero or for an increase.
    On {
        num: u16,
        zero: bool,
    },
    Error(Errno),
}

impl SemSet {
    pub fn new(nsems: usize) -> SemSet {
        SemSet {
            sems: vec![Sem::default(); nsems],
            ctime: now(),
            ..SemSet::default()
        }
    }

    /// Applies all of `ops` or none; the operation that would wait says
    /// so (EAGAIN instead with IPC_NOWAIT).
    pub fn try_ops(&mut self, ops: &[Sembuf], tgid: i32) -> Result<(), Blocked> {
        let mut vals: Vec<i32> = self.sems.iter().map(|s| s.val).collect();
        let mut adj = self
            .undo
            .get(&tgid)
            .cloned()
            .unwrap_or_else(|| vec![0; vals.len()]);
        for op in ops {
            let n = usize::from(op.sem_num);
            let v = vals[n];
            let delta = i32::from(op.sem_op);
            let blocked = match delta {
                0 => v != 0,
                d => v + d < 0,
            };
            if blocked {
                if i32::from(op.sem_flg) & abi::ipc::IPC_NOWAIT != 0 {
                    return Err(Blocked::Error(Errno::EAGAIN));
                }
                return Err(Blocked::On {
                    num: op.sem_num,
                    zero: delta == 0,
                });
            }
            if v + delta > SEMVMX {
                return Err(Blocked::Error(Errno::ERANGE));
            }
            if op.sem_flg & SEM_UNDO != 0 {
                let a = adj[n] - delta;
                if !(-SEMAEM - 1..=SEMAEM).contains(&a) {
                    return Err(Blocked::Error(Errno::ERANGE));
                }
                adj[n] = a;
            }
            vals[n] = v + delta;
        }
        for op in ops {
            self.sems[usize::from(op.sem_num)].pid = tgid;
        }
        for (s, v) in self.sems.iter_mut().zip(vals) {
            s.val = v;
        }
        if ops.iter().any(|op| op.sem_flg & SEM_UNDO != 0) {
            self.undo.insert(tgid, adj);
        }
        self.otime = now();
        Ok(())
    }

    /// A process exits: its adjustments are added, each value kept in
    /// `0..=SEMVMX`.
    pub fn apply_undo(&mut self, tgid: i32) {
        let Some(adj) = self.undo.remove(&tgid) else {
            return;
        };
        for (s, a) in self.sems.iter_mut().zip(adj) {
            if a != 0 {
                s.val = (s.val + a).clamp(0, SEMVMX);
                s.pid = tgid;
            }
        }
    }

    /// SETVAL and SETALL: values set directly cancel the adjustments of
    /// the semaphores they set.
    pub fn set_val(&mut self, num: usize, val: i32, tgid: i32) {
        self.sems[num] = Sem { val, pid: tgid };
        for adj in self.undo.values_mut() {
            adj[num] = 0;
        }
        self.ctime = now();
    }

    /// GETNCNT (`zero` false) and GETZCNT (`zero` true).
    pub fn count_waiting(&self, num: u16, zero: bool) -> u64 {
        self.waiting.values().filter(|&&w| w == (num, zero)).count() as u64
    }
}

/// `struct semid64_ds` of a set.
pub fn stat(s: &State<SemSet>) -> SemidDs {
    SemidDs {
        sem_perm: s.perm.to_abi(),
        sem_otime: s.data.otime,
        sem_ctime: s.data.ctime,
        sem_nsems: s.data.sems.len() as u64,
        ..SemidDs::default()
    }
}
