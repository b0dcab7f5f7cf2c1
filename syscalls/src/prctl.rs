//! prctl(2) options (<linux/prctl.h>, through Linux 6.19) and the
//! sub-values the sandbox acts on.

named_consts! {
    /// The name of prctl option `option`, "PR_SET_NAME".
    pub fn prctl_name(i32) {
        PR_SET_PDEATHSIG = 1,
        PR_GET_PDEATHSIG = 2,
        PR_GET_DUMPABLE = 3,
        PR_SET_DUMPABLE = 4,
        PR_GET_UNALIGN = 5,
        PR_SET_UNALIGN = 6,
        PR_GET_KEEPCAPS = 7,
        PR_SET_KEEPCAPS = 8,
        PR_GET_FPEMU = 9,
        PR_SET_FPEMU = 10,
        PR_GET_FPEXC = 11,
        PR_SET_FPEXC = 12,
        PR_GET_TIMING = 13,
        PR_SET_TIMING = 14,
        PR_SET_NAME = 15,
        PR_GET_NAME = 16,
        PR_GET_ENDIAN = 19,
        PR_SET_ENDIAN = 20,
        PR_GET_SECCOMP = 21,
        PR_SET_SECCOMP = 22,
        PR_CAPBSET_READ = 23,
        PR_CAPBSET_DROP = 24,
        PR_GET_TSC = 25,
        PR_SET_TSC = 26,
        PR_GET_SECUREBITS = 27,
        PR_SET_SECUREBITS = 28,
        PR_SET_TIMERSLACK = 29,
        PR_GET_TIMERSLACK = 30,
        PR_TASK_PERF_EVENTS_DISABLE = 31,
        PR_TASK_PERF_EVENTS_ENABLE = 32,
        PR_MCE_KILL = 33,
        PR_MCE_KILL_GET = 34,
        PR_SET_MM = 35,
        PR_SET_CHILD_SUBREAPER = 36,
        PR_GET_CHILD_SUBREAPER = 37,
        PR_SET_NO_NEW_PRIVS = 38,
        PR_GET_NO_NEW_PRIVS = 39,
        PR_GET_TID_ADDRESS = 40,
        PR_SET_THP_DISABLE = 41,
        PR_GET_THP_DISABLE = 42,
        /// Removed in Linux 5.4 (EINVAL since).
        PR_MPX_ENABLE_MANAGEMENT = 43,
        /// Removed in Linux 5.4 (EINVAL since).
        PR_MPX_DISABLE_MANAGEMENT = 44,
        PR_SET_FP_MODE = 45,
        PR_GET_FP_MODE = 46,
        PR_CAP_AMBIENT = 47,
        PR_SVE_SET_VL = 50,
        PR_SVE_GET_VL = 51,
        PR_GET_SPECULATION_CTRL = 52,
        PR_SET_SPECULATION_CTRL = 53,
        PR_PAC_RESET_KEYS = 54,
        PR_SET_TAGGED_ADDR_CTRL = 55,
        PR_GET_TAGGED_ADDR_CTRL = 56,
        PR_SET_IO_FLUSHER = 57,
        PR_GET_IO_FLUSHER = 58,
        PR_SET_SYSCALL_USER_DISPATCH = 59,
        PR_PAC_SET_ENABLED_KEYS = 60,
        PR_PAC_GET_ENABLED_KEYS = 61,
        PR_SCHED_CORE = 62,
        PR_SME_SET_VL = 63,
        PR_SME_GET_VL = 64,
        PR_SET_MDWE = 65,
        PR_GET_MDWE = 66,
        PR_SET_MEMORY_MERGE = 67,
        PR_GET_MEMORY_MERGE = 68,
        PR_RISCV_V_SET_CONTROL = 69,
        PR_RISCV_V_GET_CONTROL = 70,
        PR_RISCV_SET_ICACHE_FLUSH_CTX = 71,
        PR_PPC_GET_DEXCR = 72,
        PR_PPC_SET_DEXCR = 73,
        PR_GET_SHADOW_STACK_STATUS = 74,
        PR_SET_SHADOW_STACK_STATUS = 75,
        PR_LOCK_SHADOW_STACK_STATUS = 76,
        PR_TIMER_CREATE_RESTORE_IDS = 77,
        PR_FUTEX_HASH = 78,
        /// Yama: which process may ptrace the caller ("Yama").
        PR_SET_PTRACER = 0x5961_6d61,
        /// Names anonymous mappings ("SVMA").
        PR_SET_VMA = 0x5356_4d41,
        /// Copies the auxiliary vector out ("AUXV").
        PR_GET_AUXV = 0x4155_5856,
    }
}

