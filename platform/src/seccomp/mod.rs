//! The seccomp platform: application code runs in stub processes whose
//! seccomp filters stop every system call made outside the stub page.
//!
//! Two ways of handing a call to the sentry ([`Handover`]):
//! - **Notify** (kernels from 6.11, the default): every thread that runs
//!   application code installs its own filter with a seccomp listener,
//!   which the sentry thread serving it takes with `pidfd_getfd`. A call
//!   that needs only its arguments and result arrives as a notification
//!   and is answered in place: one switch each way, no signal frame. Its
//!   registers are reported partial, and made whole on demand
//!   ([`Context::full_registers`]) by making the thread restart the call
//!   under an interrupt (the answer is ERESTARTNOINTR) so that its
//!   handler's frame holds them. Calls that always need the whole register
//!   file, or that change the address space, trap with SIGSYS instead.
//! - **Futex**: every call traps with SIGSYS.
//!
//! SIGSYS, faults and the sentry's interrupts arrive as signals. The stub's
//! handler, on a signal stack in memory the sentry also maps, publishes the
//! frame and waits; the sentry reads and edits the registers in place and
//! lets the stub `rt_sigreturn` into the application. The handler waits in
//! a call its listener reports (notify) or on a futex word in its region
//! (futex; see the stub's `SPINS` for why not `sched_yield`). Either way
//! both threads share one CPU. Measured on this class of VM: a notified
//! `getppid` costs 4.1 µs, a trapped one 7.3 µs.
//!
//! Stub processes come from a factory thread, as for ptrace, which traces
//! them only to their ready stop. Every stub thread owns a region (see
//! `region.rs`): a control block and its signal stack. A new stub thread is
//! cloned by a command to an existing one (with listeners, always the
//! first thread, which has none: a thread inherits its creator's filters
//! and may add only one listener); address-space changes are host
//! system calls that the calling sentry thread asks its own stub thread to
//! make between runs. A thread dies with a robust-futex entry pointing at its
//! region's death word, which the kernel marks as the thread dies; a waiting
//! sentry looks at it at least every `LIVENESS_CHECK`, or when a receive on
//! the thread's listener fails (it does once no thread uses the filter).
//!
//! Anything the application can reach (its region is in its address space)
//! is checked before use; a bad value ends that workload, never the sentry.
//! The stub page allows its few system calls to any code that jumps there;
//! what that reaches is listed in `docs/compatibility.md`.
//!
//! Lock order: `SeccompAddressSpace::threads`, then `StubThread::state`;
//! `parked` and `slots` are leaves.

#[allow(unsafe_code)] // the listener's ioctls and descriptor transfer
mod notify;
#[allow(unsafe_code)] // the shared region: raw mappings and futexes
mod region;
#[allow(unsafe_code)] // global_asm!: the stub image
mod stub;

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::unistd::Pid;
use parking_lot::Mutex;

use self::notify::Notification;
use self::region::{
    Region, CMD, CMD_CLONE, CMD_RUN, CMD_SYSCALL, CRAFTED_FPSTATE, CRAFTED_FRAME, EVENT,
    EVENT_DONE, EVENT_SIGNAL, LISTENER, LISTENER_UNSET, MAX_THREADS, NR, REGION_BASE, REGION_SIZE,
    RET, RUN_SP, SIGINFO, SIGNO, STATE_CMD, STATE_DONE, STATE_SENTRY_SLEEPING, STATE_STUB_SLEEPING,
    THREAD_SP, UCONTEXT,
};
use crate::bpf::{
    SockFilter, WindowRules, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRACE,
    SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
};
use crate::cpu::current_tid as gettid;
use crate::factory::{Factory, Stub};
use crate::hostcall::HostCall;
use crate::ptrace::raw;
use crate::{
    to_frame_layout, to_ptrace_layout, Access, AddressSpace, Context, CpuTrap, Event, Fault,
    FpState, Interrupter, Platform, PlatformError, Registers, ThreadSeed, USER_CS, USER_DS,
};
use abi::signal::{FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2};

/// The highest address (exclusive) an application may map: the stub
/// threads' regions sit above it.
pub const MAX_USER_ADDRESS: u64 = REGION_BASE;

/// `clone` flags of a new stub thread: everything shared, as for a thread.
const STUB_THREAD_FLAGS: u64 = (libc::CLONE_VM
    | libc::CLONE_FS
    | libc::CLONE_FILES
    | libc::CLONE_SIGHAND
    | libc::CLONE_THREAD
    | libc::CLONE_SYSVSEM) as u64;

/// How long a sleeping sentry waits before it looks at the thread's death
/// word (the kernel marks it as the thread dies) and asks whether it lives.
const LIVENESS_CHECK: Duration = Duration::from_millis(100);

const CLONE_NR: u32 = 56;

/// How long a new listening thread may take to post its listener.
const START_LIMIT: Duration = Duration::from_secs(10);

/// How a stub thread hands the sentry its application's system calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handover {
    /// Every call traps with SIGSYS into the stub's handler, which hands
    /// over through the region's futex word.
    Futex,
    /// Each stub thread has its own seccomp listener: a call that needs no
    /// more than its arguments and return value reaches the sentry as a
    /// user notification (one switch each way, no signal frame); calls that
    /// need the whole register file trap with SIGSYS as above, and so do
    /// faults and interrupts, whose handler hands over through a call the
    /// listener reports.
    Notify,
}

