//! The ptrace platform: application code runs in stub processes stopped at
//! every system call with PTRACE_SYSEMU, so the host never runs one.
//!
//! Stub processes are forked by one long-lived *factory* thread (so that
//! their `PR_SET_PDEATHSIG` follows the sandbox, not whichever task asked),
//! which waits for the stub's ready stop and leaves it parked. ptrace binds
//! a tracee to one tracer *thread*, so each host thread that runs a task
//! attaches (`PTRACE_SEIZE`) to a stub thread of its own: the first thread of
//! a fresh stub process, or a new one cloned into an existing stub process
//! for an application thread (the clone is injected by the creating task's
//! host thread, through its own stub thread). The stub thread is moved to
//! the serving thread's CPU. A context that ends detaches its stub thread
//! into the park loop, where a later thread of the same address space picks
//! it up again.
//!
//! Address-space changes are system calls injected at the stub's `syscall;
//! int3` site through the calling host thread's own stub thread; the stub's
//! seccomp filter allows only those (see `stub.rs`). Register state moves
//! lazily: general registers at every stop, the XSAVE area only when asked.
//!
//! Lock order: `PtraceAddressSpace::threads`, then `StubThread::state`;
//! `PtraceAddressSpace::parked` is a leaf.

#[allow(unsafe_code)]
pub(crate) mod raw;
#[allow(unsafe_code)] // global_asm!: the stub image
mod stub;

use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;

use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use parking_lot::Mutex;

pub use stub::{STUB_BASE, STUB_SIZE, TASK_SIZE};

use crate::cpu::current_tid as gettid;
use crate::factory::{Factory, Stub};
use crate::hostcall::HostCall;
use crate::{
    Access, AddressSpace, Context, Event, Fault, FpState, Interrupter, Platform, PlatformError,
    Registers, ThreadSeed,
};

/// The highest address (exclusive) an application may map.
pub const MAX_USER_ADDRESS: u64 = STUB_BASE;

/// `clone` flags of a new stub thread: everything shared, as for a thread.
const STUB_THREAD_FLAGS: u64 = (libc::CLONE_VM
    | libc::CLONE_FS
    | libc::CLONE_FILES
    | libc::CLONE_SIGHAND
    | libc::CLONE_THREAD
    | libc::CLONE_SYSVSEM) as u64;

/// The ptrace platform. `memory_fd` is the sentry's memory file, which every
/// stub keeps at the same descriptor number so injected `mmap`s can name it.
#[derive(Debug)]
pub struct PtracePlatform {
    memory_fd: RawFd,
    factory: Factory<ParkedStub>,
}

/// A stub process ready for its first thread to be attached, and its
/// registers at the ready stop (the segment selectors every injection uses).
struct ParkedStub {
    pid: Pid,
    template: Registers,
}

impl Stub for ParkedStub {
    fn pid(&self) -> Pid {
        self.pid
    }
}

impl PtracePlatform {
    /// Prepares the platform and starts its stub factory thread. The memory
    /// file must outlive the platform and every address space.
    pub fn new(memory_fd: BorrowedFd<'_>) -> PtracePlatform {
        assert!(raw::stub_len() <= STUB_SIZE, "the stub code fits its page");
        let filter = crate::bpf::ip_window_filter(
            STUB_BASE,
            STUB_BASE + STUB_SIZE,
            stub::ALLOWED_SYSCALLS,
            crate::bpf::SECCOMP_RET_KILL_PROCESS,
        );
        let fd = memory_fd.as_raw_fd();
        PtracePlatform {
            memory_fd: fd,
            factory: Factory::start(move || fork_parked(&filter, fd)),
        }
    }

    /// Creates an address space and a first context in it, bound to the
    /// calling host thread.
    pub fn new_address_space(
        &self,
    ) -> Result<(Arc<PtraceAddressSpace>, PtraceContext), PlatformError> {
        let ParkedStub { pid, template } = self.factory.fork()?;
        let as_ = Arc::new(PtraceAddressSpace {
            pid,
            memory_fd: self.memory_fd,
            template,
            threads: Mutex::new(Vec::new()),
            parked: Mutex::new(vec![pid]),
            factory: self.factory.clone(),
        });
        let ctx = as_.attach()?;
        Ok((as_, ctx))
    }
}

impl Platform for PtracePlatform {
    fn new_address_space(
        &self,
    ) -> Result<(Arc<dyn AddressSpace>, Box<dyn Context>), PlatformError> {
        let (as_, ctx) = PtracePlatform::new_address_space(self)?;
        Ok((as_, Box::new(ctx)))
    }

    fn max_user_address(&self) -> u64 {
        MAX_USER_ADDRESS
    }
}

