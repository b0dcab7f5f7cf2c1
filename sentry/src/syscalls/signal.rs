//! Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending,
//! rt_sigsuspend, rt_sigtimedwait, sigaltstack, rt_sigreturn, pause.

use std::time::Instant;

use abi::signal::{
    sigmask, SigactionFlags, FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2, MINSIGSTKSZ, SIGKILL, SIGSTOP,
    SIG_DFL, SIG_IGN, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
};
use abi::types::{Sigaction, Sigaltstack, Ucontext};
use abi::Errno;
use platform::FpState;

use super::fd::install;
use super::Control;
use crate::arch::SyscallArgs;
use crate::kernel::signal::{
    default_action, restore_regs, valid, AltStack, DefaultAction, SigSet, UNBLOCKABLE,
};
use crate::kernel::task::force_signal;
use crate::kernel::Task;

const SIGSET_SIZE: u64 = 8;

/// The `sa_flags` bits Linux keeps (`UAPI_SA_FLAGS`); others read back 0.
fn known_flags() -> u64 {
    use SigactionFlags as F;
    (F::SA_NOCLDSTOP
        | F::SA_NOCLDWAIT
        | F::SA_SIGINFO
        | F::SA_ONSTACK
        | F::SA_RESTART
        | F::SA_NODEFER
        | F::SA_RESETHAND
        | F::SA_EXPOSE_TAGBITS
        | F::SA_RESTORER)
        .bits()
}

/// Implements rt_sigaction(2).
pub fn sys_rt_sigaction(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let sig = a.int(0);
    if a.u64(3) != SIGSET_SIZE || !valid(sig) {
        return Err(Errno::EINVAL);
    }
    let new = if a.addr(1) == 0 {
        None
    } else {
        Some(t.mm.read_obj::<Sigaction>(a.addr(1))?)
    };
    if new.is_some() && (sig == SIGKILL || sig == SIGSTOP) {
        return Err(Errno::EINVAL);
    }
    let old = {
        let mut tree = t.kernel.tree.lock();
        let tgid = t.tgid;
        let actions = tree.procs[&tgid].actions.clone();
        let mut acts = actions.lock();
        let old = acts.get(sig);
        if let Some(mut n) = new {
            n.sa_flags &= known_flags();
            n.sa_mask &= !UNBLOCKABLE;
            acts.set(sig, n);
            // POSIX: a pending signal that becomes ignored is discarded.
            let ignored = n.sa_handler == SIG_IGN
                || (n.sa_handler == SIG_DFL && default_action(sig) == DefaultAction::Ignore);
            drop(acts);
            if ignored {
                let threads = tree.procs[&tgid].threads.clone();
                if let Some(p) = tree.procs.get_mut(&tgid) {
                    p.pending.discard(sigmask(sig));
                }
                for th in threads {
                    if let Some(e) = tree.threads.get_mut(&th) {
                        e.pending.discard(sigmask(sig));
                    }
                }
            }
        }
        old
    };
    if a.addr(2) != 0 {
        t.mm.write_obj(a.addr(2), &old)?;
    }
    Ok(0)
}

/// Implements rt_sigprocmask(2).
pub fn sys_rt_sigprocmask(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.u64(3) != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let old = t.mask();
    if a.addr(1) != 0 {
        let set: SigSet = t.mm.read_obj(a.addr(1))?;
        let new = match a.int(0) {
            0 => old | set,
            1 => old & !set,
            2 => set,
            _ => return Err(Errno::EINVAL),
        };
        t.set_mask(new);
    }
    if a.addr(2) != 0 {
        t.mm.write_obj(a.addr(2), &old)?;
    }
    Ok(0)
}

