//! Constants and flag sets, module by module, spelled as Linux does.

#![allow(missing_docs)]

pub mod mm {
    use bitflags::bitflags;

    pub const PAGE_SIZE: u64 = 4096;

    bitflags! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct MmapProt: u64 {
            const PROT_READ = 0x1;
            const PROT_WRITE = 0x2;
            const PROT_EXEC = 0x4;
            const PROT_SEM = 0x8;
            const PROT_GROWSDOWN = 0x0100_0000;
            const PROT_GROWSUP = 0x0200_0000;
        }

        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct MmapFlags: u64 {
            const MAP_SHARED = 0x01;
            const MAP_PRIVATE = 0x02;
            const MAP_SHARED_VALIDATE = 0x03;
            const MAP_FIXED = 0x10;
            const MAP_ANONYMOUS = 0x20;
            const MAP_32BIT = 0x40;
            const MAP_GROWSDOWN = 0x0100;
            const MAP_DENYWRITE = 0x0800;
            const MAP_EXECUTABLE = 0x1000;
            const MAP_LOCKED = 0x2000;
            const MAP_NORESERVE = 0x4000;
            const MAP_POPULATE = 0x8000;
            const MAP_NONBLOCK = 0x1_0000;
            const MAP_STACK = 0x2_0000;
            const MAP_HUGETLB = 0x4_0000;
            const MAP_SYNC = 0x8_0000;
            const MAP_FIXED_NOREPLACE = 0x10_0000;
            const MAP_UNINITIALIZED = 0x400_0000;
        }

        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct MremapFlags: u64 {
            const MREMAP_MAYMOVE = 1;
            const MREMAP_FIXED = 2;
            const MREMAP_DONTUNMAP = 4;
        }

        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct MsyncFlags: u64 {
            const MS_ASYNC = 1;
            const MS_INVALIDATE = 2;
            const MS_SYNC = 4;
        }
    }

    /// The mapping-type bits of the mmap flags.
    pub const MAP_TYPE: u64 = 0x0f;

    pub const MADV_NORMAL: i32 = 0;
    pub const MADV_RANDOM: i32 = 1;
    pub const MADV_SEQUENTIAL: i32 = 2;
    pub const MADV_WILLNEED: i32 = 3;
    pub const MADV_DONTNEED: i32 = 4;
    pub const MADV_FREE: i32 = 8;
    pub const MADV_REMOVE: i32 = 9;
    pub const MADV_DONTFORK: i32 = 10;
    pub const MADV_DOFORK: i32 = 11;
    pub const MADV_MERGEABLE: i32 = 12;
    pub const MADV_UNMERGEABLE: i32 = 13;
    pub const MADV_HUGEPAGE: i32 = 14;
    pub const MADV_NOHUGEPAGE: i32 = 15;
    pub const MADV_DONTDUMP: i32 = 16;
    pub const MADV_DODUMP: i32 = 17;
    pub const MADV_WIPEONFORK: i32 = 18;
    pub const MADV_KEEPONFORK: i32 = 19;
    pub const MADV_COLD: i32 = 20;
    pub const MADV_PAGEOUT: i32 = 21;
    pub const MADV_POPULATE_READ: i32 = 22;
    pub const MADV_POPULATE_WRITE: i32 = 23;
    pub const MADV_DONTNEED_LOCKED: i32 = 24;
    pub const MADV_COLLAPSE: i32 = 25;
    pub const MADV_HWPOISON: i32 = 100;
    pub const MADV_SOFT_OFFLINE: i32 = 101;
}

pub mod time {
    pub const CLOCK_REALTIME: i32 = 0;
    pub const CLOCK_MONOTONIC: i32 = 1;
    pub const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    pub const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    pub const CLOCK_MONOTONIC_RAW: i32 = 4;
    pub const CLOCK_REALTIME_COARSE: i32 = 5;
    pub const CLOCK_MONOTONIC_COARSE: i32 = 6;
    pub const CLOCK_BOOTTIME: i32 = 7;
    pub const CLOCK_REALTIME_ALARM: i32 = 8;
    pub const CLOCK_BOOTTIME_ALARM: i32 = 9;
    pub const CLOCK_TAI: i32 = 11;
    pub const TIMER_ABSTIME: i32 = 1;

