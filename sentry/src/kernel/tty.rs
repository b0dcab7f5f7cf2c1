//! Job control for terminals: what `fsimpl::tty` asks of the process tree
//! (the caller's process group and session, the session's controlling
//! terminal, signals to process groups), answered for the task the calling
//! host thread runs.

use std::sync::Arc;

use abi::signal::{sigmask, SI_KERNEL};
use abi::types::Siginfo;

use super::process::{ProcState, Target};
use super::sigfiles::current;
use super::signal::SiginfoExt;
use crate::fsimpl::tty::{Caller, JobControl, Terminal};

/// The kernel's [`JobControl`]; stateless, so one serves every kernel.
#[derive(Debug)]
pub struct KernelJobControl;

pub static JOB_CONTROL: KernelJobControl = KernelJobControl;

/// Installs the kernel's job control for terminals.
pub fn install() {
    crate::fsimpl::tty::set_job_control(&JOB_CONTROL);
}

impl JobControl for KernelJobControl {
    fn caller(&self) -> Option<Caller> {
        let (k, tid) = current()?;
        let tree = k.tree.lock();
        let p = tree.proc_of(tid)?;
        Some(Caller {
            tgid: p.tgid,
            pgid: p.pgid,
            sid: p.sid,
        })
    }

    fn ctty(&self) -> Option<Arc<Terminal>> {
        let (k, tid) = current()?;
        let tree = k.tree.lock();
        let sid = tree.proc_of(tid)?.sid;
        let leader = tree.procs.get(&sid)?;
        if leader.sid != sid {
            return None;
        }
        leader.ctty.clone()
    }

    fn set_ctty(&self, sid: i32, tty: Option<Arc<Terminal>>) {
        let Some((k, _)) = current() else { return };
        let old = {
            let mut tree = k.tree.lock();
            match tree.procs.get_mut(&sid) {
                Some(p) if p.sid == sid => std::mem::replace(&mut p.ctty, tty),
                _ => None,
            }
        };
        // The last reference to a terminal may close nothing, but drop it
        // outside the tree lock all the same.
        drop(old);
    }

    fn signal_group(&self, pgid: i32, sig: i32) {
        let Some((k, _)) = current() else { return };
        let mut tree = k.tree.lock();
        for p in tree.targets(Target::Group(pgid)) {
            tree.send_to_process(p, Siginfo::new(sig, SI_KERNEL));
        }
    }

    fn ignored_or_blocked(&self, sig: i32) -> bool {
        let Some((k, tid)) = current() else {
            return false;
        };
        let tree = k.tree.lock();
        let blocked = tree.mask(tid) & sigmask(sig) != 0;
        blocked
            || tree
                .proc_of(tid)
                .is_some_and(|p| p.actions.lock().is_ignored(sig))
    }

    fn group_orphaned(&self, pgid: i32) -> bool {
        let Some((k, _)) = current() else {
            return false;
        };
        let orphaned = k.tree.lock().will_be_orphaned(pgid, None);
        orphaned
    }

    fn group_in_session(&self, pgid: i32, sid: i32) -> Option<bool> {
        let (k, _) = current()?;
        let tree = k.tree.lock();
        let mut members = tree
            .procs
            .values()
            .filter(|p| p.pgid == pgid && !matches!(p.state, ProcState::Zombie(_)))
            .peekable();
        members.peek()?;
        Some(members.any(|p| p.sid == sid))
    }

    fn session_alive(&self, sid: i32) -> bool {
        let Some((k, _)) = current() else {
            return false;
        };
        let tree = k.tree.lock();
        tree.procs
            .get(&sid)
            .is_some_and(|p| p.sid == sid && p.state == ProcState::Running)
    }
}