/// Forks a stub (traced by this thread until it is ready), moves it to the
/// park loop and detaches.
fn fork_parked(
    filter: &[crate::bpf::SockFilter],
    memory_fd: RawFd,
) -> Result<ParkedStub, PlatformError> {
    let entry = raw::ptrace_stub_entry();
    let pid = raw::fork_stub(filter, &[memory_fd], false, entry, 0)
        .map_err(|source| PlatformError::CreateStub { source })?;
    crate::factory::wait_ready(pid)?;
    let fail = |why: String| crate::factory::abandon(pid, why);
    let template: Registers = match ptrace::getregs(pid) {
        Ok(r) => r.into(),
        Err(e) => return Err(fail(format!("getregs: {e}"))),
    };
    let park = Registers {
        rip: raw::stub_park_site(),
        orig_rax: u64::MAX,
        ..template
    };
    if let Err(e) = ptrace::setregs(pid, park.into()) {
        return Err(fail(format!("setregs: {e}")));
    }
    if let Err(e) = ptrace::detach(pid, None) {
        return Err(fail(format!("detach: {e}")));
    }
    Ok(ParkedStub { pid, template })
}

/// A stub process holding one application address space.
#[derive(Debug)]
pub struct PtraceAddressSpace {
    pid: Pid,
    memory_fd: RawFd,
    /// The stub's registers at its ready stop: segment selectors for
    /// injection and for parking.
    template: Registers,
    /// The stub threads attached to host threads now.
    threads: Mutex<Vec<Arc<StubThread>>>,
    /// Stub threads waiting in the park loop, traced by nobody.
    parked: Mutex<Vec<Pid>>,
    factory: Factory<ParkedStub>,
}

/// One stub thread and the host thread that traces it.
#[derive(Debug)]
struct StubThread {
    tid: Pid,
    tracer: Pid,
    state: Mutex<ThreadState>,
}

#[derive(Debug, Default)]
struct ThreadState {
    /// What the stub thread's registers hold now (it is always stopped when
    /// the sentry looks), so a switch can skip an unneeded SETREGS.
    host_regs: Registers,
    /// An interrupt arrived while a system call was being injected.
    interrupt_pending: bool,
}

impl PtraceAddressSpace {
    /// The host pid of the stub process.
    pub fn stub_pid(&self) -> i32 {
        self.pid.as_raw()
    }

    /// Attaches the calling host thread to a parked stub thread.
    fn attach(self: &Arc<Self>) -> Result<PtraceContext, PlatformError> {
        let tid = self
            .parked
            .lock()
            .pop()
            .ok_or_else(|| PlatformError::StubStart {
                why: "no parked stub thread to attach".into(),
            })?;
        self.attach_tid(tid)
    }

    fn attach_tid(self: &Arc<Self>, tid: Pid) -> Result<PtraceContext, PlatformError> {
        let err = |op, source| PlatformError::Ptrace {
            op,
            pid: tid.as_raw(),
            source,
        };
        ptrace::seize(
            tid,
            ptrace::Options::PTRACE_O_EXITKILL | ptrace::Options::PTRACE_O_TRACESYSGOOD,
        )
        .map_err(|e| err("seize", e))?;
        ptrace::interrupt(tid).map_err(|e| err("interrupt", e))?;
        loop {
            match wait_thread(tid)? {
                WaitStatus::PtraceEvent(_, _, libc::PTRACE_EVENT_STOP) => break,
                // A signal that was on its way (an old interrupt): drop it.
                WaitStatus::Stopped(..) => {
                    ptrace::cont(tid, None).map_err(|e| err("cont", e))?;
                }
                other => {
                    return Err(PlatformError::StubDied {
                        pid: tid.as_raw(),
                        why: format!("unexpected stop while attaching: {other:?}"),
                    })
                }
            }
        }
        // The serving thread and its stub thread share one CPU.
        if let Ok(set) = nix::sched::sched_getaffinity(Pid::from_raw(0)) {
            let _ = nix::sched::sched_setaffinity(tid, &set);
        }
        let host_regs: Registers = ptrace::getregs(tid).map_err(|e| err("getregs", e))?.into();
        let thread = Arc::new(StubThread {
            tid,
            tracer: gettid(),
            state: Mutex::new(ThreadState {
                host_regs,
                interrupt_pending: false,
            }),
        });
        self.threads.lock().push(thread.clone());
        Ok(PtraceContext {
            address_space: self.clone(),
            thread,
            _not_send: std::marker::PhantomData,
        })
    }

    /// The stub thread the calling host thread traces in this address space.
    fn current_thread(&self) -> Result<Arc<StubThread>, PlatformError> {
        let me = gettid();
        self.threads
            .lock()
            .iter()
            .find(|t| t.tracer == me)
            .cloned()
            .ok_or(PlatformError::WrongThread { tid: me.as_raw() })
    }

