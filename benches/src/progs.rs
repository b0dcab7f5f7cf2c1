//! The benchmark programs, `benches/progs/*.c`, built static once per run
//! into `target/bench-progs/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _, Result};

/// Every program in `benches/progs/`, by file stem.
pub const PROGRAMS: &[&str] = &[
    "getppid",
    "clock_gettime",
    "mmap_touch",
    "brk_churn",
    "true",
    "fork_exit_wait",
    "fork_exec_wait",
    "thread_create_join",
    "pipe_pingpong",
    "futex_pingpong",
    "signal_roundtrip",
    "open_read_close",
    "stat_deep",
    "getdents_1000",
    "seq_rw_64m",
];

/// The compiler line, also quoted in the report.
pub const CFLAGS: &[&str] = &[
    "-static",
    "-O2",
    "-std=gnu11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pthread",
];

/// Built programs, by name.
#[derive(Debug)]
pub struct Progs {
    dir: PathBuf,
}

impl Progs {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Compiles every program (`gcc`, or `$CC`) from `<workspace>/benches/progs`
/// into `<workspace>/target/bench-progs`.
pub fn build_all(workspace: &Path) -> Result<Progs> {
    let src = workspace.join("benches/progs");
    let dir = workspace.join("target/bench-progs");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let cc = std::env::var_os("CC").unwrap_or_else(|| "gcc".into());
    for name in PROGRAMS {
        let source = src.join(format!("{name}.c"));
        let out = Command::new(&cc)
            .args(CFLAGS)
            .arg("-o")
            .arg(dir.join(name))
            .arg(&source)
            .output()
            .with_context(|| format!("run {}", cc.to_string_lossy()))?;
        if !out.status.success() {
            bail!(
                "compile {}: {}\n{}",
                source.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            );
        }
    }
    Ok(Progs { dir })
}