impl Handover {
    /// The best the host kernel supports: listeners need
    /// `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` (5.19) and a receive that
    /// returns once the listening thread is gone (6.11).
    pub fn detect() -> Handover {
        let release = nix::sys::utsname::uname()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut parts = release
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        // A seccomp policy around the sandbox may refuse listeners.
        if version >= (6, 11) && notify::listeners_work() {
            Handover::Notify
        } else {
            Handover::Futex
        }
    }
}

/// System calls the sentry answers with address-space commands, which the
/// stub runs from its handler: with a listener they trap with SIGSYS all
/// the same, which saves turning a notified call into a trapped one.
const HOST_MEMORY_SYSCALLS: &[u32] = &[
    9,   // mmap
    10,  // mprotect
    11,  // munmap
    12,  // brk
    25,  // mremap
    28,  // madvise
    30,  // shmat
    67,  // shmdt
    329, // pkey_mprotect
];

/// The seccomp platform. `memory_fd` is the sentry's memory file, which every
/// stub keeps at the same descriptor number.
#[derive(Debug)]
pub struct SeccompPlatform {
    memory_fd: RawFd,
    factory: Factory<ReadyStub>,
    /// With [`Handover::Notify`], the filter each application thread
    /// installs with its listener.
    listener: Option<Arc<Vec<SockFilter>>>,
}

/// A stub process whose first thread waits for commands.
struct ReadyStub {
    pid: Pid,
    /// The file of its threads' regions (the stub has it at the same
    /// number).
    regions: OwnedFd,
    first: Region,
    /// An XSAVE image in the host's layout, for contexts that never ran.
    fp_template: FpState,
}

impl Stub for ReadyStub {
    fn pid(&self) -> Pid {
        self.pid
    }
}

impl SeccompPlatform {
    /// Prepares the platform and starts its stub factory thread. The memory
    /// file must outlive the platform and every address space.
    /// `full_registers` are the system calls whose service reads or writes
    /// more registers than the arguments and the return value: they always
    /// trap with SIGSYS, so the sentry gets the whole register file.
    pub fn new(memory_fd: BorrowedFd<'_>, full_registers: &[u32]) -> SeccompPlatform {
        SeccompPlatform::with_handover(memory_fd, full_registers, Handover::detect())
    }

    /// As [`SeccompPlatform::new`], with the given hand-over.
    pub fn with_handover(
        memory_fd: BorrowedFd<'_>,
        full_registers: &[u32],
        handover: Handover,
    ) -> SeccompPlatform {
        assert!(
            stub::stub_len() <= stub::STUB_SIZE,
            "the stub code fits its page"
        );
        let (start, end) = (stub::STUB_BASE, stub::STUB_BASE + stub::STUB_SIZE);
        let (filter, listener) = match handover {
            Handover::Futex => (
                crate::bpf::ip_window_filter(start, end, stub::ALLOWED_SYSCALLS, SECCOMP_RET_TRAP),
                None,
            ),
            Handover::Notify => {
                let mut trapped: Vec<u32> = full_registers
                    .iter()
                    .chain(HOST_MEMORY_SYSCALLS)
                    .copied()
                    .collect();
                trapped.sort_unstable();
                trapped.dedup();
                let allowed: Vec<(u32, u32)> = stub::ALLOWED_SYSCALLS
                    .iter()
                    .map(|&nr| (nr, SECCOMP_RET_ALLOW))
                    .collect();
                let with = |action| trapped.iter().map(|&nr| (nr, action)).collect::<Vec<_>>();
                // The process-wide filter: calls a listener takes are left
                // to it (TRACE, with no tracer, fails them without running
                // them, should a thread have no listener).
                let base = crate::bpf::window_filter(&WindowRules {
                    start,
                    end,
                    window: &allowed,
                    window_other: SECCOMP_RET_KILL_PROCESS,
                    outside: &with(SECCOMP_RET_TRAP),
                    outside_other: SECCOMP_RET_TRACE,
                    foreign_arch: SECCOMP_RET_TRAP,
                });
                // Each application thread's own: the rest goes to its
                // listener, and so does the stub's hand-over call.
                let listener = crate::bpf::window_filter(&WindowRules {
                    start,
                    end,
                    // Only the first thread clones: a clone of this thread
                    // would share its listener and keep it open past the
                    // thread's death.
                    window: &[
                        (stub::HANDOVER_NR, SECCOMP_RET_USER_NOTIF),
                        (CLONE_NR, SECCOMP_RET_KILL_PROCESS),
                    ],
                    window_other: SECCOMP_RET_ALLOW,
                    outside: &with(SECCOMP_RET_ALLOW),
                    outside_other: SECCOMP_RET_USER_NOTIF,
                    foreign_arch: SECCOMP_RET_ALLOW,
                });
                (base, Some(Arc::new(listener)))
            }
        };
        let fd = memory_fd.as_raw_fd();
        SeccompPlatform {
            memory_fd: fd,
            factory: Factory::start(move || fork_ready(&filter, fd)),
            listener,
        }
    }
}

impl Platform for SeccompPlatform {
    fn new_address_space(
        &self,
    ) -> Result<(Arc<dyn AddressSpace>, Box<dyn Context>), PlatformError> {
        let ReadyStub {
            pid,
            regions,
            first,
            fp_template,
        } = self.factory.fork()?;
        let first = Arc::new(StubThread::new(pid, first, None));
        let (spawner, pidfd) = match &self.listener {
            None => (None, None),
            Some(_) => {
                let pidfd = notify::pidfd_open(pid.as_raw())
                    .map_err(|source| PlatformError::CreateStub { source })?;
                (Some(first.clone()), Some(Arc::new(pidfd)))
            }
        };
        let space = Arc::new(SeccompAddressSpace {
            pid,
            memory_fd: self.memory_fd,
            regions,
            fp_template,
            threads: Mutex::new(Vec::new()),
            parked: Mutex::new(Vec::new()),
            slots: Mutex::new(1),
            factory: self.factory.clone(),
            listener: self.listener.clone(),
            spawner,
            pidfd,
        });
        // With listeners, the first thread only makes the others: it never
        // runs the application, so it has no listener of its own and every
        // application thread can install one.
        let runner = if space.spawner.is_some() {
            space.clone_thread()?
        } else {
            first
        };
        let ctx = space.clone().attach(runner);
        Ok((space, Box::new(ctx)))
    }

