//! The application's register state as the platform moves it.

/// The general registers, in the layout of the kernel's `user_regs_struct`
/// (what PTRACE_GETREGS returns and a signal frame's `sigcontext` mirrors).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Registers {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub rbp: u64,
    pub rbx: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rax: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub orig_rax: u64,
    pub rip: u64,
    pub cs: u64,
    pub eflags: u64,
    pub rsp: u64,
    pub ss: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    pub ds: u64,
    pub es: u64,
    pub fs: u64,
    pub gs: u64,
}

macro_rules! convert_regs {
    ($($f:ident),*) => {
        impl From<libc::user_regs_struct> for Registers {
            fn from(r: libc::user_regs_struct) -> Self {
                Registers { $($f: r.$f),* }
            }
        }
        impl From<Registers> for libc::user_regs_struct {
            fn from(r: Registers) -> Self {
                libc::user_regs_struct { $($f: r.$f),* }
            }
        }
    };
}

convert_regs!(
    r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs,
    eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs
);

impl Registers {
    /// The registers of a new thread of a freshly exec'd program: user code
    /// and stack segments, interrupts enabled, everything else zero.
    pub fn initial(entry: u64, stack: u64) -> Registers {
        Registers {
            rip: entry,
            rsp: stack,
            cs: USER_CS,
            ss: USER_DS,
            eflags: EFLAGS_IF | EFLAGS_FIXED,
            ..Registers::default()
        }
    }

    /// The six system call arguments in ABI order.
    pub fn syscall_args(&self) -> [u64; 6] {
        [self.rdi, self.rsi, self.rdx, self.r10, self.r8, self.r9]
    }
}

/// `__USER_CS` of x86-64 Linux.
pub const USER_CS: u64 = 0x33;
/// `__USER_DS` of x86-64 Linux.
pub const USER_DS: u64 = 0x2b;
const EFLAGS_IF: u64 = 1 << 9;
const EFLAGS_FIXED: u64 = 1 << 1;

/// The FP/XSAVE area as the host's `PTRACE_GETREGSET(NT_X86_XSTATE)` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FpState {
    pub bytes: Vec<u8>,
}

/// Offsets in the XSAVE layout.
const FCW: usize = 0;
const MXCSR: usize = 24;
const SW_RESERVED: std::ops::Range<usize> = 464..512;
const XSTATE_BV: usize = 512;

impl FpState {
    /// The state a freshly exec'd program starts with, as Linux's
    /// `fpstate_init`: x87 control word 0x37f, MXCSR 0x1f80, every register
    /// zero, every other component in its init state. `like` supplies the
    /// size and the kernel's software-reserved bytes.
    pub fn initial(like: &FpState) -> FpState {
        let mut bytes = vec![0u8; like.bytes.len()];
        if bytes.len() >= XSTATE_BV + 8 {
            bytes[FCW..FCW + 2].copy_from_slice(&0x037fu16.to_le_bytes());
            bytes[MXCSR..MXCSR + 4].copy_from_slice(&0x1f80u32.to_le_bytes());
            bytes[SW_RESERVED].copy_from_slice(&like.bytes[SW_RESERVED]);
            // x87 and SSE are given explicitly; the rest is in init state.
            bytes[XSTATE_BV..XSTATE_BV + 8].copy_from_slice(&3u64.to_le_bytes());
        }
        FpState { bytes }
    }
}

use abi::signal::FP_XSTATE_MAGIC1;

/// Turns an XSAVE image in the ptrace layout (the feature mask, XCR0, alone
/// in the software-reserved bytes) into a signal frame's: `struct
/// _fpx_sw_bytes` (magic1, extended size, features, size) there, and x87
/// and SSE marked present, as the kernel's frames always have them.
/// MAGIC2 after the area is the caller's to write.
pub fn to_frame_layout(fp: &mut [u8]) {
    if fp.len() < XSTATE_BV + 8 {
        return;
    }
    let size = u32::try_from(fp.len()).expect("an XSAVE area is small");
    let features: [u8; 8] = fp[464..472].try_into().expect("8 bytes");
    fp[SW_RESERVED].fill(0);
    fp[464..468].copy_from_slice(&FP_XSTATE_MAGIC1.to_le_bytes());
    fp[468..472].copy_from_slice(&(size + 4).to_le_bytes());
    fp[472..480].copy_from_slice(&features);
    fp[480..484].copy_from_slice(&size.to_le_bytes());
    let mut bv = u64::from_le_bytes(fp[XSTATE_BV..XSTATE_BV + 8].try_into().expect("8 bytes"));
    bv |= 3;
    fp[XSTATE_BV..XSTATE_BV + 8].copy_from_slice(&bv.to_le_bytes());
}

/// The other way: a signal frame's XSAVE area in the ptrace layout.
pub fn to_ptrace_layout(fp: &mut [u8]) {
    if fp.len() < 512 {
        return;
    }
    let features: [u8; 8] = fp[472..480].try_into().expect("8 bytes");
    fp[SW_RESERVED].fill(0);
    fp[464..472].copy_from_slice(&features);
}
