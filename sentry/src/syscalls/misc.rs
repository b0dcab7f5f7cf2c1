//! uname, umask, rlimits, sysinfo, getrandom, prctl, arch_prctl and the
//! per-thread addresses glibc registers at start-up.

use abi::prctl::*;
use abi::resource::{RLIMIT_NOFILE, RLIM_NLIMITS};
use abi::types::{Rlimit, Sysinfo, Utsname};
use abi::Errno;
use zerocopy::FromZeros;

use crate::arch::SyscallArgs;
use crate::kernel::Task;

use crate::kernel::{CAP_LAST_CAP, RELEASE, VERSION};

fn fill(field: &mut [u8; 65], s: &[u8]) {
    let n = s.len().min(64);
    field[..n].copy_from_slice(&s[..n]);
}

/// Implements uname(2) with the sandbox's own hostname.
pub fn sys_uname(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mut u = Utsname::new_zeroed();
    fill(&mut u.sysname, b"Linux");
    fill(&mut u.nodename, &t.kernel.hostname.lock());
    fill(&mut u.release, RELEASE);
    fill(&mut u.version, VERSION);
    // `override_architecture`: a 32-bit persona sees a 32-bit machine.
    let machine: &[u8] = if t.flags.personality & PER_MASK == PER_LINUX32 {
        b"i686"
    } else {
        b"x86_64"
    };
    fill(&mut u.machine, machine);
    fill(&mut u.domainname, &t.kernel.domainname.lock());
    t.mm.write_obj(a.addr(0), &u)?;
    Ok(0)
}

/// Implements personality(2): 0xffffffff reads the persona; any other
/// value replaces it (Linux checks none). Returns the old one. The sentry
/// acts on PER_LINUX32 (uname's machine) and ADDR_NO_RANDOMIZE (exec's
/// layout).
pub fn sys_personality(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let old = t.flags.personality;
    let new = a.uint(0);
    if new != u32::MAX {
        t.flags.personality = new;
        t.publish();
    }
    // An int: a persona with the top bit set reads as negative.
    Ok(i64::from(old.cast_signed()).cast_unsigned())
}