    fn max_user_address(&self) -> u64 {
        MAX_USER_ADDRESS
    }
}

/// Forks a stub with its first region (traced by this thread until it is
/// ready), takes an XSAVE template from it and lets it go.
fn fork_ready(
    filter: &[crate::bpf::SockFilter],
    memory_fd: RawFd,
) -> Result<ReadyStub, PlatformError> {
    let create = |source| PlatformError::CreateStub { source };
    let regions = nix::sys::memfd::memfd_create(
        c"runsc-stub-regions",
        nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
    )
    .map_err(create)?;
    grow(regions.as_fd(), 1).map_err(create)?;
    let first = Region::map(regions.as_fd(), 0, None).map_err(|e| {
        create(nix::Error::from_raw(
            e.raw_os_error().unwrap_or(libc::ENOMEM),
        ))
    })?;
    let fd = regions.as_raw_fd();
    let arg = u64::try_from(fd).expect("descriptors are non-negative");
    let pid =
        raw::fork_stub(filter, &[memory_fd, fd], true, stub::stub_entry(), arg).map_err(create)?;
    crate::factory::wait_ready(pid)?;
    let mut buf = vec![0u8; 16 * 1024];
    let n = match raw::xstate(pid, &mut buf, false) {
        Ok(n) => n,
        Err(e) => return Err(crate::factory::abandon(pid, format!("getregset: {e}"))),
    };
    buf.truncate(n);
    if let Err(e) = nix::sys::ptrace::detach(pid, None) {
        return Err(crate::factory::abandon(pid, format!("detach: {e}")));
    }
    Ok(ReadyStub {
        pid,
        regions,
        first,
        fp_template: FpState::initial(&FpState { bytes: buf }),
    })
}

/// Makes the region file long enough for `slots` regions.
fn grow(file: BorrowedFd<'_>, slots: u64) -> nix::Result<()> {
    let len = libc::off_t::try_from(slots * REGION_SIZE).map_err(|_| nix::Error::EINVAL)?;
    nix::unistd::ftruncate(file, len)
}

/// A stub process holding one application address space.
#[derive(Debug)]
pub struct SeccompAddressSpace {
    pid: Pid,
    memory_fd: RawFd,
    regions: OwnedFd,
    fp_template: FpState,
    /// The stub threads attached to host threads now, by serving thread.
    threads: Mutex<Vec<(Pid, Arc<StubThread>)>>,
    /// Stub threads waiting for a host thread.
    parked: Mutex<Vec<Arc<StubThread>>>,
    /// How many regions the file has.
    slots: Mutex<u64>,
    factory: Factory<ReadyStub>,
    /// With listeners: the filter each new thread installs, the first
    /// thread, which clones the others (through the futex), and a pidfd of
    /// the stub to take the listeners from.
    listener: Option<Arc<Vec<SockFilter>>>,
    spawner: Option<Arc<StubThread>>,
    pidfd: Option<Arc<OwnedFd>>,
}

/// One stub thread, its region, and what the sentry knows of it.
#[derive(Debug)]
struct StubThread {
    tid: Pid,
    region: Region,
    /// The stub's pidfd when the thread installs a listener.
    pidfd: Option<Arc<OwnedFd>>,
    state: Mutex<ThreadState>,
}

#[derive(Debug, Default)]
struct ThreadState {
    /// The stub address of the ucontext of the frame the thread will
    /// return through: the kernel's last signal frame, or none before the
    /// first run.
    frame: Option<u64>,
    /// FP state set before the first run.
    pending_fp: Option<FpState>,
    /// The FS and GS bases the host thread has, when known.
    bases: [Option<u64>; 2],
    /// The sentry's copy of the thread's listener, once taken.
    listener: Option<OwnedFd>,
    /// The notification the thread waits in.
    pending: Pending,
    /// After a notified call: the registers the context reported, of which
    /// only the call's number, arguments and address are the thread's.
    partial: Option<Registers>,
    /// Attached to a new context whose first run builds its own frame.
    fresh: bool,
}

/// Where a listening thread waits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Pending {
    /// Not in a notification (not started, or a futex hand-over).
    #[default]
    None,
    /// In its handler's hand-over call: it takes a command when answered.
    Handover(u64),
    /// In the application's system call.
    Syscall(Notification),
}

/// What a stub thread reported.
enum Report {
    /// It is in its handler (or command loop) and the region says why.
    Handler,
    /// It made this application system call and waits for the result.
    Syscall(Notification),
}

impl SeccompAddressSpace {
    /// The host pid of the stub process.
    pub fn stub_pid(&self) -> i32 {
        self.pid.as_raw()
    }

    /// Binds `thread` to the calling host thread.
    fn attach(self: Arc<Self>, thread: Arc<StubThread>) -> SeccompContext {
        {
            let mut st = thread.state.lock();
            st.frame = None;
            st.pending_fp = None;
            st.partial = None;
            st.fresh = true;
        }
        let server = gettid();
        // The serving thread and its stub thread share one CPU.
        share_cpu_with(thread.tid);
        self.threads.lock().push((server, thread.clone()));
        SeccompContext {
            space: self,
            thread,
            server,
            _not_send: std::marker::PhantomData,
        }
    }

