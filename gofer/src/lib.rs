//! The gofer: the file mediator of the sandbox.
//!
//! It owns the protocol between the sentry and the gofer process
//! ([`protocol`], described in `docs/gofer-protocol.md`), the server that
//! runs as its own process confined to a container's root filesystem
//! ([`server`]), and the client the sentry uses ([`client`]). It is the only
//! part of the sandbox that opens host paths; host file descriptors it opens
//! are donated to the sentry with `SCM_RIGHTS` so that reads, writes and
//! `mmap` do not round-trip through it.
//!
//! It must never follow a path out of the container's root, never trust a
//! message from the sentry (every malformed message gets an error, not a
//! crash), and never depend on the sentry crate.

pub mod client;
pub mod protocol;
#[allow(unsafe_code)]
mod raw;
pub mod server;

pub use client::{Client, Walked};
pub use protocol::{Attr, Dirent, NodeId, SetAttr, Statfs, TimeSpec, Timestamp};
pub use server::{serve, ServerOptions};
