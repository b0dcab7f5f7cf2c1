//! What the CLI reads from the host to describe the sandbox: stdio to donate,
//! resource limits, CPU and memory size, CPU capabilities.

use std::os::fd::{AsFd, OwnedFd};

use abi::types::Rlimit;

/// Duplicates of our fds 0-2, donated to the sentry as the workload's.
pub fn stdio() -> anyhow::Result<[OwnedFd; 3]> {
    let dup = |fd: std::os::fd::BorrowedFd<'_>| fd.try_clone_to_owned();
    Ok([
        dup(std::io::stdin().as_fd())?,
        dup(std::io::stdout().as_fd())?,
        dup(std::io::stderr().as_fd())?,
    ])
}

/// The host's limits, inherited by the workload as by a child process.
pub fn rlimits() -> Vec<Rlimit> {
    (0..abi::resource::RLIM_NLIMITS)
        .map(|r| {
            let (cur, max) =
                nix::sys::resource::getrlimit(resource_of(r)).unwrap_or((u64::MAX, u64::MAX));
            Rlimit {
                rlim_cur: cur,
                rlim_max: max,
            }
        })
        .collect()
}

fn resource_of(r: u32) -> nix::sys::resource::Resource {
    use nix::sys::resource::Resource::*;
    match r {
        0 => RLIMIT_CPU,
        1 => RLIMIT_FSIZE,
        2 => RLIMIT_DATA,
        3 => RLIMIT_STACK,
        4 => RLIMIT_CORE,
        5 => RLIMIT_RSS,
        6 => RLIMIT_NPROC,
        7 => RLIMIT_NOFILE,
        8 => RLIMIT_MEMLOCK,
        9 => RLIMIT_AS,
        10 => RLIMIT_LOCKS,
        11 => RLIMIT_SIGPENDING,
        12 => RLIMIT_MSGQUEUE,
        13 => RLIMIT_NICE,
        14 => RLIMIT_RTPRIO,
        _ => RLIMIT_RTTIME,
    }
}

/// The supplementary groups the workload inherits, as a child would.
pub fn groups() -> Vec<u32> {
    nix::unistd::getgroups()
        .map(|g| g.into_iter().map(nix::unistd::Gid::as_raw).collect())
        .unwrap_or_default()
}

/// The nice value the workload inherits, as a child would.
pub fn nice() -> i32 {
    // nix has no getpriority: read field 19 of /proc/self/stat instead.
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            after.split_whitespace().nth(16)?.parse().ok()
        })
        .unwrap_or(0)
}

/// The umask the workload inherits.
pub fn umask() -> u32 {
    use nix::sys::stat::{umask, Mode};
    let old = umask(Mode::empty());
    umask(old);
    old.bits()
}

pub fn num_cpus() -> u32 {
    std::thread::available_parallelism()
        .ok()
        .and_then(|n| u32::try_from(n.get()).ok())
        .unwrap_or(1)
}

pub fn total_ram() -> u64 {
    nix::sys::sysinfo::sysinfo().map_or(1 << 30, |s| s.ram_total())
}

/// `AT_HWCAP` on x86-64: CPUID leaf 1's EDX.
pub fn hwcap() -> u64 {
    let r = std::arch::x86_64::__cpuid(1);
    u64::from(r.edx)
}

/// `AT_HWCAP2` on x86-64: the kernel's own bits (FSGSBASE, ring-3 MWAIT),
/// which only the host kernel knows; read from our own auxiliary vector.
pub fn hwcap2() -> u64 {
    // /proc/self/auxv: pairs of u64 (type, value).
    let Ok(bytes) = std::fs::read("/proc/self/auxv") else {
        return 0;
    };
    bytes
        .chunks_exact(16)
        .map(|c| {
            let k = u64::from_ne_bytes(c[..8].try_into().expect("8 bytes"));
            let v = u64::from_ne_bytes(c[8..].try_into().expect("8 bytes"));
            (k, v)
        })
        .find(|(k, _)| *k == abi::auxv::AT_HWCAP2)
        .map_or(0, |(_, v)| v)
}
