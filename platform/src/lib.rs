//! Running application code.
//!
//! The platform owns the host mechanism that executes application code and
//! stops it at every system call, fault or interruption: the [`Platform`],
//! [`AddressSpace`] and [`Context`] abstractions and their implementations
//! (`ptrace`, PTRACE_SYSEMU on stub processes, and `seccomp`, where the
//! stub's seccomp filter traps every application system call into a signal
//! handler that hands it to the sentry through shared memory).
//! The sentry asks a context to run until the next event and serves it.
//!
//! It knows nothing of files, tasks or PIDs in the Linux sense and must never
//! let an application system call reach the host: stub processes run under a
//! seccomp filter that kills them on any system call not issued from the
//! stub's own code.

pub mod bpf;
mod cpu;
mod factory;
mod hostcall;
pub mod null;
pub mod ptrace;
mod regs;
pub mod seccomp;
mod stubasm;

pub use cpu::{pin_current_thread, pin_to_cpu};
pub use regs::{to_frame_layout, to_ptrace_layout, FpState, Registers, USER_CS, USER_DS};

/// Memory protection of a platform mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Access {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
}

impl Access {
    pub const NONE: Access = Access {
        read: false,
        write: false,
        execute: false,
    };
    pub const READ_WRITE: Access = Access {
        read: true,
        write: true,
        execute: false,
    };
    pub const ALL: Access = Access {
        read: true,
        write: true,
        execute: true,
    };

    /// The host `PROT_*` bits for this access.
    pub fn prot(self) -> i32 {
        let mut p = libc::PROT_NONE;
        if self.read {
            p |= libc::PROT_READ;
        }
        if self.write {
            p |= libc::PROT_WRITE;
        }
        if self.execute {
            p |= libc::PROT_EXEC;
        }
        p
    }
}

/// A synchronous signal raised by the CPU while application code ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGTRAP.
    pub signo: i32,
    /// The host `si_code` (SEGV_MAPERR, SEGV_ACCERR, TRAP_BRKPT, ...).
    pub code: i32,
    /// `si_addr`: the faulting address for memory faults, else the instruction.
    pub addr: u64,
    /// The CPU's trap number and error code, when the platform learns them
    /// (seccomp does, from the host's signal frame; ptrace does not).
    pub cpu: Option<CpuTrap>,
}

/// What the CPU reported for a fault: `sigcontext`'s `trapno` and `err`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuTrap {
    pub trapno: u64,
    pub err: u64,
}

/// Why [`Context::switch`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The application made a system call: `orig_rax` holds the number,
    /// `rdi, rsi, rdx, r10, r8, r9` the arguments, and `rip` points after the
    /// `syscall` instruction. The host did not run it.
    Syscall,
    /// The application faulted.
    Fault(Fault),
    /// [`Interrupter::interrupt`] was called (possibly spuriously).
    Interrupted,
}

/// A failure of the host mechanism itself. The sandbox cannot go on after one
/// of these: the sentry kills the workload.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("create stub process")]
    CreateStub { source: nix::Error },
    #[error("stub process did not start: {why}")]
    StubStart { why: String },
    #[error("ptrace {op} on stub {pid}")]
    Ptrace {
        op: &'static str,
        pid: i32,
        source: nix::Error,
    },
    #[error("stub {pid} died: {why}")]
    StubDied { pid: i32, why: String },
    #[error("injected {call} in stub {pid} failed: errno {errno}")]
    Injected {
        call: &'static str,
        pid: i32,
        errno: i32,
    },
    #[error("address space used from host thread {tid}, which does not trace its stub")]
    WrongThread { tid: i32 },
    #[error("the platform does not support {what}")]
    Unsupported { what: &'static str },
    #[error("the stub factory is gone")]
    FactoryGone,
}

/// A new address space and its first context.
pub type NewAddressSpace = (std::sync::Arc<dyn AddressSpace>, Box<dyn Context>);