    pub fn clock_name(id: i32) -> Option<&'static str> {
        Some(match id {
            0 => "CLOCK_REALTIME",
            1 => "CLOCK_MONOTONIC",
            2 => "CLOCK_PROCESS_CPUTIME_ID",
            3 => "CLOCK_THREAD_CPUTIME_ID",
            4 => "CLOCK_MONOTONIC_RAW",
            5 => "CLOCK_REALTIME_COARSE",
            6 => "CLOCK_MONOTONIC_COARSE",
            7 => "CLOCK_BOOTTIME",
            8 => "CLOCK_REALTIME_ALARM",
            9 => "CLOCK_BOOTTIME_ALARM",
            11 => "CLOCK_TAI",
            _ => return None,
        })
    }
}

pub mod resource {
    pub const RLIMIT_CPU: u32 = 0;
    pub const RLIMIT_FSIZE: u32 = 1;
    pub const RLIMIT_DATA: u32 = 2;
    pub const RLIMIT_STACK: u32 = 3;
    pub const RLIMIT_CORE: u32 = 4;
    pub const RLIMIT_RSS: u32 = 5;
    pub const RLIMIT_NPROC: u32 = 6;
    pub const RLIMIT_NOFILE: u32 = 7;
    pub const RLIMIT_MEMLOCK: u32 = 8;
    pub const RLIMIT_AS: u32 = 9;
    pub const RLIMIT_LOCKS: u32 = 10;
    pub const RLIMIT_SIGPENDING: u32 = 11;
    pub const RLIMIT_MSGQUEUE: u32 = 12;
    pub const RLIMIT_NICE: u32 = 13;
    pub const RLIMIT_RTPRIO: u32 = 14;
    pub const RLIMIT_RTTIME: u32 = 15;
    pub const RLIM_NLIMITS: u32 = 16;
    pub const RLIM_INFINITY: u64 = u64::MAX;
    pub const RUSAGE_SELF: i32 = 0;
    pub const RUSAGE_CHILDREN: i32 = -1;
    pub const RUSAGE_THREAD: i32 = 1;

    const NAMES: [&str; 16] = [
        "RLIMIT_CPU",
        "RLIMIT_FSIZE",
        "RLIMIT_DATA",
        "RLIMIT_STACK",
        "RLIMIT_CORE",
        "RLIMIT_RSS",
        "RLIMIT_NPROC",
        "RLIMIT_NOFILE",
        "RLIMIT_MEMLOCK",
        "RLIMIT_AS",
        "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING",
        "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE",
        "RLIMIT_RTPRIO",
        "RLIMIT_RTTIME",
    ];

    pub fn rlimit_name(r: u32) -> Option<&'static str> {
        NAMES.get(r as usize).copied()
    }
}

