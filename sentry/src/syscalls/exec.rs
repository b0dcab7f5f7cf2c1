//! execve(2) and execveat(2) of static programs.
//!
//! Until the filesystem exists, a program is found among the executables
//! the sandbox was started with (`Kernel::programs`, by the names `runsc do`
//! was given). The new program gets a fresh address space (a new stub
//! process) and memory manager; the old ones go with their last user.

use std::sync::Arc;
use std::time::Duration;

use abi::prctl::{ADDR_NO_RANDOMIZE, PER_CLEAR_ON_SETID, READ_IMPLIES_EXEC};
use abi::Errno;
use parking_lot::Mutex;
use platform::{FpState, Registers};

use super::Control;
use crate::arch::SyscallArgs;
use crate::kernel::signal::AltStack;
use crate::kernel::Task;
use crate::loader::{self, AuxIds, FixedLayout, LoadArgs, OsRandom};
use crate::mm::{MappedFile, MemoryManager};
use crate::syscalls::attr::may_exec;
use crate::syscalls::path::{lookup_at, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
use crate::vfs::{is_symlink, Location};

/// Linux's `MAX_ARG_STRLEN`: one argument or environment string.
const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Linux's `MAX_ARG_STRINGS`.
const MAX_ARG_STRINGS: usize = 0x7FFF_FFFF;
/// `PATH_MAX`.
const PATH_MAX: usize = 4096;

/// Implements execve(2).
pub fn sys_execve(t: &mut Task, a: &SyscallArgs) -> Result<Control, Errno> {
    let path = t.mm.read_cstring(a.addr(0), PATH_MAX - 1)?;
    exec(t, AT_FDCWD, &path, 0, a.addr(1), a.addr(2))
}

/// Implements execveat(2).
pub fn sys_execveat(t: &mut Task, a: &SyscallArgs) -> Result<Control, Errno> {
    let flags = a.int(4);
    if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.mm.read_cstring(a.addr(1), PATH_MAX - 1)?;
    exec(t, a.fd(0), &path, flags, a.addr(2), a.addr(3))
}

/// Linux's `BINPRM_MAX_RECURSION`: scripts whose interpreter is a script.
const MAX_INTERP_DEPTH: usize = 4;
/// Linux's `BINPRM_BUF_SIZE`: how much of a `#!` line is read.
const BINPRM_BUF_SIZE: usize = 256;

/// The program a path names: its place and its bytes.
fn find_program(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: i32,
) -> Result<(Location, Arc<[u8]>), Errno> {
    let found = lookup_at(
        t,
        dirfd,
        path,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    );
    let loc = found?;
    if is_symlink(loc.inode().mode()) {
        return Err(Errno::ELOOP);
    }
    may_exec(t, &loc)?;
    let image = t.kernel.image_of(loc.inode())?;
    Ok((loc, image))
}

/// Splits a `#!` line into the interpreter and its optional argument.
fn parse_shebang(image: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), Errno> {
    let head = &image[2..image.len().min(BINPRM_BUF_SIZE)];
    let line = match head.iter().position(|&b| b == b'\n') {
        Some(n) => &head[..n],
        // A line longer than the buffer: Linux fails when the interpreter
        // name itself does not fit.
        None => head,
    };
    let line = line.trim_ascii();
    if line.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    let (interp, rest) = match line.iter().position(|&b| b == b' ' || b == b'\t') {
        Some(n) => (&line[..n], line[n..].trim_ascii()),
        None => (line, &b""[..]),
    };
    let arg = (!rest.is_empty()).then(|| rest.to_vec());
    Ok((interp.to_vec(), arg))
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

fn exec(
    t: &mut Task,
    dirfd: i32,
    path: &[u8],
    flags: i32,
    argv_addr: u64,
    envp_addr: u64,
) -> Result<Control, Errno> {
    if path.is_empty() && flags & AT_EMPTY_PATH == 0 {
        return Err(Errno::ENOENT);
    }
    // Linux allows a quarter of the stack limit for arguments, at least
    // 128 KiB.
    let stack_limit = t.rlimit_cur(abi::resource::RLIMIT_STACK);
    let limit = usize::try_from((stack_limit / 4).max(128 * 1024)).unwrap_or(usize::MAX);
    let mut total = 0;
    let argv = read_strings(t, argv_addr, &mut total, limit)?;
    let envp = read_strings(t, envp_addr, &mut total, limit)?;
    exec_strings(t, dirfd, path, flags, argv, envp)
}

/// Starts the sandbox's first program in `t` (a task with no program
/// yet), as execve would from the working directory.
pub fn exec_boot(
    t: &mut Task,
    path: &[u8],
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> Result<(), Errno> {
    exec_strings(t, AT_FDCWD, path, 0, argv, envp).map(|_| ())
}

/// execve once the strings are read.
fn exec_strings(
    t: &mut Task,
    dirfd: i32,
    path: &[u8],
    flags: i32,
    mut argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> Result<Control, Errno> {
    let stack_limit = t.rlimit_cur(abi::resource::RLIMIT_STACK);

    // The file, through any `#!` interpreters.
    let (mut loc, mut image) = find_program(t, dirfd, path, flags)?;
    let filename: Vec<u8> = if path.is_empty() || (dirfd != AT_FDCWD && path[0] != b'/') {
        // execveat names the file by its descriptor.
        let mut f = format!("/dev/fd/{}", dirfd).into_bytes();
        if !path.is_empty() {
            f.push(b'/');
            f.extend_from_slice(path);
        }
        f
    } else {
        path.to_vec()
    };
    let mut depth = 0;
    while image.starts_with(b"#!") {
        depth += 1;
        if depth > MAX_INTERP_DEPTH {
            return Err(Errno::ELOOP);
        }
        let (interp, arg) = parse_shebang(&image)?;
        let script = if depth == 1 {
            filename.clone()
        } else {
            argv.first().cloned().unwrap_or_default()
        };
        let mut new_argv = vec![interp.clone()];
        new_argv.extend(arg);
        new_argv.push(script);
        new_argv.extend(argv.iter().skip(1).cloned());
        argv = new_argv;
        (loc, image) = find_program(t, AT_FDCWD, &interp, 0)?;
    }
    let interp = match loader::interpreter(&image).map_err(|e| e.errno())? {
        Some(p) => Some(find_program(t, AT_FDCWD, &p, 0)?),
        None => None,
    };
    // Set-id bits (not on nosuid mounts or under no_new_privs).
    let mut creds = t.creds.clone();
    let st = loc.inode().stat()?;
    if !loc.mnt.flags.nosuid && !t.flags.no_new_privs {
        if st.st_mode & abi::stat::S_ISUID != 0 {
            creds.euid = st.st_uid;
        }
        if st.st_mode & (abi::stat::S_ISGID | 0o010) == (abi::stat::S_ISGID | 0o010) {
            creds.egid = st.st_gid;
        }
    }
    let secure = creds.euid != creds.ruid || creds.egid != creds.rgid;

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
        execfn: &filename,
        ids: AuxIds {
            uid: creds.ruid,
            euid: creds.euid,
            gid: creds.rgid,
            egid: creds.egid,
        },
        hwcap: t.kernel.hwcap.0,
        hwcap2: t.kernel.hwcap.1,
        stack_limit,
        segments: Some(&t.kernel.segments),
        secure,
        exe_file: Some(MappedFile::new(Arc::new(loc.clone()))),
        interp_file: interp
            .as_ref()
            .map(|(l, _)| MappedFile::new(Arc::new(l.clone()))),
    };
    let interp_image = interp.as_ref().map(|(_, i)| &i[..]);
    let rng: &mut dyn loader::Random = if t.flags.personality & ADDR_NO_RANDOMIZE != 0 {
        &mut FixedLayout
    } else {
        &mut OsRandom
    };
    let loaded = loader::load(&mm, &image, interp_image, &args, rng).map_err(|e| e.errno())?;
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
            p.exe = Some(loc.clone());
        }
    }
    t.alt_stack = AltStack::default();
    // Capabilities across exec of a file without file capabilities: root
    // gets its bounding set, others keep only their ambient set.
    t.creds.euid = creds.euid;
    t.creds.egid = creds.egid;
    t.creds.suid = creds.euid;
    t.creds.sgid = creds.egid;
    t.creds.fsuid = creds.euid;
    t.creds.fsgid = creds.egid;
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
    // A 64-bit image clears READ_IMPLIES_EXEC (`set_personality_64bit`); a
    // set-id one the flags that weaken its layout.
    t.flags.personality &= !READ_IMPLIES_EXEC;
    if secure {
        t.flags.personality &= !PER_CLEAR_ON_SETID;
    }
    // Dumpable again unless the program runs with ids not its own.
    t.flags.dumpable = t.creds.euid == t.creds.ruid && t.creds.egid == t.creds.rgid;
    t.saved_mask = None;
    t.restart = None;
    let name = filename.rsplit(|&b| b == b'/').next().unwrap_or(&filename);
    t.set_comm(name);
    t.publish();
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
