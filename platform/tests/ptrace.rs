//! The ptrace platform against the real host: a tiny program run in a stub.
// An integration-test crate is all tests; the lint is for unit tests in src/.
#![allow(clippy::tests_outside_test_module)]

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use platform::ptrace::PtracePlatform;
use platform::{Access, AddressSpace, Context, Event, Registers};

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
    let as_ = platform.new_address_space().expect("stub starts");
    as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut ctx = platform.new_context(as_.clone());
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
    let as_ = platform.new_address_space().expect("stub starts");
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
    let as_ = platform.new_address_space().expect("stub starts");
    as_.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut ctx = platform.new_context(as_.clone());
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
