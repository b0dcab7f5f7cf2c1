//! The forked tracee: everything between fork and its exit.
//!
//! The runner has other threads (pipe readers, watchdogs), so the child may
//! use only async-signal-safe code: raw syscalls through nix or libc, no
//! allocation, no locks, no panics. The child never returns into Rust code
//! that the parent owns: it ends in `_exit`.

use nix::sched::{sched_setaffinity, CpuSet};
use nix::sys::ptrace;
use nix::sys::signal::{kill, Signal};
use nix::unistd::{getpid, ForkResult, Pid};

/// Exit codes that tell the parent which setup step failed in the child.
pub(super) const EXIT_AFFINITY: i32 = 120;
pub(super) const EXIT_TRACEME: i32 = 121;
pub(super) const EXIT_STOP: i32 = 122;

/// Forks a child that pins itself to `cpus`, asks to be traced, stops
/// itself with SIGSTOP, then makes `iterations` raw getppid syscalls and
/// exits. Returns the child's pid in the parent.
pub(super) fn fork_tracee(cpus: &CpuSet, iterations: u64) -> nix::Result<Pid> {
    // SAFETY: fork(2) in a possibly multi-threaded process requires the child
    // to run only async-signal-safe code until it execs or exits: the child
    // branch below calls only `tracee_main`, which makes raw syscalls on
    // values built before the fork (a stack `CpuSet`, an integer), allocates
    // nothing, takes no lock and ends in `_exit`.
    match unsafe { nix::unistd::fork() }? {
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => tracee_main(cpus, iterations),
    }
}

fn tracee_main(cpus: &CpuSet, iterations: u64) -> ! {
    if sched_setaffinity(Pid::from_raw(0), cpus).is_err() {
        exit(EXIT_AFFINITY);
    }
    if ptrace::traceme().is_err() {
        exit(EXIT_TRACEME);
    }
    // kill(getpid()), not raise(): glibc's raise blocks signals around
    // tgkill and unblocks them after the stop, a syscall the tracer would
    // then see (and emulate away) under PTRACE_SYSEMU.
    if kill(getpid(), Signal::SIGSTOP).is_err() {
        exit(EXIT_STOP);
    }
    for _ in 0..iterations {
        // SAFETY: getppid takes no arguments and touches no memory of ours;
        // under PTRACE_SYSEMU it is not executed at all, only reported.
        let ppid = unsafe { libc::syscall(libc::SYS_getppid) };
        std::hint::black_box(ppid);
    }
    exit(0)
}

fn exit(code: i32) -> ! {
    // SAFETY: _exit(2) ends the process at once, running no atexit handlers
    // or destructors: safe in a forked child of a multi-threaded process.
    unsafe { libc::_exit(code) }
}
