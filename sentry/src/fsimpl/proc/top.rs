//! The files at the top of `/proc` and under `/proc/sys`: the sandbox's
//! own memory, CPUs, uptime and settings.

use std::fmt::Write as _;

use abi::Errno;

use super::ProcFs;
use crate::kernel::process::{ProcState, Ticks};
use crate::kernel::Kernel;
use crate::vfs::inotify;

/// A file outside the process directories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopFile {
    Cpuinfo,
    Filesystems,
    Loadavg,
    Meminfo,
    Stat,
    Uptime,
    Version,
    // /proc/sys/kernel
    CapLastCap,
    Domainname,
    Hostname,
    NgroupsMax,
    Osrelease,
    Ostype,
    OverflowGid,
    OverflowUid,
    PidMax,
    Sem,
    ShmAll,
    ShmMax,
    ShmMni,
    MsgMax,
    MsgMnb,
    MsgMni,
    BootId,
    Uuid,
    ThreadsMax,
    KernelVersion,
    // /proc/sys/vm
    MaxMapCount,
    MmapMinAddr,
    OvercommitMemory,
    // /proc/sys/fs
    FileMax,
    MaxQueuedEvents,
    MaxUserInstances,
    MaxUserWatches,
    NrOpen,
    PipeMaxSize,
    // /proc/sys/net/core
    Somaxconn,
}

impl TopFile {
    /// Whether it is a setting under `/proc/sys`.
    pub fn is_sysctl(self) -> bool {
        use TopFile::*;
        !matches!(
            self,
            Cpuinfo | Filesystems | Loadavg | Meminfo | Stat | Uptime | Version
        )
    }

    /// The permission bits, as Linux's.
    pub fn mode(self) -> u32 {
        use TopFile::*;
        match self {
            Cpuinfo | Filesystems | Loadavg | Meminfo | Stat | Uptime | Version | CapLastCap
            | NgroupsMax | Osrelease | Ostype | BootId | Uuid | KernelVersion => 0o444,
            _ => 0o644,
        }
    }
}

/// An entry of `/proc` or `/proc/sys`.
#[derive(Clone, Copy, Debug)]
pub enum Sys {
    Dir(&'static [(&'static str, Sys)]),
    File(TopFile),
    Link(&'static str),
}

use Sys::{Dir, File};

const KERNEL_RANDOM: &[(&str, Sys)] = &[
    ("boot_id", File(TopFile::BootId)),
    ("uuid", File(TopFile::Uuid)),
];

const KERNEL: &[(&str, Sys)] = &[
    ("cap_last_cap", File(TopFile::CapLastCap)),
    ("domainname", File(TopFile::Domainname)),
    ("hostname", File(TopFile::Hostname)),
    ("msgmax", File(TopFile::MsgMax)),
    ("msgmnb", File(TopFile::MsgMnb)),
    ("msgmni", File(TopFile::MsgMni)),
    ("ngroups_max", File(TopFile::NgroupsMax)),
    ("osrelease", File(TopFile::Osrelease)),
    ("ostype", File(TopFile::Ostype)),
    ("overflowgid", File(TopFile::OverflowGid)),
    ("overflowuid", File(TopFile::OverflowUid)),
    ("pid_max", File(TopFile::PidMax)),
    ("random", Dir(KERNEL_RANDOM)),
    ("sem", File(TopFile::Sem)),
    ("shmall", File(TopFile::ShmAll)),
    ("shmmax", File(TopFile::ShmMax)),
    ("shmmni", File(TopFile::ShmMni)),
    ("threads-max", File(TopFile::ThreadsMax)),
    ("version", File(TopFile::KernelVersion)),
];

const VM: &[(&str, Sys)] = &[
    ("max_map_count", File(TopFile::MaxMapCount)),
    ("mmap_min_addr", File(TopFile::MmapMinAddr)),
    ("overcommit_memory", File(TopFile::OvercommitMemory)),
];

const FS_INOTIFY: &[(&str, Sys)] = &[
    ("max_queued_events", File(TopFile::MaxQueuedEvents)),
    ("max_user_instances", File(TopFile::MaxUserInstances)),
    ("max_user_watches", File(TopFile::MaxUserWatches)),
];

