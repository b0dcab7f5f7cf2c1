//! A gofer server for the crate's tests: `gofer-test-server --root DIR
//! --sock-fd N [--read-only]`. `runsc gofer` is the real entry point; this
//! one spares the tests building the whole runtime.

use std::path::PathBuf;
use std::process::ExitCode;

use gofer::server::{inherited_fd, open_root, serve, ServerOptions};

fn main() -> ExitCode {
    let mut root = None;
    let mut sock_fd = None;
    let mut opts = ServerOptions::default();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--root") => root = args.next().map(PathBuf::from),
            Some("--sock-fd") => {
                sock_fd = args
                    .next()
                    .and_then(|v| v.to_str().and_then(|s| s.parse::<i32>().ok()))
            }
            Some("--read-only") => opts.read_only = true,
            _ => {
                eprintln!("gofer-test-server: unexpected argument {arg:?}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(root), Some(sock_fd)) = (root, sock_fd) else {
        eprintln!("usage: gofer-test-server --root DIR --sock-fd N [--read-only]");
        return ExitCode::from(2);
    };
    let sock = match inherited_fd(sock_fd) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("gofer-test-server: --sock-fd {sock_fd}: {e}");
            return ExitCode::from(1);
        }
    };
    let root_fd = match open_root(&root) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("gofer-test-server: open {}: {e}", root.display());
            return ExitCode::from(1);
        }
    };
    match serve(root_fd, sock, opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gofer-test-server: {e}");
            ExitCode::from(1)
        }
    }
}