/// The longest task name PR_SET_NAME keeps, with its NUL (`TASK_COMM_LEN`).
pub const TASK_COMM_LEN: usize = 16;

/// PR_SET_PTRACER: any process may ptrace the caller.
pub const PR_SET_PTRACER_ANY: u64 = u64::MAX;

/// PR_SET_VMA sub-option: name an anonymous range.
pub const PR_SET_VMA_ANON_NAME: u64 = 0;

/// PR_CAP_AMBIENT sub-options.
pub const PR_CAP_AMBIENT_IS_SET: u64 = 1;
pub const PR_CAP_AMBIENT_RAISE: u64 = 2;
pub const PR_CAP_AMBIENT_LOWER: u64 = 3;
pub const PR_CAP_AMBIENT_CLEAR_ALL: u64 = 4;

/// PR_SET_DUMPABLE values (`SUID_DUMP_*`).
pub const SUID_DUMP_DISABLE: u64 = 0;
pub const SUID_DUMP_USER: u64 = 1;

/// PR_GET_SECCOMP/PR_SET_SECCOMP modes (<linux/seccomp.h>).
pub const SECCOMP_MODE_DISABLED: u64 = 0;
pub const SECCOMP_MODE_STRICT: u64 = 1;
pub const SECCOMP_MODE_FILTER: u64 = 2;

/// personality(2) (<linux/personality.h>): the execution domain is the
/// low byte; the flags above it.
pub const PER_LINUX: u32 = 0x0000;
pub const PER_LINUX32: u32 = 0x0008;
pub const PER_MASK: u32 = 0x00ff;
pub const UNAME26: u32 = 0x0002_0000;
pub const ADDR_NO_RANDOMIZE: u32 = 0x0004_0000;
pub const FDPIC_FUNCPTRS: u32 = 0x0008_0000;
pub const MMAP_PAGE_ZERO: u32 = 0x0010_0000;
pub const ADDR_COMPAT_LAYOUT: u32 = 0x0020_0000;
pub const READ_IMPLIES_EXEC: u32 = 0x0040_0000;
pub const ADDR_LIMIT_32BIT: u32 = 0x0080_0000;
pub const SHORT_INODE: u32 = 0x0100_0000;
pub const WHOLE_SECONDS: u32 = 0x0200_0000;
pub const STICKY_TIMEOUTS: u32 = 0x0400_0000;
pub const ADDR_LIMIT_3GB: u32 = 0x0800_0000;
/// The flags a set-id exec clears.
pub const PER_CLEAR_ON_SETID: u32 =
    READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prctl_names_cover_magic_options() {
        assert_eq!(prctl_name(15), Some("PR_SET_NAME"));
        assert_eq!(prctl_name(PR_SET_VMA), Some("PR_SET_VMA"));
        assert_eq!(prctl_name(0x4155_5856), Some("PR_GET_AUXV"));
        assert_eq!(prctl_name(PR_FUTEX_HASH), Some("PR_FUTEX_HASH"));
        assert_eq!(prctl_name(17), None);
        assert_eq!(prctl_name(48), None);
    }
}
