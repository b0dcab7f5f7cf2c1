//! The ELF loader: maps a static or static-PIE executable into a fresh
//! address space and builds the initial stack exactly as Linux's
//! `load_elf_binary` and `create_elf_tables` do.

use abi::auxv::*;
use abi::Errno;
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};
use goblin::elf::{header, Elf};
use platform::Access;

use crate::mm::{
    page_round_down, page_round_up, Layout, MapRequest, MappedFile, MemoryManager, Placement,
    VmaKind, PAGE,
};

/// Linux's `stack_expand`: the initial stack VMA reaches this far below
/// the arguments.
const STACK_EXPAND: u64 = 128 * 1024;
/// `AT_CLKTCK`: `USER_HZ`.
const CLOCK_TICKS: u64 = 100;
/// `AT_MINSIGSTKSZ` on x86-64 without AMX state.
const MIN_SIGSTKSZ: u64 = 2048;
const PLATFORM: &[u8] = b"x86_64";

/// Why a program could not be loaded. Each maps to the errno `execve` gives.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("not an ELF executable")]
    NotElf,
    #[error("not an x86-64 executable")]
    WrongArch,
    #[error("dynamically linked executables need the filesystem, which is not there yet")]
    Dynamic,
    #[error("malformed ELF: {0}")]
    Malformed(String),
    #[error("mapping the executable: {0:?}")]
    Map(Errno),
}

impl LoadError {
    /// The errno `execve` reports for this failure.
    pub fn errno(&self) -> Errno {
        match self {
            LoadError::NotElf | LoadError::WrongArch | LoadError::Malformed(_) => Errno::ENOEXEC,
            LoadError::Dynamic => Errno::ENOENT,
            LoadError::Map(e) => *e,
        }
    }
}

/// Identity values that go into the auxiliary vector.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuxIds {
    pub uid: u32,
    pub euid: u32,
    pub gid: u32,
    pub egid: u32,
}

/// What the loader needs besides the file.
#[derive(Debug)]
pub struct LoadArgs<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// The path the program was executed as (`AT_EXECFN`).
    pub execfn: &'a [u8],
    pub ids: AuxIds,
    pub hwcap: u64,
    pub hwcap2: u64,
    /// The stack rlimit, for where `mmap` placement starts.
    pub stack_limit: u64,
    /// Where the read-only segments of images loaded before are kept.
    pub segments: Option<&'a SegmentCache>,
    /// `AT_SECURE`: the exec changed identity (set-id bits).
    pub secure: bool,
    /// The files of the executable and the interpreter, for
    /// `/proc/pid/maps`.
    pub exe_file: Option<MappedFile>,
    pub interp_file: Option<MappedFile>,
}

/// Memory-file ranges already filled, by what filled them. Each entry
/// holds one reference to its range.
#[derive(Debug)]
pub struct PageCache<K> {
    entries: parking_lot::Mutex<std::collections::HashMap<K, (u64, u64)>>,
}

impl<K> Default for PageCache<K> {
    fn default() -> Self {
        PageCache {
            entries: parking_lot::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

/// The memory of read-only segments already loaded, by (image, segment):
/// exec of a program the sandbox ran before shares its text and constants
/// instead of copying them again.
pub type SegmentCache = PageCache<(usize, usize)>;

impl<K: std::hash::Hash + Eq + Copy> PageCache<K> {
    /// The range cached for `key`.
    pub fn get(&self, key: &K) -> Option<(u64, u64)> {
        self.entries.lock().get(key).copied()
    }

    /// Caches `range` for `key`; false if there was one (the caller keeps
    /// its own range then).
    pub fn put(&self, key: K, range: (u64, u64)) -> bool {
        let mut e = self.entries.lock();
        if e.contains_key(&key) {
            return false;
        }
        e.insert(key, range);
        true
    }
}

/// The result of loading: where the first thread starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loaded {
    pub entry: u64,
    pub stack_pointer: u64,
    pub brk_start: u64,
}

/// The host's entropy.
#[derive(Debug, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) {
        // The host's entropy source cannot fail after boot on Linux.
        getrandom::fill(buf).expect("host getrandom");
    }
}