/// Implements rt_sigpending(2): pending signals that are blocked.
pub fn sys_rt_sigpending(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let size = a.u64(1);
    if size > SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let set = {
        let tree = t.kernel.tree.lock();
        tree.pending(t.tid) & tree.mask(t.tid)
    };
    let bytes = set.to_le_bytes();
    t.mm.copy_out(a.addr(0), &bytes[..usize::try_from(size).expect("<= 8")])?;
    Ok(0)
}

/// Sleeps until a signal needs the task.
fn wait_for_signal(t: &Task) -> Errno {
    match t.block(None, || None::<()>) {
        Err(e) => e,
        Ok(()) => Errno::ERESTARTNOHAND,
    }
}

/// Implements rt_sigsuspend(2).
pub fn sys_rt_sigsuspend(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.u64(1) != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let set: SigSet = t.mm.read_obj(a.addr(0))?;
    t.saved_mask = Some(t.mask());
    t.set_mask(set);
    wait_for_signal(t);
    Err(Errno::ERESTARTNOHAND)
}

/// Implements pause(2).
pub fn sys_pause(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    wait_for_signal(t);
    Err(Errno::ERESTARTNOHAND)
}

/// Implements rt_sigtimedwait(2).
pub fn sys_rt_sigtimedwait(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.u64(3) != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let set: SigSet = t.mm.read_obj::<SigSet>(a.addr(0))? & !UNBLOCKABLE;
    let deadline = super::timeval::read_timespec(t, a.addr(2))?.map(|d| Instant::now() + d);
    let take = |t: &Task| t.kernel.tree.lock().dequeue(t.tid, !set);
    let info = match take(t) {
        Some(i) => i,
        None if deadline.is_some_and(|d| d <= Instant::now()) => return Err(Errno::EAGAIN),
        None => {
            // Wait with the set unblocked, so its signals wake us; they
            // are taken here, not delivered.
            let old = {
                let mut tree = t.kernel.tree.lock();
                let old = tree.mask(t.tid);
                if let Some(e) = tree.threads.get_mut(&t.tid) {
                    e.real_blocked = old;
                }
                tree.set_mask(t.tid, old & !set);
                old
            };
            let r = t.block(deadline, || take(t));
            {
                let mut tree = t.kernel.tree.lock();
                if let Some(e) = tree.threads.get_mut(&t.tid) {
                    e.real_blocked = 0;
                }
                tree.set_mask(t.tid, old);
            }
            match r {
                Ok(i) => i,
                Err(Errno::ETIMEDOUT) => return Err(Errno::EAGAIN),
                Err(_) => return Err(Errno::EINTR),
            }
        }
    };
    if a.addr(1) != 0 {
        t.mm.write_obj(a.addr(1), &info)?;
    }
    Ok(u64::try_from(info.si_signo).expect("positive"))
}

/// Implements sigaltstack(2).
pub fn sys_sigaltstack(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let sp = t.regs.rsp;
    let old = t.alt_stack;
    let new = if a.addr(0) == 0 {
        None
    } else {
        Some(t.mm.read_obj::<Sigaltstack>(a.addr(0))?)
    };
    if let Some(ss) = new {
        set_alt_stack(t, ss, sp)?;
    }
    if a.addr(1) != 0 {
        let oss = Sigaltstack {
            ss_sp: old.sp,
            ss_flags: old.state(sp) | (old.flags & SS_AUTODISARM),
            _pad: 0,
            ss_size: old.size,
        };
        t.mm.write_obj(a.addr(1), &oss)?;
    }
    Ok(0)
}

/// Linux's `do_sigaltstack` for a new stack.
fn set_alt_stack(t: &mut Task, ss: Sigaltstack, sp: u64) -> Result<(), Errno> {
    if t.alt_stack.contains(sp) {
        return Err(Errno::EPERM);
    }
    let mode = ss.ss_flags & !SS_AUTODISARM;
    if mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0 {
        return Err(Errno::EINVAL);
    }
    t.alt_stack = if mode == SS_DISABLE {
        AltStack {
            sp: 0,
            size: 0,
            flags: ss.ss_flags,
        }
    } else {
        if ss.ss_size < MINSIGSTKSZ {
            return Err(Errno::ENOMEM);
        }
        AltStack {
            sp: ss.ss_sp,
            size: ss.ss_size,
            flags: ss.ss_flags,
        }
    };
    Ok(())
}

