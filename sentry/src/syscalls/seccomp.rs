//! seccomp(2), prctl's PR_SET_SECCOMP, and the check every call of a task
//! in seccomp mode passes at entry (Linux's `__secure_computing`).

use abi::seccomp::{
    SeccompData, SeccompNotifSizes, SockFilter, SockFprog, AUDIT_ARCH_X86_64, BPF_MAXINSNS,
    SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
    SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES,
    SECCOMP_NOTIF_RESP_SIZE, SECCOMP_NOTIF_SIZE, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW,
    SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
    SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
    SECCOMP_SET_MODE_FILTER, SECCOMP_SET_MODE_STRICT, SYS_SECCOMP,
};
use abi::signal::{SIGKILL, SIGSYS};
use abi::types::Siginfo;
use abi::Errno;
use zerocopy::FromBytes;

use super::{Control, Outcome};
use crate::arch::{return_value, SyscallArgs};
use crate::creds::CAP_SYS_ADMIN;
use crate::kernel::seccomp::{Filter, Mode, Seccomp};
use crate::kernel::signal::SiginfoExt;
use crate::kernel::{task::force_signal, ExitStatus, Task};

/// Linux's `MAX_ERRNO`: the largest errno RET_ERRNO returns.
const MAX_ERRNO: u32 = 4095;

/// The calls strict mode allows (Linux's `mode1_syscalls`).
const STRICT_ALLOWED: [u64; 4] = [
    abi::sysno::READ as u64,
    abi::sysno::WRITE as u64,
    abi::sysno::EXIT as u64,
    abi::sysno::RT_SIGRETURN as u64,
];

