//! The unsafe host operations of the ptrace platform: forking the stub child,
//! the stub image's addresses, and the ptrace requests nix has no safe
//! wrapper for.

use std::os::fd::RawFd;

use nix::unistd::Pid;

use super::stub::STUB_BASE;
use crate::bpf::SockFilter;

extern "C" {
    /// glibc (2.35 and later): the offset of the thread's rseq area from the
    /// thread pointer, and its registered size (0 when rseq is not in use).
    static __rseq_offset: isize;
    static __rseq_size: u32;
    static runsc_stub_start: u8;
    static runsc_stub_syscall: u8;
    static runsc_stub_clone: u8;
    static runsc_stub_park: u8;
    static runsc_stub_end: u8;
}

/// The address of the `syscall; int3` site in every stub process.
pub(super) fn stub_syscall_site() -> u64 {
    // Taking the address of an extern static reads nothing: both symbols
    // are labels in the same assembled section.
    let start = (&raw const runsc_stub_start) as u64;
    let site = (&raw const runsc_stub_syscall) as u64;
    STUB_BASE + (site - start)
}

/// The address of the `clone` site in every stub process.
pub(super) fn stub_clone_site() -> u64 {
    // As in `stub_syscall_site`.
    let start = (&raw const runsc_stub_start) as u64;
    STUB_BASE + ((&raw const runsc_stub_clone) as u64 - start)
}

/// The address of the park loop in every stub process.
pub(super) fn stub_park_site() -> u64 {
    // As in `stub_syscall_site`.
    let start = (&raw const runsc_stub_start) as u64;
    STUB_BASE + ((&raw const runsc_stub_park) as u64 - start)
}

/// The size of the stub code, for the check that it fits its page.
pub(super) fn stub_len() -> u64 {
    let start = (&raw const runsc_stub_start) as u64;
    let end = (&raw const runsc_stub_end) as u64;
    end - start
}

/// The entry of a stub image: its seccomp program and one more argument.
pub(crate) type StubEntry = unsafe extern "C" fn(*const libc::sock_fprog, u64) -> !;

/// The ptrace stub image's entry.
pub(crate) fn ptrace_stub_entry() -> StubEntry {
    // SAFETY: `runsc_stub_start` is the stub code (stub.rs), which follows
    // the C calling convention for its arguments, needs no stack, and never
    // returns.
    unsafe { std::mem::transmute::<*const u8, StubEntry>(&raw const runsc_stub_start) }
}

/// Forks a stub child traced by the calling thread. The child keeps only
/// the descriptors in `keep`, blocks every signal when `block_signals`, and
/// runs `entry(filter, arg)`, which ends stopped at its ready `int3`.
pub(crate) fn fork_stub(
    filter: &[SockFilter],
    keep: &[RawFd],
    block_signals: bool,
    entry: StubEntry,
    arg: u64,
) -> nix::Result<Pid> {
    let prog = libc::sock_fprog {
        len: u16::try_from(filter.len()).map_err(|_| nix::Error::E2BIG)?,
        filter: filter.as_ptr().cast_mut().cast::<libc::sock_filter>(),
    };
    let mut keep: Vec<libc::c_uint> = keep
        .iter()
        .filter_map(|&fd| libc::c_uint::try_from(fd).ok())
        .collect();
    keep.sort_unstable();
    let parent = nix::unistd::getpid().as_raw();
    // SAFETY: the child runs only `stub_child`, which makes raw,
    // async-signal-safe system calls (no allocation, no locks) and never
    // returns; `prog`, `filter` and `keep` stay mapped in the child until the
    // stub unmaps them after installing the filter.
    match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Parent { child } => Ok(child),
        nix::unistd::ForkResult::Child => {
            stub_child(&prog, &keep, block_signals, parent, entry, arg)
        }
    }
}