    /// The stub thread the calling host thread serves in this space.
    fn current_thread(&self) -> Result<Arc<StubThread>, PlatformError> {
        let me = gettid();
        self.threads
            .lock()
            .iter()
            .find(|(server, _)| *server == me)
            .map(|(_, t)| t.clone())
            .ok_or(PlatformError::WrongThread { tid: me.as_raw() })
    }

    /// Makes a host system call in the calling host thread's stub thread.
    fn host_call(&self, call: HostCall) -> Result<u64, PlatformError> {
        let t = self.current_thread()?;
        let mut st = t.state.lock();
        t.command(&mut st, self.pid, CMD_SYSCALL, call)
    }

    /// A new stub thread with its own region, cloned by the spawner or else
    /// by the calling host thread's stub thread.
    fn clone_thread(&self) -> Result<Arc<StubThread>, PlatformError> {
        let by = match &self.spawner {
            Some(s) => {
                share_cpu_with(s.tid);
                s.clone()
            }
            None => self.current_thread()?,
        };
        let mut st = by.state.lock();
        let create = |source| PlatformError::CreateStub { source };
        let slot = {
            let mut slots = self.slots.lock();
            if *slots >= MAX_THREADS {
                return Err(create(nix::Error::EAGAIN));
            }
            grow(self.regions.as_fd(), *slots + 1).map_err(create)?;
            *slots += 1;
            *slots - 1
        };
        let listener = self.listener.as_deref().map(Vec::as_slice);
        let region = Region::map(self.regions.as_fd(), slot, listener).map_err(|e| {
            create(nix::Error::from_raw(
                e.raw_os_error().unwrap_or(libc::ENOMEM),
            ))
        })?;
        let addr = region.stub_addr();
        let fd = self.regions.as_raw_fd();
        let map = HostCall::map(
            fd,
            addr,
            REGION_SIZE,
            Access::READ_WRITE,
            slot * REGION_SIZE,
        );
        by.command(&mut st, self.pid, CMD_SYSCALL, map)?;
        let clone = HostCall::clone_thread(STUB_THREAD_FLAGS, addr + THREAD_SP);
        let tid = by.command(&mut st, self.pid, CMD_CLONE, clone)?;
        let tid = Pid::from_raw(i32::try_from(tid).expect("a tid fits in i32"));
        Ok(Arc::new(StubThread::new(tid, region, self.pidfd.clone())))
    }

    fn retire(&self, thread: &Arc<StubThread>) {
        self.threads.lock().retain(|(_, t)| !Arc::ptr_eq(t, thread));
        // A listening thread that is in no notification after it started
        // was left by a platform failure: it cannot serve again.
        let broken = {
            let st = thread.state.lock();
            st.listener.is_some() && st.pending == Pending::None
        };
        if !broken {
            self.parked.lock().push(thread.clone());
        }
    }
}

/// Puts host thread `tid` on the calling thread's CPUs.
fn share_cpu_with(tid: Pid) {
    if let Ok(set) = nix::sched::sched_getaffinity(Pid::from_raw(0)) {
        let _ = nix::sched::sched_setaffinity(tid, &set);
    }
}

impl AddressSpace for SeccompAddressSpace {
    fn map(&self, addr: u64, len: u64, access: Access, offset: u64) -> Result<(), PlatformError> {
        let call = HostCall::map(self.memory_fd, addr, len, access, offset);
        self.host_call(call).map(drop)
    }

    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError> {
        self.host_call(HostCall::unmap(addr, len)).map(drop)
    }

    fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), PlatformError> {
        self.host_call(HostCall::protect(addr, len, access))
            .map(drop)
    }

    fn new_thread(self: Arc<Self>) -> Result<ThreadSeed, PlatformError> {
        let parked = self.parked.lock().pop();
        let thread = match parked {
            Some(t) => t,
            None => self.clone_thread()?,
        };
        let mut seed = Seed {
            space: Some(self),
            thread: Some(thread),
        };
        Ok(ThreadSeed::new(move || seed.attach()))
    }
}

/// A reserved stub thread until a host thread attaches it; dropped unused,
/// it goes back to the parked ones.
struct Seed {
    space: Option<Arc<SeccompAddressSpace>>,
    thread: Option<Arc<StubThread>>,
}

impl Seed {
    fn attach(&mut self) -> Result<Box<dyn Context>, PlatformError> {
        let space = self.space.take().expect("attached once");
        let thread = self.thread.take().expect("attached once");
        Ok(Box::new(space.attach(thread)))
    }
}

impl Drop for Seed {
    fn drop(&mut self) {
        if let (Some(space), Some(thread)) = (&self.space, self.thread.take()) {
            space.parked.lock().push(thread);
        }
    }
}

impl Drop for SeccompAddressSpace {
    fn drop(&mut self) {
        // Every context is gone.
        self.factory.kill(self.pid);
    }
}

/// Offsets in a `struct ucontext` (x86-64).
mod uc {
    pub const FLAGS: u64 = 0;
    pub const STACK: u64 = 16;
    pub const MCONTEXT: u64 = 40;
    /// `fpstate`, the XSAVE area's address.
    pub const FPSTATE: u64 = MCONTEXT + 184;
    pub const SIZE: u64 = 304;
    /// UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS.
    pub const CRAFTED_FLAGS: u64 = 0x7;
}

/// A register of [`Registers`].
type Field = fn(&mut Registers) -> &mut u64;

