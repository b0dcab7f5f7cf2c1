//! execve(2) and execveat(2) of static programs.
//!
//! Until the filesystem exists, a program is found among the executables
//! the sandbox was started with (`Kernel::programs`, by the names `runsc do`
//! was given). The new program gets a fresh address space (a new stub
//! process) and memory manager; the old ones go with their last user.

use std::sync::Arc;
use std::time::Duration;

use abi::Errno;
use parking_lot::Mutex;
use platform::{FpState, Registers};

use super::Control;
use crate::arch::SyscallArgs;
use crate::kernel::signal::AltStack;
use crate::kernel::Task;
use crate::loader::{self, AuxIds, LoadArgs, OsRandom};
use crate::mm::MemoryManager;

/// Linux's `MAX_ARG_STRLEN`: one argument or environment string.
const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Linux's `MAX_ARG_STRINGS`.
const MAX_ARG_STRINGS: usize = 0x7FFF_FFFF;
/// `PATH_MAX`.
const PATH_MAX: usize = 4096;
const AT_FDCWD: i32 = -100;
const AT_EMPTY_PATH: i32 = 0x1000;
const AT_SYMLINK_NOFOLLOW: i32 = 0x100;

/// Implements execve(2).
pub fn sys_execve(t: &mut Task, a: &SyscallArgs) -> Result<Control, Errno> {
    let path = t.mm.read_cstring(a.addr(0), PATH_MAX)?;
    exec(t, &path, a.addr(1), a.addr(2))
}

/// Implements execveat(2): paths relative to `AT_FDCWD` or absolute.
pub fn sys_execveat(t: &mut Task, a: &SyscallArgs) -> Result<Control, Errno> {
    let flags = a.int(4);
    if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.mm.read_cstring(a.addr(1), PATH_MAX)?;
    if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        // Executing an open file needs the filesystem.
        t.fds.lock().get(a.fd(0))?;
        return Err(Errno::ENOEXEC);
    }
    if path[0] != b'/' && a.fd(0) != AT_FDCWD {
        t.fds.lock().get(a.fd(0))?;
        return Err(Errno::ENOTDIR);
    }
    exec(t, &path, a.addr(2), a.addr(3))
}

/// Reads a NULL-terminated array of strings (argv or envp).
fn read_strings(
    t: &Task,
    mut addr: u64,
    total: &mut usize,
    limit: usize,
) -> Result<Vec<Vec<u8>>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    loop {
        let p: u64 = t.mm.read_obj(addr)?;
        if p == 0 {
            return Ok(out);
        }
        if out.len() >= MAX_ARG_STRINGS {
            return Err(Errno::E2BIG);
        }
        let s = match t.mm.read_cstring(p, MAX_ARG_STRLEN) {
            Err(Errno::ENAMETOOLONG) => return Err(Errno::E2BIG),
            r => r?,
        };
        *total += s.len() + 1 + 8;
        if *total > limit {
            return Err(Errno::E2BIG);
        }
        out.push(s);
        addr += 8;
    }
}

