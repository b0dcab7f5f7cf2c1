//! Helpers shared by the integration tests: finding the workspace and the
//! `runsc` binary, building C programs once, running with a time limit, and
//! the rule for prerequisites that are missing (SKIP, or a failure under
//! `SANDBOX_TESTS_STRICT=1`). Tests only: nothing here runs in a sandbox.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` (a relative one is taken
/// from the workspace, where [`runsc`] runs cargo), else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace().join(dir),
        None => workspace().join("target"),
    }
}

/// A directory for files a sandboxed program must see: the target
/// directory, unless that is under `/tmp`, which `runsc do` replaces with
/// the sandbox's own tmpfs; then a directory under `/var/tmp` named after
/// it.
pub fn sandbox_visible_dir() -> PathBuf {
    let target = target_dir();
    if !target.starts_with("/tmp") {
        return target;
    }
    let name: String = target
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    PathBuf::from("/var/tmp/runsc-tests").join(name)
}

/// Whether a missing prerequisite must fail the test (CI) instead of
/// skipping it.
pub fn strict() -> bool {
    std::env::var_os("SANDBOX_TESTS_STRICT").is_some_and(|v| !v.is_empty() && v != "0")
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

/// For tests that need root: `true` when we are root; otherwise prints
/// `SKIP: <why>` and returns `false`, or fails under
/// `SANDBOX_TESTS_STRICT=1`.
pub fn require_root(why: &str) -> anyhow::Result<bool> {
    let status = std::fs::read_to_string("/proc/self/status").context("read /proc/self/status")?;
    // "Uid:\treal\teffective\tsaved\tfs"
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .context("no effective uid in /proc/self/status")?;
    if euid == "0" {
        return Ok(true);
    }
    skip(&format!("needs root: {why}"))?;
    Ok(false)
}

/// The release `runsc`: `$RUNSC`, or built once per process with
/// `cargo build --release --bin runsc` (a no-op when it is up to date).
pub fn runsc() -> anyhow::Result<PathBuf> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("RUNSC") {
            return Ok(PathBuf::from(p));
        }
        // Cargo's own output goes to our stderr, which the test runner
        // captures and shows with a failure.
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--quiet", "--bin", "runsc"])
            .current_dir(workspace())
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("run {}: {e}", env!("CARGO")))?;
        if !status.success() {
            return Err(format!(
                "cannot build runsc: `cargo build --release --bin runsc` in {}: {status} \
                 (set RUNSC to use a prebuilt one)",
                workspace().display()
            ));
        }
        Ok(target_dir().join("release/runsc"))
    })
    .clone()
    .map_err(anyhow::Error::msg)
}

/// Why gcc cannot build static programs here, or `None` if it can.
pub fn static_gcc_missing() -> Option<&'static str> {
    static WHY: OnceLock<Option<&'static str>> = OnceLock::new();
    *WHY.get_or_init(|| {
        // gcc prints the bare name back when it cannot find the file.
        let found = Command::new("gcc")
            .arg("-print-file-name=libc.a")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        match found {
            Err(_) => Some("gcc is not installed (apt-get install gcc libc6-dev)"),
            Ok(o) if !o.status.success() => Some("gcc does not run"),
            Ok(o) => {
                let path = String::from_utf8_lossy(&o.stdout).trim().to_string();
                if Path::new(&path).is_absolute() && Path::new(&path).exists() {
                    None
                } else {
                    Some("the static C library libc.a is missing (apt-get install libc6-dev)")
                }
            }
        }
    })
}

/// Whether gcc can build static programs here.
pub fn have_static_gcc() -> bool {
    static_gcc_missing().is_none()
}

fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Builds `src` with `gcc -static -O1 -Wall -Werror` into
/// `<target>/<dir>/<stem>` unless that is newer than `src` and `deps`.
/// Concurrent test processes (nextest runs each test in its own) may race:
/// each compiles to its own temporary name and links it into place unless a
/// fresh one is there already, so none runs half a file or sees the file it
/// runs replaced.
pub fn build_c(src: &Path, dir: &str, deps: &[PathBuf]) -> anyhow::Result<PathBuf> {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let stem = src
        .file_stem()
        .context("program name")?
        .to_string_lossy()
        .into_owned();
    let out_dir = sandbox_visible_dir().join(dir);
    std::fs::create_dir_all(&out_dir).with_context(|| format!("create {}", out_dir.display()))?;
    let out = out_dir.join(&stem);
    let newest = std::iter::once(src)
        .chain(deps.iter().map(PathBuf::as_path))
        .map(|p| mtime(p).with_context(|| format!("stat {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .max();
    let fresh = |out: &Path| mtime(out).is_some_and(|built| newest.is_some_and(|n| n <= built));
    if fresh(&out) {
        return Ok(out);
    }
    let tmp = out_dir.join(format!(
        ".{stem}.{}.{}",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    let include = src.parent().context("source directory")?;
    let o = Command::new("gcc")
        .args(["-static", "-O1", "-Wall", "-Werror", "-o"])
        .arg(&tmp)
        .arg("-I")
        .arg(include)
        .arg(src)
        .stdin(Stdio::null())
        .output()
        .context("run gcc")?;
    if !o.status.success() {
        let _ = std::fs::remove_file(&tmp);
        bail!(
            "gcc {}: {}\n{}",
            src.display(),
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Never replace a fresh binary another process put there meanwhile: it
    // may be running it, and its /proc/self/exe would read "(deleted)".
    // Only a stale one is replaced.
    let placed = std::fs::hard_link(&tmp, &out);
    if placed.is_ok() || fresh(&out) {
        let _ = std::fs::remove_file(&tmp);
        return Ok(out);
    }
    std::fs::rename(&tmp, &out)
        .with_context(|| format!("rename {} to {}", tmp.display(), out.display()))?;
    Ok(out)
}

/// How a process ended, as wait(2) reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Exited(i32),
    Signaled(i32),
}

impl Status {
    /// The status `runsc` reports for a workload that ended like this:
    /// death by signal N is exit code 128+N, as a shell reports it.
    pub fn as_reported_by_runsc(self) -> Status {
        match self {
            Status::Signaled(n) => Status::Exited(128 + n),
            s => s,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exited(c) => write!(f, "exit {c}"),
            Status::Signaled(s) => write!(f, "signal {s}"),
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

fn collect(mut from: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = from.read_to_end(&mut v);
        let _ = tx.send(v);
    });
    rx
}

/// Kills the process group that `child` leads, so that whatever it
/// started dies with it.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `cmd` in its own process group with stdin from /dev/null and pipes
/// for stdout and stderr. Past `limit` the group is killed and this fails;
/// it also fails if the process exits but its output pipes stay open that
/// long (something it started still holds them).
pub fn run(cmd: &mut Command, limit: Duration) -> anyhow::Result<Output> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .with_context(|| format!("spawn {cmd:?}"))?;
    let deadline = Instant::now() + limit;
    let out = collect(child.stdout.take().context("stdout")?);
    let err = collect(child.stderr.take().context("stderr")?);
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if Instant::now() > deadline {
            kill_group(&mut child);
            let partial = err.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
            bail!(
                "{cmd:?} did not finish within {limit:?}; killed it\n--- stderr ---\n{}",
                String::from_utf8_lossy(&partial)
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let status = match (status.code(), status.signal()) {
        (Some(c), _) => Status::Exited(c),
        (None, Some(s)) => Status::Signaled(s),
        _ => bail!("unknown wait status {status:?}"),
    };
    let mut wait_for = |rx: &mpsc::Receiver<Vec<u8>>, which: &str| {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1));
        rx.recv_timeout(left).map_err(|_| {
            kill_group(&mut child);
            anyhow::anyhow!(
                "{cmd:?} ended ({status}) but its {which} stayed open: \
                 a process it started outlived it"
            )
        })
    };
    let stdout = wait_for(&out, "stdout")?;
    let stderr = wait_for(&err, "stderr")?;
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

/// The exit status a program declares with `/* expect: exit N */` or
/// `/* expect: signal N */`; exit 0 by default.
pub fn expectation(src: &str) -> anyhow::Result<Status> {
    let mut found = None;
    for line in src.lines() {
        let Some(rest) = line.trim().strip_prefix("/* expect:") else {
            continue;
        };
        let rest = rest
            .trim()
            .strip_suffix("*/")
            .context("`/* expect: KIND N */` on one line")?
            .trim();
        let (kind, n) = rest
            .split_once(' ')
            .context("`/* expect: exit N */` or `/* expect: signal N */`")?;
        let n: i32 = n.trim().parse().context("expect: N is a number")?;
        let status = match kind {
            "exit" => Status::Exited(n),
            "signal" => Status::Signaled(n),
            _ => bail!("unknown expectation `{kind}`: exit or signal"),
        };
        if found.replace(status).is_some() {
            bail!("more than one `/* expect: */` line");
        }
    }
    Ok(found.unwrap_or(Status::Exited(0)))
}

impl Output {
    /// Status, stdout and stderr, for a failure report.
    pub fn show(&self) -> String {
        format!(
            "status: {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status,
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

/// Compares a sandboxed run with the native one: the status (`want`, as
/// runsc reports the native one) and stdout must match. `label` names the
/// sandbox in the report.
pub fn compare(
    native: &Output,
    want: Status,
    sandboxed: &Output,
    label: &str,
) -> anyhow::Result<()> {
    let mut differences = Vec::new();
    if sandboxed.status != want {
        differences.push(format!(
            "status {} want {want} (natively {})",
            sandboxed.status, native.status
        ));
    }
    if sandboxed.stdout != native.stdout {
        differences.push(first_difference(&native.stdout, &sandboxed.stdout));
    }
    if !differences.is_empty() {
        bail!(
            "{label} differs from Linux: {}\n\n=== native ===\n{}\n=== {label} ===\n{}",
            differences.join("; "),
            native.show(),
            sandboxed.show()
        );
    }
    Ok(())
}

/// Where two outputs part: the first differing line of each.
pub fn first_difference(native: &[u8], sandboxed: &[u8]) -> String {
    let (a, b) = (
        String::from_utf8_lossy(native),
        String::from_utf8_lossy(sandboxed),
    );
    let mut la = a.split_inclusive('\n');
    let mut lb = b.split_inclusive('\n');
    for line in 1.. {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => {}
            (None, None) => break,
            (x, y) => {
                return format!(
                    "stdout differs at line {line}:\n  native: {:?}\n  runsc:  {:?}",
                    x.unwrap_or("<end of output>"),
                    y.unwrap_or("<end of output>")
                )
            }
        }
    }
    "stdout is the same".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectation_defaults_to_exit_zero() {
        assert_eq!(
            expectation("int main(void) {}\n").unwrap(),
            Status::Exited(0)
        );
    }

    #[test]
    fn expectation_reads_exit_and_signal() {
        assert_eq!(
            expectation("/* x */\n/* expect: exit 42 */\n").unwrap(),
            Status::Exited(42)
        );
        assert_eq!(
            expectation("  /* expect: signal 11 */\n").unwrap(),
            Status::Signaled(11)
        );
    }

    #[test]
    fn expectation_rejects_nonsense_and_duplicates() {
        assert!(expectation("/* expect: crash 3 */").is_err());
        assert!(expectation("/* expect: exit x */").is_err());
        assert!(expectation("/* expect: exit 1 */\n/* expect: exit 2 */").is_err());
    }

    #[test]
    fn run_reports_exit_code_signal_and_output() {
        let o = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(o.status, Status::Exited(3));
        assert_eq!(
            (o.stdout.as_slice(), o.stderr.as_slice()),
            (&b"out\n"[..], &b"err\n"[..])
        );
        let o = run(
            Command::new("sh").args(["-c", "kill -SEGV $$"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(o.status, Status::Signaled(11));
        assert_eq!(o.status.as_reported_by_runsc(), Status::Exited(139));
    }

    /// Runs `script` with a short limit; it must fail promptly, saying `why`.
    fn fails_promptly(script: &str, why: &str) {
        let start = Instant::now();
        let e = run(
            Command::new("sh").args(["-c", script]),
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains(why), "{e:#}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn run_kills_what_overstays_the_limit() {
        fails_promptly("sleep 30", "did not finish");
    }

    #[test]
    fn run_fails_when_a_leftover_process_holds_stdout() {
        fails_promptly("sleep 30 & exit 0", "outlived it");
    }

    #[test]
    fn first_difference_names_the_line() {
        let d = first_difference(b"ok a\nok b\n", b"ok a\nFAIL b\n");
        assert!(d.contains("line 2") && d.contains("FAIL b"), "{d}");
        let d = first_difference(b"ok a\n", b"");
        assert!(d.contains("<end of output>"), "{d}");
    }
}
