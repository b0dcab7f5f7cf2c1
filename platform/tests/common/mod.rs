//! What the platform tests share: a memory file with code, and protections.
#![allow(dead_code)] // each test crate uses its own part

use std::io::Write;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use platform::{Access, AddressSpace, Context, Event, Platform, Registers};

/// The tests every platform passes, as `#[test]` functions running on the
/// platforms `$make` (a `MakePlatform`) makes.
macro_rules! shared_tests {
    ($make:path) => {
        #[test]
        fn syscall_and_fault_stops_report_the_registers() {
            crate::common::syscall_and_fault_stops_report_the_registers($make);
        }

        #[test]
        fn threads_share_the_address_space_and_stub_threads_are_reused() {
            crate::common::threads_share_the_address_space_and_stub_threads_are_reused($make);
        }

        #[test]
        fn an_interrupt_ends_a_running_switch() {
            crate::common::an_interrupt_ends_a_running_switch($make);
        }
    };
}
pub(crate) use shared_tests;

/// Reads the marker at 0x500000 into rax, then makes a system call.
const READ_MARKER_THEN_SYSCALL: [u8; 10] = [
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00, // mov 0x500000, %rax
    0x0f, 0x05, // syscall
];
pub const MARKER: u64 = 0x1122_3344_5566_7788;
pub const DATA_AT: u64 = 0x50_0000;

/// A memory file with the code at 0 and the marker at 0x1000.
pub fn code_and_marker() -> OwnedFd {
    let mut image = vec![0u8; 0x1008];
    image[..READ_MARKER_THEN_SYSCALL.len()].copy_from_slice(&READ_MARKER_THEN_SYSCALL);
    image[0x1000..].copy_from_slice(&MARKER.to_le_bytes());
    memory_file(&image)
}

pub fn ro() -> Access {
    Access {
        read: true,
        write: false,
        execute: false,
    }
}

pub const CODE_AT: u64 = 0x40_0000;

pub fn memory_file(code: &[u8]) -> OwnedFd {
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

pub fn rx() -> Access {
    Access {
        read: true,
        write: false,
        execute: true,
    }
}

/// A platform made over a memory file, for the tests both platforms share.
pub type MakePlatform = fn(BorrowedFd<'_>) -> Box<dyn Platform>;

/// Starts a platform over `mem` and its first address space.
pub fn start(
    make: MakePlatform,
    mem: &OwnedFd,
) -> (Box<dyn Platform>, Arc<dyn AddressSpace>, Box<dyn Context>) {
    let platform = make(mem.as_fd());
    let (space, ctx) = platform.new_address_space().expect("stub starts");
    (platform, space, ctx)
}

/// A system call and a fault stop report the registers; the call never ran
/// on the host (`rax` is still `-ENOSYS`); the application goes on.
pub fn syscall_and_fault_stops_report_the_registers(make: MakePlatform) {
    let code = [
        0xb8, 0x27, 0x00, 0x00, 0x00, // mov $39, %eax (getpid)
        0xbf, 0x34, 0x12, 0x00, 0x00, // mov $0x1234, %edi
        0x0f, 0x05, // syscall
        0xbe, 0x78, 0x56, 0x00, 0x00, // mov $0x5678, %esi
        0xc6, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x01, // movb $1, 0
    ];
    let mem = memory_file(&code);
    let (_p, space, mut ctx) = start(make, &mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);

    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax, 39);
    assert_eq!(regs.rdi, 0x1234);
    assert_eq!(regs.rip, CODE_AT + 12, "rip points after the syscall");
    assert_eq!(
        regs.rax,
        (-38i64).cast_unsigned(),
        "rax is -ENOSYS: the host did not run it"
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

/// The part of `rax` Linux reads a system call number from (`eax`); a
/// platform may report only that.
const LOW32: u64 = 0xffff_ffff;

/// Threads of one address space see each other's mappings, each has its
/// own stub thread, and a finished one's stub thread is reused; mapping
/// from a host thread with no context there is refused.
pub fn threads_share_the_address_space_and_stub_threads_are_reused(make: MakePlatform) {
    let mem = code_and_marker();
    let (_p, space, mut ctx) = start(make, &mem);
    space.map(CODE_AT, 0x1000, rx(), 0).expect("map code");
    let mut regs = Registers::initial(CODE_AT, 0);
    match ctx.switch(&mut regs).expect("switch") {
        Event::Fault(f) => assert_eq!(f.addr, DATA_AT, "the data is not mapped yet"),
        other => panic!("expected a fault, got {other:?}"),
    }
    let (pid, first_thread) = ctx.host_thread();
    let threads = || {
        std::fs::read_dir(format!("/proc/{pid}/task"))
            .expect("task dir")
            .count()
    };
    // A platform may keep a stub thread of its own besides the runners.
    let at_start = threads();
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
            assert_eq!(regs.orig_rax & LOW32, MARKER & LOW32);
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
    assert_eq!(threads(), at_start + 1, "one more stub thread, reused");
    let mut regs = Registers::initial(CODE_AT, 0);
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Syscall);
    assert_eq!(regs.orig_rax & LOW32, MARKER & LOW32);
    let s = space.clone();
    let refused = std::thread::spawn(move || s.map(DATA_AT, 0x1000, ro(), 0x1000).is_err())
        .join()
        .expect("thread");
    assert!(refused);
}

/// An interrupt ends a switch running a spinning thread, and one sent
/// before a switch ends the next one at once.
pub fn an_interrupt_ends_a_running_switch(make: MakePlatform) {
    // jmp . : spins until interrupted.
    let mem = memory_file(&[0xeb, 0xfe]);
    let (_p, space, mut ctx) = start(make, &mem);
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
    ctx.interrupter().interrupt();
    assert_eq!(ctx.switch(&mut regs).expect("switch"), Event::Interrupted);
}
