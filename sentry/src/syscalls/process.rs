//! Processes and threads: clone, clone3, fork, vfork, wait4, waitid,
//! kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo.

use std::sync::Arc;

use abi::sched::CloneFlags;
use abi::signal::{SIGCHLD, SI_TKILL, SI_USER};
use abi::types::{CloneArgs, Rusage, Siginfo};
use abi::wait::{WaitOptions, P_ALL, P_PGID, P_PID, P_PIDFD};
use abi::Errno;
use parking_lot::Mutex;

use crate::arch::SyscallArgs;
use crate::kernel::process::{wait_code, ProcState, Process, Report, Target, TaskShared, TaskView};
use crate::kernel::signal::{valid, SiginfoExt};
use crate::kernel::task::{spawn, Completion, Start, TaskSeed};
use crate::kernel::{ExitStatus, Task};

/// A clone request, from clone(2) or clone3(2).
#[derive(Clone, Copy, Debug)]
struct CloneReq {
    flags: CloneFlags,
    exit_signal: i32,
    stack: u64,
    parent_tid: u64,
    child_tid: u64,
    tls: u64,
    /// Where CLONE_PIDFD stores the pidfd.
    pidfd: u64,
}

impl Default for CloneReq {
    fn default() -> Self {
        CloneReq {
            flags: CloneFlags::empty(),
            exit_signal: 0,
            stack: 0,
            parent_tid: 0,
            child_tid: 0,
            tls: 0,
            pidfd: 0,
        }
    }
}

/// Implements clone(2): `clone(flags, stack, parent_tid, child_tid, tls)`.
pub fn sys_clone(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let raw = a.u64(0);
    let flags = CloneFlags::from_bits_retain(raw & !0xff);
    let req = CloneReq {
        flags,
        exit_signal: i32::try_from(raw & 0xff).expect("a byte"),
        stack: a.addr(1),
        parent_tid: a.addr(2),
        child_tid: a.addr(3),
        tls: a.u64(4),
        // clone(2) returns the pidfd through parent_tid.
        pidfd: a.addr(2),
    };
    // clone(2) cannot ask for the clone3-only flag.
    if flags.contains(CloneFlags::CLONE_CLEAR_SIGHAND) {
        return Err(Errno::EINVAL);
    }
    do_clone(t, &req)
}