const FS: &[(&str, Sys)] = &[
    ("file-max", File(TopFile::FileMax)),
    ("inotify", Dir(FS_INOTIFY)),
    ("nr_open", File(TopFile::NrOpen)),
    ("pipe-max-size", File(TopFile::PipeMaxSize)),
];

const NET_CORE: &[(&str, Sys)] = &[("somaxconn", File(TopFile::Somaxconn))];

const NET: &[(&str, Sys)] = &[("core", Dir(NET_CORE))];

const SYS: &[(&str, Sys)] = &[
    ("fs", Dir(FS)),
    ("kernel", Dir(KERNEL)),
    ("net", Dir(NET)),
    ("vm", Dir(VM)),
];

/// The fixed entries of `/proc` (`self`, `thread-self` and the pids
/// follow).
pub const ROOT: &[(&str, Sys)] = &[
    ("cpuinfo", File(TopFile::Cpuinfo)),
    ("filesystems", File(TopFile::Filesystems)),
    ("loadavg", File(TopFile::Loadavg)),
    ("meminfo", File(TopFile::Meminfo)),
    ("mounts", Sys::Link("self/mounts")),
    ("stat", File(TopFile::Stat)),
    ("sys", Dir(SYS)),
    ("uptime", File(TopFile::Uptime)),
    ("version", File(TopFile::Version)),
];

/// What a file shows, generated now.
pub(super) fn generate(fs: &ProcFs, f: TopFile) -> Result<Vec<u8>, Errno> {
    let k = fs.kernel()?;
    let line = |v: &dyn std::fmt::Display| format!("{v}\n").into_bytes();
    let text = |b: &[u8]| {
        let mut v = b.to_vec();
        v.push(b'\n');
        v
    };
    Ok(match f {
        TopFile::Cpuinfo => cpuinfo(&k).into_bytes(),
        TopFile::Filesystems => FILESYSTEMS.as_bytes().to_vec(),
        TopFile::Loadavg => loadavg(&k).into_bytes(),
        TopFile::Meminfo => meminfo(&k).into_bytes(),
        TopFile::Stat => stat(&k).into_bytes(),
        TopFile::Uptime => {
            let (up, idle) = uptime(&k);
            format!("{up:.2} {idle:.2}\n").into_bytes()
        }
        TopFile::Version => format!(
            "Linux version {} (runsc@sandbox) (runsc) {}\n",
            String::from_utf8_lossy(crate::kernel::RELEASE),
            String::from_utf8_lossy(crate::kernel::VERSION)
        )
        .into_bytes(),
        TopFile::CapLastCap => line(&crate::kernel::CAP_LAST_CAP),
        TopFile::Domainname => text(&k.domainname.lock()),
        TopFile::Hostname => text(&k.hostname.lock()),
        TopFile::NgroupsMax => line(&65536),
        TopFile::Osrelease => text(crate::kernel::RELEASE),
        TopFile::Ostype => line(&"Linux"),
        TopFile::OverflowGid | TopFile::OverflowUid => line(&65534),
        TopFile::PidMax => line(&crate::kernel::process::PID_MAX),
        TopFile::Sem => {
            use abi::ipc::{SEMMNI, SEMMNS, SEMMSL, SEMOPM};
            format!("{SEMMSL}\t{SEMMNS}\t{SEMOPM}\t{SEMMNI}\n").into_bytes()
        }
        TopFile::ShmAll => line(&abi::ipc::SHMALL),
        TopFile::ShmMax => line(&abi::ipc::SHMMAX),
        TopFile::ShmMni => line(&abi::ipc::SHMMNI),
        TopFile::MsgMax => line(&abi::ipc::MSGMAX),
        TopFile::MsgMnb => line(&abi::ipc::MSGMNB),
        TopFile::MsgMni => line(&abi::ipc::MSGMNI),
        TopFile::BootId => line(&fs.boot_id),
        TopFile::Uuid => {
            let mut id = [0u8; 16];
            getrandom::fill(&mut id).map_err(|_| Errno::EIO)?;
            line(&super::uuid_text(&id))
        }
        // Linux's default: a thread stack (16 KiB) per 8 pages of memory.
        TopFile::ThreadsMax => line(&(k.total_ram / (8 * 16384)).clamp(20, 0x3fff_ffff)),
        TopFile::KernelVersion => text(crate::kernel::VERSION),
        TopFile::MaxMapCount => line(&65530),
        TopFile::MmapMinAddr => line(&crate::mm::MIN_ADDR),
        TopFile::OvercommitMemory => line(&0),
        TopFile::FileMax => line(&i64::MAX),
        TopFile::MaxQueuedEvents => line(&inotify::MAX_QUEUED_EVENTS),
        TopFile::MaxUserInstances => line(&inotify::MAX_USER_INSTANCES),
        TopFile::MaxUserWatches => line(&inotify::max_user_watches(k.total_ram)),
        TopFile::NrOpen => line(&crate::fd::NR_OPEN),
        TopFile::PipeMaxSize => line(&1_048_576),
        TopFile::Somaxconn => line(&4096),
    })
}

