//! seccomp for the application: Linux's classic BPF checker
//! (`bpf_check_classic` with `seccomp_check_filter`), the interpreter that
//! runs a filter over `struct seccomp_data`, and a task's filter chain.
//!
//! A chain is immutable and shared: installing a filter makes a new head
//! whose `prev` is the old chain, so fork, clone and TSYNC share filters by
//! `Arc`, and "is an ancestor" is pointer identity, as in Linux.
//!
//! Lock order (outer first):
//!   ProcessTree (kernel.tree)
//!     SeccompCell::state

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use abi::seccomp::{
    SeccompData, SockFilter, BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA,
    BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH,
    BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH,
    BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, SECCOMP_RET_ACTION_FULL,
    SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS,
};
use abi::Errno;
use parking_lot::Mutex;

/// The most instructions the filters a call runs through may hold
/// (`MAX_INSNS_PER_PATH`), counted as Linux does: in the eBPF each filter
/// is translated to ([`translated_len`]), each earlier filter 4 more.
pub const MAX_INSNS_PER_PATH: usize = (1 << 18) / 8;

/// `sizeof(struct seccomp_data)`, what `BPF_LEN` loads.
const DATA_LEN: u32 = 64;

/// A task's seccomp mode (`SECCOMP_MODE_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Disabled,
    Strict,
    Filter,
}

impl Mode {
    /// The number PR_GET_SECCOMP and `/proc/pid/status` show.
    pub fn number(self) -> u64 {
        match self {
            Mode::Disabled => abi::prctl::SECCOMP_MODE_DISABLED,
            Mode::Strict => abi::prctl::SECCOMP_MODE_STRICT,
            Mode::Filter => abi::prctl::SECCOMP_MODE_FILTER,
        }
    }
}

/// One checked filter and the chain installed before it.
#[derive(Debug)]
pub struct Filter {
    prog: Box<[SockFilter]>,
    prev: Option<Arc<Filter>>,
    /// Filters in the chain, this one included.
    count: usize,
    /// The path length Linux's `seccomp_attach_filter` checks against
    /// [`MAX_INSNS_PER_PATH`] for a filter added on top of this one.
    path_insns: usize,
}

impl Drop for Filter {
    // Unlinks a long chain iteratively: thousands of filters must not
    // recurse thousands of frames deep.
    fn drop(&mut self) {
        let mut prev = self.prev.take();
        while let Some(f) = prev {
            match Arc::try_unwrap(f) {
                Ok(mut f) => prev = f.prev.take(),
                Err(_) => break,
            }
        }
    }
}

impl Filter {
    /// Checks `prog` as Linux's `bpf_check_classic` and
    /// `seccomp_check_filter` do: EINVAL for a program seccomp cannot run.
    pub fn check(prog: &[SockFilter]) -> Result<(), Errno> {
        let len = prog.len();
        if len == 0 || len > BPF_MAXINSNS {
            return Err(Errno::EINVAL);
        }
        for (pc, ins) in prog.iter().enumerate() {
            check_insn(ins, len - pc - 1)?;
        }
        let last = prog.last().ok_or(Errno::EINVAL)?;
        if last.code != BPF_RET | BPF_K && last.code != BPF_RET | BPF_A {
            return Err(Errno::EINVAL);
        }
        check_scratch(prog)
    }

    /// Pushes the checked `prog` onto `chain`: ENOMEM when the calls would
    /// run through more than [`MAX_INSNS_PER_PATH`] instructions.
    pub fn push(prog: Vec<SockFilter>, chain: Option<&Arc<Filter>>) -> Result<Arc<Filter>, Errno> {
        Filter::check(&prog)?;
        let below = chain.map_or(0, |c| c.path_insns);
        let len = translated_len(&prog);
        if len + below > MAX_INSNS_PER_PATH {
            return Err(Errno::ENOMEM);
        }
        Ok(Arc::new(Filter {
            path_insns: below + len + 4,
            count: chain.map_or(0, |c| c.count) + 1,
            prev: chain.cloned(),
            prog: prog.into_boxed_slice(),
        }))
    }

