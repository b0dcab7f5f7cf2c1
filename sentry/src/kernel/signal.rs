//! Signals as data: sets, queues, dispositions, default actions, and the
//! x86-64 signal frame (built and unwound exactly as Linux's
//! `arch/x86/kernel/signal_64.c` does).

use std::collections::VecDeque;

use abi::signal::{
    sigmask, SigactionFlags, FP_XSTATE_MAGIC2, FP_XSTATE_MAGIC2_SIZE, NSIG, SIGABRT, SIGBUS,
    SIGCHLD, SIGCONT, SIGFPE, SIGILL, SIGKILL, SIGQUIT, SIGRTMIN, SIGSEGV, SIGSTOP, SIGSYS,
    SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH, SIGXCPU, SIGXFSZ, SIG_DFL, SIG_IGN,
    SS_AUTODISARM, SS_DISABLE, SS_ONSTACK, UC_FP_XSTATE, UC_SIGCONTEXT_SS, UC_STRICT_RESTORE_SS,
};
use abi::types::{RtSigframe, Sigaction, Sigaltstack, Sigcontext, Siginfo, Ucontext};
use platform::Registers;

/// A set of signals: bit `n - 1` is signal `n`.
pub type SigSet = u64;

/// Signals no mask can hold back.
pub const UNBLOCKABLE: SigSet = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// Signals the CPU raises, dequeued before any other (Linux's
/// `SYNCHRONOUS_MASK`).
const SYNCHRONOUS: SigSet = (1 << (SIGSEGV - 1))
    | (1 << (SIGBUS - 1))
    | (1 << (SIGILL - 1))
    | (1 << (SIGTRAP - 1))
    | (1 << (SIGFPE - 1))
    | (1 << (SIGSYS - 1));

/// The stop signals.
pub const STOP_SIGNALS: SigSet =
    (1 << (SIGSTOP - 1)) | (1 << (SIGTSTP - 1)) | (1 << (SIGTTIN - 1)) | (1 << (SIGTTOU - 1));

/// Whether `sig` is a valid signal number.
pub fn valid(sig: i32) -> bool {
    (1..=NSIG).contains(&sig)
}

/// What a signal does when its disposition is `SIG_DFL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    CoreDump,
    Stop,
    Continue,
    Ignore,
}

/// Linux's default action of `sig` (signal(7)).
pub fn default_action(sig: i32) -> DefaultAction {
    match sig {
        SIGCHLD | SIGURG | SIGWINCH => DefaultAction::Ignore,
        SIGCONT => DefaultAction::Continue,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => DefaultAction::Stop,
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => DefaultAction::CoreDump,
        _ => DefaultAction::Terminate,
    }
}

/// The dispositions of one thread group (shared by `CLONE_SIGHAND`).
#[derive(Clone, Debug)]
pub struct SigActions(pub [Sigaction; 64]);

impl Default for SigActions {
    fn default() -> Self {
        SigActions([Sigaction::default(); 64])
    }
}

impl SigActions {
    pub fn get(&self, sig: i32) -> Sigaction {
        self.0[usize::try_from(sig - 1).expect("valid signal")]
    }

    pub fn set(&mut self, sig: i32, act: Sigaction) {
        self.0[usize::try_from(sig - 1).expect("valid signal")] = act;
    }

    /// Whether a signal sent now would be dropped at once: ignored
    /// explicitly, or by default.
    pub fn is_ignored(&self, sig: i32) -> bool {
        let h = self.get(sig).sa_handler;
        h == SIG_IGN || (h == SIG_DFL && default_action(sig) == DefaultAction::Ignore)
    }

    /// execve: handlers become `SIG_DFL`; ignored signals stay ignored.
    pub fn reset_for_exec(&mut self) {
        for a in &mut self.0 {
            let ignored = a.sa_handler == SIG_IGN;
            *a = Sigaction::default();
            if ignored {
                a.sa_handler = SIG_IGN;
            }
        }
    }
}

