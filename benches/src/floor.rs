//! The PTRACE_SYSEMU floor: the cheapest possible ptrace round trip.
//!
//! A forked child loops on raw getppid under PTRACE_SYSEMU; per stop the
//! parent does what any ptrace sentry must at least do: waitpid,
//! PTRACE_GETREGS, set `rax`, PTRACE_SETREGS, PTRACE_SYSEMU. No dispatch, no
//! memory manager, no signals. Our sandbox's getppid is compared to this
//! (the target: within 2x). Measured with tracer and tracee on one CPU (as
//! our ptrace platform pins them) and, for the record, on two.

#[allow(unsafe_code)]
mod raw;

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::sys::ptrace;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

/// The CPUs the runner's main thread may use, in order.
pub fn allowed_cpus() -> Result<Vec<usize>> {
    let set = sched_getaffinity(Pid::from_raw(0)).context("sched_getaffinity")?;
    Ok((0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .collect())
}

/// Times `iterations` round trips with the tracer pinned to `tracer_cpu` and
/// the tracee to `tracee_cpu`; returns the total.
///
/// Runs on a thread of its own: the pinning stays off the caller, and the
/// tracer of a child that did PTRACE_TRACEME is the thread that forked it.
pub fn measure(tracer_cpu: usize, tracee_cpu: usize, iterations: u64) -> Result<Duration> {
    thread::spawn(move || measure_on_this_thread(tracer_cpu, tracee_cpu, iterations))
        .join()
        .map_err(|_| anyhow::anyhow!("floor thread panicked"))?
}

fn measure_on_this_thread(
    tracer_cpu: usize,
    tracee_cpu: usize,
    iterations: u64,
) -> Result<Duration> {
    sched_setaffinity(Pid::from_raw(0), &cpu_set(tracer_cpu)?)
        .with_context(|| format!("pin tracer to cpu {tracer_cpu}"))?;
    let child = raw::fork_tracee(&cpu_set(tracee_cpu)?, iterations).context("fork tracee")?;
    let tracee = Tracee(child);
    match waitpid(child, None).context("wait for tracee's SIGSTOP")? {
        WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
        WaitStatus::Exited(_, code) => bail!(
            "tracee exited with {code} before stopping ({})",
            setup_step(code)
        ),
        other => bail!("tracee: unexpected first stop {other:?}"),
    }
    // EXITKILL: the tracee dies with us. TRACESYSGOOD: syscall stops are
    // told apart from signal stops.
    ptrace::setoptions(
        child,
        ptrace::Options::PTRACE_O_EXITKILL | ptrace::Options::PTRACE_O_TRACESYSGOOD,
    )
    .context("PTRACE_SETOPTIONS")?;

    let getppid = u64::try_from(libc::SYS_getppid).expect("syscall numbers are positive");
    let fake_ppid = 1;
    let mut served = 0;
    let start = Instant::now();
    ptrace::sysemu(child, None).context("PTRACE_SYSEMU")?;
    while served < iterations {
        match waitpid(child, None).context("waitpid")? {
            WaitStatus::PtraceSyscall(_) => {}
            other => bail!("tracee: unexpected stop {other:?} after {served} syscalls"),
        }
        let mut regs = ptrace::getregs(child).context("PTRACE_GETREGS")?;
        if regs.orig_rax != getppid {
            bail!(
                "tracee: syscall {} where getppid was expected",
                regs.orig_rax
            );
        }
        regs.rax = fake_ppid;
        ptrace::setregs(child, regs).context("PTRACE_SETREGS")?;
        served += 1;
        if served < iterations {
            ptrace::sysemu(child, None).context("PTRACE_SYSEMU")?;
        }
    }
    let elapsed = start.elapsed();
    drop(tracee);
    Ok(elapsed)
}

fn cpu_set(cpu: usize) -> Result<CpuSet> {
    let mut set = CpuSet::new();
    set.set(cpu)
        .with_context(|| format!("cpu {cpu} out of CpuSet range"))?;
    Ok(set)
}

fn setup_step(code: i32) -> &'static str {
    match code {
        raw::EXIT_AFFINITY => "sched_setaffinity failed",
        raw::EXIT_TRACEME => "PTRACE_TRACEME failed",
        raw::EXIT_STOP => "SIGSTOP failed",
        _ => "unknown",
    }
}

/// Kills and reaps the tracee however the measurement ends.
#[derive(Debug)]
struct Tracee(Pid);

impl Drop for Tracee {
    fn drop(&mut self) {
        // ESRCH (already gone) is fine; it is reaped below either way.
        let _ = kill(self.0, Signal::SIGKILL);
        while let Ok(status) = waitpid(self.0, None) {
            if matches!(status, WaitStatus::Exited(..) | WaitStatus::Signaled(..)) {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_cpu_round_trips_are_measured() {
        let cpus = allowed_cpus().expect("affinity");
        let elapsed = measure(cpus[0], cpus[0], 100).expect("floor measurement");
        assert!(elapsed > Duration::ZERO);
    }
}