/// Implements rt_sigreturn(2): the registers, mask, alternate stack and
/// FP state saved in the frame the handler returns through.
pub fn sys_rt_sigreturn(t: &mut Task, _a: &SyscallArgs) -> Result<Control, Errno> {
    // The handler's `ret` popped the frame's return address.
    let uc_addr = t.regs.rsp;
    let Ok(uc) = t.mm.read_obj::<Ucontext>(uc_addr) else {
        bad_frame(t);
        return Ok(Control::Resume);
    };
    t.regs = restore_regs(&t.regs, &uc);
    t.set_mask(uc.uc_sigmask);
    let ss = uc.uc_stack;
    // Linux ignores errors restoring the alternate stack.
    let _ = set_alt_stack(t, ss, t.regs.rsp);
    if !restore_fp(t, uc.uc_mcontext.fpstate) {
        bad_frame(t);
    }
    Ok(Control::Resume)
}

/// The FP state of a frame: the XSAVE area at `addr` (0 for the initial
/// state). Returns false for a corrupt one.
fn restore_fp(t: &mut Task, addr: u64) -> bool {
    let Ok(cur) = t.ctx.fp_state() else {
        return false;
    };
    if addr == 0 {
        return t.ctx.set_fp_state(&FpState::initial(&cur)).is_ok();
    }
    let mut bytes = vec![0u8; cur.bytes.len()];
    if !addr.is_multiple_of(64) || t.mm.copy_in(addr, &mut bytes).is_err() {
        return false;
    }
    // A frame without the XSAVE magic carries only the legacy area.
    let magic1 = u32::from_le_bytes(bytes[464..468].try_into().expect("4"));
    let size = u32::from_le_bytes(bytes[480..484].try_into().expect("4"));
    let mut magic2 = [0u8; 4];
    let has_xstate = magic1 == FP_XSTATE_MAGIC1
        && size as usize == bytes.len()
        && t.mm.copy_in(addr + u64::from(size), &mut magic2).is_ok()
        && u32::from_le_bytes(magic2) == FP_XSTATE_MAGIC2;
    if !has_xstate {
        let mut init = FpState::initial(&cur).bytes;
        init[..512].copy_from_slice(&bytes[..512]);
        bytes = init;
    }
    // The ptrace layout wants the kernel's own software bytes back.
    bytes[464..512].copy_from_slice(&cur.bytes[464..512]);
    t.ctx.set_fp_state(&FpState { bytes }).is_ok()
}

fn bad_frame(t: &Task) {
    force_signal(
        t,
        <abi::types::Siginfo as crate::kernel::signal::SiginfoExt>::new(
            abi::signal::SIGSEGV,
            abi::signal::SI_KERNEL,
        ),
    );
}

