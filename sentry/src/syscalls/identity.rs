//! Process identity: ids, credentials, process groups and sessions.

use abi::Errno;

use crate::arch::SyscallArgs;
use crate::creds::{CAP_SETGID, CAP_SETUID};
use crate::kernel::process::Process;
use crate::kernel::{Credentials, Task};

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

const CAP_SETPCAP: u32 = 8;
/// `(uid_t)-1`: leave unchanged.
const KEEP: u32 = u32::MAX;

/// Which id a set*id call changes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ids {
    User,
    Group,
}

fn ids(c: &Credentials, which: Ids) -> [u32; 4] {
    match which {
        Ids::User => [c.ruid, c.euid, c.suid, c.fsuid],
        Ids::Group => [c.rgid, c.egid, c.sgid, c.fsgid],
    }
}

fn set_ids(c: &mut Credentials, which: Ids, v: [u32; 4]) {
    match which {
        Ids::User => [c.ruid, c.euid, c.suid, c.fsuid] = v,
        Ids::Group => [c.rgid, c.egid, c.sgid, c.fsgid] = v,
    }
}

fn privileged(c: &Credentials, which: Ids) -> bool {
    c.has_cap(if which == Ids::User {
        CAP_SETUID
    } else {
        CAP_SETGID
    })
}

/// Installs new ids, with the capability fixups of a uid change.
fn commit(t: &mut Task, which: Ids, v: [u32; 4]) {
    let old = t.creds.clone();
    set_ids(&mut t.creds, which, v);
    if which == Ids::User {
        let keep = t.flags.keep_caps;
        t.creds.fix_caps_after_setuid(&old, keep);
    }
    changed(t, &old);
}

/// Linux's `commit_creds`: a change of effective or filesystem ids, or
/// new permitted capabilities, make the process non-dumpable
/// (`suid_dumpable` is 0), which hands its `/proc` files to root; the
/// new credentials are published.
fn changed(t: &mut Task, old: &Credentials) {
    let c = &t.creds;
    if c.euid != old.euid
        || c.egid != old.egid
        || c.fsuid != old.fsuid
        || c.fsgid != old.fsgid
        || c.cap_permitted & !old.cap_permitted != 0
    {
        t.flags.dumpable = false;
    }
    t.publish();
}

/// setuid(2) / setgid(2).
fn set_id(t: &mut Task, which: Ids, id: u32) -> Result<u64, Errno> {
    if id == KEEP {
        return Err(Errno::EINVAL);
    }
    let [r, e, s, _] = ids(&t.creds, which);
    let new = if privileged(&t.creds, which) {
        [id, id, id, id]
    } else if id == r || id == s {
        [r, id, s, id]
    } else {
        return Err(Errno::EPERM);
    };
    let _ = e;
    commit(t, which, new);
    Ok(0)
}

/// setreuid(2) / setregid(2).
fn set_re(t: &mut Task, which: Ids, nr: u32, ne: u32) -> Result<u64, Errno> {
    let [r, e, s, _] = ids(&t.creds, which);
    let privd = privileged(&t.creds, which);
    let new_r = if nr == KEEP { r } else { nr };
    let new_e = if ne == KEEP { e } else { ne };
    if nr != KEEP && !privd && nr != r && nr != e {
        return Err(Errno::EPERM);
    }
    if ne != KEEP && !privd && ne != r && ne != e && ne != s {
        return Err(Errno::EPERM);
    }
    let new_s = if nr != KEEP || (ne != KEEP && ne != r) {
        new_e
    } else {
        s
    };
    commit(t, which, [new_r, new_e, new_s, new_e]);
    Ok(0)
}

/// setresuid(2) / setresgid(2).
fn set_res(t: &mut Task, which: Ids, v: [u32; 3]) -> Result<u64, Errno> {
    let [r, e, s, _] = ids(&t.creds, which);
    if !privileged(&t.creds, which) {
        for x in v {
            if x != KEEP && x != r && x != e && x != s {
                return Err(Errno::EPERM);
            }
        }
    }
    let pick = |x: u32, cur: u32| if x == KEEP { cur } else { x };
    let (nr, ne, ns) = (pick(v[0], r), pick(v[1], e), pick(v[2], s));
    commit(t, which, [nr, ne, ns, ne]);
    Ok(0)
}

/// setfsuid(2) / setfsgid(2): always returns the old value.
fn set_fs(t: &mut Task, which: Ids, id: u32) -> u64 {
    let [r, e, s, fs] = ids(&t.creds, which);
    if id != KEEP && (privileged(&t.creds, which) || [r, e, s, fs].contains(&id)) {
        let old = t.creds.clone();
        set_ids(&mut t.creds, which, [r, e, s, id]);
        if which == Ids::User {
            t.creds.fix_fs_caps(old.fsuid);
        }
        changed(t, &old);
    }
    u64::from(fs)
}

/// Implements setuid(2).
pub fn sys_setuid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_id(t, Ids::User, a.uint(0))
}

/// Implements setgid(2).
pub fn sys_setgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_id(t, Ids::Group, a.uint(0))
}

