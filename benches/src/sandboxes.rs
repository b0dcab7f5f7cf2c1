//! Finding the sandboxes to compare: ours (built if missing) and gVisor's
//! `runsc` (probed for the flags this host needs).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::run::{first_line, run, Sandbox};

/// Flags every gVisor run gets: no network stack to set up, and the ptrace
/// platform, the one ours is compared on (newer gVisor defaults to systrap).
pub const GVISOR_BASE_FLAGS: &[&str] = &["--network=none", "--platform=ptrace"];

/// Extra flags tried in order until `do true` works; the first that works is
/// used and the report names it.
const GVISOR_EXTRA_FLAGS: &[&[&str]] = &[
    &[],
    &["--ignore-cgroups"],
    &["--ignore-cgroups", "--rootless"],
];

/// Our runsc: `explicit`, else `<workspace>/target/release/runsc`, built
/// with `cargo build --release --bin runsc` if missing. `Err` says why
/// there is none.
pub fn find_ours(workspace: &Path, explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("--runsc {}: no such file", path.display()))
        };
    }
    let path = workspace.join("target/release/runsc");
    if path.is_file() {
        return Ok(path);
    }
    eprintln!(
        "side-by-side: {} missing: cargo build --release --bin runsc",
        path.display()
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--release", "--bin", "runsc"])
        .current_dir(workspace)
        .output()
        .map_err(|e| format!("run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let why = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .or_else(|| first_line(&stderr))
            .unwrap_or("no message");
        return Err(format!("cargo build --release --bin runsc failed: {why}"));
    }
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "cargo build succeeded but {} is missing",
            path.display()
        ))
    }
}

/// gVisor, ready to run.
#[derive(Debug, Clone)]
pub struct Gvisor {
    pub sandbox: Sandbox,
    /// `runsc --version`, first line.
    pub version: String,
    /// Flag sets that failed before the one used, each with its error.
    pub rejected: Vec<(String, String)>,
}

/// Why gVisor is not in the comparison.
#[derive(Debug, Clone)]
pub enum NoGvisor {
    /// Not installed where we looked.
    Absent(String),
    /// Installed, but `do true` failed with every flag set.
    Failed(String),
}

/// gVisor's runsc: `explicit`, else `/usr/bin/runsc`; runs `true_prog` with
/// each candidate flag set until one works.
pub fn find_gvisor(
    explicit: Option<PathBuf>,
    true_prog: &Path,
    timeout: Duration,
) -> Result<Gvisor, NoGvisor> {
    let runsc = explicit.unwrap_or_else(|| PathBuf::from("/usr/bin/runsc"));
    if !runsc.is_file() {
        return Err(NoGvisor::Absent(format!("{} not found", runsc.display())));
    }
    let version = Command::new(&runsc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| first_line(&String::from_utf8_lossy(&o.stdout)).map(str::to_owned))
        .unwrap_or_else(|| "version unknown".to_owned());
    let mut rejected = Vec::new();
    for extra in GVISOR_EXTRA_FLAGS {
        let flags: Vec<String> = GVISOR_BASE_FLAGS
            .iter()
            .chain(*extra)
            .map(|s| (*s).to_owned())
            .collect();
        let sandbox = Sandbox::Gvisor {
            runsc: runsc.clone(),
            flags: flags.clone(),
            pin: None,
        };
        let why = match run(sandbox.command(true_prog, &[]), None, timeout) {
            Ok(out) => match out.failure() {
                None => {
                    return Ok(Gvisor {
                        sandbox,
                        version,
                        rejected,
                    })
                }
                Some(why) => why,
            },
            Err(e) => format!("{e:#}"),
        };
        rejected.push((flags.join(" "), why));
    }
    let last = rejected.last().map_or("", |(_, why)| why.as_str());
    Err(NoGvisor::Failed(last.to_owned()))
}
