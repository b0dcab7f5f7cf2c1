//! The side-by-side suite: which benchmarks, in which sandboxes, and the
//! measuring of them all into a [`Report`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use crate::floor;
use crate::machine::{self, Machine};
use crate::progs;
use crate::report::{Column, ColumnKind, Floor, Report, Row, Unit};
use crate::run::{measure_startup, LoopBench, Outcome, Plan, Sandbox, Stats};
use crate::sandboxes::{self, NoGvisor};

/// One benchmark of the suite.
#[derive(Debug, Clone, Copy)]
pub struct Bench {
    /// The name the program reports (and the report uses).
    pub name: &'static str,
    /// The program in `benches/progs/`.
    pub prog: &'static str,
    /// Arguments after the iteration count.
    pub args: &'static [&'static str],
    /// One line for the report.
    pub what: &'static str,
    pub unit: Unit,
    /// Compared with the PTRACE_SYSEMU floor.
    pub vs_floor: bool,
}

pub const SUITE: &[Bench] = &[
    Bench {
        name: "getppid",
        prog: "getppid",
        args: &[],
        what: "raw `syscall(SYS_getppid)`: one trapping round trip, almost nothing served",
        unit: Unit::NsPerOp,
        vs_floor: true,
    },
    Bench {
        name: "clock_gettime",
        prog: "clock_gettime",
        args: &["syscall"],
        what: "raw `syscall(SYS_clock_gettime, CLOCK_MONOTONIC)`: a round trip and a 16-byte copy-out",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "clock_gettime_vdso",
        prog: "clock_gettime",
        args: &["vdso"],
        what: "glibc `clock_gettime(CLOCK_MONOTONIC)`: the vDSO if the sandbox maps a working one, else the syscall",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "mmap_touch",
        prog: "mmap_touch",
        args: &[],
        what: "mmap 64 KiB anonymous, write each of its 16 pages, munmap",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "brk_churn",
        prog: "brk_churn",
        args: &[],
        what: "raw brk +64 KiB, write each of its 16 pages, brk -64 KiB",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "fork_exit_wait",
        prog: "fork_exit_wait",
        args: &[],
        what: "fork; the child `_exit`s; the parent `waitpid`s",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "fork_exec_wait",
        prog: "fork_exec_wait",
        args: &[],
        what: "fork; the child execs this static program, which exits; the parent waits",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "thread_create_join",
        prog: "thread_create_join",
        args: &[],
        what: "`pthread_create` of a thread that returns at once, `pthread_join`",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "pipe_pingpong",
        prog: "pipe_pingpong",
        args: &[],
        what: "one byte there and back between two processes over two pipes",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "futex_pingpong",
        prog: "futex_pingpong",
        args: &[],
        what: "a token there and back between two threads through one futex word",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "signal_roundtrip",
        prog: "signal_roundtrip",
        args: &[],
        what: "`kill(getpid(), SIGUSR1)` to a handler: send, frame, handler, `rt_sigreturn`",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "open_read_close",
        prog: "open_read_close",
        args: &[],
        what: "open `/etc/ld.so.cache` (a host file: through the gofer in the sandboxes), read 4 KiB, close",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "stat_deep",
        prog: "stat_deep",
        args: &[],
        what: "stat of `/usr/lib/x86_64-linux-gnu/libc.so.6`, a path four components deep",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "getdents_1000",
        prog: "getdents_1000",
        args: &[],
        what: "open a directory of 1,000 files under /tmp, getdents64 to its end, close",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "seq_write_64m",
        prog: "seq_rw_64m",
        args: &["write"],
        what: "truncate, then write a 64 MiB file under /tmp in 64 KiB writes",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "seq_read_64m",
        prog: "seq_rw_64m",
        args: &["read"],
        what: "read a 64 MiB file under /tmp in 64 KiB reads",
        unit: Unit::NsPerOp,
        vs_floor: false,
    },
    Bench {
        name: "startup",
        prog: "true",
        args: &[],
        what: "`int main(){return 0;}`: wall-clock of the whole command, spawn to reap",
        unit: Unit::UsPerRun,
        vs_floor: false,
    },
    Bench {
        name: "python3_startup",
        prog: "/usr/bin/python3",
        args: &["-c", "pass"],
        what: "`python3 -c pass` (dynamic, ~1,000 file operations): wall-clock, spawn to reap",
        unit: Unit::UsPerRun,
        vs_floor: false,
    },
];