    /// Filters in the chain, this one included (`Seccomp_filters:`).
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether `ancestor` is this chain or a tail of it (Linux's
    /// `is_ancestor`).
    pub fn descends_from(self: &Arc<Self>, ancestor: &Arc<Filter>) -> bool {
        let mut f = Some(self);
        while let Some(cur) = f {
            if Arc::ptr_eq(cur, ancestor) {
                return true;
            }
            f = cur.prev.as_ref();
        }
        false
    }

    /// Runs every filter of the chain, most recent first, and returns the
    /// result whose action takes precedence; of equal actions the first
    /// (Linux's `seccomp_run_filters`: actions compare as signed values,
    /// KILL_PROCESS lowest, ALLOW highest).
    pub fn run_chain(&self, data: &SeccompData) -> u32 {
        let bytes = zerocopy::IntoBytes::as_bytes(data);
        let mut ret = SECCOMP_RET_ALLOW;
        let mut f = Some(self);
        while let Some(cur) = f {
            let r = run(&cur.prog, bytes);
            if action_rank(r) < action_rank(ret) {
                ret = r;
            }
            f = cur.prev.as_deref();
        }
        ret
    }
}

/// The length of the eBPF program Linux's `bpf_convert_filter` makes of
/// a checked seccomp filter, which its path limit counts: 3 prologue
/// instructions; RET K becomes 2, a division by X 5 (the zero check), a
/// conditional jump 2 when it needs a JA for its false branch and 1 more
/// for a negative constant; anything else 1.
fn translated_len(prog: &[SockFilter]) -> usize {
    3 + prog
        .iter()
        .map(|ins| match ins.code {
            c if c == BPF_RET | BPF_K => 2,
            c if c == BPF_ALU | BPF_DIV | BPF_X => 5,
            c if is_cond_jump(c) => {
                let negative = c & BPF_X == 0 && ins.k.cast_signed() < 0;
                let jset = c & 0xf0 == BPF_JSET;
                let two = ins.jf != 0 && (ins.jt != 0 || jset);
                1 + usize::from(negative) + usize::from(two)
            }
            _ => 1,
        })
        .sum::<usize>()
}

/// Linux's `ACTION_ONLY`: the action bits as a signed number.
fn action_rank(ret: u32) -> i32 {
    (ret & SECCOMP_RET_ACTION_FULL).cast_signed()
}

/// Checks one instruction, `after` instructions before the end.
fn check_insn(ins: &SockFilter, after: usize) -> Result<(), Errno> {
    let k = ins.k;
    let ok = match ins.code {
        // 32-bit loads only, aligned, inside seccomp_data.
        c if c == BPF_LD | BPF_W | BPF_ABS => k < DATA_LEN && k.is_multiple_of(4),
        c if c == BPF_LD | BPF_W | BPF_LEN || c == BPF_LDX | BPF_W | BPF_LEN => true,
        c if c == BPF_RET | BPF_K || c == BPF_RET | BPF_A => true,
        c if c == BPF_ALU | BPF_DIV | BPF_K => k != 0,
        c if c == BPF_ALU | BPF_LSH | BPF_K || c == BPF_ALU | BPF_RSH | BPF_K => k < 32,
        c if [
            BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH,
        ]
        .iter()
        .any(|&op| c == BPF_ALU | op | BPF_K) =>
        {
            true
        }
        c if [
            BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH,
        ]
        .iter()
        .any(|&op| c == BPF_ALU | op | BPF_X) =>
        {
            true
        }
        c if c == BPF_ALU | BPF_NEG => true,
        c if c == BPF_LD | BPF_IMM || c == BPF_LDX | BPF_IMM => true,
        c if c == BPF_MISC | BPF_TAX || c == BPF_MISC | BPF_TXA => true,
        c if c == BPF_LD | BPF_MEM || c == BPF_LDX | BPF_MEM || c == BPF_ST || c == BPF_STX => {
            k < BPF_MEMWORDS
        }
        c if c == BPF_JMP | BPF_JA => usize::try_from(k).is_ok_and(|k| k < after),
        c if is_cond_jump(c) => usize::from(ins.jt) < after && usize::from(ins.jf) < after,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

fn is_cond_jump(code: u16) -> bool {
    [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET]
        .iter()
        .any(|&op| code == BPF_JMP | op | BPF_K || code == BPF_JMP | op | BPF_X)
}

/// Linux's `check_load_and_stores`: a scratch word is read only after a
/// store to it on every path there. Jump targets are in range (checked).
fn check_scratch(prog: &[SockFilter]) -> Result<(), Errno> {
    let mut masks = vec![u16::MAX; prog.len()];
    let mut valid = 0u16;
    for (pc, ins) in prog.iter().enumerate() {
        valid &= masks.get(pc).copied().unwrap_or(0);
        let bit = 1u16.checked_shl(ins.k).unwrap_or(0);
        let code = ins.code;
        if code == BPF_ST || code == BPF_STX {
            valid |= bit;
        } else if code == BPF_LD | BPF_MEM || code == BPF_LDX | BPF_MEM {
            if valid & bit == 0 {
                return Err(Errno::EINVAL);
            }
        } else if code == BPF_JMP | BPF_JA {
            let to = usize::try_from(ins.k).map_or(usize::MAX, |k| pc + 1 + k);
            if let Some(m) = masks.get_mut(to) {
                *m &= valid;
            }
            valid = u16::MAX;
        } else if is_cond_jump(code) {
            for off in [ins.jt, ins.jf] {
                if let Some(m) = masks.get_mut(pc + 1 + usize::from(off)) {
                    *m &= valid;
                }
            }
            valid = u16::MAX;
        }
    }
    Ok(())
}

/// Runs one checked program over `data` (`struct seccomp_data`'s bytes).
/// A program [`Filter::check`] accepted cannot go wrong; should one
/// anyway, the call is killed rather than the sentry.
fn run(prog: &[SockFilter], data: &[u8]) -> u32 {
    let mut a = 0u32;
    let mut x = 0u32;
    let mut mem = [0u32; BPF_MEMWORDS as usize];
    let mut pc = 0usize;
    while let Some(ins) = prog.get(pc) {
        pc += 1;
        let k = ins.k;
        let src = if ins.code & BPF_X != 0 { x } else { k };
        let slot = usize::try_from(k).unwrap_or(usize::MAX);
        match ins.code {
            c if c == BPF_LD | BPF_W | BPF_ABS => {
                let word = data
                    .get(slot..slot.saturating_add(4))
                    .and_then(|b| <[u8; 4]>::try_from(b).ok());
                let Some(word) = word else {
                    return SECCOMP_RET_KILL_PROCESS;
                };
                a = u32::from_ne_bytes(word);
            }
            c if c == BPF_LD | BPF_W | BPF_LEN => a = DATA_LEN,
            c if c == BPF_LDX | BPF_W | BPF_LEN => x = DATA_LEN,
            c if c == BPF_LD | BPF_IMM => a = k,
            c if c == BPF_LDX | BPF_IMM => x = k,
            c if c == BPF_LD | BPF_MEM || c == BPF_LDX | BPF_MEM => {
                let Some(&v) = mem.get(slot) else {
                    return SECCOMP_RET_KILL_PROCESS;
                };
                if c == BPF_LD | BPF_MEM {
                    a = v;
                } else {
                    x = v;
                }
            }
            c if c == BPF_ST || c == BPF_STX => {
                let Some(m) = mem.get_mut(slot) else {
                    return SECCOMP_RET_KILL_PROCESS;
                };
                *m = if c == BPF_ST { a } else { x };
            }
            c if c == BPF_MISC | BPF_TAX => x = a,
            c if c == BPF_MISC | BPF_TXA => a = x,
            c if c == BPF_RET | BPF_K => return k,
            c if c == BPF_RET | BPF_A => return a,
            c if c == BPF_ALU | BPF_NEG => a = a.wrapping_neg(),
            c if c & 0x07 == BPF_ALU => {
                a = match c & 0xf0 {
                    BPF_ADD => a.wrapping_add(src),
                    BPF_SUB => a.wrapping_sub(src),
                    BPF_MUL => a.wrapping_mul(src),
                    // Linux's converted program returns 0 on a division
                    // by a zero X.
                    BPF_DIV => match a.checked_div(src) {
                        Some(v) => v,
                        None => return 0,
                    },
                    BPF_AND => a & src,
                    BPF_OR => a | src,
                    BPF_XOR => a ^ src,
                    BPF_LSH => a.wrapping_shl(src),
                    BPF_RSH => a.wrapping_shr(src),
                    _ => return SECCOMP_RET_KILL_PROCESS,
                };
            }
            c if c == BPF_JMP | BPF_JA => {
                pc = pc.saturating_add(slot);
            }
            c if c & 0x07 == BPF_JMP => {
                let taken = match c & 0xf0 {
                    BPF_JEQ => a == src,
                    BPF_JGT => a > src,
                    BPF_JGE => a >= src,
                    BPF_JSET => a & src != 0,
                    _ => return SECCOMP_RET_KILL_PROCESS,
                };
                pc += usize::from(if taken { ins.jt } else { ins.jf });
            }
            _ => return SECCOMP_RET_KILL_PROCESS,
        }
    }
    SECCOMP_RET_KILL_PROCESS
}

/// A task's mode and filter chain.
#[derive(Clone, Debug, Default)]
pub struct Seccomp {
    pub mode: Mode,
    pub filter: Option<Arc<Filter>>,
}

impl Seccomp {
    /// Filters in force (`Seccomp_filters:`).
    pub fn filters(&self) -> usize {
        self.filter.as_ref().map_or(0, |f| f.count())
    }
}

/// Where a task keeps its [`Seccomp`]: in its `TaskShared`, because TSYNC
/// sets other threads' filters and `/proc` reads them. `on` lets the
/// syscall path skip the lock for a task that never enabled seccomp.
#[derive(Debug, Default)]
pub struct SeccompCell {
    on: AtomicBool,
    state: Mutex<Seccomp>,
}

impl SeccompCell {
    /// Whether the task's calls go through seccomp: one load, the only cost
    /// of seccomp to a task without it.
    #[inline]
    pub fn enabled(&self) -> bool {
        self.on.load(Ordering::Acquire)
    }

    pub fn get(&self) -> Seccomp {
        self.state.lock().clone()
    }

    /// Replaces the mode and chain. Callers hold the process tree lock, so
    /// a clone copying the state and a TSYNC setting it are ordered.
    pub fn set(&self, s: Seccomp) {
        let on = s.mode != Mode::Disabled;
        *self.state.lock() = s;
        self.on.store(on, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::seccomp::{
        AUDIT_ARCH_X86_64, BPF_B, BPF_H, BPF_MOD, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_THREAD,
        SECCOMP_RET_LOG, SECCOMP_RET_TRAP,
    };

    fn stmt(code: u16, k: u32) -> SockFilter {
        SockFilter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
        SockFilter { code, jt, jf, k }
    }

    fn data(nr: i32) -> SeccompData {
        SeccompData {
            nr,
            arch: AUDIT_ARCH_X86_64,
            instruction_pointer: 0x1000,
            args: [1, 2, 3, 4, 5, 0x1_0000_0006],
        }
    }

    fn ret(k: u32) -> SockFilter {
        stmt(BPF_RET | BPF_K, k)
    }

    /// `nr == which ? hit : ALLOW`.
    fn on_nr(which: u32, hit: u32) -> Vec<SockFilter> {
        vec![
            stmt(BPF_LD | BPF_W | BPF_ABS, 0),
            jump(BPF_JMP | BPF_JEQ | BPF_K, which, 0, 1),
            ret(hit),
            ret(SECCOMP_RET_ALLOW),
        ]
    }

    fn chain(progs: Vec<Vec<SockFilter>>) -> Arc<Filter> {
        let mut c: Option<Arc<Filter>> = None;
        for p in progs {
            c = Some(Filter::push(p, c.as_ref()).unwrap());
        }
        c.unwrap()
    }

    #[test]
    fn check_rejects_empty_and_oversized_programs() {
        assert_eq!(Filter::check(&[]), Err(Errno::EINVAL));
        let big = vec![ret(0); BPF_MAXINSNS + 1];
        assert_eq!(Filter::check(&big), Err(Errno::EINVAL));
        assert_eq!(Filter::check(&big[..BPF_MAXINSNS]), Ok(()));
    }

    #[test]
    fn check_rejects_opcodes_seccomp_does_not_allow() {
        for code in [
            BPF_LD | BPF_H | BPF_ABS,
            BPF_LD | BPF_B | BPF_ABS,
            BPF_LD | BPF_W | 0x40, // BPF_IND
            BPF_ALU | BPF_MOD | BPF_K,
            0xffff,
        ] {
            assert_eq!(
                Filter::check(&[stmt(code, 0), ret(0)]),
                Err(Errno::EINVAL),
                "{code:#x}"
            );
        }
    }

    #[test]
    fn check_rejects_bad_loads_jumps_and_missing_ret() {
        let bad = [
            vec![stmt(BPF_LD | BPF_W | BPF_ABS, 2), ret(0)],
            vec![stmt(BPF_LD | BPF_W | BPF_ABS, 64), ret(0)],
            vec![stmt(BPF_JMP | BPF_JA, 1), ret(0)],
            vec![jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ret(0)],
            vec![ret(0), stmt(BPF_LD | BPF_IMM, 0)],
            vec![stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret(0)],
            vec![stmt(BPF_ALU | BPF_LSH | BPF_K, 32), ret(0)],
            vec![stmt(BPF_ST, 16), ret(0)],
            // A scratch word read before any store.
            vec![stmt(BPF_LD | BPF_MEM, 3), ret(0)],
            // Stored on one path only.
            vec![
                jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
                stmt(BPF_ST, 3),
                stmt(BPF_LDX | BPF_MEM, 3),
                ret(0),
            ],
        ];
        for p in bad {
            assert_eq!(Filter::check(&p), Err(Errno::EINVAL), "{p:?}");
        }
        let good = vec![
            stmt(BPF_LD | BPF_W | BPF_ABS, 60),
            stmt(BPF_ST, 3),
            jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0),
            stmt(BPF_LDX | BPF_MEM, 3),
            stmt(BPF_MISC | BPF_TXA, 0),
            stmt(BPF_RET | BPF_A, 0),
        ];
        assert_eq!(Filter::check(&good), Ok(()));
    }

    #[test]
    fn run_loads_fields_and_computes() {
        let prog = [
            stmt(BPF_LD | BPF_W | BPF_ABS, 4), // arch
            jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
            ret(SECCOMP_RET_KILL_PROCESS),
            stmt(BPF_LD | BPF_W | BPF_ABS, 16 + 5 * 8 + 4), // args[5] high
            stmt(BPF_MISC | BPF_TAX, 0),
            stmt(BPF_LD | BPF_W | BPF_ABS, 8), // ip low
            stmt(BPF_ALU | BPF_ADD | BPF_X, 0),
            stmt(BPF_ALU | BPF_RSH | BPF_K, 4),
            stmt(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
            stmt(BPF_RET | BPF_A, 0),
        ];
        Filter::check(&prog).unwrap();
        let d = data(39);
        assert_eq!(
            run(&prog, zerocopy::IntoBytes::as_bytes(&d)),
            SECCOMP_RET_ERRNO | 0x100
        );
    }

    #[test]
    fn run_division_by_zero_x_returns_zero() {
        let prog = [
            stmt(BPF_LD | BPF_IMM, 7),
            stmt(BPF_ALU | BPF_DIV | BPF_X, 0),
            ret(SECCOMP_RET_ALLOW),
        ];
        Filter::check(&prog).unwrap();
        let d = data(0);
        assert_eq!(run(&prog, zerocopy::IntoBytes::as_bytes(&d)), 0);
    }

    #[test]
    fn chain_takes_most_severe_action_and_first_of_equals() {
        let c = chain(vec![
            on_nr(39, SECCOMP_RET_ERRNO | 1),
            on_nr(39, SECCOMP_RET_TRAP | 2),
            on_nr(39, SECCOMP_RET_ERRNO | 3),
            on_nr(40, SECCOMP_RET_LOG),
        ]);
        assert_eq!(c.run_chain(&data(39)), SECCOMP_RET_TRAP | 2);
        assert_eq!(c.run_chain(&data(40)), SECCOMP_RET_LOG);
        assert_eq!(c.run_chain(&data(41)), SECCOMP_RET_ALLOW);
        let c = chain(vec![
            on_nr(39, SECCOMP_RET_ERRNO | 1),
            on_nr(39, SECCOMP_RET_ERRNO | 3),
        ]);
        assert_eq!(c.run_chain(&data(39)), SECCOMP_RET_ERRNO | 3);
        let c = chain(vec![
            on_nr(39, SECCOMP_RET_KILL_THREAD),
            on_nr(39, SECCOMP_RET_KILL_PROCESS),
        ]);
        assert_eq!(c.run_chain(&data(39)), SECCOMP_RET_KILL_PROCESS);
        assert_eq!(c.count(), 2);
    }

    #[test]
    fn translated_len_counts_as_linux() {
        assert_eq!(translated_len(&[ret(0)]), 5);
        assert_eq!(translated_len(&[stmt(BPF_RET | BPF_A, 0)]), 4);
        assert_eq!(translated_len(&[stmt(BPF_ALU | BPF_DIV | BPF_X, 0)]), 8);
        assert_eq!(
            translated_len(&[jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0)]),
            4
        );
        assert_eq!(
            translated_len(&[jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1)]),
            4
        );
        assert_eq!(
            translated_len(&[jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 1)]),
            5
        );
        assert_eq!(
            translated_len(&[jump(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1)]),
            5
        );
        assert_eq!(
            translated_len(&[jump(BPF_JMP | BPF_JGT | BPF_K, 1 << 31, 1, 1)]),
            6
        );
        assert_eq!(
            translated_len(&[jump(BPF_JMP | BPF_JGT | BPF_X, 1 << 31, 0, 0)]),
            4
        );
    }

    #[test]
    fn push_limits_the_path_length() {
        let big = vec![ret(SECCOMP_RET_ALLOW); BPF_MAXINSNS];
        let mut c: Option<Arc<Filter>> = None;
        // A filter of 4096 RET K is 8195 eBPF instructions: 3 take
        // 3 * 8199 = 24597, leaving 8171 for a fourth.
        for _ in 0..3 {
            c = Some(Filter::push(big.clone(), c.as_ref()).unwrap());
        }
        assert_eq!(
            Filter::push(big.clone(), c.as_ref()).err(),
            Some(Errno::ENOMEM)
        );
        assert_eq!(
            Filter::push(big[..4085].to_vec(), c.as_ref()).err(),
            Some(Errno::ENOMEM)
        );
        let top = Filter::push(big[..4084].to_vec(), c.as_ref()).unwrap();
        assert_eq!(top.count(), 4);
        assert!(top.descends_from(c.as_ref().unwrap()));
        assert!(!c.as_ref().unwrap().descends_from(&top));
    }

    #[test]
    fn long_chain_drops_without_deep_recursion() {
        let mut c: Option<Arc<Filter>> = None;
        for _ in 0..3000 {
            c = Some(Filter::push(vec![ret(SECCOMP_RET_ALLOW)], c.as_ref()).unwrap());
        }
        drop(c);
    }
}