/// The layout of `ADDR_NO_RANDOMIZE`: every offset is 0, while
/// `AT_RANDOM` still gets the host's entropy.
#[derive(Debug, Default)]
pub struct FixedLayout;

impl Random for FixedLayout {
    fn fill(&mut self, buf: &mut [u8]) {
        OsRandom.fill(buf);
    }
    fn below(&mut self, _n: u64) -> u64 {
        0
    }
}

/// A source of randomness for address-space layout and `AT_RANDOM`.
pub trait Random {
    fn fill(&mut self, buf: &mut [u8]);
    fn below(&mut self, n: u64) -> u64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        if n == 0 {
            0
        } else {
            u64::from_le_bytes(b) % n
        }
    }
}

/// Parses and checks an x86-64 executable or shared object.
fn parse(image: &[u8]) -> Result<Elf<'_>, LoadError> {
    if image.len() < 4 || &image[..4] != b"\x7fELF" {
        return Err(LoadError::NotElf);
    }
    let elf = Elf::parse(image).map_err(|e| LoadError::Malformed(e.to_string()))?;
    if !elf.is_64 || elf.header.e_machine != header::EM_X86_64 {
        return Err(LoadError::WrongArch);
    }
    if elf.header.e_type != header::ET_EXEC && elf.header.e_type != header::ET_DYN {
        return Err(LoadError::NotElf);
    }
    Ok(elf)
}

/// The `PT_INTERP` path of an executable (without its NUL), if it has
/// one: the dynamic linker exec must load with it.
pub fn interpreter(image: &[u8]) -> Result<Option<Vec<u8>>, LoadError> {
    let elf = parse(image)?;
    let Some(p) = elf.program_headers.iter().find(|p| p.p_type == PT_INTERP) else {
        return Ok(None);
    };
    let bytes = usize::try_from(p.p_offset)
        .ok()
        .zip(usize::try_from(p.p_offset.saturating_add(p.p_filesz)).ok())
        .and_then(|(f, t)| image.get(f..t))
        .ok_or_else(|| LoadError::Malformed("PT_INTERP beyond the file".into()))?;
    if bytes.len() < 2 || bytes.len() > 4096 {
        return Err(LoadError::Malformed("PT_INTERP size".into()));
    }
    let path = bytes.split(|&b| b == 0).next().unwrap_or(bytes);
    Ok(Some(path.to_vec()))
}

/// Where an image went.
#[derive(Clone, Copy, Debug)]
struct Mapped {
    bias: u64,
    entry: u64,
    phdr: u64,
    phent: u64,
    phnum: u64,
    /// The end of the highest segment (where the break starts).
    end: u64,
    exec_stack: bool,
    /// Code and data as Linux's `mm_struct` records them.
    start_code: u64,
    end_code: u64,
    start_data: u64,
    end_data: u64,
}

/// Where an `ET_DYN` image goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Where an mmap of its extent would go (static PIE, interpreters).
    Mmap,
    /// At this address (a PIE run by an interpreter: ELF_ET_DYN_BASE plus
    /// randomness).
    At(u64),
}

