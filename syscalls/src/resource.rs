//! Resource limits and getrusage targets (<asm-generic/resource.h>,
//! <linux/resource.h>).

pub const RLIMIT_CPU: u32 = 0;
pub const RLIMIT_FSIZE: u32 = 1;
pub const RLIMIT_DATA: u32 = 2;
pub const RLIMIT_STACK: u32 = 3;
pub const RLIMIT_CORE: u32 = 4;
pub const RLIMIT_RSS: u32 = 5;
pub const RLIMIT_NPROC: u32 = 6;
pub const RLIMIT_NOFILE: u32 = 7;
pub const RLIMIT_MEMLOCK: u32 = 8;
pub const RLIMIT_AS: u32 = 9;
pub const RLIMIT_LOCKS: u32 = 10;
pub const RLIMIT_SIGPENDING: u32 = 11;
pub const RLIMIT_MSGQUEUE: u32 = 12;
pub const RLIMIT_NICE: u32 = 13;
pub const RLIMIT_RTPRIO: u32 = 14;
pub const RLIMIT_RTTIME: u32 = 15;
/// The number of limits; resources from here up are EINVAL.
pub const RLIM_NLIMITS: u32 = 16;
/// "No limit" in `struct rlimit`/`rlimit64` on x86-64.
pub const RLIM_INFINITY: u64 = u64::MAX;

pub const RUSAGE_SELF: i32 = 0;
pub const RUSAGE_CHILDREN: i32 = -1;
/// getrusage of the calling thread only.
pub const RUSAGE_THREAD: i32 = 1;

const NAMES: [&str; RLIM_NLIMITS as usize] = [
    "RLIMIT_CPU",
    "RLIMIT_FSIZE",
    "RLIMIT_DATA",
    "RLIMIT_STACK",
    "RLIMIT_CORE",
    "RLIMIT_RSS",
    "RLIMIT_NPROC",
    "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK",
    "RLIMIT_AS",
    "RLIMIT_LOCKS",
    "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
];

/// The name of resource `r`, "RLIMIT_NOFILE".
pub fn rlimit_name(r: u32) -> Option<&'static str> {
    NAMES.get(usize::try_from(r).ok()?).copied()
}

/// The name of a getrusage target, "RUSAGE_SELF".
pub fn rusage_who_name(who: i32) -> Option<&'static str> {
    Some(match who {
        RUSAGE_SELF => "RUSAGE_SELF",
        RUSAGE_CHILDREN => "RUSAGE_CHILDREN",
        RUSAGE_THREAD => "RUSAGE_THREAD",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rlimit_names_stop_at_nlimits() {
        assert_eq!(rlimit_name(RLIMIT_NOFILE), Some("RLIMIT_NOFILE"));
        assert_eq!(rlimit_name(RLIMIT_RTTIME), Some("RLIMIT_RTTIME"));
        assert_eq!(rlimit_name(RLIM_NLIMITS), None);
        assert_eq!(rusage_who_name(-1), Some("RUSAGE_CHILDREN"));
    }
}