pub mod prctl {
    pub const PR_SET_PDEATHSIG: i32 = 1;
    pub const PR_GET_PDEATHSIG: i32 = 2;
    pub const PR_GET_DUMPABLE: i32 = 3;
    pub const PR_SET_DUMPABLE: i32 = 4;
    pub const PR_GET_UNALIGN: i32 = 5;
    pub const PR_SET_UNALIGN: i32 = 6;
    pub const PR_GET_KEEPCAPS: i32 = 7;
    pub const PR_SET_KEEPCAPS: i32 = 8;
    pub const PR_GET_FPEMU: i32 = 9;
    pub const PR_SET_FPEMU: i32 = 10;
    pub const PR_GET_FPEXC: i32 = 11;
    pub const PR_SET_FPEXC: i32 = 12;
    pub const PR_GET_TIMING: i32 = 13;
    pub const PR_SET_TIMING: i32 = 14;
    pub const PR_SET_NAME: i32 = 15;
    pub const PR_GET_NAME: i32 = 16;
    pub const PR_GET_ENDIAN: i32 = 19;
    pub const PR_SET_ENDIAN: i32 = 20;
    pub const PR_GET_SECCOMP: i32 = 21;
    pub const PR_SET_SECCOMP: i32 = 22;
    pub const PR_CAPBSET_READ: i32 = 23;
    pub const PR_CAPBSET_DROP: i32 = 24;
    pub const PR_GET_TSC: i32 = 25;
    pub const PR_SET_TSC: i32 = 26;
    pub const PR_GET_SECUREBITS: i32 = 27;
    pub const PR_SET_SECUREBITS: i32 = 28;
    pub const PR_SET_TIMERSLACK: i32 = 29;
    pub const PR_GET_TIMERSLACK: i32 = 30;
    pub const PR_TASK_PERF_EVENTS_DISABLE: i32 = 31;
    pub const PR_TASK_PERF_EVENTS_ENABLE: i32 = 32;
    pub const PR_MCE_KILL: i32 = 33;
    pub const PR_MCE_KILL_GET: i32 = 34;
    pub const PR_SET_MM: i32 = 35;
    pub const PR_SET_CHILD_SUBREAPER: i32 = 36;
    pub const PR_GET_CHILD_SUBREAPER: i32 = 37;
    pub const PR_SET_NO_NEW_PRIVS: i32 = 38;
    pub const PR_GET_NO_NEW_PRIVS: i32 = 39;
    pub const PR_GET_TID_ADDRESS: i32 = 40;
    pub const PR_SET_THP_DISABLE: i32 = 41;
    pub const PR_GET_THP_DISABLE: i32 = 42;
    pub const PR_MPX_ENABLE_MANAGEMENT: i32 = 43;
    pub const PR_MPX_DISABLE_MANAGEMENT: i32 = 44;
    pub const PR_SET_FP_MODE: i32 = 45;
    pub const PR_GET_FP_MODE: i32 = 46;
    pub const PR_CAP_AMBIENT: i32 = 47;
    pub const PR_SVE_SET_VL: i32 = 50;
    pub const PR_SVE_GET_VL: i32 = 51;
    pub const PR_GET_SPECULATION_CTRL: i32 = 52;
    pub const PR_SET_SPECULATION_CTRL: i32 = 53;
    pub const PR_PAC_RESET_KEYS: i32 = 54;
    pub const PR_SET_TAGGED_ADDR_CTRL: i32 = 55;
    pub const PR_GET_TAGGED_ADDR_CTRL: i32 = 56;
    pub const PR_SET_IO_FLUSHER: i32 = 57;
    pub const PR_GET_IO_FLUSHER: i32 = 58;
    pub const PR_SET_SYSCALL_USER_DISPATCH: i32 = 59;
    pub const PR_PAC_SET_ENABLED_KEYS: i32 = 60;
    pub const PR_PAC_GET_ENABLED_KEYS: i32 = 61;
    pub const PR_SCHED_CORE: i32 = 62;
    pub const PR_SME_SET_VL: i32 = 63;
    pub const PR_SME_GET_VL: i32 = 64;
    pub const PR_SET_MDWE: i32 = 65;
    pub const PR_GET_MDWE: i32 = 66;
    pub const PR_SET_MEMORY_MERGE: i32 = 67;
    pub const PR_GET_MEMORY_MERGE: i32 = 68;
    pub const PR_RISCV_V_SET_CONTROL: i32 = 69;
    pub const PR_RISCV_V_GET_CONTROL: i32 = 70;
    pub const PR_GET_SHADOW_STACK_STATUS: i32 = 74;
    pub const PR_SET_SHADOW_STACK_STATUS: i32 = 75;
    pub const PR_LOCK_SHADOW_STACK_STATUS: i32 = 76;
    pub const PR_SET_VMA: i32 = 0x5356_4d41;

    pub fn prctl_name(op: i32) -> Option<&'static str> {
        Some(match op {
            1 => "PR_SET_PDEATHSIG",
            2 => "PR_GET_PDEATHSIG",
            3 => "PR_GET_DUMPABLE",
            4 => "PR_SET_DUMPABLE",
            7 => "PR_GET_KEEPCAPS",
            8 => "PR_SET_KEEPCAPS",
            13 => "PR_GET_TIMING",
            15 => "PR_SET_NAME",
            16 => "PR_GET_NAME",
            21 => "PR_GET_SECCOMP",
            22 => "PR_SET_SECCOMP",
            23 => "PR_CAPBSET_READ",
            24 => "PR_CAPBSET_DROP",
            29 => "PR_SET_TIMERSLACK",
            30 => "PR_GET_TIMERSLACK",
            36 => "PR_SET_CHILD_SUBREAPER",
            37 => "PR_GET_CHILD_SUBREAPER",
            38 => "PR_SET_NO_NEW_PRIVS",
            39 => "PR_GET_NO_NEW_PRIVS",
            40 => "PR_GET_TID_ADDRESS",
            41 => "PR_SET_THP_DISABLE",
            42 => "PR_GET_THP_DISABLE",
            47 => "PR_CAP_AMBIENT",
            0x5356_4d41 => "PR_SET_VMA",
            _ => return None,
        })
    }
}

