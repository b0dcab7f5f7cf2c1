//! Boot: a plain `BootConfig` becomes a kernel, a memory manager, a loaded
//! program and its first task, which runs until the workload exits.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use abi::types::Rlimit;
use platform::ptrace::{PtracePlatform, MAX_USER_ADDRESS};
use platform::{AddressSpace, Context, Registers};

use crate::fd::FdTable;
use crate::fsimpl::FileDescription;
use crate::kernel::process::ProcState;
use crate::kernel::task::{self, InitSpec};
use crate::kernel::{Credentials, ExitStatus, Kernel, KernelParts, ProcessFlags, Task};
use crate::loader::{self, AuxIds, LoadArgs, LoadError, OsRandom};
use crate::mm::{MemoryFile, MemoryManager};

/// Everything the sentry needs to start a workload; `runsc` fills it in.
#[derive(Debug)]
pub struct BootConfig {
    /// The executable, opened by the CLI (the sentry opens no host path).
    pub executable: OwnedFd,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// The path the program was started as (`AT_EXECFN`).
    pub execfn: Vec<u8>,
    /// Host descriptors for the workload's fds 0, 1 and 2.
    pub stdio: [OwnedFd; 3],
    pub hostname: Vec<u8>,
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    /// Initial resource limits, indexed by `RLIMIT_*`.
    pub rlimits: Vec<Rlimit>,
    pub umask: u32,
    /// The nice value the workload inherits.
    pub nice: i32,
    pub num_cpus: u32,
    pub total_ram: u64,
    /// `AT_HWCAP` and `AT_HWCAP2` for this CPU.
    pub hwcap: u64,
    pub hwcap2: u64,
    pub strace: bool,
}

/// Why the sandbox could not start or went down.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("create the memory file")]
    MemoryFile(#[from] crate::mm::memfile::MemoryFileError),
    #[error("start the platform")]
    Platform(#[source] platform::PlatformError),
    #[error("read the executable")]
    ReadExecutable(#[source] std::io::Error),
    #[error("load the executable: {0}")]
    Load(#[source] LoadError),
    #[error("platform failure while running the workload")]
    Run(#[source] platform::PlatformError),
    #[error("the memory manager lost its address space")]
    AddressSpace,
}

/// What a finished sandbox reports.
#[derive(Debug)]
pub struct RunReport {
    pub status: ExitStatus,
    /// `(syscall number, calls)` for numbers with no implementation.
    pub unknown_syscalls: Vec<(u64, u64)>,
}

/// Boots the sandbox on the calling thread and runs the workload to its end.
pub fn run(config: BootConfig) -> Result<RunReport, BootError> {
    // The serving thread and the stub thread it serves share this CPU.
    platform::pin_current_thread();
    let file = Arc::new(MemoryFile::new()?);
    let platform = Arc::new(PtracePlatform::new(file.fd()));
    let (space, ctx) = platform.new_address_space().map_err(BootError::Platform)?;
    let as_dyn: Arc<dyn AddressSpace> = space;
    let mm = Arc::new(MemoryManager::new(as_dyn, file.clone(), MAX_USER_ADDRESS));

    let image = read_all(&config.executable).map_err(BootError::ReadExecutable)?;
    let stack_limit = config
        .rlimits
        .get(abi::resource::RLIMIT_STACK as usize)
        .map_or(8 << 20, |l| l.rlim_cur);
    let args = LoadArgs {
        argv: &config.argv,
        envp: &config.envp,
        execfn: &config.execfn,
        ids: AuxIds {
            uid: config.uid,
            euid: config.uid,
            gid: config.gid,
            egid: config.gid,
        },
        hwcap: config.hwcap,
        hwcap2: config.hwcap2,
        stack_limit,
        segments: None,
        secure: false,
    };
    let loaded = loader::load(&mm, &image, None, &args, &mut OsRandom).map_err(BootError::Load)?;

    let kernel = Arc::new(Kernel::new(
        &config.hostname,
        config.num_cpus,
        config.total_ram,
        config.strace,
        KernelParts {
            platform,
            memory: file,
            hwcap: (config.hwcap, config.hwcap2),
        },
    ));
    {
        // Until the filesystem issue, exec finds the program by the names
        // it was started as.
        let image: Arc<[u8]> = Arc::from(image);
        let mut programs = kernel.programs.lock();
        programs.insert(config.execfn.clone(), image.clone());
        if let Some(arg0) = config.argv.first() {
            programs.insert(arg0.clone(), image);
        }
    }
    let root_mount = crate::fsimpl::tmpfs::root_mount();
    mount_tmp(&root_mount);
    let mut fds = FdTable::default();
    for (i, host) in config.stdio.into_iter().enumerate() {
        let fd = i32::try_from(i).expect("three");
        fds.insert_at(fd, Arc::new(FileDescription::from_host(host)), false, 3)
            .expect("fds 0-2 are below any limit");
    }
    let mut ctx: Box<dyn Context> = Box::new(ctx);
    // The stub inherited the factory's FP registers: start the program
    // with the clean state Linux gives a new program instead.
    let fp = ctx.fp_state().map_err(BootError::Platform)?;
    ctx.set_fp_state(&platform::FpState::initial(&fp))
        .map_err(BootError::Platform)?;
    let spec = InitSpec {
        creds: Credentials::new(config.uid, config.gid, config.groups),
        fds,
        rlimits: config.rlimits,
        fs: crate::vfs::FsContext::at_root(&root_mount, config.umask),
        comm: comm_of(&config.execfn),
        flags: ProcessFlags {
            dumpable: true,
            nice: config.nice,
            ..ProcessFlags::default()
        },
        regs: Registers::initial(loaded.entry, loaded.stack_pointer),
    };
    let task = Task::new_init(kernel.clone(), ctx, mm, spec);
    kernel.thread_started();
    let thread_status = task::run(task);
    kernel.thread_ended();
    // Init's other threads, and then every other process, end too.
    kernel.wait_all_gone();
    let status = match kernel.tree.lock().procs.get(&1).map(|p| p.state) {
        Some(ProcState::Zombie(s) | ProcState::Exiting(s)) => s,
        _ => thread_status,
    };
    Ok(RunReport {
        status,
        unknown_syscalls: kernel.unknown_counts(),
    })
}

fn read_all(fd: &OwnedFd) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::from(fd.try_clone()?);
    let mut v = Vec::new();
    f.read_to_end(&mut v)?;
    Ok(v)
}

/// `comm` after exec: the file name, truncated to 15 bytes.
fn comm_of(path: &[u8]) -> Vec<u8> {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    name[..name.len().min(15)].to_vec()
}

/// Gives the sandbox its own `/tmp`: a tmpfs, world-writable and sticky.
fn mount_tmp(root: &Arc<crate::vfs::Mount>) {
    use crate::vfs::{Dentry, Location, Mount, MountFlags, NewKind, NewNode};
    let top = Location::root_of(root);
    let made = top.inode().create(
        b"tmp",
        &NewNode {
            kind: NewKind::Directory,
            mode: 0o1777,
            uid: 0,
            gid: 0,
        },
    );
    let dentry = match made {
        Ok(inode) => top.dentry.add_child(b"tmp", inode),
        Err(_) => match top.dentry.lookup(b"tmp") {
            Ok(d) => d,
            Err(_) => return,
        },
    };
    let fs = crate::fsimpl::tmpfs::Tmpfs::new_root(1 << 30, 0o1777, 0, 0);
    Mount::attach(
        &Location::new(root.clone(), dentry),
        Dentry::new_root(fs),
        MountFlags::default(),
        "tmpfs",
        "tmpfs",
    );
}