/// Implements clone3(2).
pub fn sys_clone3(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    const VER0: u64 = 64;
    let size = a.u64(1);
    if size < VER0 {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let size = usize::try_from(size).expect("small");
    let mut buf = vec![0u8; size];
    t.mm.copy_in(a.addr(0), &mut buf)?;
    let known = std::mem::size_of::<CloneArgs>();
    if size > known && buf[known..].iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    buf.resize(known.max(size), 0);
    let args: CloneArgs =
        zerocopy::FromBytes::read_from_bytes(&buf[..known]).map_err(|_| Errno::EINVAL)?;
    if args.set_tid != 0 || args.set_tid_size != 0 || args.cgroup != 0 {
        return Err(Errno::EINVAL);
    }
    let flags = CloneFlags::from_bits_retain(args.flags);
    if args.exit_signal > 64 || args.flags & 0xff != 0 {
        return Err(Errno::EINVAL);
    }
    if (args.stack == 0) != (args.stack_size == 0) {
        return Err(Errno::EINVAL);
    }
    let req = CloneReq {
        flags,
        exit_signal: i32::try_from(args.exit_signal).expect("checked"),
        stack: args.stack.wrapping_add(args.stack_size),
        parent_tid: args.parent_tid,
        child_tid: args.child_tid,
        tls: args.tls,
        pidfd: args.pidfd,
    };
    do_clone(t, &req)
}

/// Implements fork(2).
pub fn sys_fork(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    do_clone(
        t,
        &CloneReq {
            exit_signal: SIGCHLD,
            ..CloneReq::default()
        },
    )
}

/// Implements vfork(2).
pub fn sys_vfork(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    do_clone(
        t,
        &CloneReq {
            flags: CloneFlags::CLONE_VM | CloneFlags::CLONE_VFORK,
            exit_signal: SIGCHLD,
            ..CloneReq::default()
        },
    )
}

/// The flags that ask for new namespaces, which the sandbox does not make.
const NAMESPACES: CloneFlags = CloneFlags::CLONE_NEWNS
    .union(CloneFlags::CLONE_NEWCGROUP)
    .union(CloneFlags::CLONE_NEWUTS)
    .union(CloneFlags::CLONE_NEWIPC)
    .union(CloneFlags::CLONE_NEWUSER)
    .union(CloneFlags::CLONE_NEWPID)
    .union(CloneFlags::CLONE_NEWNET);

/// Linux's `copy_process` checks, then a new task on its own host thread.
fn do_clone(t: &mut Task, req: &CloneReq) -> Result<u64, Errno> {
    use CloneFlags as F;
    let f = req.flags;
    if f.contains(F::CLONE_NEWNS | F::CLONE_FS) || f.contains(F::CLONE_NEWUSER | F::CLONE_FS) {
        return Err(Errno::EINVAL);
    }
    if f.contains(F::CLONE_THREAD) && !f.contains(F::CLONE_SIGHAND) {
        return Err(Errno::EINVAL);
    }
    if f.contains(F::CLONE_SIGHAND) && !f.contains(F::CLONE_VM) {
        return Err(Errno::EINVAL);
    }
    if f.contains(F::CLONE_CLEAR_SIGHAND) && f.contains(F::CLONE_SIGHAND) {
        return Err(Errno::EINVAL);
    }
    if f.contains(F::CLONE_PARENT) && t.tgid == 1 {
        return Err(Errno::EINVAL);
    }
    if f.intersects(NAMESPACES) {
        // Nested namespaces are not supported yet.
        return Err(Errno::EINVAL);
    }
    if f.contains(F::CLONE_PIDFD)
        && (f.contains(F::CLONE_THREAD)
            || f.contains(F::CLONE_DETACHED)
            || (f.contains(F::CLONE_PARENT_SETTID) && req.pidfd == req.parent_tid))
    {
        return Err(Errno::EINVAL);
    }
    let thread = f.contains(F::CLONE_THREAD);
    let fp = t.ctx.fp_state().map_err(|_| Errno::EAGAIN)?;
    let (mm, start) = if f.contains(F::CLONE_VM) {
        let space = t.mm.space().ok_or(Errno::EAGAIN)?;
        let seed = space.new_thread().map_err(|_| Errno::EAGAIN)?;
        (t.mm.clone(), Start::Thread(seed))
    } else {
        (t.mm.fork()?, Start::Fork)
    };
    let fds = if f.contains(F::CLONE_FILES) {
        t.fds.clone()
    } else {
        Arc::new(Mutex::new(t.fds.lock().clone()))
    };
    let fs = if f.contains(F::CLONE_FS) {
        t.fs.clone()
    } else {
        Arc::new(Mutex::new(t.fs.lock().clone()))
    };
    let rlimits = if thread {
        t.rlimits.clone()
    } else {
        Arc::new(Mutex::new(t.rlimits.lock().clone()))
    };
    let mut regs = t.regs;
    regs.rax = 0;
    if req.stack != 0 {
        regs.rsp = req.stack;
    }
    if f.contains(F::CLONE_SETTLS) {
        regs.fs_base = req.tls;
    }
    let vfork = f
        .contains(F::CLONE_VFORK)
        .then(|| Arc::new(Completion::default()));
    let shared = Arc::new(TaskShared::default());
    let mut flags = t.flags.clone();
    flags.pdeathsig = 0;
    // /proc sees the child as soon as the tree has it.
    *shared.comm.lock() = t.comm();
    *shared.view.lock() = Some(TaskView {
        mm: mm.clone(),
        fds: fds.clone(),
        fs: fs.clone(),
        ..t.view()
    });
    let alt_stack = if f.contains(F::CLONE_VM) && !f.contains(F::CLONE_VFORK) {
        crate::kernel::signal::AltStack::default()
    } else {
        t.alt_stack
    };

    let tid = {
        let mut tree = t.kernel.tree.lock();
        if !tree.is_running(t.tgid) {
            // The caller is being killed: it never returns from this call.
            return Err(Errno::ERESTARTNOINTR);
        }
        let tid = tree.alloc_pid()?;
        let mask = tree.mask(t.tid);
        // Under the tree lock, so a TSYNC in another thread either sees
        // the child or is seen by it.
        shared.seccomp.set(t.shared.seccomp.get());
        if thread {
            tree.add_thread(t.tgid, tid, mask, shared.clone());
        } else {
            let me = &tree.procs[&t.tgid];
            let parent = if f.contains(F::CLONE_PARENT) {
                me.parent
            } else {
                t.tgid
            };
            let actions = if f.contains(F::CLONE_SIGHAND) {
                me.actions.clone()
            } else {
                let mut a = me.actions.lock().clone();
                if f.contains(F::CLONE_CLEAR_SIGHAND) {
                    a.reset_for_exec();
                }
                Arc::new(Mutex::new(a))
            };
            let mut proc = Process::new(tid, parent, me.uid);
            proc.creator_tid = if f.contains(F::CLONE_PARENT) {
                me.creator_tid
            } else {
                t.tid
            };
            proc.pgid = me.pgid;
            proc.sid = me.sid;
            proc.actions = actions;
            proc.exit_signal = req.exit_signal;
            proc.rlimits = rlimits.clone();
            proc.exe = me.exe.clone();
            proc.oom_score_adj = me.oom_score_adj;
            proc.coredump_filter = me.coredump_filter;
            tree.add_process(proc, mask, shared.clone());
        }
        // The child inherits the scheduling settings.
        if let Some(me) = tree.threads.get(&t.tid) {
            let (aff, pol, pri) = (me.affinity, me.sched_policy, me.sched_priority);
            let (nice, ioprio) = (me.nice, me.ioprio);
            let slack = me.timer_slack_ns;
            if let Some(e) = tree.threads.get_mut(&tid) {
                e.affinity = aff;
                e.sched_policy = pol;
                e.sched_priority = pri;
                e.nice = nice;
                e.ioprio = ioprio;
                // Linux's copy_process: the parent's slack becomes the
                // child's default too.
                e.timer_slack_ns = slack;
                e.default_timer_slack_ns = slack;
            }
        }
        tid
    };
    let tid_u32 = tid.cast_unsigned();
    if f.contains(F::CLONE_PIDFD) {
        let pidfd = super::signal::new_pidfd(t, tid, false)?;
        let _ =
            t.mm.write_obj(req.pidfd, &i32::try_from(pidfd).expect("an fd"));
    }
    if f.contains(F::CLONE_PARENT_SETTID) {
        // Linux ignores a fault here too (the child exists regardless).
        let _ = t.mm.write_obj(req.parent_tid, &tid_u32);
    }
    if f.contains(F::CLONE_CHILD_SETTID) {
        let _ = mm.write_obj(req.child_tid, &tid_u32);
    }
    let seed = TaskSeed {
        tid,
        tgid: if thread { t.tgid } else { tid },
        shared,
        start,
        mm,
        regs,
        fp,
        creds: t.creds.clone(),
        fds,
        rlimits,
        fs,
        clear_child_tid: if f.contains(F::CLONE_CHILD_CLEARTID) {
            req.child_tid
        } else {
            0
        },
        flags,
        alt_stack,
        vfork_done: vfork.clone(),
        cpu: nix::sched::sched_getcpu().ok(),
    };
    if let Err(e) = spawn(&t.kernel, seed) {
        let mut tree = t.kernel.tree.lock();
        tree.remove_thread(
            tid,
            ExitStatus::Signaled(abi::signal::SIGKILL),
            Default::default(),
        );
        if !thread {
            tree.reap(tid);
        }
        return Err(e);
    }
    if let Some(v) = vfork {
        v.wait();
    }
    Ok(u64::from(tid_u32))
}

/// Which children a wait call looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Any,
    Pid(i32),
    Group(i32),
}

