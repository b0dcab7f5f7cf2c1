//! The seccomp platform against the real host: a tiny program run in a stub.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

mod common;

use common::{memory_file, ro, rx, CODE_AT, DATA_AT, MARKER};
use platform::seccomp::{Handover, SeccompPlatform, MAX_USER_ADDRESS};
use platform::{Event, FpState, Platform, PlatformError, Registers};

#[test]
fn the_application_cannot_map_above_the_regions_base() {
    let mem = memory_file(&[0x0f, 0x05]);
    let (p, space, mut ctx) = common::start(platform_of, &mem);
    assert_eq!(p.max_user_address(), MAX_USER_ADDRESS);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    // The application's code, the stub's one region and its page are all
    // it has.
    let maps =
        std::fs::read_to_string(format!("/proc/{}/maps", ctx.host_thread().0)).expect("maps");
    let lines: Vec<&str> = maps.lines().filter(|l| !l.contains("[vsyscall]")).collect();
    assert_eq!(lines.len(), 3, "code, one region, the stub page: {maps}");
    assert!(lines[0].starts_with("00400000-00401000 r-xs"), "{maps}");
    assert!(
        lines[1].starts_with(&format!("{MAX_USER_ADDRESS:x}-")),
        "{maps}"
    );
    assert!(
        lines[2].starts_with("7fffffff0000-7fffffff1000 r-xp"),
        "{maps}"
    );
}

#[test]
fn fp_state_and_fs_base_reach_the_application() {
    let code = [
        0x66, 0x48, 0x0f, 0x7e, 0xc0, // movq %xmm0, %rax
        0x48, 0x89, 0xc7, // mov %rax, %rdi
        0x64, 0x48, 0x8b, 0x34, 0x25, 0x00, 0x00, 0x00, 0x00, // mov %fs:0, %rsi
        0x0f, 0x05, // syscall
        0xeb, 0xe8, // jmp back to the start
    ];
    let mut image = vec![0u8; 0x1008];
    image[..code.len()].copy_from_slice(&code);
    image[0x1000..].copy_from_slice(&MARKER.to_le_bytes());
    let mem = memory_file(&image);
    let (_p, space, mut ctx) = common::start(platform_of, &mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    space.map(DATA_AT, 0x1000, ro(), 0x1000).expect("map data");

    for (round, xmm0) in [0x1234_5678_u64, 0xdead_beef].into_iter().enumerate() {
        // Before the first run (a frame the platform builds) and after a
        // system call (the kernel's frame).
        let mut fp = ctx.fp_state().expect("fp state");
        assert!(fp.bytes.len() >= 576, "an XSAVE image");
        fp.bytes[160..168].copy_from_slice(&xmm0.to_le_bytes());
        ctx.set_fp_state(&fp).expect("set fp state");
        let mut regs = Registers::initial(CODE_AT, 0);
        regs.fs_base = DATA_AT;
        assert_eq!(
            ctx.switch(&mut regs).expect("switch"),
            Event::Syscall,
            "round {round}"
        );
        assert_eq!(regs.rdi, xmm0, "xmm0 reached the application");
        assert_eq!(regs.rsi, MARKER, "fs:0 reads through the FS base");
        let back = ctx.fp_state().expect("fp state");
        assert_eq!(back.bytes[160..168], xmm0.to_le_bytes());
        assert_eq!(back.bytes[464..472], fp.bytes[464..472], "ptrace layout");
    }
    let init = FpState::initial(&ctx.fp_state().expect("fp state"));
    ctx.set_fp_state(&init).expect("set");
    let mut regs = Registers::initial(CODE_AT, 0);
    regs.fs_base = DATA_AT;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.rdi, 0, "the initial state has xmm0 zero");
}

#[test]
fn a_killed_stub_is_an_error_not_a_hang() {
    let mem = memory_file(&[0xeb, 0xfe]);
    let (_p, space, mut ctx) = common::start(platform_of, &mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let (pid, _) = ctx.host_thread();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    });
    let mut regs = Registers::initial(CODE_AT, 0);
    match ctx.switch(&mut regs) {
        Err(PlatformError::StubDied { .. }) => {}
        other => panic!("expected the stub's death, got {other:?}"),
    }
    t.join().expect("thread");
}

#[test]
fn a_notified_call_is_made_whole_on_demand() {
    // syscall; syscall; jmp .
    let mem = memory_file(&[0x0f, 0x05, 0x0f, 0x05, 0xeb, 0xfe]);
    let (_p, space, mut ctx) = common::start(platform_of, &mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0x5000);
    regs.rax = 39;
    regs.rbx = 0xabc;
    regs.r12 = 0xdef;
    regs.rdi = 7;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!((regs.orig_rax, regs.rdi, regs.rip), (39, 7, CODE_AT + 2));
    assert_eq!(regs.rax, (-i64::from(libc::ENOSYS)).cast_unsigned());
    // The result set first stays; the rest comes from the thread.
    regs.rax = 42;
    regs.rbx = 0;
    ctx.full_registers(&mut regs).expect("whole registers");
    assert_eq!((regs.rbx, regs.r12, regs.rsp), (0xabc, 0xdef, 0x5000));
    assert_eq!((regs.rax, regs.orig_rax, regs.rip), (42, 39, CODE_AT + 2));
    // Whole registers may then change: the next call sees them.
    regs.r12 = 0x123;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!((regs.orig_rax, regs.rip), (42, CODE_AT + 4));
    ctx.full_registers(&mut regs).expect("whole registers");
    assert_eq!((regs.rbx, regs.r12), (0xabc, 0x123));
    // Only the result changed: the fast way back, twice over.
    regs.rip = CODE_AT;
    regs.rax = 39;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    regs.rax = 11;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!((regs.orig_rax, regs.rip), (11, CODE_AT + 4));
    ctx.full_registers(&mut regs).expect("whole registers");
    assert_eq!((regs.rbx, regs.r12, regs.rsp), (0xabc, 0x123, 0x5000));
}

#[test]
fn a_command_after_a_notified_call_keeps_the_thread_registers() {
    // mov $0x77, %ebx; syscall; syscall; jmp .
    let mem = memory_file(&[0xbb, 0x77, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x05, 0xeb, 0xfe]);
    let (_p, space, mut ctx) = common::start(platform_of, &mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0x5000);
    regs.rax = 39;
    regs.rbx = 0xabc;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    // An address-space change while the call is served brings the thread
    // into its handler; the sentry then sets only the result.
    space.map(DATA_AT, 0x1000, ro(), 0).expect("map data");
    regs.rax = 5;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!((regs.orig_rax, regs.rip), (5, CODE_AT + 9));
    ctx.full_registers(&mut regs).expect("whole registers");
    assert_eq!((regs.rbx, regs.rsp), (0x77, 0x5000), "the thread's rbx");
}

common::shared_tests!(platform_of);

/// The same on the futex hand-over, which kernels before 6.11 get.
mod futex {
    crate::common::shared_tests!(super::futex_platform);
}

/// The platform as the sentry makes it: on this machine's kernel, with
/// listeners.
fn platform_of(mem: std::os::fd::BorrowedFd<'_>) -> Box<dyn Platform> {
    assert_eq!(
        Handover::detect(),
        Handover::Notify,
        "a kernel of 6.11 or later"
    );
    Box::new(SeccompPlatform::new(mem, &[]))
}

fn futex_platform(mem: std::os::fd::BorrowedFd<'_>) -> Box<dyn Platform> {
    Box::new(SeccompPlatform::with_handover(mem, &[], Handover::Futex))
}
