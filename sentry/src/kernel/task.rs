//! A task: one application thread, run by a host thread of its own (ptrace
//! binds a stub thread to the host thread that traces it). The host thread
//! runs the task loop: switch into the application, serve the syscall or
//! fault that stopped it, deliver signals, repeat; then the exit path.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use abi::signal::{sigmask, SigactionFlags, SIGKILL, SIGSEGV, SIG_DFL, SIG_IGN};
use abi::types::{Rlimit, Siginfo};
use abi::Errno;
use parking_lot::{Condvar, Mutex};
use platform::{Context, Event, FpState, Registers, ThreadSeed};

use super::process::{ProcState, TaskShared, TaskView};
use super::signal::{
    build_frame, default_action, AltStack, DefaultAction, FrameRequest, SigSet, SiginfoExt,
    TrapInfo,
};
use super::{Credentials, ExitStatus, Kernel, ProcessFlags};
use crate::fd::FdTable;
use crate::mm::MemoryManager;
use crate::syscalls::{self, Control, Outcome};
use crate::vfs::FsContext;

/// A completion a vfork parent waits on: the child exec'd or exited.
#[derive(Debug, Default)]
pub struct Completion {
    done: Mutex<bool>,
    cv: Condvar,
}

impl Completion {
    pub fn complete(&self) {
        *self.done.lock() = true;
        self.cv.notify_all();
    }

    pub fn wait(&self) {
        let mut d = self.done.lock();
        while !*d {
            self.cv.wait(&mut d);
        }
    }
}

/// What `nanosleep` and friends resume with after a signal whose handler
/// lets them restart (`ERESTART_RESTARTBLOCK` and restart_syscall(2)).
#[derive(Clone, Copy, Debug)]
pub enum Restart {
    /// Sleep until this deadline on `clock`, then write nothing.
    Sleep {
        clock: i32,
        deadline: Instant,
        rem: u64,
    },
}

/// One application thread.
pub struct Task {
    pub kernel: Arc<Kernel>,
    /// Thread id in the sandbox's PID namespace.
    pub tid: i32,
    /// Thread-group (process) id.
    pub tgid: i32,
    pub shared: Arc<TaskShared>,
    pub ctx: Box<dyn Context>,
    pub creds: Credentials,
    pub mm: Arc<MemoryManager>,
    pub fds: Arc<Mutex<FdTable>>,
    pub regs: Registers,
    pub rlimits: Arc<Mutex<Vec<Rlimit>>>,
    pub fs: Arc<Mutex<FsContext>>,
    pub clear_child_tid: u64,
    pub robust_list: u64,
    pub robust_list_len: u64,
    pub flags: ProcessFlags,
    pub alt_stack: AltStack,
    /// The mask to restore after the next signal delivery (sigsuspend,
    /// ppoll, pselect, epoll_pwait).
    pub saved_mask: Option<SigSet>,
    pub restart: Option<Restart>,
    /// The last fault's details, for signal frames.
    pub trap: TrapInfo,
    /// Set for a vfork child until it execs or exits.
    pub vfork_done: Option<Arc<Completion>>,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("tid", &self.tid)
            .field("tgid", &self.tgid)
            .finish_non_exhaustive()
    }
}

/// How a new task gets its stub thread.
#[derive(Debug)]
pub enum Start {
    /// A thread in the creator's address space.
    Thread(ThreadSeed),
    /// A new address space for this (forked) memory.
    Fork,
}

/// Everything a new task's host thread needs to build the task.
#[derive(Debug)]
pub struct TaskSeed {
    pub tid: i32,
    pub tgid: i32,
    pub shared: Arc<TaskShared>,
    pub start: Start,
    pub mm: Arc<MemoryManager>,
    pub regs: Registers,
    pub fp: FpState,
    pub creds: Credentials,
    pub fds: Arc<Mutex<FdTable>>,
    pub rlimits: Arc<Mutex<Vec<Rlimit>>>,
    pub fs: Arc<Mutex<FsContext>>,
    pub clear_child_tid: u64,
    pub flags: ProcessFlags,
    pub alt_stack: AltStack,
    pub vfork_done: Option<Arc<Completion>>,
    /// The CPU to share with the stub thread.
    pub cpu: Option<usize>,
}

impl Task {
    /// `comm`, the thread's name.
    pub fn comm(&self) -> Vec<u8> {
        self.shared.comm.lock().clone()
    }

