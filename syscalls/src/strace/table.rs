//! Per-syscall signatures as data: how each argument and the result of a
//! system call are shown.

use crate::sysno;

/// How one argument is shown. Arguments that point at memory the call
/// writes (`OutBuf`, `OutIovec`, `Out`) print as addresses in
/// `format_call` and are decoded after the call by `format_return`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A C `int`, decimal (the low 32 bits of the register).
    Int,
    /// A C `unsigned int`, decimal.
    UInt,
    /// A `long` or `off_t`, decimal.
    Long,
    /// An `unsigned long` or `size_t`, decimal.
    ULong,
    /// An opaque value or address, hex (`0` for zero).
    Hex,
    /// A file descriptor.
    Fd,
    /// A directory descriptor of the `*at` calls: `AT_FDCWD` by name.
    DirFd,
    /// A NUL-terminated path, shown whole.
    Path,
    /// Bytes the call reads; their length is argument `len_arg`.
    InBuf {
        len_arg: u8,
    },
    /// Bytes the call writes, at most argument `len_arg`; shown after the
    /// call, as many as it returned.
    OutBuf {
        len_arg: u8,
    },
    /// A pointer not decoded: hex, or `NULL`.
    Ptr,
    /// A file mode, octal, with the file type by name (`S_IFCHR|0620`).
    Mode,
    /// The mode of open/openat: shown only with `O_CREAT` or `O_TMPFILE`
    /// in argument `flags_arg`, as strace does.
    OpenMode {
        flags_arg: u8,
    },
    /// open flags: the access mode and `O_*` flags.
    OpenFlags,
    /// Descriptor-creation flags without an access mode (pipe2, dup3,
    /// eventfd2, epoll_create1): `O_CLOEXEC|O_NONBLOCK` or `0`.
    FdFlags,
    MmapProt,
    MmapFlags,
    MremapFlags,
    MsyncFlags,
    /// madvise advice, `MADV_*`.
    Madvise,
    /// A signal number, `SIGSEGV`.
    Signal,
    /// rt_sigprocmask `how`, `SIG_BLOCK`.
    SigprocmaskHow,
    /// A clock id, `CLOCK_MONOTONIC`.
    ClockId,
    /// clock_nanosleep flags, `TIMER_ABSTIME`.
    TimerFlags,
    /// getitimer/setitimer `which`, `ITIMER_REAL`.
    ItimerWhich,
    /// A resource of getrlimit/setrlimit/prlimit64, `RLIMIT_NOFILE`.
    Rlimit,
    /// getrusage `who`, `RUSAGE_SELF`.
    RusageWho,
    /// A prctl option, `PR_SET_NAME`.
    Prctl,
    /// An arch_prctl code, `ARCH_SET_FS`.
    ArchPrctl,
    /// An address family, `AF_UNIX`.
    SockFamily,
    /// A socket type with its flags, `SOCK_STREAM|SOCK_CLOEXEC`.
    SockType,
    /// A socket address the call reads, argument `len_arg` bytes long:
    /// `{sa_family=AF_UNIX, sun_path="/tmp/s"}`.
    Sockaddr {
        len_arg: u8,
    },
    /// `MSG_*` flags.
    MsgFlags,
    /// shutdown's `how`, `SHUT_WR`.
    ShutdownHow,
    /// A socket option level, `SOL_SOCKET`.
    SockLevel,
    /// A socket option, by name for level argument `level_arg`
    /// `SOL_SOCKET`.
    SockOpt {
        level_arg: u8,
    },
    /// An fcntl command, `F_SETFD`.
    FcntlCmd,
    /// fcntl's third argument, decoded by the command in `cmd_arg` and
    /// left out for commands that take none.
    FcntlArg {
        cmd_arg: u8,
    },
    /// An ioctl request, `TCGETS`.
    Ioctl,
    /// ioctl's third argument, decoded by the request in `req_arg`.
    IoctlArg {
        req_arg: u8,
    },
    /// An iovec array the call reads; its count is argument `count_arg`.
    Iovec {
        count_arg: u8,
    },
    /// An iovec array the call fills; shown after the call.
    OutIovec {
        count_arg: u8,
    },
    /// A `struct timespec *` the call reads (`{tv_sec=1, tv_nsec=0}`).
    Timespec,
    /// access/faccessat mode, `R_OK|W_OK` or `F_OK`.
    AccessMode,
    /// `AT_*` flags of the `*at` calls.
    AtFlags,
    /// lseek whence, `SEEK_SET`.
    Whence,
    /// clone flags with the exit signal, `CLONE_VM|...|SIGCHLD`.
    CloneFlags,
    /// wait4 options, `WNOHANG|__WALL`.
    WaitOptions,
    /// A futex operation, `FUTEX_WAIT_PRIVATE`.
    FutexOp,
    /// getrandom flags, `GRND_NONBLOCK`.
    GrndFlags,
    /// statx mask, `STATX_BASIC_STATS`.
    StatxMask,
    /// A device number, `makedev(0x1, 0x3)`.
    Dev,
    /// An argv array: `["ls", "-l"]`.
    Argv,
    /// An envp array: its address and count, `0x7ffd0 /* 12 vars */`.
    Envp,
    /// A `struct pollfd` array; its count is argument `count_arg`. The
    /// ready descriptors are shown after the call.
    Pollfds {
        count_arg: u8,
    },
    /// A gid array the call reads; its count is argument `count_arg`.
    Gids {
        count_arg: u8,
    },
    /// A pointer to a structure the call reads.
    In(Struct),
    /// A pointer to a structure the call writes; shown after the call.
    Out(Struct),
}