fn signalfd(t: &Task, fd: i32, mask_addr: u64, size: u64, flags: i32) -> Result<u64, Errno> {
    use crate::kernel::sigfiles::SignalFd;
    if size != SIGSET_SIZE || flags & !(libc::O_CLOEXEC | libc::O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let mask: SigSet = t.mm.read_obj(mask_addr)?;
    if fd != -1 {
        let f = t.fds.lock().get(fd)?;
        let sfd = f
            .imp()
            .as_any()
            .and_then(|a| a.downcast_ref::<SignalFd>())
            .ok_or(Errno::EINVAL)?;
        sfd.set_mask(mask);
        return Ok(u64::try_from(fd).expect("non-negative"));
    }
    let events = t.kernel.tree.lock().procs[&t.tgid].signal_events.clone();
    let file = crate::fsimpl::FileDescription::new(
        Box::new(SignalFd::new(mask, events)),
        libc::O_RDWR | (flags & libc::O_NONBLOCK),
    );
    install(t, file, flags & libc::O_CLOEXEC != 0)
}

/// Implements signalfd4(2).
pub fn sys_signalfd4(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    signalfd(t, a.fd(0), a.addr(1), a.u64(2), a.int(3))
}

/// Implements signalfd(2).
pub fn sys_signalfd(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    signalfd(t, a.fd(0), a.addr(1), a.u64(2), 0)
}

/// A pidfd for process `tgid`, close-on-exec as Linux makes them.
pub(super) fn new_pidfd(t: &Task, tgid: i32, nonblock: bool) -> Result<u64, Errno> {
    use crate::kernel::sigfiles::PidFd;
    let events = {
        let tree = t.kernel.tree.lock();
        let p = tree.procs.get(&tgid).ok_or(Errno::ESRCH)?;
        p.exit_events.clone()
    };
    let flags = libc::O_RDWR | if nonblock { libc::O_NONBLOCK } else { 0 };
    let file =
        crate::fsimpl::FileDescription::new(Box::new(PidFd::new(&t.kernel, tgid, events)), flags);
    install(t, file, true)
}

/// The process a pidfd names.
pub(super) fn pidfd_target(t: &Task, fd: i32) -> Result<i32, Errno> {
    use crate::kernel::sigfiles::PidFd;
    let f = t.fds.lock().get(fd)?;
    f.imp()
        .as_any()
        .and_then(|a| a.downcast_ref::<PidFd>())
        .map(|p| p.tgid)
        .ok_or(Errno::EBADF)
}

/// Implements pidfd_open(2).
pub fn sys_pidfd_open(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (pid, flags) = (a.int(0), a.uint(1));
    if flags & !(libc::O_NONBLOCK as u32) != 0 || pid <= 0 {
        return Err(Errno::EINVAL);
    }
    {
        let tree = t.kernel.tree.lock();
        match tree.threads.get(&pid) {
            Some(th) if th.tgid == pid => {}
            Some(_) => return Err(Errno::EINVAL),
            None => {
                // A zombie is still a process.
                if !tree.procs.contains_key(&pid) {
                    return Err(Errno::ESRCH);
                }
            }
        }
    }
    new_pidfd(t, pid, flags != 0)
}

/// Implements pidfd_send_signal(2).
pub fn sys_pidfd_send_signal(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    use crate::kernel::signal::SiginfoExt;
    let (sig, flags) = (a.int(1), a.uint(3));
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let tgid = pidfd_target(t, a.fd(0)).or_else(|e| {
        // A `/proc/<pid>` directory serves as a pidfd here.
        let f = t.fds.lock().get(a.fd(0))?;
        f.location()
            .and_then(|l| crate::fsimpl::proc::process_of_dir(l.inode()))
            .ok_or(e)
    })?;
    if sig != 0 && !valid(sig) {
        return Err(Errno::EINVAL);
    }
    let info = if a.addr(2) == 0 {
        abi::types::Siginfo::from_process(sig, abi::signal::SI_USER, t.tgid, t.creds.ruid)
    } else {
        let mut info: abi::types::Siginfo = t.mm.read_obj(a.addr(2))?;
        if info.si_signo != sig {
            return Err(Errno::EINVAL);
        }
        if (info.si_code >= 0 || info.si_code == abi::signal::SI_TKILL) && tgid != t.tgid {
            return Err(Errno::EPERM);
        }
        info.si_signo = sig;
        info
    };
    let mut tree = t.kernel.tree.lock();
    match tree.procs.get(&tgid).map(|p| p.state) {
        None | Some(crate::kernel::process::ProcState::Zombie(_)) => Err(Errno::ESRCH),
        Some(_) => {
            tree.send_to_process(tgid, info);
            Ok(0)
        }
    }
}
