//! `runsc do`: run a program in a throwaway sandbox.

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use sentry::{BootConfig, ExitStatus};

use crate::{host, Cli};

#[derive(Debug, clap::Args)]
pub struct DoArgs {
    /// The program to run: a path, or a name looked up in PATH.
    #[arg(value_name = "PROGRAM")]
    program: OsString,
    /// Its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<OsString>,
    /// The sandbox's hostname.
    #[arg(long, default_value = "runsc")]
    hostname: String,
}

/// Finds `program` as a shell would: a name with a slash is a path,
/// anything else is looked up in PATH.
fn resolve(program: &Path) -> anyhow::Result<PathBuf> {
    if program.as_os_str().as_bytes().contains(&b'/') {
        return Ok(program.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(program);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!("{}: not found in PATH", program.display())
}

pub fn run(cli: &Cli, args: &DoArgs) -> anyhow::Result<ExitCode> {
    let path = resolve(Path::new(&args.program))?;
    let file = std::fs::File::open(&path).with_context(|| format!("open {}", path.display()))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        bail!("{}: is a directory", path.display());
    }
    let executable: OwnedFd = file.into();
    let mut argv = vec![args.program.as_bytes().to_vec()];
    argv.extend(args.args.iter().map(|a| a.as_bytes().to_vec()));
    let envp = std::env::vars_os()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect();
    let config = BootConfig {
        executable,
        argv,
        envp,
        execfn: path.as_os_str().as_bytes().to_vec(),
        stdio: host::stdio()?,
        hostname: args.hostname.as_bytes().to_vec(),
        uid: 0,
        gid: 0,
        groups: host::groups(),
        rlimits: host::rlimits(),
        umask: host::umask(),
        nice: host::nice(),
        num_cpus: host::num_cpus(),
        total_ram: host::total_ram(),
        hwcap: host::hwcap(),
        hwcap2: host::hwcap2(),
        strace: cli.strace,
    };
    let report = match sentry::run(config) {
        Ok(r) => r,
        Err(sentry::BootError::Load(e)) => bail!("{}: {e}", path.display()),
        Err(e) => return Err(anyhow::Error::new(e).context("sandbox")),
    };
    if cli.debug || cli.strace {
        for (nr, n) in &report.unknown_syscalls {
            let name = abi::sysno::name(*nr).unwrap_or("unknown");
            eprintln!("runsc: unsupported syscall {name} ({nr}) called {n} times");
        }
    }
    Ok(match report.status {
        ExitStatus::Exited(c) => ExitCode::from(c),
        // As a shell reports death by signal N.
        ExitStatus::Signaled(sig) => ExitCode::from(u8::try_from(128 + sig).unwrap_or(255)),
    })
}
