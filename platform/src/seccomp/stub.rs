//! The seccomp stub image: the only code a seccomp stub process has besides
//! what the sentry maps for the application.
//!
//! A forked child jumps to `runsc_sstub_start` with its seccomp program in
//! `rdi` and the descriptor of its thread-region file in `rsi`. Running from
//! the sentry's text, the code copies itself to [`STUB_BASE`] and continues
//! there: it installs the filter (system calls from the stub page are
//! allowed by number, every other one traps with SIGSYS), maps its first
//! thread region, and reports ready with `int3`. Once the factory detaches
//! it, it points every catchable signal at the stub's handler, unmaps every
//! other mapping the child inherited, and starts its thread like every later
//! one (`10:`, with every signal blocked).
//!
//! A thread lives in its 64 KiB region (see `region.rs`): a control page
//! shared with the sentry, then its signal stack. Between runs of application
//! code it waits in `wait_cmd`, with every signal blocked, for a command of
//! the sentry thread that serves it: run the application (an `rt_sigreturn`
//! through a signal frame in its region, which the sentry filled), make a
//! host system call (address-space changes), or clone a new stub thread.
//! The application's system calls and faults arrive as signals on the
//! region's signal stack; the handler publishes the frame and waits for the
//! next command. The two sides hand over through a futex word in the
//! region (both threads share one CPU), or, for a thread whose region asks
//! for a listener, through the `HANDOVER_NR` call its listener reports: the
//! sentry's answer is the go.
//!
//! The code uses no memory but its own page and its region, and no stack but
//! the region's.

use super::region::{
    ALTSTACK_DESC, CMD, CMD_CLONE, CMD_RUN, CMD_SYSCALL, DEATH, EVENT, EVENT_DONE, EVENT_SIGNAL,
    LISTENER, LISTENER_PROG, MODE, NR, REGION_BASE, REGION_SIZE, RET, ROBUST_HEAD, RUN_SP, SIGINFO,
    SIGNO, STATE, STATE_CMD, STATE_DONE, STATE_SENTRY_SLEEPING, STATE_STUB_SLEEPING, THREAD_SP,
    UCONTEXT,
};
pub use crate::ptrace::{STUB_BASE, STUB_SIZE, TASK_SIZE};

/// The exit code of a stub whose set-up failed.
pub const STUB_SETUP_FAILED: i32 = 114;
/// How many times the stub looks for a command before it sleeps on the
/// futex (1: it never yields). Yielding instead of sleeping saves the wake
/// when the sentry is the next to run on this CPU, but under load it hands
/// the CPU to whatever else is runnable for a whole slice, and EEVDF pushes
/// a yielder's deadline back a slice each time: measured, a sleep is the
/// better hand-over.
const SPINS: u32 = 1;

/// The system call a listening stub thread hands over with: its listener
/// filter reports it from the stub page, and the thread waits in it until
/// the sentry answers. Harmless should it ever reach the host (`getppid`).
pub const HANDOVER_NR: u32 = 110;
/// SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV:
/// once the sentry has taken a call, only a fatal signal interrupts it.
const LISTENER_FLAGS: u64 =
    libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

