//! getrandom(2) flags (<linux/random.h>).

use bitflags::bitflags;

bitflags! {
    /// getrandom `flags`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct GrndFlags: u32 {
        /// Fail with EAGAIN rather than block before the pool is ready.
        const GRND_NONBLOCK = 1;
        /// Draw from the (historical) blocking pool.
        const GRND_RANDOM = 2;
        /// Never block, even before the pool is ready (Linux 5.6).
        const GRND_INSECURE = 4;
    }
}