/// Byte offsets into `siginfo_t`'s union (x86-64).
mod off {
    pub const PID: usize = 0; // si_pid, si_tid (timers), si_addr (faults), si_band
    pub const UID: usize = 4; // si_uid, si_overrun
    pub const VALUE: usize = 8; // si_value, si_status (SIGCHLD), si_fd
    pub const UTIME: usize = 16;
    pub const STIME: usize = 24;
}

/// Builders and readers of `siginfo_t` fields.
pub trait SiginfoExt {
    fn new(signo: i32, code: i32) -> Self;
    fn put_i32(&mut self, off: usize, v: i32);
    fn put_u64(&mut self, off: usize, v: u64);
    fn get_i32(&self, off: usize) -> i32;
    fn get_u64(&self, off: usize) -> u64;
    /// A signal from a process: `si_pid`, `si_uid`.
    fn from_process(signo: i32, code: i32, pid: i32, uid: u32) -> Self;
    /// A fault: `si_addr`.
    fn fault(signo: i32, code: i32, addr: u64) -> Self;
    /// `SIGPOLL`-style (`F_SETSIG`): `si_band`, `si_fd`.
    fn poll(signo: i32, code: i32, band: u64, fd: i32) -> Self;
    /// SIGCHLD: pid, uid, status, CPU times in clock ticks.
    fn child(code: i32, pid: i32, uid: u32, status: i32, utime: i64, stime: i64) -> Self;
    fn pid(&self) -> i32;
    fn set_value(&mut self, v: u64);
}

impl SiginfoExt for Siginfo {
    fn new(signo: i32, code: i32) -> Siginfo {
        Siginfo {
            si_signo: signo,
            si_code: code,
            ..Siginfo::default()
        }
    }

    fn put_i32(&mut self, off: usize, v: i32) {
        self.fields[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put_u64(&mut self, off: usize, v: u64) {
        self.fields[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    fn get_i32(&self, off: usize) -> i32 {
        i32::from_le_bytes(self.fields[off..off + 4].try_into().expect("4 bytes"))
    }

    fn get_u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.fields[off..off + 8].try_into().expect("8 bytes"))
    }

    fn from_process(signo: i32, code: i32, pid: i32, uid: u32) -> Siginfo {
        let mut i = Siginfo::new(signo, code);
        i.put_i32(off::PID, pid);
        i.put_i32(off::UID, uid.cast_signed());
        i
    }

    fn fault(signo: i32, code: i32, addr: u64) -> Siginfo {
        let mut i = Siginfo::new(signo, code);
        i.put_u64(off::PID, addr);
        i
    }

    fn poll(signo: i32, code: i32, band: u64, fd: i32) -> Siginfo {
        let mut i = Siginfo::new(signo, code);
        i.put_u64(off::PID, band);
        i.put_i32(off::VALUE, fd);
        i
    }

    fn child(code: i32, pid: i32, uid: u32, status: i32, utime: i64, stime: i64) -> Siginfo {
        let mut i = Siginfo::from_process(SIGCHLD, code, pid, uid);
        i.put_i32(off::VALUE, status);
        i.put_u64(off::UTIME, utime.cast_unsigned());
        i.put_u64(off::STIME, stime.cast_unsigned());
        i
    }

    fn pid(&self) -> i32 {
        self.get_i32(off::PID)
    }

    fn set_value(&mut self, v: u64) {
        self.put_u64(off::VALUE, v);
    }
}

/// Pending signals of a thread or a thread group. Standard signals
/// coalesce; real-time signals queue, each with its own `siginfo`.
#[derive(Clone, Debug, Default)]
pub struct SigQueue {
    pending: SigSet,
    infos: VecDeque<Siginfo>,
}

impl SigQueue {
    pub fn pending(&self) -> SigSet {
        self.pending
    }

    /// Queues `info`; returns false when a standard signal of that number
    /// was already pending (it coalesces).
    pub fn enqueue(&mut self, info: Siginfo) -> bool {
        let bit = sigmask(info.si_signo);
        if info.si_signo < SIGRTMIN && self.pending & bit != 0 {
            return false;
        }
        self.pending |= bit;
        self.infos.push_back(info);
        true
    }

    /// How many real-time signals are queued (for RLIMIT_SIGPENDING).
    pub fn queued(&self) -> usize {
        self.infos.len()
    }

    /// Takes the next signal not in `blocked`: synchronous signals first,
    /// then the lowest number; queued instances in arrival order.
    pub fn dequeue(&mut self, blocked: SigSet) -> Option<Siginfo> {
        let ready = self.pending & !blocked;
        if ready == 0 {
            return None;
        }
        let pick = if ready & SYNCHRONOUS != 0 {
            ready & SYNCHRONOUS
        } else {
            ready
        };
        let sig = i32::try_from(pick.trailing_zeros()).expect("< 64") + 1;
        Some(self.take(sig))
    }

    /// Removes the first instance of `sig`, which must be pending.
    fn take(&mut self, sig: i32) -> Siginfo {
        let i = self
            .infos
            .iter()
            .position(|x| x.si_signo == sig)
            .expect("a pending signal has a siginfo");
        let info = self.infos.remove(i).expect("in range");
        if !self.infos.iter().any(|x| x.si_signo == sig) {
            self.pending &= !sigmask(sig);
        }
        info
    }

    /// Drops every pending instance of the signals in `set`.
    pub fn discard(&mut self, set: SigSet) {
        self.infos.retain(|x| sigmask(x.si_signo) & set == 0);
        self.pending &= !set;
    }
}

/// A thread's alternate signal stack (`sigaltstack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    /// As last set: `SS_DISABLE`, 0, or `SS_AUTODISARM`.
    pub flags: i32,
}

impl Default for AltStack {
    fn default() -> Self {
        AltStack {
            sp: 0,
            size: 0,
            flags: SS_DISABLE,
        }
    }
}

impl AltStack {
    /// Linux's `on_sig_stack`.
    pub fn contains(&self, sp: u64) -> bool {
        if self.flags & SS_AUTODISARM != 0 {
            return false;
        }
        self.on_stack_raw(sp)
    }