/// A structure behind a pointer argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Struct {
    Timespec,
    Timeval,
    Timezone,
    Itimerval,
    Rlimit,
    Rusage,
    Sysinfo,
    Stat,
    Statx,
    Tms,
    Utsname,
    Sigaction,
    Sigaltstack,
    /// A `sigset_t` (8 bytes on x86-64): `[HUP INT]`.
    Sigset,
    /// Two `int`s (pipe, pipe2): `[3, 4]`.
    FdPair,
    /// One `unsigned int` (getresuid, getcpu): `[0]`.
    UInt,
    /// A NUL-terminated string the call writes (getcwd).
    CStr,
    /// A CPU mask of as many bytes as the call returned: `[0 1 2 3]`.
    CpuSet,
    /// A wait status: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
    WaitStatus,
    /// As many gids as the call returned.
    Gids,
}

/// How the result is shown (an error is always `-1 ERRNO (text)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// Decimal.
    Int,
    /// An address (mmap, brk, mremap).
    Hex,
    /// A mode (umask).
    Octal,
    /// fcntl: the flags of F_GETFL, F_GETFD and F_GET_SEALS by name.
    Fcntl,
}

/// A system call's name, arguments and result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub name: &'static str,
    pub args: &'static [Arg],
    pub ret: Ret,
}

/// The signature of system call `nr`, where one is known; other calls
/// print as `name(0x0, ...)` with all six arguments in hex.
pub fn signature(nr: u64) -> Option<&'static Signature> {
    TABLE.get(usize::try_from(nr).ok()?)?.as_ref()
}

/// Fills `TABLE`, keyed by the syscall numbers of `sysno`.
macro_rules! signatures {
    ($($nr:ident => $name:ident($($arg:expr),* $(,)?) $(-> $ret:ident)?;)*) => {
        static TABLE: [Option<Signature>; sysno::MAX as usize] = {
            use Arg::*;
            let mut t = [const { None }; sysno::MAX as usize];
            $(
                t[sysno::$nr as usize] = Some(Signature {
                    name: stringify!($name),
                    args: &[$($arg),*],
                    ret: signatures!(@ret $($ret)?),
                });
            )*
            t
        };
    };
    (@ret) => { Ret::Int };
    (@ret $ret:ident) => { Ret::$ret };
}