/// Implements setreuid(2).
pub fn sys_setreuid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_re(t, Ids::User, a.uint(0), a.uint(1))
}

/// Implements setregid(2).
pub fn sys_setregid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_re(t, Ids::Group, a.uint(0), a.uint(1))
}

/// Implements setresuid(2).
pub fn sys_setresuid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_res(t, Ids::User, [a.uint(0), a.uint(1), a.uint(2)])
}

/// Implements setresgid(2).
pub fn sys_setresgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_res(t, Ids::Group, [a.uint(0), a.uint(1), a.uint(2)])
}

/// Implements setfsuid(2).
pub fn sys_setfsuid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(set_fs(t, Ids::User, a.uint(0)))
}

/// Implements setfsgid(2).
pub fn sys_setfsgid(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    Ok(set_fs(t, Ids::Group, a.uint(0)))
}

/// `NGROUPS_MAX`.
const NGROUPS_MAX: usize = 65536;

/// Implements setgroups(2); the list is kept sorted, as Linux keeps it.
pub fn sys_setgroups(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let n = usize::try_from(a.int(0)).map_err(|_| Errno::EINVAL)?;
    if n > NGROUPS_MAX {
        return Err(Errno::EINVAL);
    }
    if !t.creds.has_cap(CAP_SETGID) {
        return Err(Errno::EPERM);
    }
    let mut raw = vec![0u8; n * 4];
    t.mm.copy_in(a.addr(1), &mut raw)?;
    let mut groups: Vec<u32> = raw
        .chunks_exact(4)
        .map(|c| u32::from_ne_bytes(c.try_into().expect("4")))
        .collect();
    if groups.contains(&KEEP) {
        return Err(Errno::EINVAL);
    }
    groups.sort_unstable();
    t.creds.groups = groups;
    t.publish();
    Ok(0)
}

const CAP_V1: u32 = 0x1998_0330;
const CAP_V2: u32 = 0x2007_1026;
const CAP_V3: u32 = 0x2008_0522;

/// The number of 32-bit words per set for a capability header version;
/// an unknown version is answered with the preferred one and EINVAL.
fn cap_words(t: &Task, hdr: u64) -> Result<(usize, i32), Errno> {
    let h: [u32; 2] = t.mm.read_obj(hdr)?;
    let words = match h[0] {
        CAP_V1 => 1,
        CAP_V2 | CAP_V3 => 2,
        _ => {
            t.mm.write_obj(hdr, &CAP_V3)?;
            return Err(Errno::EINVAL);
        }
    };
    Ok((words, h[1].cast_signed()))
}

/// Implements capget(2).
pub fn sys_capget(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    // A probe (NULL data) with an unknown version learns the preferred
    // one and succeeds.
    let (words, pid) = match cap_words(t, a.addr(0)) {
        Err(Errno::EINVAL) if a.addr(1) == 0 => return Ok(0),
        r => r?,
    };
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if a.addr(1) == 0 {
        return Ok(0);
    }
    if pid != 0 && pid != t.tid && !t.kernel.tree.lock().threads.contains_key(&pid) {
        return Err(Errno::ESRCH);
    }
    // Other tasks' sets are not tracked centrally; they are reported as the
    // caller's, which every task of a sandbox without setuid shares.
    let c = &t.creds;
    let mut out = Vec::with_capacity(words * 12);
    for w in 0..words {
        for set in [c.cap_effective, c.cap_permitted, c.cap_inheritable] {
            let v = u32::try_from((set >> (32 * w)) & 0xffff_ffff).expect("32 bits");
            out.extend_from_slice(&v.to_ne_bytes());
        }
    }
    t.mm.copy_out(a.addr(1), &out)?;
    Ok(0)
}

/// Implements capset(2) for the calling thread.
pub fn sys_capset(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let (words, pid) = cap_words(t, a.addr(0))?;
    if pid != 0 && pid != t.tid {
        return Err(Errno::EPERM);
    }
    let mut raw = vec![0u8; words * 12];
    t.mm.copy_in(a.addr(1), &mut raw)?;
    let mut sets = [0u64; 3];
    for w in 0..words {
        for (k, set) in sets.iter_mut().enumerate() {
            let at = w * 12 + k * 4;
            let v = u32::from_ne_bytes(raw[at..at + 4].try_into().expect("4"));
            *set |= u64::from(v) << (32 * w);
        }
    }
    let [eff, perm, inh] = sets.map(|s| s & crate::kernel::ALL_CAPS);
    let c = &t.creds;
    let inh_limit = if c.has_cap(CAP_SETPCAP) {
        c.cap_inheritable | c.cap_bounding
    } else {
        c.cap_inheritable | c.cap_permitted
    };
    if inh & !inh_limit != 0 || perm & !c.cap_permitted != 0 || eff & !perm != 0 {
        return Err(Errno::EPERM);
    }
    t.creds.cap_effective = eff;
    t.creds.cap_permitted = perm;
    t.creds.cap_inheritable = inh;
    t.creds.cap_ambient &= perm & inh;
    t.publish();
    Ok(0)
}
