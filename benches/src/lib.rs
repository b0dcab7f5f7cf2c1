//! Benchmarks: the side-by-side runner's pieces (criterion benches for
//! in-process paths come later).
//!
//! The runner (`src/bin/side-by-side.rs`) builds `progs/*.c`, measures each
//! natively, under our `runsc` and under gVisor's, measures the
//! PTRACE_SYSEMU floor, and rewrites `BENCHMARKS.md`. It owns no sandbox
//! code and must never be a dependency of one; no test asserts a timing.

pub mod floor;
pub mod machine;
pub mod progs;
pub mod report;
pub mod run;
pub mod sandboxes;
pub mod suite;
