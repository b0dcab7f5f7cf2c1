//! arch_prctl(2) codes of x86-64 (<asm/prctl.h>).

named_consts! {
    /// The name of arch_prctl code `code`, "ARCH_SET_FS".
    pub fn arch_prctl_name(i32) {
        ARCH_SET_GS = 0x1001,
        ARCH_SET_FS = 0x1002,
        ARCH_GET_FS = 0x1003,
        ARCH_GET_GS = 0x1004,
        ARCH_GET_CPUID = 0x1011,
        ARCH_SET_CPUID = 0x1012,
        ARCH_GET_XCOMP_SUPP = 0x1021,
        ARCH_GET_XCOMP_PERM = 0x1022,
        ARCH_REQ_XCOMP_PERM = 0x1023,
        ARCH_GET_XCOMP_GUEST_PERM = 0x1024,
        ARCH_REQ_XCOMP_GUEST_PERM = 0x1025,
        ARCH_MAP_VDSO_X32 = 0x2001,
        ARCH_MAP_VDSO_32 = 0x2002,
        ARCH_MAP_VDSO_64 = 0x2003,
        ARCH_GET_UNTAG_MASK = 0x4001,
        ARCH_ENABLE_TAGGED_ADDR = 0x4002,
        ARCH_GET_MAX_TAG_BITS = 0x4003,
        ARCH_FORCE_TAGGED_SVA = 0x4004,
        ARCH_SHSTK_ENABLE = 0x5001,
        ARCH_SHSTK_DISABLE = 0x5002,
        ARCH_SHSTK_LOCK = 0x5003,
        ARCH_SHSTK_UNLOCK = 0x5004,
        ARCH_SHSTK_STATUS = 0x5005,
    }
}

/// ARCH_REQ_XCOMP_PERM features: AMX tile configuration and data.
pub const ARCH_XCOMP_TILECFG: u64 = 17;
pub const ARCH_XCOMP_TILEDATA: u64 = 18;

/// ARCH_SHSTK_* features: the shadow stack and WRSS.
pub const ARCH_SHSTK_SHSTK: u64 = 1 << 0;
pub const ARCH_SHSTK_WRSS: u64 = 1 << 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_prctl_names() {
        assert_eq!(arch_prctl_name(0x1002), Some("ARCH_SET_FS"));
        assert_eq!(
            arch_prctl_name(ARCH_SHSTK_STATUS),
            Some("ARCH_SHSTK_STATUS")
        );
        assert_eq!(arch_prctl_name(0x1005), None);
    }
}
