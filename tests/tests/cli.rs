//! The `runsc` command line: errors are one line and a non-zero exit; the
//! workload sees the sandbox's identity; `--strace` decodes calls.
#![allow(clippy::tests_outside_test_module)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use tests::{build_c, runsc, skip, static_gcc_missing, workspace, Output, Status};

const LIMIT: Duration = Duration::from_secs(60);

fn runsc_with(args: &[&std::ffi::OsStr]) -> Output {
    let mut cmd = Command::new(runsc().expect("runsc builds"));
    cmd.args(args);
    tests::run(&mut cmd, LIMIT).expect("runsc runs")
}

/// Whether gcc can build static programs; otherwise SKIP, or panic with
/// the reason under `SANDBOX_TESTS_STRICT=1`.
fn gcc_or_skip() -> bool {
    match static_gcc_missing() {
        None => true,
        Some(why) => {
            if let Err(e) = skip(why) {
                panic!("{e:#}");
            }
            false
        }
    }
}

fn special(name: &str) -> Option<PathBuf> {
    if !gcc_or_skip() {
        return None;
    }
    let src = workspace().join(format!("tests/progs-special/{name}.c"));
    Some(build_c(&src, "special-progs", &[]).expect("builds"))
}

fn one_error_line(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_ne!(o.status, Status::Exited(0), "must fail: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("runsc: "), "{err:?}");
    err
}

#[test]
fn missing_program_is_one_line_and_nonzero() {
    let o = runsc_with(&["do".as_ref(), "/no/such/program".as_ref()]);
    let err = one_error_line(&o);
    assert!(
        err.contains("/no/such/program") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn non_elf_program_is_one_line_and_nonzero() {
    use std::os::unix::fs::PermissionsExt;
    // Somewhere the sandbox sees: its /tmp is its own.
    let visible = tests::sandbox_visible_dir();
    std::fs::create_dir_all(&visible).unwrap();
    let dir = tempfile::tempdir_in(visible).unwrap();
    let script = dir.path().join("script.sh");
    std::fs::write(&script, "echo hi\n").unwrap();
    // Not executable: EACCES, as execve says.
    let o = runsc_with(&["do".as_ref(), script.as_os_str()]);
    let err = one_error_line(&o);
    assert!(err.contains("Permission denied"), "{err}");
    // Executable, but neither ELF nor #!: ENOEXEC.
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = runsc_with(&["do".as_ref(), script.as_os_str()]);
    let err = one_error_line(&o);
    assert!(err.contains("Exec format error"), "{err}");
}

#[test]
fn bad_flag_is_one_line_and_nonzero() {
    let o = runsc_with(&["do".as_ref(), "--no-such-flag".as_ref(), "x".as_ref()]);
    let err = one_error_line(&o);
    assert!(err.contains("--no-such-flag"), "{err}");
}

#[test]
fn strace_decodes_write_and_leaves_stdout_alone() {
    let Some(hello) = special("hello") else {
        return;
    };
    let o = runsc_with(&["--strace".as_ref(), "do".as_ref(), hello.as_os_str()]);
    assert_eq!(o.status, Status::Exited(0));
    assert_eq!(o.stdout, b"hello\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(r#"write(1, "hello\n", 6) = 6"#), "{err}");
    assert!(err.contains("exit_group(0)"), "{err}");
}

#[test]
fn workload_sees_the_sandbox_identity_not_the_host() {
    let Some(identity) = special("identity") else {
        return;
    };
    let o = runsc_with(&["do".as_ref(), identity.as_os_str()]);
    assert_eq!(
        o.status,
        Status::Exited(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("pid 1 ppid 0 tid 1 uid 0 gid 0 nodename "),
        "{out}"
    );
    let nodename = out.trim_end().rsplit(' ').next().unwrap();
    let host = host_hostname();
    assert_ne!(
        nodename, host,
        "the sandbox must not report the host's hostname"
    );
    assert_eq!(nodename, "runsc");
    let o = runsc_with(&[
        "do".as_ref(),
        "--hostname=box7".as_ref(),
        identity.as_os_str(),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).ends_with("nodename box7\n"));
}

fn host_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("read the host's hostname")
        .trim()
        .to_string()
}

#[test]
fn exit_status_is_the_workloads() {
    if !gcc_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("exit7.c");
    std::fs::write(&src, "#include <stdlib.h>\nint main(void) { exit(7); }\n").unwrap();
    let prog = build_c(&src, "special-progs", &[]).unwrap();
    let o = runsc_with(&["do".as_ref(), prog.as_os_str()]);
    assert_eq!(o.status, Status::Exited(7));
    let src = dir.path().join("segv.c");
    std::fs::write(
        &src,
        "int main(void) { *(volatile int *)8 = 1; return 0; }\n",
    )
    .unwrap();
    let prog = build_c(&src, "special-progs", &[]).unwrap();
    let o = runsc_with(&["do".as_ref(), prog.as_os_str()]);
    assert_eq!(
        o.status,
        Status::Exited(128 + 11),
        "death by SIGSEGV is 139"
    );
}

#[test]
fn kill_minus_one_reaches_the_sandbox_and_nothing_outside() {
    let Some(prog) = special("kill_all") else {
        return;
    };
    // A host process of the same user, outside the sandbox. Inside, the
    // program is init, so its orphaned grandchild is reaped too: 6 deaths.
    let mut outside = Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("start a host process");
    let o = runsc_with(&["do".as_ref(), prog.as_os_str()]);
    let alive = outside.try_wait().expect("poll the host process").is_none();
    let _ = outside.kill();
    let _ = outside.wait();
    assert_eq!(
        o.status,
        Status::Exited(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "forked 5 killed 6 then kill(-1,0)=-1 errno ESRCH\n"
    );
    assert!(alive, "kill(-1) in the sandbox reached a host process");
}

#[test]
fn workload_cannot_reach_host_files_outside_its_root() {
    let Some(prog) = special("escape") else {
        return;
    };
    let visible = tests::sandbox_visible_dir();
    std::fs::create_dir_all(&visible).unwrap();
    let base = tempfile::tempdir_in(visible).unwrap();
    let root = base.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::copy(&prog, root.join("escape")).unwrap();
    let secret = base.path().join("secret.txt");
    std::fs::write(&secret, "HOST-SECRET\n").unwrap();
    let listing = |dir: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    for overlay in ["memory", "none"] {
        let root_arg = format!("--root-dir={}", root.display());
        let overlay_arg = format!("--overlay={overlay}");
        let o = runsc_with(&[
            "do".as_ref(),
            root_arg.as_ref(),
            overlay_arg.as_ref(),
            "/escape".as_ref(),
            secret.as_os_str(),
        ]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status, Status::Exited(0), "overlay {overlay}: {out}");
        assert!(!out.contains("ESCAPED"), "overlay {overlay}: {out}");
        assert!(
            out.contains("blocked rename race"),
            "overlay {overlay}: {out}"
        );
        assert_eq!(std::fs::read_to_string(&secret).unwrap(), "HOST-SECRET\n");
        assert_eq!(listing(base.path()), ["root", "secret.txt"]);
        if overlay == "memory" {
            // The memory layer took every change: the root is untouched.
            assert_eq!(listing(&root), ["escape"], "overlay {overlay}");
        }
    }
}

#[test]
fn memory_overlay_changes_the_view_and_never_the_host() {
    let visible = tests::sandbox_visible_dir();
    std::fs::create_dir_all(&visible).unwrap();
    let base = tempfile::tempdir_in(visible).unwrap();
    let d = base.path().join("d");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("a"), "one\n").unwrap();
    std::fs::write(d.join("sub/b"), "two\n").unwrap();
    // Appending copies up; renames of lower files leave whiteouts; a lower
    // directory renamed is copied by mv (EXDEV) and a new one made where it
    // was is empty (opaque); hard links work on copied-up files.
    let script = format!(
        "set -e; cd {}
         echo more >> d/a; cat d/a
         mv d/a d/a2; ls d; cat d/a2
         rm d/sub/b; ls d/sub; echo new > d/sub/b; cat d/sub/b
         mv d/sub d/sub2; ls d; cat d/sub2/b
         rm -r d/sub2; ls d
         mkdir d/sub; ls -A d/sub; ln d/a2 d/hard; stat -c '%h %n' d/a2 d/hard",
        base.path().display()
    );
    let o = runsc_with(&[
        "do".as_ref(),
        "/bin/bash".as_ref(),
        "-c".as_ref(),
        script.as_ref(),
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "one\nmore\na2\nsub\none\nmore\nnew\na2\nsub2\nnew\na2\n2 d/a2\n2 d/hard\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status, Status::Exited(0));
    assert_eq!(std::fs::read_to_string(d.join("a")).unwrap(), "one\n");
    assert_eq!(std::fs::read_to_string(d.join("sub/b")).unwrap(), "two\n");
    let mut names: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "sub"]);
}
