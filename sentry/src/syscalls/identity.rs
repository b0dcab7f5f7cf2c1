//! Process identity: ids, credentials, process groups and sessions.

use abi::Errno;

use crate::arch::SyscallArgs;
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
    Ok(id(t.ppid))
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
    if pid == 0 || pid == t.tgid {
        Ok(())
    } else {
        Err(Errno::ESRCH)
    }
}

/// Implements getpgrp(2).
pub fn sys_getpgrp(t: &mut Task, _a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(id(t.pgid))
}

/// Implements getpgid(2).
pub fn sys_getpgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    target_self(t, a.int(0)).map_err(|_| Errno::ESRCH)?;
    Ok(id(t.pgid))
}

/// Implements getsid(2).
pub fn sys_getsid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    target_self(t, a.int(0)).map_err(|_| Errno::ESRCH)?;
    Ok(id(t.sid))
}