/// A write: the host and domain names can be set (as sethostname(2)
/// sets them); the other settings are fixed in the sandbox (EPERM, where
/// Linux would change them).
pub(super) fn store(fs: &ProcFs, f: TopFile, buf: &[u8]) -> Result<usize, Errno> {
    let k = fs.kernel()?;
    let target = match f {
        TopFile::Hostname => &k.hostname,
        TopFile::Domainname => &k.domainname,
        _ if f.is_sysctl() => return Err(Errno::EPERM),
        // proc_reg_write of a file with no write operation.
        _ => return Err(Errno::EIO),
    };
    // proc_dostring: the text up to a newline or NUL, at most 64 bytes.
    let end = buf
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .unwrap_or(buf.len());
    let name = &buf[..end.min(64)];
    *target.lock() = name.to_vec();
    Ok(buf.len())
}

const FILESYSTEMS: &str =
    "nodev\tsysfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\toverlay\nnodev\t9p\n";

/// CPU time of every process since boot: the live ones and, through
/// their parents' children counts, the reaped ones.
fn busy(k: &Kernel) -> Ticks {
    let tree = k.tree.lock();
    let mut total = Ticks::default();
    for p in tree.procs.values() {
        total += if matches!(p.state, ProcState::Zombie(_)) {
            p.ticks
        } else {
            tree.process_cpu(p.tgid)
        };
        total += p.children_ticks;
    }
    total
}

/// Seconds since boot, and seconds the CPUs were idle.
fn uptime(k: &Kernel) -> (f64, f64) {
    let up = k.boot_instant.elapsed().as_secs_f64();
    let b = busy(k);
    #[allow(clippy::cast_precision_loss)]
    let used = (b.user + b.system) as f64 / 1e9;
    let idle = (up * f64::from(k.num_cpus) - used).max(0.0);
    (up, idle)
}

/// Threads running application code now, and all threads.
fn running(k: &Kernel) -> (usize, usize) {
    let tree = k.tree.lock();
    let all = tree.threads.len();
    let on_cpu = tree
        .threads
        .values()
        .filter(|e| e.shared.in_app.load(std::sync::atomic::Ordering::Relaxed))
        .count();
    // The reader runs too.
    (on_cpu + 1, all)
}

fn loadavg(k: &Kernel) -> String {
    let (run, all) = running(k);
    let last = k.tree.lock().last_pid();
    format!("0.00 0.00 0.00 {}/{all} {last}\n", run.min(all))
}

