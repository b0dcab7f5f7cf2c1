//! The process tree and the signal state that spans tasks: the sandbox's
//! PID namespace, parents and children, process groups and sessions,
//! pending signals and their delivery targets, group exit and group stop.
//!
//! All of it sits behind one lock, `Kernel::tree` (like Linux's
//! `tasklist_lock` and `siglock` together): the operations that cross tasks
//! are short, and one lock leaves no lock order to get wrong. Nothing blocks
//! while holding it. A terminal's state lock may be taken under it
//! (`fsimpl::tty` never takes the tree's lock while holding its own).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use abi::signal::{
    sigmask, SigactionFlags, CLD_CONTINUED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SIGCHLD, SIGCONT,
    SIGKILL, SIG_DFL,
};
use abi::types::Siginfo;
use abi::Errno;
use parking_lot::Mutex;
use platform::Interrupter;

use super::signal::{
    default_action, DefaultAction, SigActions, SigQueue, SigSet, SiginfoExt, STOP_SIGNALS,
};
use super::wait::{WaitQueue, Waker};
use super::ExitStatus;

/// The largest pid, as Linux's `pid_max` on a systemd host.
pub const PID_MAX: i32 = 4_194_304;

/// init's timer slack, which every task inherits (`init_task`'s 50 us).
pub const DEFAULT_TIMER_SLACK_NS: u64 = 50_000;

/// `MMF_DUMP_FILTER_DEFAULT`: anonymous private and shared memory, ELF
/// headers and private huge pages.
pub const DEFAULT_COREDUMP_FILTER: u32 = 0x33;

/// What other tasks hold of a task: how to wake it and interrupt it.
#[derive(Debug, Default)]
pub struct TaskShared {
    pub waker: Arc<Waker>,
    /// Something needs the task's attention at its next return to the
    /// application (a signal, a stop, an exit).
    pub attention: AtomicBool,
    /// The task is running (or about to run) application code: a kick
    /// must interrupt the platform, not just the sentry-side sleep.
    pub in_app: AtomicBool,
    interrupter: Mutex<Option<Interrupter>>,
    /// Time spent running application code, in ns.
    pub app_ns: std::sync::atomic::AtomicU64,
    /// The host thread serving the task, and its CPU clock at the start.
    pub host_tid: std::sync::atomic::AtomicI32,
    pub sentry_base_ns: std::sync::atomic::AtomicU64,
    /// `comm`: the thread's name, at most 15 bytes. Kept here, not in the
    /// task, because a write to `/proc/pid/comm` renames it from another
    /// thread.
    pub comm: Mutex<Vec<u8>>,
    /// What `/proc` reads of the task, published by the task itself
    /// ([`super::Task::publish`]) whenever one of these changes; `None`
    /// once it has exited.
    pub view: Mutex<Option<TaskView>>,
    /// What the read and write families moved (`/proc/pid/io`).
    pub io: IoCounters,
    /// The task's seccomp mode and filters: here, not in the task,
    /// because TSYNC sets them from another thread and `/proc` reads them.
    pub seccomp: super::seccomp::SeccompCell,
}

/// A task's I/O accounting, Linux's `task_io_accounting`: the bytes and
/// calls of the read and write families. Kept here, not in the task, so
/// `/proc` reads a running task's counts.
#[derive(Debug, Default)]
pub struct IoCounters {
    rchar: std::sync::atomic::AtomicU64,
    wchar: std::sync::atomic::AtomicU64,
    syscr: std::sync::atomic::AtomicU64,
    syscw: std::sync::atomic::AtomicU64,
}

/// The counts of one or more tasks' [`IoCounters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoTotals {
    pub rchar: u64,
    pub wchar: u64,
    pub syscr: u64,
    pub syscw: u64,
}

impl IoCounters {
    /// Linux's `add_rchar` and `inc_syscr`: one read-family call that
    /// reached a file and moved `bytes`.
    pub fn read(&self, bytes: u64) {
        self.rchar.fetch_add(bytes, Ordering::Relaxed);
        self.syscr.fetch_add(1, Ordering::Relaxed);
    }

    /// Linux's `add_wchar` and `inc_syscw`.
    pub fn wrote(&self, bytes: u64) {
        self.wchar.fetch_add(bytes, Ordering::Relaxed);
        self.syscw.fetch_add(1, Ordering::Relaxed);
    }

    pub fn totals(&self) -> IoTotals {
        IoTotals {
            rchar: self.rchar.load(Ordering::Relaxed),
            wchar: self.wchar.load(Ordering::Relaxed),
            syscr: self.syscr.load(Ordering::Relaxed),
            syscw: self.syscw.load(Ordering::Relaxed),
        }
    }
}

impl std::ops::AddAssign for IoTotals {
    fn add_assign(&mut self, o: IoTotals) {
        self.rchar += o.rchar;
        self.wchar += o.wchar;
        self.syscr += o.syscr;
        self.syscw += o.syscw;
    }
}

