//! System V IPC: `ipc64_perm`, the `*id64_ds` and `*info` structs of
//! x86-64, and the flags and commands of shm*, sem* and msg*.

// zerocopy's derives emit helper types without Debug.
#![allow(missing_debug_implementations)]

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The key that always makes a new object.
pub const IPC_PRIVATE: i32 = 0;
pub const IPC_CREAT: i32 = 0o1000;
pub const IPC_EXCL: i32 = 0o2000;
pub const IPC_NOWAIT: i32 = 0o4000;

pub const IPC_RMID: i32 = 0;
pub const IPC_SET: i32 = 1;
pub const IPC_STAT: i32 = 2;
pub const IPC_INFO: i32 = 3;

pub const SHM_LOCK: i32 = 11;
pub const SHM_UNLOCK: i32 = 12;
pub const SHM_STAT: i32 = 13;
pub const SHM_INFO: i32 = 14;
pub const SHM_STAT_ANY: i32 = 15;
pub const SHM_RDONLY: i32 = 0o10000;
pub const SHM_RND: i32 = 0o20000;
pub const SHM_REMAP: i32 = 0o40000;
pub const SHM_EXEC: i32 = 0o100000;
/// `shm_perm.mode` bits: removed while attached, locked.
pub const SHM_DEST: u32 = 0o1000;
pub const SHM_LOCKED: u32 = 0o2000;

pub const GETPID: i32 = 11;
pub const GETVAL: i32 = 12;
pub const GETALL: i32 = 13;
pub const GETNCNT: i32 = 14;
pub const GETZCNT: i32 = 15;
pub const SETVAL: i32 = 16;
pub const SETALL: i32 = 17;
pub const SEM_STAT: i32 = 18;
pub const SEM_INFO: i32 = 19;
pub const SEM_STAT_ANY: i32 = 20;
pub const SEM_UNDO: i16 = 0x1000;

pub const MSG_STAT: i32 = 11;
pub const MSG_INFO: i32 = 12;
pub const MSG_STAT_ANY: i32 = 13;
pub const MSG_NOERROR: i32 = 0o10000;
pub const MSG_EXCEPT: i32 = 0o20000;
pub const MSG_COPY: i32 = 0o40000;

/// Linux's defaults (`ipc/util.h`, `uapi/linux/{shm,sem,msg}.h`).
pub const SHMMIN: u64 = 1;
pub const SHMMAX: u64 = u64::MAX - (1 << 24);
pub const SHMALL: u64 = u64::MAX - (1 << 24);
pub const SHMMNI: u64 = 4096;
pub const SEMMSL: i32 = 32000;
pub const SEMMNS: i32 = 1_024_000_000;
pub const SEMOPM: i32 = 500;
pub const SEMMNI: i32 = 32000;
pub const SEMVMX: i32 = 32767;
pub const SEMAEM: i32 = SEMVMX;
pub const MSGMAX: i32 = 8192;
pub const MSGMNB: i32 = 16384;
pub const MSGMNI: i32 = 32000;
/// `IPCMNI`: ids are `seq * IPCMNI + index`.
pub const IPCMNI: i32 = 32768;

macro_rules! ipc_struct {
    ($(#[$m:meta])* $name:ident, $size:expr, { $($f:ident: $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        #[derive(FromBytes, IntoBytes, Immutable, KnownLayout)]
        #[repr(C)]
        pub struct $name {
            $(pub $f: $t),*
        }
        const _: () = assert!(std::mem::size_of::<$name>() == $size);
    };
}

ipc_struct!(
    /// `struct ipc64_perm`.
    Ipc64Perm, 48, {
        key: i32, uid: u32, gid: u32, cuid: u32, cgid: u32, mode: u32,
        seq: u16, _pad2: u16, _pad3: u32, _unused1: u64, _unused2: u64,
    }
);

ipc_struct!(
    /// `struct shmid64_ds`.
    ShmidDs, 112, {
        shm_perm: Ipc64Perm, shm_segsz: u64, shm_atime: i64, shm_dtime: i64,
        shm_ctime: i64, shm_cpid: i32, shm_lpid: i32, shm_nattch: u64,
        _unused4: u64, _unused5: u64,
    }
);

ipc_struct!(
    /// `struct shminfo64`.
    ShmInfo64, 72, {
        shmmax: u64, shmmin: u64, shmmni: u64, shmseg: u64, shmall: u64,
        _unused1: u64, _unused2: u64, _unused3: u64, _unused4: u64,
    }
);

ipc_struct!(
    /// `struct shm_info`.
    ShmInfo, 48, {
        used_ids: i32, _pad: u32, shm_tot: u64, shm_rss: u64, shm_swp: u64,
        swap_attempts: u64, swap_successes: u64,
    }
);

ipc_struct!(
    /// `struct semid64_ds`.
    SemidDs, 104, {
        sem_perm: Ipc64Perm, sem_otime: i64, _unused1: u64, sem_ctime: i64,
        _unused2: u64, sem_nsems: u64, _unused3: u64, _unused4: u64,
    }
);

ipc_struct!(
    /// `struct seminfo`.
    SemInfo, 40, {
        semmap: i32, semmni: i32, semmns: i32, semmnu: i32, semmsl: i32,
        semopm: i32, semume: i32, semusz: i32, semvmx: i32, semaem: i32,
    }
);

ipc_struct!(
    /// `struct sembuf`.
    Sembuf, 6, { sem_num: u16, sem_op: i16, sem_flg: i16 }
);

ipc_struct!(
    /// `struct msqid64_ds`.
    MsqidDs, 120, {
        msg_perm: Ipc64Perm, msg_stime: i64, msg_rtime: i64, msg_ctime: i64,
        msg_cbytes: u64, msg_qnum: u64, msg_qbytes: u64, msg_lspid: i32,
        msg_lrpid: i32, _unused4: u64, _unused5: u64,
    }
);

ipc_struct!(
    /// `struct msginfo`.
    MsgInfo, 32, {
        msgpool: i32, msgmap: i32, msgmax: i32, msgmnb: i32, msgmni: i32,
        msgssz: i32, msgtql: i32, msgseg: u16, _pad: u16,
    }
);