    /// Renames the thread (cut to 15 bytes).
    pub fn set_comm(&self, name: &[u8]) {
        *self.shared.comm.lock() = name[..name.len().min(15)].to_vec();
    }

    /// What `/proc` shows of the task now.
    pub fn view(&self) -> TaskView {
        TaskView {
            creds: self.creds.clone(),
            mm: self.mm.clone(),
            fds: self.fds.clone(),
            fs: self.fs.clone(),
            dumpable: self.flags.dumpable,
            no_new_privs: self.flags.no_new_privs,
            personality: self.flags.personality,
        }
    }

    /// Publishes the task's credentials, memory, descriptor table, fs
    /// context and flags for `/proc`, after any of them changed.
    pub fn publish(&self) {
        *self.shared.view.lock() = Some(self.view());
    }

    /// Sends `sig` to this thread from its own process, as Linux's
    /// `send_sig(sig, current, 0)` (SIGPIPE for a write without reader,
    /// SIGXFSZ past `RLIMIT_FSIZE`).
    pub fn send_sig(&self, sig: i32) {
        use super::signal::SiginfoExt;
        let info = abi::types::Siginfo::from_process(
            sig,
            abi::signal::SI_USER,
            self.tgid,
            self.creds.ruid,
        );
        self.kernel.tree.lock().send_to_thread(self.tid, info);
    }

    /// The soft limit of `resource`.
    pub fn rlimit_cur(&self, resource: u32) -> u64 {
        let r = self.rlimits.lock();
        r.get(resource as usize)
            .map_or(abi::resource::RLIM_INFINITY, |l| l.rlim_cur)
    }

    /// The parent's pid (0 for init).
    pub fn ppid(&self) -> i32 {
        let tree = self.kernel.tree.lock();
        tree.procs.get(&self.tgid).map_or(0, |p| p.parent)
    }

    pub fn pgid(&self) -> i32 {
        let tree = self.kernel.tree.lock();
        tree.procs.get(&self.tgid).map_or(0, |p| p.pgid)
    }

    pub fn sid(&self) -> i32 {
        let tree = self.kernel.tree.lock();
        tree.procs.get(&self.tgid).map_or(0, |p| p.sid)
    }

    /// The thread's signal mask.
    pub fn mask(&self) -> SigSet {
        self.kernel.tree.lock().mask(self.tid)
    }

    /// Sets the signal mask (SIGKILL/SIGSTOP stay unblocked).
    pub fn set_mask(&self, mask: SigSet) {
        self.kernel.tree.lock().set_mask(self.tid, mask);
    }

    /// Records the host process running this task's process (for CPU
    /// clocks of itimers), after start and exec.
    pub fn note_host_pid(&self) {
        let host = self.ctx.host_thread().0;
        if let Some(p) = self.kernel.tree.lock().procs.get_mut(&self.tgid) {
            p.host_pid = host;
        }
    }

    /// Installs `mask` for the duration of a call (ppoll, pselect,
    /// epoll_pwait), saving the current one.
    pub fn set_temp_mask(&mut self, mask: SigSet) {
        self.saved_mask = Some(self.mask());
        self.set_mask(mask);
    }

    /// Ends a temporary mask: a call that was not interrupted restores the
    /// old mask at once, so signals it let through stay pending; an
    /// interrupted one leaves it for signal delivery (Linux's
    /// `restore_saved_sigmask_unless`).
    pub fn end_temp_mask<T>(&mut self, r: Result<T, Errno>) -> Result<T, Errno> {
        let interrupted = matches!(
            r,
            Err(Errno::EINTR | Errno::ERESTARTNOHAND | Errno::ERESTARTSYS)
        );
        if !interrupted {
            if let Some(m) = self.saved_mask.take() {
                self.set_mask(m);
            }
        }
        r
    }

    /// Whether a signal (or an exit or stop) should interrupt a sleep.
    pub fn interrupted(&self) -> bool {
        self.shared.attention.load(Ordering::SeqCst)
            && self.kernel.tree.lock().has_deliverable(self.tid)
    }

