//! Helpers shared by the integration tests: finding the workspace and the
//! `runsc` binary, building C programs once, running with a time limit, and
//! the rule for prerequisites that are missing (SKIP, or a failure under
//! `SANDBOX_TESTS_STRICT=1`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Cargo's target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace().join("target"), PathBuf::from)
}

/// Whether a missing prerequisite must fail the test (CI) instead of
/// skipping it.
pub fn strict() -> bool {
    std::env::var_os("SANDBOX_TESTS_STRICT").is_some_and(|v| v != "0")
}

/// A prerequisite is missing: in strict mode that is an error, otherwise
/// the test prints `SKIP: <why>` and passes.
pub fn skip(why: &str) -> anyhow::Result<()> {
    if strict() {
        bail!("prerequisite missing (SANDBOX_TESTS_STRICT=1): {why}");
    }
    println!("SKIP: {why}");
    Ok(())
}

/// The release `runsc`: `$RUNSC`, or built once with cargo (a no-op when
/// it is up to date).
pub fn runsc() -> anyhow::Result<PathBuf> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("RUNSC") {
            return Ok(PathBuf::from(p));
        }
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--quiet", "--bin", "runsc"])
            .current_dir(workspace())
            .status()
            .map_err(|e| format!("run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build --release --bin runsc: {status}"));
        }
        Ok(target_dir().join("release/runsc"))
    })
    .clone()
    .map_err(anyhow::Error::msg)
}

/// Whether gcc can build static programs here.
pub fn have_static_gcc() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        Command::new("gcc")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            && Path::new("/usr/lib/x86_64-linux-gnu/libc.a").exists()
    })
}

fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Builds `src` with `gcc -static` into `target/<dir>/<stem>` unless it is
/// up to date with it and `deps`. Concurrent test processes may race: each
/// compiles to its own temporary name and renames, so none sees half a file.
pub fn build_c(src: &Path, dir: &str, deps: &[PathBuf]) -> anyhow::Result<PathBuf> {
    let stem = src
        .file_stem()
        .context("program name")?
        .to_string_lossy()
        .into_owned();
    let out_dir = target_dir().join(dir);
    std::fs::create_dir_all(&out_dir)?;
    let out = out_dir.join(&stem);
    if let Some(built) = mtime(&out) {
        let newest = std::iter::once(src.to_path_buf())
            .chain(deps.iter().cloned())
            .filter_map(|p| mtime(&p))
            .max();
        if newest.is_some_and(|n| n <= built) {
            return Ok(out);
        }
    }
    let tmp = out_dir.join(format!(".{stem}.{}", std::process::id()));
    let include = src.parent().context("source directory")?;
    let o = Command::new("gcc")
        .args(["-static", "-O1", "-Wall", "-Werror", "-o"])
        .arg(&tmp)
        .arg("-I")
        .arg(include)
        .arg(src)
        .output()
        .context("run gcc")?;
    if !o.status.success() {
        bail!(
            "gcc {}: {}",
            src.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}

/// How a process ended, as a shell would see its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Exited(i32),
    Signaled(i32),
}

impl Status {
    /// The status `runsc` reports for a workload that ended like this.
    pub fn as_reported_by_runsc(self) -> Status {
        match self {
            Status::Signaled(n) => Status::Exited(128 + n),
            s => s,
        }
    }
}

/// What a finished command produced.
#[derive(Debug)]
pub struct Output {
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs `cmd` with stdin from /dev/null and pipes for stdout and stderr,
/// killing it after `limit`.
pub fn run(cmd: &mut Command, limit: Duration) -> anyhow::Result<Output> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("spawn {cmd:?}"))?;
    let mut out = child.stdout.take().context("stdout")?;
    let mut err = child.stderr.take().context("stderr")?;
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let status = match (status.code(), status.signal()) {
        (Some(c), _) => Status::Exited(c),
        (None, Some(s)) => Status::Signaled(s),
        _ => bail!("unknown wait status {status:?}"),
    };
    Ok(Output {
        status,
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
    })
}
