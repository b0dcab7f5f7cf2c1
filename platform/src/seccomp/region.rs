//! A stub thread's region: 64 KiB of a file shared by the sentry and one stub
//! process, mapped in the stub at `REGION_BASE + slot * REGION_SIZE` and in
//! the sentry wherever the host put it.
//!
//! The first page is the control block (the offsets below); the rest is the
//! thread's signal stack, where the kernel writes the frames the sentry
//! reads and edits in place. The application can write all of it (it is in
//! its address space), so everything read here is checked before use and a
//! bad value is at worst the end of that workload, never of the sentry.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The size of one thread's region; regions are aligned to it.
pub const REGION_SIZE: u64 = 0x1_0000;
/// How many stub threads one address space may have.
pub const MAX_THREADS: u64 = 8192;
/// Where the regions of a stub process start; the application maps below.
pub const REGION_BASE: u64 = super::stub::STUB_BASE - MAX_THREADS * REGION_SIZE;

/// The futex word both sides wait on (`STATE_*`).
pub const STATE: u64 = 0x00;
/// The robust-futex word: the stub thread's tid with FUTEX_WAITERS, until the
/// kernel marks it FUTEX_OWNER_DIED as the thread dies.
pub const DEATH: u64 = 0x04;
/// The command (`CMD_*`) and a system call's number and six arguments.
pub const CMD: u64 = 0x08;
pub const NR: u64 = 0x10;
/// A command's raw result.
pub const RET: u64 = 0x48;
/// What the stub reports (`EVENT_*`), and for a signal its number and the
/// stub addresses of its siginfo and ucontext.
pub const EVENT: u64 = 0x50;
pub const SIGNO: u64 = 0x58;
pub const SIGINFO: u64 = 0x60;
pub const UCONTEXT: u64 = 0x68;
/// The stack pointer `rt_sigreturn` runs with: the ucontext of the frame.
pub const RUN_SP: u64 = 0x70;
/// `struct robust_list_head` and its one entry.
pub const ROBUST_HEAD: u64 = 0x80;
const ROBUST_ENTRY: u64 = 0x98;
/// The `stack_t` of the thread's signal stack.
pub const ALTSTACK_DESC: u64 = 0xa0;
/// Whether the thread installs a listener filter as it starts (1), and the
/// descriptor it got, or `-errno`, or `LISTENER_UNSET` before.
pub const MODE: u64 = 0xc0;
pub const LISTENER: u64 = 0xc8;
pub const LISTENER_UNSET: u64 = i64::MIN.cast_unsigned();
/// The listener filter's `struct sock_fprog`, then its instructions.
pub const LISTENER_PROG: u64 = 0x400;
const LISTENER_INSNS: u64 = 0x410;
const LISTENER_INSNS_END: u64 = 0x1000;
/// The signal stack.
const ALTSTACK: u64 = 0x1000;
/// A frame the sentry builds for a thread's first run, and its XSAVE area.
pub const CRAFTED_FRAME: u64 = 0x1000;
pub const CRAFTED_FPSTATE: u64 = 0x1400;
/// A new thread's stack pointer, until its first signal.
pub const THREAD_SP: u64 = 0xff00;

pub const STATE_CMD: u32 = 1;
pub const STATE_DONE: u32 = 2;
pub const STATE_STUB_SLEEPING: u32 = 3;
pub const STATE_SENTRY_SLEEPING: u32 = 4;

pub const CMD_RUN: u64 = 1;
pub const CMD_SYSCALL: u64 = 2;
pub const CMD_CLONE: u64 = 3;

pub const EVENT_SIGNAL: u64 = 1;
pub const EVENT_DONE: u64 = 2;

/// The sentry's mapping of one region.
#[derive(Debug)]
pub struct Region {
    ptr: NonNull<u8>,
    /// The region's address in the stub.
    stub_addr: u64,
}

// SAFETY: the mapping is plain shared memory owned by this value; every
// access goes through atomics or bounds-checked copies.
unsafe impl Send for Region {}
// SAFETY: as above.
unsafe impl Sync for Region {}

impl Region {
    /// Maps region `slot` of `file` (which must be at least that long) and
    /// initialises its control block for a thread that has not started; with
    /// `listener`, the thread installs that filter with a listener as it
    /// starts.
    pub fn map(
        file: BorrowedFd<'_>,
        slot: u64,
        listener: Option<&[crate::bpf::SockFilter]>,
    ) -> std::io::Result<Region> {
        let len = usize::try_from(REGION_SIZE).expect("64 KiB fits");
        let offset = libc::off_t::try_from(slot * REGION_SIZE)
            .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: a fresh shared mapping of the file chosen by the host; it
        // aliases no Rust object.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                offset,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let ptr = NonNull::new(p.cast::<u8>()).expect("mmap does not return null");
        let r = Region {
            ptr,
            stub_addr: REGION_BASE + slot * REGION_SIZE,
        };
        r.init(listener);
        Ok(r)
    }

    fn init(&self, listener: Option<&[crate::bpf::SockFilter]>) {
        let a = self.stub_addr;
        self.set(LISTENER, LISTENER_UNSET);
        self.set(MODE, 0);
        if let Some(prog) = listener {
            let mut bytes = Vec::with_capacity(prog.len() * 8);
            for i in prog {
                bytes.extend_from_slice(&i.code.to_ne_bytes());
                bytes.extend_from_slice(&[i.jt, i.jf]);
                bytes.extend_from_slice(&i.k.to_ne_bytes());
            }
            let len = u64::try_from(bytes.len()).expect("usize fits u64");
            assert!(
                LISTENER_INSNS + len <= LISTENER_INSNS_END,
                "the listener filter fits the control page"
            );
            self.write(LISTENER_INSNS, &bytes);
            let count = u64::try_from(prog.len()).expect("checked above");
            self.set(LISTENER_PROG, count);
            self.set(LISTENER_PROG + 8, a + LISTENER_INSNS);
            self.set(MODE, 1);
        }
        self.state().store(STATE_DONE, Ordering::SeqCst);
        self.death().store(0, Ordering::SeqCst);
        self.set(ROBUST_HEAD, a + ROBUST_ENTRY);
        self.set(ROBUST_HEAD + 8, DEATH.wrapping_sub(ROBUST_ENTRY));
        self.set(ROBUST_HEAD + 16, 0);
        self.set(ROBUST_ENTRY, a + ROBUST_HEAD);
        self.write_stack_t(ALTSTACK_DESC);
    }