/// What the runner was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub workspace: PathBuf,
    pub plan: Plan,
    /// `--runsc`.
    pub ours: Option<PathBuf>,
    /// Our platforms to run on, each a column.
    pub ours_platforms: Vec<String>,
    /// `--gvisor`.
    pub gvisor: Option<PathBuf>,
    /// The command line, as the report quotes it.
    pub command: String,
}

/// Builds the programs, measures everything, returns the report.
pub fn run(opts: &Options) -> Result<Report> {
    eprintln!("side-by-side: building benches/progs into target/bench-progs");
    let progs = progs::build_all(&opts.workspace)?;
    let machine = Machine::probe();
    let date = machine::now_utc();

    eprintln!("side-by-side: PTRACE_SYSEMU floor");
    let floor = measure_floors(&opts.plan)?;

    let columns = columns(opts, &progs.path("true"), &floor::allowed_cpus()?);
    let mut rows = Vec::new();
    for bench in SUITE {
        // A program of benches/progs, or an installed one by its path.
        let prog = if bench.prog.starts_with('/') {
            PathBuf::from(bench.prog)
        } else {
            progs.path(bench.prog)
        };
        let args: Vec<String> = bench.args.iter().map(|s| (*s).to_owned()).collect();
        let outcomes = columns
            .iter()
            .map(|column| {
                let outcome = match &column.sandbox {
                    Err(why) => Outcome::Absent(why.clone()),
                    Ok(sandbox) => match bench.unit {
                        Unit::UsPerRun => measure_startup(&prog, &args, sandbox, &opts.plan),
                        Unit::NsPerOp => LoopBench {
                            name: bench.name,
                            prog: &prog,
                            args: &args,
                        }
                        .measure(sandbox, &opts.plan),
                    },
                };
                eprintln!(
                    "side-by-side: {} / {}: {}",
                    bench.name,
                    column.label,
                    progress(&outcome, bench.unit)
                );
                outcome
            })
            .collect();
        rows.push(Row {
            bench: *bench,
            example: columns
                .iter()
                .find_map(|c| c.sandbox.as_ref().ok())
                .map(|s| {
                    let mut example_args = vec!["N".to_owned()];
                    example_args.extend(args.iter().cloned());
                    s.command_line(
                        &prog,
                        if bench.unit == Unit::UsPerRun {
                            &args
                        } else {
                            &example_args
                        },
                    )
                })
                .unwrap_or_default(),
            outcomes,
        });
    }
    Ok(Report {
        date,
        machine,
        revision: machine::workspace_revision(&opts.workspace),
        command: opts.command.clone(),
        plan: opts.plan,
        floor,
        columns,
        rows,
    })
}

