//! The ptrace platform: application code runs in stub processes stopped at
//! every system call with PTRACE_SYSEMU, so the host never runs one.
//!
//! A stub is forked by the host thread that will serve it (ptrace binds a
//! tracee to one tracer thread) after that thread pinned itself to its CPU.
//! Address-space changes are system calls injected into the stub at its
//! `syscall; int3` site; the stub's seccomp filter allows only those (see
//! `stub.rs`). Register state moves lazily: general registers at every stop,
//! the XSAVE area only when asked for.
//!
//! Lock order: `PtraceAddressSpace::state` is a leaf.

#[allow(unsafe_code)]
mod raw;
#[allow(unsafe_code)] // global_asm!: the stub image
mod stub;

use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::{Arc, Mutex};

use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{gettid, Pid};

pub use stub::{STUB_BASE, STUB_SIZE, TASK_SIZE};

use crate::{
    Access, AddressSpace, Context, Event, Fault, FpState, Interrupter, PlatformError, Registers,
};

/// The highest address (exclusive) an application may map.
pub const MAX_USER_ADDRESS: u64 = STUB_BASE;

/// The ptrace platform. `memory_fd` is the sentry's memory file, which every
/// stub keeps at the same descriptor number so injected `mmap`s can name it.
#[derive(Debug)]
pub struct PtracePlatform {
    memory_fd: RawFd,
    filter: Vec<crate::bpf::SockFilter>,
}

impl PtracePlatform {
    /// Prepares the platform. The memory file must outlive it.
    pub fn new(memory_fd: BorrowedFd<'_>) -> PtracePlatform {
        assert!(raw::stub_len() <= STUB_SIZE, "the stub code fits its page");
        let filter =
            crate::bpf::ip_window_filter(STUB_BASE, STUB_BASE + STUB_SIZE, stub::ALLOWED_SYSCALLS);
        PtracePlatform {
            memory_fd: memory_fd.as_raw_fd(),
            filter,
        }
    }

    /// Creates an address space: a new stub process traced by the calling
    /// host thread, which alone may use it and its contexts afterwards.
    pub fn new_address_space(&self) -> Result<Arc<PtraceAddressSpace>, PlatformError> {
        let pid = raw::fork_stub(&self.filter, self.memory_fd)
            .map_err(|source| PlatformError::CreateStub { source })?;
        let as_ = PtraceAddressSpace {
            pid,
            tracer: gettid(),
            memory_fd: self.memory_fd,
            syscall_site: raw::stub_syscall_site(),
            state: Mutex::new(StubState::default()),
        };
        match waitpid(pid, Some(WaitPidFlag::__WALL)) {
            Ok(WaitStatus::Stopped(_, Signal::SIGTRAP)) => {}
            Ok(WaitStatus::Exited(_, code)) => {
                return Err(PlatformError::StubStart {
                    why: format!("exited with {code}"),
                })
            }
            Ok(WaitStatus::Signaled(_, sig, _)) => {
                return Err(PlatformError::StubStart {
                    why: format!("killed by {sig}"),
                })
            }
            Ok(other) => {
                return Err(PlatformError::StubStart {
                    why: format!("unexpected stop {other:?}"),
                })
            }
            Err(source) => return Err(PlatformError::CreateStub { source }),
        }
        ptrace::setoptions(
            pid,
            ptrace::Options::PTRACE_O_EXITKILL | ptrace::Options::PTRACE_O_TRACESYSGOOD,
        )
        .map_err(|source| as_.err("setoptions", source))?;
        let regs: Registers = ptrace::getregs(pid)
            .map_err(|source| as_.err("getregs", source))?
            .into();
        {
            let mut st = as_.lock();
            st.host_regs = regs;
            st.template = regs;
        }
        Ok(Arc::new(as_))
    }

    /// A context that runs application code in `address_space`.
    pub fn new_context(&self, address_space: Arc<PtraceAddressSpace>) -> PtraceContext {
        PtraceContext { address_space }
    }
}

#[derive(Debug, Default)]
struct StubState {
    /// What the stub thread's registers hold now (it is always stopped when
    /// the sentry looks), so a switch can skip an unneeded SETREGS.
    host_regs: Registers,
    /// The stub's registers at its ready stop: segment selectors for injection.
    template: Registers,
    /// An interrupt arrived while a system call was being injected.
    interrupt_pending: bool,
}

/// A stub process holding one application address space.
#[derive(Debug)]
pub struct PtraceAddressSpace {
    pid: Pid,
    tracer: Pid,
    memory_fd: RawFd,
    syscall_site: u64,
    state: Mutex<StubState>,
}