fn stat(k: &Kernel) -> String {
    let ncpu = u64::from(k.num_cpus.max(1));
    let b = busy(k);
    let ticks = |ns: i64| u64::try_from(ns / 10_000_000).unwrap_or(0);
    let (user, system) = (ticks(b.user), ticks(b.system));
    let up = u64::try_from(k.boot_instant.elapsed().as_millis() / 10).unwrap_or(u64::MAX);
    let idle = (up * ncpu).saturating_sub(user + system);
    let mut o = String::new();
    let _ = writeln!(o, "cpu  {user} 0 {system} {idle} 0 0 0 0 0 0");
    for i in 0..ncpu {
        let _ = writeln!(
            o,
            "cpu{i} {} 0 {} {} 0 0 0 0 0 0",
            user / ncpu,
            system / ncpu,
            idle / ncpu
        );
    }
    let btime = k
        .boot_realtime
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (run, _) = running(k);
    let forks = k.tree.lock().forks();
    let _ = writeln!(o, "intr 0");
    let _ = writeln!(o, "ctxt 0");
    let _ = writeln!(o, "btime {btime}");
    let _ = writeln!(o, "processes {forks}");
    let _ = writeln!(o, "procs_running {run}");
    let _ = writeln!(o, "procs_blocked 0");
    let _ = writeln!(o, "softirq 0 0 0 0 0 0 0 0 0 0 0");
    o
}

fn meminfo(k: &Kernel) -> String {
    let total = k.total_ram;
    let free = k.free_ram();
    let used = total - free;
    let mut o = String::new();
    let mut kb = |name: &str, bytes: u64| {
        let _ = writeln!(o, "{:<16}{:>8} kB", format!("{name}:"), bytes / 1024);
    };
    kb("MemTotal", total);
    kb("MemFree", free);
    kb("MemAvailable", free);
    for name in ["Buffers", "Cached", "SwapCached"] {
        kb(name, 0);
    }
    kb("Active", used);
    kb("Inactive", 0);
    kb("Active(anon)", used);
    for name in [
        "Inactive(anon)",
        "Active(file)",
        "Inactive(file)",
        "Unevictable",
        "Mlocked",
        "SwapTotal",
        "SwapFree",
        "Dirty",
        "Writeback",
    ] {
        kb(name, 0);
    }
    kb("AnonPages", used);
    for name in [
        "Mapped",
        "Shmem",
        "KReclaimable",
        "Slab",
        "SReclaimable",
        "SUnreclaim",
        "KernelStack",
        "PageTables",
        "NFS_Unstable",
        "Bounce",
        "WritebackTmp",
    ] {
        kb(name, 0);
    }
    kb("CommitLimit", total / 2);
    kb("Committed_AS", used);
    kb("VmallocTotal", 34_359_738_367 * 1024);
    for name in [
        "VmallocUsed",
        "VmallocChunk",
        "Percpu",
        "HardwareCorrupted",
        "AnonHugePages",
        "ShmemHugePages",
        "ShmemPmdMapped",
        "FileHugePages",
        "FilePmdMapped",
    ] {
        kb(name, 0);
    }
    for name in [
        "HugePages_Total",
        "HugePages_Free",
        "HugePages_Rsvd",
        "HugePages_Surp",
    ] {
        let _ = writeln!(o, "{:<16}{:>5}", format!("{name}:"), 0);
    }
    let mut kb = |name: &str, bytes: u64| {
        let _ = writeln!(o, "{:<16}{:>8} kB", format!("{name}:"), bytes / 1024);
    };
    kb("Hugepagesize", 2 << 20);
    kb("Hugetlb", 0);
    o
}

/// What the CPU says of itself.
#[derive(Debug, Default)]
struct Cpu {
    vendor: String,
    family: u32,
    model: u32,
    stepping: u32,
    brand: String,
    max_leaf: u32,
    mhz: u32,
    cache_kb: u32,
    phys_bits: u32,
    virt_bits: u32,
    flags: Vec<&'static str>,
}

/// `cpuid` leaf and subleaf.
fn cpuid(leaf: u32, sub: u32) -> [u32; 4] {
    let r = std::arch::x86_64::__cpuid_count(leaf, sub);
    [r.eax, r.ebx, r.ecx, r.edx]
}