/// The host mechanism as a whole: it makes address spaces.
pub trait Platform: Send + Sync + std::fmt::Debug {
    /// Creates an address space and a first context in it, bound to the
    /// calling host thread.
    fn new_address_space(&self) -> Result<NewAddressSpace, PlatformError>;

    /// The end (exclusive) of the addresses an application may map.
    fn max_user_address(&self) -> u64;
}

/// An application address space: the host mappings of the memory file that
/// back an application's memory.
///
/// Changes are made through a context of this address space bound to the
/// calling host thread: a host thread with none gets
/// [`PlatformError::WrongThread`].
pub trait AddressSpace: Send + Sync {
    /// Maps `len` bytes of the memory file at `offset` to `addr`, replacing
    /// whatever was mapped there. Always a shared mapping: private copies are
    /// the sentry's business.
    fn map(&self, addr: u64, len: u64, access: Access, offset: u64) -> Result<(), PlatformError>;
    /// Removes the mappings in `[addr, addr+len)`.
    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError>;
    /// Changes the protection of `[addr, addr+len)`.
    fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), PlatformError>;

    /// Prepares a new thread of execution in this address space, for a
    /// context that another host thread will attach with
    /// [`ThreadSeed::attach`].
    fn new_thread(self: std::sync::Arc<Self>) -> Result<ThreadSeed, PlatformError> {
        Err(PlatformError::Unsupported {
            what: "threads in this address space",
        })
    }
}

/// A thread of execution prepared in an address space, waiting for the host
/// thread that will run it.
pub struct ThreadSeed {
    attach: Box<dyn FnOnce() -> Result<Box<dyn Context>, PlatformError> + Send>,
}

impl ThreadSeed {
    /// Wraps the platform's attach step.
    pub fn new(
        attach: impl FnOnce() -> Result<Box<dyn Context>, PlatformError> + Send + 'static,
    ) -> ThreadSeed {
        ThreadSeed {
            attach: Box::new(attach),
        }
    }

    /// Binds the thread to the calling host thread, which alone runs the
    /// returned context.
    pub fn attach(self) -> Result<Box<dyn Context>, PlatformError> {
        (self.attach)()
    }
}

impl std::fmt::Debug for ThreadSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ThreadSeed")
    }
}

/// A thread of application execution.
pub trait Context {
    /// Runs the application with `regs` until its next system call, fault or
    /// interruption; `regs` holds the application's registers afterwards.
    fn switch(&mut self, regs: &mut Registers) -> Result<Event, PlatformError>;

    /// Makes `regs` whole after an [`Event::Syscall`]. A platform may report
    /// a system call with only its number, arguments and `rip` filled in
    /// (the seccomp platform's notified calls). Before the next switch the
    /// sentry either changes nothing but `rax`, or sets every register, or
    /// calls this first, passing the result it already set in `rax`. A
    /// no-op when `regs` are whole.
    fn full_registers(&mut self, regs: &mut Registers) -> Result<(), PlatformError> {
        let _ = regs;
        Ok(())
    }

    /// Reads the FP/XSAVE state, which [`Context::switch`] does not move.
    fn fp_state(&mut self) -> Result<FpState, PlatformError>;

    /// Replaces the FP/XSAVE state before the next switch.
    fn set_fp_state(&mut self, state: &FpState) -> Result<(), PlatformError>;

    /// A handle other threads use to interrupt this context.
    fn interrupter(&self) -> Interrupter;

    /// The host (pid, tid) that runs this context's application code, for
    /// its CPU clocks.
    fn host_thread(&self) -> (i32, i32);
}

/// Makes a running [`Context::switch`] return [`Event::Interrupted`].
#[derive(Clone, Copy, Debug)]
pub struct Interrupter {
    pid: i32,
    tid: i32,
}

impl Interrupter {
    /// Interrupts the context. A context that is not running returns
    /// `Interrupted` from its next switch.
    pub fn interrupt(&self) {
        // A signal queued to the stub thread ends the current run with a
        // signal-delivery stop, which the context reports as an interrupt.
        if self.tid > 0 {
            ptrace::interrupt(self.pid, self.tid);
        }
    }
}
