//! Boot: a plain `BootConfig` becomes a kernel, a memory manager, a loaded
//! program and its first task, which runs until the workload exits.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use abi::types::Rlimit;
use platform::ptrace::PtracePlatform;
use platform::seccomp::SeccompPlatform;
use platform::{Platform, Registers};

use crate::fd::FdTable;
use crate::fsimpl::FileDescription;
use crate::kernel::process::ProcState;
use crate::kernel::task::{self, InitSpec};
use crate::kernel::{Credentials, ExitStatus, Kernel, KernelParts, ProcessFlags, Task};
use crate::mm::{MemoryFile, MemoryManager};

/// The sandbox's root filesystem.
#[derive(Debug)]
pub enum RootFs {
    /// An empty tmpfs.
    Memory,
    /// The directory a gofer serves on this socket; with `overlay`, under
    /// a memory layer that takes every change.
    Gofer { sock: OwnedFd, overlay: bool },
}

/// The host mechanism that stops the workload's system calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlatformKind {
    /// PTRACE_SYSEMU on stub processes.
    Ptrace,
    /// A seccomp filter that traps into a signal handler in the stub,
    /// which hands each call over through shared memory.
    Seccomp,
}

/// Everything the sentry needs to start a workload; `runsc` fills it in.
#[derive(Debug)]
pub struct BootConfig {
    pub platform: PlatformKind,
    pub root: RootFs,
    /// The program's path in the sandbox, as execve gets it.
    pub program: Vec<u8>,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// The working directory in the sandbox.
    pub cwd: Vec<u8>,
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
    #[error("connect to the gofer: {0}")]
    Gofer(abi::Errno),
    #[error("working directory {path}: {errno}")]
    Cwd { path: String, errno: abi::Errno },
    #[error("{0}")]
    Exec(abi::Errno),
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
    // The sentry holds a descriptor per application thread (its seccomp
    // listener) besides the files it serves: its own limit is the hard one.
    // The workload's limits were read before and stay as they were.
    let nofile = nix::sys::resource::Resource::RLIMIT_NOFILE;
    if let Ok((_, hard)) = nix::sys::resource::getrlimit(nofile) {
        let _ = nix::sys::resource::setrlimit(nofile, hard, hard);
    }
    let file = Arc::new(MemoryFile::new()?);
    let platform: Arc<dyn Platform> = match config.platform {
        PlatformKind::Ptrace => Arc::new(PtracePlatform::new(file.fd())),
        PlatformKind::Seccomp => Arc::new(SeccompPlatform::new(
            file.fd(),
            crate::syscalls::NEEDS_REGISTERS,
        )),
    };
    let (space, ctx) = platform.new_address_space().map_err(BootError::Platform)?;
    let max = platform.max_user_address();
    let mm = Arc::new(MemoryManager::new(space, file.clone(), max));

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
    let memory = kernel.memory.clone();
    let root_mount = mount_root(config.root, &memory)?;
    mount_tmp(&root_mount, &memory);
    mount_at(
        &root_mount,
        b"dev",
        crate::fsimpl::dev::new_devfs(&memory),
        "devtmpfs",
        "udev",
    );
    crate::kernel::tty::install();
    mount_devpts(&root_mount);
    // The sandbox's own /proc and /sys cover the host's.
    mount_at(
        &root_mount,
        b"proc",
        crate::fsimpl::proc::new_procfs(&kernel),
        "proc",
        "proc",
    );
    mount_at(
        &root_mount,
        b"sys",
        crate::fsimpl::sys::new_sysfs(config.num_cpus),
        "sysfs",
        "sysfs",
    );