    /// Sleeps until `ready` gives a value, a signal interrupts
    /// (`ERESTARTSYS`), or `deadline` passes (`ETIMEDOUT`). The caller has
    /// registered `self.shared.waker` on whatever will change `ready`.
    pub fn block<T>(
        &self,
        deadline: Option<Instant>,
        mut ready: impl FnMut() -> Option<T>,
    ) -> Result<T, Errno> {
        let waker = self.shared.waker.clone();
        loop {
            waker.clear();
            if let Some(v) = ready() {
                return Ok(v);
            }
            if self.interrupted() {
                // What arrived may also be what we wait for (a signal of
                // rt_sigtimedwait's set, data with a signal): take it.
                return ready().ok_or(Errno::ERESTARTSYS);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Errno::ETIMEDOUT);
            }
            waker.sleep(deadline);
        }
    }

    /// Builds the task from its seed, on the host thread that will run it.
    fn from_seed(kernel: Arc<Kernel>, seed: TaskSeed) -> Result<Task, platform::PlatformError> {
        let mut ctx = match seed.start {
            Start::Thread(t) => t.attach()?,
            Start::Fork => {
                let (space, ctx) = kernel.platform.new_address_space()?;
                if seed.mm.attach(space).is_err() {
                    return Err(platform::PlatformError::StubStart {
                        why: "map the forked memory".into(),
                    });
                }
                ctx
            }
        };
        ctx.set_fp_state(&seed.fp)?;
        Ok(Task {
            kernel,
            tid: seed.tid,
            tgid: seed.tgid,
            shared: seed.shared,
            ctx,
            creds: seed.creds,
            mm: seed.mm,
            fds: seed.fds,
            regs: seed.regs,
            rlimits: seed.rlimits,
            fs: seed.fs,
            clear_child_tid: seed.clear_child_tid,
            robust_list: 0,
            robust_list_len: 0,
            flags: seed.flags,
            alt_stack: seed.alt_stack,
            saved_mask: None,
            restart: None,
            trap: TrapInfo::default(),
            vfork_done: seed.vfork_done,
        })
    }
}

/// What the sandbox's first process starts with.
#[derive(Debug)]
pub struct InitSpec {
    pub creds: Credentials,
    pub fds: FdTable,
    pub rlimits: Vec<Rlimit>,
    pub fs: FsContext,
    pub comm: Vec<u8>,
    pub flags: ProcessFlags,
    pub regs: Registers,
}

impl Task {
    /// The sandbox's init (pid 1, its own group and session), entered in
    /// the process tree, running in `mm` through `ctx` on this host thread.
    pub fn new_init(
        kernel: Arc<Kernel>,
        ctx: Box<dyn Context>,
        mm: Arc<MemoryManager>,
        spec: InitSpec,
    ) -> Task {
        let shared = Arc::new(TaskShared::default());
        *shared.comm.lock() = spec.comm;
        let rlimits = Arc::new(Mutex::new(spec.rlimits));
        {
            let mut tree = kernel.tree.lock();
            let tid = tree.alloc_pid().expect("pid 1 is free");
            debug_assert_eq!(tid, 1);
            let mut proc = super::process::Process::new(1, 0, spec.creds.ruid);
            proc.rlimits = rlimits.clone();
            tree.add_process(proc, 0, shared.clone());
        }
        let task = Task {
            kernel,
            tid: 1,
            tgid: 1,
            shared,
            ctx,
            creds: spec.creds,
            mm,
            fds: Arc::new(Mutex::new(spec.fds)),
            regs: spec.regs,
            rlimits,
            fs: Arc::new(Mutex::new(spec.fs)),
            clear_child_tid: 0,
            robust_list: 0,
            robust_list_len: 0,
            flags: spec.flags,
            alt_stack: AltStack::default(),
            saved_mask: None,
            restart: None,
            trap: TrapInfo::default(),
            vfork_done: None,
        };
        task.publish();
        task
    }
}

/// Starts a host thread for a new task. The tree already holds the task.
pub fn spawn(kernel: &Arc<Kernel>, seed: TaskSeed) -> Result<(), Errno> {
    let k = kernel.clone();
    kernel.thread_started();
    let tid = seed.tid;
    let r = std::thread::Builder::new()
        .name(format!("task-{tid}"))
        .spawn(move || {
            if let Some(cpu) = seed.cpu {
                platform::pin_to_cpu(cpu);
            }
            let shared = seed.shared.clone();
            let tid = seed.tid;
            let vfork = seed.vfork_done.clone();
            match Task::from_seed(k.clone(), seed) {
                Ok(task) => {
                    run(task);
                }
                Err(e) => {
                    eprintln!("runsc: cannot start task {tid}: {e}");
                    if let Some(v) = vfork {
                        v.complete();
                    }
                    drop(shared);
                    let mut tree = k.tree.lock();
                    let tgid = tree.threads.get(&tid).map_or(tid, |t| t.tgid);
                    tree.group_exit(tgid, ExitStatus::Signaled(SIGKILL));
                    tree.remove_thread(tid, ExitStatus::Signaled(SIGKILL), Default::default());
                }
            }
            k.thread_ended();
        });
    if r.is_err() {
        kernel.thread_ended();
        return Err(Errno::EAGAIN);
    }
    Ok(())
}

