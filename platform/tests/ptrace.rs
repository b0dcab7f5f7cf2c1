//! The ptrace platform against the real host: a tiny program run in a stub.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

mod common;

use std::os::fd::AsFd;

use common::{code_and_marker, memory_file, ro, rx, CODE_AT, DATA_AT, MARKER};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use platform::ptrace::PtracePlatform;
use platform::{AddressSpace, Context, Event, Registers};

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
    let platform = PtracePlatform::new(mem.as_fd());
    let (as_, mut ctx) = platform.new_address_space().expect("stub starts");
    as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);

    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, 39);
    assert_eq!(regs.rdi, 0x1234);
    assert_eq!(regs.rip, CODE_AT + 12, "rip points after the syscall");

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
}

#[test]
fn stub_maps_only_what_it_was_given() {
    let mem = memory_file(&[0x0f, 0x05]);
    let platform = PtracePlatform::new(mem.as_fd());
    let (as_, _ctx) = platform.new_address_space().expect("stub starts");
    let maps = std::fs::read_to_string(format!("/proc/{}/maps", as_.stub_pid())).expect("maps");
    let lines: Vec<&str> = maps.lines().filter(|l| !l.contains("[vsyscall]")).collect();
    assert_eq!(lines.len(), 1, "only the stub page is mapped: {maps}");
    assert!(
        lines[0].starts_with("7fffffff0000-7fffffff1000 r-xp"),
        "{maps}"
    );
}

#[test]
fn escaped_syscall_kills_the_stub() {
    let code = [0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05]; // getpid
    let mem = memory_file(&code);
    let platform = PtracePlatform::new(mem.as_fd());
    let (as_, mut ctx) = platform.new_address_space().expect("stub starts");
    as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let regs = Registers::initial(CODE_AT, 0);
    // The host delivers SIGSYS (a signal-delivery stop for the tracer), then
    // the kill is final.
    let status = ctx.resume_unconfined_for_test(&regs).expect("resume");
    match status {
        WaitStatus::Signaled(_, Signal::SIGSYS, _) => {}
        WaitStatus::PtraceEvent(..) | WaitStatus::Stopped(..) => {
            panic!("stub was not killed: {status:?}")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn threads_share_the_address_space_and_stub_threads_are_reused() {
    let mem = code_and_marker();
    let platform = PtracePlatform::new(mem.as_fd());
    let (as_, mut ctx) = platform.new_address_space().expect("stub starts");
    as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);
    match ctx.switch(&mut regs).expect("switch") {
        Event::Fault(f) => assert_eq!(f.addr, DATA_AT, "the data is not mapped yet"),
        other => panic!("expected a fault, got {other:?}"),
    }
    let first_thread = ctx.host_thread().1;

    // A second host thread runs a new thread of the same address space and
    // maps the data; the first thread sees it.
    for round in 0..3 {
        let seed = as_.clone().new_thread().expect("new thread");
        let space = as_.clone();
        let tid = std::thread::spawn(move || {
            let mut ctx = seed.attach().expect("attach");
            let mut regs = Registers::initial(CODE_AT, 0);
            if round == 0 {
                assert!(matches!(ctx.switch(&mut regs), Ok(Event::Fault(_))));
                space.map(DATA_AT, 0x1000, ro(), 0x1000).expect("map data");
            }
            let mut regs = Registers::initial(CODE_AT, 0);
            assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
            assert_eq!(regs.orig_rax, MARKER);
            ctx.host_thread().1
        })
        .join()
        .expect("thread");
        assert_ne!(tid, first_thread, "each context has its own stub thread");
        if round > 0 {
            // Stub threads are kept, not recreated: the process has two.
            let tasks = std::fs::read_dir(format!("/proc/{}/task", as_.stub_pid()))
                .expect("task dir")
                .count();
            assert_eq!(tasks, 2, "the parked thread was reused");
        }
    }
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, MARKER);
    // Mapping from a host thread with no context here is refused.
    let space = as_.clone();
    let refused = std::thread::spawn(move || space.map(DATA_AT, 0x1000, ro(), 0x1000).is_err())
        .join()
        .expect("thread");
    assert!(refused);
}

#[test]
fn a_stub_outlives_the_host_thread_that_made_it() {
    let mem = code_and_marker();
    let platform = std::sync::Arc::new(PtracePlatform::new(mem.as_fd()));
    let p = platform.clone();
    let seed = std::thread::spawn(move || {
        let (as_, ctx) = p.new_address_space().expect("stub starts");
        as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
        as_.map(DATA_AT, 0x1000, ro(), 0x1000).expect("map data");
        let seed = as_.clone().new_thread().expect("new thread");
        drop(ctx);
        seed
    })
    .join()
    .expect("thread");
    // The creating host thread is gone; the stub must still be alive.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut ctx = seed.attach().expect("attach");
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, MARKER);
}

#[test]
fn an_interrupt_ends_a_running_switch() {
    // jmp . : spins until interrupted.
    let mem = memory_file(&[0xeb, 0xfe]);
    let platform = PtracePlatform::new(mem.as_fd());
    let (as_, mut ctx) = platform.new_address_space().expect("stub starts");
    as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let interrupter = ctx.interrupter();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        interrupter.interrupt();
    });
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Interrupted);
    assert_eq!(regs.rip, CODE_AT);
    t.join().expect("thread");
}
