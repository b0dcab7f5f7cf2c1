//! Registers become typed system call arguments here, and only here.

use platform::Registers;

/// The number and raw arguments of one system call.
#[derive(Clone, Copy, Debug)]
pub struct SyscallArgs {
    pub nr: u64,
    pub raw: [u64; 6],
}

// Linux's handlers take `int` for descriptors and flags: the upper half of
// the register is ignored, as the kernel's prototypes do. That truncation is
// the ABI, so the casts are allowed in this one place.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
impl SyscallArgs {
    pub fn from_regs(regs: &Registers) -> SyscallArgs {
        SyscallArgs {
            // Linux takes the number from `eax` (do_syscall_64 has an
            // `int`): the upper half of `rax` is ignored.
            nr: regs.orig_rax & 0xffff_ffff,
            raw: regs.syscall_args(),
        }
    }

    /// Argument `i` as a full 64-bit value.
    pub fn u64(&self, i: usize) -> u64 {
        self.raw[i]
    }

    /// Argument `i` as a user address.
    pub fn addr(&self, i: usize) -> u64 {
        self.raw[i]
    }

    /// Argument `i` as a C `int`.
    pub fn int(&self, i: usize) -> i32 {
        self.raw[i] as u32 as i32
    }

    /// Argument `i` as a C `unsigned int`.
    pub fn uint(&self, i: usize) -> u32 {
        self.raw[i] as u32
    }

    /// Argument `i` as a C `long`.
    pub fn long(&self, i: usize) -> i64 {
        self.raw[i] as i64
    }

    /// Argument `i` as a file descriptor (`int`).
    pub fn fd(&self, i: usize) -> i32 {
        self.int(i)
    }
}

/// Turns a handler's result into the value of `rax`.
#[allow(clippy::cast_sign_loss)]
pub fn return_value(r: Result<u64, abi::Errno>) -> u64 {
    match r {
        Ok(v) => v,
        Err(e) => {
            debug_assert!(!e.is_internal(), "restart code {e:?} reached rax");
            (-i64::from(e.raw())) as u64
        }
    }
}
