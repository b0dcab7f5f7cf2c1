//! Test support: compiles and runs small C programs against the build
//! machine's kernel headers, so layouts and constants are checked against
//! Linux's own definitions rather than a second copy of them.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Command;

/// Compiles `source` with gcc and returns what it prints. Without gcc the
/// caller should skip: `None` after printing `SKIP: gcc not found`, or a
/// panic under `SANDBOX_TESTS_STRICT=1`. A program that fails to compile or
/// run is a test failure.
pub fn run_c(name: &str, source: &str) -> Option<String> {
    let dir = TempDir::new(name);
    let c = dir.0.join(format!("{name}.c"));
    let exe = dir.0.join(name);
    std::fs::write(&c, source).expect("write the C source");
    let built = match Command::new("gcc").arg("-o").arg(&exe).arg(&c).output() {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            assert!(
                std::env::var("SANDBOX_TESTS_STRICT").as_deref() != Ok("1"),
                "gcc not found (required under SANDBOX_TESTS_STRICT=1)"
            );
            eprintln!("SKIP: gcc not found");
            return None;
        }
        Err(e) => panic!("run gcc: {e}"),
    };
    assert!(
        built.status.success(),
        "gcc failed on {name}.c:\n{}\n{source}",
        String::from_utf8_lossy(&built.stderr)
    );
    let ran = Command::new(&exe).output().expect("run the C program");
    assert!(ran.status.success(), "{name} exited with {}", ran.status);
    Some(String::from_utf8(ran.stdout).expect("ASCII output"))
}

