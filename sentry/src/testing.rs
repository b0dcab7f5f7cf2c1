//! A task with no platform behind it, for benchmarks and tests of the
//! syscall layer: its address space maps nothing on the host, and its
//! standard streams are /dev/null.

use std::sync::Arc;

use abi::types::Rlimit;
use platform::null::{NullAddressSpace, NullContext, NullPlatform};
use platform::{Access, Registers};

use crate::fd::FdTable;
use crate::fsimpl::FileDescription;
use crate::kernel::task::InitSpec;
use crate::kernel::{Credentials, Kernel, KernelParts, ProcessFlags, Task};
use crate::mm::{MapRequest, MemoryFile, MemoryManager, Placement, VmaKind, PAGE};

/// Where [`task`] maps one read-write page for the calls to write to.
pub const SCRATCH: u64 = 0x10_0000;

/// A task whose memory has one read-write page at [`SCRATCH`].
pub fn task() -> Task {
    let file = Arc::new(MemoryFile::new().expect("memory file"));
    let mm = Arc::new(MemoryManager::new(
        Arc::new(NullAddressSpace),
        file.clone(),
        platform::ptrace::MAX_USER_ADDRESS,
    ));
    mm.map_anonymous(MapRequest {
        placement: Placement::Fixed(SCRATCH),
        len: PAGE,
        access: Access::READ_WRITE,
        shared: false,
        growsdown: false,
        kind: VmaKind::Anonymous,
    })
    .expect("map the scratch page");
    let mut fds = FdTable::default();
    for fd in 0..3 {
        let null = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .expect("open /dev/null");
        fds.insert_at(
            fd,
            Arc::new(FileDescription::from_host(null.into())),
            false,
            3,
        )
        .expect("fds 0-2");
    }
    let unlimited = Rlimit {
        rlim_cur: u64::MAX,
        rlim_max: u64::MAX,
    };
    let kernel = Arc::new(Kernel::new(
        b"bench",
        1,
        1 << 30,
        false,
        KernelParts {
            platform: Arc::new(NullPlatform),
            memory: file.clone(),
            hwcap: (0, 0),
        },
    ));
    let spec = InitSpec {
        creds: Credentials::new(0, 0, vec![0]),
        fds,
        rlimits: vec![unlimited; 16],
        fs: crate::vfs::FsContext::at_root(&crate::fsimpl::tmpfs::root_mount(&file), 0o022),
        comm: b"bench".to_vec(),
        flags: ProcessFlags::default(),
        regs: Registers::default(),
    };
    Task::new_init(kernel, Box::new(NullContext), mm, spec)
}

/// Loads system call `nr` with `args` into the task's registers.
pub fn set_call(t: &mut Task, nr: u32, args: [u64; 6]) {
    t.regs.orig_rax = u64::from(nr);
    t.regs.rdi = args[0];
    t.regs.rsi = args[1];
    t.regs.rdx = args[2];
    t.regs.r10 = args[3];
    t.regs.r8 = args[4];
    t.regs.r9 = args[5];
}
