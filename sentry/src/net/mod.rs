//! Sockets. [`unix`]: AF_UNIX sockets, served entirely by the sentry.
//! Other families (inet, netlink) come with networking; until then
//! socket(2) answers `EAFNOSUPPORT` for them.
//!
//! This layer knows files and nodes but not tasks: callers pass plain
//! credentials and already-resolved nodes, and do the waiting.

pub mod unix;
