//! A tiny classic-BPF builder for seccomp filters that look at the
//! instruction pointer, which seccompiler cannot express.

pub use abi::seccomp::{
    SockFilter, AUDIT_ARCH_X86_64, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRACE,
    SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
};
use abi::seccomp::{BPF_ABS, BPF_JEQ, BPF_JGE, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W};

const BPF_LD_W_ABS: u16 = BPF_LD | BPF_W | BPF_ABS;
const BPF_JEQ_K: u16 = BPF_JMP | BPF_JEQ | BPF_K;
const BPF_JGE_K: u16 = BPF_JMP | BPF_JGE | BPF_K;
const BPF_RET_K: u16 = BPF_RET | BPF_K;

/// Offsets into `struct seccomp_data`.
const DATA_NR: u32 = 0;
const DATA_ARCH: u32 = 4;
const DATA_IP_LO: u32 = 8;
const DATA_IP_HI: u32 = 12;

fn ld(off: u32) -> SockFilter {
    SockFilter {
        code: BPF_LD_W_ABS,
        jt: 0,
        jf: 0,
        k: off,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter { code, jt, jf, k }
}

fn ret(k: u32) -> SockFilter {
    SockFilter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k,
    }
}

/// What a filter answers, by where a system call comes from: an instruction
/// in the window `[start, end)` (one 4 GiB-aligned window) or elsewhere.
/// Each list pairs a system call number with its action; a call not listed
/// gets the side's `*_other` action, and a call of another architecture
/// `foreign_arch`.
#[derive(Clone, Copy, Debug)]
pub struct WindowRules<'a> {
    pub start: u64,
    pub end: u64,
    pub window: &'a [(u32, u32)],
    pub window_other: u32,
    pub outside: &'a [(u32, u32)],
    pub outside_other: u32,
    pub foreign_arch: u32,
}

/// Builds the filter for `rules`.
pub fn window_filter(rules: &WindowRules<'_>) -> Vec<SockFilter> {
    let (start, end) = (rules.start, rules.end);
    assert!(
        start >> 32 == (end - 1) >> 32,
        "the stub window must not cross a 4 GiB boundary"
    );
    let hi = u32::try_from(start >> 32).expect("shifted right by 32");
    let lo_start = u32::try_from(start & 0xffff_ffff).expect("masked");
    let lo_end = u32::try_from(end & 0xffff_ffff).expect("masked");
    // Instruction indexes: the window's list starts at 8, then the outside
    // list (after its load), then the foreign-architecture return.
    let outside_at = 8 + 2 * rules.window.len() + 1;
    let foreign_at = outside_at + 1 + 2 * rules.outside.len() + 1;
    // A jump from index `from` to index `to` skips `to - (from + 1)`.
    let skip =
        |from: usize, to: usize| u8::try_from(to - from - 1).expect("jump offsets are 8 bits");
    let mut f = vec![
        ld(DATA_ARCH),
        jump(BPF_JEQ_K, AUDIT_ARCH_X86_64, 0, skip(1, foreign_at)),
        ld(DATA_IP_HI),
        jump(BPF_JEQ_K, hi, 0, skip(3, outside_at)),
        ld(DATA_IP_LO),
        jump(BPF_JGE_K, lo_start, 0, skip(5, outside_at)),
        jump(BPF_JGE_K, lo_end, skip(6, outside_at), 0),
        ld(DATA_NR),
    ];
    let list = |f: &mut Vec<SockFilter>, pairs: &[(u32, u32)], other: u32| {
        for &(nr, action) in pairs {
            f.push(jump(BPF_JEQ_K, nr, 0, 1));
            f.push(ret(action));
        }
        f.push(ret(other));
    };
    list(&mut f, rules.window, rules.window_other);
    f.push(ld(DATA_NR));
    list(&mut f, rules.outside, rules.outside_other);
    f.push(ret(rules.foreign_arch));
    debug_assert_eq!(f.len(), foreign_at + 1);
    f
}

