//! The x86-64 system call table, keyed by number. Data, not code: `runsc
//! syscalls` prints it and docs/compatibility.md is generated from it.

use std::sync::LazyLock;

use abi::sysno as nr;
use abi::Errno;

use super::{
    attr, crossproc, exec, exit, fd, futex, identity, inotify, ipc, misc, mmap, namei, open, poll,
    process, read_write, rusage, sched, seccomp, signal, socket, sockmsg, splice, time, timer,
    xattr, Control,
};
use crate::arch::SyscallArgs;
use crate::kernel::Task;

/// How a handler answers.
#[derive(Clone, Copy)]
pub enum Handler {
    Value(fn(&mut Task, &SyscallArgs) -> Result<u64, Errno>),
    /// exit, exit_group: the task stops.
    Control(fn(&mut Task, &SyscallArgs) -> Result<Control, Errno>),
    /// A fixed error, with no handler.
    Error(Errno),
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handler::Value(_) => f.write_str("Value"),
            Handler::Control(_) => f.write_str("Control"),
            Handler::Error(e) => write!(f, "Error({e:?})"),
        }
    }
}

/// How much of Linux's behaviour a syscall has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    Full,
    Partial,
    /// Answers with a fixed error.
    Error,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub name: &'static str,
    pub handler: Handler,
    pub support: Support,
    pub note: &'static str,
}

fn supported(name: &'static str, f: fn(&mut Task, &SyscallArgs) -> Result<u64, Errno>) -> Entry {
    Entry {
        name,
        handler: Handler::Value(f),
        support: Support::Full,
        note: "",
    }
}

fn partial(
    name: &'static str,
    f: fn(&mut Task, &SyscallArgs) -> Result<u64, Errno>,
    note: &'static str,
) -> Entry {
    Entry {
        name,
        handler: Handler::Value(f),
        support: Support::Partial,
        note,
    }
}

fn control(name: &'static str, f: fn(&mut Task, &SyscallArgs) -> Result<Control, Errno>) -> Entry {
    Entry {
        name,
        handler: Handler::Control(f),
        support: Support::Full,
        note: "",
    }
}

fn error(name: &'static str, e: Errno, note: &'static str) -> Entry {
    Entry {
        name,
        handler: Handler::Error(e),
        support: Support::Error,
        note,
    }
}

/// The table, indexed by number.
pub static TABLE: LazyLock<Vec<Entry>> = LazyLock::new(|| build(&linux64()));

fn build(rows: &[(u32, Entry)]) -> Vec<Entry> {
    let none = Entry {
        name: "",
        handler: Handler::Error(Errno::ENOSYS),
        support: Support::Error,
        note: "",
    };
    let max = rows.iter().map(|(n, _)| *n as usize).max().unwrap_or(0);
    let mut t = vec![none; max + 1];
    for (n, e) in rows {
        t[*n as usize] = *e;
    }
    t
}