/// What a wait found.
#[derive(Clone, Copy, Debug)]
struct Found {
    pid: i32,
    uid: u32,
    /// `si_code` and `si_status`.
    code: i32,
    status: i32,
    /// The wait4 status word.
    word: i32,
    ticks: crate::kernel::process::Ticks,
}

/// The wait loop shared by wait4 and waitid: `Ok(None)` for WNOHANG with
/// nothing to report.
fn do_wait(t: &Task, who: Who, opts: WaitOptions) -> Result<Option<Found>, Errno> {
    let queue = {
        let tree = t.kernel.tree.lock();
        tree.procs[&t.tgid].child_events.clone()
    };
    let _reg = queue.register(&t.shared.waker);
    let r = t.block(None, || match scan(t, who, opts) {
        Ok(Some(f)) => Some(Ok(Some(f))),
        Ok(None) if opts.contains(WaitOptions::WNOHANG) => Some(Ok(None)),
        Ok(None) => None,
        Err(e) => Some(Err(e)),
    });
    r?
}

fn scan(t: &Task, who: Who, opts: WaitOptions) -> Result<Option<Found>, Errno> {
    let mut tree = t.kernel.tree.lock();
    let me = &tree.procs[&t.tgid];
    let mut any = false;
    let mut found = None;
    for &c in &me.children {
        let Some(cp) = tree.procs.get(&c) else {
            continue;
        };
        let selected = match who {
            Who::Any => true,
            Who::Pid(p) => p == c,
            Who::Group(g) => cp.pgid == g,
        };
        let clone_child = cp.exit_signal != SIGCHLD;
        let kind_ok = opts.contains(WaitOptions::__WALL)
            || (clone_child == opts.contains(WaitOptions::__WCLONE));
        if !selected || !kind_ok {
            continue;
        }
        any = true;
        match (cp.state, cp.report) {
            (ProcState::Zombie(s), _) if opts.contains(WaitOptions::WEXITED) => {
                let (code, status) = wait_code(s);
                let word = match s {
                    ExitStatus::Exited(c) => i32::from(c) << 8,
                    ExitStatus::Signaled(sig) => sig,
                };
                found = Some((
                    Found {
                        pid: c,
                        uid: cp.uid,
                        code,
                        status,
                        word,
                        ticks: cp.ticks,
                    },
                    true,
                ));
                break;
            }
            (ProcState::Running, Some(Report::Stopped(sig)))
                if opts.contains(WaitOptions::WUNTRACED) =>
            {
                found = Some((
                    Found {
                        pid: c,
                        uid: cp.uid,
                        code: abi::signal::CLD_STOPPED,
                        status: sig,
                        word: (sig << 8) | 0x7f,
                        ticks: cp.ticks,
                    },
                    false,
                ));
                break;
            }
            (ProcState::Running, Some(Report::Continued))
                if opts.contains(WaitOptions::WCONTINUED) =>
            {
                found = Some((
                    Found {
                        pid: c,
                        uid: cp.uid,
                        code: abi::signal::CLD_CONTINUED,
                        status: abi::signal::SIGCONT,
                        word: 0xffff,
                        ticks: cp.ticks,
                    },
                    false,
                ));
                break;
            }
            _ => {}
        }
    }
    if !any {
        return Err(Errno::ECHILD);
    }
    let Some((f, zombie)) = found else {
        return Ok(None);
    };
    if !opts.contains(WaitOptions::WNOWAIT) {
        if zombie {
            tree.reap(f.pid);
        } else if let Some(cp) = tree.procs.get_mut(&f.pid) {
            cp.report = None;
        }
    }
    Ok(Some(f))
}