/// The columns: native, ours per platform, gVisor, and gVisor pinned to
/// `pin_cpus[0]` when there is more than one CPU.
fn columns(opts: &Options, true_prog: &Path, pin_cpus: &[usize]) -> Vec<Column> {
    let mut columns = vec![Column {
        label: "native".to_owned(),
        kind: ColumnKind::Native,
        about: "directly on the host".to_owned(),
        sandbox: Ok(Sandbox::Native),
    }];
    let ours = sandboxes::find_ours(&opts.workspace, opts.ours.clone());
    for platform in &opts.ours_platforms {
        let label = if opts.ours_platforms.len() == 1 {
            "ours".to_owned()
        } else {
            format!("ours-{platform}")
        };
        let sandbox = ours.clone().map(|runsc| Sandbox::Ours {
            runsc,
            platform: platform.clone(),
        });
        let about = match &sandbox {
            Ok(s) => format!("`{}`", s.command_line(Path::new("PROG"), &[])),
            Err(why) => format!("absent: {why}"),
        };
        columns.push(Column {
            label,
            kind: ColumnKind::Ours,
            about,
            sandbox,
        });
    }
    let gvisor = sandboxes::find_gvisor(opts.gvisor.clone(), true_prog, opts.plan.timeout);
    let (sandbox, about) = match gvisor {
        Ok(g) => {
            let mut about = format!(
                "`{}` ({})",
                g.sandbox.command_line(Path::new("PROG"), &[]),
                g.version
            );
            for (flags, why) in &g.rejected {
                about.push_str(&format!("; with only `{flags}` it failed: {why}"));
            }
            (Ok(g.sandbox), about)
        }
        Err(NoGvisor::Absent(why)) => (Err(why.clone()), format!("absent: {why}")),
        Err(NoGvisor::Failed(why)) => (
            Err(format!("failed: {why}")),
            format!("`do true` failed: {why}"),
        ),
    };
    columns.push(Column {
        label: "gVisor".to_owned(),
        kind: ColumnKind::Gvisor,
        about,
        sandbox: sandbox.clone(),
    });
    // gVisor's ptrace platform leaves its stub and sentry threads to the
    // scheduler; ours pins them together. Confining all of gVisor to one CPU
    // gives the like-for-like figure (on a single-CPU host it is the same).
    if let (true, Some(&cpu)) = (pin_cpus.len() > 1, pin_cpus.first()) {
        let pinned = sandbox.map(|s| match s {
            Sandbox::Gvisor { runsc, flags, .. } => Sandbox::Gvisor {
                runsc,
                flags,
                pin: Some(cpu),
            },
            other => other,
        });
        let about = match &pinned {
            Ok(s) => format!(
                "`{}`: as above, the whole sandbox confined to one CPU (spawned from a thread with \
                 that affinity), the placement ours gives its serving thread and stub",
                s.command_line(Path::new("PROG"), &[])
            ),
            Err(why) => format!("absent: {why}"),
        };
        columns.push(Column {
            label: "gVisor-1cpu".to_owned(),
            kind: ColumnKind::Gvisor,
            about,
            sandbox: pinned,
        });
    }
    columns
}

fn progress(outcome: &Outcome, unit: Unit) -> String {
    match outcome {
        Outcome::Measured(s) => format!(
            "{} (N={}, {} runs)",
            unit.format(s.median),
            s.iterations,
            s.runs
        ),
        Outcome::Failed(why) => format!("failed: {why}"),
        Outcome::Absent(why) => format!("absent: {why}"),
    }
}

fn measure_floors(plan: &Plan) -> Result<Vec<Floor>> {
    let cpus = floor::allowed_cpus()?;
    let first = *cpus
        .first()
        .ok_or_else(|| anyhow::anyhow!("no CPU in our affinity mask"))?;
    let mut floors = vec![Floor {
        tracer_cpu: first,
        tracee_cpu: Some(first),
        outcome: measure_floor(first, first, plan),
    }];
    floors.push(match cpus.get(1) {
        Some(&second) => Floor {
            tracer_cpu: first,
            tracee_cpu: Some(second),
            outcome: measure_floor(first, second, plan),
        },
        None => Floor {
            tracer_cpu: first,
            tracee_cpu: None,
            outcome: Outcome::Absent("only one CPU available".to_owned()),
        },
    });
    for f in &floors {
        eprintln!(
            "side-by-side: floor {}: {}",
            f.placement(),
            progress(&f.outcome, Unit::NsPerOp)
        );
    }
    Ok(floors)
}

/// Calibrates like a loop benchmark (see `run`), then takes `plan.reps`
/// measurements.
fn measure_floor(tracer_cpu: usize, tracee_cpu: usize, plan: &Plan) -> Outcome {
    let once = |n: u64| floor::measure(tracer_cpu, tracee_cpu, n).map_err(|e| format!("{e:#}"));
    let result = (|| {
        let mut n = 1_000;
        let probe = loop {
            let elapsed = once(n)?;
            if elapsed >= plan.calibrate || n >= 100_000_000 {
                break elapsed;
            }
            n *= 10;
        };
        let scaled = plan.target.as_nanos() * u128::from(n) / probe.as_nanos().max(1);
        let n = u64::try_from(scaled)
            .unwrap_or(u64::MAX)
            .clamp(1_000, 100_000_000);
        let samples = (0..plan.reps)
            .map(|_| once(n).map(|d| per_op(d, n)))
            .collect::<Result<Vec<_>, String>>()?;
        Stats::of(n, &samples).ok_or_else(|| "no runs".to_owned())
    })();
    match result {
        Ok(stats) => Outcome::Measured(stats),
        Err(why) => Outcome::Failed(why),
    }
}

fn per_op(d: Duration, n: u64) -> f64 {
    d.as_nanos() as f64 / n.max(1) as f64
}