/// Every row this sentry has, keyed by number.
fn linux64() -> Vec<(u32, Entry)> {
    vec![
        (nr::READ, supported("read", read_write::sys_read)),
        (nr::WRITE, supported("write", read_write::sys_write)),
        (nr::CLOSE, supported("close", fd::sys_close)),
        (nr::CLOSE_RANGE, supported("close_range", fd::sys_close_range)),
        (
            nr::SENDFILE,
            partial("sendfile", splice::sys_sendfile, "copies through a sentry buffer"),
        ),
        (
            nr::COPY_FILE_RANGE,
            partial(
                "copy_file_range",
                splice::sys_copy_file_range,
                "copies through a sentry buffer",
            ),
        ),
        (
            nr::SPLICE,
            partial("splice", splice::sys_splice, "copies through a sentry buffer"),
        ),
        (
            nr::TEE,
            partial("tee", splice::sys_tee, "copies through a sentry buffer"),
        ),
        (
            nr::MEMFD_CREATE,
            partial(
                "memfd_create",
                fd::sys_memfd_create,
                "no MFD_HUGETLB",
            ),
        ),
        (nr::FLOCK, supported("flock", fd::sys_flock)),
        (nr::OPEN, supported("open", open::sys_open)),
        (nr::OPENAT, supported("openat", open::sys_openat)),
        (
            nr::OPENAT2,
            partial("openat2", open::sys_openat2, "RESOLVE_CACHED is ignored"),
        ),
        (nr::CREAT, supported("creat", open::sys_creat)),
        (nr::STAT, supported("stat", namei::sys_stat)),
        (nr::LSTAT, supported("lstat", namei::sys_lstat)),
        (
            nr::NEWFSTATAT,
            supported("newfstatat", namei::sys_newfstatat),
        ),
        (
            nr::STATX,
            partial(
                "statx",
                namei::sys_statx,
                "basic fields and mount id; no birth time",
            ),
        ),
        (nr::GETDENTS, supported("getdents", namei::sys_getdents)),
        (
            nr::GETDENTS64,
            supported("getdents64", namei::sys_getdents64),
        ),
        (nr::READLINK, supported("readlink", namei::sys_readlink)),
        (
            nr::READLINKAT,
            supported("readlinkat", namei::sys_readlinkat),
        ),
        (nr::MKDIR, supported("mkdir", namei::sys_mkdir)),
        (nr::MKDIRAT, supported("mkdirat", namei::sys_mkdirat)),
        (nr::MKNOD, supported("mknod", namei::sys_mknod)),
        (nr::MKNODAT, supported("mknodat", namei::sys_mknodat)),
        (nr::SYMLINK, supported("symlink", namei::sys_symlink)),
        (nr::SYMLINKAT, supported("symlinkat", namei::sys_symlinkat)),
        (nr::LINK, supported("link", namei::sys_link)),
        (nr::LINKAT, supported("linkat", namei::sys_linkat)),
        (nr::UNLINK, supported("unlink", namei::sys_unlink)),
        (nr::UNLINKAT, supported("unlinkat", namei::sys_unlinkat)),
        (nr::RMDIR, supported("rmdir", namei::sys_rmdir)),
        (nr::RENAME, supported("rename", namei::sys_rename)),
        (nr::RENAMEAT, supported("renameat", namei::sys_renameat)),
        (
            nr::RENAMEAT2,
            partial(
                "renameat2",
                namei::sys_renameat2,
                "RENAME_WHITEOUT is EINVAL",
            ),
        ),
        (
            nr::GETXATTR,
            partial(
                "getxattr",
                xattr::sys_getxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::LGETXATTR,
            partial(
                "lgetxattr",
                xattr::sys_lgetxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::FGETXATTR,
            partial(
                "fgetxattr",
                xattr::sys_fgetxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::SETXATTR,
            partial(
                "setxattr",
                xattr::sys_setxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::LSETXATTR,
            partial(
                "lsetxattr",
                xattr::sys_lsetxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::FSETXATTR,
            partial(
                "fsetxattr",
                xattr::sys_fsetxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::REMOVEXATTR,
            partial(
                "removexattr",
                xattr::sys_removexattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::LREMOVEXATTR,
            partial(
                "lremovexattr",
                xattr::sys_lremovexattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::FREMOVEXATTR,
            partial(
                "fremovexattr",
                xattr::sys_fremovexattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::LISTXATTR,
            partial(
                "listxattr",
                xattr::sys_listxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::LLISTXATTR,
            partial(
                "llistxattr",
                xattr::sys_llistxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (
            nr::FLISTXATTR,
            partial(
                "flistxattr",
                xattr::sys_flistxattr,
                "user., trusted. and security. names on tmpfs and the overlay's upper layer; EOPNOTSUPP elsewhere and for system. (no POSIX ACLs)",
            ),
        ),
        (nr::CHDIR, supported("chdir", namei::sys_chdir)),
        (nr::FCHDIR, supported("fchdir", namei::sys_fchdir)),
        (nr::GETCWD, supported("getcwd", namei::sys_getcwd)),
        (nr::CHROOT, supported("chroot", namei::sys_chroot)),
        (nr::ACCESS, supported("access", attr::sys_access)),
        (nr::FACCESSAT, supported("faccessat", attr::sys_faccessat)),
        (
            nr::FACCESSAT2,
            supported("faccessat2", attr::sys_faccessat2),
        ),
        (nr::CHMOD, supported("chmod", attr::sys_chmod)),
        (nr::FCHMOD, supported("fchmod", attr::sys_fchmod)),
        (nr::FCHMODAT, supported("fchmodat", attr::sys_fchmodat)),
        (nr::FCHMODAT2, supported("fchmodat2", attr::sys_fchmodat2)),
        (nr::CHOWN, supported("chown", attr::sys_chown)),
        (nr::FCHOWN, supported("fchown", attr::sys_fchown)),
        (nr::LCHOWN, supported("lchown", attr::sys_lchown)),
        (nr::FCHOWNAT, supported("fchownat", attr::sys_fchownat)),
        (nr::UTIMENSAT, supported("utimensat", attr::sys_utimensat)),
        (nr::UTIMES, supported("utimes", attr::sys_utimes)),
        (nr::FUTIMESAT, supported("futimesat", attr::sys_futimesat)),
        (nr::UTIME, supported("utime", attr::sys_utime)),
        (nr::TRUNCATE, supported("truncate", attr::sys_truncate)),
        (nr::FTRUNCATE, supported("ftruncate", attr::sys_ftruncate)),
        (nr::FSYNC, supported("fsync", attr::sys_fsync)),
        (nr::FDATASYNC, supported("fdatasync", attr::sys_fsync)),
        (nr::SYNC, supported("sync", attr::sys_sync)),
        (
            nr::SYNC_FILE_RANGE,
            supported("sync_file_range", attr::sys_sync_file_range),
        ),
        (nr::SYNCFS, supported("syncfs", attr::sys_syncfs)),
        (nr::STATFS, supported("statfs", attr::sys_statfs)),
        (nr::FSTATFS, supported("fstatfs", attr::sys_fstatfs)),
        (
            nr::FALLOCATE,
            partial(
                "fallocate",
                attr::sys_fallocate,
                "tmpfs's modes (0, KEEP_SIZE, PUNCH_HOLE); EOPNOTSUPP on gofer files",
            ),
        ),
        (
            nr::FADVISE64,
            partial("fadvise64", attr::sys_fadvise64, "advice has no effect"),
        ),
        (
            nr::READAHEAD,
            partial("readahead", attr::sys_readahead, "checked; nothing to read ahead"),
        ),
        (nr::FSTAT, supported("fstat", fd::sys_fstat)),
        (nr::LSEEK, supported("lseek", read_write::sys_lseek)),
        (
            nr::MMAP,
            partial(
                "mmap",
                mmap::sys_mmap,
                "file mappings copy the file, except MAP_SHARED of sentry-memory (tmpfs, overlay) files",
            ),
        ),
        (nr::MPROTECT, supported("mprotect", mmap::sys_mprotect)),
        (nr::MUNMAP, supported("munmap", mmap::sys_munmap)),
        (nr::BRK, supported("brk", mmap::sys_brk)),
        (
            nr::IOCTL,
            partial(
                "ioctl",
                fd::sys_ioctl,
                "TCGETS, TIOCGWINSZ, FIONREAD (SIOCINQ), SIOCOUTQ, FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC",
            ),
        ),
        (nr::PREAD64, supported("pread64", read_write::sys_pread64)),
        (
            nr::PWRITE64,
            supported("pwrite64", read_write::sys_pwrite64),
        ),
        (nr::READV, supported("readv", read_write::sys_readv)),
        (nr::WRITEV, supported("writev", read_write::sys_writev)),
        (nr::PREADV, supported("preadv", read_write::sys_preadv)),
        (nr::PWRITEV, supported("pwritev", read_write::sys_pwritev)),
        (
            nr::PREADV2,
            partial(
                "preadv2",
                read_write::sys_preadv2,
                "RWF_* flags are accepted and ignored",
            ),
        ),
        (
            nr::PWRITEV2,
            partial(
                "pwritev2",
                read_write::sys_pwritev2,
                "RWF_APPEND honoured; other RWF_* flags ignored",
            ),
        ),
        (
            nr::SCHED_YIELD,
            supported("sched_yield", sched::sys_sched_yield),
        ),
        (nr::MREMAP, supported("mremap", mmap::sys_mremap)),
        (
            nr::MSYNC,
            partial("msync", mmap::sys_msync, "MS_INVALIDATE is a no-op"),
        ),
        (nr::MINCORE, supported("mincore", mmap::sys_mincore)),
        (
            nr::MADVISE,
            partial(
                "madvise",
                mmap::sys_madvise,
                "advice other than DONTNEED/REMOVE/*FORK is accepted and ignored",
            ),
        ),
        (nr::SHMGET, supported("shmget", ipc::sys_shmget)),
        (nr::SHMAT, supported("shmat", ipc::sys_shmat)),
        (nr::SHMDT, supported("shmdt", ipc::sys_shmdt)),
        (nr::SHMCTL, supported("shmctl", ipc::sys_shmctl)),
        (nr::SEMGET, supported("semget", ipc::sys_semget)),
        (nr::SEMOP, supported("semop", ipc::sys_semop)),
        (nr::SEMTIMEDOP, supported("semtimedop", ipc::sys_semtimedop)),
        (nr::SEMCTL, supported("semctl", ipc::sys_semctl)),
        (nr::MSGGET, supported("msgget", ipc::sys_msgget)),
        (nr::MSGSND, supported("msgsnd", ipc::sys_msgsnd)),
        (
            nr::MSGRCV,
            partial(
                "msgrcv",
                ipc::sys_msgrcv,
                "MSG_COPY as with CONFIG_CHECKPOINT_RESTORE",
            ),
        ),
        (nr::MSGCTL, supported("msgctl", ipc::sys_msgctl)),
        (nr::DUP, supported("dup", fd::sys_dup)),
        (nr::PIPE, supported("pipe", fd::sys_pipe)),
        (nr::POLL, supported("poll", poll::sys_poll)),
        (nr::PPOLL, supported("ppoll", poll::sys_ppoll)),
        (nr::SELECT, supported("select", poll::sys_select)),
        (nr::PSELECT6, supported("pselect6", poll::sys_pselect6)),
        (
            nr::INOTIFY_INIT,
            supported("inotify_init", inotify::sys_inotify_init),
        ),
        (
            nr::INOTIFY_INIT1,
            supported("inotify_init1", inotify::sys_inotify_init1),
        ),
        (
            nr::INOTIFY_ADD_WATCH,
            supported("inotify_add_watch", inotify::sys_inotify_add_watch),
        ),
        (
            nr::INOTIFY_RM_WATCH,
            supported("inotify_rm_watch", inotify::sys_inotify_rm_watch),
        ),
        (nr::EVENTFD, supported("eventfd", poll::sys_eventfd)),
        (nr::EVENTFD2, supported("eventfd2", poll::sys_eventfd2)),
        (
            nr::EPOLL_CREATE,
            supported("epoll_create", poll::sys_epoll_create),
        ),
        (
            nr::EPOLL_CREATE1,
            supported("epoll_create1", poll::sys_epoll_create1),
        ),
        (nr::EPOLL_CTL, supported("epoll_ctl", poll::sys_epoll_ctl)),
        (
            nr::EPOLL_WAIT,
            supported("epoll_wait", poll::sys_epoll_wait),
        ),
        (
            nr::EPOLL_PWAIT,
            supported("epoll_pwait", poll::sys_epoll_pwait),
        ),
        (
            nr::EPOLL_PWAIT2,
            supported("epoll_pwait2", poll::sys_epoll_pwait2),
        ),
        (nr::PIPE2, supported("pipe2", fd::sys_pipe2)),
        (nr::DUP2, supported("dup2", fd::sys_dup2)),
        (nr::NANOSLEEP, supported("nanosleep", time::sys_nanosleep)),
        (nr::GETPID, supported("getpid", identity::sys_getpid)),
        (nr::EXIT, control("exit", exit::sys_exit)),
        (
            nr::CLONE,
            partial("clone", process::sys_clone, "no namespaces"),
        ),
        (
            nr::CLONE3,
            partial(
                "clone3",
                process::sys_clone3,
                "no namespaces, set_tid or cgroup",
            ),
        ),
        (nr::FORK, supported("fork", process::sys_fork)),
        (
            nr::EXECVE,
            Entry {
                name: "execve",
                handler: Handler::Control(exec::sys_execve),
                support: Support::Full,
                note: "",
            },
        ),
        (
            nr::EXECVEAT,
            Entry {
                name: "execveat",
                handler: Handler::Control(exec::sys_execveat),
                support: Support::Full,
                note: "",
            },
        ),
        (nr::VFORK, supported("vfork", process::sys_vfork)),
        (nr::WAIT4, supported("wait4", process::sys_wait4)),
        (nr::WAITID, supported("waitid", process::sys_waitid)),
        (nr::KILL, supported("kill", process::sys_kill)),
        (nr::TKILL, supported("tkill", process::sys_tkill)),
        (nr::TGKILL, supported("tgkill", process::sys_tgkill)),
        (
            nr::RT_SIGQUEUEINFO,
            supported("rt_sigqueueinfo", process::sys_rt_sigqueueinfo),
        ),
        (
            nr::RT_TGSIGQUEUEINFO,
            supported("rt_tgsigqueueinfo", process::sys_rt_tgsigqueueinfo),
        ),
        (
            nr::RT_SIGACTION,
            supported("rt_sigaction", signal::sys_rt_sigaction),
        ),
        (
            nr::RT_SIGPROCMASK,
            supported("rt_sigprocmask", signal::sys_rt_sigprocmask),
        ),
        (
            nr::RT_SIGPENDING,
            supported("rt_sigpending", signal::sys_rt_sigpending),
        ),
        (
            nr::RT_SIGSUSPEND,
            supported("rt_sigsuspend", signal::sys_rt_sigsuspend),
        ),
        (
            nr::RT_SIGTIMEDWAIT,
            supported("rt_sigtimedwait", signal::sys_rt_sigtimedwait),
        ),
        (
            nr::SIGALTSTACK,
            supported("sigaltstack", signal::sys_sigaltstack),
        ),
        (
            nr::RT_SIGRETURN,
            control("rt_sigreturn", signal::sys_rt_sigreturn),
        ),
        (nr::PAUSE, supported("pause", signal::sys_pause)),
        (nr::SIGNALFD, supported("signalfd", signal::sys_signalfd)),
        (nr::SIGNALFD4, supported("signalfd4", signal::sys_signalfd4)),
        (
            nr::PIDFD_OPEN,
            supported("pidfd_open", signal::sys_pidfd_open),
        ),
        (
            nr::PIDFD_SEND_SIGNAL,
            supported("pidfd_send_signal", signal::sys_pidfd_send_signal),
        ),
        (nr::ALARM, supported("alarm", timer::sys_alarm)),
        (
            nr::SETITIMER,
            partial(
                "setitimer",
                timer::sys_setitimer,
                "CPU-time timers sample the process's CPU clock",
            ),
        ),
        (nr::GETITIMER, supported("getitimer", timer::sys_getitimer)),
        (
            nr::TIMER_CREATE,
            partial(
                "timer_create",
                timer::sys_timer_create,
                "realtime, monotonic and boottime clocks; no CPU-time timers",
            ),
        ),
        (
            nr::TIMER_SETTIME,
            supported("timer_settime", timer::sys_timer_settime),
        ),
        (
            nr::TIMER_GETTIME,
            supported("timer_gettime", timer::sys_timer_gettime),
        ),
        (
            nr::TIMER_GETOVERRUN,
            supported("timer_getoverrun", timer::sys_timer_getoverrun),
        ),
        (
            nr::TIMER_DELETE,
            supported("timer_delete", timer::sys_timer_delete),
        ),
        (
            nr::TIMERFD_CREATE,
            supported("timerfd_create", timer::sys_timerfd_create),
        ),
        (
            nr::TIMERFD_SETTIME,
            supported("timerfd_settime", timer::sys_timerfd_settime),
        ),
        (
            nr::TIMERFD_GETTIME,
            supported("timerfd_gettime", timer::sys_timerfd_gettime),
        ),
        (
            nr::RESTART_SYSCALL,
            supported("restart_syscall", time::sys_restart_syscall),
        ),
        (
            nr::FUTEX,
            partial(
                "futex",
                futex::sys_futex,
                "no FUTEX_WAIT_REQUEUE_PI/CMP_REQUEUE_PI; PI without priority boosting",
            ),
        ),
        (
            nr::MLOCK,
            partial(
                "mlock",
                mmap::sys_mlock,
                "accounted and populated; the sentry's memory file can still be swapped",
            ),
        ),
        (
            nr::MUNLOCK,
            supported("munlock", mmap::sys_munlock),
        ),
        (
            nr::MLOCKALL,
            partial(
                "mlockall",
                mmap::sys_mlockall,
                "accounted and populated; MCL_FUTURE does not check RLIMIT_MEMLOCK on later maps",
            ),
        ),
        (
            nr::MUNLOCKALL,
            supported("munlockall", mmap::sys_munlockall),
        ),
        (
            nr::MLOCK2,
            partial(
                "mlock2",
                mmap::sys_mlock2,
                "accounted and populated; the sentry's memory file can still be swapped",
            ),
        ),
        (nr::UNAME, supported("uname", misc::sys_uname)),
        (nr::SETHOSTNAME, supported("sethostname", misc::sys_sethostname)),
        (
            nr::UNSHARE,
            partial(
                "unshare",
                process::sys_unshare,
                "descriptor table, fs context and semaphore adjustments; new namespaces EINVAL",
            ),
        ),
        (
            nr::PIDFD_GETFD,
            supported("pidfd_getfd", crossproc::sys_pidfd_getfd),
        ),
        (
            nr::PROCESS_VM_READV,
            supported("process_vm_readv", crossproc::sys_process_vm_readv),
        ),
        (
            nr::PROCESS_VM_WRITEV,
            supported("process_vm_writev", crossproc::sys_process_vm_writev),
        ),
        (
            nr::SETDOMAINNAME,
            supported("setdomainname", misc::sys_setdomainname),
        ),
        (
            nr::PERSONALITY,
            partial(
                "personality",
                misc::sys_personality,
                "kept and inherited; PER_LINUX32 and ADDR_NO_RANDOMIZE act, other flags \
                 (READ_IMPLIES_EXEC, UNAME26, MMAP_PAGE_ZERO, ...) do not",
            ),
        ),
        (
            nr::FCNTL,
            partial(
                "fcntl",
                fd::sys_fcntl,
                "descriptor and status flags, record and OFD locks, pipe sizes, O_ASYNC owners and signals",
            ),
        ),
        (nr::GETRLIMIT, supported("getrlimit", misc::sys_getrlimit)),
        (nr::SETRLIMIT, supported("setrlimit", misc::sys_setrlimit)),
        (
            nr::GETTIMEOFDAY,
            supported("gettimeofday", time::sys_gettimeofday),
        ),
        (
            nr::GETRUSAGE,
            partial(
                "getrusage",
                rusage::sys_getrusage,
                "CPU times and maxrss; fault and switch counts are zero",
            ),
        ),
        (nr::TIMES, supported("times", rusage::sys_times)),
        (nr::SYSINFO, supported("sysinfo", misc::sys_sysinfo)),
        (nr::GETUID, supported("getuid", identity::sys_getuid)),
        (nr::GETGID, supported("getgid", identity::sys_getgid)),
        (nr::GETEUID, supported("geteuid", identity::sys_geteuid)),
        (nr::GETEGID, supported("getegid", identity::sys_getegid)),
        (nr::GETPPID, supported("getppid", identity::sys_getppid)),
        (nr::GETPGRP, supported("getpgrp", identity::sys_getpgrp)),
        (
            nr::GETGROUPS,
            supported("getgroups", identity::sys_getgroups),
        ),
        (
            nr::GETRESUID,
            supported("getresuid", identity::sys_getresuid),
        ),
        (
            nr::GETRESGID,
            supported("getresgid", identity::sys_getresgid),
        ),
        (nr::GETPGID, supported("getpgid", identity::sys_getpgid)),
        (nr::GETSID, supported("getsid", identity::sys_getsid)),
        (nr::SETPGID, supported("setpgid", identity::sys_setpgid)),
        (nr::SETUID, supported("setuid", identity::sys_setuid)),
        (nr::SETGID, supported("setgid", identity::sys_setgid)),
        (nr::SETREUID, supported("setreuid", identity::sys_setreuid)),
        (nr::SETREGID, supported("setregid", identity::sys_setregid)),
        (
            nr::SETRESUID,
            supported("setresuid", identity::sys_setresuid),
        ),
        (
            nr::SETRESGID,
            supported("setresgid", identity::sys_setresgid),
        ),
        (nr::SETFSUID, supported("setfsuid", identity::sys_setfsuid)),
        (nr::SETFSGID, supported("setfsgid", identity::sys_setfsgid)),
        (
            nr::SETGROUPS,
            supported("setgroups", identity::sys_setgroups),
        ),
        (
            nr::CAPGET,
            partial(
                "capget",
                identity::sys_capget,
                "another task's sets read as the caller's",
            ),
        ),
        (nr::CAPSET, supported("capset", identity::sys_capset)),
        (nr::SETSID, supported("setsid", identity::sys_setsid)),
        (nr::UMASK, supported("umask", misc::sys_umask)),
        (
            nr::PRCTL,
            partial(
                "prctl",
                misc::sys_prctl,
                "name, pdeathsig, dumpable, no_new_privs, seccomp, subreaper, keepcaps, capbset, timerslack",
            ),
        ),
        (
            nr::ARCH_PRCTL,
            partial(
                "arch_prctl",
                misc::sys_arch_prctl,
                "FS/GS base and CPUID query; no CPUID faulting",
            ),
        ),
        (nr::GETTID, supported("gettid", identity::sys_gettid)),
        (nr::TIME, supported("time", time::sys_time)),
        (
            nr::SCHED_GETPARAM,
            supported("sched_getparam", sched::sys_sched_getparam),
        ),
        (
            nr::SCHED_GETSCHEDULER,
            supported("sched_getscheduler", sched::sys_sched_getscheduler),
        ),
        (
            nr::SCHED_GET_PRIORITY_MAX,
            supported("sched_get_priority_max", sched::sys_sched_get_priority_max),
        ),
        (
            nr::SCHED_GET_PRIORITY_MIN,
            supported("sched_get_priority_min", sched::sys_sched_get_priority_min),
        ),
        (
            nr::SCHED_RR_GET_INTERVAL,
            supported("sched_rr_get_interval", sched::sys_sched_rr_get_interval),
        ),
        (
            nr::GETPRIORITY,
            supported("getpriority", sched::sys_getpriority),
        ),
        (
            nr::SETPRIORITY,
            partial(
                "setpriority",
                sched::sys_setpriority,
                "the sandbox's nice values; host scheduling unchanged",
            ),
        ),
        (
            nr::IOPRIO_SET,
            partial(
                "ioprio_set",
                sched::sys_ioprio_set,
                "the sandbox's I/O priorities; host I/O scheduling unchanged",
            ),
        ),
        (nr::IOPRIO_GET, supported("ioprio_get", sched::sys_ioprio_get)),
        (
            nr::SCHED_GETAFFINITY,
            supported("sched_getaffinity", sched::sys_sched_getaffinity),
        ),
        (
            nr::SET_TID_ADDRESS,
            supported("set_tid_address", misc::sys_set_tid_address),
        ),
        (
            nr::CLOCK_GETTIME,
            supported("clock_gettime", time::sys_clock_gettime),
        ),
        (
            nr::CLOCK_SETTIME,
            partial(
                "clock_settime",
                time::sys_clock_settime,
                "checked, then EPERM: the sandbox does not set the host's clock",
            ),
        ),
        (
            nr::SETTIMEOFDAY,
            partial(
                "settimeofday",
                time::sys_settimeofday,
                "checked, then EPERM: the sandbox does not set the host's clock",
            ),
        ),
        (
            nr::CLOCK_GETRES,
            supported("clock_getres", time::sys_clock_getres),
        ),
        (
            nr::CLOCK_NANOSLEEP,
            supported("clock_nanosleep", time::sys_clock_nanosleep),
        ),
        (nr::EXIT_GROUP, control("exit_group", exit::sys_exit_group)),
        (nr::DUP3, supported("dup3", fd::sys_dup3)),
        (nr::PRLIMIT64, supported("prlimit64", misc::sys_prlimit64)),
        (nr::GETCPU, supported("getcpu", sched::sys_getcpu)),
        (
            nr::SCHED_SETAFFINITY,
            partial(
                "sched_setaffinity",
                sched::sys_sched_setaffinity,
                "recorded and read back; the sentry places host threads",
            ),
        ),
        (
            nr::SCHED_SETSCHEDULER,
            partial(
                "sched_setscheduler",
                sched::sys_sched_setscheduler,
                "recorded and read back; host scheduling unchanged",
            ),
        ),
        (
            nr::SCHED_SETPARAM,
            partial(
                "sched_setparam",
                sched::sys_sched_setparam,
                "recorded and read back; host scheduling unchanged",
            ),
        ),
        (nr::GETRANDOM, supported("getrandom", misc::sys_getrandom)),
        (
            nr::SECCOMP,
            partial(
                "seccomp",
                seccomp::sys_seccomp,
                "no SECCOMP_FILTER_FLAG_NEW_LISTENER (EINVAL), so no RET_USER_NOTIF listener; RET_TRACE is ENOSYS (no ptrace)",
            ),
        ),
        (
            nr::SET_ROBUST_LIST,
            supported("set_robust_list", misc::sys_set_robust_list),
        ),
        (
            nr::GET_ROBUST_LIST,
            supported("get_robust_list", misc::sys_get_robust_list),
        ),
        (
            nr::RSEQ,
            error("rseq", Errno::ENOSYS, "not supported; glibc falls back"),
        ),
        (
            nr::SOCKET,
            partial(
                "socket",
                socket::sys_socket,
                "AF_UNIX; AF_INET/AF_INET6 TCP, UDP and UDP-Lite over the sandbox's own loopback (no raw or ping sockets); AF_NETLINK NETLINK_ROUTE link and address dumps; other families EAFNOSUPPORT",
            ),
        ),
        (
            nr::SOCKETPAIR,
            partial(
                "socketpair",
                socket::sys_socketpair,
                "AF_UNIX; inet EOPNOTSUPP as on Linux; other families EAFNOSUPPORT",
            ),
        ),
        (nr::BIND, supported("bind", socket::sys_bind)),
        (nr::LISTEN, supported("listen", socket::sys_listen)),
        (nr::ACCEPT, supported("accept", socket::sys_accept)),
        (nr::ACCEPT4, supported("accept4", socket::sys_accept4)),
        (nr::CONNECT, supported("connect", socket::sys_connect)),
        (nr::SHUTDOWN, supported("shutdown", socket::sys_shutdown)),
        (
            nr::GETSOCKNAME,
            supported("getsockname", socket::sys_getsockname),
        ),
        (
            nr::GETPEERNAME,
            supported("getpeername", socket::sys_getpeername),
        ),
        (
            nr::SETSOCKOPT,
            partial(
                "setsockopt",
                socket::sys_setsockopt,
                "SOL_SOCKET, and IP, IPv6 and TCP options of inet sockets; no SO_PEEK_OFF, timestamps, filters",
            ),
        ),
        (
            nr::GETSOCKOPT,
            partial(
                "getsockopt",
                socket::sys_getsockopt,
                "SOL_SOCKET, and IP, IPv6 and TCP options of inet sockets; no SO_PEEK_OFF, timestamps, filters",
            ),
        ),
        (nr::SENDTO, supported("sendto", sockmsg::sys_sendto)),
        (nr::RECVFROM, supported("recvfrom", sockmsg::sys_recvfrom)),
        (nr::SENDMSG, supported("sendmsg", sockmsg::sys_sendmsg)),
        (nr::RECVMSG, supported("recvmsg", sockmsg::sys_recvmsg)),
        (nr::SENDMMSG, supported("sendmmsg", sockmsg::sys_sendmmsg)),
        (nr::RECVMMSG, supported("recvmmsg", sockmsg::sys_recvmmsg)),
        (nr::USELIB, error("uselib", Errno::ENOSYS, "obsolete")),
    ]
}

/// The implemented rows, in number order, for `runsc syscalls` and the
/// compatibility document.
pub fn rows() -> Vec<(u32, Entry)> {
    let mut rows = linux64();
    rows.sort_by_key(|(n, _)| *n);
    rows
}

/// The generated part of docs/compatibility.md.
pub fn compatibility_markdown() -> String {
    let mut s = String::from("| number | syscall | support | note |\n| ---: | --- | --- | --- |\n");
    for (n, e) in rows() {
        let support = match e.support {
            Support::Full => "full".to_string(),
            Support::Partial => "partial".to_string(),
            Support::Error => match e.handler {
                Handler::Error(errno) => format!("error: {}", errno.name().unwrap_or("?")),
                _ => "error".to_string(),
            },
        };
        s.push_str(&format!("| {n} | {} | {support} | {} |\n", e.name, e.note));
    }
    s.push_str(&format!(
        "\nEvery other number of the kernel's table ({} in all) answers ENOSYS and is counted.\n",
        abi::sysno::TABLE.len()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_kernel_table() {
        for (n, e) in linux64() {
            assert_eq!(abi::sysno::name(u64::from(n)), Some(e.name), "syscall {n}");
        }
    }

    #[test]
    fn compatibility_document_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/compatibility.md");
        let doc = std::fs::read_to_string(&path).expect("docs/compatibility.md exists");
        let begin = "<!-- BEGIN GENERATED: runsc syscalls --format=markdown -->\n";
        let end = "<!-- END GENERATED -->";
        let start = doc.find(begin).expect("generated section start") + begin.len();
        let stop = doc.find(end).expect("generated section end");
        assert_eq!(
            &doc[start..stop],
            compatibility_markdown(),
            "docs/compatibility.md is stale: regenerate it with `runsc syscalls --format=markdown`"
        );
    }

    #[test]
    fn numbers_are_listed_once() {
        let rows = linux64();
        let mut seen = std::collections::HashSet::new();
        for (n, _) in &rows {
            assert!(seen.insert(*n), "{n} listed twice");
        }
    }
}