/// Compares `(what, value)` pairs with the program's output, one value a
/// line in the same order; `absent` lines (a constant the headers lack)
/// are skipped. Reports every mismatch at once.
pub fn compare(want: impl IntoIterator<Item = (String, String)>, out: &str) {
    let want: Vec<(String, String)> = want.into_iter().collect();
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), want.len(), "output lines:\n{out}");
    let bad: Vec<String> = want
        .iter()
        .zip(&got)
        .filter(|((_, v), g)| **g != "absent" && v.as_str() != **g)
        .map(|((what, v), g)| format!("{what}: ours {v}, headers {g}"))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("abi-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        arch_prctl, auxv, fcntl, futex, ioctl, mm, poll, prctl, random, resource, sched, seccomp,
        signal, stat, time, wait, Errno,
    };

    /// Every constant with its value here; printed by the C side when the
    /// headers define it.
    fn constants() -> Vec<(&'static str, i64)> {
        let mut v: Vec<(&'static str, i64)> = Vec::new();
        let mut add = |name: &'static str, value: i64| v.push((name, value));
        macro_rules! consts {
            ($module:ident: $($name:ident),* $(,)?) => {
                $(add(stringify!($name), i64::from($module::$name));)*
            };
        }
        macro_rules! flags {
            ($ty:ty: $($name:ident),* $(,)?) => {
                $(add(stringify!($name), wrap(u64::from(<$ty>::$name.bits())));)*
            };
        }
        // Errno: every name the headers know.
        for e in Errno::all() {
            add(
                e.name().expect("visible errnos have names"),
                i64::from(e.raw()),
            );
        }
        add("EWOULDBLOCK", i64::from(Errno::EWOULDBLOCK.raw()));
        add("EDEADLOCK", i64::from(Errno::EDEADLOCK.raw()));

        flags!(mm::MmapProt: PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM, PROT_GROWSDOWN,
            PROT_GROWSUP);
        flags!(mm::MmapFlags: MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_FIXED,
            MAP_ANONYMOUS, MAP_32BIT, MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED,
            MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB, MAP_SYNC,
            MAP_FIXED_NOREPLACE, MAP_UNINITIALIZED);
        flags!(mm::MremapFlags: MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP);
        flags!(mm::MsyncFlags: MS_ASYNC, MS_INVALIDATE, MS_SYNC);
        add("MAP_TYPE", wrap(mm::MAP_TYPE));
        add("MAP_HUGE_SHIFT", i64::from(mm::MAP_HUGE_SHIFT));
        consts!(mm: MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT);
        consts!(mm: MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
            MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE,
            MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
            MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
            MADV_DONTNEED_LOCKED, MADV_COLLAPSE, MADV_HWPOISON, MADV_SOFT_OFFLINE,
            MADV_GUARD_INSTALL, MADV_GUARD_REMOVE);

        consts!(time: CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
            CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
            CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM,
            CLOCK_TAI, TIMER_ABSTIME, ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF,
            TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET);

        consts!(resource: RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
            RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS,
            RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME,
            RLIM_NLIMITS, RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD);
        add("RLIM_INFINITY", wrap(resource::RLIM_INFINITY));

        consts!(prctl: PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_GET_DUMPABLE, PR_SET_DUMPABLE,
            PR_GET_UNALIGN, PR_SET_UNALIGN, PR_GET_KEEPCAPS, PR_SET_KEEPCAPS, PR_GET_FPEMU,
            PR_SET_FPEMU, PR_GET_FPEXC, PR_SET_FPEXC, PR_GET_TIMING, PR_SET_TIMING, PR_SET_NAME,
            PR_GET_NAME, PR_GET_ENDIAN, PR_SET_ENDIAN, PR_GET_SECCOMP, PR_SET_SECCOMP,
            PR_CAPBSET_READ, PR_CAPBSET_DROP, PR_GET_TSC, PR_SET_TSC, PR_GET_SECUREBITS,
            PR_SET_SECUREBITS, PR_SET_TIMERSLACK, PR_GET_TIMERSLACK, PR_TASK_PERF_EVENTS_DISABLE,
            PR_TASK_PERF_EVENTS_ENABLE, PR_MCE_KILL, PR_MCE_KILL_GET, PR_SET_MM,
            PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS,
            PR_GET_NO_NEW_PRIVS, PR_GET_TID_ADDRESS, PR_SET_THP_DISABLE, PR_GET_THP_DISABLE,
            PR_MPX_ENABLE_MANAGEMENT, PR_MPX_DISABLE_MANAGEMENT, PR_SET_FP_MODE, PR_GET_FP_MODE,
            PR_CAP_AMBIENT, PR_SVE_SET_VL, PR_SVE_GET_VL, PR_GET_SPECULATION_CTRL,
            PR_SET_SPECULATION_CTRL, PR_PAC_RESET_KEYS, PR_SET_TAGGED_ADDR_CTRL,
            PR_GET_TAGGED_ADDR_CTRL, PR_SET_IO_FLUSHER, PR_GET_IO_FLUSHER,
            PR_SET_SYSCALL_USER_DISPATCH, PR_PAC_SET_ENABLED_KEYS, PR_PAC_GET_ENABLED_KEYS,
            PR_SCHED_CORE, PR_SME_SET_VL, PR_SME_GET_VL, PR_SET_MDWE, PR_GET_MDWE,
            PR_SET_MEMORY_MERGE, PR_GET_MEMORY_MERGE, PR_RISCV_V_SET_CONTROL,
            PR_RISCV_V_GET_CONTROL, PR_RISCV_SET_ICACHE_FLUSH_CTX, PR_PPC_GET_DEXCR,
            PR_PPC_SET_DEXCR, PR_GET_SHADOW_STACK_STATUS, PR_SET_SHADOW_STACK_STATUS,
            PR_LOCK_SHADOW_STACK_STATUS, PR_TIMER_CREATE_RESTORE_IDS, PR_FUTEX_HASH,
            PR_SET_PTRACER, PR_SET_VMA, PR_GET_AUXV);
        consts!(prctl: PER_LINUX, PER_LINUX32, PER_MASK, UNAME26, ADDR_NO_RANDOMIZE,
            FDPIC_FUNCPTRS, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC,
            ADDR_LIMIT_32BIT, SHORT_INODE, WHOLE_SECONDS, STICKY_TIMEOUTS, ADDR_LIMIT_3GB,
            PER_CLEAR_ON_SETID);
        for (name, value) in [
            ("PR_SET_VMA_ANON_NAME", prctl::PR_SET_VMA_ANON_NAME),
            ("PR_CAP_AMBIENT_IS_SET", prctl::PR_CAP_AMBIENT_IS_SET),
            ("PR_CAP_AMBIENT_RAISE", prctl::PR_CAP_AMBIENT_RAISE),
            ("PR_CAP_AMBIENT_LOWER", prctl::PR_CAP_AMBIENT_LOWER),
            ("PR_CAP_AMBIENT_CLEAR_ALL", prctl::PR_CAP_AMBIENT_CLEAR_ALL),
            ("SECCOMP_MODE_DISABLED", prctl::SECCOMP_MODE_DISABLED),
            ("SECCOMP_MODE_STRICT", prctl::SECCOMP_MODE_STRICT),
            ("SECCOMP_MODE_FILTER", prctl::SECCOMP_MODE_FILTER),
        ] {
            add(name, wrap(value));
        }

        consts!(seccomp: SECCOMP_SET_MODE_STRICT, SECCOMP_SET_MODE_FILTER,
            SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES, SECCOMP_FILTER_FLAG_TSYNC,
            SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
            SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
            SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_RET_KILL_PROCESS,
            SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
            SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
            SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ACTION, SECCOMP_RET_DATA, SYS_SECCOMP,
            AUDIT_ARCH_X86_64, BPF_MEMWORDS, BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU,
            BPF_JMP, BPF_RET, BPF_MISC, BPF_W, BPF_H, BPF_B, BPF_IMM, BPF_ABS, BPF_IND,
            BPF_MEM, BPF_LEN, BPF_MSH, BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND,
            BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE,
            BPF_JSET, BPF_K, BPF_X, BPF_A, BPF_TAX, BPF_TXA);
        add(
            "BPF_MAXINSNS",
            i64::try_from(seccomp::BPF_MAXINSNS).unwrap(),
        );

        consts!(arch_prctl: ARCH_SET_GS, ARCH_SET_FS, ARCH_GET_FS, ARCH_GET_GS, ARCH_GET_CPUID,
            ARCH_SET_CPUID, ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM, ARCH_REQ_XCOMP_PERM,
            ARCH_GET_XCOMP_GUEST_PERM, ARCH_REQ_XCOMP_GUEST_PERM, ARCH_MAP_VDSO_X32,
            ARCH_MAP_VDSO_32, ARCH_MAP_VDSO_64, ARCH_GET_UNTAG_MASK, ARCH_ENABLE_TAGGED_ADDR,
            ARCH_GET_MAX_TAG_BITS, ARCH_FORCE_TAGGED_SVA, ARCH_SHSTK_ENABLE, ARCH_SHSTK_DISABLE,
            ARCH_SHSTK_LOCK, ARCH_SHSTK_UNLOCK, ARCH_SHSTK_STATUS);

        for (name, value) in [
            ("AT_NULL", auxv::AT_NULL),
            ("AT_IGNORE", auxv::AT_IGNORE),
            ("AT_EXECFD", auxv::AT_EXECFD),
            ("AT_PHDR", auxv::AT_PHDR),
            ("AT_PHENT", auxv::AT_PHENT),
            ("AT_PHNUM", auxv::AT_PHNUM),
            ("AT_PAGESZ", auxv::AT_PAGESZ),
            ("AT_BASE", auxv::AT_BASE),
            ("AT_FLAGS", auxv::AT_FLAGS),
            ("AT_ENTRY", auxv::AT_ENTRY),
            ("AT_NOTELF", auxv::AT_NOTELF),
            ("AT_UID", auxv::AT_UID),
            ("AT_EUID", auxv::AT_EUID),
            ("AT_GID", auxv::AT_GID),
            ("AT_EGID", auxv::AT_EGID),
            ("AT_PLATFORM", auxv::AT_PLATFORM),
            ("AT_HWCAP", auxv::AT_HWCAP),
            ("AT_CLKTCK", auxv::AT_CLKTCK),
            ("AT_SECURE", auxv::AT_SECURE),
            ("AT_BASE_PLATFORM", auxv::AT_BASE_PLATFORM),
            ("AT_RANDOM", auxv::AT_RANDOM),
            ("AT_HWCAP2", auxv::AT_HWCAP2),
            ("AT_RSEQ_FEATURE_SIZE", auxv::AT_RSEQ_FEATURE_SIZE),
            ("AT_RSEQ_ALIGN", auxv::AT_RSEQ_ALIGN),
            ("AT_HWCAP3", auxv::AT_HWCAP3),
            ("AT_HWCAP4", auxv::AT_HWCAP4),
            ("AT_EXECFN", auxv::AT_EXECFN),
            ("AT_SYSINFO", auxv::AT_SYSINFO),
            ("AT_SYSINFO_EHDR", auxv::AT_SYSINFO_EHDR),
            ("AT_MINSIGSTKSZ", auxv::AT_MINSIGSTKSZ),
        ] {
            add(name, wrap(value));
        }

        flags!(fcntl::OpenFlags: O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC,
            O_APPEND, O_NONBLOCK, O_DSYNC, O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW,
            O_NOATIME, O_CLOEXEC, __O_SYNC, O_SYNC, O_PATH, __O_TMPFILE, O_TMPFILE);
        consts!(fcntl: O_ACCMODE, O_RDONLY, FASYNC, O_NDELAY);
        consts!(fcntl: F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW,
            F_SETOWN, F_GETOWN, F_SETSIG, F_GETSIG, F_SETOWN_EX, F_GETOWN_EX, F_GETOWNER_UIDS,
            F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLEASE, F_GETLEASE, F_NOTIFY,
            F_DUPFD_QUERY, F_CREATED_QUERY, F_CANCELLK, F_DUPFD_CLOEXEC, F_SETPIPE_SZ,
            F_GETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS, F_GET_RW_HINT, F_SET_RW_HINT,
            F_GET_FILE_RW_HINT, F_SET_FILE_RW_HINT, FD_CLOEXEC, F_RDLCK, F_WRLCK, F_UNLCK,
            F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE, F_SEAL_FUTURE_WRITE,
            F_SEAL_EXEC, AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_EACCESS, AT_REMOVEDIR,
            AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, AT_STATX_SYNC_TYPE,
            AT_STATX_SYNC_AS_STAT, AT_STATX_FORCE_SYNC, AT_STATX_DONT_SYNC, AT_RECURSIVE,
            SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE);

        consts!(signal: SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
            SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD,
            SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM,
            SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS, SIGIOT, SIGPOLL, SIGRTMIN,
            // (SIGRTMAX and _NSIG are kernel-only in <asm/signal.h>.)
            SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SS_ONSTACK, SS_DISABLE);
        // C spells it `1U << 31`: compare the bit pattern as unsigned.
        let autodisarm = u32::from_ne_bytes(signal::SS_AUTODISARM.to_ne_bytes());
        add("SS_AUTODISARM", i64::from(autodisarm));
        add("MINSIGSTKSZ", wrap(signal::MINSIGSTKSZ));
        add("SIGSTKSZ", wrap(signal::SIGSTKSZ));
        flags!(signal::SigactionFlags: SA_NOCLDSTOP, SA_NOCLDWAIT, SA_SIGINFO, SA_UNSUPPORTED,
            SA_EXPOSE_TAGBITS, SA_RESTORER, SA_ONSTACK, SA_RESTART, SA_NODEFER, SA_RESETHAND);

        for (name, value) in [
            ("TCGETS", ioctl::TCGETS),
            ("TCSETS", ioctl::TCSETS),
            ("TCSETSW", ioctl::TCSETSW),
            ("TCSETSF", ioctl::TCSETSF),
            ("TCSBRK", ioctl::TCSBRK),
            ("TCFLSH", ioctl::TCFLSH),
            ("TIOCSCTTY", ioctl::TIOCSCTTY),
            ("TIOCGPGRP", ioctl::TIOCGPGRP),
            ("TIOCSPGRP", ioctl::TIOCSPGRP),
            ("TIOCOUTQ", ioctl::TIOCOUTQ),
            ("TIOCSTI", ioctl::TIOCSTI),
            ("TIOCGWINSZ", ioctl::TIOCGWINSZ),
            ("TIOCSWINSZ", ioctl::TIOCSWINSZ),
            ("FIONREAD", ioctl::FIONREAD),
            ("TIOCINQ", ioctl::TIOCINQ),
            ("TIOCPKT", ioctl::TIOCPKT),
            ("FIONBIO", ioctl::FIONBIO),
            ("TIOCNOTTY", ioctl::TIOCNOTTY),
            ("TIOCSETD", ioctl::TIOCSETD),
            ("TIOCGETD", ioctl::TIOCGETD),
            ("TIOCGSID", ioctl::TIOCGSID),
            ("TCGETS2", ioctl::TCGETS2),
            ("TCSETS2", ioctl::TCSETS2),
            ("TCSETSW2", ioctl::TCSETSW2),
            ("TCSETSF2", ioctl::TCSETSF2),
            ("TIOCGPTN", ioctl::TIOCGPTN),
            ("TIOCSPTLCK", ioctl::TIOCSPTLCK),
            ("TIOCGDEV", ioctl::TIOCGDEV),
            ("TIOCSIG", ioctl::TIOCSIG),
            ("TIOCVHANGUP", ioctl::TIOCVHANGUP),
            ("TIOCGPKT", ioctl::TIOCGPKT),
            ("TIOCGPTLCK", ioctl::TIOCGPTLCK),
            ("TIOCGEXCL", ioctl::TIOCGEXCL),
            ("TIOCGPTPEER", ioctl::TIOCGPTPEER),
            ("FIONCLEX", ioctl::FIONCLEX),
            ("FIOCLEX", ioctl::FIOCLEX),
            ("FIOASYNC", ioctl::FIOASYNC),
            ("FIOQSIZE", ioctl::FIOQSIZE),
            ("FIOSETOWN", ioctl::FIOSETOWN),
            ("SIOCSPGRP", ioctl::SIOCSPGRP),
            ("FIOGETOWN", ioctl::FIOGETOWN),
            ("SIOCGPGRP", ioctl::SIOCGPGRP),
        ] {
            add(name, wrap(value));
        }

        flags!(random::GrndFlags: GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE);

        consts!(stat: S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO,
            S_ISUID, S_ISGID, S_ISVTX, STATX_ALL);
        flags!(stat::StatxMask: STATX_TYPE, STATX_MODE, STATX_NLINK, STATX_UID, STATX_GID,
            STATX_ATIME, STATX_MTIME, STATX_CTIME, STATX_INO, STATX_SIZE, STATX_BLOCKS,
            STATX_BASIC_STATS, STATX_BTIME, STATX_MNT_ID, STATX_DIOALIGN, STATX_MNT_ID_UNIQUE,
            STATX_SUBVOL, STATX_WRITE_ATOMIC, STATX_DIO_READ_ALIGN, STATX__RESERVED);

        flags!(sched::CloneFlags: CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_PIDFD,
            CLONE_PTRACE, CLONE_VFORK, CLONE_PARENT, CLONE_THREAD, CLONE_NEWNS, CLONE_SYSVSEM,
            CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID, CLONE_DETACHED,
            CLONE_UNTRACED, CLONE_CHILD_SETTID, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
            CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_IO, CLONE_CLEAR_SIGHAND,
            CLONE_INTO_CGROUP);
        add("CSIGNAL", wrap(sched::CSIGNAL));
        add("CLONE_NEWTIME", wrap(sched::CLONE_NEWTIME));
        consts!(sched: SCHED_NORMAL, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE,
            SCHED_DEADLINE, SCHED_EXT, SCHED_RESET_ON_FORK);

        flags!(wait::WaitOptions: WNOHANG, WUNTRACED, WEXITED, WCONTINUED, WNOWAIT,
            __WNOTHREAD, __WALL, __WCLONE);
        consts!(wait: WSTOPPED, P_ALL, P_PID, P_PGID, P_PIDFD);

        consts!(futex: FUTEX_WAIT, FUTEX_WAKE, FUTEX_FD, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE,
            FUTEX_WAKE_OP, FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAIT_BITSET,
            FUTEX_WAKE_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI, FUTEX_LOCK_PI2,
            FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME, FUTEX_CMD_MASK, FUTEX_BITSET_MATCH_ANY,
            FUTEX_WAITERS, FUTEX_OWNER_DIED, FUTEX_TID_MASK);
        add(
            "ROBUST_LIST_LIMIT",
            i64::try_from(futex::ROBUST_LIST_LIMIT).unwrap(),
        );

        flags!(poll::PollEvents: POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL,
            POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND, POLLMSG, POLLREMOVE, POLLRDHUP);
        v
    }

    /// A 64-bit pattern as C's `long long` prints it.
    fn wrap(v: u64) -> i64 {
        i64::from_ne_bytes(v.to_ne_bytes())
    }

    const HEADERS: &str = "\
#include <stdio.h>
#include <asm-generic/errno.h>
#include <asm/mman.h>
#include <linux/mman.h>
#include <linux/time.h>
#include <linux/timerfd.h>
#include <linux/resource.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/audit.h>
#include <asm/prctl.h>
#include <linux/auxvec.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/signal.h>
#include <asm/sockios.h>
#include <asm/termbits.h>
#include <asm/ioctls.h>
#include <linux/random.h>
#include <sys/stat.h>
#include <linux/stat.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/futex.h>
#include <asm/poll.h>
#include <linux/personality.h>
";

    /// Every constant that the build machine's kernel headers define has
    /// the same value here; constants newer than the headers are skipped.
    #[test]
    fn constants_match_kernel_headers() {
        let consts = constants();
        let mut program = String::from(HEADERS);
        program.push_str("int main(void) {\n");
        for (name, _) in &consts {
            program.push_str(&format!(
                "#ifdef {name}\n  printf(\"%lld\\n\", (long long)({name}));\n#else\n  \
                 puts(\"absent\");\n#endif\n"
            ));
        }
        program.push_str("  return 0;\n}\n");
        let Some(out) = run_c("consts", &program) else {
            return;
        };
        let present = out.lines().filter(|l| *l != "absent").count();
        assert!(
            present > 400,
            "only {present} constants found in the headers"
        );
        compare(
            consts
                .iter()
                .map(|(n, v)| ((*n).to_string(), v.to_string())),
            &out,
        );
    }
}
