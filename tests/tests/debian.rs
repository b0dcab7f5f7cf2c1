//! Debian's own programs: each script in tests/debian/ runs natively with
//! bash, then as `runsc do /bin/bash SCRIPT` over the host's root (through
//! the gofer, under the memory overlay); stdout and the exit status must
//! match. A script names the programs it needs on a `# needs:` line; a
//! missing one skips it (fails it under `SANDBOX_TESTS_STRICT=1`).

#![allow(clippy::tests_outside_test_module)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};
use libtest_mimic::{Arguments, Failed, Trial};
use tests::{runsc, skip, workspace};

const LIMIT: Duration = Duration::from_secs(120);

/// The programs a script needs, from its `# needs:` line.
fn needs(text: &str) -> Vec<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# needs:"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn installed(program: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(program).is_file())
}

fn script(path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    if let Some(missing) = needs(&text).into_iter().find(|p| !installed(p)) {
        return skip(&format!("{missing} is not installed"));
    }
    let native = tests::run(Command::new("/bin/bash").arg(path), LIMIT).context("native run")?;
    if native.status != tests::Status::Exited(0) {
        bail!("the native run must pass first\n{}", native.show());
    }
    // The script where the sandbox sees it (its /tmp is its own).
    let dir = tests::sandbox_visible_dir().join("debian-scripts");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let visible = dir.join(path.file_name().context("script name")?);
    std::fs::write(&visible, &text).with_context(|| format!("write {}", visible.display()))?;
    let bin = runsc()?;
    let sandboxed = tests::run(
        Command::new(&bin)
            .arg("do")
            .arg("--cwd=/")
            .arg("/bin/bash")
            .arg(&visible),
        LIMIT,
    )
    .with_context(|| format!("run under {}", bin.display()))?;
    tests::compare(&native, native.status, &sandboxed, "runsc")
}

fn scripts(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let p = e?.path();
        if p.extension().is_some_and(|e| e == "sh") {
            v.push(p);
        }
    }
    v.sort();
    Ok(v)
}

fn main() -> anyhow::Result<()> {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for path in scripts(&workspace().join("tests/debian"))? {
        let name = path
            .file_stem()
            .context("script name")?
            .to_string_lossy()
            .into_owned();
        trials.push(Trial::test(name, move || {
            script(&path).map_err(|e| Failed::from(format!("{e:#}")))
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
