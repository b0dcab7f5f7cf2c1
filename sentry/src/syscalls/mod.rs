//! The system call table and dispatch. One module per family decodes the
//! arguments and calls into the kernel.

pub(crate) mod attr;
mod crossproc;
mod exec;
mod exit;
mod fasync;
mod fd;
mod futex;
mod identity;
mod inet;
mod inotify;
mod ipc;
mod misc;
mod mmap;
mod namei;
mod open;
pub(crate) mod path;
mod poll;
mod process;
pub(crate) mod read_write;
mod rusage;
mod sched;
mod seccomp;
mod signal;
mod socket;
mod sockmsg;
mod splice;
pub mod table;
mod time;
mod timer;
mod timeval;
mod xattr;

use abi::Errno;

use crate::arch::{return_value, SyscallArgs};
use crate::kernel::{ExitStatus, Task};
pub use exec::exec_boot;
pub use mmap::stack_limit;
pub use table::{Entry, Handler, Support, TABLE};

/// What a syscall did to the task beyond returning a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// The thread group ended with this status.
    ExitGroup(ExitStatus),
    /// The calling thread ended.
    ExitThread(ExitStatus),
    /// The handler set every register itself (rt_sigreturn): resume.
    Resume,
}

/// The outcome of one dispatched call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Put this in `rax` and resume.
    Return(u64),
    /// Stop running the task.
    Stop(Control),
}

thread_local! {
    /// The task and syscall this thread is serving, for the panic report.
    static CURRENT: std::cell::Cell<(i32, u64)> = const { std::cell::Cell::new((0, u64::MAX)) };
}

/// "tid 1 in write(1)" for the syscall this thread was serving, if any.
pub fn current_call() -> Option<String> {
    let (tid, nr) = CURRENT.with(std::cell::Cell::get);
    (nr != u64::MAX).then(|| {
        format!(
            "tid {tid} in {}({nr})",
            abi::sysno::name(nr).unwrap_or("unknown")
        )
    })
}

/// The system calls whose service reads or writes registers beyond the
/// arguments and `rax`: the platform hands them over with the whole
/// register file (see `platform::Context::full_registers`).
pub const NEEDS_REGISTERS: &[u32] = &[
    abi::sysno::RT_SIGRETURN,
    abi::sysno::SIGALTSTACK,
    abi::sysno::ARCH_PRCTL,
    abi::sysno::CLONE,
    abi::sysno::FORK,
    abi::sysno::VFORK,
    abi::sysno::CLONE3,
    abi::sysno::EXECVE,
    abi::sysno::EXECVEAT,
];

/// Runs the system call in `task.regs`.
pub fn dispatch(task: &mut Task) -> Outcome {
    let args = SyscallArgs::from_regs(&task.regs);
    CURRENT.with(|c| c.set((task.tid, args.nr)));
    if task.kernel.strace {
        return strace::traced(task, &args);
    }
    run(task, &args)
}

fn run(task: &mut Task, args: &SyscallArgs) -> Outcome {
    if task.shared.seccomp.enabled() {
        if let Some(out) = seccomp::check_entry(task, args) {
            return out;
        }
    }
    let entry = usize::try_from(args.nr).ok().and_then(|i| TABLE.get(i));
    let r = match entry.map(|e| &e.handler) {
        Some(Handler::Value(f)) => f(task, args),
        Some(Handler::Control(f)) => match f(task, args) {
            Ok(c) => return Outcome::Stop(c),
            Err(e) => Err(e),
        },
        Some(Handler::Error(e)) => {
            if *e == Errno::ENOSYS {
                task.kernel.count_unknown(args.nr);
            }
            Err(*e)
        }
        None => {
            task.kernel.count_unknown(args.nr);
            Err(Errno::ENOSYS)
        }
    };
    Outcome::Return(return_value(r))
}

mod strace {
    //! `--strace`: each call with decoded arguments and its result.

    use super::*;

    struct Reader<'a>(&'a crate::mm::MemoryManager);

    impl abi::strace::MemReader for Reader<'_> {
        fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
            let mut v = vec![0u8; len];
            self.0.copy_in(addr, &mut v).ok()?;
            Some(v)
        }

        fn read_cstr(&self, addr: u64, max: usize) -> Option<Vec<u8>> {
            match self.0.read_cstring(addr, max) {
                Ok(v) => Some(v),
                Err(Errno::ENAMETOOLONG) => {
                    let mut v = vec![0u8; max];
                    let n = self.0.copy_in_partial(addr, &mut v);
                    v.truncate(n);
                    Some(v)
                }
                Err(_) => None,
            }
        }
    }

    pub fn traced(task: &mut Task, args: &SyscallArgs) -> Outcome {
        let mm = task.mm.clone();
        let call = abi::strace::format_call(args.nr, &args.raw, &Reader(&mm));
        let tid = task.tid;
        let out = run(task, args);
        match out {
            Outcome::Return(v) => {
                #[allow(clippy::cast_possible_wrap)]
                let ret = abi::strace::format_return(args.nr, &args.raw, v as i64, &Reader(&mm));
                eprintln!("[{tid:>4}] {call} = {ret}");
            }
            Outcome::Stop(_) => eprintln!("[{tid:>4}] {call} = ?"),
        }
        out
    }
}