/// The task loop. Returns the thread's exit status once it has exited.
pub fn run(mut task: Task) -> ExitStatus {
    task.shared.set_interrupter(Some(task.ctx.interrupter()));
    task.note_host_pid();
    super::sigfiles::set_current(&task.kernel, task.tid);
    let me = nix::unistd::gettid().as_raw();
    task.shared.host_tid.store(me, Ordering::Relaxed);
    task.shared
        .sentry_base_ns
        .store(super::process::host_thread_cpu_ns(me), Ordering::Relaxed);
    let mut runs_in: *const MemoryManager = std::ptr::null();
    let status = loop {
        if !std::ptr::eq(runs_in, Arc::as_ptr(&task.mm)) {
            // First run in this address space (at start, after exec).
            runs_in = Arc::as_ptr(&task.mm);
            let kick: Arc<dyn crate::mm::Kick> = task.shared.clone();
            task.mm.add_runner(Arc::downgrade(&kick));
        }
        // Mapping changes made from outside, before the application runs
        // (a kick after this look sees `in_app` below and interrupts).
        task.mm.catch_up();
        // Announce that the application runs before the last look at
        // attention: a kicker that sets attention after this sees
        // `in_app` and interrupts the switch.
        task.shared.in_app.store(true, Ordering::SeqCst);
        if task.shared.attention.load(Ordering::SeqCst) {
            task.shared.in_app.store(false, Ordering::SeqCst);
            if !whole_registers(&mut task) {
                break platform_failure(&task);
            }
            if let Some(s) = handle_signals(&mut task, None) {
                break s;
            }
            continue;
        }
        let entered = Instant::now();
        let switched = task.ctx.switch(&mut task.regs);
        let ran = u64::try_from(entered.elapsed().as_nanos()).unwrap_or(u64::MAX);
        task.shared.app_ns.fetch_add(ran, Ordering::Relaxed);
        task.shared.in_app.store(false, Ordering::SeqCst);
        let event = match switched {
            Ok(e) => e,
            Err(e) => {
                eprintln!("runsc: platform failure in task {}: {e}", task.tid);
                break platform_failure(&task);
            }
        };
        match event {
            Event::Syscall => {
                let nr = u32::try_from(task.regs.orig_rax).unwrap_or(u32::MAX);
                if syscalls::NEEDS_REGISTERS.contains(&nr) && !whole_registers(&mut task) {
                    break platform_failure(&task);
                }
                let before = task.regs;
                match syscalls::dispatch(&mut task) {
                    Outcome::Return(v) => {
                        task.regs.rax = v;
                        if task.shared.attention.load(Ordering::SeqCst)
                            || task.saved_mask.is_some()
                            || is_restart(v).is_some()
                        {
                            if !whole_registers(&mut task) {
                                break platform_failure(&task);
                            }
                            if let Some(s) = handle_signals(&mut task, Some(&before)) {
                                break s;
                            }
                        }
                    }
                    Outcome::Stop(Control::ExitThread(s)) => break s,
                    Outcome::Stop(Control::ExitGroup(s)) => {
                        task.kernel.tree.lock().group_exit(task.tgid, s);
                        break s;
                    }
                    Outcome::Stop(Control::Resume) => {}
                }
            }
            Event::Fault(f) => {
                let retry = match f.signo {
                    libc::SIGSEGV => task.mm.handle_fault(f.addr, syscalls::stack_limit(&task)),
                    libc::SIGBUS => task.mm.handle_bus_fault(f.addr),
                    _ => false,
                };
                if !retry {
                    task.trap = trap_info(&task, &f);
                    force_signal(&task, Siginfo::fault(f.signo, f.code, f.addr));
                }
            }
            Event::Interrupted => {}
        }
        if task.mm.is_broken() {
            break platform_failure(&task);
        }
    };
    exit_thread(task, status)
}