    fn on_stack_raw(&self, sp: u64) -> bool {
        sp > self.sp && sp - self.sp <= self.size
    }

    /// Linux's `sas_ss_flags`: `SS_DISABLE`, `SS_ONSTACK` or 0.
    pub fn state(&self, sp: u64) -> i32 {
        if self.size == 0 {
            SS_DISABLE
        } else if self.contains(sp) {
            SS_ONSTACK
        } else {
            0
        }
    }

    pub fn to_abi(self) -> Sigaltstack {
        Sigaltstack {
            ss_sp: self.sp,
            ss_flags: self.flags,
            _pad: 0,
            ss_size: self.size,
        }
    }
}

/// The fault details a frame's sigcontext reports (`err`, `trapno`, `cr2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrapInfo {
    pub err: u64,
    pub trapno: u64,
    pub cr2: u64,
}

/// A signal frame ready to be written to the application's stack.
#[derive(Debug)]
pub struct Frame {
    /// Where `bytes` go: the frame at `sp`, the XSAVE area above it.
    pub sp: u64,
    pub bytes: Vec<u8>,
    /// The registers the handler starts with.
    pub regs: Registers,
}

/// Why no frame could be built: the stack would overflow the alternate
/// stack (Linux then kills the thread with SIGSEGV).
#[derive(Debug, PartialEq, Eq)]
pub struct FrameError;

const RED_ZONE: u64 = 128;
/// The user selectors as a sigcontext stores them.
const USER_CS16: u16 = 0x33;
const USER_DS16: u16 = 0x2b;
const EFLAGS_TF: u64 = 1 << 8;
const EFLAGS_DF: u64 = 1 << 10;
const EFLAGS_RF: u64 = 1 << 16;

