//! Permission checks on the sandbox's credentials: Linux's
//! `generic_permission`, `may_delete` for sticky directories, and who may
//! change a node's attributes.

use abi::stat::{S_ISGID, S_ISUID, S_ISVTX};
use abi::types::Stat;
use abi::Errno;

use crate::creds::{
    Credentials, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
};

pub const MAY_EXEC: u32 = 1;
pub const MAY_WRITE: u32 = 2;
pub const MAY_READ: u32 = 4;

/// Whether the credentials' fs group or supplementary groups include `gid`.
pub fn in_group(c: &Credentials, gid: u32) -> bool {
    c.fsgid == gid || c.groups.binary_search(&gid).is_ok()
}

/// Linux's `generic_permission`: the owner, group or other bits, then
/// `CAP_DAC_OVERRIDE` (execute only if some execute bit is set, or a
/// directory) and `CAP_DAC_READ_SEARCH` (read, and search of directories).
pub fn check(c: &Credentials, mode: u32, uid: u32, gid: u32, want: u32) -> Result<(), Errno> {
    let bits = if c.fsuid == uid {
        mode >> 6
    } else if in_group(c, gid) {
        mode >> 3
    } else {
        mode
    } & 7;
    if want & !bits == 0 {
        return Ok(());
    }
    let dir = super::is_dir(mode);
    if c.has_cap(CAP_DAC_OVERRIDE) && (want & MAY_EXEC == 0 || dir || mode & 0o111 != 0) {
        return Ok(());
    }
    if c.has_cap(CAP_DAC_READ_SEARCH) && (want == MAY_READ || (dir && want & MAY_WRITE == 0)) {
        return Ok(());
    }
    Err(Errno::EACCES)
}

/// [`check`] on a node's `stat`.
pub fn check_stat(c: &Credentials, st: &Stat, want: u32) -> Result<(), Errno> {
    check(c, st.st_mode, st.st_uid, st.st_gid, want)
}

/// Whether the caller owns the node or has `CAP_FOWNER`
/// (`inode_owner_or_capable`).
pub fn owner_or_capable(c: &Credentials, st: &Stat) -> bool {
    c.fsuid == st.st_uid || c.has_cap(CAP_FOWNER)
}

/// Removing or replacing `victim` in `dir`: write and search on the
/// directory, and in a sticky directory ownership of the victim or the
/// directory (`may_delete`).
pub fn may_delete(c: &Credentials, dir: &Stat, victim: &Stat) -> Result<(), Errno> {
    check_stat(c, dir, MAY_WRITE | MAY_EXEC)?;
    if dir.st_mode & S_ISVTX != 0
        && c.fsuid != victim.st_uid
        && c.fsuid != dir.st_uid
        && !c.has_cap(CAP_FOWNER)
    {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// chmod: the owner or `CAP_FOWNER`; a non-member without `CAP_FSETID`
/// loses the set-group-id bit. Returns the mode to store.
pub fn chmod_mode(c: &Credentials, st: &Stat, mode: u32) -> Result<u32, Errno> {
    if !owner_or_capable(c, st) {
        return Err(Errno::EPERM);
    }
    let mut mode = mode & abi::stat::S_IALLUGO;
    if mode & S_ISGID != 0 && !in_group(c, st.st_gid) && !c.has_cap(CAP_FSETID) {
        mode &= !S_ISGID;
    }
    Ok(mode)
}

/// The mode after a write or truncate by someone without `CAP_FSETID`:
/// set-user-id goes, and set-group-id with group-execute
/// (`file_remove_privs`); `None` if nothing changes.
pub fn kill_suid(c: &Credentials, mode: u32) -> Option<u32> {
    if c.has_cap(CAP_FSETID) || !super::is_regular(mode) {
        return None;
    }
    let mut m = mode & !S_ISUID;
    if m & 0o010 != 0 {
        m &= !S_ISGID;
    }
    (m != mode).then_some(m & abi::stat::S_IALLUGO)
}

/// chown: changing the owner needs `CAP_CHOWN`; the owner may change the
/// group to one of its groups. Returns the mode after Linux clears the
/// set-id bits of a non-directory.
pub fn chown_check(
    c: &Credentials,
    st: &Stat,
    uid: Option<u32>,
    gid: Option<u32>,
) -> Result<Option<u32>, Errno> {
    let cap = c.has_cap(CAP_CHOWN);
    let owner = c.fsuid == st.st_uid;
    if uid.is_some_and(|u| !(cap || (owner && u == st.st_uid))) {
        return Err(Errno::EPERM);
    }
    if gid.is_some_and(|g| !(cap || (owner && (g == st.st_gid || in_group(c, g))))) {
        return Err(Errno::EPERM);
    }
    // Any chown of a non-directory drops set-uid, and set-group-id when
    // group-execute is set (Linux's should_remove_suid via notify_change).
    if super::is_dir(st.st_mode) {
        return Ok(None);
    }
    let mut mode = st.st_mode;
    if mode & S_ISUID != 0 {
        mode &= !S_ISUID;
    }
    if mode & S_ISGID != 0 && mode & 0o010 != 0 {
        mode &= !S_ISGID;
    }
    Ok((mode != st.st_mode).then_some(mode & abi::stat::S_IALLUGO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Credentials;

    #[test]
    fn owner_group_other_bits() {
        let user = Credentials::new(1000, 1000, vec![50]);
        assert!(check(&user, 0o100600, 1000, 0, MAY_READ | MAY_WRITE).is_ok());
        assert_eq!(
            check(&user, 0o100060, 1000, 1000, MAY_READ),
            Err(Errno::EACCES)
        );
        assert!(check(&user, 0o100040, 0, 50, MAY_READ).is_ok());
        assert!(check(&user, 0o100004, 0, 0, MAY_READ).is_ok());
        assert_eq!(check(&user, 0o100004, 0, 0, MAY_WRITE), Err(Errno::EACCES));
    }

    #[test]
    fn root_overrides_except_exec_without_x() {
        let root = Credentials::new(0, 0, vec![]);
        assert!(check(&root, 0o100000, 5, 5, MAY_READ | MAY_WRITE).is_ok());
        assert_eq!(check(&root, 0o100600, 5, 5, MAY_EXEC), Err(Errno::EACCES));
        assert!(check(&root, 0o100001, 5, 5, MAY_EXEC).is_ok());
        assert!(check(&root, 0o040000, 5, 5, MAY_EXEC).is_ok());
    }

    #[test]
    fn sticky_directories_protect_others_files() {
        let user = Credentials::new(1000, 1000, vec![]);
        let dir = Stat {
            st_mode: 0o041777,
            ..Stat::default()
        };
        let theirs = Stat {
            st_uid: 2000,
            ..Stat::default()
        };
        let mine = Stat {
            st_uid: 1000,
            ..Stat::default()
        };
        assert_eq!(may_delete(&user, &dir, &theirs), Err(Errno::EPERM));
        assert!(may_delete(&user, &dir, &mine).is_ok());
    }
}
