//! The gofer: the file mediator of the sandbox.
//!
//! It owns the protocol between the sentry and the gofer process, the server
//! that runs as its own process confined to a container's root filesystem and
//! mounts, and the client the sentry uses. It is the only part of the sandbox
//! that opens host paths; host file descriptors it opens are donated to the
//! sentry with `SCM_RIGHTS` so that reads, writes and `mmap` do not round-trip
//! through it.
//!
//! It must never follow a path out of the container's root, never trust a
//! message from the sentry (every malformed message gets an error, not a
//! crash), and never depend on the sentry crate.
//!
//! Nothing is here yet: the filesystem issue builds it.
