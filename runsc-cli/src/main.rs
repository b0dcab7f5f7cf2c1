//! `runsc`: the sandbox's command line.
//!
//! Today: `runsc do PROGRAM [ARGS...]` runs a program in a fresh sandbox,
//! on the seccomp platform unless `--platform=ptrace` says otherwise. The
//! OCI commands (create, start, state, kill, delete, ...) come with the
//! runtime issue.

mod do_cmd;
mod gofer_cmd;
mod host;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// A user-space kernel sandbox: an OCI runtime whose workloads never talk to
/// the host kernel.
#[derive(Debug, Parser)]
#[command(name = "runsc", version, about)]
struct Cli {
    /// The platform that stops the workload's system calls.
    #[arg(long, global = true, value_enum, default_value_t = PlatformKind::Seccomp)]
    platform: PlatformKind,
    /// Print every system call the workload makes, decoded, to stderr.
    #[arg(long, global = true)]
    strace: bool,
    /// Report unimplemented system calls the workload made when it ends.
    #[arg(long, global = true)]
    debug: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PlatformKind {
    /// PTRACE_SYSEMU on stub processes.
    Ptrace,
    /// A seccomp filter that traps each system call into the stub's signal
    /// handler, which hands it to the sentry through shared memory: no
    /// ptrace stop per call.
    Seccomp,
}

impl From<PlatformKind> for sentry::PlatformKind {
    fn from(k: PlatformKind) -> Self {
        match k {
            PlatformKind::Ptrace => sentry::PlatformKind::Ptrace,
            PlatformKind::Seccomp => sentry::PlatformKind::Seccomp,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a program in a new sandbox.
    Do(do_cmd::DoArgs),
    /// Print the system call table: what is implemented, partly, or not.
    Syscalls {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
    },
    /// Serve a container's files to the sentry (started by runsc itself).
    #[command(hide = true)]
    Gofer(gofer_cmd::GoferArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    Table,
    Markdown,
}

/// A sentry panic is a bug: report the task, the syscall and a backtrace,
/// then abort (panic = "abort"), which takes the stubs down with us and
/// leaves the host alone.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = sentry::syscalls::current_call().unwrap_or_else(|| "no syscall".into());
        let bt = std::backtrace::Backtrace::force_capture();
        eprintln!("runsc: sentry panic ({at}): {info}\n{bt}");
    }));
}

fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line naming the problem, not clap's whole usage block.
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("bad arguments");
            eprintln!("runsc: {}", first.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let result = match &cli.command {
        Command::Do(args) => do_cmd::run(&cli, args),
        Command::Gofer(args) => gofer_cmd::run(args),
        Command::Syscalls { format } => {
            print_syscalls(*format);
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("runsc: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn print_syscalls(format: TableFormat) {
    use sentry::syscalls::table;
    match format {
        TableFormat::Markdown => print!("{}", table::compatibility_markdown()),
        TableFormat::Table => {
            for (n, e) in table::rows() {
                println!("{n:>4} {:<20} {:<8?} {}", e.name, e.support, e.note);
            }
        }
    }
}