impl PtraceAddressSpace {
    /// The host pid of the stub process.
    pub fn stub_pid(&self) -> i32 {
        self.pid.as_raw()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StubState> {
        // A poisoned lock means a panic, which aborts (panic = "abort").
        self.state
            .lock()
            .expect("stub state lock is never poisoned")
    }

    fn err(&self, op: &'static str, source: nix::Error) -> PlatformError {
        PlatformError::Ptrace {
            op,
            pid: self.pid.as_raw(),
            source,
        }
    }

    fn check_thread(&self) -> Result<(), PlatformError> {
        let tid = gettid();
        if tid != self.tracer {
            return Err(PlatformError::WrongThread { tid: tid.as_raw() });
        }
        Ok(())
    }

    fn set_regs(&self, st: &mut StubState, regs: &Registers) -> Result<(), PlatformError> {
        if st.host_regs != *regs {
            ptrace::setregs(self.pid, (*regs).into()).map_err(|e| self.err("setregs", e))?;
            st.host_regs = *regs;
        }
        Ok(())
    }

    /// Runs one system call in the stub and returns its raw result.
    fn inject(&self, call: &'static str, nr: u64, args: [u64; 6]) -> Result<u64, PlatformError> {
        self.check_thread()?;
        let mut st = self.lock();
        let regs = Registers {
            rip: self.syscall_site,
            rax: nr,
            orig_rax: u64::MAX,
            rdi: args[0],
            rsi: args[1],
            rdx: args[2],
            r10: args[3],
            r8: args[4],
            r9: args[5],
            ..st.template
        };
        self.set_regs(&mut st, &regs)?;
        ptrace::cont(self.pid, None).map_err(|e| self.err("cont", e))?;
        loop {
            match self.wait()? {
                WaitStatus::Stopped(_, Signal::SIGTRAP) => break,
                WaitStatus::Stopped(_, Signal::SIGSTOP) => {
                    st.interrupt_pending = true;
                    ptrace::cont(self.pid, None).map_err(|e| self.err("cont", e))?;
                }
                other => {
                    let regs = ptrace::getregs(self.pid).ok().map(Registers::from);
                    let info = ptrace::getsiginfo(self.pid)
                        .ok()
                        .map(|i| (i.si_code, raw::si_addr(&i)));
                    return Err(PlatformError::StubDied {
                        pid: self.pid.as_raw(),
                        why: format!(
                            "unexpected stop while injecting {call}: {other:?} at {info:x?} regs {regs:x?}"
                        ),
                    });
                }
            }
        }
        let out: Registers = ptrace::getregs(self.pid)
            .map_err(|e| self.err("getregs", e))?
            .into();
        st.host_regs = out;
        // A raw syscall result in [-4095, -1] is an errno.
        if out.rax > (-4096i64).cast_unsigned() {
            return Err(PlatformError::Injected {
                call,
                pid: self.pid.as_raw(),
                errno: i32::try_from(out.rax.wrapping_neg()).unwrap_or(i32::MAX),
            });
        }
        Ok(out.rax)
    }

    fn wait(&self) -> Result<WaitStatus, PlatformError> {
        loop {
            match waitpid(self.pid, Some(WaitPidFlag::__WALL)) {
                Err(nix::Error::EINTR) => continue,
                Err(e) => return Err(self.err("wait", e)),
                Ok(s @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                    return Err(PlatformError::StubDied {
                        pid: self.pid.as_raw(),
                        why: format!("{s:?}"),
                    })
                }
                Ok(s) => return Ok(s),
            }
        }
    }
}

impl AddressSpace for PtraceAddressSpace {
    fn map(&self, addr: u64, len: u64, access: Access, offset: u64) -> Result<(), PlatformError> {
        let flags = (libc::MAP_SHARED | libc::MAP_FIXED) as u64;
        let fd = u64::try_from(self.memory_fd).expect("descriptors are non-negative");
        let prot = u64::try_from(access.prot()).expect("PROT bits are non-negative");
        let args = [addr, len, prot, flags, fd, offset];
        self.inject("mmap", libc::SYS_mmap as u64, args).map(drop)
    }

    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError> {
        self.inject("munmap", libc::SYS_munmap as u64, [addr, len, 0, 0, 0, 0])
            .map(drop)
    }

    fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), PlatformError> {
        let prot = u64::try_from(access.prot()).expect("PROT bits are non-negative");
        self.inject(
            "mprotect",
            libc::SYS_mprotect as u64,
            [addr, len, prot, 0, 0, 0],
        )
        .map(drop)
    }
}

impl Drop for PtraceAddressSpace {
    fn drop(&mut self) {
        // The stub may already be gone (killed with the workload).
        let _ = nix::sys::signal::kill(self.pid, Signal::SIGKILL);
        let _ = waitpid(self.pid, Some(WaitPidFlag::__WALL));
    }
}

/// One application thread's execution in a stub.
#[derive(Debug)]
pub struct PtraceContext {
    address_space: Arc<PtraceAddressSpace>,
}

impl PtraceContext {
    /// The address space this context runs in.
    pub fn address_space(&self) -> &Arc<PtraceAddressSpace> {
        &self.address_space
    }
}

impl PtraceContext {
    /// Test hook: resumes the application with PTRACE_CONT instead of
    /// PTRACE_SYSEMU, as a platform bug would, and returns how the stub ended
    /// or stopped. The stub's seccomp filter must kill it at the first
    /// system call made outside the stub page.
    #[doc(hidden)]
    pub fn resume_unconfined_for_test(
        &mut self,
        regs: &Registers,
    ) -> Result<WaitStatus, PlatformError> {
        let as_ = &*self.address_space;
        as_.check_thread()?;
        let mut st = as_.lock();
        as_.set_regs(&mut st, regs)?;
        ptrace::cont(as_.pid, None).map_err(|e| as_.err("cont", e))?;
        waitpid(as_.pid, Some(WaitPidFlag::__WALL)).map_err(|e| as_.err("wait", e))
    }
}

impl Context for PtraceContext {
    fn switch(&mut self, regs: &mut Registers) -> Result<Event, PlatformError> {
        let as_ = &*self.address_space;
        as_.check_thread()?;
        let mut st = as_.lock();
        if std::mem::take(&mut st.interrupt_pending) {
            return Ok(Event::Interrupted);
        }
        as_.set_regs(&mut st, regs)?;
        {
            ptrace::sysemu(as_.pid, None).map_err(|e| as_.err("sysemu", e))?;
            let status = as_.wait()?;
            let event = match status {
                WaitStatus::PtraceSyscall(_) => Event::Syscall,
                WaitStatus::Stopped(_, sig) => {
                    let info = ptrace::getsiginfo(as_.pid).map_err(|e| as_.err("getsiginfo", e))?;
                    match sig {
                        Signal::SIGSEGV
                        | Signal::SIGBUS
                        | Signal::SIGFPE
                        | Signal::SIGILL
                        | Signal::SIGTRAP
                            if info.si_code > 0 =>
                        {
                            Event::Fault(Fault {
                                signo: sig as i32,
                                code: info.si_code,
                                addr: raw::si_addr(&info),
                            })
                        }
                        // Our interrupts, and anything the host sends the
                        // stub: the signal is suppressed, never delivered.
                        _ => Event::Interrupted,
                    }
                }
                other => {
                    return Err(PlatformError::StubDied {
                        pid: as_.pid.as_raw(),
                        why: format!("unexpected stop {other:?}"),
                    })
                }
            };
            let out: Registers = ptrace::getregs(as_.pid)
                .map_err(|e| as_.err("getregs", e))?
                .into();
            st.host_regs = out;
            *regs = out;
            Ok(event)
        }
    }

    fn fp_state(&mut self) -> Result<FpState, PlatformError> {
        let as_ = &*self.address_space;
        as_.check_thread()?;
        let mut buf = vec![0u8; 16 * 1024];
        let n = raw::xstate(as_.pid, &mut buf, false).map_err(|e| as_.err("getregset", e))?;
        buf.truncate(n);
        Ok(FpState { bytes: buf })
    }

    fn set_fp_state(&mut self, state: &FpState) -> Result<(), PlatformError> {
        let as_ = &*self.address_space;
        as_.check_thread()?;
        let mut buf = state.bytes.clone();
        raw::xstate(as_.pid, &mut buf, true).map_err(|e| as_.err("setregset", e))?;
        Ok(())
    }

    fn interrupter(&self) -> Interrupter {
        Interrupter {
            pid: self.address_space.pid.as_raw(),
            tid: self.address_space.pid.as_raw(),
        }
    }
}

/// Interrupts a stub thread (see [`Interrupter`]).
pub(crate) fn interrupt(pid: i32, tid: i32) {
    raw::tgkill_stop(pid, tid);
}