fn write_rusage(t: &Task, addr: u64, f: Option<&Found>) -> Result<(), Errno> {
    if addr == 0 {
        return Ok(());
    }
    let mut ru = Rusage::default();
    if let Some(f) = f {
        ru.ru_utime = super::rusage::timeval(f.ticks.user);
        ru.ru_stime = super::rusage::timeval(f.ticks.system);
    }
    t.mm.write_obj(addr, &ru)
}

/// Implements wait4(2).
pub fn sys_wait4(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let pid = a.int(0);
    let opts = WaitOptions::from_bits(a.uint(2)).ok_or(Errno::EINVAL)?;
    let allowed = WaitOptions::WNOHANG
        | WaitOptions::WUNTRACED
        | WaitOptions::WCONTINUED
        | WaitOptions::__WNOTHREAD
        | WaitOptions::__WCLONE
        | WaitOptions::__WALL;
    if !allowed.contains(opts) {
        return Err(Errno::EINVAL);
    }
    let who = match pid {
        i32::MIN => return Err(Errno::ESRCH),
        -1 => Who::Any,
        0 => Who::Group(t.pgid()),
        p if p < 0 => Who::Group(-p),
        p => Who::Pid(p),
    };
    let found = do_wait(t, who, opts | WaitOptions::WEXITED)?;
    let Some(f) = found else {
        return Ok(0);
    };
    if a.addr(1) != 0 {
        t.mm.write_obj(a.addr(1), &f.word)?;
    }
    write_rusage(t, a.addr(3), Some(&f))?;
    Ok(u64::from(f.pid.cast_unsigned()))
}