/// The child between fork and the stub image: async-signal-safe only.
fn stub_child(
    prog: &libc::sock_fprog,
    keep: &[libc::c_uint],
    block_signals: bool,
    parent: i32,
    entry: StubEntry,
    arg: u64,
) -> ! {
    // SAFETY: prctl with integer arguments only.
    let r = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    if r != 0 {
        exit_now();
    }
    // SAFETY: getppid has no preconditions.
    if unsafe { libc::getppid() } != parent {
        exit_now();
    }
    // SAFETY: PTRACE_TRACEME takes no pointers.
    let r = unsafe { libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) };
    if r != 0 {
        exit_now();
    }
    let mask = if block_signals {
        nix::sys::signal::SigSet::all()
    } else {
        nix::sys::signal::SigSet::empty()
    };
    let how = nix::sys::signal::SigmaskHow::SIG_SETMASK;
    if nix::sys::signal::pthread_sigmask(how, Some(&mask), None).is_err() {
        exit_now();
    }
    unregister_rseq();
    // Close every descriptor but the kept ones.
    let mut next: libc::c_uint = 0;
    for &fd in keep {
        if fd > next {
            // SAFETY: close_range takes integers; it closes the sentry's
            // other descriptors in this child only.
            unsafe { libc::syscall(libc::SYS_close_range, next, fd - 1, 0) };
        }
        next = fd + 1;
    }
    // SAFETY: as above.
    unsafe { libc::syscall(libc::SYS_close_range, next, libc::c_uint::MAX, 0) };
    // SAFETY: prctl with integer arguments only.
    let r = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    if r != 0 {
        exit_now();
    }
    // SAFETY: `entry` is a stub image's start (see `StubEntry`). `prog`
    // points into this child's copy of the sentry's memory, which stays
    // mapped until the stub has installed the filter.
    unsafe { entry(prog, arg) }
}

/// Drops the rseq registration the child inherited from the sentry thread:
/// once the stub unmaps the sentry's memory, the kernel would fail to update
/// the area on the next preemption and kill the stub with SIGSEGV.
fn unregister_rseq() {
    // SAFETY: glibc defines both symbols as plain integers, written once at
    // start-up before any thread of ours exists.
    let size = unsafe { __rseq_size };
    if size == 0 {
        return;
    }
    // SAFETY: as above.
    let offset = unsafe { __rseq_offset };
    let mut tp: u64 = 0;
    // SAFETY: ARCH_GET_FS writes the thread pointer to `tp`, a valid u64.
    unsafe { libc::syscall(libc::SYS_arch_prctl, ARCH_GET_FS, &raw mut tp) };
    let area = tp.wrapping_add_signed(offset as i64);
    // The kernel wants the registered length back: glibc registered either
    // `__rseq_size` or its 32-byte struct, depending on the version.
    for len in [size, 32] {
        // SAFETY: unregistering only compares `area`, `len` and the signature
        // with the registration; it does not access memory.
        let r = unsafe { libc::syscall(libc::SYS_rseq, area, len, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) };
        if r == 0 {
            return;
        }
    }
    exit_now();
}

const ARCH_GET_FS: libc::c_int = 0x1003;
const RSEQ_FLAG_UNREGISTER: libc::c_int = 1;
const RSEQ_SIG: u32 = 0x5305_3053;

fn exit_now() -> ! {
    // SAFETY: _exit is async-signal-safe and ends the process.
    unsafe { libc::_exit(super::stub::STUB_SETUP_FAILED) }
}

/// The fault address of a signal-delivery stop's siginfo.
pub(super) fn si_addr(info: &libc::siginfo_t) -> u64 {
    // SAFETY: every kernel-generated SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGTRAP
    // siginfo carries `si_addr` (the caller checks the signal); reading the
    // union field of an initialised siginfo is defined.
    unsafe { info.si_addr() as u64 }
}

/// PTRACE_GETREGSET / PTRACE_SETREGSET with NT_X86_XSTATE.
pub(crate) fn xstate(pid: Pid, buf: &mut [u8], set: bool) -> nix::Result<usize> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let req = if set {
        libc::PTRACE_SETREGSET
    } else {
        libc::PTRACE_GETREGSET
    };
    // SAFETY: `iov` describes `buf`, which is valid for writes of its length
    // for the duration of the call; the kernel shortens `iov_len` to what it
    // wrote.
    let r = unsafe { libc::ptrace(req, pid.as_raw(), NT_X86_XSTATE, &raw mut iov) };
    if r < 0 {
        return Err(nix::Error::last());
    }
    Ok(iov.iov_len)
}

const NT_X86_XSTATE: libc::c_long = 0x202;

/// Queues the interrupt signal (SIGCHLD) to one stub thread, ending its
/// current run. A traced thread stops for any signal, and the platform
/// suppresses it; an untraced (parked) one ignores SIGCHLD by default.
pub(crate) fn tgkill_interrupt(pid: i32, tid: i32) {
    // SAFETY: tgkill takes integers; a thread that is gone gives ESRCH,
    // which is fine: there is nothing left to interrupt.
    unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, libc::SIGCHLD) };
}
