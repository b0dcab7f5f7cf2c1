//! The ptrace platform against the real host: a tiny program run in a stub.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use platform::ptrace::PtracePlatform;
use platform::{Access, AddressSpace, Context, Event, Registers};

/// Reads the marker at 0x500000 into rax, then makes a system call.
const READ_MARKER_THEN_SYSCALL: [u8; 10] = [
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00, // mov 0x500000, %rax
    0x0f, 0x05, // syscall
];
const MARKER: u64 = 0x1122_3344_5566_7788;
const DATA_AT: u64 = 0x50_0000;

/// A memory file with the code at 0 and the marker at 0x1000.
fn code_and_marker() -> OwnedFd {
    let mut image = vec![0u8; 0x1008];
    image[..READ_MARKER_THEN_SYSCALL.len()].copy_from_slice(&READ_MARKER_THEN_SYSCALL);
    image[0x1000..].copy_from_slice(&MARKER.to_le_bytes());
    memory_file(&image)
}

fn ro() -> Access {
    Access {
        read: true,
        write: false,
        execute: false,
    }
}

const CODE_AT: u64 = 0x40_0000;

fn memory_file(code: &[u8]) -> OwnedFd {
    let fd = nix::sys::memfd::memfd_create(
        c"test-memory",
        nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
    )
    .expect("memfd_create");
    let mut f = std::fs::File::from(fd);
    f.write_all(code).expect("write code");
    f.set_len(0x10000).expect("size the memory file");
    f.into()
}

fn rx() -> Access {
    Access {
        read: true,
        write: false,
        execute: true,
    }
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