/// The parts of a task that `/proc` shows to other tasks.
#[derive(Clone, Debug)]
pub struct TaskView {
    pub creds: super::Credentials,
    pub mm: Arc<crate::mm::MemoryManager>,
    pub fds: Arc<Mutex<crate::fd::FdTable>>,
    pub fs: Arc<Mutex<crate::vfs::FsContext>>,
    pub dumpable: bool,
    pub no_new_privs: bool,
    pub personality: u32,
}

impl TaskView {
    /// Linux's `__ptrace_may_access` from another process: the caller's
    /// user and group ids (its filesystem ids with `fs_ids`, else its
    /// real ones) equal the target's real, effective and saved ids and the
    /// target is dumpable, or the caller has CAP_SYS_PTRACE.
    pub fn may_be_accessed_by(&self, caller: &super::Credentials, fs_ids: bool) -> bool {
        let (uid, gid) = if fs_ids {
            (caller.fsuid, caller.fsgid)
        } else {
            (caller.ruid, caller.rgid)
        };
        let c = &self.creds;
        let same = [c.ruid, c.euid, c.suid].iter().all(|&u| u == uid)
            && [c.rgid, c.egid, c.sgid].iter().all(|&g| g == gid);
        caller.has_cap(crate::creds::CAP_SYS_PTRACE) || (same && self.dumpable)
    }
}

impl crate::mm::Kick for TaskShared {
    fn kick(&self) {
        TaskShared::kick(self);
    }
}

impl TaskShared {
    /// Makes the task look at its signals soon: wakes it if it sleeps in
    /// the sentry and interrupts it if it runs application code.
    pub fn kick(&self) {
        self.attention.store(true, Ordering::SeqCst);
        self.waker.wake();
        if self.in_app.load(Ordering::SeqCst) {
            if let Some(i) = *self.interrupter.lock() {
                i.interrupt();
            }
        }
    }

    pub fn set_interrupter(&self, i: Option<Interrupter>) {
        *self.interrupter.lock() = i;
    }

    /// The task's CPU time: application time as user time, the serving
    /// host thread's CPU time as system time.
    pub fn cpu(&self) -> Ticks {
        let tid = self.host_tid.load(Ordering::Relaxed);
        let sys = if tid > 0 {
            host_thread_cpu_ns(tid).saturating_sub(self.sentry_base_ns.load(Ordering::Relaxed))
        } else {
            0
        };
        Ticks {
            user: i64::try_from(self.app_ns.load(Ordering::Relaxed)).unwrap_or(i64::MAX),
            system: i64::try_from(sys).unwrap_or(i64::MAX),
        }
    }
}

/// The CPU time of a host thread of the sentry, in ns.
pub fn host_thread_cpu_ns(tid: i32) -> u64 {
    // MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED): another sentry thread's
    // clock is readable, as it is in our thread group.
    u64::try_from(super::clock_ns((!tid << 3) | 4 | 2)).unwrap_or(0)
}

impl std::ops::AddAssign for Ticks {
    fn add_assign(&mut self, o: Ticks) {
        self.user += o.user;
        self.system += o.system;
    }
}

impl Ticks {
    /// In clock ticks (USER_HZ, 100), as SIGCHLD's `si_utime` wants.
    pub fn clock_ticks(self) -> (i64, i64) {
        (self.user / 10_000_000, self.system / 10_000_000)
    }
}

/// One thread, as the tree sees it.
#[derive(Debug)]
pub struct ThreadEntry {
    pub tgid: i32,
    pub mask: SigSet,
    /// The mask before rt_sigtimedwait lowered it: signals in it are
    /// waited for, so never fatal on arrival.
    pub real_blocked: SigSet,
    pub pending: SigQueue,
    /// Killed alone, while its process goes on (another thread's execve).
    pub killed: bool,
    /// Past the point of no return of its exit: thread-directed signals
    /// find it gone (ESRCH).
    pub exited: bool,
    /// PR_SET_PDEATHSIG: sent to this thread's process when the thread
    /// that created it exits.
    pub pdeath_signal: i32,
    /// sched_setaffinity's mask over the sandbox's CPUs (recorded; the
    /// sentry places host threads itself).
    pub affinity: u64,
    /// sched_setscheduler's policy and priority (recorded).
    pub sched_policy: i32,
    pub sched_priority: i32,
    /// The nice value, -20..=19 (per thread, as on Linux).
    pub nice: i32,
    /// ioprio_set's I/O priority (class and data; 0 is "none": the I/O
    /// priority follows the nice value).
    pub ioprio: u16,
    /// PR_SET_TIMERSLACK's value and what 0 restores (recorded; the
    /// sentry's timers do not batch wake-ups), in ns.
    pub timer_slack_ns: u64,
    pub default_timer_slack_ns: u64,
    pub shared: Arc<TaskShared>,
    /// When the thread was created (`/proc/pid/task/tid/stat`).
    pub started: std::time::Instant,
}

