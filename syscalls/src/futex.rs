//! futex(2) operations and futex-word bits (<linux/futex.h>).

named_consts! {
    /// The name of futex command `cmd` (`op & FUTEX_CMD_MASK`), "FUTEX_WAIT".
    pub fn futex_cmd_name(i32) {
        FUTEX_WAIT = 0,
        FUTEX_WAKE = 1,
        FUTEX_FD = 2,
        FUTEX_REQUEUE = 3,
        FUTEX_CMP_REQUEUE = 4,
        FUTEX_WAKE_OP = 5,
        FUTEX_LOCK_PI = 6,
        FUTEX_UNLOCK_PI = 7,
        FUTEX_TRYLOCK_PI = 8,
        FUTEX_WAIT_BITSET = 9,
        FUTEX_WAKE_BITSET = 10,
        FUTEX_WAIT_REQUEUE_PI = 11,
        FUTEX_CMP_REQUEUE_PI = 12,
        FUTEX_LOCK_PI2 = 13,
    }
}

/// The futex is private to the process (no shared-memory key).
pub const FUTEX_PRIVATE_FLAG: i32 = 128;
/// The timeout is on CLOCK_REALTIME rather than CLOCK_MONOTONIC.
pub const FUTEX_CLOCK_REALTIME: i32 = 256;
/// The command bits of `op`.
pub const FUTEX_CMD_MASK: i32 = !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
/// FUTEX_WAIT_BITSET/FUTEX_WAKE_BITSET mask matching every waiter.
pub const FUTEX_BITSET_MATCH_ANY: u32 = 0xffff_ffff;

/// PI and robust futex words: waiters are queued.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// PI and robust futex words: the owner died holding it.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// PI and robust futex words: the owner's TID.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// The most robust-list entries the kernel walks at exit.
pub const ROBUST_LIST_LIMIT: usize = 2048;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmd_mask_strips_private_and_clock_bits() {
        let op = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME;
        assert_eq!(op & FUTEX_CMD_MASK, FUTEX_WAIT_BITSET);
        assert_eq!(
            futex_cmd_name(op & FUTEX_CMD_MASK),
            Some("FUTEX_WAIT_BITSET")
        );
    }
}