/// `sigcontext` registers in order, as offsets from the mcontext.
const GREGS: [(u64, Field); 18] = [
    (0, |r| &mut r.r8),
    (8, |r| &mut r.r9),
    (16, |r| &mut r.r10),
    (24, |r| &mut r.r11),
    (32, |r| &mut r.r12),
    (40, |r| &mut r.r13),
    (48, |r| &mut r.r14),
    (56, |r| &mut r.r15),
    (64, |r| &mut r.rdi),
    (72, |r| &mut r.rsi),
    (80, |r| &mut r.rbp),
    (88, |r| &mut r.rbx),
    (96, |r| &mut r.rdx),
    (104, |r| &mut r.rax),
    (112, |r| &mut r.rcx),
    (120, |r| &mut r.rsp),
    (128, |r| &mut r.rip),
    (136, |r| &mut r.eflags),
];
/// The `cs, gs, fs, ss` selectors word, then the fault's error code and
/// trap number.
const SELECTORS: u64 = 144;
const ERR: u64 = 152;
const TRAPNO: u64 = 160;

/// Offsets in the XSAVE area's software-reserved bytes (`fpx_sw_bytes`).
const FPX_MAGIC1: u64 = 464;
const FPX_XSTATE_SIZE: u64 = 480;
const SW_RESERVED: std::ops::Range<usize> = 464..512;

const SYS_SECCOMP: i32 = 1;
const ERESTARTNOINTR: i32 = 513;
/// `rip` and `rax` in the mcontext.
const RIP: u64 = 128;
const RAX: u64 = 104;
const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;

impl StubThread {
    fn new(tid: Pid, region: Region, pidfd: Option<Arc<OwnedFd>>) -> StubThread {
        StubThread {
            tid,
            region,
            pidfd,
            state: Mutex::new(ThreadState::default()),
        }
    }

    fn died(&self, why: &str) -> PlatformError {
        PlatformError::StubDied {
            pid: self.tid.as_raw(),
            why: why.to_owned(),
        }
    }

    /// Whether the thread hands over through a listener.
    fn listening(&self) -> bool {
        self.pidfd.is_some()
    }

    /// Posts a command and waits until the stub reports; returns the raw
    /// result of a system call command.
    fn command(
        &self,
        st: &mut ThreadState,
        pid: Pid,
        cmd: u64,
        call: HostCall,
    ) -> Result<u64, PlatformError> {
        self.to_handler(st, pid)?;
        let r = &self.region;
        r.set(NR, call.nr);
        for (i, a) in (0u64..).zip(call.args) {
            r.set(NR + 8 + 8 * i, a);
        }
        r.set(CMD, cmd);
        match self.exchange(st, pid)? {
            Report::Handler if r.get(EVENT) == EVENT_DONE => {}
            _ => return Err(self.died("stub reported a signal during a command")),
        }
        call.result(pid.as_raw(), r.get(RET))
    }

    /// Hands the thread the command posted in its region and waits for its
    /// next report.
    fn exchange(&self, st: &mut ThreadState, pid: Pid) -> Result<Report, PlatformError> {
        if !self.listening() {
            self.post_and_wait(pid)?;
            return Ok(Report::Handler);
        }
        let Pending::Handover(id) = st.pending else {
            return Err(self.died("stub is not waiting for a command"));
        };
        let state = self.region.state();
        if state.swap(STATE_CMD, Ordering::SeqCst) == STATE_STUB_SLEEPING {
            region::futex_wake(state);
        }
        self.answer(st, id, 0, 0)?;
        self.receive(st, pid)
    }

    /// Answers the notification the thread waits in.
    fn answer(
        &self,
        st: &mut ThreadState,
        id: u64,
        val: i64,
        error: i32,
    ) -> Result<(), PlatformError> {
        st.pending = Pending::None;
        let l = st
            .listener
            .as_ref()
            .ok_or_else(|| self.died("no listener"))?;
        notify::respond(l.as_fd(), id, val, error)
            .map_err(|e| self.died(&format!("answer a notification: {e}")))
    }

    /// Waits for the thread's next notification.
    fn receive(&self, st: &mut ThreadState, pid: Pid) -> Result<Report, PlatformError> {
        let l = st
            .listener
            .as_ref()
            .ok_or_else(|| self.died("no listener"))?;
        loop {
            match notify::receive(l.as_fd()) {
                Ok(n) if (stub::STUB_BASE..stub::STUB_BASE + stub::STUB_SIZE).contains(&n.ip) => {
                    if n.nr.cast_unsigned() != stub::HANDOVER_NR {
                        return Err(self.died("unexpected call from the stub page"));
                    }
                    st.pending = Pending::Handover(n.id);
                    return Ok(Report::Handler);
                }
                Ok(n) => {
                    st.pending = Pending::Syscall(n);
                    return Ok(Report::Syscall(n));
                }
                Err(nix::Error::EINTR) => {}
                // The notification went away (its call was interrupted), or
                // the thread did: with no thread left on the filter, every
                // receive fails at once.
                Err(nix::Error::ENOENT) => {
                    let death = self.region.death().load(Ordering::Acquire);
                    if death & FUTEX_OWNER_DIED != 0
                        || !region::thread_alive(pid.as_raw(), self.tid.as_raw())
                    {
                        return Err(self.died("thread exited"));
                    }
                }
                Err(e) => return Err(self.died(&format!("receive a notification: {e}"))),
            }
        }
    }