impl ThreadEntry {
    /// Whether it runs under SCHED_FIFO, SCHED_RR or SCHED_DEADLINE.
    pub fn real_time(&self) -> bool {
        matches!(self.sched_policy, 1 | 2 | 6)
    }

    /// PR_SET_TIMERSLACK and `/proc/pid/timerslack_ns`: 0 restores the
    /// default.
    pub fn set_timer_slack(&mut self, ns: u64) {
        self.timer_slack_ns = if ns == 0 {
            self.default_timer_slack_ns
        } else {
            ns
        };
    }
}

/// How far a process is from gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcState {
    Running,
    /// Its threads are exiting with this status.
    Exiting(ExitStatus),
    /// All threads are gone; the parent has not reaped it.
    Zombie(ExitStatus),
}

/// A state change a parent's `wait` may report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    Stopped(i32),
    Continued,
}

/// CPU time in nanoseconds: user (application code) and system (the
/// sentry serving it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ticks {
    pub user: i64,
    pub system: i64,
}

/// One process (thread group).
#[derive(Debug)]
pub struct Process {
    pub tgid: i32,
    /// 0 for init.
    pub parent: i32,
    /// The parent's thread that created it (its exit fires PDEATHSIG).
    pub creator_tid: i32,
    pub children: BTreeSet<i32>,
    /// Live threads, in creation order.
    pub threads: Vec<i32>,
    pub pgid: i32,
    pub sid: i32,
    pub uid: u32,
    pub actions: Arc<Mutex<SigActions>>,
    pub pending: SigQueue,
    pub state: ProcState,
    /// The signal the parent gets at exit (`CLONE` low byte; SIGCHLD for fork).
    pub exit_signal: i32,
    pub subreaper: bool,
    /// Group-stopped: every thread waits for SIGCONT.
    pub stopped: bool,
    /// An unreported stop or continue, for `wait`.
    pub report: Option<Report>,
    /// Woken when a child changes state.
    pub child_events: Arc<WaitQueue>,
    /// CPU time of the process at exit, and of its reaped children.
    pub ticks: Ticks,
    pub children_ticks: Ticks,
    /// CPU time of the threads that have exited.
    pub dead: Ticks,
    /// The I/O counts of its exited threads.
    pub dead_io: IoTotals,
    /// Has exec'd since fork (setpgid on such a child is EACCES).
    pub did_exec: bool,
    /// ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF.
    pub itimers: [ITimer; 3],
    /// POSIX timers by id.
    pub timers: HashMap<i32, PosixTimer>,
    /// The host process running the application (CPU clocks).
    pub host_pid: i32,
    /// The process's resource limits (shared with its tasks), for
    /// prlimit64 on another pid.
    pub rlimits: Arc<Mutex<Vec<abi::types::Rlimit>>>,
    /// Signalfd readers and pollers: told of every signal sent here.
    pub signal_events: Arc<WaitQueue>,
    /// pidfd pollers: told when the process exits.
    pub exit_events: Arc<WaitQueue>,
    /// When the process was created: its start time in `/proc/pid/stat`,
    /// and with its pid what tells it from a later one with the same pid.
    pub started: std::time::Instant,
    /// The executable (`/proc/pid/exe`), set by exec and inherited.
    pub exe: Option<crate::vfs::Location>,
    /// `/proc/pid/oom_score_adj` (recorded; the sandbox kills nothing for
    /// memory).
    pub oom_score_adj: i32,
    /// `/proc/pid/coredump_filter`: Linux keeps it in the mm's flags,
    /// inherited by fork and kept by exec (recorded; the sandbox writes
    /// no core files).
    pub coredump_filter: u32,
    /// On a session leader: the session's controlling terminal.
    pub ctty: Option<Arc<crate::fsimpl::tty::Terminal>>,
}

/// A setitimer(2) timer. Real timers keep a wall deadline; CPU ones an
/// expiry on the process's CPU clock, checked by sampling.
#[derive(Clone, Copy, Debug, Default)]
pub struct ITimer {
    /// Wall deadline (ITIMER_REAL) or CPU-clock expiry in ns (the others).
    pub deadline: Option<std::time::Instant>,
    pub cpu_expiry_ns: Option<i128>,
    pub interval: std::time::Duration,
    /// The timer service's id while armed.
    pub armed: Option<u64>,
    /// Bumped at every set, so a stale firing does nothing.
    pub generation: u64,
}

/// How a POSIX timer notifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigevNotify {
    None,
    /// A signal to the process.
    Signal {
        signo: i32,
        value: u64,
    },
    /// A signal to one thread.
    Thread {
        signo: i32,
        value: u64,
        tid: i32,
    },
}