/// Implements waitid(2).
pub fn sys_waitid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let idtype = a.int(0);
    let id = a.int(1);
    let opts = WaitOptions::from_bits(a.uint(3)).ok_or(Errno::EINVAL)?;
    let allowed = WaitOptions::WNOHANG
        | WaitOptions::WNOWAIT
        | WaitOptions::WEXITED
        | WaitOptions::WUNTRACED
        | WaitOptions::WCONTINUED
        | WaitOptions::__WNOTHREAD
        | WaitOptions::__WCLONE
        | WaitOptions::__WALL;
    if !allowed.contains(opts)
        || !opts.intersects(WaitOptions::WEXITED | WaitOptions::WUNTRACED | WaitOptions::WCONTINUED)
    {
        return Err(Errno::EINVAL);
    }
    let who = match idtype {
        P_ALL => Who::Any,
        P_PID if id > 0 => Who::Pid(id),
        P_PGID if id == 0 => Who::Group(t.pgid()),
        P_PGID if id > 0 => Who::Group(id),
        P_PID | P_PGID => return Err(Errno::EINVAL),
        P_PIDFD if id < 0 => return Err(Errno::EINVAL),
        P_PIDFD => Who::Pid(super::signal::pidfd_target(t, id)?),
        _ => return Err(Errno::EINVAL),
    };
    let found = do_wait(t, who, opts)?;
    if a.addr(2) != 0 {
        let info = match &found {
            Some(f) => Siginfo::child(f.code, f.pid, f.uid, f.status, 0, 0),
            None => Siginfo::default(),
        };
        t.mm.write_obj(a.addr(2), &info)?;
    }
    write_rusage(t, a.addr(4), found.as_ref())?;
    Ok(0)
}

/// Sends `info` to what a kill(2) `pid` names.
fn kill_target(t: &Task, pid: i32, info: Siginfo) -> Result<u64, Errno> {
    let target = match pid {
        -1 => Target::All { sender: t.tgid },
        0 => Target::Group(t.pgid()),
        i32::MIN => return Err(Errno::ESRCH),
        p if p < 0 => Target::Group(-p),
        p => Target::Process(p),
    };
    let mut tree = t.kernel.tree.lock();
    let targets = tree.targets(target);
    // Linux finds the target before it checks the signal number.
    if targets.is_empty() {
        return Err(Errno::ESRCH);
    }
    let sig = info.si_signo;
    if sig != 0 && !valid(sig) {
        return Err(Errno::EINVAL);
    }
    for p in targets {
        tree.send_to_process(p, info);
    }
    Ok(0)
}

/// Implements kill(2).
pub fn sys_kill(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let info = Siginfo::from_process(a.int(1), SI_USER, t.tgid, t.creds.ruid);
    kill_target(t, a.int(0), info)
}

fn thread_kill(t: &Task, tgid: Option<i32>, tid: i32, info: Siginfo) -> Result<u64, Errno> {
    let sig = info.si_signo;
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) {
        return Err(Errno::EINVAL);
    }
    let mut tree = t.kernel.tree.lock();
    let Some(th) = tree.threads.get(&tid).filter(|th| !th.exited) else {
        return Err(Errno::ESRCH);
    };
    if tgid.is_some_and(|g| g != th.tgid) {
        return Err(Errno::ESRCH);
    }
    if sig != 0 && !valid(sig) {
        return Err(Errno::EINVAL);
    }
    tree.send_to_thread(tid, info);
    Ok(0)
}

/// Implements tkill(2).
pub fn sys_tkill(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let info = Siginfo::from_process(a.int(1), SI_TKILL, t.tgid, t.creds.ruid);
    thread_kill(t, None, a.int(0), info)
}

/// Implements tgkill(2).
pub fn sys_tgkill(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let info = Siginfo::from_process(a.int(2), SI_TKILL, t.tgid, t.creds.ruid);
    thread_kill(t, Some(a.int(0)), a.int(1), info)
}

/// The siginfo a queueinfo call passes, checked as Linux does: a process
/// may not forge kernel or kill(2) codes for others.
fn user_info(t: &Task, sig: i32, addr: u64, to_self: bool) -> Result<Siginfo, Errno> {
    let mut info: Siginfo = t.mm.read_obj(addr)?;
    if (info.si_code >= 0 || info.si_code == SI_TKILL) && !to_self {
        return Err(Errno::EPERM);
    }
    info.si_signo = sig;
    Ok(info)
}

