//! The ptrace platform against the real host: a tiny program run in a stub.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

mod common;

use std::os::fd::AsFd;

use common::{code_and_marker, memory_file, ro, rx, CODE_AT, DATA_AT, MARKER};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use platform::ptrace::PtracePlatform;
use platform::{AddressSpace, Event, Platform, Registers};

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

common::shared_tests!(platform_of);

fn platform_of(mem: std::os::fd::BorrowedFd<'_>) -> Box<dyn Platform> {
    Box::new(PtracePlatform::new(mem))
}