/// A timer_create(2) timer.
#[derive(Clone, Debug)]
pub struct PosixTimer {
    pub clock: i32,
    /// For CPU-time clocks: the host clock (of the stub process or thread)
    /// sampled to find expiry.
    pub cpu_clock: Option<i32>,
    pub notify: SigevNotify,
    pub timer: ITimer,
    /// Expirations while the signal was still queued.
    pub overrun: i32,
    /// The overrun count of the last delivered signal (timer_getoverrun).
    pub overrun_last: i32,
    pub queued: bool,
}

impl Process {
    /// A running process with no threads yet, in its own group and session
    /// until the caller says otherwise.
    pub fn new(tgid: i32, parent: i32, uid: u32) -> Process {
        Process {
            tgid,
            parent,
            creator_tid: parent,
            children: BTreeSet::new(),
            threads: Vec::new(),
            pgid: tgid,
            sid: tgid,
            uid,
            actions: Arc::default(),
            pending: SigQueue::default(),
            state: ProcState::Running,
            exit_signal: SIGCHLD,
            subreaper: false,
            stopped: false,
            report: None,
            child_events: Arc::default(),
            ticks: Ticks::default(),
            children_ticks: Ticks::default(),
            dead: Ticks::default(),
            dead_io: IoTotals::default(),
            did_exec: false,
            itimers: [ITimer::default(); 3],
            timers: HashMap::new(),
            host_pid: 0,
            rlimits: Arc::default(),
            signal_events: Arc::default(),
            exit_events: Arc::default(),
            started: std::time::Instant::now(),
            exe: None,
            oom_score_adj: 0,
            coredump_filter: DEFAULT_COREDUMP_FILTER,
            ctty: None,
        }
    }
}

/// The sandbox's processes and threads.
#[derive(Debug, Default)]
pub struct Tree {
    pub threads: HashMap<i32, ThreadEntry>,
    pub procs: HashMap<i32, Process>,
    last_pid: i32,
    /// Processes created since boot (`processes` in `/proc/stat`).
    forks: u64,
}

/// Who a kill(2)-style call is aimed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Process(i32),
    Group(i32),
    /// Every process but init and the sender's own.
    All {
        sender: i32,
    },
}

impl Tree {
    /// Allocates the next free pid after the last one, as Linux does,
    /// skipping ids still in use as a thread, process, group or session.
    pub fn alloc_pid(&mut self) -> Result<i32, Errno> {
        let in_use = |t: &Tree, p: i32| {
            t.threads.contains_key(&p)
                || t.procs.contains_key(&p)
                || t.procs.values().any(|x| x.pgid == p || x.sid == p)
        };
        let mut p = self.last_pid;
        for _ in 0..PID_MAX {
            p = if p >= PID_MAX - 1 { 1 } else { p + 1 };
            if !in_use(self, p) {
                self.last_pid = p;
                return Ok(p);
            }
        }
        Err(Errno::EAGAIN)
    }

    /// The pid allocated last (`/proc/loadavg`).
    pub fn last_pid(&self) -> i32 {
        self.last_pid
    }

    /// How many processes were created since boot.
    pub fn forks(&self) -> u64 {
        self.forks
    }

    /// Registers a new process with its first thread.
    pub fn add_process(&mut self, proc: Process, mask: SigSet, shared: Arc<TaskShared>) {
        let tgid = proc.tgid;
        if proc.parent != 0 {
            if let Some(p) = self.procs.get_mut(&proc.parent) {
                p.children.insert(tgid);
            }
        }
        self.procs.insert(tgid, proc);
        self.forks += 1;
        self.add_thread(tgid, tgid, mask, shared);
    }

    /// Registers a thread of an existing process.
    pub fn add_thread(&mut self, tgid: i32, tid: i32, mask: SigSet, shared: Arc<TaskShared>) {
        self.threads.insert(
            tid,
            ThreadEntry {
                tgid,
                mask,
                real_blocked: 0,
                pending: SigQueue::default(),
                killed: false,
                exited: false,
                pdeath_signal: 0,
                affinity: u64::MAX,
                sched_policy: 0,
                sched_priority: 0,
                nice: 0,
                ioprio: 0,
                timer_slack_ns: DEFAULT_TIMER_SLACK_NS,
                default_timer_slack_ns: DEFAULT_TIMER_SLACK_NS,
                shared,
                started: std::time::Instant::now(),
            },
        );
        if let Some(p) = self.procs.get_mut(&tgid) {
            if !p.threads.contains(&tid) {
                p.threads.push(tid);
            }
        }
    }

    pub fn proc_of(&self, tid: i32) -> Option<&Process> {
        let tgid = self.threads.get(&tid)?.tgid;
        self.procs.get(&tgid)
    }

