//! Process identity: ids, credentials, process groups and sessions.

use abi::Errno;

use crate::arch::SyscallArgs;
use crate::kernel::process::Process;
use crate::kernel::Task;

#[allow(clippy::cast_sign_loss)]
fn id(v: i32) -> u64 {
    u64::from(v as u32)
}

/// Implements getpid(2).
pub fn sys_getpid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(id(t.tgid))
}

/// Implements gettid(2).
pub fn sys_gettid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(id(t.tid))
}

/// Implements getppid(2): 0 for the sandbox's init, as for Linux's init.
pub fn sys_getppid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(id(t.ppid()))
}

/// Implements getuid(2).
pub fn sys_getuid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(u64::from(t.creds.ruid))
}

/// Implements geteuid(2).
pub fn sys_geteuid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(u64::from(t.creds.euid))
}

/// Implements getgid(2).
pub fn sys_getgid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(u64::from(t.creds.rgid))
}

/// Implements getegid(2).
pub fn sys_getegid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(u64::from(t.creds.egid))
}

fn write_three(t: &Task, a: &SyscallArgs, v: [u32; 3]) -> Result<u64, Errno> {
    for (i, x) in v.iter().enumerate() {
        t.mm.write_obj(a.addr(i), x)?;
    }
    Ok(0)
}

/// Implements getresuid(2).
pub fn sys_getresuid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let c = &t.creds;
    write_three(t, a, [c.ruid, c.euid, c.suid])
}

/// Implements getresgid(2).
pub fn sys_getresgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let c = &t.creds;
    write_three(t, a, [c.rgid, c.egid, c.sgid])
}

/// Implements getgroups(2).
pub fn sys_getgroups(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let size = a.int(0);
    let n = t.creds.groups.len();
    let Ok(size) = usize::try_from(size) else {
        return Err(Errno::EINVAL);
    };
    if size == 0 {
        return Ok(n as u64);
    }
    if size < n {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = t
        .creds
        .groups
        .iter()
        .flat_map(|g| g.to_ne_bytes())
        .collect();
    t.mm.copy_out(a.addr(1), &bytes)?;
    Ok(n as u64)
}

/// The target of a `pid` argument that may only name the caller today.
pub(super) fn target_self(t: &Task, pid: i32) -> Result<(), Errno> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid == 0 || pid == t.tgid || pid == t.tid {
        Ok(())
    } else {
        Err(Errno::ESRCH)
    }
}

/// Implements getpgrp(2).
pub fn sys_getpgrp(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(id(t.pgid()))
}

/// The process a `pid` argument names (0: the caller), or ESRCH.
fn lookup(t: &Task, pid: i32, f: impl Fn(&Process) -> i32) -> Result<u64, Errno> {
    if pid < 0 {
        return Err(Errno::ESRCH);
    }
    let target = if pid == 0 { t.tgid } else { pid };
    let tree = t.kernel.tree.lock();
    let p = tree.procs.get(&target).ok_or(Errno::ESRCH)?;
    Ok(id(f(p)))
}

/// Implements getpgid(2).
pub fn sys_getpgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    lookup(t, a.int(0), |p| p.pgid)
}

/// Implements getsid(2).
pub fn sys_getsid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    lookup(t, a.int(0), |p| p.sid)
}

/// Implements setpgid(2), with Linux's rules: the caller or a child of
/// it that has not exec'd, in the caller's session, not a session leader,
/// into its own group or an existing group of the same session.
pub fn sys_setpgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (pid, pgid) = (a.int(0), a.int(1));
    if pgid < 0 || pid < 0 {
        return Err(Errno::EINVAL);
    }
    let target = if pid == 0 { t.tgid } else { pid };
    let pgid = if pgid == 0 { target } else { pgid };
    let mut tree = t.kernel.tree.lock();
    let my_sid = tree.procs[&t.tgid].sid;
    let p = tree.procs.get(&target).ok_or(Errno::ESRCH)?;
    if matches!(p.state, crate::kernel::process::ProcState::Zombie(_)) {
        return Err(Errno::ESRCH);
    }
    if target != t.tgid {
        if p.parent != t.tgid {
            return Err(Errno::ESRCH);
        }
        if p.sid != my_sid {
            return Err(Errno::EPERM);
        }
        if p.did_exec {
            return Err(Errno::EACCES);
        }
    }
    if p.sid == target {
        return Err(Errno::EPERM);
    }
    if pgid != target
        && !tree
            .procs
            .values()
            .any(|q| q.pgid == pgid && q.sid == my_sid)
    {
        return Err(Errno::EPERM);
    }
    tree.procs.get_mut(&target).expect("exists").pgid = pgid;
    Ok(0)
}

/// Implements setsid(2).
pub fn sys_setsid(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    let mut tree = t.kernel.tree.lock();
    if tree.procs.values().any(|q| q.pgid == t.tgid) {
        return Err(Errno::EPERM);
    }
    let p = tree.procs.get_mut(&t.tgid).expect("the caller exists");
    p.pgid = t.tgid;
    p.sid = t.tgid;
    Ok(id(t.tgid))
}
