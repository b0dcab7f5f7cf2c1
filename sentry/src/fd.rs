//! The file descriptor table.

use std::sync::Arc;

use abi::Errno;

use crate::fsimpl::FileDescription;

/// Linux's `sysctl fs.nr_open` default: the hard ceiling on descriptors.
pub const NR_OPEN: u64 = 1 << 20;

#[derive(Clone, Debug)]
struct FdEntry {
    file: Arc<FileDescription>,
    cloexec: bool,
}

/// A process's descriptors: small integers naming file descriptions.
#[derive(Clone, Debug, Default)]
pub struct FdTable {
    entries: Vec<Option<FdEntry>>,
}

impl FdTable {
    fn index(fd: i32) -> Result<usize, Errno> {
        usize::try_from(fd).map_err(|_| Errno::EBADF)
    }

    /// The description behind `fd`.
    pub fn get(&self, fd: i32) -> Result<Arc<FileDescription>, Errno> {
        let i = Self::index(fd)?;
        match self.entries.get(i) {
            Some(Some(e)) => Ok(e.file.clone()),
            _ => Err(Errno::EBADF),
        }
    }

    /// The table a process has after execve: a copy without the
    /// close-on-exec descriptors.
    pub fn clone_for_exec(&self) -> FdTable {
        let mut entries: Vec<Option<FdEntry>> = self
            .entries
            .iter()
            .map(|e| e.as_ref().filter(|e| !e.cloexec).cloned())
            .collect();
        while entries.last().is_some_and(Option::is_none) {
            entries.pop();
        }
        FdTable { entries }
    }

    /// Whether `fd` is close-on-exec.
    pub fn cloexec(&self, fd: i32) -> Result<bool, Errno> {
        let i = Self::index(fd)?;
        match self.entries.get(i) {
            Some(Some(e)) => Ok(e.cloexec),
            _ => Err(Errno::EBADF),
        }
    }

    /// Sets the close-on-exec flag of `fd`.
    pub fn set_cloexec(&mut self, fd: i32, cloexec: bool) -> Result<(), Errno> {
        let i = Self::index(fd)?;
        match self.entries.get_mut(i) {
            Some(Some(e)) => {
                e.cloexec = cloexec;
                Ok(())
            }
            _ => Err(Errno::EBADF),
        }
    }

    /// Installs `file` at the lowest free descriptor `>= min` below `limit`.
    pub fn insert_from(
        &mut self,
        min: usize,
        file: Arc<FileDescription>,
        cloexec: bool,
        limit: u64,
    ) -> Result<i32, Errno> {
        let limit = usize::try_from(limit.min(NR_OPEN)).unwrap_or(usize::MAX);
        let mut i = min;
        while i < self.entries.len() && self.entries[i].is_some() {
            i += 1;
        }
        if i >= limit {
            return Err(Errno::EMFILE);
        }
        self.put(i, file, cloexec);
        Ok(i32::try_from(i).expect("below NR_OPEN"))
    }

    /// Whether a descriptor below `limit` is free (an insert from 0
    /// would succeed).
    pub fn has_free(&self, limit: u64) -> bool {
        let limit = usize::try_from(limit.min(NR_OPEN)).unwrap_or(usize::MAX);
        let used = self
            .entries
            .iter()
            .take(limit)
            .filter(|e| e.is_some())
            .count();
        used < limit
    }

    /// Installs `file` at exactly `fd`, closing what was there. Returns the
    /// replaced description, which the caller drops outside the lock.
    pub fn insert_at(
        &mut self,
        fd: i32,
        file: Arc<FileDescription>,
        cloexec: bool,
        limit: u64,
    ) -> Result<Option<Arc<FileDescription>>, Errno> {
        let i = Self::index(fd)?;
        if i as u64 >= limit.min(NR_OPEN) {
            return Err(Errno::EBADF);
        }
        let old = self
            .entries
            .get_mut(i)
            .and_then(Option::take)
            .map(|e| e.file);
        self.put(i, file, cloexec);
        Ok(old)
    }

    fn put(&mut self, i: usize, file: Arc<FileDescription>, cloexec: bool) {
        if self.entries.len() <= i {
            self.entries.resize(i + 1, None);
        }
        self.entries[i] = Some(FdEntry { file, cloexec });
    }

    /// Removes `fd` and returns its description.
    pub fn remove(&mut self, fd: i32) -> Result<Arc<FileDescription>, Errno> {
        let i = Self::index(fd)?;
        let e = self
            .entries
            .get_mut(i)
            .and_then(Option::take)
            .ok_or(Errno::EBADF)?;
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        Ok(e.file)
    }

    /// Every open descriptor, in order.
    pub fn open_fds(&self) -> Vec<i32> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_some())
            .filter_map(|(i, _)| i32::try_from(i).ok())
            .collect()
    }

    /// The number of open descriptors.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsimpl::FileDescription;

    fn file() -> Arc<FileDescription> {
        Arc::new(FileDescription::null_for_test())
    }

    #[test]
    fn lowest_free_descriptor_is_used() {
        let mut t = FdTable::default();
        assert_eq!(t.insert_from(0, file(), false, 1024).unwrap(), 0);
        assert_eq!(t.insert_from(0, file(), false, 1024).unwrap(), 1);
        t.remove(0).unwrap();
        assert_eq!(t.insert_from(0, file(), true, 1024).unwrap(), 0);
        assert!(t.cloexec(0).unwrap());
        assert_eq!(t.insert_from(5, file(), false, 1024).unwrap(), 5);
        assert_eq!(
            t.insert_from(0, file(), false, 2).unwrap_err(),
            Errno::EMFILE
        );
    }

    #[test]
    fn bad_descriptors_are_ebadf() {
        let mut t = FdTable::default();
        assert_eq!(t.get(-1).unwrap_err(), Errno::EBADF);
        assert_eq!(t.get(3).unwrap_err(), Errno::EBADF);
        assert_eq!(t.remove(0).unwrap_err(), Errno::EBADF);
        assert_eq!(t.insert_at(5, file(), false, 4).unwrap_err(), Errno::EBADF);
    }
}
