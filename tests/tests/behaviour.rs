//! Behaviour tests: every C program in tests/progs/ runs natively, then
//! under `runsc do` on each platform; stdout and the exit status must match.
//! The native run must pass first: that proves the expectations are Linux's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};
use libtest_mimic::{Arguments, Failed, Trial};
use tests::{build_c, have_static_gcc, runsc, skip, workspace, Output, Status};

const PLATFORMS: &[&str] = &["ptrace"];
const LIMIT: Duration = Duration::from_secs(60);

/// The exit status a program declares with `/* expect: exit N */` or
/// `/* expect: signal N */`; exit 0 by default.
fn expectation(src: &str) -> anyhow::Result<Status> {
    for line in src.lines() {
        if let Some(rest) = line.trim().strip_prefix("/* expect:") {
            let rest = rest.trim_end_matches("*/").trim();
            let (kind, n) = rest.split_once(' ').context("expect: KIND N")?;
            let n: i32 = n.trim().parse().context("expect: N")?;
            return match kind {
                "exit" => Ok(Status::Exited(n)),
                "signal" => Ok(Status::Signaled(n)),
                _ => bail!("unknown expectation {kind}"),
            };
        }
    }
    Ok(Status::Exited(0))
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn behaviour(src: &Path, platform: &str) -> anyhow::Result<()> {
    if !have_static_gcc() {
        return skip("gcc and the static C library (apt-get install gcc libc6-dev)");
    }
    let text = std::fs::read_to_string(src)?;
    let want = expectation(&text)?;
    let check_h = src.with_file_name("check.h");
    let prog = build_c(src, "behaviour-progs", &[check_h])?;

    let native = tests::run(&mut Command::new(&prog), LIMIT)?;
    if native.status != want {
        bail!(
            "the native run must pass first: want {want:?}\n{}",
            show(&native)
        );
    }
    let bin = runsc()?;
    let mut cmd = Command::new(bin);
    cmd.arg(format!("--platform={platform}"))
        .arg("do")
        .arg(&prog);
    let sandboxed = tests::run(&mut cmd, LIMIT)?;
    if sandboxed.stdout != native.stdout || sandboxed.status != native.status.as_reported_by_runsc()
    {
        bail!(
            "sandbox differs from Linux\n=== native ===\n{}\n=== runsc ({platform}) ===\n{}",
            show(&native),
            show(&sandboxed)
        );
    }
    Ok(())
}

fn programs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "c"));
    v.sort();
    v
}

fn main() {
    let args = Arguments::from_args();
    let dir = workspace().join("tests/progs");
    let mut trials = Vec::new();
    for src in programs(&dir) {
        let name = src
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for platform in PLATFORMS {
            let src = src.clone();
            trials.push(Trial::test(format!("{name}::{platform}"), move || {
                behaviour(&src, platform).map_err(|e| Failed::from(format!("{e:#}")))
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
