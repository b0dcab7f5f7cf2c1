//! `side-by-side [--quick] [--runsc PATH] [--gvisor PATH] [--platform P]...
//! [--no-write]`: the benchmark programs natively, under our runsc and under
//! gVisor's; prints the report and rewrites `<workspace>/BENCHMARKS.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use benches::run::Plan;
use benches::suite::{self, Options};

const USAGE: &str =
    "usage: side-by-side [--quick] [--runsc PATH] [--gvisor PATH] [--platform P]... [--no-write]

  --quick        shorter runs and fewer repetitions
  --runsc PATH   our runsc (default: <workspace>/target/release/runsc, built if missing)
  --gvisor PATH  gVisor's runsc (default: /usr/bin/runsc; absent is reported, not fatal)
  --platform P   our platform to run on, repeatable (default: ptrace and seccomp)
  --no-write     print the report only, leave BENCHMARKS.md alone";

const FULL: Plan = Plan {
    calibrate: Duration::from_millis(50),
    target: Duration::from_millis(400),
    reps: 5,
    startup_reps: 20,
    timeout: Duration::from_secs(120),
};

const QUICK: Plan = Plan {
    calibrate: Duration::from_millis(20),
    target: Duration::from_millis(100),
    reps: 3,
    startup_reps: 5,
    timeout: Duration::from_secs(60),
};

#[derive(Debug)]
struct Args {
    quick: bool,
    runsc: Option<PathBuf>,
    gvisor: Option<PathBuf>,
    platforms: Vec<String>,
    write: bool,
}

fn parse_args(args: &[String]) -> Result<Option<Args>> {
    let mut parsed = Args {
        quick: false,
        runsc: None,
        gvisor: None,
        platforms: Vec::new(),
        write: true,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "--quick" => parsed.quick = true,
            "--runsc" => parsed.runsc = Some(value("--runsc")?.into()),
            "--gvisor" => parsed.gvisor = Some(value("--gvisor")?.into()),
            "--platform" => parsed.platforms.push(value("--platform")?),
            "--no-write" => parsed.write = false,
            "-h" | "--help" => return Ok(None),
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if parsed.platforms.is_empty() {
        parsed.platforms.push("ptrace".to_owned());
        parsed.platforms.push("seccomp".to_owned());
    }
    Ok(Some(parsed))
}

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("side-by-side: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(args) = parse_args(&argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("benches/ has a parent")?
        .to_path_buf();
    let mut command = "cargo run --release -p benches --bin side-by-side".to_owned();
    if !argv.is_empty() {
        command.push_str(" -- ");
        command.push_str(&argv.join(" "));
    }
    let opts = Options {
        workspace: workspace.clone(),
        plan: if args.quick { QUICK } else { FULL },
        ours: args.runsc,
        ours_platforms: args.platforms,
        gvisor: args.gvisor,
        command,
    };
    let markdown = suite::run(&opts)?.to_markdown();
    println!("{markdown}");
    if args.write {
        let path = workspace.join("BENCHMARKS.md");
        std::fs::write(&path, &markdown).with_context(|| format!("write {}", path.display()))?;
        eprintln!("side-by-side: wrote {}", path.display());
    }
    Ok(())
}