/// Linux's names for feature bits, by register: (bit, name).
const EDX1: &[(u32, &str)] = &[
    (0, "fpu"),
    (1, "vme"),
    (2, "de"),
    (3, "pse"),
    (4, "tsc"),
    (5, "msr"),
    (6, "pae"),
    (7, "mce"),
    (8, "cx8"),
    (9, "apic"),
    (11, "sep"),
    (12, "mtrr"),
    (13, "pge"),
    (14, "mca"),
    (15, "cmov"),
    (16, "pat"),
    (17, "pse36"),
    (18, "pn"),
    (19, "clflush"),
    (21, "dts"),
    (22, "acpi"),
    (23, "mmx"),
    (24, "fxsr"),
    (25, "sse"),
    (26, "sse2"),
    (27, "ss"),
    (28, "ht"),
    (29, "tm"),
    (30, "ia64"),
    (31, "pbe"),
];
const EDX_EXT: &[(u32, &str)] = &[
    (11, "syscall"),
    (19, "mp"),
    (20, "nx"),
    (22, "mmxext"),
    (25, "fxsr_opt"),
    (26, "pdpe1gb"),
    (27, "rdtscp"),
    (29, "lm"),
    (30, "3dnowext"),
    (31, "3dnow"),
];
const ECX1: &[(u32, &str)] = &[
    (0, "pni"),
    (1, "pclmulqdq"),
    (2, "dtes64"),
    (3, "monitor"),
    (4, "ds_cpl"),
    (5, "vmx"),
    (6, "smx"),
    (7, "est"),
    (8, "tm2"),
    (9, "ssse3"),
    (10, "cid"),
    (11, "sdbg"),
    (12, "fma"),
    (13, "cx16"),
    (14, "xtpr"),
    (15, "pdcm"),
    (17, "pcid"),
    (18, "dca"),
    (19, "sse4_1"),
    (20, "sse4_2"),
    (21, "x2apic"),
    (22, "movbe"),
    (23, "popcnt"),
    (24, "tsc_deadline_timer"),
    (25, "aes"),
    (26, "xsave"),
    (28, "avx"),
    (29, "f16c"),
    (30, "rdrand"),
    (31, "hypervisor"),
];
const ECX_EXT: &[(u32, &str)] = &[
    (0, "lahf_lm"),
    (1, "cmp_legacy"),
    (2, "svm"),
    (3, "extapic"),
    (4, "cr8_legacy"),
    (5, "abm"),
    (6, "sse4a"),
    (7, "misalignsse"),
    (8, "3dnowprefetch"),
    (9, "osvw"),
    (10, "ibs"),
    (11, "xop"),
    (12, "skinit"),
    (13, "wdt"),
    (15, "lwp"),
    (16, "fma4"),
    (17, "tce"),
    (19, "nodeid_msr"),
    (21, "tbm"),
    (22, "topoext"),
    (23, "perfctr_core"),
    (24, "perfctr_nb"),
    (26, "bpext"),
    (27, "ptsc"),
    (28, "perfctr_llc"),
    (29, "mwaitx"),
];
const EBX7: &[(u32, &str)] = &[
    (0, "fsgsbase"),
    (1, "tsc_adjust"),
    (2, "sgx"),
    (3, "bmi1"),
    (4, "hle"),
    (5, "avx2"),
    (7, "smep"),
    (8, "bmi2"),
    (9, "erms"),
    (10, "invpcid"),
    (11, "rtm"),
    (12, "cqm"),
    (14, "mpx"),
    (15, "rdt_a"),
    (16, "avx512f"),
    (17, "avx512dq"),
    (18, "rdseed"),
    (19, "adx"),
    (20, "smap"),
    (21, "avx512ifma"),
    (23, "clflushopt"),
    (24, "clwb"),
    (25, "intel_pt"),
    (26, "avx512pf"),
    (27, "avx512er"),
    (28, "avx512cd"),
    (29, "sha_ni"),
    (30, "avx512bw"),
    (31, "avx512vl"),
];
const XSAVE1: &[(u32, &str)] = &[
    (0, "xsaveopt"),
    (1, "xsavec"),
    (2, "xgetbv1"),
    (3, "xsaves"),
];
const ECX7: &[(u32, &str)] = &[
    (1, "avx512vbmi"),
    (2, "umip"),
    (3, "pku"),
    (4, "ospke"),
    (5, "waitpkg"),
    (6, "avx512_vbmi2"),
    (8, "gfni"),
    (9, "vaes"),
    (10, "vpclmulqdq"),
    (11, "avx512_vnni"),
    (12, "avx512_bitalg"),
    (13, "tme"),
    (14, "avx512_vpopcntdq"),
    (16, "la57"),
    (22, "rdpid"),
    (24, "bus_lock_detect"),
    (25, "cldemote"),
    (27, "movdiri"),
    (28, "movdir64b"),
    (29, "enqcmd"),
    (30, "sgx_lc"),
];
const EDX7: &[(u32, &str)] = &[
    (2, "avx512_4vnniw"),
    (3, "avx512_4fmaps"),
    (4, "fsrm"),
    (8, "avx512_vp2intersect"),
    (10, "md_clear"),
    (14, "serialize"),
    (16, "tsxldtrk"),
    (18, "pconfig"),
    (19, "arch_lbr"),
    (20, "ibt"),
    (22, "amx_bf16"),
    (23, "avx512_fp16"),
    (24, "amx_tile"),
    (25, "amx_int8"),
    (28, "flush_l1d"),
    (29, "arch_capabilities"),
];