    /// Whether the process is alive (not exiting, not a zombie).
    pub fn is_running(&self, tgid: i32) -> bool {
        self.procs
            .get(&tgid)
            .is_some_and(|p| p.state == ProcState::Running)
    }

    /// The processes a kill(2)-style target names.
    /// Zombies count (kill succeeds on them and does nothing), as on Linux.
    pub fn targets(&self, target: Target) -> Vec<i32> {
        if let Target::Process(pid) = target {
            return self.procs.get(&pid).map(|p| p.tgid).into_iter().collect();
        }
        let named = |p: &Process| match target {
            Target::Process(pid) => p.tgid == pid,
            Target::Group(pgid) => p.pgid == pgid,
            Target::All { sender } => p.tgid != 1 && p.tgid != sender,
        };
        self.procs
            .values()
            .filter(|p| named(p))
            .map(|p| p.tgid)
            .collect()
    }

    /// Sends a signal to a process (`kill`). `info.si_signo == 0` checks
    /// only.
    pub fn send_to_process(&mut self, tgid: i32, info: Siginfo) {
        if info.si_signo == 0 || !self.prepare(tgid, info.si_signo) {
            return;
        }
        let Some(p) = self.procs.get_mut(&tgid) else {
            return;
        };
        p.pending.enqueue(info);
        p.signal_events.notify_all();
        self.complete(tgid, None, info.si_signo);
    }

    /// Sends a signal to one thread (`tgkill`, faults).
    pub fn send_to_thread(&mut self, tid: i32, info: Siginfo) {
        let Some(tgid) = self.threads.get(&tid).map(|t| t.tgid) else {
            return;
        };
        if info.si_signo == 0 || !self.prepare(tgid, info.si_signo) {
            return;
        }
        if let Some(t) = self.threads.get_mut(&tid) {
            t.pending.enqueue(info);
        }
        if let Some(p) = self.procs.get(&tgid) {
            p.signal_events.notify_all();
        }
        self.complete(tgid, Some(tid), info.si_signo);
    }

    /// Linux's `prepare_signal`: stop and continue side effects, and
    /// whether the signal is worth queueing at all.
    fn prepare(&mut self, tgid: i32, sig: i32) -> bool {
        let Some(p) = self.procs.get(&tgid) else {
            return false;
        };
        if p.state != ProcState::Running {
            return false;
        }
        let threads = p.threads.clone();
        let bit = sigmask(sig);
        if bit & STOP_SIGNALS != 0 {
            self.discard(tgid, &threads, sigmask(SIGCONT));
        } else if sig == SIGCONT {
            self.discard(tgid, &threads, STOP_SIGNALS);
            let p = self.procs.get_mut(&tgid).expect("exists");
            if p.stopped {
                p.stopped = false;
                p.report = Some(Report::Continued);
                let parent = p.parent;
                let uid = p.uid;
                for t in &threads {
                    if let Some(t) = self.threads.get(t) {
                        t.shared.kick();
                    }
                }
                self.notify_parent(parent, tgid, uid, CLD_CONTINUED, SIGCONT);
            }
        }
        // An ignored signal is dropped unless the target thread blocks it.
        let p = self.procs.get(&tgid).expect("exists");
        let leader_mask = self
            .threads
            .get(&tgid)
            .map_or(0, |t| t.mask | t.real_blocked);
        let ignored = p.actions.lock().is_ignored(sig);
        !(ignored && leader_mask & bit == 0)
    }

    fn discard(&mut self, tgid: i32, threads: &[i32], set: SigSet) {
        if let Some(p) = self.procs.get_mut(&tgid) {
            p.pending.discard(set);
        }
        for t in threads {
            if let Some(t) = self.threads.get_mut(t) {
                t.pending.discard(set);
            }
        }
    }

    /// Linux's `complete_signal`: finds a thread to handle the signal, and
    /// starts a group exit at once for a fatal one.
    fn complete(&mut self, tgid: i32, thread: Option<i32>, sig: i32) {
        let bit = sigmask(sig);
        let Some(p) = self.procs.get(&tgid) else {
            return;
        };
        // A stopped process wants nothing but SIGKILL until it continues
        // (Linux's wants_signal): the signal stays pending.
        if p.stopped && sig != SIGKILL {
            return;
        }
        let wants = |t: &i32| self.threads.get(t).is_some_and(|e| e.mask & bit == 0);
        let target = match thread {
            Some(t) => wants(&t).then_some(t),
            None => p.threads.iter().copied().find(|t| wants(t)),
        };
        let Some(target) = target else {
            return;
        };
        let act = p.actions.lock().get(sig);
        let waited = self
            .threads
            .get(&target)
            .is_some_and(|t| t.real_blocked & bit != 0);
        let fatal = sig == SIGKILL
            || (!waited
                && act.sa_handler == SIG_DFL
                && default_action(sig) == DefaultAction::Terminate);
        if fatal {
            self.group_exit(tgid, ExitStatus::Signaled(sig));
            return;
        }
        if let Some(t) = self.threads.get(&target) {
            t.shared.kick();
        }
    }

