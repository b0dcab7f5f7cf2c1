//! Signals: numbers, sigaction flags, sigprocmask and sigaltstack
//! values (<asm/signal.h>, <asm-generic/signal-defs.h>).

use bitflags::bitflags;

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGABRT: i32 = 6;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGKILL: i32 = 9;
pub const SIGUSR1: i32 = 10;
pub const SIGSEGV: i32 = 11;
pub const SIGUSR2: i32 = 12;
pub const SIGPIPE: i32 = 13;
pub const SIGALRM: i32 = 14;
pub const SIGTERM: i32 = 15;
pub const SIGSTKFLT: i32 = 16;
pub const SIGCHLD: i32 = 17;
pub const SIGCONT: i32 = 18;
pub const SIGSTOP: i32 = 19;
pub const SIGTSTP: i32 = 20;
pub const SIGTTIN: i32 = 21;
pub const SIGTTOU: i32 = 22;
pub const SIGURG: i32 = 23;
pub const SIGXCPU: i32 = 24;
pub const SIGXFSZ: i32 = 25;
pub const SIGVTALRM: i32 = 26;
pub const SIGPROF: i32 = 27;
pub const SIGWINCH: i32 = 28;
pub const SIGIO: i32 = 29;
pub const SIGPWR: i32 = 30;
pub const SIGSYS: i32 = 31;
/// `SIGABRT` by its old name.
pub const SIGIOT: i32 = SIGABRT;
/// `SIGIO` by its System V name.
pub const SIGPOLL: i32 = SIGIO;
/// The first real-time signal as the kernel numbers them (glibc keeps 32
/// and 33 for itself and reports 34 as its `SIGRTMIN`).
pub const SIGRTMIN: i32 = 32;
pub const SIGRTMAX: i32 = 64;
/// The number of signals (`_NSIG`); valid signals are `1..=NSIG`.
pub const NSIG: i32 = 64;

const NAMES: [&str; 31] = [
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// Real-time signal names as strace spells them: `SIGRTMIN`, `SIGRT_1`, ...
const RT_NAMES: [&str; 33] = [
    "SIGRTMIN", "SIGRT_1", "SIGRT_2", "SIGRT_3", "SIGRT_4", "SIGRT_5", "SIGRT_6", "SIGRT_7",
    "SIGRT_8", "SIGRT_9", "SIGRT_10", "SIGRT_11", "SIGRT_12", "SIGRT_13", "SIGRT_14", "SIGRT_15",
    "SIGRT_16", "SIGRT_17", "SIGRT_18", "SIGRT_19", "SIGRT_20", "SIGRT_21", "SIGRT_22", "SIGRT_23",
    "SIGRT_24", "SIGRT_25", "SIGRT_26", "SIGRT_27", "SIGRT_28", "SIGRT_29", "SIGRT_30", "SIGRT_31",
    "SIGRT_32",
];

/// The name of signal `sig`, "SIGSEGV"; real-time signals are `SIGRTMIN`
/// and `SIGRT_<n>` (n = sig - 32), as strace prints them.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    if sig < SIGRTMIN {
        NAMES
            .get(usize::try_from(sig.checked_sub(1)?).ok()?)
            .copied()
    } else {
        RT_NAMES.get(usize::try_from(sig - SIGRTMIN).ok()?).copied()
    }
}

/// The bit of `sig` in a `sigset_t`, or 0 for a number outside `1..=NSIG`.
pub fn sigmask(sig: i32) -> u64 {
    match u32::try_from(sig) {
        Ok(s @ 1..=64) => 1 << (s - 1),
        _ => 0,
    }
}

bitflags! {
    /// `sa_flags` of `struct sigaction`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SigactionFlags: u64 {
        const SA_NOCLDSTOP = 0x0000_0001;
        const SA_NOCLDWAIT = 0x0000_0002;
        const SA_SIGINFO = 0x0000_0004;
        /// Set by callers probing for flag support; never reported back.
        const SA_UNSUPPORTED = 0x0000_0400;
        const SA_EXPOSE_TAGBITS = 0x0000_0800;
        const SA_RESTORER = 0x0400_0000;
        const SA_ONSTACK = 0x0800_0000;
        const SA_RESTART = 0x1000_0000;
        const SA_NODEFER = 0x4000_0000;
        const SA_RESETHAND = 0x8000_0000;
    }
}

/// `sa_handler` values that are not functions.
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;

named_consts! {
    /// The name of rt_sigprocmask `how`, "SIG_BLOCK".
    pub fn sigprocmask_how_name(i32) {
        SIG_BLOCK = 0,
        SIG_UNBLOCK = 1,
        SIG_SETMASK = 2,
    }
}

/// `si_code` values of signals sent by a process (`include/uapi/asm-generic/siginfo.h`).
pub const SI_USER: i32 = 0;
pub const SI_KERNEL: i32 = 0x80;
pub const SI_QUEUE: i32 = -1;
pub const SI_TIMER: i32 = -2;
pub const SI_MESGQ: i32 = -3;
pub const SI_ASYNCIO: i32 = -4;
pub const SI_SIGIO: i32 = -5;
pub const SI_TKILL: i32 = -6;

/// `si_code` of SIGCHLD.
pub const CLD_EXITED: i32 = 1;
pub const CLD_KILLED: i32 = 2;
pub const CLD_DUMPED: i32 = 3;
pub const CLD_TRAPPED: i32 = 4;
pub const CLD_STOPPED: i32 = 5;
pub const CLD_CONTINUED: i32 = 6;

/// `si_code` of SIGSEGV.
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;

/// `uc_flags` of a signal frame's ucontext.
pub const UC_FP_XSTATE: u64 = 0x1;
pub const UC_SIGCONTEXT_SS: u64 = 0x2;
pub const UC_STRICT_RESTORE_SS: u64 = 0x4;

/// The software-reserved bytes of an XSAVE area in a signal frame.
pub const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
pub const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
pub const FP_XSTATE_MAGIC2_SIZE: u64 = 4;

/// `ss_flags` of sigaltstack: the thread is running on the stack.
pub const SS_ONSTACK: i32 = 1;
/// `ss_flags` of sigaltstack: no alternate stack.
pub const SS_DISABLE: i32 = 2;
/// `ss_flags` of sigaltstack: disarm the stack while a handler runs on it.
pub const SS_AUTODISARM: i32 = 1 << 31;
/// The smallest alternate stack sigaltstack accepts (the kernel checks
/// against the larger `AT_MINSIGSTKSZ` it reports when XSAVE state is big).
pub const MINSIGSTKSZ: u64 = 2048;
pub const SIGSTKSZ: u64 = 8192;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_and_realtime_names() {
        assert_eq!(signal_name(SIGHUP), Some("SIGHUP"));
        assert_eq!(signal_name(SIGSYS), Some("SIGSYS"));
        assert_eq!(signal_name(SIGRTMIN), Some("SIGRTMIN"));
        assert_eq!(signal_name(33), Some("SIGRT_1"));
        assert_eq!(signal_name(SIGRTMAX), Some("SIGRT_32"));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(65), None);
        assert_eq!(signal_name(i32::MIN), None);
    }

    #[test]
    fn sigmask_bits() {
        assert_eq!(sigmask(SIGHUP), 1);
        assert_eq!(sigmask(SIGKILL), 1 << 8);
        assert_eq!(sigmask(64), 1 << 63);
        assert_eq!(sigmask(0), 0);
        assert_eq!(sigmask(65), 0);
    }
}