/// Makes `task.regs` whole (a platform may report a system call with its
/// arguments only); false after a platform failure, which it reports.
fn whole_registers(task: &mut Task) -> bool {
    match task.ctx.full_registers(&mut task.regs) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("runsc: platform failure in task {}: {e}", task.tid);
            false
        }
    }
}

fn platform_failure(task: &Task) -> ExitStatus {
    let s = ExitStatus::Signaled(SIGKILL);
    task.kernel.tree.lock().group_exit(task.tgid, s);
    s
}

/// The `sigcontext` fault fields Linux would report for a fault: the CPU's
/// when the platform has them, else worked out from the fault.
fn trap_info(task: &Task, f: &platform::Fault) -> TrapInfo {
    const X86_TRAP_PF: u64 = 14;
    const X86_TRAP_DE: u64 = 0;
    const X86_TRAP_UD: u64 = 6;
    const X86_TRAP_BP: u64 = 3;
    const X86_TRAP_GP: u64 = 13;
    if let Some(cpu) = f.cpu {
        let cr2 = if cpu.trapno == X86_TRAP_PF {
            f.addr
        } else {
            task.trap.cr2
        };
        return TrapInfo {
            err: cpu.err,
            trapno: cpu.trapno,
            cr2,
        };
    }
    match f.signo {
        libc::SIGSEGV | libc::SIGBUS if f.code > 0 && f.code < 0x80 => {
            // User mode (4); present (1) for an access error; an instruction
            // fetch (0x10) when the fault is at the instruction; otherwise a
            // write (2) when an access error hit a readable page.
            let fetch = f.addr == task.regs.rip;
            let access_error = f.code == abi::signal::SEGV_ACCERR;
            let mut err = 4;
            if access_error {
                err |= 1;
            }
            if fetch {
                err |= 0x10;
            } else if access_error
                && task.mm.readable_prefix(f.addr, 1) > 0
                && task.mm.writable_prefix(f.addr, 1) == 0
            {
                err |= 2;
            }
            TrapInfo {
                err,
                trapno: X86_TRAP_PF,
                cr2: f.addr,
            }
        }
        libc::SIGSEGV => TrapInfo {
            err: 0,
            trapno: X86_TRAP_GP,
            cr2: task.trap.cr2,
        },
        libc::SIGFPE => TrapInfo {
            err: 0,
            trapno: X86_TRAP_DE,
            cr2: task.trap.cr2,
        },
        libc::SIGILL => TrapInfo {
            err: 0,
            trapno: X86_TRAP_UD,
            cr2: task.trap.cr2,
        },
        _ => TrapInfo {
            err: 0,
            trapno: X86_TRAP_BP,
            cr2: task.trap.cr2,
        },
    }
}

/// Linux's `force_sig_info`: a synchronous signal the thread cannot
/// block or ignore; if it tries, the signal's default action applies.
pub fn force_signal(task: &Task, info: Siginfo) {
    let sig = info.si_signo;
    let mut tree = task.kernel.tree.lock();
    let Some(t) = tree.threads.get(&task.tid) else {
        return;
    };
    let blocked = t.mask & sigmask(sig) != 0;
    if let Some(p) = tree.procs.get(&task.tgid) {
        let mut acts = p.actions.lock();
        let mut act = acts.get(sig);
        if act.sa_handler == SIG_IGN || blocked {
            act.sa_handler = SIG_DFL;
            acts.set(sig, act);
        }
    }
    if blocked {
        let m = tree.mask(task.tid) & !sigmask(sig);
        tree.set_mask(task.tid, m);
    }
    tree.send_to_thread(task.tid, info);
}

fn is_restart(v: u64) -> Option<Errno> {
    let e = Errno::from_raw(i32::try_from(v.wrapping_neg()).ok()?);
    matches!(
        e,
        Errno::ERESTARTSYS
            | Errno::ERESTARTNOINTR
            | Errno::ERESTARTNOHAND
            | Errno::ERESTART_RESTARTBLOCK
    )
    .then_some(e)
}

fn errno_value(e: Errno) -> u64 {
    crate::arch::return_value(Err(e))
}