/// A filter that allows exactly the system calls `allowed` when they are made
/// from an instruction in `[ip_start, ip_end)` (both in one 4 GiB-aligned
/// window), kills the whole process on any other call from the window, and
/// returns `outside` for every call from elsewhere (or of another
/// architecture).
pub fn ip_window_filter(
    ip_start: u64,
    ip_end: u64,
    allowed: &[u32],
    outside: u32,
) -> Vec<SockFilter> {
    let window: Vec<(u32, u32)> = allowed.iter().map(|&nr| (nr, SECCOMP_RET_ALLOW)).collect();
    window_filter(&WindowRules {
        start: ip_start,
        end: ip_end,
        window: &window,
        window_other: SECCOMP_RET_KILL_PROCESS,
        outside: &[],
        outside_other: outside,
        foreign_arch: outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A classic-BPF interpreter for the instructions the builder emits.
    fn run(f: &[SockFilter], nr: u32, arch: u32, ip: u64) -> u32 {
        let data = |off: u32| match off {
            DATA_NR => nr,
            DATA_ARCH => arch,
            DATA_IP_LO => (ip & 0xffff_ffff) as u32,
            DATA_IP_HI => (ip >> 32) as u32,
            _ => panic!("bad offset"),
        };
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = f[pc];
            pc += 1;
            match i.code {
                BPF_LD_W_ABS => acc = data(i.k),
                BPF_JEQ_K | BPF_JGE_K => {
                    let hit = if i.code == BPF_JEQ_K {
                        acc == i.k
                    } else {
                        acc >= i.k
                    };
                    pc += usize::from(if hit { i.jt } else { i.jf });
                }
                BPF_RET_K => return i.k,
                c => panic!("unexpected code {c:#x}"),
            }
        }
    }

    const START: u64 = 0x7fff_ffff_0000;
    const END: u64 = 0x7fff_ffff_1000;

    #[test]
    fn allowed_call_from_window_is_allowed() {
        let f = ip_window_filter(START, END, &[9, 11], SECCOMP_RET_KILL_PROCESS);
        assert_eq!(
            run(&f, 9, AUDIT_ARCH_X86_64, START + 0x10),
            SECCOMP_RET_ALLOW
        );
        assert_eq!(run(&f, 11, AUDIT_ARCH_X86_64, END - 1), SECCOMP_RET_ALLOW);
    }

    #[test]
    fn call_outside_window_or_list_kills() {
        let f = ip_window_filter(START, END, &[9, 11], SECCOMP_RET_KILL_PROCESS);
        let kill = SECCOMP_RET_KILL_PROCESS;
        assert_eq!(run(&f, 9, AUDIT_ARCH_X86_64, START - 1), kill);
        assert_eq!(run(&f, 9, AUDIT_ARCH_X86_64, END), kill);
        assert_eq!(run(&f, 9, AUDIT_ARCH_X86_64, 0x0040_1000), kill);
        assert_eq!(
            run(&f, 9, AUDIT_ARCH_X86_64, (START & 0xffff_ffff) | (1 << 32)),
            kill
        );
        assert_eq!(run(&f, 10, AUDIT_ARCH_X86_64, START + 8), kill);
        assert_eq!(run(&f, 9, 0x4000_0003, START + 8), kill);
    }

    #[test]
    fn call_outside_window_gets_the_outside_action() {
        let trap = SECCOMP_RET_TRAP;
        let f = ip_window_filter(START, END, &[9, 11], trap);
        assert_eq!(run(&f, 9, AUDIT_ARCH_X86_64, START + 8), SECCOMP_RET_ALLOW);
        assert_eq!(
            run(&f, 10, AUDIT_ARCH_X86_64, START + 8),
            SECCOMP_RET_KILL_PROCESS
        );
        assert_eq!(run(&f, 9, AUDIT_ARCH_X86_64, START - 1), trap);
        assert_eq!(run(&f, 9, AUDIT_ARCH_X86_64, END), trap);
        assert_eq!(run(&f, 39, AUDIT_ARCH_X86_64, 0x0040_1000), trap);
        assert_eq!(run(&f, 9, 0x4000_0003, START + 8), trap);
    }

    #[test]
    fn window_rules_pick_the_listed_action_per_side() {
        let f = window_filter(&WindowRules {
            start: START,
            end: END,
            window: &[(110, SECCOMP_RET_USER_NOTIF), (9, SECCOMP_RET_ALLOW)],
            window_other: SECCOMP_RET_KILL_PROCESS,
            outside: &[(15, SECCOMP_RET_TRAP)],
            outside_other: SECCOMP_RET_USER_NOTIF,
            foreign_arch: SECCOMP_RET_TRAP,
        });
        let x86 = AUDIT_ARCH_X86_64;
        assert_eq!(run(&f, 110, x86, START + 8), SECCOMP_RET_USER_NOTIF);
        assert_eq!(run(&f, 9, x86, START + 8), SECCOMP_RET_ALLOW);
        assert_eq!(run(&f, 15, x86, START + 8), SECCOMP_RET_KILL_PROCESS);
        assert_eq!(run(&f, 15, x86, 0x40_1000), SECCOMP_RET_TRAP);
        assert_eq!(run(&f, 110, x86, 0x40_1000), SECCOMP_RET_USER_NOTIF);
        assert_eq!(run(&f, 0, x86, END), SECCOMP_RET_USER_NOTIF);
        assert_eq!(run(&f, 110, 0x4000_0003, START + 8), SECCOMP_RET_TRAP);
    }
}
