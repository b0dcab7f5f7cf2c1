//! Running one command with a timeout, and turning runs into figures.
//!
//! A loop benchmark is calibrated (iterations grown tenfold until a run
//! takes long enough to time), then run `reps` times at a count sized to the
//! target duration; the figure is the median ns per iteration, as the
//! program itself measured it (its start-up is excluded). Start-up is the
//! wall-clock time of the whole command, spawn to reap.

use std::fs::File;
use std::io::Read as _;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use nix::fcntl::OFlag;
use nix::sched::{sched_setaffinity, CpuSet};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::{pipe2, Pid};

/// Where a benchmark program runs.
#[derive(Debug, Clone)]
pub enum Sandbox {
    /// Directly on the host.
    Native,
    /// `<runsc> --platform=<platform> do PROG ARGS`, our sandbox.
    Ours { runsc: PathBuf, platform: String },
    /// `<runsc> <flags> do PROG ARGS`, gVisor; with `pin`, the whole
    /// sandbox is confined to that CPU (as `taskset -c` would), the
    /// placement ours gives its serving thread and stub.
    Gvisor {
        runsc: PathBuf,
        flags: Vec<String>,
        pin: Option<usize>,
    },
}

impl Sandbox {
    /// The command that runs `prog args` in this sandbox.
    pub fn command(&self, prog: &Path, args: &[String]) -> Command {
        let mut cmd = match self {
            Sandbox::Native => Command::new(prog),
            Sandbox::Ours { runsc, platform } => {
                let mut cmd = Command::new(runsc);
                cmd.arg(format!("--platform={platform}"))
                    .arg("do")
                    .arg(prog);
                cmd
            }
            Sandbox::Gvisor { runsc, flags, .. } => {
                let mut cmd = Command::new(runsc);
                cmd.args(flags).arg("do").arg(prog);
                cmd
            }
        };
        cmd.args(args);
        cmd
    }

    /// The CPU the command is confined to, if any.
    pub fn pin(&self) -> Option<usize> {
        match self {
            Sandbox::Gvisor { pin, .. } => *pin,
            _ => None,
        }
    }

    /// The command as one shell line, for the report (pinning shown as the
    /// equivalent `taskset`).
    pub fn command_line(&self, prog: &Path, args: &[String]) -> String {
        let cmd = self.command(prog, args);
        let line = std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .map(|s| s.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        match self.pin() {
            Some(cpu) => format!("taskset -c {cpu} {line}"),
            None => line,
        }
    }
}

/// What one command did.
#[derive(Debug)]
pub struct RunOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Spawn to reap.
    pub wall: Duration,
    pub timed_out: bool,
}

impl RunOutput {
    /// Why this run does not count, or `None` if it succeeded.
    pub fn failure(&self) -> Option<String> {
        if self.timed_out {
            return Some(format!("timed out after {:.0?}", self.wall));
        }
        if self.status.success() {
            return None;
        }
        let status = match (self.status.code(), self.status.signal()) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            (None, None) => format!("{}", self.status),
        };
        Some(match first_line(&self.stderr) {
            Some(line) => format!("{line} ({status})"),
            None => status,
        })
    }
}

/// The first non-blank line of `text`, trimmed.
pub fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

/// Runs `cmd` (stdin closed, stdout and stderr captured) in a process group
/// of its own, confined to CPU `pin` if given; after `timeout` the group is
/// killed.
///
/// The pipe readers and the watchdog start before the clock, so the wall time
/// holds only spawn and wait.
pub fn run(mut cmd: Command, pin: Option<usize>, timeout: Duration) -> Result<RunOutput> {
    // CLOEXEC: another thread's child must not hold our write ends open.
    let (out_r, out_w) = pipe2(OFlag::O_CLOEXEC).context("pipe2")?;
    let (err_r, err_w) = pipe2(OFlag::O_CLOEXEC).context("pipe2")?;
    let out_reader = thread::spawn(move || read_all(File::from(out_r)));
    let err_reader = thread::spawn(move || read_all(File::from(err_r)));
    let (pid_tx, pid_rx) = mpsc::channel::<u32>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        let Ok(pid) = pid_rx.recv() else { return false };
        match done_rx.recv_timeout(timeout) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let pgid = Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX));
                // Gone already is fine: the wait below returns either way.
                let _ = killpg(pgid, Signal::SIGKILL);
                true
            }
            _ => false,
        }
    });

    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out_w))
        .stderr(Stdio::from(err_w))
        .process_group(0);
    let program = cmd.get_program().to_string_lossy().into_owned();
    let start = Instant::now();
    // Our copies of the write ends go with `cmd`, so the readers see EOF.
    let spawned = match pin {
        None => {
            let spawned = cmd.spawn();
            drop(cmd);
            spawned
        }
        Some(cpu) => spawn_pinned(cmd, cpu),
    };
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            drop(pid_tx);
            let _ = watchdog.join();
            return Err(e).with_context(|| format!("spawn {program}"));
        }
    };
    let _ = pid_tx.send(child.id());
    let status = child.wait().with_context(|| format!("wait for {program}"));
    let wall = start.elapsed();
    let _ = done_tx.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(RunOutput {
        status: status?,
        stdout,
        stderr,
        wall,
        timed_out,
    })
}

