//! The seccomp platform: application code runs in stub processes whose
//! seccomp filter answers every system call made outside the stub page with
//! SIGSYS. The stub's handler, on a signal stack in memory the sentry also
//! maps, publishes the frame and waits; the sentry reads and edits the
//! registers in place and lets the stub `rt_sigreturn` into the
//! application. Faults and the sentry's interrupts arrive the same way, as
//! signals. No ptrace stop is involved after a stub's start, so a system
//! call costs a signal delivery, a `sigreturn` and two futex hand-overs
//! between threads on one CPU (see the stub's `SPINS` for why not
//! `sched_yield`).
//!
//! Stub processes come from a factory thread, as for ptrace, which traces
//! them only to their ready stop. Every stub thread owns a region (see
//! `region.rs`): a control block and its signal stack. A new stub thread is
//! cloned by a command to an existing one; address-space changes are host
//! system calls that the calling sentry thread asks its own stub thread to
//! make between runs. A thread dies with a robust-futex entry pointing at its
//! region's death word, which the kernel marks as the thread dies; a waiting
//! sentry looks at it at least every `LIVENESS_CHECK`.
//!
//! Anything the application can reach (its region is in its address space)
//! is checked before use; a bad value ends that workload, never the sentry.
//! The stub page allows its few system calls to any code that jumps there;
//! what that reaches is listed in `docs/compatibility.md`.
//!
//! Lock order: `SeccompAddressSpace::threads`, then `StubThread::state`;
//! `parked` and `slots` are leaves.

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

use self::region::{
    Region, CMD, CMD_CLONE, CMD_RUN, CMD_SYSCALL, CRAFTED_FPSTATE, CRAFTED_FRAME, EVENT,
    EVENT_DONE, EVENT_SIGNAL, MAX_THREADS, NR, REGION_BASE, REGION_SIZE, RET, RUN_SP, SIGINFO,
    SIGNO, STATE_CMD, STATE_DONE, STATE_SENTRY_SLEEPING, STATE_STUB_SLEEPING, THREAD_SP, UCONTEXT,
};
use crate::cpu::current_tid as gettid;
use crate::factory::{Factory, Stub};
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

