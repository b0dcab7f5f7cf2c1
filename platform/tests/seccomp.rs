//! The seccomp platform against the real host: a tiny program run in a stub.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

mod common;

use std::os::fd::AsFd;
use std::sync::Arc;

use common::{code_and_marker, memory_file, ro, rx, CODE_AT, DATA_AT, MARKER};
use platform::seccomp::{SeccompPlatform, MAX_USER_ADDRESS};
use platform::{AddressSpace, Context, Event, FpState, Platform, PlatformError, Registers};

fn start(mem: &std::os::fd::OwnedFd) -> (SeccompPlatform, Arc<dyn AddressSpace>, Box<dyn Context>) {
    let platform = SeccompPlatform::new(mem.as_fd());
    let (space, ctx) = platform.new_address_space().expect("stub starts");
    (platform, space, ctx)
}

#[test]
fn syscall_and_fault_stops_report_the_registers() {
    let code = [
        0xb8, 0x27, 0x00, 0x00, 0x00, // mov $39, %eax (getpid)
        0xbf, 0x34, 0x12, 0x00, 0x00, // mov $0x1234, %edi
        0x0f, 0x05, // syscall
        0xbe, 0x78, 0x56, 0x00, 0x00, // mov $0x5678, %esi
        0xc6, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x01, // movb $1, 0
    ];
    let mem = memory_file(&code);
    let (_p, space, mut ctx) = start(&mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);

    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, 39);
    assert_eq!(regs.rdi, 0x1234);
    assert_eq!(regs.rip, CODE_AT + 12, "rip points after the syscall");
    assert_eq!(
        regs.rax,
        (-38i64).cast_unsigned(),
        "rax is -ENOSYS, as ptrace shows"
    );

    regs.rax = 7;
    match ctx.switch(&mut regs).expect("switch") {
        Event::Fault(f) => {
            assert_eq!(f.signo, libc::SIGSEGV);
            assert_eq!(f.addr, 0);
            assert_eq!(f.code, 1 /* SEGV_MAPERR */);
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    assert_eq!(regs.rsi, 0x5678);
    assert_eq!(regs.rax, 7, "the syscall result reached the application");
    assert_eq!(regs.rip, CODE_AT + 17, "rip is the faulting instruction");

    // The sentry moves rip past the fault; the application goes on.
    regs.rip = CODE_AT + 10;
    regs.rax = 60;
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, 60);
}

#[test]
fn the_application_cannot_map_above_the_regions_base() {
    let mem = memory_file(&[0x0f, 0x05]);
    let (p, space, mut ctx) = start(&mem);
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
    let (_p, space, mut ctx) = start(&mem);
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
fn threads_share_the_address_space_and_stub_threads_are_reused() {
    let mem = code_and_marker();
    let (_p, space, mut ctx) = start(&mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);
    match ctx.switch(&mut regs).expect("switch") {
        Event::Fault(f) => assert_eq!(f.addr, DATA_AT, "the data is not mapped yet"),
        other => panic!("expected a fault, got {other:?}"),
    }
    let first_thread = ctx.host_thread().1;
    let mut seen = Vec::new();
    for round in 0..3 {
        let seed = space.clone().new_thread().expect("new thread");
        let s = space.clone();
        let tid = std::thread::spawn(move || {
            let mut ctx = seed.attach().expect("attach");
            let mut regs = Registers::initial(CODE_AT, 0);
            if round == 0 {
                assert!(matches!(ctx.switch(&mut regs), Ok(Event::Fault(_))));
                s.map(DATA_AT, 0x1000, ro(), 0x1000).expect("map data");
            }
            let mut regs = Registers::initial(CODE_AT, 0);
            assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
            assert_eq!(regs.orig_rax, MARKER);
            ctx.host_thread().1
        })
        .join()
        .expect("thread");
        assert_ne!(tid, first_thread, "each context has its own stub thread");
        seen.push(tid);
    }
    assert!(
        seen.iter().all(|&t| t == seen[0]),
        "the parked thread was reused"
    );
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, MARKER);
    // Mapping from a host thread with no context here is refused.
    let s = space.clone();
    let refused = std::thread::spawn(move || s.map(DATA_AT, 0x1000, ro(), 0x1000).is_err())
        .join()
        .expect("thread");
    assert!(refused);
}

#[test]
fn an_interrupt_ends_a_running_switch() {
    // jmp . : spins until interrupted.
    let mem = memory_file(&[0xeb, 0xfe]);
    let (_p, space, mut ctx) = start(&mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let interrupter = ctx.interrupter();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        interrupter.interrupt();
    });
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Interrupted);
    assert_eq!(regs.rip, CODE_AT);
    t.join().expect("thread");
    // An interrupt before a switch ends the next one at once.
    ctx.interrupter().interrupt();
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Interrupted);
}

#[test]
fn a_killed_stub_is_an_error_not_a_hang() {
    let mem = memory_file(&[0xeb, 0xfe]);
    let (_p, space, mut ctx) = start(&mem);
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