/// Implements seccomp(2). SECCOMP_FILTER_FLAG_NEW_LISTENER is EINVAL (no
/// user-space notification), so SECCOMP_GET_ACTION_AVAIL calls
/// SECCOMP_RET_USER_NOTIF unavailable; FLAG_LOG and FLAG_SPEC_ALLOW are
/// accepted with nothing to do (no audit log, no speculation mitigations).
pub fn sys_seccomp(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.uint(1);
    let uargs = a.addr(2);
    match a.uint(0) {
        SECCOMP_SET_MODE_STRICT => {
            if flags != 0 || uargs != 0 {
                return Err(Errno::EINVAL);
            }
            set_strict(t)
        }
        SECCOMP_SET_MODE_FILTER => set_filter(t, flags, uargs),
        SECCOMP_GET_ACTION_AVAIL => {
            if flags != 0 {
                return Err(Errno::EINVAL);
            }
            let action: u32 = t.mm.read_obj(uargs)?;
            match action {
                SECCOMP_RET_KILL_PROCESS
                | SECCOMP_RET_KILL_THREAD
                | SECCOMP_RET_TRAP
                | SECCOMP_RET_ERRNO
                | SECCOMP_RET_TRACE
                | SECCOMP_RET_LOG
                | SECCOMP_RET_ALLOW => Ok(0),
                _ => Err(Errno::EOPNOTSUPP),
            }
        }
        SECCOMP_GET_NOTIF_SIZES => {
            if flags != 0 {
                return Err(Errno::EINVAL);
            }
            let sizes = SeccompNotifSizes {
                seccomp_notif: SECCOMP_NOTIF_SIZE,
                seccomp_notif_resp: SECCOMP_NOTIF_RESP_SIZE,
                seccomp_data: 64,
            };
            t.mm.write_obj(uargs, &sizes)?;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// prctl(PR_SET_SECCOMP, mode, filter): Linux's `prctl_set_seccomp`.
pub fn prctl_set_seccomp(t: &mut Task, mode: u64, filter: u64) -> Result<u64, Errno> {
    match mode {
        abi::prctl::SECCOMP_MODE_STRICT => set_strict(t),
        abi::prctl::SECCOMP_MODE_FILTER => set_filter(t, 0, filter),
        _ => Err(Errno::EINVAL),
    }
}

/// PR_GET_SECCOMP: the caller's mode.
pub fn prctl_get_seccomp(t: &Task) -> u64 {
    t.shared.seccomp.get().mode.number()
}

fn set_strict(t: &mut Task) -> Result<u64, Errno> {
    let _tree = t.kernel.tree.lock();
    let mut s = t.shared.seccomp.get();
    if s.mode == Mode::Filter {
        return Err(Errno::EINVAL);
    }
    s.mode = Mode::Strict;
    t.shared.seccomp.set(s);
    Ok(0)
}

/// SECCOMP_SET_MODE_FILTER, in Linux's order of checks: flags, the
/// program (`seccomp_prepare_filter`), the mode, TSYNC, the path length.
fn set_filter(t: &mut Task, flags: u32, uargs: u64) -> Result<u64, Errno> {
    const KNOWN: u32 = SECCOMP_FILTER_FLAG_TSYNC
        | SECCOMP_FILTER_FLAG_LOG
        | SECCOMP_FILTER_FLAG_SPEC_ALLOW
        | SECCOMP_FILTER_FLAG_NEW_LISTENER
        | SECCOMP_FILTER_FLAG_TSYNC_ESRCH
        | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    if flags & !KNOWN != 0 {
        return Err(Errno::EINVAL);
    }
    let tsync = flags & SECCOMP_FILTER_FLAG_TSYNC != 0;
    let listener = flags & SECCOMP_FILTER_FLAG_NEW_LISTENER != 0;
    if tsync && listener && flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV != 0 && !listener {
        return Err(Errno::EINVAL);
    }
    let prog = read_program(t, uargs)?;
    // No user-space notification: a listener cannot be made (see the
    // handler's doc and docs/compatibility.md).
    if listener {
        return Err(Errno::EINVAL);
    }
    let tree = t.kernel.tree.lock();
    let mine = t.shared.seccomp.get();
    if mine.mode == Mode::Strict {
        return Err(Errno::EINVAL);
    }
    let chain = Filter::push(prog, mine.filter.as_ref())?;
    let others: Vec<_> = tree
        .procs
        .get(&t.tgid)
        .map(|p| {
            p.threads
                .iter()
                .copied()
                .filter(|&tid| tid != t.tid)
                .collect()
        })
        .unwrap_or_default();
    if tsync {
        // Linux's seccomp_can_sync_threads: each other thread is without
        // seccomp or runs an ancestor of the caller's chain.
        for &tid in &others {
            let Some(e) = tree.threads.get(&tid) else {
                continue;
            };
            let theirs = e.shared.seccomp.get();
            let ok = match (theirs.mode, &theirs.filter) {
                (Mode::Disabled, _) | (Mode::Filter, None) => true,
                (Mode::Filter, Some(f)) => chain.descends_from(f),
                (Mode::Strict, _) => false,
            };
            if !ok {
                if flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH != 0 {
                    return Err(Errno::ESRCH);
                }
                return Ok(u64::from(tid.cast_unsigned()));
            }
        }
    }
    let new = Seccomp {
        mode: Mode::Filter,
        filter: Some(chain),
    };
    if tsync {
        for tid in others {
            if let Some(e) = tree.threads.get(&tid) {
                e.shared.seccomp.set(new.clone());
            }
        }
    }
    t.shared.seccomp.set(new);
    Ok(0)
}

/// Copies in the `struct sock_fprog` at `addr` and its program, and checks
/// the caller may install it: EFAULT, EINVAL for the length, EACCES
/// without no_new_privs or CAP_SYS_ADMIN, then the checker's EINVAL.
fn read_program(t: &Task, addr: u64) -> Result<Vec<SockFilter>, Errno> {
    let fprog: SockFprog = t.mm.read_obj(addr)?;
    let len = usize::from(fprog.len);
    if len == 0 || len > BPF_MAXINSNS {
        return Err(Errno::EINVAL);
    }
    if !t.flags.no_new_privs && !t.creds.has_cap(CAP_SYS_ADMIN) {
        return Err(Errno::EACCES);
    }
    if fprog.filter == 0 {
        return Err(Errno::EINVAL);
    }
    let mut bytes = vec![0u8; len * size_of::<SockFilter>()];
    t.mm.copy_in(fprog.filter, &mut bytes)?;
    let prog = <[SockFilter]>::ref_from_bytes(&bytes).map_err(|_| Errno::EFAULT)?;
    Filter::check(prog)?;
    Ok(prog.to_vec())
}

/// Runs the task's seccomp check on the call in `args` (the task is in a
/// seccomp mode): `None` lets the call run, `Some` is what happens
/// instead.
pub fn check_entry(t: &mut Task, args: &SyscallArgs) -> Option<Outcome> {
    let s = t.shared.seccomp.get();
    let filter = match (s.mode, s.filter) {
        (Mode::Strict, _) => {
            if STRICT_ALLOWED.contains(&args.nr) {
                return None;
            }
            // Linux's do_exit(SIGKILL): this thread only.
            return Some(Outcome::Stop(Control::ExitThread(ExitStatus::Signaled(
                SIGKILL,
            ))));
        }
        (Mode::Filter, Some(f)) => f,
        _ => return None,
    };
    #[allow(clippy::cast_possible_truncation)]
    let nr = args.nr as i32;
    let data = SeccompData {
        nr,
        arch: AUDIT_ARCH_X86_64,
        instruction_pointer: t.regs.rip,
        args: args.raw,
    };
    let ret = filter.run_chain(&data);
    let value = ret & SECCOMP_RET_DATA;
    match ret & SECCOMP_RET_ACTION_FULL {
        SECCOMP_RET_ALLOW | SECCOMP_RET_LOG => None,
        // The data is returned as it is: 0 is a success, and a value in
        // the sentry's internal restart range reaches the application as on
        // Linux.
        SECCOMP_RET_ERRNO => Some(Outcome::Return(
            i64::from(value.min(MAX_ERRNO))
                .wrapping_neg()
                .cast_unsigned(),
        )),
        // No tracer can attach, and no listener exists.
        SECCOMP_RET_TRACE | SECCOMP_RET_USER_NOTIF => {
            Some(Outcome::Return(return_value(Err(Errno::ENOSYS))))
        }
        SECCOMP_RET_TRAP => {
            let mut info = Siginfo::new(SIGSYS, SYS_SECCOMP);
            info.si_errno = value.cast_signed();
            info.put_u64(0, t.regs.rip);
            info.put_i32(8, nr);
            info.put_i32(12, AUDIT_ARCH_X86_64.cast_signed());
            force_signal(t, info);
            // Linux's syscall_rollback: the handler sees rax as the call
            // number, not a result.
            Some(Outcome::Return(args.nr))
        }
        action => {
            // KILL_THREAD, KILL_PROCESS, and any action Linux does not know.
            let status = ExitStatus::Signaled(SIGSYS);
            let alone = t.kernel.tree.lock().is_last_thread(t.tid);
            if action == SECCOMP_RET_KILL_THREAD && !alone {
                Some(Outcome::Stop(Control::ExitThread(status)))
            } else {
                Some(Outcome::Stop(Control::ExitGroup(status)))
            }
        }
    }
}