/// Maps the `PT_LOAD` segments of `image`.
fn map_image(
    mm: &MemoryManager,
    elf: &Elf<'_>,
    image: &[u8],
    place: Place,
    segments: Option<&SegmentCache>,
    file: Option<&MappedFile>,
) -> Result<Mapped, LoadError> {
    let loads: Vec<_> = elf
        .program_headers
        .iter()
        .filter(|p| p.p_type == PT_LOAD)
        .collect();
    if loads.is_empty() {
        return Err(LoadError::Malformed("no PT_LOAD segment".into()));
    }
    let lo = loads
        .iter()
        .map(|p| page_round_down(p.p_vaddr))
        .min()
        .expect("non-empty");
    let hi = loads
        .iter()
        .map(|p| p.p_vaddr.checked_add(p.p_memsz).and_then(page_round_up))
        .try_fold(0u64, |acc, e| e.map(|e| acc.max(e)))
        .ok_or_else(|| LoadError::Malformed("segment end overflows".into()))?;

    let bias = if elf.header.e_type == header::ET_DYN {
        let placement = match place {
            Place::Mmap => Placement::Hint(0),
            Place::At(a) => Placement::Hint(a),
        };
        // Reserve the whole extent, then map the segments into it.
        let req = MapRequest {
            placement,
            len: hi - lo,
            access: Access::NONE,
            shared: false,
            growsdown: false,
            kind: VmaKind::Elf,
        };
        let at = mm.map_anonymous(req).map_err(LoadError::Map)?;
        at - lo
    } else {
        0
    };

    let mut end = 0u64;
    let (mut start_code, mut end_code, mut start_data, mut end_data) = (u64::MAX, 0, 0, 0);
    for (index, p) in loads.iter().enumerate() {
        let start = bias + page_round_down(p.p_vaddr);
        let seg_end = page_round_up(bias + p.p_vaddr + p.p_memsz).expect("checked above");
        let read_only = p.p_flags & PF_W == 0;
        let key = (image.as_ptr() as usize, index);
        end = end.max(bias + p.p_vaddr + p.p_memsz);
        // load_elf_binary's bookkeeping, bias added below.
        let file_end = p.p_vaddr.saturating_add(p.p_filesz);
        if p.p_flags & PF_X != 0 {
            start_code = start_code.min(p.p_vaddr);
            end_code = end_code.max(file_end);
        }
        start_data = start_data.max(p.p_vaddr);
        end_data = end_data.max(file_end);
        // The pages holding file bytes map the file; the rest of the
        // segment (bss) is anonymous, as Linux maps it.
        let named = |mm: &MemoryManager| {
            if let Some(f) = file {
                let file_top = page_round_up(bias + file_end)
                    .unwrap_or(seg_end)
                    .min(seg_end);
                if file_top > start {
                    let pgoff = page_round_down(p.p_offset);
                    // Without an end to fault at, nothing fails.
                    let _ = mm.set_file(start, file_top - start, f, pgoff);
                }
            }
        };
        let req = MapRequest {
            placement: Placement::Fixed(start),
            len: seg_end - start,
            access: Access {
                read: p.p_flags & PF_R != 0,
                write: p.p_flags & PF_W != 0,
                execute: p.p_flags & PF_X != 0,
            },
            shared: false,
            growsdown: false,
            kind: VmaKind::Elf,
        };
        if read_only {
            if let Some((offset, len)) = segments.and_then(|c| c.get(&key)) {
                if len == seg_end - start {
                    mm.map_shared_range(req, offset).map_err(LoadError::Map)?;
                    named(mm);
                    continue;
                }
            }
        }
        mm.map_anonymous(req).map_err(LoadError::Map)?;
        // The file maps from the page-aligned offset: bytes before p_vaddr
        // in the first page come from the file too, as with Linux's mmap.
        let lead = p.p_vaddr - page_round_down(p.p_vaddr);
        let from = p
            .p_offset
            .checked_sub(lead)
            .ok_or_else(|| LoadError::Malformed("segment offset".into()))?;
        let to = p
            .p_offset
            .checked_add(p.p_filesz)
            .ok_or_else(|| LoadError::Malformed("segment size".into()))?;
        let bytes = usize::try_from(from)
            .ok()
            .zip(usize::try_from(to).ok())
            .and_then(|(f, t)| image.get(f..t))
            .ok_or_else(|| LoadError::Malformed("segment beyond the file".into()))?;
        mm.write_ignoring_protection(start, bytes)
            .map_err(LoadError::Map)?;
        named(mm);
        if read_only {
            if let (Some(cache), Some(offset)) = (segments, mm.backing(start)) {
                if cache.put(key, (offset, seg_end - start)) {
                    mm.hold_range(offset, seg_end - start);
                }
            }
        }
    }

    let exec_stack = elf
        .program_headers
        .iter()
        .find(|p| p.p_type == PT_GNU_STACK)
        .is_some_and(|p| p.p_flags & PF_X != 0);
    let phdr = elf
        .program_headers
        .iter()
        .find(|p| p.p_type == PT_PHDR)
        .map(|p| p.p_vaddr)
        .or_else(|| {
            loads
                .iter()
                .find(|p| {
                    p.p_offset <= elf.header.e_phoff && elf.header.e_phoff < p.p_offset + p.p_filesz
                })
                .map(|p| elf.header.e_phoff - p.p_offset + p.p_vaddr)
        })
        .map_or(0, |v| v + bias);
    Ok(Mapped {
        bias,
        entry: elf.header.e_entry + bias,
        phdr,
        phent: u64::from(elf.header.e_phentsize),
        phnum: u64::from(elf.header.e_phnum),
        end,
        exec_stack,
        start_code: start_code.min(end_code) + bias,
        end_code: end_code + bias,
        start_data: start_data + bias,
        end_data: end_data + bias,
    })
}