    /// Runs one system call in the calling host thread's stub thread, at
    /// `site`, and returns its raw result.
    fn inject(&self, site: u64, call: HostCall) -> Result<u64, PlatformError> {
        let thread = self.current_thread()?;
        let mut st = thread.state.lock();
        let args = call.args;
        let regs = Registers {
            rip: site,
            rax: call.nr,
            orig_rax: u64::MAX,
            rdi: args[0],
            rsi: args[1],
            rdx: args[2],
            r10: args[3],
            r8: args[4],
            r9: args[5],
            ..self.template
        };
        thread.set_regs(&mut st, &regs)?;
        ptrace::cont(thread.tid, None).map_err(|e| thread.err("cont", e))?;
        loop {
            match wait_thread(thread.tid)? {
                WaitStatus::Stopped(_, Signal::SIGTRAP) => break,
                WaitStatus::Stopped(_, _) | WaitStatus::PtraceEvent(..) => {
                    st.interrupt_pending = true;
                    ptrace::cont(thread.tid, None).map_err(|e| thread.err("cont", e))?;
                }
                other => {
                    let regs = ptrace::getregs(thread.tid).ok().map(Registers::from);
                    return Err(PlatformError::StubDied {
                        pid: thread.tid.as_raw(),
                        why: format!(
                            "unexpected stop while injecting {}: {other:?} regs {regs:x?}",
                            call.name
                        ),
                    });
                }
            }
        }
        let out: Registers = ptrace::getregs(thread.tid)
            .map_err(|e| thread.err("getregs", e))?
            .into();
        st.host_regs = out;
        call.result(self.pid.as_raw(), out.rax)
    }

    /// Detaches a stub thread whose context ended into the park loop.
    fn retire(&self, thread: &Arc<StubThread>) {
        self.threads.lock().retain(|t| !Arc::ptr_eq(t, thread));
        let park = Registers {
            rip: raw::stub_park_site(),
            orig_rax: u64::MAX,
            ..self.template
        };
        let parked = ptrace::setregs(thread.tid, park.into())
            .and_then(|()| ptrace::detach(thread.tid, None));
        if parked.is_ok() {
            self.parked.lock().push(thread.tid);
        }
        // Otherwise the thread is gone (the process was killed): nothing to
        // keep.
    }
}