core::arch::global_asm!(
    ".pushsection .text.runsc_sstub,\"ax\",@progbits",
    ".globl runsc_sstub_start",
    ".globl runsc_sstub_end",
    ".p2align 4",
    "runsc_sstub_start:",
    "    mov %rdi, %r12",
    "    mov %rsi, %r13",
    crate::stubasm::relocate_to_stub_page!("runsc_sstub_start", "runsc_sstub_end", "90f"),
    // mmap(REGION_BASE, REGION_SIZE, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0):
    // the first thread's region.
    "    mov $9, %eax",
    "    movabs ${region_base}, %rdi",
    "    mov ${region_size}, %esi",
    "    mov $3, %edx",
    "    mov $0x11, %r10d",
    "    mov %r13, %r8",
    "    xor %r9d, %r9d",
    "    syscall",
    "    cmp %rdi, %rax",
    "    jne 90f",
    // Ready: the factory reads the FP layout and detaches. The int3's
    // SIGTRAP, blocked, comes with SIGTRAP unblocked and its action reset,
    // which the handlers below and the mask in `thread_init` undo.
    "    int3",
    // rt_sigaction(sig, &act, NULL, 8) for every signal but SIGKILL and SIGSTOP.
    "    mov $1, %r12d",
    "3:",
    "    cmp $9, %r12d",
    "    je 4f",
    "    cmp $19, %r12d",
    "    je 4f",
    "    mov $13, %eax",
    "    mov %r12d, %edi",
    "    lea 80f(%rip), %rsi",
    "    xor %edx, %edx",
    "    mov $8, %r10d",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    "4:",
    "    inc %r12d",
    "    cmp $65, %r12d",
    "    jne 3b",
    // Run on the region from here on: the inherited stack goes away.
    "    movabs ${region_base}, %rsp",
    "    add ${thread_sp}, %rsp",
    // munmap(0, STUB_BASE) less the region, and everything above the stub.
    "    mov $11, %eax",
    "    xor %edi, %edi",
    "    movabs ${region_base}, %rsi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    "    mov $11, %eax",
    "    movabs ${region_end}, %rdi",
    "    movabs ${below_stub}, %rsi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    "    mov $11, %eax",
    "    movabs ${above}, %rdi",
    "    movabs ${above_len}, %rsi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    // Every thread starts here with its stack pointer in its region and
    // every signal blocked.
    "10:",
    "    mov %rsp, %rbx",
    "    and ${region_mask}, %rbx",
    // rt_sigprocmask(SIG_SETMASK, &all, NULL, 8)
    "    mov $14, %eax",
    "    mov $2, %edi",
    "    lea 80f+24(%rip), %rsi",
    "    xor %edx, %edx",
    "    mov $8, %r10d",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    // sigaltstack(&region.altstack, NULL)
    "    mov $131, %eax",
    "    lea {altstack_desc}(%rbx), %rdi",
    "    xor %esi, %esi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    // set_robust_list(&region.robust, 24): the kernel marks the death word
    // and wakes the sentry when this thread dies, however it dies.
    "    mov $273, %eax",
    "    lea {robust_head}(%rbx), %rdi",
    "    mov $24, %esi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 90f",
    "    mov $186, %eax",
    "    syscall",
    "    or $0x80000000, %eax",
    "    mov %eax, {death}(%rbx)",
    // A thread of a listening stub installs its own listener filter (a
    // thread inherits its creator's filters and may add one listener), and
    // posts the descriptor it got.
    "    cmpq $1, {mode}(%rbx)",
    "    jne 20f",
    "    mov $317, %eax",
    "    mov $1, %edi",
    "    mov ${listener_flags}, %esi",
    "    lea {listener_prog}(%rbx), %rdx",
    "    syscall",
    "    mov %rax, {listener}(%rbx)",
    "    movq ${event_done}, {event}(%rbx)",
    "    jmp 12f",
    // The signal handler: every signal, on the region's signal stack, with
    // every signal blocked. The sentry reads the frame where it is.
    "11:",
    "    mov %rsp, %rbx",
    "    and ${region_mask}, %rbx",
    "    mov %rdi, {signo}(%rbx)",
    "    mov %rsi, {siginfo}(%rbx)",
    "    mov %rdx, {ucontext}(%rbx)",
    "    movq ${event_signal}, {event}(%rbx)",
    // Post: state = DONE; wake the sentry if it sleeps.
    "12:",
    "    mov ${done}, %eax",
    "    xchg %eax, {state}(%rbx)",
    "    cmp ${sentry_sleeping}, %eax",
    "    jne 13f",
    "    mov $202, %eax",
    "    lea {state}(%rbx), %rdi",
    "    mov $1, %esi",
    "    mov $1, %edx",
    "    xor %r10d, %r10d",
    "    syscall",
    // With a listener, the hand-over is a system call its filter reports:
    // the sentry answers it once the next command is posted.
    "13:",
    "    cmpq $0, {listener}(%rbx)",
    "    jl 20f",
    "    mov ${handover}, %eax",
    "    syscall",
    // Wait for a command: yield a while, then sleep.
    "20:",
    "    mov ${spins}, %r12d",
    // A command is posted: CMD, or SENTRY_SLEEPING once the sentry tired
    // of waiting for it to be taken.
    "21:",
    "    mov {state}(%rbx), %eax",
    "    cmp ${cmd}, %eax",
    "    je 30f",
    "    cmp ${sentry_sleeping}, %eax",
    "    je 30f",
    "    dec %r12d",
    "    jz 22f",
    "    mov $24, %eax",
    "    syscall",
    "    jmp 21b",
    "22:",
    "    mov ${done}, %eax",
    "    mov ${stub_sleeping}, %ecx",
    "    lock cmpxchg %ecx, {state}(%rbx)",
    "    jne 20b",
    "23:",
    "    mov $202, %eax",
    "    lea {state}(%rbx), %rdi",
    "    xor %esi, %esi",
    "    mov ${stub_sleeping}, %edx",
    "    xor %r10d, %r10d",
    "    syscall",
    "    cmpl ${stub_sleeping}, {state}(%rbx)",
    "    je 23b",
    "    jmp 20b",
    // Run a command.
    "30:",
    "    mov {cmd_word}(%rbx), %rax",
    "    cmp ${cmd_run}, %rax",
    "    je 33f",
    "    cmp ${cmd_syscall}, %rax",
    "    je 31f",
    "    cmp ${cmd_clone}, %rax",
    "    je 32f",
    "    movq $-22, {ret}(%rbx)",
    "    movq ${event_done}, {event}(%rbx)",
    "    jmp 12b",
    "31:",
    "    call 40f",
    "    syscall",
    "    mov %rax, {ret}(%rbx)",
    "    movq ${event_done}, {event}(%rbx)",
    "    jmp 12b",
    // clone: the child starts its own region at the stack pointer it got.
    "32:",
    "    call 40f",
    "    syscall",
    "    test %rax, %rax",
    "    jz 10b",
    "    mov %rax, {ret}(%rbx)",
    "    movq ${event_done}, {event}(%rbx)",
    "    jmp 12b",
    // Into the application through the frame the sentry filled.
    "33:",
    "    mov {run_sp}(%rbx), %rsp",
    "    mov $15, %eax",
    "    syscall",
    "    ud2",
    // Loads a command's system call number and arguments.
    "40:",
    "    mov {nr}(%rbx), %rax",
    "    mov {nr}+8(%rbx), %rdi",
    "    mov {nr}+16(%rbx), %rsi",
    "    mov {nr}+24(%rbx), %rdx",
    "    mov {nr}+32(%rbx), %r10",
    "    mov {nr}+40(%rbx), %r8",
    "    mov {nr}+48(%rbx), %r9",
    "    ret",
    // The restorer signal frames name; the stub never returns from its
    // handler, so nothing runs it.
    "50:",
    "    mov $15, %eax",
    "    syscall",
    "    ud2",
    "90:",
    "    mov $231, %eax",
    "    mov ${failed}, %edi",
    "    syscall",
    "    ud2",
    // struct kernel_sigaction for every signal: the handler, SA_SIGINFO |
    // SA_ONSTACK | SA_RESTORER | SA_RESTART (an interrupt that lands before
    // the sentry took a notified call restarts it), the restorer, every
    // signal blocked.
    ".p2align 3",
    "80:",
    "    .quad {base} + (11b - runsc_sstub_start)",
    "    .quad 0x1c000004",
    "    .quad {base} + (50b - runsc_sstub_start)",
    "    .quad -1",
    "runsc_sstub_end:",
    ".popsection",
    base = const STUB_BASE,
    size = const STUB_SIZE,
    above = const STUB_BASE + STUB_SIZE,
    above_len = const TASK_SIZE - STUB_BASE - STUB_SIZE,
    region_base = const REGION_BASE,
    region_size = const REGION_SIZE,
    region_end = const REGION_BASE + REGION_SIZE,
    below_stub = const STUB_BASE - REGION_BASE - REGION_SIZE,
    region_mask = const !(REGION_SIZE.cast_signed() - 1),
    thread_sp = const THREAD_SP,
    altstack_desc = const ALTSTACK_DESC,
    robust_head = const ROBUST_HEAD,
    death = const DEATH,
    signo = const SIGNO,
    siginfo = const SIGINFO,
    ucontext = const UCONTEXT,
    event = const EVENT,
    event_signal = const EVENT_SIGNAL,
    event_done = const EVENT_DONE,
    state = const STATE,
    done = const STATE_DONE,
    cmd = const STATE_CMD,
    stub_sleeping = const STATE_STUB_SLEEPING,
    sentry_sleeping = const STATE_SENTRY_SLEEPING,
    spins = const SPINS,
    cmd_word = const CMD,
    cmd_run = const CMD_RUN,
    cmd_syscall = const CMD_SYSCALL,
    cmd_clone = const CMD_CLONE,
    nr = const NR,
    ret = const RET,
    run_sp = const RUN_SP,
    failed = const STUB_SETUP_FAILED,
    mode = const MODE,
    listener = const LISTENER,
    listener_prog = const LISTENER_PROG,
    listener_flags = const LISTENER_FLAGS,
    handover = const HANDOVER_NR,
    options(att_syntax)
);

