//! `runsc do`: run a program in a throwaway sandbox.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use sentry::{BootConfig, ExitStatus, RootFs};

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
    /// The root filesystem: a host directory the gofer serves (default:
    /// the host's root, read-only).
    #[arg(long, value_name = "DIR", default_value = "/")]
    root_dir: PathBuf,
    /// `memory`: the root is read-only and changes go to a memory layer
    /// (the default); `none`: changes are written through to the root
    /// directory.
    #[arg(long, value_enum, default_value_t = Overlay::Memory)]
    overlay: Overlay,
    /// The working directory in the sandbox (default: the current one,
    /// when the root is the host's).
    #[arg(long, value_name = "DIR")]
    cwd: Option<PathBuf>,
    /// Set an environment variable (NAME=VALUE); repeatable. The sandbox
    /// otherwise inherits runsc's environment.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Overlay {
    Memory,
    None,
}

/// Finds `program` as a shell would: a name with a slash is a path,
/// anything else is looked up in PATH, inside the root directory.
fn resolve(program: &Path, root: &Path, path_var: &OsStr) -> anyhow::Result<PathBuf> {
    if program.as_os_str().as_bytes().contains(&b'/') {
        return Ok(program.to_path_buf());
    }
    for dir in std::env::split_paths(path_var) {
        let candidate = dir.join(program);
        let on_host = root.join(candidate.strip_prefix("/").unwrap_or(&candidate));
        if on_host.is_file() {
            return Ok(candidate);
        }
    }
    bail!("{}: not found in PATH", program.display())
}

/// Starts `runsc gofer` serving `root` on one end of a socket pair;
/// returns the other end.
fn start_gofer(root: &Path, read_only: bool) -> anyhow::Result<OwnedFd> {
    use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::empty(),
    )
    .context("socketpair for the gofer")?;
    nix::fcntl::fcntl(
        ours.as_raw_fd(),
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    )
    .context("close-on-exec")?;
    let exe = std::env::current_exe().context("find runsc")?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("gofer")
        .arg("--root")
        .arg(root)
        .arg("--sock-fd")
        .arg(theirs.as_raw_fd().to_string())
        .stdin(std::process::Stdio::null());
    if read_only {
        cmd.arg("--read-only");
    }
    // The child inherits `theirs` (not close-on-exec); it ends when the
    // sentry's end closes.
    cmd.spawn().context("start the gofer")?;
    drop(theirs);
    Ok(ours)
}

pub fn run(cli: &Cli, args: &DoArgs) -> anyhow::Result<ExitCode> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    for e in &args.env {
        let Some((k, v)) = e.split_once('=') else {
            bail!("--env {e}: expected NAME=VALUE");
        };
        env.retain(|(name, _)| name.as_bytes() != k.as_bytes());
        env.push((k.into(), v.into()));
    }
    let path_var = env.iter().find(|(k, _)| k == "PATH").map_or_else(
        || OsString::from("/usr/local/bin:/usr/bin:/bin"),
        |(_, v)| v.clone(),
    );
    let root = std::fs::canonicalize(&args.root_dir)
        .with_context(|| format!("--root-dir {}", args.root_dir.display()))?;
    let path = resolve(Path::new(&args.program), &root, &path_var)?;
    let cwd = match &args.cwd {
        Some(c) => c.as_os_str().as_bytes().to_vec(),
        // The current directory, unless the sandbox's own /tmp, /proc,
        // /sys or /dev covers it.
        None if root == Path::new("/") => std::env::current_dir()
            .ok()
            .filter(|d| {
                !["/tmp", "/proc", "/sys", "/dev"]
                    .iter()
                    .any(|m| d.starts_with(m))
            })
            .map_or_else(|| b"/".to_vec(), |d| d.as_os_str().as_bytes().to_vec()),
        None => b"/".to_vec(),
    };
    let overlay = args.overlay == Overlay::Memory;
    let sock = start_gofer(&root, overlay)?;
    let mut argv = vec![args.program.as_bytes().to_vec()];
    argv.extend(args.args.iter().map(|a| a.as_bytes().to_vec()));
    let envp = env
        .iter()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect();
    let config = BootConfig {
        platform: cli.platform.into(),
        root: RootFs::Gofer { sock, overlay },
        program: path.as_os_str().as_bytes().to_vec(),
        argv,
        envp,
        cwd,
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
        Err(sentry::BootError::Exec(e)) => bail!(
            "{}: {}",
            path.display(),
            e.description().unwrap_or("exec failed")
        ),
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