    /// Takes the thread's listener once it has started, and leaves it
    /// waiting for a command in its hand-over call.
    fn ensure_listener(&self, st: &mut ThreadState, pid: Pid) -> Result<(), PlatformError> {
        let Some(pidfd) = &self.pidfd else {
            return Ok(());
        };
        if st.listener.is_some() {
            return Ok(());
        }
        let r = &self.region;
        let state = r.state();
        let started = Instant::now();
        let fd = loop {
            if started.elapsed() > START_LIMIT {
                return Err(self.died("no listener after its start"));
            }
            let fd = r.get(LISTENER);
            if fd != LISTENER_UNSET {
                break fd.cast_signed();
            }
            // The stub posts DONE after the descriptor; it wakes a sleeper.
            if state
                .compare_exchange(
                    STATE_DONE,
                    STATE_SENTRY_SLEEPING,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_err()
                && state.load(Ordering::SeqCst) != STATE_SENTRY_SLEEPING
            {
                // Sleeping for a command: it went on without a listener
                // (only the application, writing its region, does that).
                if state.load(Ordering::SeqCst) == STATE_STUB_SLEEPING {
                    return Err(PlatformError::StubStart {
                        why: "a stub thread started without its listener".to_owned(),
                    });
                }
                std::thread::yield_now();
                continue;
            }
            if r.get(LISTENER) != LISTENER_UNSET {
                continue;
            }
            self.sleep(pid)?;
        };
        let fd = RawFd::try_from(fd).map_err(|_| PlatformError::StubStart {
            why: format!("listener filter: errno {}", fd.wrapping_neg()),
        })?;
        let listener = notify::pidfd_getfd(pidfd.as_fd(), fd)
            .map_err(|e| self.died(&format!("take the listener: {e}")))?;
        st.listener = Some(listener);
        match self.receive(st, pid)? {
            Report::Handler => {}
            Report::Syscall(_) => return Err(self.died("stub ran before its first command")),
        }
        // The stub's own copy goes: the listener lives in the sentry.
        self.command(st, pid, CMD_SYSCALL, HostCall::close(fd))?;
        Ok(())
    }

    /// Brings the thread into its handler, ready for a command: a thread in
    /// a notified call is made to restart it under a signal (the
    /// notification fails with ERESTARTNOINTR and an interrupt is pending),
    /// whose frame then holds its registers at the call.
    fn to_handler(&self, st: &mut ThreadState, pid: Pid) -> Result<(), PlatformError> {
        self.ensure_listener(st, pid)?;
        let Pending::Syscall(n) = st.pending else {
            return Ok(());
        };
        crate::ptrace::interrupt(pid.as_raw(), self.tid.as_raw());
        self.answer(st, n.id, 0, -ERESTARTNOINTR)?;
        let r = &self.region;
        match self.receive(st, pid)? {
            Report::Handler if r.get(EVENT) == EVENT_SIGNAL => {}
            _ => return Err(self.died("stub did not restart a notified call")),
        }
        let ucp = r.get(UCONTEXT);
        let off = self
            .frame_offset(ucp)
            .ok_or_else(|| self.died("stub reported a frame outside its signal stack"))?;
        let mc = off + uc::MCONTEXT;
        if r.get(mc + RIP) != n.ip.wrapping_sub(2)
            || r.get(mc + RAX) & 0xffff_ffff != u64::from(n.nr.cast_unsigned())
        {
            return Err(self.died("a restarted call's frame does not match it"));
        }
        if !st.fresh {
            st.frame = Some(ucp);
        }
        Ok(())
    }

    /// Hands the thread its posted command and waits for its report.
    fn post_and_wait(&self, pid: Pid) -> Result<(), PlatformError> {
        let state = self.region.state();
        if state.swap(STATE_CMD, Ordering::SeqCst) == STATE_STUB_SLEEPING {
            region::futex_wake(state);
        }
        loop {
            let s = state.load(Ordering::Acquire);
            if s == STATE_DONE || s == STATE_STUB_SLEEPING {
                return Ok(());
            }
            let death = self.region.death().load(Ordering::Acquire);
            if death & FUTEX_OWNER_DIED != 0 {
                return Err(self.died("thread exited"));
            }
            // Sleeping marks the command as still posted, so the stub
            // takes it either way.
            if s == STATE_CMD
                && state
                    .compare_exchange(
                        STATE_CMD,
                        STATE_SENTRY_SLEEPING,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    )
                    .is_err()
            {
                continue;
            }
            self.sleep(pid)?;
        }
    }

    /// Sleeps on the state word while it says the sentry sleeps, for at most
    /// `LIVENESS_CHECK`, after which the thread must still exist.
    fn sleep(&self, pid: Pid) -> Result<(), PlatformError> {
        let slept = Instant::now();
        // A plain FUTEX_WAIT: `futex_waitv` on this word and the death word
        // together would see a death at once, but costs about a microsecond
        // more per system call (measured); a death is seen at the next
        // timeout instead.
        region::futex_wait(self.region.state(), STATE_SENTRY_SLEEPING, LIVENESS_CHECK);
        if slept.elapsed() >= LIVENESS_CHECK
            && !region::thread_alive(pid.as_raw(), self.tid.as_raw())
        {
            return Err(self.died("thread is gone"));
        }
        Ok(())
    }

    /// Writes `regs` into the frame the thread returns through, building one
    /// for a first run.
    fn load_frame(
        &self,
        st: &mut ThreadState,
        regs: &Registers,
        template: &FpState,
    ) -> Result<u64, PlatformError> {
        let r = &self.region;
        let ucp = match st.frame {
            Some(u) => u,
            None => {
                let u = r.stub_addr() + CRAFTED_FRAME + 8;
                let off = CRAFTED_FRAME + 8;
                r.write(off, &[0u8; 304]);
                r.set(off + uc::FLAGS, uc::CRAFTED_FLAGS);
                r.write_stack_t(off + uc::STACK);
                let fp = st.pending_fp.take().unwrap_or_else(|| template.clone());
                let size = u64::try_from(fp.bytes.len()).expect("usize fits u64");
                if size < 576 || CRAFTED_FPSTATE + size + 4 > REGION_SIZE / 2 {
                    return Err(PlatformError::Unsupported {
                        what: "an XSAVE area of this size",
                    });
                }
                let mut bytes = fp.bytes;
                to_frame_layout(&mut bytes);
                r.write(CRAFTED_FPSTATE, &bytes);
                r.set_u32(CRAFTED_FPSTATE + size, FP_XSTATE_MAGIC2);
                r.set(off + uc::FPSTATE, r.stub_addr() + CRAFTED_FPSTATE);
                st.frame = Some(u);
                u
            }
        };
        let off = self
            .frame_offset(ucp)
            .ok_or_else(|| self.died("bad frame"))?;
        let mc = off + uc::MCONTEXT;
        let mut regs = *regs;
        for (o, field) in GREGS {
            r.set(mc + o, *field(&mut regs));
        }
        // cs, gs, fs, ss: the user selectors; the stub's FS and GS bases are
        // set apart.
        r.set(mc + SELECTORS, USER_CS | (USER_DS << 48));
        Ok(ucp)
    }

    fn frame_offset(&self, ucp: u64) -> Option<u64> {
        self.region.offset_of(ucp, uc::SIZE, 8)
    }

    /// The region offset and size of the current frame's XSAVE area.
    fn fp_area(&self, st: &ThreadState) -> Option<(u64, u64)> {
        let off = self.frame_offset(st.frame?)?;
        let fp = self.region.get(off + uc::FPSTATE);
        let fp_off = self.region.offset_of(fp, 512, 64)?;
        if self.region.get_u32(fp_off + FPX_MAGIC1) != FP_XSTATE_MAGIC1 {
            return None;
        }
        let size = u64::from(self.region.get_u32(fp_off + FPX_XSTATE_SIZE));
        if size < 576 {
            return None;
        }
        self.region.offset_of(fp, size + 4, 64)?;
        Some((fp_off, size))
    }
}

const FUTEX_OWNER_DIED: u32 = 0x4000_0000;

/// One application thread's execution in a stub thread, bound to the host
/// thread that attached it (it is not `Send`).
#[derive(Debug)]
pub struct SeccompContext {
    space: Arc<SeccompAddressSpace>,
    thread: Arc<StubThread>,
    /// The host thread that attached it, the only one that may run it.
    server: Pid,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl SeccompContext {
    fn check_thread(&self) -> Result<(), PlatformError> {
        let me = gettid();
        if self.server != me {
            return Err(PlatformError::WrongThread { tid: me.as_raw() });
        }
        Ok(())
    }

    /// Gives the host thread the application's FS and GS bases.
    fn sync_bases(&self, st: &mut ThreadState, regs: &Registers) -> Result<(), PlatformError> {
        let pid = self.space.pid;
        for (i, (code, base)) in [(ARCH_SET_FS, regs.fs_base), (ARCH_SET_GS, regs.gs_base)]
            .into_iter()
            .enumerate()
        {
            if st.bases[i] != Some(base) {
                let call = HostCall::arch_prctl(code, base);
                self.thread.command(st, pid, CMD_SYSCALL, call)?;
                st.bases[i] = Some(base);
            }
        }
        Ok(())
    }
}

impl Drop for SeccompContext {
    fn drop(&mut self) {
        self.space.retire(&self.thread);
    }
}

impl SeccompContext {
    /// Makes `regs`, reported after a notified call, whole: the thread is
    /// brought into its handler and its frame supplies the registers the
    /// notification did not carry. `rax` (the result the sentry may have
    /// set) stays.
    fn fill_partial(
        &self,
        st: &mut ThreadState,
        regs: &mut Registers,
    ) -> Result<(), PlatformError> {
        if st.partial.take().is_none() {
            return Ok(());
        }
        let t = &*self.thread;
        t.to_handler(st, self.space.pid)?;
        let ucp = st
            .frame
            .ok_or_else(|| t.died("no frame for a notified call"))?;
        let off = t.frame_offset(ucp).ok_or_else(|| t.died("bad frame"))?;
        let mc = off + uc::MCONTEXT;
        let mut full = *regs;
        for (o, field) in GREGS {
            *field(&mut full) = t.region.get(mc + o);
        }
        // The frame is the restart's: at the `syscall` instruction.
        full.rip = full.rip.wrapping_add(2);
        full.rax = regs.rax;
        full.orig_rax = regs.orig_rax;
        *regs = full;
        Ok(())
    }