    /// Ends every thread of a process with `status` (exit_group, a fatal
    /// signal). The first status wins.
    pub fn group_exit(&mut self, tgid: i32, status: ExitStatus) {
        let Some(p) = self.procs.get_mut(&tgid) else {
            return;
        };
        if p.state != ProcState::Running {
            return;
        }
        p.state = ProcState::Exiting(status);
        p.stopped = false;
        for t in &p.threads {
            if let Some(t) = self.threads.get(t) {
                t.shared.kick();
            }
        }
    }

    /// Group stop by `sig`: every thread waits for SIGCONT; the parent hears.
    pub fn group_stop(&mut self, tgid: i32, sig: i32) {
        let Some(p) = self.procs.get_mut(&tgid) else {
            return;
        };
        if p.state != ProcState::Running || p.stopped {
            return;
        }
        p.stopped = true;
        p.report = Some(Report::Stopped(sig));
        let (parent, uid) = (p.parent, p.uid);
        for t in &p.threads {
            if let Some(t) = self.threads.get(t) {
                t.shared.kick();
            }
        }
        self.notify_parent(parent, tgid, uid, CLD_STOPPED, sig);
    }

    /// SIGCHLD for a stop or continue (unless the parent asked for none
    /// with SA_NOCLDSTOP), and a wake-up for its waiters either way.
    fn notify_parent(&mut self, parent: i32, child: i32, uid: u32, code: i32, status: i32) {
        let Some(pp) = self.procs.get(&parent) else {
            return;
        };
        pp.child_events.notify_all();
        let act = pp.actions.lock().get(SIGCHLD);
        if SigactionFlags::from_bits_retain(act.sa_flags).contains(SigactionFlags::SA_NOCLDSTOP) {
            return;
        }
        let info = Siginfo::child(code, child, uid, status, 0, 0);
        self.send_to_process(parent, info);
    }

    /// Removes an exited thread. When it was the last, the process becomes
    /// a zombie (or is reaped at once when its parent ignores SIGCHLD), its
    /// children go to the nearest subreaper or init, and the parent hears.
    /// Returns the process's status when it ended.
    /// Whether `tid` is the only live thread of its process.
    pub fn is_last_thread(&self, tid: i32) -> bool {
        self.threads
            .get(&tid)
            .and_then(|e| self.procs.get(&e.tgid))
            .is_some_and(|p| p.threads.len() == 1)
    }

    pub fn remove_thread(
        &mut self,
        tid: i32,
        status: ExitStatus,
        cpu: Ticks,
    ) -> Option<ExitStatus> {
        let entry = self.threads.remove(&tid)?;
        let tgid = entry.tgid;
        let p = self.procs.get_mut(&tgid)?;
        p.threads.retain(|&t| t != tid);
        p.dead += cpu;
        p.dead_io += entry.shared.io.totals();
        let heir = p.threads.first().copied();
        self.parent_thread_died(tgid, tid, heir);
        let p = self.procs.get_mut(&tgid)?;
        if !p.threads.is_empty() {
            return None;
        }
        let status = match p.state {
            ProcState::Exiting(s) => s,
            _ => status,
        };
        p.state = ProcState::Zombie(status);
        // A session leader's exit frees its terminal for the whole
        // session, and for a pty the foreground group hears SIGHUP
        // (Linux's disassociate_ctty).
        let ctty = if p.sid == tgid { p.ctty.take() } else { None };
        crate::vfs::lock::LOCKS.release(None, crate::vfs::lock::Owner::Process(tgid));
        p.ticks = p.dead;
        p.report = None;
        p.exit_events.notify_all();
        // Leftover signals die with the process.
        p.pending = SigQueue::default();
        let parent = p.parent;
        let exit_signal = p.exit_signal;
        let uid = p.uid;
        let ticks = p.ticks;
        let children: Vec<i32> = std::mem::take(&mut p.children).into_iter().collect();
        self.reparent(tgid, parent, &children);
        if let Some(pg) = ctty.and_then(|t| t.session_ended(tgid)) {
            for p in self.targets(Target::Group(pg)) {
                let hup = Siginfo::new(abi::signal::SIGHUP, abi::signal::SI_KERNEL);
                self.send_to_process(p, hup);
            }
        }
        self.hang_up_orphaned_groups(tgid, &children);

        if tgid == 1 {
            // The sandbox's init is gone: like a PID namespace's init, it
            // takes every other process with it.
            self.kill_all(1);
        }
        let Some(pp) = self.procs.get(&parent) else {
            // Init has no parent: it stays a zombie for the sandbox to read.
            return Some(status);
        };
        let acts = pp.actions.lock().clone();
        let chld = acts.get(SIGCHLD);
        let autoreap = exit_signal == SIGCHLD
            && (chld.sa_handler == abi::signal::SIG_IGN
                || SigactionFlags::from_bits_retain(chld.sa_flags)
                    .contains(SigactionFlags::SA_NOCLDWAIT));
        pp.child_events.notify_all();
        if exit_signal > 0 {
            let (code, st) = wait_code(status);
            let (ut, stt) = ticks.clock_ticks();
            let info = Siginfo::child(code, tgid, uid, st, ut, stt);
            let mut info = info;
            info.si_signo = exit_signal;
            self.send_to_process(parent, info);
        }
        if autoreap {
            self.reap(tgid);
        }
        Some(status)
    }

