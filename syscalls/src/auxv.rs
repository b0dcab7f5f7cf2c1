//! Auxiliary vector tags (<linux/auxvec.h>, <asm/auxvec.h>).

named_consts! {
    /// The name of auxv tag `tag`, "AT_PHDR".
    pub fn auxv_name(u64) {
        /// Ends the vector.
        AT_NULL = 0,
        AT_IGNORE = 1,
        AT_EXECFD = 2,
        AT_PHDR = 3,
        AT_PHENT = 4,
        AT_PHNUM = 5,
        AT_PAGESZ = 6,
        /// The interpreter's load address.
        AT_BASE = 7,
        AT_FLAGS = 8,
        AT_ENTRY = 9,
        AT_NOTELF = 10,
        AT_UID = 11,
        AT_EUID = 12,
        AT_GID = 13,
        AT_EGID = 14,
        /// Address of a string naming the CPU ("x86_64").
        AT_PLATFORM = 15,
        AT_HWCAP = 16,
        /// The frequency `times()` counts in.
        AT_CLKTCK = 17,
        AT_SECURE = 23,
        AT_BASE_PLATFORM = 24,
        /// Address of 16 random bytes.
        AT_RANDOM = 25,
        AT_HWCAP2 = 26,
        AT_RSEQ_FEATURE_SIZE = 27,
        AT_RSEQ_ALIGN = 28,
        AT_HWCAP3 = 29,
        AT_HWCAP4 = 30,
        /// Address of the path the program was executed by.
        AT_EXECFN = 31,
        /// The vsyscall entry of 32-bit x86; never given to 64-bit programs.
        AT_SYSINFO = 32,
        /// The vDSO's ELF header.
        AT_SYSINFO_EHDR = 33,
        AT_MINSIGSTKSZ = 51,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auxv_names() {
        assert_eq!(auxv_name(AT_SYSINFO_EHDR), Some("AT_SYSINFO_EHDR"));
        assert_eq!(auxv_name(51), Some("AT_MINSIGSTKSZ"));
        assert_eq!(auxv_name(18), None);
    }
}