    /// Reads the report of a switch into `regs`.
    fn decode(
        &self,
        st: &mut ThreadState,
        report: Report,
        regs: &mut Registers,
    ) -> Result<Event, PlatformError> {
        let t = &*self.thread;
        let r = &t.region;
        if let Report::Syscall(n) = report {
            // Only the call's number, arguments and address are known: the
            // rest is made whole on demand (`full_registers`).
            if n.arch != crate::bpf::AUDIT_ARCH_X86_64 {
                return Err(t.died("a notified call of another architecture"));
            }
            let mut out = *regs;
            out.orig_rax = u64::from(n.nr.cast_unsigned());
            out.rax = (-i64::from(libc::ENOSYS)).cast_unsigned();
            [out.rdi, out.rsi, out.rdx, out.r10, out.r8, out.r9] = n.args;
            out.rip = n.ip;
            out.rcx = n.ip;
            st.frame = None;
            st.partial = Some(out);
            *regs = out;
            return Ok(Event::Syscall);
        }
        if r.get(EVENT) != EVENT_SIGNAL {
            return Err(t.died("stub reported no signal after a run"));
        }
        let bad = || t.died("stub reported a frame outside its signal stack");
        let ucp = r.get(UCONTEXT);
        let off = t.frame_offset(ucp).ok_or_else(bad)?;
        let info = r.offset_of(r.get(SIGINFO), 128, 8).ok_or_else(bad)?;
        st.frame = Some(ucp);
        st.partial = None;
        let mc = off + uc::MCONTEXT;
        let mut out = Registers {
            cs: USER_CS,
            ss: USER_DS,
            fs_base: regs.fs_base,
            gs_base: regs.gs_base,
            ..Registers::default()
        };
        for (o, field) in GREGS {
            *field(&mut out) = r.get(mc + o);
        }
        let signo = i32::try_from(r.get(SIGNO)).unwrap_or(0);
        let code = r.get_u32(info + 8).cast_signed();
        let event = match signo {
            libc::SIGSYS if code == SYS_SECCOMP => {
                out.orig_rax = out.rax;
                out.rax = (-i64::from(libc::ENOSYS)).cast_unsigned();
                Event::Syscall
            }
            libc::SIGSEGV | libc::SIGBUS | libc::SIGFPE | libc::SIGILL | libc::SIGTRAP
                if code > 0 =>
            {
                out.orig_rax = u64::MAX;
                Event::Fault(Fault {
                    signo,
                    code,
                    addr: r.get(info + 16),
                    cpu: Some(CpuTrap {
                        trapno: r.get(mc + TRAPNO),
                        err: r.get(mc + ERR),
                    }),
                })
            }
            // Our interrupts, and anything the host sends the stub.
            _ => {
                out.orig_rax = u64::MAX;
                Event::Interrupted
            }
        };
        *regs = out;
        Ok(event)
    }
}

impl Context for SeccompContext {
    fn switch(&mut self, regs: &mut Registers) -> Result<Event, PlatformError> {
        let t = &*self.thread;
        let pid = self.space.pid;
        let mut st = t.state.lock();
        self.check_thread()?;
        // The fast way back from a notified call: the sentry changed
        // nothing but the result.
        if let (Pending::Syscall(n), Some(partial)) = (st.pending, st.partial) {
            let unchanged = Registers {
                rax: regs.rax,
                ..partial
            } == *regs;
            if unchanged {
                t.answer(&mut st, n.id, regs.rax.cast_signed(), 0)?;
                let report = t.receive(&mut st, pid)?;
                return self.decode(&mut st, report, regs);
            }
        }
        // Anything else changed without the registers made whole first (a
        // command may have brought the thread into its handler meanwhile):
        // what the sentry changed is its, the rest is the thread's.
        if let Some(mut partial) = st.partial {
            let mut given = *regs;
            self.fill_partial(&mut st, regs)?;
            for (_, field) in GREGS {
                if *field(&mut given) != *field(&mut partial) {
                    *field(regs) = *field(&mut given);
                }
            }
        }
        t.to_handler(&mut st, pid)?;
        if st.fresh {
            st.fresh = false;
            st.frame = None;
        }
        self.sync_bases(&mut st, regs)?;
        let ucp = t.load_frame(&mut st, regs, &self.space.fp_template)?;
        let r = &t.region;
        r.set(RUN_SP, ucp);
        r.set(CMD, CMD_RUN);
        let report = t.exchange(&mut st, pid)?;
        self.decode(&mut st, report, regs)
    }

