//! Shared memory segments: a range of the memory file that every attach
//! maps shared, so forks and other processes see the same pages.

use std::sync::Arc;

use abi::ipc::{ShmidDs, SHMMNI, SHM_DEST};

use super::{now, Kind, State, Table};
use crate::mm::MemoryFile;

/// What an attach's VMAs name as their file: its count of holders is
/// the segment's `shm_nattch` (a fork's copies and split VMAs count, as
/// on Linux).
#[derive(Debug)]
pub struct Attach {
    pub id: i32,
}

/// One segment.
#[derive(Debug)]
pub struct Segment {
    /// The size asked for (`shm_segsz`); the backing is page-rounded.
    pub size: u64,
    /// The memory-file range that backs it, `len` bytes.
    pub offset: u64,
    pub len: u64,
    pub memory: Arc<MemoryFile>,
    pub token: Arc<Attach>,
    pub atime: i64,
    pub dtime: i64,
    pub ctime: i64,
    pub cpid: i32,
    pub lpid: i32,
}

impl Kind for Segment {
    #[allow(clippy::cast_possible_truncation)]
    const MAX: usize = SHMMNI as usize;

    fn changed(&mut self) {
        self.ctime = now();
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        self.memory.release(self.offset, self.len);
    }
}

impl Segment {
    pub fn nattch(&self) -> u64 {
        (Arc::strong_count(&self.token) - 1) as u64
    }
}

/// `struct shmid64_ds` of a segment.
pub fn stat(s: &State<Segment>) -> ShmidDs {
    let d = &s.data;
    ShmidDs {
        shm_perm: s.perm.to_abi(),
        shm_segsz: d.size,
        shm_atime: d.atime,
        shm_dtime: d.dtime,
        shm_ctime: d.ctime,
        shm_cpid: d.cpid,
        shm_lpid: d.lpid,
        shm_nattch: d.nattch(),
        ..ShmidDs::default()
    }
}

impl Table<Segment> {
    /// Removes the segments marked for destruction that nobody has
    /// attached any more (Linux does it at the last detach; nothing can
    /// see the difference, since every look goes through the table).
    pub fn reap(&mut self) {
        let gone: Vec<_> = self
            .objects()
            .filter(|o| {
                let s = o.state.lock();
                s.perm.mode & SHM_DEST != 0 && s.data.nattch() == 0
            })
            .cloned()
            .collect();
        for o in gone {
            self.remove(&o);
        }
    }

    /// Pages of all segments (`shm_tot`).
    pub fn total_pages(&self) -> u64 {
        self.objects()
            .map(|o| o.state.lock().data.len / crate::mm::PAGE)
            .sum()
    }
}