pub mod arch_prctl {
    pub const ARCH_SET_GS: i32 = 0x1001;
    pub const ARCH_SET_FS: i32 = 0x1002;
    pub const ARCH_GET_FS: i32 = 0x1003;
    pub const ARCH_GET_GS: i32 = 0x1004;
    pub const ARCH_GET_CPUID: i32 = 0x1011;
    pub const ARCH_SET_CPUID: i32 = 0x1012;
    pub const ARCH_GET_XCOMP_SUPP: i32 = 0x1021;
    pub const ARCH_GET_XCOMP_PERM: i32 = 0x1022;
    pub const ARCH_REQ_XCOMP_PERM: i32 = 0x1023;
    pub const ARCH_GET_XCOMP_GUEST_PERM: i32 = 0x1024;
    pub const ARCH_REQ_XCOMP_GUEST_PERM: i32 = 0x1025;
    pub const ARCH_XCOMP_TILECFG: i32 = 17;
    pub const ARCH_XCOMP_TILEDATA: i32 = 18;
    pub const ARCH_MAP_VDSO_X32: i32 = 0x2001;
    pub const ARCH_MAP_VDSO_32: i32 = 0x2002;
    pub const ARCH_MAP_VDSO_64: i32 = 0x2003;
    pub const ARCH_GET_UNTAG_MASK: i32 = 0x4001;
    pub const ARCH_ENABLE_TAGGED_ADDR: i32 = 0x4002;
    pub const ARCH_GET_MAX_TAG_BITS: i32 = 0x4003;
    pub const ARCH_FORCE_TAGGED_SVA: i32 = 0x4004;
    pub const ARCH_SHSTK_ENABLE: i32 = 0x5001;
    pub const ARCH_SHSTK_DISABLE: i32 = 0x5002;
    pub const ARCH_SHSTK_LOCK: i32 = 0x5003;
    pub const ARCH_SHSTK_UNLOCK: i32 = 0x5004;
    pub const ARCH_SHSTK_STATUS: i32 = 0x5005;

    pub fn arch_prctl_name(code: i32) -> Option<&'static str> {
        Some(match code {
            0x1001 => "ARCH_SET_GS",
            0x1002 => "ARCH_SET_FS",
            0x1003 => "ARCH_GET_FS",
            0x1004 => "ARCH_GET_GS",
            0x1011 => "ARCH_GET_CPUID",
            0x1012 => "ARCH_SET_CPUID",
            0x1021 => "ARCH_GET_XCOMP_SUPP",
            0x1022 => "ARCH_GET_XCOMP_PERM",
            0x1023 => "ARCH_REQ_XCOMP_PERM",
            0x5001 => "ARCH_SHSTK_ENABLE",
            0x5002 => "ARCH_SHSTK_DISABLE",
            0x5005 => "ARCH_SHSTK_STATUS",
            _ => return None,
        })
    }
}

pub mod auxv {
    pub const AT_NULL: u64 = 0;
    pub const AT_IGNORE: u64 = 1;
    pub const AT_EXECFD: u64 = 2;
    pub const AT_PHDR: u64 = 3;
    pub const AT_PHENT: u64 = 4;
    pub const AT_PHNUM: u64 = 5;
    pub const AT_PAGESZ: u64 = 6;
    pub const AT_BASE: u64 = 7;
    pub const AT_FLAGS: u64 = 8;
    pub const AT_ENTRY: u64 = 9;
    pub const AT_NOTELF: u64 = 10;
    pub const AT_UID: u64 = 11;
    pub const AT_EUID: u64 = 12;
    pub const AT_GID: u64 = 13;
    pub const AT_EGID: u64 = 14;
    pub const AT_PLATFORM: u64 = 15;
    pub const AT_HWCAP: u64 = 16;
    pub const AT_CLKTCK: u64 = 17;
    pub const AT_SECURE: u64 = 23;
    pub const AT_BASE_PLATFORM: u64 = 24;
    pub const AT_RANDOM: u64 = 25;
    pub const AT_HWCAP2: u64 = 26;
    pub const AT_RSEQ_FEATURE_SIZE: u64 = 27;
    pub const AT_RSEQ_ALIGN: u64 = 28;
    pub const AT_EXECFN: u64 = 31;
    pub const AT_SYSINFO_EHDR: u64 = 33;
    pub const AT_MINSIGSTKSZ: u64 = 51;
}