fn cpu() -> Cpu {
    let mut c = Cpu::default();
    let [max, b, cx, d] = cpuid(0, 0);
    c.max_leaf = max;
    c.vendor = [b, d, cx]
        .iter()
        .flat_map(|r| r.to_le_bytes())
        .map(char::from)
        .collect();
    let [eax1, _, ecx1, edx1] = cpuid(1, 0);
    let base_family = (eax1 >> 8) & 0xf;
    c.family = if base_family == 0xf {
        base_family + ((eax1 >> 20) & 0xff)
    } else {
        base_family
    };
    c.model = (eax1 >> 4) & 0xf;
    if base_family == 0x6 || base_family == 0xf {
        c.model |= ((eax1 >> 16) & 0xf) << 4;
    }
    c.stepping = eax1 & 0xf;
    let [max_ext, ..] = cpuid(0x8000_0000, 0);
    let (mut ecx_ext, mut edx_ext) = (0, 0);
    if max_ext >= 0x8000_0001 {
        let r = cpuid(0x8000_0001, 0);
        (ecx_ext, edx_ext) = (r[2], r[3]);
    }
    if max_ext >= 0x8000_0004 {
        let bytes: Vec<u8> = (0x8000_0002..=0x8000_0004)
            .flat_map(|l| cpuid(l, 0))
            .flat_map(u32::to_le_bytes)
            .take_while(|&b| b != 0)
            .collect();
        c.brand = String::from_utf8_lossy(&bytes).trim().to_owned();
    }
    if max_ext >= 0x8000_0008 {
        let a = cpuid(0x8000_0008, 0)[0];
        c.phys_bits = a & 0xff;
        c.virt_bits = (a >> 8) & 0xff;
    }
    let (mut ebx7, mut ecx7, mut edx7, mut xsave1) = (0, 0, 0, 0);
    if max >= 7 {
        let r = cpuid(7, 0);
        (ebx7, ecx7, edx7) = (r[1], r[2], r[3]);
    }
    if max >= 0xd {
        xsave1 = cpuid(0xd, 1)[0];
    }
    if max >= 0x16 {
        c.mhz = cpuid(0x16, 0)[0] & 0xffff;
    }
    if c.mhz == 0 && ecx1 & (1 << 31) != 0 && cpuid(0x4000_0000, 0)[0] >= 0x4000_0010 {
        // The hypervisor's timing leaf: the TSC's frequency in kHz.
        c.mhz = cpuid(0x4000_0010, 0)[0] / 1000;
    }
    if c.mhz == 0 {
        c.mhz = mhz_of_brand(&c.brand);
    }
    c.cache_kb = cache_kb(max, max_ext);
    for (reg, names) in [
        (edx1, EDX1),
        (edx_ext, EDX_EXT),
        (ecx1, ECX1),
        (ecx_ext, ECX_EXT),
        (ebx7, EBX7),
        (xsave1, XSAVE1),
        (ecx7, ECX7),
        (edx7, EDX7),
    ] {
        for &(bit, name) in names {
            if reg & (1 << bit) != 0 {
                c.flags.push(name);
            }
        }
    }
    c
}

