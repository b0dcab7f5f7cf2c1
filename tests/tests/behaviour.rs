//! Behaviour tests: every C program in tests/progs/ runs natively, then
//! under `runsc --platform=<p> do` on each platform; stdout and the exit
//! status must match (death by signal N natively is `runsc` exiting with
//! 128+N). The native run must pass first: that proves the expectations are
//! Linux's. A program declares an expectation other than exit 0 in a
//! comment line, `/* expect: exit 42 */` or `/* expect: signal 11 */`.
//!
//! Trials are named `<prog>::<platform>`, so under nextest
//! `-E 'test(/::ptrace$/)'` picks one platform and `test(/^mmap_/)` one
//! family.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};
use libtest_mimic::{Arguments, Failed, Trial};
use tests::{build_c, expectation, runsc, skip, static_gcc_missing, strict, workspace};

const PLATFORMS: &[&str] = &["ptrace", "seccomp"];
const LIMIT: Duration = Duration::from_secs(60);

fn behaviour(src: &Path, platform: &str) -> anyhow::Result<()> {
    if let Some(why) = static_gcc_missing() {
        return skip(why);
    }
    let text = std::fs::read_to_string(src).with_context(|| format!("read {}", src.display()))?;
    let want = expectation(&text).with_context(|| src.display().to_string())?;
    // Every shared header of the programs (check.h, futex_util.h) is a
    // dependency: a change to one rebuilds them.
    let dir = src.parent().expect("a program lives in a directory");
    let headers: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "h"))
        .collect();
    let prog = build_c(src, "behaviour-progs", &headers)?;

    let native = tests::run(
        Command::new(&prog).env("SANDBOX_TEST_PLATFORM", "native"),
        LIMIT,
    )
    .context("native run")?;
    let failed_check = String::from_utf8_lossy(&native.stdout)
        .lines()
        .any(|l| l.starts_with("FAIL"));
    if native.status != want || failed_check {
        bail!(
            "the native run must pass first (want {want}, no FAIL lines): the program's \
             expectations are not Linux's\n{}",
            native.show()
        );
    }

    let bin = runsc()?;
    let sandboxed = tests::run(
        Command::new(&bin)
            .arg(format!("--platform={platform}"))
            .arg("do")
            .arg(&prog)
            .env("SANDBOX_TEST_PLATFORM", platform),
        LIMIT,
    )
    .with_context(|| format!("run under {} --platform={platform}", bin.display()))?;
    tests::compare(
        &native,
        native.status.as_reported_by_runsc(),
        &sandboxed,
        &format!("runsc --platform={platform}"),
    )
}

fn programs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let p = e?.path();
        if p.extension().is_some_and(|e| e == "c") {
            v.push(p);
        }
    }
    v.sort();
    Ok(v)
}

fn main() -> anyhow::Result<()> {
    let args = Arguments::from_args();
    let dir = workspace().join("tests/progs");
    // Without gcc the trials are ignored (nextest reports them skipped),
    // unless SANDBOX_TESTS_STRICT=1 makes them run and fail.
    let missing = static_gcc_missing().filter(|_| !strict());
    if let (Some(why), false) = (missing, args.list) {
        eprintln!("SKIP: behaviour programs: {why}");
    }
    let mut trials = Vec::new();
    for src in programs(&dir)? {
        let name = src
            .file_stem()
            .context("program name")?
            .to_string_lossy()
            .into_owned();
        for &platform in PLATFORMS {
            let src = src.clone();
            let trial = Trial::test(format!("{name}::{platform}"), move || {
                behaviour(&src, platform).map_err(|e| Failed::from(format!("{e:#}")))
            });
            trials.push(trial.with_ignored_flag(missing.is_some()));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