pub mod fcntl {
    use bitflags::bitflags;

    bitflags! {
        /// `open` flags (`O_RDONLY` is the absence of the access bits).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct OpenFlags: u32 {
            const O_WRONLY = 0o1;
            const O_RDWR = 0o2;
            const O_CREAT = 0o100;
            const O_EXCL = 0o200;
            const O_NOCTTY = 0o400;
            const O_TRUNC = 0o1000;
            const O_APPEND = 0o2000;
            const O_NONBLOCK = 0o4000;
            const O_DSYNC = 0o10000;
            const O_ASYNC = 0o20000;
            const O_DIRECT = 0o40000;
            const O_LARGEFILE = 0o100000;
            const O_DIRECTORY = 0o200000;
            const O_NOFOLLOW = 0o400000;
            const O_NOATIME = 0o1000000;
            const O_CLOEXEC = 0o2000000;
            const __O_SYNC = 0o4000000;
            const O_SYNC = 0o4010000;
            const O_PATH = 0o10000000;
            const __O_TMPFILE = 0o20000000;
            const O_TMPFILE = 0o20200000;
        }
    }

    pub const O_ACCMODE: u32 = 0o3;
    pub const F_DUPFD: i32 = 0;
    pub const F_GETFD: i32 = 1;
    pub const F_SETFD: i32 = 2;
    pub const F_GETFL: i32 = 3;
    pub const F_SETFL: i32 = 4;
    pub const F_GETLK: i32 = 5;
    pub const F_SETLK: i32 = 6;
    pub const F_SETLKW: i32 = 7;
    pub const F_SETOWN: i32 = 8;
    pub const F_GETOWN: i32 = 9;
    pub const F_SETSIG: i32 = 10;
    pub const F_GETSIG: i32 = 11;
    pub const F_SETOWN_EX: i32 = 15;
    pub const F_GETOWN_EX: i32 = 16;
    pub const F_OFD_GETLK: i32 = 36;
    pub const F_OFD_SETLK: i32 = 37;
    pub const F_OFD_SETLKW: i32 = 38;
    pub const F_SETLEASE: i32 = 1024;
    pub const F_GETLEASE: i32 = 1025;
    pub const F_NOTIFY: i32 = 1026;
    pub const F_DUPFD_CLOEXEC: i32 = 1030;
    pub const F_SETPIPE_SZ: i32 = 1031;
    pub const F_GETPIPE_SZ: i32 = 1032;
    pub const F_ADD_SEALS: i32 = 1033;
    pub const F_GET_SEALS: i32 = 1034;
    pub const FD_CLOEXEC: i32 = 1;
    pub const AT_FDCWD: i32 = -100;
    pub const AT_SYMLINK_NOFOLLOW: i32 = 0x100;
    pub const AT_EACCESS: i32 = 0x200;
    pub const AT_REMOVEDIR: i32 = 0x200;
    pub const AT_SYMLINK_FOLLOW: i32 = 0x400;
    pub const AT_NO_AUTOMOUNT: i32 = 0x800;
    pub const AT_EMPTY_PATH: i32 = 0x1000;
    pub const AT_STATX_SYNC_TYPE: i32 = 0x6000;
    pub const AT_STATX_FORCE_SYNC: i32 = 0x2000;
    pub const AT_STATX_DONT_SYNC: i32 = 0x4000;

    pub fn fcntl_name(cmd: i32) -> Option<&'static str> {
        Some(match cmd {
            0 => "F_DUPFD",
            1 => "F_GETFD",
            2 => "F_SETFD",
            3 => "F_GETFL",
            4 => "F_SETFL",
            5 => "F_GETLK",
            6 => "F_SETLK",
            7 => "F_SETLKW",
            8 => "F_SETOWN",
            9 => "F_GETOWN",
            1030 => "F_DUPFD_CLOEXEC",
            1031 => "F_SETPIPE_SZ",
            1032 => "F_GETPIPE_SZ",
            _ => return None,
        })
    }
}

