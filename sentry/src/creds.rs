//! User and group identity of a task, with its capability sets, and the
//! capability numbers the kernel checks.

/// Every capability of the kernels we model (`CAP_LAST_CAP` is 40).
pub const ALL_CAPS: u64 = (1 << 41) - 1;
/// The capabilities a change of fsuid to or from 0 drops or raises.
const FS_CAPS: u64 =
    (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 9) | (1 << 32) | (1 << 27);

/// User and group identity of a task, with its capability sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    pub ruid: u32,
    pub euid: u32,
    pub suid: u32,
    pub fsuid: u32,
    pub rgid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub fsgid: u32,
    pub groups: Vec<u32>,
    pub cap_effective: u64,
    pub cap_permitted: u64,
    pub cap_inheritable: u64,
    pub cap_bounding: u64,
    pub cap_ambient: u64,
}

impl Credentials {
    pub fn new(uid: u32, gid: u32, mut groups: Vec<u32>) -> Credentials {
        groups.sort_unstable();
        let caps = if uid == 0 { ALL_CAPS } else { 0 };
        Credentials {
            cap_effective: caps,
            cap_permitted: caps,
            cap_inheritable: 0,
            cap_bounding: ALL_CAPS,
            cap_ambient: 0,
            ruid: uid,
            euid: uid,
            suid: uid,
            fsuid: uid,
            rgid: gid,
            egid: gid,
            sgid: gid,
            fsgid: gid,
            groups,
        }
    }

    /// Whether capability `cap` is effective.
    pub fn has_cap(&self, cap: u32) -> bool {
        self.cap_effective & (1 << cap) != 0
    }

    /// Linux's `cap_emulate_setxuid` and the fsuid fixup after a uid
    /// change from `old`; `keep_caps` is PR_SET_KEEPCAPS.
    pub fn fix_caps_after_setuid(&mut self, old: &Credentials, keep_caps: bool) {
        let was_root = old.ruid == 0 || old.euid == 0 || old.suid == 0;
        let now_root = self.ruid == 0 || self.euid == 0 || self.suid == 0;
        if was_root && !now_root {
            if !keep_caps {
                self.cap_permitted = 0;
                self.cap_effective = 0;
            }
            self.cap_ambient = 0;
        }
        if old.euid == 0 && self.euid != 0 {
            self.cap_effective = 0;
        }
        if old.euid != 0 && self.euid == 0 {
            self.cap_effective = self.cap_permitted;
        }
        self.fix_fs_caps(old.fsuid);
    }

    /// Drops the file-system capabilities when fsuid leaves 0, raises them
    /// (from permitted) when it becomes 0.
    pub fn fix_fs_caps(&mut self, old_fsuid: u32) {
        if old_fsuid == 0 && self.fsuid != 0 {
            self.cap_effective &= !FS_CAPS;
        }
        if old_fsuid != 0 && self.fsuid == 0 {
            self.cap_effective |= self.cap_permitted & FS_CAPS;
        }
    }
}

/// `CAP_CHOWN`.
pub const CAP_CHOWN: u32 = 0;
/// `CAP_DAC_OVERRIDE`.
pub const CAP_DAC_OVERRIDE: u32 = 1;
/// `CAP_DAC_READ_SEARCH`.
pub const CAP_DAC_READ_SEARCH: u32 = 2;
/// `CAP_FOWNER`.
pub const CAP_FOWNER: u32 = 3;
/// `CAP_FSETID`.
pub const CAP_FSETID: u32 = 4;
/// `CAP_SETGID`.
pub const CAP_SETGID: u32 = 6;
/// `CAP_SETUID`.
pub const CAP_SETUID: u32 = 7;
/// `CAP_NET_BIND_SERVICE`.
pub const CAP_NET_BIND_SERVICE: u32 = 10;
/// `CAP_NET_ADMIN`.
pub const CAP_NET_ADMIN: u32 = 12;
/// `CAP_NET_RAW`.
pub const CAP_NET_RAW: u32 = 13;
/// `CAP_IPC_LOCK`.
pub const CAP_IPC_LOCK: u32 = 14;
/// `CAP_IPC_OWNER`.
pub const CAP_IPC_OWNER: u32 = 15;
/// `CAP_SYS_CHROOT`.
pub const CAP_SYS_CHROOT: u32 = 18;
/// `CAP_SYS_PTRACE`.
pub const CAP_SYS_PTRACE: u32 = 19;
/// `CAP_SYS_ADMIN`.
pub const CAP_SYS_ADMIN: u32 = 21;
/// `CAP_SYS_NICE`.
pub const CAP_SYS_NICE: u32 = 23;
/// `CAP_SYS_RESOURCE`.
pub const CAP_SYS_RESOURCE: u32 = 24;
/// `CAP_MKNOD`.
pub const CAP_MKNOD: u32 = 27;
