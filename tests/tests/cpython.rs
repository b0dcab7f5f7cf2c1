//! CPython's own regression tests (Debian's `libpython3.11-testsuite`):
//! each module runs natively first, then as `runsc do /usr/bin/python3 -m
//! test -j1 MODULE`; both must pass. Modules the sandbox cannot pass yet
//! are listed in docs/compatibility.md with the reason.

#![allow(clippy::tests_outside_test_module)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};
use libtest_mimic::{Arguments, Failed, Trial};
use tests::{runsc, skip, Status};

const LIMIT: Duration = Duration::from_secs(600);
const PYTHON: &str = "/usr/bin/python3";
const SUITE: &str = "/usr/lib/python3.11/test/regrtest.py";

/// The modules that pass in the sandbox.
const MODULES: &[&str] = &[
    "test_fcntl",
    "test_fileio",
    "test_glob",
    "test_httpservers",
    "test_os",
    "test_pathlib",
    "test_posix",
    "test_pty",
    "test_select",
    "test_selectors",
    "test_shutil",
    "test_stat",
    "test_tempfile",
    "test_time",
    "test_urllib2_localnet",
];

fn module(name: &str) -> anyhow::Result<()> {
    if !Path::new(PYTHON).exists() || !Path::new(SUITE).exists() {
        return skip("python3 and its test suite (libpython3.11-testsuite) are not installed");
    }
    let scratch = tempfile::tempdir().context("scratch directory")?;
    let native = tests::run(
        Command::new(PYTHON)
            .args(["-m", "test", "-j1", name])
            .current_dir(scratch.path()),
        LIMIT,
    )
    .context("native run")?;
    if native.status != Status::Exited(0) {
        bail!("the native run must pass first\n{}", native.show());
    }
    let bin = runsc()?;
    let sandboxed = tests::run(
        Command::new(&bin).args(["do", "--cwd=/tmp", PYTHON, "-m", "test", "-j1", name]),
        LIMIT,
    )
    .with_context(|| format!("run under {}", bin.display()))?;
    if sandboxed.status != Status::Exited(0) {
        bail!("{name} fails under runsc\n{}", sandboxed.show());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let trials = MODULES
        .iter()
        .map(|&name| {
            Trial::test(name, move || {
                module(name).map_err(|e| Failed::from(format!("{e:#}")))
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