/// Everything `build_frame` needs.
#[derive(Debug)]
pub struct FrameRequest<'a> {
    pub regs: &'a Registers,
    /// The thread's XSAVE area (ptrace layout: standard format with the
    /// software-reserved bytes filled).
    pub fp: &'a [u8],
    pub info: &'a Siginfo,
    pub action: &'a Sigaction,
    /// The mask to restore on return.
    pub old_mask: SigSet,
    pub alt: &'a AltStack,
    pub trap: TrapInfo,
}

/// Builds the `rt_sigframe` Linux pushes for a handler. Returns the frame
/// and the handler's registers.
pub fn build_frame(r: &FrameRequest<'_>) -> Result<Frame, FrameError> {
    let regs = r.regs;
    let nested = r.alt.contains(regs.rsp);
    let mut sp = regs.rsp.wrapping_sub(RED_ZONE);
    let mut entering = false;
    let flags = SigactionFlags::from_bits_retain(r.action.sa_flags);
    if flags.contains(SigactionFlags::SA_ONSTACK) && r.alt.state(sp) == 0 {
        sp = r.alt.sp.wrapping_add(r.alt.size);
        entering = true;
    }
    let math_size = r.fp.len() as u64 + FP_XSTATE_MAGIC2_SIZE;
    let fp_addr = sp.wrapping_sub(math_size) & !63;
    let frame_size = std::mem::size_of::<RtSigframe>() as u64;
    let frame_addr = (fp_addr.wrapping_sub(frame_size) & !15).wrapping_sub(8);
    if (nested || entering) && !r.alt.on_stack_raw(frame_addr) {
        return Err(FrameError);
    }

    let sc = Sigcontext {
        r8: regs.r8,
        r9: regs.r9,
        r10: regs.r10,
        r11: regs.r11,
        r12: regs.r12,
        r13: regs.r13,
        r14: regs.r14,
        r15: regs.r15,
        rdi: regs.rdi,
        rsi: regs.rsi,
        rbp: regs.rbp,
        rbx: regs.rbx,
        rdx: regs.rdx,
        rax: regs.rax,
        rcx: regs.rcx,
        rsp: regs.rsp,
        rip: regs.rip,
        eflags: regs.eflags,
        cs: u16::try_from(regs.cs).unwrap_or(USER_CS16),
        gs: 0,
        fs: 0,
        ss: u16::try_from(regs.ss).unwrap_or(USER_DS16),
        err: r.trap.err,
        trapno: r.trap.trapno,
        oldmask: r.old_mask,
        cr2: r.trap.cr2,
        fpstate: fp_addr,
        reserved1: [0; 8],
    };
    let frame = RtSigframe {
        pretcode: r.action.sa_restorer,
        uc: Ucontext {
            uc_flags: UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
            uc_link: 0,
            uc_stack: r.alt.to_abi(),
            uc_mcontext: sc,
            uc_sigmask: r.old_mask,
        },
        info: *r.info,
    };

    // The frame, the gap up to the XSAVE area, the area, MAGIC2.
    let total = usize::try_from(fp_addr - frame_addr + math_size).expect("small");
    let mut bytes = vec![0u8; total];
    bytes[..std::mem::size_of::<RtSigframe>()]
        .copy_from_slice(zerocopy::IntoBytes::as_bytes(&frame));
    let fp_at = usize::try_from(fp_addr - frame_addr).expect("small");
    let fp = &mut bytes[fp_at..fp_at + r.fp.len()];
    fp.copy_from_slice(r.fp);
    platform::to_frame_layout(fp);
    let m2 = fp_at + r.fp.len();
    bytes[m2..m2 + 4].copy_from_slice(&FP_XSTATE_MAGIC2.to_le_bytes());

    let mut out = *regs;
    out.rdi = u64::try_from(r.info.si_signo).expect("positive");
    out.rsi = frame_addr + std::mem::offset_of!(RtSigframe, info) as u64;
    out.rdx = frame_addr + std::mem::offset_of!(RtSigframe, uc) as u64;
    out.rax = 0;
    out.rsp = frame_addr;
    out.rip = r.action.sa_handler;
    out.eflags &= !(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
    out.cs = platform::USER_CS;
    out.ss = platform::USER_DS;
    Ok(Frame {
        sp: frame_addr,
        bytes,
        regs: out,
    })
}

/// Eflags bits rt_sigreturn takes from the frame (Linux's `FIX_EFLAGS`).
const FIX_EFLAGS: u64 = 0x0004_0000 // AC
    | 0x800 // OF
    | EFLAGS_DF
    | EFLAGS_TF
    | 0x80 // SF
    | 0x40 // ZF
    | 0x10 // AF
    | 0x4 // PF
    | 0x1 // CF
    | EFLAGS_RF;

/// The registers rt_sigreturn restores from a frame's ucontext.
pub fn restore_regs(current: &Registers, uc: &Ucontext) -> Registers {
    let sc = &uc.uc_mcontext;
    let mut r = *current;
    r.r8 = sc.r8;
    r.r9 = sc.r9;
    r.r10 = sc.r10;
    r.r11 = sc.r11;
    r.r12 = sc.r12;
    r.r13 = sc.r13;
    r.r14 = sc.r14;
    r.r15 = sc.r15;
    r.rdi = sc.rdi;
    r.rsi = sc.rsi;
    r.rbp = sc.rbp;
    r.rbx = sc.rbx;
    r.rdx = sc.rdx;
    r.rax = sc.rax;
    r.rcx = sc.rcx;
    r.rsp = sc.rsp;
    r.rip = sc.rip;
    r.eflags = (current.eflags & !FIX_EFLAGS) | (sc.eflags & FIX_EFLAGS);
    // Only user segments: the CPL is forced to 3, as Linux does.
    r.cs = u64::from(sc.cs) | 3;
    r.ss = if uc.uc_flags & UC_STRICT_RESTORE_SS != 0 {
        u64::from(sc.ss) | 3
    } else {
        platform::USER_DS
    };
    if r.cs != platform::USER_CS {
        r.cs = platform::USER_CS;
    }
    if r.ss != platform::USER_DS {
        r.ss = platform::USER_DS;
    }
    // No syscall restart after sigreturn.
    r.orig_rax = u64::MAX;
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::signal::{FP_XSTATE_MAGIC1, SIGINT, SIGUSR1, SIGUSR2};

    fn info(sig: i32) -> Siginfo {
        Siginfo::new(sig, 0)
    }

    #[test]
    fn standard_signals_coalesce_and_realtime_ones_queue() {
        let mut q = SigQueue::default();
        assert!(q.enqueue(info(SIGUSR1)));
        assert!(!q.enqueue(info(SIGUSR1)));
        assert!(q.enqueue(info(SIGRTMIN)));
        assert!(q.enqueue(info(SIGRTMIN)));
        assert_eq!(q.dequeue(0).map(|i| i.si_signo), Some(SIGUSR1));
        assert_eq!(q.dequeue(0).map(|i| i.si_signo), Some(SIGRTMIN));
        assert_eq!(q.pending(), sigmask(SIGRTMIN));
        assert_eq!(q.dequeue(0).map(|i| i.si_signo), Some(SIGRTMIN));
        assert_eq!(q.dequeue(0), None);
        assert_eq!(q.pending(), 0);
    }

    #[test]
    fn synchronous_signals_first_then_lowest_number() {
        let mut q = SigQueue::default();
        q.enqueue(info(SIGUSR2));
        q.enqueue(info(SIGSEGV));
        q.enqueue(info(SIGINT));
        assert_eq!(q.dequeue(0).map(|i| i.si_signo), Some(SIGSEGV));
        assert_eq!(
            q.dequeue(sigmask(SIGINT)).map(|i| i.si_signo),
            Some(SIGUSR2)
        );
        assert_eq!(q.dequeue(sigmask(SIGINT)), None);
        assert_eq!(q.dequeue(0).map(|i| i.si_signo), Some(SIGINT));
    }

    #[test]
    fn frame_layout_matches_linux() {
        let regs = Registers {
            rsp: 0x7fff_0000_1008,
            rip: 0x40_1000,
            rax: 42,
            cs: 0x33,
            ss: 0x2b,
            eflags: 0x246 | EFLAGS_DF,
            ..Registers::default()
        };
        let fp = vec![0u8; 832];
        let act = Sigaction {
            sa_handler: 0x40_2000,
            sa_flags: SigactionFlags::SA_RESTORER.bits(),
            sa_restorer: 0x40_3000,
            sa_mask: 0,
        };
        let f = build_frame(&FrameRequest {
            regs: &regs,
            fp: &fp,
            info: &info(SIGUSR1),
            action: &act,
            old_mask: 5,
            alt: &AltStack::default(),
            trap: TrapInfo::default(),
        })
        .expect("frame");
        // The handler is entered as if called: (sp + 8) % 16 == 0.
        assert_eq!((f.sp + 8) % 16, 0);
        assert!(f.sp < regs.rsp - RED_ZONE);
        let fp_addr = (regs.rsp - RED_ZONE - 836) & !63;
        assert_eq!(f.sp, ((fp_addr - 440) & !15) - 8);
        assert_eq!(f.regs.rip, 0x40_2000);
        assert_eq!(f.regs.rdi, SIGUSR1 as u64);
        assert_eq!(f.regs.rsi, f.sp + 312);
        assert_eq!(f.regs.rdx, f.sp + 8);
        assert_eq!(f.regs.eflags & EFLAGS_DF, 0);
        assert_eq!(&f.bytes[..8], &0x40_3000u64.to_le_bytes());
        let at = usize::try_from(fp_addr - f.sp).expect("small");
        assert_eq!(
            &f.bytes[at + 464..at + 468],
            &FP_XSTATE_MAGIC1.to_le_bytes()
        );
        assert_eq!(
            &f.bytes[at + 832..at + 836],
            &FP_XSTATE_MAGIC2.to_le_bytes()
        );
        // Unwinding gives the registers back, without restart.
        let uc: Ucontext =
            zerocopy::FromBytes::read_from_bytes(&f.bytes[8..8 + 304]).expect("ucontext");
        assert_eq!(uc.uc_sigmask, 5);
        let back = restore_regs(&f.regs, &uc);
        assert_eq!(back.rip, regs.rip);
        assert_eq!(back.rsp, regs.rsp);
        assert_eq!(back.rax, 42);
        assert_eq!(back.eflags, regs.eflags);
        assert_eq!(back.orig_rax, u64::MAX);
    }

    #[test]
    fn alternate_stack_is_used_once_and_overflow_is_refused() {
        let alt = AltStack {
            sp: 0x10_0000,
            size: 0x4000,
            flags: 0,
        };
        let regs = Registers {
            rsp: 0x7fff_0000_0000,
            ..Registers::default()
        };
        let act = Sigaction {
            sa_flags: SigactionFlags::SA_ONSTACK.bits(),
            ..Sigaction::default()
        };
        let fp = vec![0u8; 832];
        let req = |regs: &Registers, alt: &AltStack| {
            build_frame(&FrameRequest {
                regs,
                fp: &fp,
                info: &info(SIGUSR1),
                action: &act,
                old_mask: 0,
                alt,
                trap: TrapInfo::default(),
            })
        };
        let f = req(&regs, &alt).expect("frame");
        assert!(alt.contains(f.sp));
        // Nested: already on the stack, the frame goes below the current sp.
        let inner = req(&f.regs, &alt).expect("nested frame");
        assert!(inner.sp < f.sp);
        let tiny = AltStack {
            sp: 0x10_0000,
            size: 0x100,
            flags: 0,
        };
        assert_eq!(req(&regs, &tiny).unwrap_err(), FrameError);
    }
}