/// Implements rt_sigqueueinfo(2).
pub fn sys_rt_sigqueueinfo(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (pid, sig) = (a.int(0), a.int(1));
    let info = user_info(t, sig, a.addr(2), pid == t.tgid)?;
    if sig != 0 && !valid(sig) {
        return Err(Errno::EINVAL);
    }
    if pid <= 0 {
        return Err(Errno::ESRCH);
    }
    kill_target(t, pid, info)
}

/// Implements rt_tgsigqueueinfo(2).
pub fn sys_rt_tgsigqueueinfo(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (tgid, tid, sig) = (a.int(0), a.int(1), a.int(2));
    let info = user_info(t, sig, a.addr(3), tgid == t.tgid)?;
    thread_kill(t, Some(tgid), tid, info)
}

/// Implements unshare(2). The descriptor table, the filesystem context
/// and the semaphore adjustments are unshared; the thread group, the
/// signal handlers and the memory only "unshare" when nothing shares them
/// (Linux's pretence). New namespaces are not offered: as a Linux built
/// without them, EINVAL (after the CAP_SYS_ADMIN check where Linux makes
/// one first).
pub fn sys_unshare(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    use CloneFlags as F;
    let raw = a.u64(0);
    let known = F::CLONE_THREAD
        | F::CLONE_FS
        | F::CLONE_SIGHAND
        | F::CLONE_VM
        | F::CLONE_FILES
        | F::CLONE_SYSVSEM
        | NAMESPACES;
    let time_ns = raw & abi::sched::CLONE_NEWTIME != 0;
    let mut f = F::from_bits_retain(raw & !abi::sched::CLONE_NEWTIME);
    if !known.contains(f) {
        return Err(Errno::EINVAL);
    }
    // ksys_unshare's implied flags.
    if f.contains(F::CLONE_NEWUSER) {
        f |= F::CLONE_THREAD | F::CLONE_FS;
    }
    if f.contains(F::CLONE_VM) {
        f |= F::CLONE_SIGHAND;
    }
    if f.contains(F::CLONE_SIGHAND) {
        f |= F::CLONE_THREAD;
    }
    if f.contains(F::CLONE_NEWNS) {
        f |= F::CLONE_FS;
    }
    // check_unshare_flags: what cannot really be unshared must be unshared
    // already.
    let single = {
        let tree = t.kernel.tree.lock();
        let p = tree.procs.get(&t.tgid).ok_or(Errno::ESRCH)?;
        let single = p.threads.len() == 1;
        if f.intersects(F::CLONE_THREAD | F::CLONE_SIGHAND | F::CLONE_VM) && !single {
            return Err(Errno::EINVAL);
        }
        if f.intersects(F::CLONE_SIGHAND | F::CLONE_VM) && Arc::strong_count(&p.actions) > 1 {
            return Err(Errno::EINVAL);
        }
        // current_is_single_threaded: no other process uses the memory.
        let shared_mm = tree.threads.values().any(|e| {
            e.tgid != t.tgid
                && e.shared
                    .view
                    .lock()
                    .as_ref()
                    .is_some_and(|v| Arc::ptr_eq(&v.mm, &t.mm))
        });
        if f.contains(F::CLONE_VM) && shared_mm {
            return Err(Errno::EINVAL);
        }
        single
    };
    if f.contains(F::CLONE_NEWUSER) {
        return Err(Errno::EINVAL);
    }
    if f.intersects(NAMESPACES) || time_ns {
        if !t.creds.has_cap(crate::creds::CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        return Err(Errno::EINVAL);
    }
    if f.contains(F::CLONE_FS) && Arc::strong_count(&t.fs) > 1 {
        let fs = t.fs.lock().clone();
        t.fs = Arc::new(Mutex::new(fs));
    }
    if f.contains(F::CLONE_FILES) && Arc::strong_count(&t.fds) > 1 {
        let fds = t.fds.lock().clone();
        t.fds = Arc::new(Mutex::new(fds));
    }
    if f.contains(F::CLONE_SYSVSEM) && single {
        // The adjustments are the process's own: a single-threaded one
        // drops its last reference, so they apply now (exit_sem).
        t.kernel.ipc.exit_process(t.tgid);
    }
    t.publish();
    Ok(0)
}