/// The seccomp platform. `memory_fd` is the sentry's memory file, which every
/// stub keeps at the same descriptor number.
#[derive(Debug)]
pub struct SeccompPlatform {
    memory_fd: RawFd,
    factory: Factory<ReadyStub>,
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
    pub fn new(memory_fd: BorrowedFd<'_>) -> SeccompPlatform {
        assert!(
            stub::stub_len() <= stub::STUB_SIZE,
            "the stub code fits its page"
        );
        let filter = crate::bpf::ip_window_filter(
            stub::STUB_BASE,
            stub::STUB_BASE + stub::STUB_SIZE,
            stub::ALLOWED_SYSCALLS,
            crate::bpf::SECCOMP_RET_TRAP,
        );
        let fd = memory_fd.as_raw_fd();
        SeccompPlatform {
            memory_fd: fd,
            factory: Factory::start(move || fork_ready(&filter, fd)),
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
        let space = Arc::new(SeccompAddressSpace {
            pid,
            memory_fd: self.memory_fd,
            regions,
            fp_template,
            threads: Mutex::new(Vec::new()),
            parked: Mutex::new(Vec::new()),
            slots: Mutex::new(1),
            factory: self.factory.clone(),
        });
        let first = Arc::new(StubThread::new(pid, first));
        let ctx = space.clone().attach(first);
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
    let first = Region::map(regions.as_fd(), 0).map_err(|e| {
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
}

/// One stub thread, its region, and what the sentry knows of it.
#[derive(Debug)]
struct StubThread {
    tid: Pid,
    region: Region,
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
    fs_base: Option<u64>,
    gs_base: Option<u64>,
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
        }
        let server = gettid();
        // The serving thread and its stub thread share one CPU.
        if let Ok(set) = nix::sched::sched_getaffinity(Pid::from_raw(0)) {
            let _ = nix::sched::sched_setaffinity(thread.tid, &set);
        }
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
    fn host_call(&self, call: &'static str, nr: i64, args: [u64; 6]) -> Result<u64, PlatformError> {
        let t = self.current_thread()?;
        let nr = u64::try_from(nr).expect("syscall numbers are positive");
        t.command(self.pid, CMD_SYSCALL, call, nr, args)
    }

    /// A new stub thread with its own region, cloned by the calling host
    /// thread's stub thread.
    fn clone_thread(&self) -> Result<Arc<StubThread>, PlatformError> {
        let me = self.current_thread()?;
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
        let region = Region::map(self.regions.as_fd(), slot).map_err(|e| {
            create(nix::Error::from_raw(
                e.raw_os_error().unwrap_or(libc::ENOMEM),
            ))
        })?;
        let fd = u64::try_from(self.regions.as_raw_fd()).expect("descriptors are non-negative");
        let prot = u64::try_from(libc::PROT_READ | libc::PROT_WRITE).expect("small");
        let flags = u64::try_from(libc::MAP_SHARED | libc::MAP_FIXED).expect("small");
        let addr = region.stub_addr();
        let args = [addr, REGION_SIZE, prot, flags, fd, slot * REGION_SIZE];
        me.command(self.pid, CMD_SYSCALL, "mmap", libc::SYS_mmap as u64, args)?;
        let args = [STUB_THREAD_FLAGS, addr + THREAD_SP, 0, 0, 0, 0];
        let tid = me.command(self.pid, CMD_CLONE, "clone", libc::SYS_clone as u64, args)?;
        let tid = Pid::from_raw(i32::try_from(tid).expect("a tid fits in i32"));
        Ok(Arc::new(StubThread::new(tid, region)))
    }

    fn retire(&self, thread: &Arc<StubThread>) {
        self.threads.lock().retain(|(_, t)| !Arc::ptr_eq(t, thread));
        self.parked.lock().push(thread.clone());
    }
}

impl AddressSpace for SeccompAddressSpace {
    fn map(&self, addr: u64, len: u64, access: Access, offset: u64) -> Result<(), PlatformError> {
        let flags = (libc::MAP_SHARED | libc::MAP_FIXED) as u64;
        let fd = u64::try_from(self.memory_fd).expect("descriptors are non-negative");
        let prot = u64::try_from(access.prot()).expect("PROT bits are non-negative");
        self.host_call("mmap", libc::SYS_mmap, [addr, len, prot, flags, fd, offset])
            .map(drop)
    }

    fn unmap(&self, addr: u64, len: u64) -> Result<(), PlatformError> {
        self.host_call("munmap", libc::SYS_munmap, [addr, len, 0, 0, 0, 0])
            .map(drop)
    }

    fn protect(&self, addr: u64, len: u64, access: Access) -> Result<(), PlatformError> {
        let prot = u64::try_from(access.prot()).expect("PROT bits are non-negative");
        self.host_call("mprotect", libc::SYS_mprotect, [addr, len, prot, 0, 0, 0])
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
const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;

impl StubThread {
    fn new(tid: Pid, region: Region) -> StubThread {
        StubThread {
            tid,
            region,
            state: Mutex::new(ThreadState::default()),
        }
    }

    fn died(&self, why: &str) -> PlatformError {
        PlatformError::StubDied {
            pid: self.tid.as_raw(),
            why: why.to_owned(),
        }
    }

    /// Posts a command and waits until the stub reports; returns the raw
    /// result of a system call command.
    fn command(
        &self,
        pid: Pid,
        cmd: u64,
        call: &'static str,
        nr: u64,
        args: [u64; 6],
    ) -> Result<u64, PlatformError> {
        let r = &self.region;
        r.set(NR, nr);
        for (i, a) in (0u64..).zip(args) {
            r.set(NR + 8 + 8 * i, a);
        }
        r.set(CMD, cmd);
        self.post_and_wait(pid)?;
        if r.get(EVENT) != EVENT_DONE {
            return Err(self.died("stub reported a signal during a command"));
        }
        let out = r.get(RET);
        // A raw syscall result in [-4095, -1] is an errno.
        if out > (-4096i64).cast_unsigned() {
            return Err(PlatformError::Injected {
                call,
                pid: pid.as_raw(),
                errno: i32::try_from(out.wrapping_neg()).unwrap_or(i32::MAX),
            });
        }
        Ok(out)
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
            let slept = Instant::now();
            // A plain FUTEX_WAIT: `futex_waitv` on this word and the death
            // word together would see a death at once, but costs about a
            // microsecond more per system call (measured); a death is
            // seen at the next timeout instead.
            region::futex_wait(state, STATE_SENTRY_SLEEPING, LIVENESS_CHECK);
            if slept.elapsed() >= LIVENESS_CHECK
                && !region::thread_alive(pid.as_raw(), self.tid.as_raw())
            {
                return Err(self.died("thread is gone"));
            }
        }
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
        let t = &self.thread;
        let pid = self.space.pid;
        let nr = libc::SYS_arch_prctl as u64;
        if st.fs_base != Some(regs.fs_base) {
            t.command(
                pid,
                CMD_SYSCALL,
                "arch_prctl",
                nr,
                [ARCH_SET_FS, regs.fs_base, 0, 0, 0, 0],
            )?;
            st.fs_base = Some(regs.fs_base);
        }
        if st.gs_base != Some(regs.gs_base) {
            t.command(
                pid,
                CMD_SYSCALL,
                "arch_prctl",
                nr,
                [ARCH_SET_GS, regs.gs_base, 0, 0, 0, 0],
            )?;
            st.gs_base = Some(regs.gs_base);
        }
        Ok(())
    }
}

impl Drop for SeccompContext {
    fn drop(&mut self) {
        self.space.retire(&self.thread);
    }
}

impl Context for SeccompContext {
    fn switch(&mut self, regs: &mut Registers) -> Result<Event, PlatformError> {
        let t = &*self.thread;
        let pid = self.space.pid;
        let mut st = t.state.lock();
        self.check_thread()?;
        self.sync_bases(&mut st, regs)?;
        let ucp = t.load_frame(&mut st, regs, &self.space.fp_template)?;
        let r = &t.region;
        r.set(RUN_SP, ucp);
        r.set(CMD, CMD_RUN);
        t.post_and_wait(pid)?;
        if r.get(EVENT) != EVENT_SIGNAL {
            return Err(t.died("stub reported no signal after a run"));
        }
        let bad = || t.died("stub reported a frame outside its signal stack");
        let ucp = r.get(UCONTEXT);
        let off = t.frame_offset(ucp).ok_or_else(bad)?;
        let info = r.offset_of(r.get(SIGINFO), 128, 8).ok_or_else(bad)?;
        st.frame = Some(ucp);
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

    fn fp_state(&mut self) -> Result<FpState, PlatformError> {
        let t = &*self.thread;
        let st = t.state.lock();
        self.check_thread()?;
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