/// The host system calls a seccomp stub may make, all from the stub page.
pub const ALLOWED_SYSCALLS: &[u32] = &[
    3,   // close: the stub's copy of its listener, once the sentry has one
    9,   // mmap: map the memory file for the application
    10,  // mprotect: application mprotect
    11,  // munmap: application munmap, and the stub's own set-up
    13,  // rt_sigaction: the stub's own set-up
    14,  // rt_sigprocmask: a new thread blocks every signal
    15,  // rt_sigreturn: into the application
    24,  // sched_yield: waiting for the other side
    56,  // clone: a new stub thread
    110, // getppid: the hand-over call (HANDOVER_NR), which a listener takes
    131, // sigaltstack: a new thread's signal stack
    158, // arch_prctl: the application's FS and GS bases
    186, // gettid: a new thread's death word
    202, // futex: waiting for and waking the other side
    231, // exit_group: a stub whose set-up failed
    273, // set_robust_list: a new thread's death word
    317, // seccomp: a new thread's listener filter
];

extern "C" {
    static runsc_sstub_start: u8;
    static runsc_sstub_end: u8;
}

/// The stub image's entry.
pub fn stub_entry() -> crate::ptrace::raw::StubEntry {
    // SAFETY: `runsc_sstub_start` is the stub code above, which follows the
    // C calling convention for its two arguments and never returns.
    unsafe {
        std::mem::transmute::<*const u8, crate::ptrace::raw::StubEntry>(
            &raw const runsc_sstub_start,
        )
    }
}

/// The size of the stub code, for the check that it fits its page.
pub fn stub_len() -> u64 {
    // Taking the address of an extern static reads nothing: both symbols
    // are labels in the same assembled section.
    (&raw const runsc_sstub_end) as u64 - (&raw const runsc_sstub_start) as u64
}