signatures! {
    READ => read(Fd, OutBuf { len_arg: 2 }, ULong);
    WRITE => write(Fd, InBuf { len_arg: 2 }, ULong);
    OPEN => open(Path, OpenFlags, OpenMode { flags_arg: 1 });
    CLOSE => close(Fd);
    STAT => stat(Path, Out(Struct::Stat));
    FSTAT => fstat(Fd, Out(Struct::Stat));
    LSTAT => lstat(Path, Out(Struct::Stat));
    POLL => poll(Pollfds { count_arg: 1 }, UInt, Int);
    LSEEK => lseek(Fd, Long, Whence);
    MMAP => mmap(Ptr, ULong, MmapProt, MmapFlags, Fd, Hex) -> Hex;
    MPROTECT => mprotect(Hex, ULong, MmapProt);
    MUNMAP => munmap(Hex, ULong);
    BRK => brk(Ptr) -> Hex;
    RT_SIGACTION => rt_sigaction(Signal, In(Struct::Sigaction), Out(Struct::Sigaction), ULong);
    RT_SIGPROCMASK => rt_sigprocmask(SigprocmaskHow, In(Struct::Sigset), Out(Struct::Sigset), ULong);
    RT_SIGRETURN => rt_sigreturn();
    IOCTL => ioctl(Fd, Ioctl, IoctlArg { req_arg: 1 });
    PREAD64 => pread64(Fd, OutBuf { len_arg: 2 }, ULong, Long);
    PWRITE64 => pwrite64(Fd, InBuf { len_arg: 2 }, ULong, Long);
    READV => readv(Fd, OutIovec { count_arg: 2 }, Int);
    WRITEV => writev(Fd, Iovec { count_arg: 2 }, Int);
    ACCESS => access(Path, AccessMode);
    PIPE => pipe(Out(Struct::FdPair));
    SELECT => select(Int, Ptr, Ptr, Ptr, In(Struct::Timeval));
    SCHED_YIELD => sched_yield();
    MREMAP => mremap(Hex, ULong, ULong, MremapFlags, Hex) -> Hex;
    MSYNC => msync(Hex, ULong, MsyncFlags);
    MINCORE => mincore(Hex, ULong, Ptr);
    MADVISE => madvise(Hex, ULong, Madvise);
    DUP => dup(Fd);
    DUP2 => dup2(Fd, Fd);
    PAUSE => pause();
    NANOSLEEP => nanosleep(Timespec, Ptr);
    GETITIMER => getitimer(ItimerWhich, Out(Struct::Itimerval));
    ALARM => alarm(UInt);
    SETITIMER => setitimer(ItimerWhich, In(Struct::Itimerval), Out(Struct::Itimerval));
    GETPID => getpid();
    SENDFILE => sendfile(Fd, Fd, Ptr, ULong);
    SOCKET => socket(SockFamily, SockType, Int);
    CONNECT => connect(Fd, Sockaddr { len_arg: 2 }, UInt);
    ACCEPT => accept(Fd, Ptr, Ptr);
    SENDTO => sendto(Fd, InBuf { len_arg: 2 }, ULong, MsgFlags, Sockaddr { len_arg: 5 }, UInt);
    RECVFROM => recvfrom(Fd, OutBuf { len_arg: 2 }, ULong, MsgFlags, Ptr, Ptr);
    SENDMSG => sendmsg(Fd, Ptr, MsgFlags);
    RECVMSG => recvmsg(Fd, Ptr, MsgFlags);
    SHUTDOWN => shutdown(Fd, ShutdownHow);
    BIND => bind(Fd, Sockaddr { len_arg: 2 }, UInt);
    LISTEN => listen(Fd, Int);
    GETSOCKNAME => getsockname(Fd, Ptr, Ptr);
    GETPEERNAME => getpeername(Fd, Ptr, Ptr);
    SOCKETPAIR => socketpair(SockFamily, SockType, Int, Out(Struct::FdPair));
    SETSOCKOPT => setsockopt(Fd, SockLevel, SockOpt { level_arg: 1 }, Ptr, UInt);
    GETSOCKOPT => getsockopt(Fd, SockLevel, SockOpt { level_arg: 1 }, Ptr, Ptr);
    CLONE => clone(CloneFlags, Ptr, Ptr, Ptr, Hex);
    FORK => fork();
    VFORK => vfork();
    EXECVE => execve(Path, Argv, Envp);
    EXIT => exit(Int);
    WAIT4 => wait4(Int, Out(Struct::WaitStatus), WaitOptions, Ptr);
    KILL => kill(Int, Signal);
    UNAME => uname(Out(Struct::Utsname));
    FCNTL => fcntl(Fd, FcntlCmd, FcntlArg { cmd_arg: 1 }) -> Fcntl;
    FSYNC => fsync(Fd);
    FDATASYNC => fdatasync(Fd);
    TRUNCATE => truncate(Path, Long);
    FTRUNCATE => ftruncate(Fd, Long);
    GETCWD => getcwd(Out(Struct::CStr), ULong);
    CHDIR => chdir(Path);
    FCHDIR => fchdir(Fd);
    RENAME => rename(Path, Path);
    MKDIR => mkdir(Path, Mode);
    RMDIR => rmdir(Path);
    LINK => link(Path, Path);
    UNLINK => unlink(Path);
    SYMLINK => symlink(Path, Path);
    READLINK => readlink(Path, OutBuf { len_arg: 2 }, ULong);
    CHMOD => chmod(Path, Mode);
    FCHMOD => fchmod(Fd, Mode);
    UMASK => umask(Mode) -> Octal;
    GETTIMEOFDAY => gettimeofday(Out(Struct::Timeval), Out(Struct::Timezone));
    GETRLIMIT => getrlimit(Rlimit, Out(Struct::Rlimit));
    GETRUSAGE => getrusage(RusageWho, Out(Struct::Rusage));
    SYSINFO => sysinfo(Out(Struct::Sysinfo));
    TIMES => times(Out(Struct::Tms));
    GETUID => getuid();
    GETGID => getgid();
    SETUID => setuid(UInt);
    SETGID => setgid(UInt);
    GETEUID => geteuid();
    GETEGID => getegid();
    SETPGID => setpgid(Int, Int);
    GETPPID => getppid();
    GETPGRP => getpgrp();
    SETSID => setsid();
    GETGROUPS => getgroups(Int, Out(Struct::Gids));
    SETGROUPS => setgroups(Int, Gids { count_arg: 0 });
    GETRESUID => getresuid(Out(Struct::UInt), Out(Struct::UInt), Out(Struct::UInt));
    GETRESGID => getresgid(Out(Struct::UInt), Out(Struct::UInt), Out(Struct::UInt));
    GETPGID => getpgid(Int);
    GETSID => getsid(Int);
    RT_SIGSUSPEND => rt_sigsuspend(In(Struct::Sigset), ULong);
    SIGALTSTACK => sigaltstack(In(Struct::Sigaltstack), Out(Struct::Sigaltstack));
    MKNOD => mknod(Path, Mode, Dev);
    PRCTL => prctl(Prctl, Hex, Hex, Hex, Hex);
    ARCH_PRCTL => arch_prctl(ArchPrctl, Hex);
    SETRLIMIT => setrlimit(Rlimit, In(Struct::Rlimit));
    GETTID => gettid();
    TKILL => tkill(Int, Signal);
    TIME => time(Ptr);
    FUTEX => futex(Ptr, FutexOp, UInt, Ptr, Ptr, UInt);
    SCHED_SETAFFINITY => sched_setaffinity(Int, ULong, Ptr);
    SCHED_GETAFFINITY => sched_getaffinity(Int, ULong, Out(Struct::CpuSet));
    GETDENTS64 => getdents64(Fd, Ptr, ULong);
    SET_TID_ADDRESS => set_tid_address(Ptr);
    RESTART_SYSCALL => restart_syscall();
    FADVISE64 => fadvise64(Fd, Long, Long, Int);
    CLOCK_GETTIME => clock_gettime(ClockId, Out(Struct::Timespec));
    CLOCK_GETRES => clock_getres(ClockId, Out(Struct::Timespec));
    CLOCK_NANOSLEEP => clock_nanosleep(ClockId, TimerFlags, Timespec, Ptr);
    EXIT_GROUP => exit_group(Int);
    TGKILL => tgkill(Int, Int, Signal);
    OPENAT => openat(DirFd, Path, OpenFlags, OpenMode { flags_arg: 2 });
    MKDIRAT => mkdirat(DirFd, Path, Mode);
    MKNODAT => mknodat(DirFd, Path, Mode, Dev);
    NEWFSTATAT => newfstatat(DirFd, Path, Out(Struct::Stat), AtFlags);
    UNLINKAT => unlinkat(DirFd, Path, AtFlags);
    RENAMEAT => renameat(DirFd, Path, DirFd, Path);
    LINKAT => linkat(DirFd, Path, DirFd, Path, AtFlags);
    SYMLINKAT => symlinkat(Path, DirFd, Path);
    READLINKAT => readlinkat(DirFd, Path, OutBuf { len_arg: 3 }, ULong);
    FCHMODAT => fchmodat(DirFd, Path, Mode);
    FACCESSAT => faccessat(DirFd, Path, AccessMode);
    SET_ROBUST_LIST => set_robust_list(Ptr, ULong);
    GET_ROBUST_LIST => get_robust_list(Int, Ptr, Ptr);
    UTIMENSAT => utimensat(DirFd, Path, Ptr, AtFlags);
    FALLOCATE => fallocate(Fd, Int, Long, Long);
    EVENTFD2 => eventfd2(UInt, FdFlags);
    EPOLL_CREATE1 => epoll_create1(FdFlags);
    DUP3 => dup3(Fd, Fd, FdFlags);
    PIPE2 => pipe2(Out(Struct::FdPair), FdFlags);
    ACCEPT4 => accept4(Fd, Ptr, Ptr, FdFlags);
    RECVMMSG => recvmmsg(Fd, Ptr, UInt, MsgFlags, Timespec);
    SENDMMSG => sendmmsg(Fd, Ptr, UInt, MsgFlags);
    PREADV => preadv(Fd, OutIovec { count_arg: 2 }, Int, Long, Long);
    PWRITEV => pwritev(Fd, Iovec { count_arg: 2 }, Int, Long, Long);
    PRLIMIT64 => prlimit64(Int, Rlimit, In(Struct::Rlimit), Out(Struct::Rlimit));
    GETCPU => getcpu(Out(Struct::UInt), Out(Struct::UInt), Ptr);
    RENAMEAT2 => renameat2(DirFd, Path, DirFd, Path, Hex);
    GETRANDOM => getrandom(OutBuf { len_arg: 1 }, ULong, GrndFlags);
    MEMFD_CREATE => memfd_create(Path, Hex);
    EXECVEAT => execveat(DirFd, Path, Argv, Envp, AtFlags);
    MEMBARRIER => membarrier(Int, UInt, Int);
    STATX => statx(DirFd, Path, AtFlags, StatxMask, Out(Struct::Statx));
    RSEQ => rseq(Ptr, UInt, Hex, Hex);
    CLONE3 => clone3(Ptr, ULong);
    CLOSE_RANGE => close_range(UInt, UInt, Hex);
    FACCESSAT2 => faccessat2(DirFd, Path, AccessMode, AtFlags);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_sysno() {
        let mut n = 0;
        for nr in 0..u64::from(sysno::MAX) {
            if let Some(sig) = signature(nr) {
                assert_eq!(Some(sig.name), sysno::name(nr), "signature of {nr}");
                assert!(sig.args.len() <= 6, "{}", sig.name);
                n += 1;
            }
        }
        assert!(n > 130, "{n} signatures");
        assert_eq!(signature(u64::from(sysno::MAX)), None);
        assert_eq!(signature(u64::MAX), None);
    }

    /// Every argument index a signature refers to names one of its own
    /// arguments.
    #[test]
    fn argument_references_are_in_range() {
        for nr in 0..u64::from(sysno::MAX) {
            let Some(sig) = signature(nr) else { continue };
            for arg in sig.args {
                let index = match *arg {
                    Arg::InBuf { len_arg }
                    | Arg::OutBuf { len_arg }
                    | Arg::OpenMode { flags_arg: len_arg }
                    | Arg::FcntlArg { cmd_arg: len_arg }
                    | Arg::IoctlArg { req_arg: len_arg }
                    | Arg::Iovec { count_arg: len_arg }
                    | Arg::OutIovec { count_arg: len_arg }
                    | Arg::Pollfds { count_arg: len_arg }
                    | Arg::Gids { count_arg: len_arg } => usize::from(len_arg),
                    _ => continue,
                };
                assert!(index < sig.args.len(), "{}: {arg:?}", sig.name);
            }
        }
    }

    /// The calls the brief names all decode their arguments.
    #[test]
    fn required_calls_have_signatures() {
        let required = "read write open close stat fstat lstat poll lseek mmap mprotect munmap \
            brk rt_sigaction rt_sigprocmask rt_sigreturn ioctl pread64 pwrite64 readv writev \
            access pipe select sched_yield mremap msync mincore madvise dup dup2 pause \
            nanosleep getitimer alarm setitimer getpid clone fork vfork execve exit wait4 kill \
            uname fcntl getcwd chdir getrlimit getrusage sysinfo times getuid getgid setuid \
            setgid geteuid getegid getppid getpgrp setsid getgroups setgroups getresuid \
            getresgid getpgid getsid sigaltstack arch_prctl prctl setrlimit gettid time futex \
            sched_getaffinity set_tid_address clock_gettime clock_getres clock_nanosleep \
            exit_group tgkill openat newfstatat readlinkat faccessat dup3 pipe2 prlimit64 \
            getrandom getcpu set_robust_list get_robust_list rseq umask gettimeofday statx mknod";
        for name in required.split_whitespace() {
            let nr = sysno::number(name).expect(name);
            assert!(signature(u64::from(nr)).is_some(), "{name}");
        }
    }
}
