//! What Linux calls a file's `address_space`, as far as mappings need it:
//! the file's size, because a page of a mapping wholly past the end of
//! the file faults with SIGBUS, and the address spaces that map the file,
//! because a truncation takes their pages past the new end away and
//! sealing asks whether any of them may write the file.
//!
//! A filesystem that keeps its files' bytes (tmpfs) owns one per file and
//! reports every size change; a mapping of any other file gets one of its
//! own that keeps the size the file had when it was mapped.
//!
//! Lock order: `FileMapping::users` is a leaf (the address spaces are
//! called with it released).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::{page_round_up, MemoryManager};

/// A mapped file's size and mappers.
#[derive(Debug)]
pub struct FileMapping {
    size: AtomicU64,
    /// Every address space that has mapped the file since it last looked
    /// (some may have unmapped it since; dead ones are dropped as found).
    users: Mutex<Vec<Weak<MemoryManager>>>,
}

impl FileMapping {
    /// The mapping of a file of `size` bytes.
    pub fn new(size: u64) -> Arc<FileMapping> {
        Arc::new(FileMapping {
            size: AtomicU64::new(size),
            users: Mutex::new(Vec::new()),
        })
    }

    /// The file's size.
    pub fn size(&self) -> u64 {
        self.size.load(Ordering::SeqCst)
    }

    /// The first file offset past the file's last page: pages from here
    /// on fault with SIGBUS.
    pub fn page_end(&self) -> u64 {
        page_round_up(self.size()).unwrap_or(u64::MAX)
    }

    /// Records the file's new size. A file that lost pages loses them in
    /// every mapping too (Linux's `truncate_pagecache`, private copies
    /// included): touching them faults with SIGBUS from now on. Pages a
    /// growing file gains appear at their first touch.
    pub fn set_size(self: &Arc<Self>, size: u64) {
        let old = self.size.swap(size, Ordering::SeqCst);
        if page_round_up(size) < page_round_up(old) {
            for mm in self.users() {
                mm.file_shrank(self);
            }
        }
    }

    /// Whether a shared mapping that may write the file exists (Linux's
    /// `mapping_writably_mapped`: `F_SEAL_WRITE` is EBUSY then).
    pub fn is_writably_mapped(self: &Arc<Self>) -> bool {
        self.users().iter().any(|mm| mm.maps_writably(self))
    }

    /// Notes that `mm` maps the file.
    pub(super) fn add_user(&self, mm: &Arc<MemoryManager>) {
        let mut users = self.users.lock();
        users.retain(|u| u.strong_count() > 0);
        if !users
            .iter()
            .any(|u| std::ptr::eq(u.as_ptr(), Arc::as_ptr(mm)))
        {
            users.push(Arc::downgrade(mm));
        }
    }

    fn users(&self) -> Vec<Arc<MemoryManager>> {
        let mut users = self.users.lock();
        users.retain(|u| u.strong_count() > 0);
        users.iter().filter_map(Weak::upgrade).collect()
    }
}
