//! In-process costs of the syscall path that the side-by-side runner cannot
//! separate from the platform: table dispatch with argument decoding and a
//! copy-out, and `--strace` argument formatting.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sentry::syscalls::dispatch;
use sentry::testing::{set_call, task, SCRATCH};

fn dispatch_benches(c: &mut Criterion) {
    let mut t = task();
    c.bench_function("dispatch getppid", |b| {
        b.iter(|| {
            set_call(&mut t, abi::sysno::GETPPID, [0; 6]);
            black_box(dispatch(&mut t))
        })
    });
    c.bench_function("dispatch clock_gettime (copy-out)", |b| {
        b.iter(|| {
            set_call(&mut t, abi::sysno::CLOCK_GETTIME, [1, SCRATCH, 0, 0, 0, 0]);
            black_box(dispatch(&mut t))
        })
    });
    c.bench_function("dispatch unknown number (ENOSYS)", |b| {
        b.iter(|| {
            set_call(&mut t, 1000, [0; 6]);
            black_box(dispatch(&mut t))
        })
    });
}

struct NoMemory;

impl abi::strace::MemReader for NoMemory {
    fn read_bytes(&self, _: u64, len: usize) -> Option<Vec<u8>> {
        Some(vec![b'x'; len])
    }
    fn read_cstr(&self, _: u64, _: usize) -> Option<Vec<u8>> {
        Some(b"/usr/lib/x86_64-linux-gnu/libc.so.6".to_vec())
    }
}

fn decode_benches(c: &mut Criterion) {
    let mmap = [0, 4096, 3, 0x22, u64::MAX, 0];
    c.bench_function("format mmap call", |b| {
        b.iter(|| black_box(abi::strace::format_call(9, black_box(&mmap), &NoMemory)))
    });
    let openat = [(-100i64).cast_unsigned(), 0x1000, 0o2_000_000, 0, 0, 0];
    c.bench_function("format openat call", |b| {
        b.iter(|| black_box(abi::strace::format_call(257, black_box(&openat), &NoMemory)))
    });
    let write = [1, 0x1000, 6, 0, 0, 0];
    c.bench_function("format write return", |b| {
        b.iter(|| {
            black_box(abi::strace::format_return(
                1,
                black_box(&write),
                6,
                &NoMemory,
            ))
        })
    });
}

criterion_group!(benches, dispatch_benches, decode_benches);
criterion_main!(benches);