    let mut fds = FdTable::default();
    for (i, host) in config.stdio.into_iter().enumerate() {
        let fd = i32::try_from(i).expect("three");
        fds.insert_at(fd, Arc::new(FileDescription::from_host(host)), false, 3)
            .expect("fds 0-2 are below any limit");
    }
    let spec = InitSpec {
        creds: Credentials::new(config.uid, config.gid, config.groups),
        fds,
        rlimits: config.rlimits,
        fs: crate::vfs::FsContext::at_root(&root_mount, config.umask),
        // Exec below names it after the program.
        comm: Vec::new(),
        flags: ProcessFlags {
            dumpable: true,
            ..ProcessFlags::default()
        },
        regs: Registers::default(),
    };
    let mut task = Task::new_init(kernel.clone(), ctx, mm, spec);
    if let Some(e) = kernel.tree.lock().threads.get_mut(&task.tid) {
        e.nice = config.nice.clamp(-20, 19);
    }
    if !config.cwd.is_empty() {
        let ctx = task.fs.lock().clone();
        let cwd = crate::vfs::Resolver::new(&ctx.root, &task.creds)
            .resolve(&ctx.cwd, &config.cwd, true)
            .and_then(|l| {
                if crate::vfs::is_dir(l.inode().mode()) {
                    Ok(l)
                } else {
                    Err(abi::Errno::ENOTDIR)
                }
            })
            .map_err(|errno| BootError::Cwd {
                path: String::from_utf8_lossy(&config.cwd).into_owned(),
                errno,
            })?;
        task.fs.lock().cwd = cwd;
    }
    crate::syscalls::exec_boot(&mut task, &config.program, config.argv, config.envp)
        .map_err(BootError::Exec)?;
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

/// The root mount: tmpfs, or the gofer's directory (under the overlay).
fn mount_root(root: RootFs, memory: &Arc<MemoryFile>) -> Result<Arc<crate::vfs::Mount>, BootError> {
    use crate::fsimpl::{gofer::GoferFs, overlay::Overlay, tmpfs};
    use crate::vfs::{Dentry, InodeRef, Mount};
    match root {
        RootFs::Memory => Ok(tmpfs::root_mount(memory)),
        RootFs::Gofer { sock, overlay } => {
            let client = gofer::Client::connect(sock).map_err(BootError::Gofer)?;
            let lower = GoferFs::mount(client).map_err(BootError::Gofer)?;
            let st = crate::vfs::Inode::stat(&*lower).map_err(BootError::Gofer)?;
            let inode: InodeRef = if overlay {
                let upper = tmpfs::Tmpfs::new_root(
                    memory,
                    u64::MAX / 2,
                    st.st_mode & 0o7777,
                    st.st_uid,
                    st.st_gid,
                );
                Overlay::new_root(upper, lower)
            } else {
                lower
            };
            let fs_type = if overlay { "overlay" } else { "9p" };
            Ok(Mount::new_root(Dentry::new_root(inode), fs_type, "rootfs"))
        }
    }
}

/// Mounts `fs` on the directory `name` of the root, making the directory
/// (in memory) if the root lacks it.
fn mount_at(
    root: &Arc<crate::vfs::Mount>,
    name: &[u8],
    fs: crate::vfs::InodeRef,
    fs_type: &'static str,
    source: &str,
) {
    use crate::vfs::{Dentry, Location, Mount, MountFlags, NewKind, NewNode};
    let top = Location::root_of(root);
    let dentry = match top.dentry.lookup(name) {
        Ok(d) => d,
        Err(_) => {
            let made = top.inode().create(
                name,
                &NewNode {
                    kind: NewKind::Directory,
                    mode: 0o755,
                    uid: 0,
                    gid: 0,
                },
            );
            match made {
                Ok(inode) => top.dentry.add_child(name, inode),
                // A read-only root without the directory: nowhere to mount.
                Err(_) => return,
            }
        }
    };
    Mount::attach(
        &Location::new(root.clone(), dentry),
        Dentry::new_root(fs),
        MountFlags::default(),
        fs_type,
        source,
    );
}

/// Mounts a devpts on `/dev/pts`, the sandbox's pseudo-terminals.
fn mount_devpts(root: &Arc<crate::vfs::Mount>) {
    use crate::vfs::{Dentry, Location, Mount, MountFlags};
    let top = Location::root_of(root);
    let Ok(dev) = top.dentry.lookup(b"dev") else {
        return;
    };
    let Some(dev_mount) = root.mounted_on(&dev) else {
        return;
    };
    let Ok(pts) = dev_mount.root.lookup(b"pts") else {
        return;
    };
    Mount::attach(
        &Location::new(dev_mount.clone(), pts),
        Dentry::new_root(crate::fsimpl::tty::new_devpts()),
        MountFlags {
            nosuid: true,
            noexec: true,
            ..MountFlags::default()
        },
        "devpts",
        "devpts",
    );
}

/// Gives the sandbox its own `/tmp`: a tmpfs, world-writable and sticky.
fn mount_tmp(root: &Arc<crate::vfs::Mount>, memory: &Arc<MemoryFile>) {
    let fs = crate::fsimpl::tmpfs::Tmpfs::new_root(memory, 1 << 30, 0o1777, 0, 0);
    mount_at(root, b"tmp", fs, "tmpfs", "tmpfs");
}
