//! Message queues: typed messages in order, bounded by `msg_qbytes`.

use std::collections::VecDeque;

use abi::ipc::{MsqidDs, MSGMNB, MSGMNI, MSG_EXCEPT};
use abi::Errno;

use super::{now, Kind, State};

#[derive(Debug)]
pub struct Message {
    pub mtype: i64,
    pub text: Vec<u8>,
}

/// One queue.
#[derive(Debug)]
pub struct Queue {
    pub messages: VecDeque<Message>,
    /// Bytes of text queued (`msg_cbytes`).
    pub bytes: u64,
    pub qbytes: u64,
    pub stime: i64,
    pub rtime: i64,
    pub ctime: i64,
    pub lspid: i32,
    pub lrpid: i32,
}

impl Kind for Queue {
    #[allow(clippy::cast_sign_loss)]
    const MAX: usize = MSGMNI as usize;

    fn changed(&mut self) {
        self.ctime = now();
    }
}

impl Default for Queue {
    fn default() -> Queue {
        Queue {
            messages: VecDeque::new(),
            bytes: 0,
            #[allow(clippy::cast_sign_loss)]
            qbytes: MSGMNB as u64,
            stime: 0,
            rtime: 0,
            ctime: now(),
            lspid: 0,
            lrpid: 0,
        }
    }
}

impl Queue {
    /// Linux's `msg_fits_inqueue`: the bytes, and the count of messages
    /// (each costs one of `qbytes` too), within the limit.
    pub fn fits(&self, len: usize) -> bool {
        self.bytes + len as u64 <= self.qbytes && (self.messages.len() as u64) < self.qbytes
    }

    pub fn push(&mut self, msg: Message, tgid: i32) {
        self.bytes += msg.text.len() as u64;
        self.messages.push_back(msg);
        self.lspid = tgid;
        self.stime = now();
    }

    /// The index of the message `msgrcv` would take for `msgtyp`.
    pub fn find(&self, msgtyp: i64, flags: i32) -> Option<usize> {
        if msgtyp == 0 {
            return (!self.messages.is_empty()).then_some(0);
        }
        if msgtyp > 0 {
            let except = flags & MSG_EXCEPT != 0;
            return self
                .messages
                .iter()
                .position(|m| (m.mtype == msgtyp) != except);
        }
        let limit = msgtyp.checked_neg().unwrap_or(i64::MAX);
        let mut best: Option<(usize, i64)> = None;
        for (i, m) in self.messages.iter().enumerate() {
            if m.mtype <= limit && best.is_none_or(|(_, t)| m.mtype < t) {
                best = Some((i, m.mtype));
            }
        }
        best.map(|(i, _)| i)
    }

    pub fn take(&mut self, i: usize, tgid: i32) -> Result<Message, Errno> {
        let m = self.messages.remove(i).ok_or(Errno::ENOMSG)?;
        self.bytes -= m.text.len() as u64;
        self.lrpid = tgid;
        self.rtime = now();
        Ok(m)
    }
}

/// `struct msqid64_ds` of a queue.
pub fn stat(s: &State<Queue>) -> MsqidDs {
    let q = &s.data;
    MsqidDs {
        msg_perm: s.perm.to_abi(),
        msg_stime: q.stime,
        msg_rtime: q.rtime,
        msg_ctime: q.ctime,
        msg_cbytes: q.bytes,
        msg_qnum: q.messages.len() as u64,
        msg_qbytes: q.qbytes,
        msg_lspid: q.lspid,
        msg_lrpid: q.lrpid,
        ..MsqidDs::default()
    }
}
