//! `runsc gofer`: the file mediator process of one container. Hidden: runsc
//! starts it itself, with the sentry's end of a `SOCK_SEQPACKET` socketpair
//! as an inherited fd.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gofer::server::{inherited_fd, open_root, serve, ServerOptions};

#[derive(Debug, clap::Args)]
pub struct GoferArgs {
    /// The container's root directory: nothing outside it is served.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// The inherited socket to serve the sentry on.
    #[arg(long, value_name = "N")]
    sock_fd: i32,
    /// Refuse every change with EROFS.
    #[arg(long)]
    read_only: bool,
}

pub fn run(args: &GoferArgs) -> anyhow::Result<ExitCode> {
    // The socket first: it is only ours to claim before anything else opens.
    let sock = inherited_fd(args.sock_fd).with_context(|| format!("--sock-fd {}", args.sock_fd))?;
    let root = open_root(&args.root).with_context(|| format!("open {}", args.root.display()))?;
    let opts = ServerOptions {
        read_only: args.read_only,
    };
    serve(root, sock, opts).context("gofer")?;
    Ok(ExitCode::SUCCESS)
}