/// Linux's `ELF_ET_DYN_BASE` on x86-64: two thirds of the address space.
const ET_DYN_BASE: u64 = 0x5555_5555_4000;

/// Loads `image` (the whole executable) into `mm`, which must be empty,
/// with `interp` (the whole dynamic linker) when the executable names one.
pub fn load(
    mm: &MemoryManager,
    image: &[u8],
    interp: Option<&[u8]>,
    args: &LoadArgs<'_>,
    rng: &mut dyn Random,
) -> Result<Loaded, LoadError> {
    let elf = parse(image)?;
    let wants_interp = elf.program_headers.iter().any(|p| p.p_type == PT_INTERP);
    let interp_elf = match (wants_interp, interp) {
        (false, _) => None,
        (true, None) => return Err(LoadError::Dynamic),
        (true, Some(i)) => {
            let e = parse(i)?;
            if e.header.e_type != header::ET_DYN && e.header.e_type != header::ET_EXEC {
                return Err(LoadError::NotElf);
            }
            Some(e)
        }
    };

    // Layout: the stack near the top, mmap placement below it.
    let max = mm.max_addr();
    let stack_top = page_round_down(max - PAGE * rng.below(1 << 22) / 16);
    let gap = args.stack_limit.clamp(128 << 20, (max / 6) * 5) + crate::mm::STACK_GUARD_GAP;
    let mmap_base = page_round_down(stack_top.saturating_sub(gap) - PAGE * rng.below(1 << 28) / 4);
    mm.set_mmap_base(mmap_base);

    let place = if interp_elf.is_some() {
        Place::At(ET_DYN_BASE + PAGE * rng.below(1 << 28) / 16)
    } else {
        Place::Mmap
    };
    let main = map_image(
        mm,
        &elf,
        image,
        place,
        args.segments,
        args.exe_file.as_ref(),
    )?;
    let (entry, base) = match (&interp_elf, interp) {
        (Some(ie), Some(ib)) => {
            let m = map_image(
                mm,
                ie,
                ib,
                Place::Mmap,
                args.segments,
                args.interp_file.as_ref(),
            )?;
            (m.entry, m.bias)
        }
        _ => (main.entry, 0),
    };

    // Linux randomises the break within 32 MiB above the end of the image.
    let brk_start =
        page_round_up(main.end).expect("checked above") + PAGE * rng.below(0x0200_0000 / PAGE);
    mm.set_brk_start(brk_start);

    let aux = [
        (AT_HWCAP, args.hwcap),
        (AT_PAGESZ, PAGE),
        (AT_CLKTCK, CLOCK_TICKS),
        (AT_PHDR, main.phdr),
        (AT_PHENT, main.phent),
        (AT_PHNUM, main.phnum),
        (AT_BASE, base),
        (AT_FLAGS, 0),
        (AT_ENTRY, main.entry),
        (AT_UID, u64::from(args.ids.uid)),
        (AT_EUID, u64::from(args.ids.euid)),
        (AT_GID, u64::from(args.ids.gid)),
        (AT_EGID, u64::from(args.ids.egid)),
        (AT_SECURE, u64::from(args.secure)),
    ];
    let (sp, strings) = build_stack(mm, stack_top, main.exec_stack, args, &aux, rng)?;
    mm.set_layout(Layout {
        start_code: main.start_code,
        end_code: main.end_code,
        start_data: main.start_data,
        end_data: main.end_data,
        ..strings
    });
    Ok(Loaded {
        entry,
        stack_pointer: sp,
        brk_start,
    })
}