    /// Writes the `stack_t` of the thread's signal stack at `off` (for
    /// `sigaltstack`, and in a frame's `uc_stack`).
    pub fn write_stack_t(&self, off: u64) {
        self.set(off, self.stub_addr + ALTSTACK);
        self.set(off + 8, 0);
        self.set(off + 16, REGION_SIZE - ALTSTACK);
    }

    /// The region's address in the stub.
    pub fn stub_addr(&self) -> u64 {
        self.stub_addr
    }

    /// The address of offset `off`, which must be in the region.
    fn at(&self, off: u64, len: u64) -> *mut u8 {
        assert!(
            off.checked_add(len).is_some_and(|e| e <= REGION_SIZE),
            "an offset in the region"
        );
        self.ptr
            .as_ptr()
            .wrapping_add(usize::try_from(off).expect("checked above"))
    }

    fn word(&self, off: u64) -> &AtomicU64 {
        assert!(off.is_multiple_of(8), "an aligned region word");
        let p = self.at(off, 8).cast::<u64>();
        // SAFETY: in bounds and aligned (the mapping is page-aligned); the
        // mapping lives as long as `self`; the memory is only ever accessed
        // atomically or by the other process.
        unsafe { AtomicU64::from_ptr(p) }
    }

    fn word32(&self, off: u64) -> &AtomicU32 {
        assert!(off.is_multiple_of(4), "an aligned region word");
        let p = self.at(off, 4).cast::<u32>();
        // SAFETY: as in `word`.
        unsafe { AtomicU32::from_ptr(p) }
    }

    /// The futex word both sides wait on.
    pub fn state(&self) -> &AtomicU32 {
        self.word32(STATE)
    }

    /// The robust-futex word that marks the thread's death.
    pub fn death(&self) -> &AtomicU32 {
        self.word32(DEATH)
    }

    /// Reads the 8-byte word at `off`.
    pub fn get(&self, off: u64) -> u64 {
        self.word(off).load(Ordering::Relaxed)
    }

    /// Writes the 8-byte word at `off`.
    pub fn set(&self, off: u64, v: u64) {
        self.word(off).store(v, Ordering::Relaxed);
    }

    /// The region offset of stub address `addr` when `[addr, addr+len)` lies
    /// in the signal stack and `addr` is `align`-aligned.
    pub fn offset_of(&self, addr: u64, len: u64, align: u64) -> Option<u64> {
        let off = addr.checked_sub(self.stub_addr)?;
        let end = off.checked_add(len)?;
        (off >= ALTSTACK && end <= REGION_SIZE && addr.is_multiple_of(align)).then_some(off)
    }

    /// Copies `out.len()` bytes from offset `off`.
    pub fn read(&self, off: u64, out: &mut [u8]) {
        let p = self.at(off, u64::try_from(out.len()).expect("usize fits u64"));
        // SAFETY: in bounds (checked by `at`); the stub thread is waiting for
        // a command while the sentry reads, so only a misbehaving application
        // thread could write concurrently, which can change the bytes read but
        // not make the copy touch anything else.
        unsafe { std::ptr::copy_nonoverlapping(p, out.as_mut_ptr(), out.len()) };
    }

    /// Copies `bytes` to offset `off`.
    pub fn write(&self, off: u64, bytes: &[u8]) {
        let p = self.at(off, u64::try_from(bytes.len()).expect("usize fits u64"));
        // SAFETY: as in `read`.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
    }

    /// Reads the 4-byte value at `off`.
    pub fn get_u32(&self, off: u64) -> u32 {
        self.word32(off).load(Ordering::Relaxed)
    }

    /// Writes the 4-byte value at `off`.
    pub fn set_u32(&self, off: u64, v: u32) {
        self.word32(off).store(v, Ordering::Relaxed);
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        let len = usize::try_from(REGION_SIZE).expect("64 KiB fits");
        // SAFETY: the mapping made in `map`, which nothing borrows any more.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), len) };
    }
}

/// Wakes the waiters of a shared futex word.
pub fn futex_wake(word: &AtomicU32) {
    // SAFETY: FUTEX_WAKE only looks at the address.
    unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, 1, 0, 0, 0) };
}

/// Waits until `state` is no longer `val`, for at most `timeout`
/// (spurious returns are possible).
pub fn futex_wait(state: &AtomicU32, val: u32, timeout: std::time::Duration) {
    let ts = libc::timespec {
        tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_nsec: libc::c_long::from(timeout.subsec_nanos().min(999_999_999).cast_signed()),
    };
    // SAFETY: FUTEX_WAIT reads the word, which lives in a mapping that
    // outlives the call, and the timespec, valid for the call.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            state.as_ptr(),
            libc::FUTEX_WAIT,
            val,
            &raw const ts,
            0,
            0,
        )
    };
}

/// Whether host thread `tid` of process `pid` still exists.
pub fn thread_alive(pid: i32, tid: i32) -> bool {
    // SAFETY: tgkill with signal 0 only checks the thread's existence.
    let r = unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}