    fn full_registers(&mut self, regs: &mut Registers) -> Result<(), PlatformError> {
        let mut st = self.thread.state.lock();
        self.check_thread()?;
        self.fill_partial(&mut st, regs)
    }

    fn fp_state(&mut self) -> Result<FpState, PlatformError> {
        let t = &*self.thread;
        let mut st = t.state.lock();
        self.check_thread()?;
        t.to_handler(&mut st, self.space.pid)?;
        if let Some((off, size)) = t.fp_area(&st) {
            let mut bytes = vec![0u8; usize::try_from(size).expect("region-bounded")];
            t.region.read(off, &mut bytes);
            to_ptrace_layout(&mut bytes);
            return Ok(FpState { bytes });
        }
        Ok(st
            .pending_fp
            .clone()
            .unwrap_or_else(|| self.space.fp_template.clone()))
    }

    fn set_fp_state(&mut self, state: &FpState) -> Result<(), PlatformError> {
        let t = &*self.thread;
        let mut st = t.state.lock();
        self.check_thread()?;
        t.to_handler(&mut st, self.space.pid)?;
        match t.fp_area(&st) {
            Some((off, size)) => {
                // Everything but the kernel's software bytes, which describe
                // this frame.
                let n = usize::try_from(size)
                    .expect("region-bounded")
                    .min(state.bytes.len());
                let b = &state.bytes[..n];
                t.region.write(off, &b[..SW_RESERVED.start.min(n)]);
                if n > SW_RESERVED.end {
                    let end = u64::try_from(SW_RESERVED.end).expect("small");
                    t.region.write(off + end, &b[SW_RESERVED.end..]);
                }
            }
            None => st.pending_fp = Some(state.clone()),
        }
        Ok(())
    }

    fn interrupter(&self) -> Interrupter {
        Interrupter {
            pid: self.space.pid.as_raw(),
            tid: self.thread.tid.as_raw(),
        }
    }

    fn host_thread(&self) -> (i32, i32) {
        (self.space.pid.as_raw(), self.thread.tid.as_raw())
    }
}