pub mod signal {
    pub const SIGHUP: i32 = 1;
    pub const SIGINT: i32 = 2;
    pub const SIGQUIT: i32 = 3;
    pub const SIGILL: i32 = 4;
    pub const SIGTRAP: i32 = 5;
    pub const SIGABRT: i32 = 6;
    pub const SIGBUS: i32 = 7;
    pub const SIGFPE: i32 = 8;
    pub const SIGKILL: i32 = 9;
    pub const SIGUSR1: i32 = 10;
    pub const SIGSEGV: i32 = 11;
    pub const SIGUSR2: i32 = 12;
    pub const SIGPIPE: i32 = 13;
    pub const SIGALRM: i32 = 14;
    pub const SIGTERM: i32 = 15;
    pub const SIGSTKFLT: i32 = 16;
    pub const SIGCHLD: i32 = 17;
    pub const SIGCONT: i32 = 18;
    pub const SIGSTOP: i32 = 19;
    pub const SIGTSTP: i32 = 20;
    pub const SIGTTIN: i32 = 21;
    pub const SIGTTOU: i32 = 22;
    pub const SIGURG: i32 = 23;
    pub const SIGXCPU: i32 = 24;
    pub const SIGXFSZ: i32 = 25;
    pub const SIGVTALRM: i32 = 26;
    pub const SIGPROF: i32 = 27;
    pub const SIGWINCH: i32 = 28;
    pub const SIGIO: i32 = 29;
    pub const SIGPWR: i32 = 30;
    pub const SIGSYS: i32 = 31;
    pub const SIGRTMIN: i32 = 32;
    pub const SIGRTMAX: i32 = 64;

    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];

    pub fn signal_name(sig: i32) -> Option<&'static str> {
        usize::try_from(sig - 1)
            .ok()
            .and_then(|i| NAMES.get(i).copied())
    }
}

pub mod ioctl {
    pub const TCGETS: u64 = 0x5401;
    pub const TCSETS: u64 = 0x5402;
    pub const TCSETSW: u64 = 0x5403;
    pub const TCSETSF: u64 = 0x5404;
    pub const TIOCSCTTY: u64 = 0x540e;
    pub const TIOCGPGRP: u64 = 0x540f;
    pub const TIOCSPGRP: u64 = 0x5410;
    pub const TIOCGWINSZ: u64 = 0x5413;
    pub const TIOCSWINSZ: u64 = 0x5414;
    pub const FIONREAD: u64 = 0x541b;
    pub const FIONBIO: u64 = 0x5421;
    pub const FIONCLEX: u64 = 0x5450;
    pub const FIOCLEX: u64 = 0x5451;
    pub const FIOASYNC: u64 = 0x5452;
    pub const TIOCGPTN: u64 = 0x8004_5430;
    pub const TIOCSPTLCK: u64 = 0x4004_5431;

    pub fn ioctl_name(req: u64) -> Option<&'static str> {
        Some(match req {
            TCGETS => "TCGETS",
            TCSETS => "TCSETS",
            TCSETSW => "TCSETSW",
            TCSETSF => "TCSETSF",
            TIOCGWINSZ => "TIOCGWINSZ",
            TIOCSWINSZ => "TIOCSWINSZ",
            TIOCGPGRP => "TIOCGPGRP",
            TIOCSPGRP => "TIOCSPGRP",
            FIONREAD => "FIONREAD",
            FIONBIO => "FIONBIO",
            FIOCLEX => "FIOCLEX",
            FIONCLEX => "FIONCLEX",
            _ => return None,
        })
    }
}

pub mod random {
    use bitflags::bitflags;

    bitflags! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct GrndFlags: u32 {
            const GRND_NONBLOCK = 1;
            const GRND_RANDOM = 2;
            const GRND_INSECURE = 4;
        }
    }
}

pub mod stat {
    pub const S_IFMT: u32 = 0o170000;
    pub const S_IFSOCK: u32 = 0o140000;
    pub const S_IFLNK: u32 = 0o120000;
    pub const S_IFREG: u32 = 0o100000;
    pub const S_IFBLK: u32 = 0o060000;
    pub const S_IFDIR: u32 = 0o040000;
    pub const S_IFCHR: u32 = 0o020000;
    pub const S_IFIFO: u32 = 0o010000;
}