impl StubThread {
    fn err(&self, op: &'static str, source: nix::Error) -> PlatformError {
        PlatformError::Ptrace {
            op,
            pid: self.tid.as_raw(),
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

    fn set_regs(&self, st: &mut ThreadState, regs: &Registers) -> Result<(), PlatformError> {
        if st.host_regs != *regs {
            ptrace::setregs(self.tid, (*regs).into()).map_err(|e| self.err("setregs", e))?;
            st.host_regs = *regs;
        }
        Ok(())
    }
}

/// Waits for the next stop of one traced thread; its death is an error.
fn wait_thread(tid: Pid) -> Result<WaitStatus, PlatformError> {
    loop {
        match waitpid(tid, Some(WaitPidFlag::__WALL)) {
            Err(nix::Error::EINTR) => continue,
            Err(source) => {
                return Err(PlatformError::Ptrace {
                    op: "wait",
                    pid: tid.as_raw(),
                    source,
                })
            }
            Ok(s @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                return Err(PlatformError::StubDied {
                    pid: tid.as_raw(),
                    why: format!("{s:?}"),
                })
            }
            Ok(s) => return Ok(s),
        }
    }
}

impl AddressSpace for PtraceAddressSpace {
    fn map(&self, addr: u64, len: u64, access: Access, offset: u64) -> Result<(), PlatformError> {
        let call = HostCall::map(self.memory_fd, addr, len, access, offset);
        self.inject(raw::stub_syscall_site(), call).map(drop)
    }

    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError> {
        let call = HostCall::unmap(addr, len);
        self.inject(raw::stub_syscall_site(), call).map(drop)
    }

    fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), PlatformError> {
        let call = HostCall::protect(addr, len, access);
        self.inject(raw::stub_syscall_site(), call).map(drop)
    }

    fn new_thread(self: Arc<Self>) -> Result<ThreadSeed, PlatformError> {
        let parked = self.parked.lock().pop();
        let tid = match parked {
            Some(tid) => tid,
            None => {
                let call = HostCall::clone_thread(STUB_THREAD_FLAGS, 0);
                let tid = self.inject(raw::stub_clone_site(), call)?;
                Pid::from_raw(i32::try_from(tid).expect("a tid fits in i32"))
            }
        };
        let seed = Seed {
            space: Some(self),
            tid,
        };
        Ok(ThreadSeed::new(move || seed.attach()))
    }
}

/// A reserved stub thread until a host thread attaches it; dropped unused,
/// it goes back to the park pool.
struct Seed {
    space: Option<Arc<PtraceAddressSpace>>,
    tid: Pid,
}

impl Seed {
    fn attach(mut self) -> Result<Box<dyn Context>, PlatformError> {
        let space = self.space.take().expect("attached once");
        Ok(Box::new(space.attach_tid(self.tid)?))
    }
}

impl Drop for Seed {
    fn drop(&mut self) {
        if let Some(space) = &self.space {
            space.parked.lock().push(self.tid);
        }
    }
}

impl Drop for PtraceAddressSpace {
    fn drop(&mut self) {
        // Every context is gone, so no thread of the stub is traced.
        self.factory.kill(self.pid);
    }
}

/// One application thread's execution in a stub thread, bound to the host
/// thread that created it (it is not `Send`).
#[derive(Debug)]
pub struct PtraceContext {
    address_space: Arc<PtraceAddressSpace>,
    thread: Arc<StubThread>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl PtraceContext {
    /// The address space this context runs in.
    pub fn address_space(&self) -> &Arc<PtraceAddressSpace> {
        &self.address_space
    }

    /// Test hook: resumes the application with PTRACE_CONT instead of
    /// PTRACE_SYSEMU, as a platform bug would, and returns how the stub ended
    /// or stopped. The stub's seccomp filter must kill it at the first
    /// system call made outside the stub page.
    #[doc(hidden)]
    pub fn resume_unconfined_for_test(
        &mut self,
        regs: &Registers,
    ) -> Result<WaitStatus, PlatformError> {
        let t = &*self.thread;
        t.check_thread()?;
        let mut st = t.state.lock();
        t.set_regs(&mut st, regs)?;
        ptrace::cont(t.tid, None).map_err(|e| t.err("cont", e))?;
        waitpid(t.tid, Some(WaitPidFlag::__WALL)).map_err(|e| t.err("wait", e))
    }
}

impl Drop for PtraceContext {
    fn drop(&mut self) {
        self.address_space.retire(&self.thread);
    }
}

impl Context for PtraceContext {
    fn switch(&mut self, regs: &mut Registers) -> Result<Event, PlatformError> {
        let t = &*self.thread;
        t.check_thread()?;
        let mut st = t.state.lock();
        if std::mem::take(&mut st.interrupt_pending) {
            return Ok(Event::Interrupted);
        }
        t.set_regs(&mut st, regs)?;
        ptrace::sysemu(t.tid, None).map_err(|e| t.err("sysemu", e))?;
        let event = match wait_thread(t.tid)? {
            WaitStatus::PtraceSyscall(_) => Event::Syscall,
            WaitStatus::Stopped(_, sig) => {
                let info = ptrace::getsiginfo(t.tid).map_err(|e| t.err("getsiginfo", e))?;
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
                            cpu: None,
                        })
                    }
                    // Our interrupts, and anything the host sends the
                    // stub: the signal is suppressed, never delivered.
                    _ => Event::Interrupted,
                }
            }
            WaitStatus::PtraceEvent(..) => Event::Interrupted,
            other => {
                return Err(PlatformError::StubDied {
                    pid: t.tid.as_raw(),
                    why: format!("unexpected stop {other:?}"),
                })
            }
        };
        let out: Registers = ptrace::getregs(t.tid)
            .map_err(|e| t.err("getregs", e))?
            .into();
        st.host_regs = out;
        *regs = out;
        Ok(event)
    }

    fn fp_state(&mut self) -> Result<FpState, PlatformError> {
        let t = &*self.thread;
        t.check_thread()?;
        let mut buf = vec![0u8; 16 * 1024];
        let n = raw::xstate(t.tid, &mut buf, false).map_err(|e| t.err("getregset", e))?;
        buf.truncate(n);
        Ok(FpState { bytes: buf })
    }

    fn set_fp_state(&mut self, state: &FpState) -> Result<(), PlatformError> {
        let t = &*self.thread;
        t.check_thread()?;
        let mut buf = state.bytes.clone();
        raw::xstate(t.tid, &mut buf, true).map_err(|e| t.err("setregset", e))?;
        Ok(())
    }

    fn interrupter(&self) -> Interrupter {
        Interrupter {
            pid: self.address_space.pid.as_raw(),
            tid: self.thread.tid.as_raw(),
        }
    }

    fn host_thread(&self) -> (i32, i32) {
        (self.address_space.pid.as_raw(), self.thread.tid.as_raw())
    }
}

/// Interrupts a stub thread (see [`Interrupter`]).
pub(crate) fn interrupt(pid: i32, tid: i32) {
    raw::tgkill_interrupt(pid, tid);
}