fn exec(t: &mut Task, path: &[u8], argv_addr: u64, envp_addr: u64) -> Result<Control, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let image = t
        .kernel
        .programs
        .lock()
        .get(path)
        .cloned()
        .ok_or(Errno::ENOENT)?;
    // Linux allows a quarter of the stack limit for arguments, at least
    // 128 KiB.
    let stack_limit = t.rlimit_cur(abi::resource::RLIMIT_STACK);
    let limit = usize::try_from((stack_limit / 4).max(128 * 1024)).unwrap_or(usize::MAX);
    let mut total = 0;
    let argv = read_strings(t, argv_addr, &mut total, limit)?;
    let envp = read_strings(t, envp_addr, &mut total, limit)?;

    // Build the new image before the point of no return.
    let (space, mut ctx) = t
        .kernel
        .platform
        .new_address_space()
        .map_err(|_| Errno::ENOMEM)?;
    let mm = Arc::new(MemoryManager::new(
        space,
        t.kernel.memory.clone(),
        t.mm.max_addr(),
    ));
    let args = LoadArgs {
        argv: &argv,
        envp: &envp,
        execfn: path,
        ids: AuxIds {
            uid: t.creds.ruid,
            euid: t.creds.euid,
            gid: t.creds.rgid,
            egid: t.creds.egid,
        },
        hwcap: t.kernel.hwcap.0,
        hwcap2: t.kernel.hwcap.1,
        stack_limit,
        segments: Some(&t.kernel.segments),
    };
    let loaded = loader::load(&mm, &image, &args, &mut OsRandom).map_err(|e| e.errno())?;
    let fp = ctx.fp_state().map_err(|_| Errno::ENOMEM)?;
    ctx.set_fp_state(&FpState::initial(&fp))
        .map_err(|_| Errno::ENOMEM)?;

    // The point of no return: the other threads go.
    de_thread(t)?;
    // The old memory's thread hooks: the child-tid word is cleared (waking
    // its waiter) and robust futexes are released.
    crate::kernel::task::release_thread_hooks(t);
    t.ctx = ctx;
    t.mm = mm;
    t.regs = Registers::initial(loaded.entry, loaded.stack_pointer);
    // Close-on-exec descriptors close; a shared table is unshared first.
    let fds = t.fds.lock().clone_for_exec();
    t.fds = Arc::new(Mutex::new(fds));
    {
        let mut tree = t.kernel.tree.lock();
        if let Some(p) = tree.procs.get_mut(&t.tgid) {
            let mut acts = p.actions.lock().clone();
            acts.reset_for_exec();
            p.actions = Arc::new(Mutex::new(acts));
            p.did_exec = true;
        }
    }
    t.alt_stack = AltStack::default();
    // Capabilities across exec of a file without file capabilities: root
    // gets its bounding set, others keep only their ambient set.
    let c = &mut t.creds;
    if c.euid == 0 || c.ruid == 0 {
        c.cap_permitted = (c.cap_inheritable | c.cap_bounding) & c.cap_bounding;
    } else {
        c.cap_permitted = c.cap_ambient;
    }
    c.cap_effective = if c.euid == 0 {
        c.cap_permitted
    } else {
        c.cap_ambient
    };
    t.flags.keep_caps = false;
    t.saved_mask = None;
    t.restart = None;
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    t.comm = name[..name.len().min(15)].to_vec();
    t.shared.set_interrupter(Some(t.ctx.interrupter()));
    t.note_host_pid();
    crate::kernel::sigfiles::set_current(&t.kernel, t.tid);
    if let Some(v) = t.vfork_done.take() {
        v.complete();
    }
    Ok(Control::Resume)
}

/// Linux's `de_thread`: every other thread of the process is killed and
/// gone before the new program starts; a non-leader caller becomes the
/// leader and takes its id.
fn de_thread(t: &mut Task) -> Result<(), Errno> {
    let others: Vec<i32> = {
        let mut tree = t.kernel.tree.lock();
        let threads = tree.procs[&t.tgid].threads.clone();
        let others: Vec<i32> = threads.into_iter().filter(|&x| x != t.tid).collect();
        for o in &others {
            if let Some(e) = tree.threads.get_mut(o) {
                e.killed = true;
                e.shared.kick();
            }
        }
        others
    };
    if others.is_empty() {
        return Ok(());
    }
    loop {
        {
            let tree = t.kernel.tree.lock();
            if !tree.is_running(t.tgid) {
                // A fatal signal won the race: exec never returns.
                return Err(Errno::ERESTARTNOINTR);
            }
            if others.iter().all(|o| !tree.threads.contains_key(o)) {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    if t.tid != t.tgid {
        let mut tree = t.kernel.tree.lock();
        if let Some(mut e) = tree.threads.remove(&t.tid) {
            e.killed = false;
            tree.threads.insert(t.tgid, e);
        }
        if let Some(p) = tree.procs.get_mut(&t.tgid) {
            p.threads = vec![t.tgid];
        }
        t.tid = t.tgid;
    }
    Ok(())
}
