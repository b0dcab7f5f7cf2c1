//! File implementations. Today: host-backed descriptions for the standard
//! streams the CLI donated; the VFS and its filesystems come later.

pub mod host;

pub use host::FileDescription;