/// Delivers pending signals at a return to the application, applying
/// Linux's restart rules to the syscall that just returned (`syscall`
/// holds its registers at entry). Returns the exit status when the task
/// must exit instead.
fn handle_signals(task: &mut Task, syscall: Option<&Registers>) -> Option<ExitStatus> {
    let mut restart = syscall.and_then(|_| is_restart(task.regs.rax));
    loop {
        task.shared.attention.store(false, Ordering::SeqCst);
        let mut tree = task.kernel.tree.lock();
        let Some(p) = tree.procs.get(&task.tgid) else {
            return Some(ExitStatus::Signaled(SIGKILL));
        };
        if let ProcState::Exiting(s) | ProcState::Zombie(s) = p.state {
            return Some(s);
        }
        if tree.threads.get(&task.tid).is_some_and(|t| t.killed) {
            return Some(ExitStatus::Signaled(SIGKILL));
        }
        if p.stopped {
            drop(tree);
            let waker = task.shared.waker.clone();
            waker.clear();
            let still = {
                let tree = task.kernel.tree.lock();
                tree.procs
                    .get(&task.tgid)
                    .is_some_and(|p| p.stopped && p.state == ProcState::Running)
            };
            if still {
                waker.sleep(None);
            }
            continue;
        }
        let mask = tree.mask(task.tid);
        let Some(info) = tree.dequeue(task.tid, mask) else {
            break;
        };
        let sig = info.si_signo;
        let actions = tree.procs[&task.tgid].actions.clone();
        let act = actions.lock().get(sig);
        if act.sa_handler == SIG_IGN {
            continue;
        }
        if act.sa_handler == SIG_DFL {
            match default_action(sig) {
                DefaultAction::Ignore | DefaultAction::Continue => continue,
                DefaultAction::Stop => {
                    tree.group_stop(task.tgid, sig);
                    continue;
                }
                DefaultAction::Terminate | DefaultAction::CoreDump => {
                    let s = ExitStatus::Signaled(sig);
                    tree.group_exit(task.tgid, s);
                    return Some(s);
                }
            }
        }
        // A handler: fix up the interrupted syscall, push a frame.
        let flags = SigactionFlags::from_bits_retain(act.sa_flags);
        if let (Some(e), Some(entry)) = (restart.take(), syscall) {
            let restart_it = match e {
                Errno::ERESTARTNOINTR => true,
                Errno::ERESTARTSYS => flags.contains(SigactionFlags::SA_RESTART),
                _ => false,
            };
            if restart_it {
                task.regs.rax = entry.orig_rax;
                task.regs.rip -= 2;
            } else {
                task.regs.rax = errno_value(Errno::EINTR);
            }
        }
        let old_mask = task.saved_mask.take().unwrap_or(mask);
        let mut new_mask = mask | act.sa_mask;
        if !flags.contains(SigactionFlags::SA_NODEFER) {
            new_mask |= sigmask(sig);
        }
        if flags.contains(SigactionFlags::SA_RESETHAND) {
            actions.lock().set(sig, abi::types::Sigaction::default());
        }
        drop(tree);
        if !push_frame(task, &info, &act, old_mask) {
            // Linux's force_sigsegv: the frame could not be written.
            let s = ExitStatus::Signaled(SIGSEGV);
            task.kernel.tree.lock().group_exit(task.tgid, s);
            return Some(s);
        }
        task.kernel.tree.lock().set_mask(task.tid, new_mask);
    }
    // No handler ran: restart the interrupted call.
    if let (Some(e), Some(entry)) = (restart, syscall) {
        task.regs.rip -= 2;
        task.regs.rax = if e == Errno::ERESTART_RESTARTBLOCK {
            u64::from(abi::sysno::RESTART_SYSCALL)
        } else {
            entry.orig_rax
        };
    }
    if let Some(m) = task.saved_mask.take() {
        task.kernel.tree.lock().set_mask(task.tid, m);
    }
    None
}

/// Writes the handler's frame and points the task at the handler.
fn push_frame(
    task: &mut Task,
    info: &Siginfo,
    act: &abi::types::Sigaction,
    old_mask: SigSet,
) -> bool {
    let Ok(fp) = task.ctx.fp_state() else {
        return false;
    };
    let req = FrameRequest {
        regs: &task.regs,
        fp: &fp.bytes,
        info,
        action: act,
        old_mask,
        alt: &task.alt_stack,
        trap: task.trap,
    };
    let Ok(frame) = build_frame(&req) else {
        return false;
    };
    if task.mm.copy_out(frame.sp, &frame.bytes).is_err() {
        return false;
    }
    if task.alt_stack.flags & abi::signal::SS_AUTODISARM != 0 {
        task.alt_stack = AltStack::default();
    }
    task.regs = frame.regs;
    // The handler starts with a clean FPU, as on Linux.
    task.ctx.set_fp_state(&FpState::initial(&fp)).is_ok()
}