/// Spawns `cmd` from a thread confined to `cpu`: the child inherits the
/// thread's affinity, the caller's own stays as it was.
fn spawn_pinned(mut cmd: Command, cpu: usize) -> std::io::Result<Child> {
    thread::spawn(move || {
        let mut set = CpuSet::new();
        set.set(cpu).map_err(std::io::Error::from)?;
        sched_setaffinity(Pid::from_raw(0), &set).map_err(std::io::Error::from)?;
        cmd.spawn()
    })
    .join()
    .unwrap_or_else(|_| Err(std::io::Error::other("spawning thread panicked")))
}

fn read_all(mut f: File) -> String {
    let mut buf = Vec::new();
    // A read error ends the capture; what arrived is kept.
    let _ = f.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The line `<name> <iterations> <total_ns>` a benchmark program prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub iterations: u64,
    pub total_ns: u64,
}

impl Sample {
    pub fn ns_per_op(&self) -> f64 {
        // Both fit f64's 53-bit mantissa for any run that ends this century.
        self.total_ns as f64 / self.iterations.max(1) as f64
    }
}

/// Finds `name`'s result line in a program's stdout.
pub fn parse_sample(stdout: &str, name: &str) -> Option<Sample> {
    stdout.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next()? != name {
            return None;
        }
        let iterations = words.next()?.parse().ok()?;
        let total_ns = words.next()?.parse().ok()?;
        words.next().is_none().then_some(Sample {
            iterations,
            total_ns,
        })
    })
}

/// How long and how often to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Calibration stops growing the count once a run takes this long.
    pub calibrate: Duration,
    /// Each measured run aims at this loop time.
    pub target: Duration,
    /// Measured runs per loop benchmark.
    pub reps: usize,
    /// Runs of the start-up benchmark (after one warm-up).
    pub startup_reps: usize,
    /// Per-run limit.
    pub timeout: Duration,
}

/// A benchmark's figures in one sandbox, or why there are none.
#[derive(Debug, Clone)]
pub enum Outcome {
    Measured(Stats),
    Failed(String),
    Absent(String),
}

impl Outcome {
    pub fn median(&self) -> Option<f64> {
        match self {
            Outcome::Measured(s) => Some(s.median),
            _ => None,
        }
    }
}

/// Per-operation nanoseconds over the measured runs.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Iterations per run (1 for start-up).
    pub iterations: u64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

impl Stats {
    /// `None` for no samples.
    pub fn of(iterations: u64, samples: &[f64]) -> Option<Stats> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        // Odd counts pick the middle twice; even counts average the pair.
        let median = (sorted[(sorted.len() - 1) / 2] + sorted[sorted.len() / 2]) / 2.0;
        Some(Stats {
            iterations,
            median,
            min,
            max,
            runs: sorted.len(),
        })
    }
}

/// A loop benchmark: `prog ITERATIONS args...`, reporting as `name`.
#[derive(Debug, Clone)]
pub struct LoopBench<'a> {
    pub name: &'a str,
    pub prog: &'a Path,
    pub args: &'a [String],
}

