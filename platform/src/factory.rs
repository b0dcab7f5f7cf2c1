//! The stub factory: one long-lived host thread that forks every stub
//! process of a platform (so that their `PR_SET_PDEATHSIG` follows the
//! sandbox, not whichever task asked), keeps a few ready ones, and reaps the
//! dead.

use std::collections::VecDeque;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;

use crate::PlatformError;

/// A forked stub the factory hands out.
pub(crate) trait Stub: Send + 'static {
    fn pid(&self) -> Pid;
}

enum Request<T> {
    /// Fork a stub (or take a ready one).
    Fork(SyncSender<Result<T, PlatformError>>),
    /// Reap a stub process that was killed.
    Reap(Pid),
}

/// The handle the platform and its address spaces keep.
pub(crate) struct Factory<T> {
    tx: Sender<Request<T>>,
}

impl<T> Clone for Factory<T> {
    fn clone(&self) -> Self {
        Factory {
            tx: self.tx.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Factory<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Factory")
    }
}

/// How many ready stubs the factory keeps once a workload has shown it
/// makes address spaces (its second request): forking one costs a third of
/// a millisecond, which the factory then spends on its own CPU between
/// requests instead of in the requester's fork.
const POOL: usize = 2;

impl<T: Stub> Factory<T> {
    /// Starts the factory thread; `fork` makes one stub.
    pub(crate) fn start(
        fork: impl FnMut() -> Result<T, PlatformError> + Send + 'static,
    ) -> Factory<T> {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("stub-factory".into())
            .spawn(move || {
                // The creating thread may be pinned: the factory works on
                // any CPU, preferably another one, between requests.
                crate::cpu::unpin_current_thread();
                serve(&rx, fork);
            })
            .expect("spawn the stub factory thread");
        Factory { tx }
    }

    /// A fresh stub.
    pub(crate) fn fork(&self) -> Result<T, PlatformError> {
        let (reply_tx, reply_rx) = sync_channel(1);
        self.tx
            .send(Request::Fork(reply_tx))
            .map_err(|_| PlatformError::FactoryGone)?;
        reply_rx.recv().map_err(|_| PlatformError::FactoryGone)?
    }

    /// Kills a stub process; the factory, its parent, reaps it.
    pub(crate) fn kill(&self, pid: Pid) {
        let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
        let _ = self.tx.send(Request::Reap(pid));
    }
}

fn serve<T: Stub>(rx: &Receiver<Request<T>>, mut fork: impl FnMut() -> Result<T, PlatformError>) {
    let mut pool: VecDeque<T> = VecDeque::new();
    let mut served = 0usize;
    while let Ok(req) = rx.recv() {
        match req {
            Request::Fork(reply) => {
                let stub = pool.pop_front().map_or_else(&mut fork, Ok);
                let _ = reply.send(stub);
                served += 1;
                if served >= 2 {
                    while pool.len() < POOL {
                        match fork() {
                            Ok(s) => pool.push_back(s),
                            Err(_) => break,
                        }
                    }
                }
            }
            Request::Reap(pid) => {
                let _ = waitpid(pid, Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD));
            }
        }
    }
    for stub in pool {
        let _ = nix::sys::signal::kill(stub.pid(), Signal::SIGKILL);
        let _ = waitpid(
            stub.pid(),
            Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD),
        );
    }
}

/// Waits for a freshly forked stub's ready stop (its `int3`).
pub(crate) fn wait_ready(pid: Pid) -> Result<(), PlatformError> {
    use nix::sys::wait::WaitStatus;
    let fail = |why: String| abandon(pid, why);
    match waitpid(pid, Some(WaitPidFlag::__WALL)) {
        Ok(WaitStatus::Stopped(_, Signal::SIGTRAP)) => Ok(()),
        Ok(WaitStatus::Exited(_, code)) => Err(PlatformError::StubStart {
            why: format!("exited with {code}"),
        }),
        Ok(WaitStatus::Signaled(_, sig, _)) => Err(PlatformError::StubStart {
            why: format!("killed by {sig}"),
        }),
        Ok(other) => Err(fail(format!("unexpected stop {other:?}"))),
        Err(source) => Err(fail(format!("wait: {source}"))),
    }
}

/// Kills a stub whose set-up failed after its ready stop.
pub(crate) fn abandon(pid: Pid, why: String) -> PlatformError {
    let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
    let _ = waitpid(pid, Some(WaitPidFlag::__WALL));
    PlatformError::StubStart { why }
}
