//! seccomp(2) (<linux/seccomp.h>, <linux/filter.h>, <linux/audit.h>):
//! operations, flags, filter return actions and the classic BPF
//! instruction encoding filters are written in.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// seccomp(2) operations.
pub const SECCOMP_SET_MODE_STRICT: u32 = 0;
pub const SECCOMP_SET_MODE_FILTER: u32 = 1;
pub const SECCOMP_GET_ACTION_AVAIL: u32 = 2;
pub const SECCOMP_GET_NOTIF_SIZES: u32 = 3;

/// SECCOMP_SET_MODE_FILTER flags.
pub const SECCOMP_FILTER_FLAG_TSYNC: u32 = 1 << 0;
pub const SECCOMP_FILTER_FLAG_LOG: u32 = 1 << 1;
pub const SECCOMP_FILTER_FLAG_SPEC_ALLOW: u32 = 1 << 2;
pub const SECCOMP_FILTER_FLAG_NEW_LISTENER: u32 = 1 << 3;
pub const SECCOMP_FILTER_FLAG_TSYNC_ESRCH: u32 = 1 << 4;
pub const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: u32 = 1 << 5;

/// Filter return values: the action in the high 16 bits (the top bit
/// included: `SECCOMP_RET_ACTION_FULL`), its data in the low 16.
pub const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
pub const SECCOMP_RET_KILL_THREAD: u32 = 0x0000_0000;
pub const SECCOMP_RET_KILL: u32 = SECCOMP_RET_KILL_THREAD;
pub const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
pub const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
pub const SECCOMP_RET_USER_NOTIF: u32 = 0x7fc0_0000;
pub const SECCOMP_RET_TRACE: u32 = 0x7ff0_0000;
pub const SECCOMP_RET_LOG: u32 = 0x7ffc_0000;
pub const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
pub const SECCOMP_RET_ACTION_FULL: u32 = 0xffff_0000;
pub const SECCOMP_RET_ACTION: u32 = 0x7fff_0000;
pub const SECCOMP_RET_DATA: u32 = 0x0000_ffff;

/// `si_code` of a SIGSYS from `SECCOMP_RET_TRAP`.
pub const SYS_SECCOMP: i32 = 1;

/// `AUDIT_ARCH_X86_64`, the `arch` of every call the sandbox serves.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

/// The longest classic BPF program (`BPF_MAXINSNS`).
pub const BPF_MAXINSNS: usize = 4096;
/// Scratch memory words of a classic BPF program (`BPF_MEMWORDS`).
pub const BPF_MEMWORDS: u32 = 16;

/// Classic BPF instruction classes.
pub const BPF_LD: u16 = 0x00;
pub const BPF_LDX: u16 = 0x01;
pub const BPF_ST: u16 = 0x02;
pub const BPF_STX: u16 = 0x03;
pub const BPF_ALU: u16 = 0x04;
pub const BPF_JMP: u16 = 0x05;
pub const BPF_RET: u16 = 0x06;
pub const BPF_MISC: u16 = 0x07;
/// Load sizes.
pub const BPF_W: u16 = 0x00;
pub const BPF_H: u16 = 0x08;
pub const BPF_B: u16 = 0x10;
/// Load modes.
pub const BPF_IMM: u16 = 0x00;
pub const BPF_ABS: u16 = 0x20;
pub const BPF_IND: u16 = 0x40;
pub const BPF_MEM: u16 = 0x60;
pub const BPF_LEN: u16 = 0x80;
pub const BPF_MSH: u16 = 0xa0;
/// ALU operations.
pub const BPF_ADD: u16 = 0x00;
pub const BPF_SUB: u16 = 0x10;
pub const BPF_MUL: u16 = 0x20;
pub const BPF_DIV: u16 = 0x30;
pub const BPF_OR: u16 = 0x40;
pub const BPF_AND: u16 = 0x50;
pub const BPF_LSH: u16 = 0x60;
pub const BPF_RSH: u16 = 0x70;
pub const BPF_NEG: u16 = 0x80;
pub const BPF_MOD: u16 = 0x90;
pub const BPF_XOR: u16 = 0xa0;
/// Jumps.
pub const BPF_JA: u16 = 0x00;
pub const BPF_JEQ: u16 = 0x10;
pub const BPF_JGT: u16 = 0x20;
pub const BPF_JGE: u16 = 0x30;
pub const BPF_JSET: u16 = 0x40;
/// Operand sources: the constant `k` or the index register.
pub const BPF_K: u16 = 0x00;
pub const BPF_X: u16 = 0x08;
/// RET's operand: `k` or the accumulator.
pub const BPF_A: u16 = 0x10;
/// MISC operations.
pub const BPF_TAX: u16 = 0x00;
pub const BPF_TXA: u16 = 0x80;

// zerocopy's derives emit helper types without Debug.
#[allow(missing_debug_implementations)]
mod structs {
    use super::{FromBytes, Immutable, IntoBytes, KnownLayout};

    /// `struct sock_filter`: one classic BPF instruction.
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
    )]
    #[repr(C)]
    pub struct SockFilter {
        pub code: u16,
        pub jt: u8,
        pub jf: u8,
        pub k: u32,
    }

    /// `struct sock_fprog`.
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
    )]
    #[repr(C)]
    pub struct SockFprog {
        pub len: u16,
        pub _pad: [u8; 6],
        pub filter: u64,
    }

    /// `struct seccomp_data`: what a filter reads.
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
    )]
    #[repr(C)]
    pub struct SeccompData {
        pub nr: i32,
        pub arch: u32,
        pub instruction_pointer: u64,
        pub args: [u64; 6],
    }

    /// `struct seccomp_notif_sizes`.
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
    )]
    #[repr(C)]
    pub struct SeccompNotifSizes {
        pub seccomp_notif: u16,
        pub seccomp_notif_resp: u16,
        pub seccomp_data: u16,
    }

    const _: () = assert!(std::mem::size_of::<SockFilter>() == 8);
    const _: () = assert!(std::mem::size_of::<SockFprog>() == 16);
    const _: () = assert!(std::mem::size_of::<SeccompData>() == 64);
    const _: () = assert!(std::mem::size_of::<SeccompNotifSizes>() == 6);
}

pub use structs::{SeccompData, SeccompNotifSizes, SockFilter, SockFprog};

/// `sizeof(struct seccomp_notif)` and `sizeof(struct seccomp_notif_resp)`.
pub const SECCOMP_NOTIF_SIZE: u16 = 80;
pub const SECCOMP_NOTIF_RESP_SIZE: u16 = 24;