impl LoopBench<'_> {
    fn run_with(
        &self,
        sandbox: &Sandbox,
        iterations: u64,
        timeout: Duration,
    ) -> Result<Sample, String> {
        let mut args = vec![iterations.to_string()];
        args.extend(self.args.iter().cloned());
        let out = run(sandbox.command(self.prog, &args), sandbox.pin(), timeout)
            .map_err(|e| format!("{e:#}"))?;
        if let Some(why) = out.failure() {
            return Err(why);
        }
        parse_sample(&out.stdout, self.name).ok_or_else(|| {
            let said = first_line(&out.stdout)
                .or_else(|| first_line(&out.stderr))
                .unwrap_or("nothing");
            format!("no \"{}\" line in the output (it said: {said})", self.name)
        })
    }

    /// Calibrates, then measures: see the module comment.
    pub fn measure(&self, sandbox: &Sandbox, plan: &Plan) -> Outcome {
        match self.try_measure(sandbox, plan) {
            Ok(stats) => Outcome::Measured(stats),
            Err(why) => Outcome::Failed(why),
        }
    }

    fn try_measure(&self, sandbox: &Sandbox, plan: &Plan) -> Result<Stats, String> {
        const MAX_ITERATIONS: u64 = 1_000_000_000;
        let mut iterations = 100;
        let probe = loop {
            let sample = self.run_with(sandbox, iterations, plan.timeout)?;
            if u128::from(sample.total_ns) >= plan.calibrate.as_nanos()
                || iterations >= MAX_ITERATIONS
            {
                break sample;
            }
            iterations *= 10;
        };
        let scaled = plan.target.as_nanos() * u128::from(probe.iterations)
            / u128::from(probe.total_ns.max(1));
        let iterations = u64::try_from(scaled)
            .unwrap_or(MAX_ITERATIONS)
            .clamp(1, MAX_ITERATIONS);
        let mut samples = Vec::with_capacity(plan.reps);
        for rep in 1..=plan.reps {
            let sample = self
                .run_with(sandbox, iterations, plan.timeout)
                .map_err(|why| format!("run {rep} of {}: {why}", plan.reps))?;
            samples.push(sample.ns_per_op());
        }
        Stats::of(iterations, &samples).ok_or_else(|| "no runs".to_owned())
    }
}

/// Start-up: wall-clock ns of `prog` (exiting 0) in `sandbox`, after one
/// warm-up run.
pub fn measure_startup(prog: &Path, args: &[String], sandbox: &Sandbox, plan: &Plan) -> Outcome {
    let mut samples = Vec::with_capacity(plan.startup_reps);
    for rep in 0..=plan.startup_reps {
        let out = match run(sandbox.command(prog, args), sandbox.pin(), plan.timeout) {
            Ok(out) => out,
            Err(e) => return Outcome::Failed(format!("{e:#}")),
        };
        if let Some(why) = out.failure() {
            return Outcome::Failed(why);
        }
        if rep > 0 {
            samples.push(out.wall.as_nanos() as f64);
        }
    }
    match Stats::of(1, &samples) {
        Some(stats) => Outcome::Measured(stats),
        None => Outcome::Failed("no runs".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_sample_finds_the_named_line() {
        let out = "noise\ngetppid 1000 123456\n";
        assert_eq!(
            parse_sample(out, "getppid"),
            Some(Sample {
                iterations: 1000,
                total_ns: 123_456
            })
        );
    }

    #[test]
    fn parse_sample_rejects_other_names_and_extra_words() {
        assert_eq!(
            parse_sample("clock_gettime_vdso 1 2\n", "clock_gettime"),
            None
        );
        assert_eq!(parse_sample("getppid 1 2 3\n", "getppid"), None);
        assert_eq!(parse_sample("getppid x 2\n", "getppid"), None);
    }

    #[test]
    fn stats_of_even_count_averages_the_middle_pair() {
        let stats = Stats::of(10, &[4.0, 1.0, 3.0, 2.0]).expect("samples");
        assert_eq!(
            (stats.min, stats.median, stats.max, stats.runs),
            (1.0, 2.5, 4.0, 4)
        );
    }

    #[test]
    fn stats_of_nothing_is_none() {
        assert!(Stats::of(1, &[]).is_none());
    }

    #[test]
    fn run_reports_a_failing_command_with_its_first_stderr_line() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo '  '; echo 'bad thing' >&2; echo more >&2; exit 3",
        ]);
        let out = run(cmd, None, Duration::from_secs(10)).expect("spawn sh");
        assert_eq!(out.failure().as_deref(), Some("bad thing (exit status 3)"));
    }

    #[test]
    fn run_pinned_confines_the_child_to_one_cpu() {
        let mut cmd = Command::new("grep");
        cmd.args(["^Cpus_allowed_list:", "/proc/self/status"]);
        let cpu = crate::floor::allowed_cpus().expect("affinity")[0];
        let out = run(cmd, Some(cpu), Duration::from_secs(10)).expect("spawn grep");
        assert_eq!(
            out.stdout.split_whitespace().nth(1),
            Some(cpu.to_string().as_str())
        );
    }

    #[test]
    fn run_kills_a_command_that_overstays() {
        let mut cmd = Command::new("sleep");
        cmd.arg("10");
        let out = run(cmd, None, Duration::from_millis(100)).expect("spawn sleep");
        assert!(out.timed_out);
        assert!(out
            .failure()
            .is_some_and(|why| why.starts_with("timed out")));
    }
}
