//! The Linux x86-64 system call ABI as data.
#![forbid(unsafe_code)]
