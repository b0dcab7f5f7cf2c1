//! Extended attributes kept in memory, as Linux's `simple_xattr` keeps
//! tmpfs's: the `user.`, `trusted.` and `security.` namespaces, names in
//! order. Permissions are the caller's business (the VFS checks them).

use std::collections::BTreeMap;

use abi::Errno;
use parking_lot::Mutex;

use crate::vfs::{XATTR_CREATE, XATTR_REPLACE};

/// The namespaces kept (tmpfs since Linux 6.6).
const NAMESPACES: [&[u8]; 3] = [b"user.", b"trusted.", b"security."];

/// One node's extended attributes.
#[derive(Debug, Default)]
pub struct Xattrs(Mutex<BTreeMap<Vec<u8>, Vec<u8>>>);

/// Linux's `xattr_resolve_name`: `EOPNOTSUPP` outside the namespaces,
/// `EINVAL` for a bare prefix.
fn resolve(name: &[u8]) -> Result<(), Errno> {
    match NAMESPACES.iter().find(|ns| name.starts_with(ns)) {
        Some(ns) if name.len() == ns.len() => Err(Errno::EINVAL),
        Some(_) => Ok(()),
        None => Err(Errno::EOPNOTSUPP),
    }
}

impl Xattrs {
    pub fn get(&self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        resolve(name)?;
        self.0.lock().get(name).cloned().ok_or(Errno::ENODATA)
    }

    /// Sets (or with `value` `None`, removes) `name`: `EEXIST` for an
    /// existing one with `XATTR_CREATE`, `ENODATA` for a missing one with
    /// `XATTR_REPLACE` (`simple_xattr_set`).
    pub fn set(&self, name: &[u8], value: Option<&[u8]>, flags: i32) -> Result<(), Errno> {
        resolve(name)?;
        let mut map = self.0.lock();
        let exists = map.contains_key(name);
        if exists && flags & XATTR_CREATE != 0 {
            return Err(Errno::EEXIST);
        }
        if !exists && flags & XATTR_REPLACE != 0 {
            return Err(Errno::ENODATA);
        }
        match value {
            Some(v) => {
                map.insert(name.to_vec(), v.to_vec());
            }
            None => {
                map.remove(name);
            }
        }
        Ok(())
    }

    pub fn list(&self) -> Vec<Vec<u8>> {
        self.0.lock().keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_namespaces_give_linux_errnos() {
        let x = Xattrs::default();
        assert_eq!(
            x.set(b"user.a", Some(b"1"), XATTR_REPLACE),
            Err(Errno::ENODATA)
        );
        x.set(b"user.a", Some(b"1"), XATTR_CREATE).unwrap();
        assert_eq!(
            x.set(b"user.a", Some(b"2"), XATTR_CREATE),
            Err(Errno::EEXIST)
        );
        assert_eq!(
            x.set(b"user.a", Some(b"2"), XATTR_CREATE | XATTR_REPLACE),
            Err(Errno::EEXIST)
        );
        assert_eq!(x.get(b"user.a").unwrap(), b"1");
        assert_eq!(x.get(b"user."), Err(Errno::EINVAL));
        assert_eq!(x.get(b"other.a"), Err(Errno::EOPNOTSUPP));
        x.set(b"trusted.b", Some(b""), 0).unwrap();
        assert_eq!(x.list(), vec![b"trusted.b".to_vec(), b"user.a".to_vec()]);
        x.set(b"user.a", None, XATTR_REPLACE).unwrap();
        assert_eq!(x.get(b"user.a"), Err(Errno::ENODATA));
    }
}