    /// The thread `tid` of `tgid` is gone: its children get the heir thread
    /// (or, with none, their new parent later) and their PDEATHSIG.
    fn parent_thread_died(&mut self, tgid: i32, tid: i32, heir: Option<i32>) {
        let orphans: Vec<i32> = self.procs[&tgid]
            .children
            .iter()
            .copied()
            .filter(|c| self.procs.get(c).is_some_and(|cp| cp.creator_tid == tid))
            .collect();
        for c in orphans {
            let signals: Vec<i32> = {
                let cp = self.procs.get_mut(&c).expect("listed child");
                cp.creator_tid = heir.unwrap_or(0);
                cp.threads
                    .iter()
                    .filter_map(|t| self.threads.get(t))
                    .map(|t| t.pdeath_signal)
                    .filter(|&s| s != 0)
                    .collect()
            };
            for sig in signals {
                let info = Siginfo::from_process(sig, abi::signal::SI_USER, tgid, 0);
                self.send_to_process(c, info);
            }
        }
    }

    /// Linux's `kill_orphaned_pgrp` at the exit of `tgid`: a process group
    /// that this exit leaves with no member whose parent is in another
    /// group of the same session, and that has stopped members, gets
    /// SIGHUP then SIGCONT. Checked for the exiting process's own group and
    /// for each child's.
    fn hang_up_orphaned_groups(&mut self, tgid: i32, children: &[i32]) {
        let Some(me) = self.procs.get(&tgid) else {
            return;
        };
        let (my_pgid, my_sid, parent) = (me.pgid, me.sid, me.parent);
        let mut groups = Vec::new();
        if let Some(pp) = self.procs.get(&parent) {
            if pp.pgid != my_pgid && pp.sid == my_sid {
                groups.push((my_pgid, Some(tgid)));
            }
        }
        for c in children {
            if let Some(cp) = self.procs.get(c) {
                if cp.pgid != my_pgid && cp.sid == my_sid {
                    groups.push((cp.pgid, None));
                }
            }
        }
        for (pgid, ignored) in groups {
            if self.will_be_orphaned(pgid, ignored) && self.has_stopped(pgid) {
                for p in self.targets(Target::Group(pgid)) {
                    let hup = Siginfo::new(abi::signal::SIGHUP, abi::signal::SI_KERNEL);
                    self.send_to_process(p, hup);
                    let cont = Siginfo::new(SIGCONT, abi::signal::SI_KERNEL);
                    self.send_to_process(p, cont);
                }
            }
        }
    }

    pub fn will_be_orphaned(&self, pgid: i32, ignored: Option<i32>) -> bool {
        !self.procs.values().any(|p| {
            p.pgid == pgid
                && Some(p.tgid) != ignored
                && !matches!(p.state, ProcState::Zombie(_))
                && self
                    .procs
                    .get(&p.parent)
                    .is_some_and(|pp| pp.pgid != pgid && pp.sid == p.sid)
        })
    }

    fn has_stopped(&self, pgid: i32) -> bool {
        self.procs.values().any(|p| p.pgid == pgid && p.stopped)
    }

    /// Gives `children` of the dead `tgid` a new parent.
    fn reparent(&mut self, tgid: i32, parent: i32, children: &[i32]) {
        if children.is_empty() {
            return;
        }
        // The nearest live subreaper above, else init.
        let mut new_parent = 1;
        let mut up = parent;
        while up != 0 {
            let Some(p) = self.procs.get(&up) else { break };
            if p.subreaper && p.state == ProcState::Running {
                new_parent = up;
                break;
            }
            up = p.parent;
        }
        if tgid == 1 || !self.procs.contains_key(&new_parent) {
            // Init is gone: the sandbox is ending; orphans keep no parent.
            for c in children {
                if let Some(cp) = self.procs.get_mut(c) {
                    cp.parent = 0;
                }
            }
            return;
        }
        let mut zombies = false;
        for c in children {
            if let Some(cp) = self.procs.get_mut(c) {
                cp.parent = new_parent;
                cp.creator_tid = new_parent;
                zombies |= matches!(cp.state, ProcState::Zombie(_));
            }
        }
        let np = self.procs.get_mut(&new_parent).expect("exists");
        np.children.extend(children.iter().copied());
        if zombies {
            np.child_events.notify_all();
        }
    }