/// The frequency a brand string names ("... @ 2.20GHz"), in MHz.
fn mhz_of_brand(brand: &str) -> u32 {
    let Some(at) = brand.rfind('@') else {
        return 0;
    };
    let s = brand[at + 1..].trim();
    let Some(num) = s.strip_suffix("GHz") else {
        return 0;
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    num.trim()
        .parse::<f64>()
        .map_or(0, |g| (g * 1000.0).round() as u32)
}

/// The cache size Linux shows, in KiB: the largest of Intel's
/// deterministic cache leaf, else AMD's L2.
fn cache_kb(max: u32, max_ext: u32) -> u32 {
    let mut best = 0;
    if max >= 4 {
        for sub in 0..16 {
            let [a, b, c, _] = cpuid(4, sub);
            if a & 0x1f == 0 {
                break;
            }
            let ways = (b >> 22) + 1;
            let parts = ((b >> 12) & 0x3ff) + 1;
            let line = (b & 0xfff) + 1;
            let sets = c + 1;
            best = best.max(ways * parts * line * sets / 1024);
        }
    }
    if best == 0 && max_ext >= 0x8000_0006 {
        // Linux shows AMD's L2 here.
        best = cpuid(0x8000_0006, 0)[2] >> 16;
    }
    best
}

fn cpuinfo(k: &Kernel) -> String {
    let c = cpu();
    let n = k.num_cpus.max(1);
    let mut o = String::new();
    for i in 0..n {
        let _ = writeln!(o, "processor\t: {i}");
        let _ = writeln!(o, "vendor_id\t: {}", c.vendor);
        let _ = writeln!(o, "cpu family\t: {}", c.family);
        let _ = writeln!(o, "model\t\t: {}", c.model);
        let _ = writeln!(o, "model name\t: {}", c.brand);
        let _ = writeln!(o, "stepping\t: {}", c.stepping);
        let _ = writeln!(o, "cpu MHz\t\t: {}.000", c.mhz);
        let _ = writeln!(o, "cache size\t: {} KB", c.cache_kb);
        let _ = writeln!(o, "physical id\t: 0");
        let _ = writeln!(o, "siblings\t: {n}");
        let _ = writeln!(o, "core id\t\t: {i}");
        let _ = writeln!(o, "cpu cores\t: {n}");
        let _ = writeln!(o, "apicid\t\t: {i}");
        let _ = writeln!(o, "initial apicid\t: {i}");
        let _ = writeln!(o, "fpu\t\t: yes");
        let _ = writeln!(o, "fpu_exception\t: yes");
        let _ = writeln!(o, "cpuid level\t: {}", c.max_leaf);
        let _ = writeln!(o, "wp\t\t: yes");
        let _ = writeln!(o, "flags\t\t: {}", c.flags.join(" "));
        let _ = writeln!(o, "bugs\t\t:");
        let _ = writeln!(o, "bogomips\t: {}.00", u64::from(c.mhz) * 2);
        let _ = writeln!(o, "clflush size\t: 64");
        let _ = writeln!(o, "cache_alignment\t: 64");
        let _ = writeln!(
            o,
            "address sizes\t: {} bits physical, {} bits virtual",
            c.phys_bits, c.virt_bits
        );
        let _ = writeln!(o, "power management:");
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_strings_give_frequencies() {
        assert_eq!(mhz_of_brand("Intel(R) Xeon(R) CPU @ 2.20GHz"), 2200);
        assert_eq!(mhz_of_brand("AMD EPYC 7B12"), 0);
    }

    #[test]
    fn the_cpu_names_its_vendor_and_basic_features() {
        let c = cpu();
        assert_eq!(c.vendor.len(), 12);
        assert!(c.flags.contains(&"fpu"));
        assert!(c.flags.contains(&"lm"));
    }
}