use abi::futex::{FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS, ROBUST_LIST_LIMIT};

/// Linux's `exit_robust_list`: marks every futex the thread still holds as
/// owner-died and wakes a waiter of each.
fn exit_robust_list(task: &Task) {
    if task.robust_list == 0 {
        return;
    }
    let Ok(head) = task
        .mm
        .read_obj::<abi::types::RobustListHead>(task.robust_list)
    else {
        return;
    };
    let mut entry = head.list;
    let pending = head.list_op_pending;
    let mut seen = 0;
    while entry != task.robust_list && seen < ROBUST_LIST_LIMIT {
        let Ok(next) = task.mm.read_obj::<u64>(entry & !1) else {
            return;
        };
        if entry != pending {
            handle_robust_futex(task, entry, head.futex_offset);
        }
        entry = next;
        seen += 1;
    }
    if pending != 0 {
        handle_robust_futex(task, pending, head.futex_offset);
    }
}

fn handle_robust_futex(task: &Task, entry: u64, offset: i64) {
    let pi = entry & 1 != 0;
    let addr = (entry & !1).wrapping_add_signed(offset);
    let tid = task.tid.cast_unsigned();
    let old = task.mm.update_u32(addr, |v| {
        (v & FUTEX_TID_MASK == tid).then_some((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED)
    });
    let Ok(v) = old else { return };
    if v & FUTEX_TID_MASK != tid {
        return;
    }
    if pi {
        // The lock passes to the first PI waiter, owner-died set, as
        // Linux's exit_pi_state_list does.
        for private in [true, false] {
            let Ok(key) = task.mm.futex_key(addr, private) else {
                continue;
            };
            let mm = task.mm.clone();
            let _ = task.kernel.futexes.unlock_pi(key, |next| {
                if let Some((w, more)) = next {
                    let waiters = if more { FUTEX_WAITERS } else { 0 };
                    let new = w.cast_unsigned() | FUTEX_OWNER_DIED | waiters;
                    mm.update_u32(addr, |_| Some(new))?;
                }
                Ok(())
            });
        }
    } else if v & FUTEX_WAITERS != 0 {
        if let Ok(key) = task.mm.futex_key(addr, false) {
            let _ = task.kernel.futexes.wake(key, 1, u32::MAX);
        }
    }
}

/// Linux's `mm_release` hooks, at exit and exec: robust futexes are
/// released and the child-tid word is cleared, waking its waiter.
pub fn release_thread_hooks(task: &mut Task) {
    exit_robust_list(task);
    task.robust_list = 0;
    if task.clear_child_tid != 0 {
        let addr = std::mem::take(&mut task.clear_child_tid);
        if task.mm.write_obj(addr, &0u32).is_ok() {
            if let Ok(key) = task.mm.futex_key(addr, false) {
                let _ = task.kernel.futexes.wake(key, 1, u32::MAX);
            }
        }
    }
}

/// The exit path of a task's thread.
fn exit_thread(mut task: Task, status: ExitStatus) -> ExitStatus {
    if let Some(v) = task.vfork_done.take() {
        v.complete();
    }
    // Signals for the thread find it gone from here on: a joiner woken by
    // the child-tid word below must not reach it with tgkill in the moment
    // before it leaves the tree (Linux's window there is too short to see;
    // the memory must go before the process is seen to exit, so the tree
    // is left last).
    if let Some(e) = task.kernel.tree.lock().threads.get_mut(&task.tid) {
        e.exited = true;
    }
    release_thread_hooks(&mut task);
    task.shared.set_interrupter(None);
    let kernel = task.kernel.clone();
    let tid = task.tid;
    let tgid = task.tgid;
    let cpu = task.shared.cpu();
    // What /proc saw of the task holds its memory and files: they go now,
    // as on Linux, not when the tree forgets the thread.
    task.shared.view.lock().take();
    // The stub thread goes back to its pool; the memory goes with its last
    // user.
    drop(task);
    let ended = {
        let mut tree = kernel.tree.lock();
        // The last thread applies the process's semaphore adjustments
        // before its parent can see it exit, as Linux's exit_sem.
        if tree.is_last_thread(tid) {
            kernel.ipc.exit_process(tgid);
        }
        tree.remove_thread(tid, status, cpu)
    };
    ended.unwrap_or(status)
}