/// sethostname and setdomainname: CAP_SYS_ADMIN, then at most 64 bytes
/// (`__NEW_UTS_LEN`); the name ends at its first NUL, as uname reads it.
fn set_uts_name(
    t: &Task,
    a: &SyscallArgs,
    target: &parking_lot::Mutex<Vec<u8>>,
) -> Result<u64, Errno> {
    if !t.creds.has_cap(crate::creds::CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    let len = usize::try_from(a.int(1))
        .ok()
        .filter(|&n| n <= 64)
        .ok_or(Errno::EINVAL)?;
    let mut name = vec![0u8; len];
    t.mm.copy_in(a.addr(0), &mut name)?;
    if let Some(end) = name.iter().position(|&b| b == 0) {
        name.truncate(end);
    }
    *target.lock() = name;
    Ok(0)
}

/// Implements sethostname(2) for the sandbox's own UTS namespace.
pub fn sys_sethostname(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_uts_name(t, a, &t.kernel.hostname)
}

/// Implements setdomainname(2) for the sandbox's own UTS namespace.
pub fn sys_setdomainname(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    set_uts_name(t, a, &t.kernel.domainname)
}

/// Implements umask(2).
pub fn sys_umask(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mut fs = t.fs.lock();
    let old = fs.umask;
    fs.umask = a.uint(0) & 0o777;
    Ok(u64::from(old))
}

fn resource(a: &SyscallArgs, i: usize) -> Result<u32, Errno> {
    let r = a.uint(i);
    if r >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    Ok(r)
}

/// `do_prlimit`: validates and swaps a limit; returns the old one.
fn prlimit(t: &Task, res: u32, new: Option<Rlimit>) -> Result<Rlimit, Errno> {
    prlimit_of(t, &t.rlimits, res, new)
}

fn prlimit_of(
    t: &Task,
    rlimits: &parking_lot::Mutex<Vec<Rlimit>>,
    res: u32,
    new: Option<Rlimit>,
) -> Result<Rlimit, Errno> {
    if let Some(n) = new {
        if n.rlim_cur > n.rlim_max {
            return Err(Errno::EINVAL);
        }
        if res == RLIMIT_NOFILE && n.rlim_max > crate::fd::NR_OPEN {
            return Err(Errno::EPERM);
        }
    }
    let mut limits = rlimits.lock();
    let slot = &mut limits[res as usize];
    let old = *slot;
    if let Some(n) = new {
        // Raising the hard limit needs CAP_SYS_RESOURCE: root's.
        if n.rlim_max > old.rlim_max && t.creds.euid != 0 {
            return Err(Errno::EPERM);
        }
        *slot = n;
    }
    Ok(old)
}

/// Implements getrlimit(2).
pub fn sys_getrlimit(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let res = resource(a, 0)?;
    let old = prlimit(t, res, None)?;
    t.mm.write_obj(a.addr(1), &old)?;
    Ok(0)
}

/// Implements setrlimit(2).
pub fn sys_setrlimit(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let res = resource(a, 0)?;
    let new: Rlimit = t.mm.read_obj(a.addr(1))?;
    prlimit(t, res, Some(new))?;
    Ok(0)
}

/// Implements prlimit64(2) on the caller (other processes come with them).
pub fn sys_prlimit64(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let new = if a.addr(2) != 0 {
        Some(t.mm.read_obj::<Rlimit>(a.addr(2))?)
    } else {
        None
    };
    let res = resource(a, 1)?;
    let pid = a.int(0);
    if pid < 0 {
        return Err(Errno::ESRCH);
    }
    let old = if pid == 0 || pid == t.tgid || pid == t.tid {
        prlimit(t, res, new)?
    } else {
        // Another process (or a thread of one): its limits are its
        // process's, reachable from the tree.
        let limits = {
            let tree = t.kernel.tree.lock();
            let tgid = tree
                .threads
                .get(&pid)
                .map(|th| th.tgid)
                .ok_or(Errno::ESRCH)?;
            tree.procs
                .get(&tgid)
                .map(|p| p.rlimits.clone())
                .ok_or(Errno::ESRCH)?
        };
        prlimit_of(t, &limits, res, new)?
    };
    if a.addr(3) != 0 {
        t.mm.write_obj(a.addr(3), &old)?;
    }
    Ok(0)
}

/// Implements sysinfo(2) for the sandbox.
pub fn sys_sysinfo(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let mut s = Sysinfo::new_zeroed();
    s.uptime = i64::try_from(t.kernel.boot_instant.elapsed().as_secs())
        .unwrap_or(i64::MAX)
        .max(1);
    s.totalram = t.kernel.total_ram;
    s.freeram = t.kernel.free_ram();
    s.procs = 1;
    s.mem_unit = 1;
    t.mm.write_obj(a.addr(0), &s)?;
    Ok(0)
}

/// Implements getrandom(2).
pub fn sys_getrandom(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let flags = a.uint(2);
    let known = abi::random::GrndFlags::all().bits();
    if flags & !known != 0 {
        return Err(Errno::EINVAL);
    }
    let both = abi::random::GrndFlags::GRND_RANDOM | abi::random::GrndFlags::GRND_INSECURE;
    if flags & both.bits() == both.bits() {
        return Err(Errno::EINVAL);
    }
    let len = usize::try_from(a.u64(1).min(i32::MAX as u64)).expect("below i32::MAX");
    if len == 0 {
        return Ok(0);
    }
    let n = t.mm.writable_prefix(a.addr(0), len);
    if n == 0 {
        return Err(Errno::EFAULT);
    }
    let mut done = 0usize;
    let mut buf = vec![0u8; n.min(64 * 1024)];
    while done < n {
        let k = buf.len().min(n - done);
        getrandom::fill(&mut buf[..k]).map_err(|_| Errno::EIO)?;
        t.mm.copy_out(a.addr(0) + done as u64, &buf[..k])?;
        done += k;
    }
    Ok(n as u64)
}

/// Implements prctl(2).
pub fn sys_prctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let arg2 = a.u64(1);
    let rest_zero = a.u64(2) == 0 && a.u64(3) == 0 && a.u64(4) == 0;
    match a.int(0) {
        PR_SET_PDEATHSIG => {
            if arg2 > 64 {
                return Err(Errno::EINVAL);
            }
            t.flags.pdeathsig = i32::try_from(arg2).expect("checked");
            if let Some(e) = t.kernel.tree.lock().threads.get_mut(&t.tid) {
                e.pdeath_signal = t.flags.pdeathsig;
            }
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            t.mm.write_obj(arg2, &t.flags.pdeathsig)?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(u64::from(t.flags.dumpable)),
        PR_SET_DUMPABLE => match arg2 {
            0 | 1 => {
                t.flags.dumpable = arg2 == 1;
                t.publish();
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        },
        PR_GET_KEEPCAPS => Ok(u64::from(t.flags.keep_caps)),
        PR_SET_KEEPCAPS => match arg2 {
            0 | 1 => {
                t.flags.keep_caps = arg2 == 1;
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        },
        PR_SET_NAME => {
            // strncpy_from_user of at most 15 bytes: a fault before the NUL
            // or the 15th byte is EFAULT.
            let mut buf = [0u8; 15];
            let n = t.mm.copy_in_partial(arg2, &mut buf);
            let end = buf[..n].iter().position(|&b| b == 0);
            if end.is_none() && n < buf.len() {
                return Err(Errno::EFAULT);
            }
            t.set_comm(&buf[..end.unwrap_or(n)]);
            Ok(0)
        }
        PR_GET_NAME => {
            let mut out = [0u8; 16];
            let comm = t.comm();
            out[..comm.len()].copy_from_slice(&comm);
            t.mm.copy_out(arg2, &out)?;
            Ok(0)
        }
        PR_GET_SECCOMP => Ok(super::seccomp::prctl_get_seccomp(t)),
        PR_SET_SECCOMP => super::seccomp::prctl_set_seccomp(t, arg2, a.addr(2)),
        PR_CAPBSET_READ => {
            if arg2 > CAP_LAST_CAP {
                return Err(Errno::EINVAL);
            }
            Ok(1)
        }
        PR_SET_CHILD_SUBREAPER => {
            let mut tree = t.kernel.tree.lock();
            if let Some(p) = tree.procs.get_mut(&t.tgid) {
                p.subreaper = arg2 != 0;
            }
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let on = {
                let tree = t.kernel.tree.lock();
                tree.procs.get(&t.tgid).is_some_and(|p| p.subreaper)
            };
            t.mm.write_obj(arg2, &i32::from(on))?;
            Ok(0)
        }
        PR_SET_NO_NEW_PRIVS => {
            if arg2 != 1 || !rest_zero {
                return Err(Errno::EINVAL);
            }
            t.flags.no_new_privs = true;
            t.publish();
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if arg2 != 0 || !rest_zero {
                return Err(Errno::EINVAL);
            }
            Ok(u64::from(t.flags.no_new_privs))
        }
        PR_GET_TID_ADDRESS => {
            t.mm.write_obj(arg2, &t.clear_child_tid)?;
            Ok(0)
        }
        PR_GET_TIMING => Ok(0),
        PR_GET_TIMERSLACK => {
            let tree = t.kernel.tree.lock();
            Ok(tree.threads.get(&t.tid).map_or(0, |e| e.timer_slack_ns))
        }
        PR_SET_TIMERSLACK => {
            let mut tree = t.kernel.tree.lock();
            // Linux leaves a real-time thread's slack (none) alone.
            if let Some(e) = tree.threads.get_mut(&t.tid).filter(|e| !e.real_time()) {
                e.set_timer_slack(arg2);
            }
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Implements arch_prctl(2).
pub fn sys_arch_prctl(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    use abi::arch_prctl::*;
    let addr = a.u64(1);
    match a.int(0) {
        ARCH_SET_FS | ARCH_SET_GS => {
            if addr >= platform::ptrace::TASK_SIZE {
                return Err(Errno::EPERM);
            }
            if a.int(0) == ARCH_SET_FS {
                t.regs.fs_base = addr;
            } else {
                t.regs.gs_base = addr;
            }
            Ok(0)
        }
        ARCH_GET_FS => {
            t.mm.write_obj(addr, &t.regs.fs_base)?;
            Ok(0)
        }
        ARCH_GET_GS => {
            t.mm.write_obj(addr, &t.regs.gs_base)?;
            Ok(0)
        }
        ARCH_GET_CPUID => Ok(1),
        // CPUID faulting is not available to the stubs.
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        _ => Err(Errno::EINVAL),
    }
}

/// Implements set_tid_address(2).
pub fn sys_set_tid_address(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    t.clear_child_tid = a.addr(0);
    Ok(u64::try_from(t.tid).expect("tids are positive"))
}

/// `sizeof(struct robust_list_head)`.
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

/// Implements set_robust_list(2).
pub fn sys_set_robust_list(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    if a.u64(1) != ROBUST_LIST_HEAD_SIZE {
        return Err(Errno::EINVAL);
    }
    t.robust_list = a.addr(0);
    t.robust_list_len = a.u64(1);
    Ok(0)
}

/// Implements get_robust_list(2).
pub fn sys_get_robust_list(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let pid = a.int(0);
    if !(pid == 0 || pid == t.tid) {
        return Err(Errno::ESRCH);
    }
    t.mm.write_obj(a.addr(1), &t.robust_list)?;
    t.mm.write_obj(a.addr(2), &ROBUST_LIST_HEAD_SIZE)?;
    Ok(0)
}
