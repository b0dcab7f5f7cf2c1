//! The stub image: the only code a stub process has besides what the sentry
//! maps for the application.
//!
//! A forked child jumps to `runsc_stub_start` with a pointer to its seccomp
//! program in `rdi`. Running from the sentry's text, the code copies itself to
//! [`STUB_BASE`], continues there, installs the filter (which allows system
//! calls only from the stub page), unmaps every other mapping the child
//! inherited from the sentry, and reports ready with `int3`. From then on the
//! platform injects system calls by pointing `rip` at the `syscall; int3`
//! site and resuming with PTRACE_CONT. New threads of the stub process come
//! from an injected `clone` at `runsc_stub_clone`; a thread that no sentry
//! thread traces waits in `runsc_stub_park` (a futex wait that never ends)
//! until one attaches to it.
//!
//! The code uses no stack and no memory but its own page, so that the stage
//! that copies it may clobber whatever the child had at `STUB_BASE`.

/// Where the stub page lives in every stub process. The application may map
/// nothing at or above it.
pub const STUB_BASE: u64 = 0x7fff_ffff_0000;
/// The size of the stub page.
pub const STUB_SIZE: u64 = 0x1000;
/// The end of the user address range on x86-64 with 4-level paging.
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// The exit code of a stub whose set-up failed before seccomp was in place.
pub const STUB_SETUP_FAILED: i32 = 113;

core::arch::global_asm!(
    ".pushsection .text.runsc_stub,\"ax\",@progbits",
    ".globl runsc_stub_start",
    ".globl runsc_stub_syscall",
    ".globl runsc_stub_clone",
    ".globl runsc_stub_park",
    ".globl runsc_stub_end",
    ".p2align 4",
    "runsc_stub_start:",
    "    mov %rdi, %r12",
    crate::stubasm::relocate_to_stub_page!("runsc_stub_start", "runsc_stub_end", "9f"),
    // munmap(0, STUB_BASE): everything the child inherited below the stub.
    "    mov $11, %eax",
    "    xor %edi, %edi",
    "    movabs ${base}, %rsi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 9f",
    // munmap(STUB_BASE + STUB_SIZE, TASK_SIZE - STUB_BASE - STUB_SIZE)
    "    mov $11, %eax",
    "    movabs ${above}, %rdi",
    "    movabs ${above_len}, %rsi",
    "    syscall",
    "    test %rax, %rax",
    "    jnz 9f",
    "    xor %eax, %eax",
    "    xor %edi, %edi",
    "    xor %esi, %esi",
    "    xor %edx, %edx",
    "    xor %r12d, %r12d",
    "    int3",
    "runsc_stub_syscall:",
    "    syscall",
    "    int3",
    "    jmp runsc_stub_syscall",
    // An injected clone of a new stub thread: the parent reports with int3,
    // the child parks until a sentry thread attaches to it.
    "runsc_stub_clone:",
    "    syscall",
    "    test %rax, %rax",
    "    jz runsc_stub_park",
    "    int3",
    "    jmp runsc_stub_clone",
    // A thread no sentry thread traces waits here, in a futex wait on a word
    // that never changes, until one attaches and moves it.
    "runsc_stub_park:",
    "    mov $202, %eax",
    "    lea 8f(%rip), %rdi",
    "    mov $128, %esi",
    "    xor %edx, %edx",
    "    xor %r10d, %r10d",
    "    syscall",
    "    jmp runsc_stub_park",
    "9:",
    "    mov $231, %eax",
    "    mov ${failed}, %edi",
    "    syscall",
    "    ud2",
    ".p2align 2",
    "8:",
    "    .long 0",
    "runsc_stub_end:",
    ".popsection",
    base = const STUB_BASE,
    size = const STUB_SIZE,
    above = const STUB_BASE + STUB_SIZE,
    above_len = const TASK_SIZE - STUB_BASE - STUB_SIZE,
    failed = const STUB_SETUP_FAILED,
    options(att_syntax)
);

/// The host system calls a stub may make, all from the stub page: its own
/// set-up (`munmap` after the filter) and the calls the platform injects.
pub const ALLOWED_SYSCALLS: &[u32] = &[
    9,   // mmap: map the memory file for the application
    10,  // mprotect: application mprotect
    11,  // munmap: application munmap, and the stub's own set-up
    56,  // clone: a new stub thread (runsc_stub_clone)
    202, // futex: a parked stub thread's wait (runsc_stub_park)
    231, // exit_group: a stub whose set-up failed
];