/// Writes strings, `AT_RANDOM` bytes, argv, envp and auxv below `top` as
/// Linux lays them out; returns the initial stack pointer and where the
/// stack, the strings and the auxiliary vector are.
fn build_stack(
    mm: &MemoryManager,
    top: u64,
    exec_stack: bool,
    args: &LoadArgs<'_>,
    aux: &[(u64, u64)],
    rng: &mut dyn Random,
) -> Result<(u64, Layout), LoadError> {
    // The strings: argv[0] lowest, then the rest of argv, envp, the exec
    // path, and one empty pointer at the very top.
    let mut strings: Vec<u8> = Vec::new();
    let mut offsets = Vec::new();
    for s in args.argv.iter().chain(args.envp.iter()) {
        offsets.push(strings.len() as u64);
        strings.extend_from_slice(s);
        strings.push(0);
    }
    let execfn_off = strings.len() as u64;
    strings.extend_from_slice(args.execfn);
    strings.push(0);
    let strings_start = top - 8 - strings.len() as u64;

    // create_elf_tables: a random alignment pad, the platform string and
    // the AT_RANDOM bytes.
    let mut p = strings_start;
    p -= rng.below(8192);
    p &= !0xf;
    p -= PLATFORM.len() as u64 + 1;
    let platform_at = p;
    p -= 16;
    let random_at = p;
    let mut random = [0u8; 16];
    rng.fill(&mut random);

    let argc = args.argv.len() as u64;
    let envc = args.envp.len() as u64;
    let mut auxv: Vec<(u64, u64)> = vec![(AT_MINSIGSTKSZ, MIN_SIGSTKSZ)];
    auxv.extend_from_slice(aux);
    auxv.push((AT_RANDOM, random_at));
    if args.hwcap2 != 0 {
        auxv.push((AT_HWCAP2, args.hwcap2));
    }
    auxv.push((AT_EXECFN, strings_start + execfn_off));
    auxv.push((AT_PLATFORM, platform_at));
    auxv.push((AT_NULL, 0));
    let words = 1 + (argc + 1) + (envc + 1) + 2 * auxv.len() as u64;
    let sp = (p - words * 8) & !0xf;

    let mut table: Vec<u64> = Vec::with_capacity(usize::try_from(words).unwrap_or(0));
    table.push(argc);
    let n_argv = args.argv.len();
    table.extend(offsets[..n_argv].iter().map(|o| strings_start + o));
    table.push(0);
    table.extend(offsets[n_argv..].iter().map(|o| strings_start + o));
    table.push(0);
    for (k, v) in &auxv {
        table.push(*k);
        table.push(*v);
    }

    let low = page_round_down(sp) - STACK_EXPAND;
    if low < crate::mm::MIN_ADDR || strings.len() as u64 > args.stack_limit / 4 {
        return Err(LoadError::Map(Errno::E2BIG));
    }
    let req = MapRequest {
        placement: Placement::Fixed(low),
        len: top - low,
        access: Access {
            read: true,
            write: true,
            execute: exec_stack,
        },
        shared: false,
        growsdown: true,
        kind: VmaKind::Stack,
    };
    mm.map_anonymous(req).map_err(LoadError::Map)?;
    let table_bytes: Vec<u8> = table.iter().flat_map(|w| w.to_le_bytes()).collect();
    let w = |at: u64, b: &[u8]| mm.write_ignoring_protection(at, b).map_err(LoadError::Map);
    w(sp, &table_bytes)?;
    w(random_at, &random)?;
    let mut plat = PLATFORM.to_vec();
    plat.push(0);
    w(platform_at, &plat)?;
    w(strings_start, &strings)?;
    let arg_end = strings_start + offsets.get(n_argv).copied().unwrap_or(execfn_off);
    let auxv_start = sp + 8 * (1 + (argc + 1) + (envc + 1));
    Ok((
        sp,
        Layout {
            start_stack: sp,
            arg_start: strings_start,
            arg_end,
            env_start: arg_end,
            env_end: strings_start + execfn_off,
            auxv_start,
            auxv_end: auxv_start + 16 * auxv.len() as u64,
            ..Layout::default()
        },
    ))
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use std::process::Command;
    use std::sync::Arc;

    use super::*;
    use crate::mm::tests::NullSpace;
    use crate::mm::MemoryFile;

    struct Counter(u8);

    impl Random for Counter {
        fn fill(&mut self, buf: &mut [u8]) {
            for b in buf {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
        }
    }

    fn mm() -> MemoryManager {
        MemoryManager::new(
            Arc::new(NullSpace),
            Arc::new(MemoryFile::new().unwrap()),
            platform::ptrace::MAX_USER_ADDRESS,
        )
    }

    /// Builds a tiny static program with gcc, or None when gcc is missing.
    fn build(flags: &[&str]) -> Option<Vec<u8>> {
        let dir = std::env::temp_dir().join(format!(
            "loader-test-{}-{}",
            std::process::id(),
            flags.join("")
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("t.c");
        std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
        let out = dir.join("t");
        let ok = Command::new("gcc")
            .args(flags)
            .arg("-o")
            .arg(&out)
            .arg(&src)
            .status();
        match ok {
            Ok(s) if s.success() => Some(std::fs::read(&out).unwrap()),
            _ => {
                assert!(
                    std::env::var_os("SANDBOX_TESTS_STRICT").is_none(),
                    "gcc -static is required"
                );
                eprintln!("SKIP: gcc with a static libc not found");
                None
            }
        }
    }

    fn word(mm: &MemoryManager, at: u64) -> u64 {
        mm.read_obj::<u64>(at).unwrap()
    }

    fn check_stack(mm: &MemoryManager, image: &[u8], l: &Loaded) {
        let elf = Elf::parse(image).unwrap();
        assert_eq!(
            l.stack_pointer % 16,
            0,
            "the ABI wants a 16-byte aligned stack"
        );
        let sp = l.stack_pointer;
        assert_eq!(word(mm, sp), 2, "argc");
        let arg0 = mm.read_cstring(word(mm, sp + 8), 100).unwrap();
        assert_eq!(arg0, b"prog");
        let arg1 = mm.read_cstring(word(mm, sp + 16), 100).unwrap();
        assert_eq!(arg1, b"-x");
        assert_eq!(word(mm, sp + 24), 0, "argv ends");
        assert_eq!(mm.read_cstring(word(mm, sp + 32), 100).unwrap(), b"A=1");
        assert_eq!(word(mm, sp + 40), 0, "envp ends");
        let mut aux = std::collections::HashMap::new();
        let mut at = sp + 48;
        loop {
            let (k, v) = (word(mm, at), word(mm, at + 8));
            if k == AT_NULL {
                break;
            }
            aux.insert(k, v);
            at += 16;
        }
        assert_eq!(aux[&AT_PAGESZ], 4096);
        assert_eq!(aux[&AT_ENTRY], l.entry);
        assert_eq!(aux[&AT_PHNUM], u64::from(elf.header.e_phnum));
        assert_eq!(aux[&AT_CLKTCK], 100);
        assert_eq!(aux[&AT_UID], 7);
        let phdrs = &image[elf.header.e_phoff as usize..][..usize::from(elf.header.e_phnum) * 56];
        let mut got = vec![0u8; phdrs.len()];
        mm.copy_in(aux[&AT_PHDR], &mut got).unwrap();
        assert_eq!(got, phdrs, "AT_PHDR points at the program headers");
        let mut random = [0u8; 16];
        mm.copy_in(aux[&AT_RANDOM], &mut random).unwrap();
        assert!(random.iter().any(|&b| b != 0));
        assert_eq!(mm.read_cstring(aux[&AT_EXECFN], 100).unwrap(), b"/bin/prog");
        assert_eq!(mm.read_cstring(aux[&AT_PLATFORM], 100).unwrap(), b"x86_64");
        assert!(l.brk_start > l.entry);
    }

    fn args<'a>(argv: &'a [Vec<u8>], envp: &'a [Vec<u8>]) -> LoadArgs<'a> {
        LoadArgs {
            segments: None,
            secure: false,
            exe_file: None,
            interp_file: None,
            argv,
            envp,
            execfn: b"/bin/prog",
            ids: AuxIds {
                uid: 7,
                euid: 7,
                gid: 8,
                egid: 8,
            },
            hwcap: 0x1234,
            hwcap2: 2,
            stack_limit: 8 << 20,
        }
    }

    /// Builds a program with `flags`, loads it as `prog -x` with `A=1` in
    /// its environment, and checks the stack Linux would build.
    fn load_checked(flags: &[&str]) -> Option<(MemoryManager, Vec<u8>, Loaded)> {
        let image = build(flags)?;
        let m = mm();
        let (argv, envp) = (
            vec![b"prog".to_vec(), b"-x".to_vec()],
            vec![b"A=1".to_vec()],
        );
        let l = load(&m, &image, None, &args(&argv, &envp), &mut Counter(0)).unwrap();
        check_stack(&m, &image, &l);
        Some((m, image, l))
    }

    #[test]
    fn static_executable_loads_at_its_addresses_with_a_linux_stack() {
        let Some((m, image, l)) = load_checked(&["-static"]) else {
            return;
        };
        let elf = Elf::parse(&image).unwrap();
        assert_eq!(l.entry, elf.header.e_entry);
        // The text segment holds the file's bytes.
        let text = elf
            .program_headers
            .iter()
            .find(|p| p.p_type == PT_LOAD && p.p_flags & PF_X != 0)
            .unwrap();
        let mut got = vec![0u8; 64];
        m.copy_in(text.p_vaddr, &mut got).unwrap();
        assert_eq!(got, image[text.p_offset as usize..][..64]);
    }

    #[test]
    fn static_pie_is_relocated_into_the_mmap_area() {
        let Some((_, image, l)) = load_checked(&["-static-pie"]) else {
            return;
        };
        let elf = Elf::parse(&image).unwrap();
        assert_ne!(l.entry, elf.header.e_entry, "a PIE is loaded with a bias");
        assert_eq!((l.entry - elf.header.e_entry) % 4096, 0);
    }

    #[test]
    fn garbage_is_not_elf_and_dynamic_needs_the_filesystem() {
        let m = mm();
        let (argv, envp) = (vec![b"prog".to_vec()], vec![]);
        let e = load(
            &m,
            b"#!/bin/sh\n",
            None,
            &args(&argv, &envp),
            &mut Counter(0),
        )
        .unwrap_err();
        assert_eq!(e, LoadError::NotElf);
        assert_eq!(e.errno(), Errno::ENOEXEC);
        let Some(image) = build(&[]) else { return };
        let e = load(&m, &image, None, &args(&argv, &envp), &mut Counter(0)).unwrap_err();
        assert_eq!(e, LoadError::Dynamic);
    }
}