    /// Frees a zombie's pid and accounts its time to the parent.
    pub fn reap(&mut self, tgid: i32) {
        let Some(p) = self.procs.remove(&tgid) else {
            return;
        };
        if let Some(pp) = self.procs.get_mut(&p.parent) {
            pp.children.remove(&tgid);
            pp.children_ticks.user += p.ticks.user + p.children_ticks.user;
            pp.children_ticks.system += p.ticks.system + p.children_ticks.system;
        }
    }

    /// Kicks every thread of every process but `except` with SIGKILL: the
    /// sandbox's init died.
    pub fn kill_all(&mut self, except: i32) {
        let pids: Vec<i32> = self
            .procs
            .keys()
            .copied()
            .filter(|&p| p != except)
            .collect();
        for p in pids {
            self.group_exit(p, ExitStatus::Signaled(SIGKILL));
        }
    }

    /// The CPU time of a process: its exited threads and its live ones.
    pub fn process_cpu(&self, tgid: i32) -> Ticks {
        self.sum_threads(tgid, |p| p.dead, TaskShared::cpu)
    }

    /// The I/O counts of a process: its exited threads and its live ones.
    pub fn process_io(&self, tgid: i32) -> IoTotals {
        self.sum_threads(tgid, |p| p.dead_io, |t| t.io.totals())
    }

    /// A figure of a process: what its exited threads left (`dead`) and
    /// what each live one has now (`live`).
    fn sum_threads<T: Default + std::ops::AddAssign>(
        &self,
        tgid: i32,
        dead: impl Fn(&Process) -> T,
        live: impl Fn(&TaskShared) -> T,
    ) -> T {
        let Some(p) = self.procs.get(&tgid) else {
            return T::default();
        };
        let mut total = dead(p);
        for t in &p.threads {
            if let Some(e) = self.threads.get(t) {
                total += live(&e.shared);
            }
        }
        total
    }

    /// Whether `sig` is pending and unblocked for thread `tid`.
    pub fn has_deliverable(&self, tid: i32) -> bool {
        let Some(t) = self.threads.get(&tid) else {
            return false;
        };
        let Some(p) = self.procs.get(&t.tgid) else {
            return false;
        };
        t.killed
            || p.state != ProcState::Running
            || p.stopped
            || (t.pending.pending() | p.pending.pending()) & !t.mask != 0
    }

    /// Sets a thread's mask (SIGKILL and SIGSTOP never blocked) and kicks it
    /// if that unblocked something pending.
    pub fn set_mask(&mut self, tid: i32, mask: SigSet) {
        let Some(t) = self.threads.get_mut(&tid) else {
            return;
        };
        t.mask = mask & !super::signal::UNBLOCKABLE;
        if self.has_deliverable(tid) {
            self.threads[&tid].shared.kick();
        }
    }

    pub fn mask(&self, tid: i32) -> SigSet {
        self.threads.get(&tid).map_or(0, |t| t.mask)
    }

    /// Signals pending for a thread: its own and its process's.
    pub fn pending(&self, tid: i32) -> SigSet {
        let Some(t) = self.threads.get(&tid) else {
            return 0;
        };
        t.pending.pending() | self.procs.get(&t.tgid).map_or(0, |p| p.pending.pending())
    }

    /// Takes the next deliverable signal of a thread: its own queue first,
    /// then its process's (Linux's `dequeue_signal`), under `mask`.
    pub fn dequeue(&mut self, tid: i32, mask: SigSet) -> Option<Siginfo> {
        let t = self.threads.get_mut(&tid)?;
        let tgid = t.tgid;
        let mut info = match t.pending.dequeue(mask) {
            Some(i) => i,
            None => self.procs.get_mut(&tgid)?.pending.dequeue(mask)?,
        };
        if info.si_code == abi::signal::SI_TIMER {
            // The overruns counted while it was queued go with it.
            let id = info.get_i32(0);
            if let Some(timer) = self
                .procs
                .get_mut(&tgid)
                .and_then(|p| p.timers.get_mut(&id))
            {
                timer.queued = false;
                timer.overrun_last = std::mem::take(&mut timer.overrun);
                info.put_i32(4, timer.overrun_last);
            }
        }
        Some(info)
    }
}

/// `si_code` and `si_status` of a child's exit.
pub fn wait_code(s: ExitStatus) -> (i32, i32) {
    match s {
        ExitStatus::Exited(c) => (CLD_EXITED, i32::from(c)),
        // The sandbox writes no core files: never CLD_DUMPED.
        ExitStatus::Signaled(sig) => (CLD_KILLED, sig),
    }
}
