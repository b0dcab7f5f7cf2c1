//! Pseudo-terminals: the devpts filesystem (`/dev/pts`, whose `ptmx`
//! opens a new master and whose numbered entries are the slaves), the
//! line discipline between the two ends (Linux's `n_tty`: canonical
//! editing, echo, input and output processing, VMIN/VTIME, terminal
//! signals) and the terminal ioctls.
//!
//! Job control needs processes, which live above this layer: the kernel
//! installs a [`JobControl`] at boot, and terminals ask it who the caller
//! is, which terminal its session controls and where signals go. Without
//! one (unit tests) terminals have no sessions.
//!
//! Lock order: `Terminal::state` is a leaf. Job-control calls take the
//! process tree's lock, so they are made with `state` released.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, OnceLock, Weak};

use abi::ioctl::*;
use abi::signal::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH};
use abi::stat::{makedev, S_IFCHR, S_IFDIR};
use abi::types::{Stat, Termios, Winsize};
use abi::Errno;
use parking_lot::Mutex;

use super::events::{POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use super::FileImpl;
use crate::mm::MemoryManager;
use crate::vfs::{DirEntry, FsStat, InodeRef, Meta, SetAttr};
use crate::waiter::WaitQueue;

/// `/dev/tty`, `/dev/ptmx` (major 5) and the slaves' major.
pub const TTYAUX_MAJOR: u32 = 5;
pub const PTMX_MINOR: u32 = 2;
pub const PTS_MAJOR: u32 = 136;
/// `DEVPTS_SUPER_MAGIC`.
const DEVPTS_MAGIC: u64 = 0x1cd1;
/// Bytes a queue holds before writers wait (Linux's `N_TTY_BUF_SIZE`).
const BUF_SIZE: usize = 4096;
/// How far the slave's output may run ahead of the master's reads.
const OUT_SIZE: usize = 64 << 10;

// c_iflag
const INLCR: u32 = 0o100;
const IGNCR: u32 = 0o200;
const ICRNL: u32 = 0o400;
const IXON: u32 = 0o2000;
// c_oflag
const OPOST: u32 = 0o1;
const ONLCR: u32 = 0o4;
const OCRNL: u32 = 0o10;
const ONOCR: u32 = 0o20;
const ONLRET: u32 = 0o40;
// c_lflag
const ISIG: u32 = 0o1;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const ECHOE: u32 = 0o20;
const ECHOK: u32 = 0o40;
const ECHONL: u32 = 0o100;
const NOFLSH: u32 = 0o200;
const TOSTOP: u32 = 0o400;
const ECHOCTL: u32 = 0o1000;
const ECHOKE: u32 = 0o4000;
const IEXTEN: u32 = 0o100000;
// c_cc
const VINTR: usize = 0;
const VQUIT: usize = 1;
const VERASE: usize = 2;
const VKILL: usize = 3;
const VEOF: usize = 4;
const VTIME: usize = 5;
const VMIN: usize = 6;
const VSTART: usize = 8;
const VSTOP: usize = 9;
const VSUSP: usize = 10;
const VEOL: usize = 11;
const VWERASE: usize = 14;
const VEOL2: usize = 16;
/// A `c_cc` entry of 0 disables the character (`_POSIX_VDISABLE`).
const DISABLED: u8 = 0;

/// Linux's `tty_std_termios` as the pty slave driver adjusts it.
fn slave_termios() -> Termios {
    let mut cc = [0u8; 19];
    let init: [u8; 17] = [
        3, 0o34, 0o177, 0o25, 4, 0, 1, 0, 0o21, 0o23, 0o32, 0, 0o22, 0o17, 0o27, 0o26, 0,
    ];
    cc[..17].copy_from_slice(&init);
    Termios {
        c_iflag: ICRNL | IXON,
        c_oflag: OPOST | ONLCR,
        c_cflag: 0o17 | 0o60 | 0o200, // B38400 | CS8 | CREAD
        c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
        c_line: 0,
        c_cc: cc,
    }
}

/// The master's own termios: raw, as Linux's ptm driver sets it.
fn master_termios() -> Termios {
    Termios {
        c_iflag: 0,
        c_oflag: 0,
        c_lflag: 0,
        ..slave_termios()
    }
}

/// Who is calling, as job control sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub tgid: i32,
    pub pgid: i32,
    pub sid: i32,
}

/// What terminals need from the process tree. Calls are made for the
/// calling task (the kernel knows it per host thread).
pub trait JobControl: Send + Sync {
    fn caller(&self) -> Option<Caller>;
    /// The controlling terminal of the caller's session.
    fn ctty(&self) -> Option<Arc<Terminal>>;
    /// Records `tty` as session `sid`'s controlling terminal (or none).
    fn set_ctty(&self, sid: i32, tty: Option<Arc<Terminal>>);
    /// Sends `sig` (from the kernel) to every process of group `pgid`.
    fn signal_group(&self, pgid: i32, sig: i32);
    /// Whether the calling thread blocks or ignores `sig`.
    fn ignored_or_blocked(&self, sig: i32) -> bool;
    /// Whether group `pgid` is orphaned (no member has a parent in
    /// another group of the same session).
    fn group_orphaned(&self, pgid: i32) -> bool;
    /// Whether a process group `pgid` exists in session `sid`; `None` if
    /// no such group exists at all.
    fn group_in_session(&self, pgid: i32, sid: i32) -> Option<bool>;
    /// Whether session `sid`'s leader is still running.
    fn session_alive(&self, sid: i32) -> bool;
}

static JOB_CONTROL: OnceLock<&'static dyn JobControl> = OnceLock::new();

/// Installs the kernel's job control (once; later calls change nothing,
/// the implementation being stateless).
pub fn set_job_control(j: &'static dyn JobControl) {
    let _ = JOB_CONTROL.set(j);
}

fn job_control() -> Option<&'static dyn JobControl> {
    JOB_CONTROL.get().copied()
}

/// The state both ends share.
#[derive(Debug)]
struct State {
    termios: Termios,
    master_termios: Termios,
    winsize: Winsize,
    /// TIOCSPTLCK: the slave cannot be opened while locked.
    locked: bool,
    /// Canonical mode: complete lines (with their '\n' or EOL, without a
    /// VEOF), and the line being edited.
    lines: VecDeque<Vec<u8>>,
    edit: Vec<u8>,
    /// Non-canonical mode: bytes for the slave to read.
    raw: VecDeque<u8>,
    /// Slave output and echoes, for the master to read.
    output: VecDeque<u8>,
    master_open: bool,
    /// Open slave descriptions.
    slaves: usize,
    /// The last slave closed (the master reads EIO).
    other_closed: bool,
    /// The session this is the controlling terminal of, and its
    /// foreground process group.
    session: Option<i32>,
    pgrp: Option<i32>,
}

impl State {
    fn canonical(&self) -> bool {
        self.termios.c_lflag & ICANON != 0
    }

    fn readable(&self) -> usize {
        if self.canonical() {
            self.lines.iter().map(Vec::len).sum()
        } else {
            self.raw.len()
        }
    }

    /// Whether a slave read would return now (data, or a canonical EOF).
    fn input_ready(&self) -> bool {
        if self.canonical() {
            !self.lines.is_empty()
        } else {
            let min = usize::from(self.termios.c_cc[VMIN]).max(1);
            self.raw.len() >= min
        }
    }

    /// Output processing (`OPOST`) of one byte the slave writes or echoes.
    fn out_byte(&mut self, c: u8) {
        let o = self.termios.c_oflag;
        if o & OPOST == 0 {
            self.output.push_back(c);
            return;
        }
        match c {
            b'\n' if o & ONLCR != 0 => self.output.extend([b'\r', b'\n']),
            b'\r' if o & OCRNL != 0 => self.output.push_back(b'\n'),
            b'\r' if o & ONOCR != 0 && self.output.back().is_none_or(|&b| b == b'\n') => {}
            b'\r' if o & ONLRET != 0 => self.output.push_back(b'\r'),
            _ => self.output.push_back(c),
        }
    }

    /// Echoes `c` as `n_tty` does: control characters as `^X` with
    /// ECHOCTL (but tab and newline as themselves).
    fn echo(&mut self, c: u8) {
        if self.termios.c_lflag & ECHOCTL != 0 && (c < 32 || c == 127) && c != b'\t' && c != b'\n' {
            self.out_byte(b'^');
            self.out_byte(c ^ 0o100);
        } else {
            self.out_byte(c);
        }
    }

    /// Visually erases the last character of the edit line.
    fn erase_one(&mut self, echo: bool) {
        let Some(c) = self.edit.pop() else { return };
        if !echo {
            return;
        }
        let l = self.termios.c_lflag;
        let width = if l & ECHOCTL != 0 && (c < 32 || c == 127) && c != b'\t' {
            2
        } else {
            1
        };
        for _ in 0..width {
            self.output.extend(*b"\x08 \x08");
        }
    }

    /// Feeds one byte typed on the master through the input side of the
    /// line discipline. Returns a signal to send to the foreground group.
    fn receive(&mut self, mut c: u8) -> Option<i32> {
        let (i, l) = (self.termios.c_iflag, self.termios.c_lflag);
        let cc = self.termios.c_cc;
        let is = |idx: usize, c: u8| cc[idx] != DISABLED && cc[idx] == c;
        if c == b'\r' {
            if i & IGNCR != 0 {
                return None;
            }
            if i & ICRNL != 0 {
                c = b'\n';
            }
        } else if c == b'\n' && i & INLCR != 0 {
            c = b'\r';
        }
        if l & ISIG != 0 {
            let sig = if is(VINTR, c) {
                Some(SIGINT)
            } else if is(VQUIT, c) {
                Some(SIGQUIT)
            } else if is(VSUSP, c) {
                Some(SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                if l & NOFLSH == 0 {
                    self.lines.clear();
                    self.edit.clear();
                    self.raw.clear();
                    self.output.clear();
                }
                if l & ECHO != 0 {
                    self.echo(c);
                }
                return Some(sig);
            }
        }
        // Flow control: the characters are consumed (output is never
        // actually stopped).
        if i & IXON != 0 && (is(VSTART, c) || is(VSTOP, c)) {
            return None;
        }
        let echo = l & ECHO != 0;
        if l & ICANON != 0 {
            if is(VERASE, c) || (l & IEXTEN != 0 && is(VWERASE, c)) {
                if is(VWERASE, c) {
                    while self.edit.last().is_some_and(u8::is_ascii_whitespace) {
                        self.erase_one(echo);
                    }
                    while self.edit.last().is_some_and(|b| !b.is_ascii_whitespace()) {
                        self.erase_one(echo);
                    }
                } else if echo && l & ECHOE == 0 {
                    self.edit.pop();
                    self.echo(c);
                } else {
                    self.erase_one(echo);
                }
                return None;
            }
            if is(VKILL, c) {
                if echo && (l & ECHOK == 0 || l & ECHOKE == 0 || l & ECHOE == 0) {
                    self.edit.clear();
                    self.echo(c);
                    if l & ECHOK != 0 {
                        self.out_byte(b'\n');
                    }
                } else {
                    while !self.edit.is_empty() {
                        self.erase_one(echo);
                    }
                }
                return None;
            }
            if is(VEOF, c) {
                let line = std::mem::take(&mut self.edit);
                self.lines.push_back(line);
                return None;
            }
            if c == b'\n' || is(VEOL, c) || is(VEOL2, c) {
                if echo || (c == b'\n' && l & ECHONL != 0) {
                    self.echo(c);
                }
                let mut line = std::mem::take(&mut self.edit);
                line.push(c);
                self.lines.push_back(line);
                return None;
            }
            // Linux keeps room for the newline in a full line buffer.
            if self.edit.len() < BUF_SIZE - 1 {
                self.edit.push(c);
                if echo {
                    self.echo(c);
                }
            }
            return None;
        }
        self.raw.push_back(c);
        if echo {
            self.echo(c);
        }
        None
    }

    /// The switch between canonical and raw mode: pending input moves.
    fn set_termios(&mut self, t: Termios) {
        let was = self.canonical();
        self.termios = t;
        match (was, self.canonical()) {
            (true, false) => {
                for line in std::mem::take(&mut self.lines) {
                    self.raw.extend(line);
                }
                self.raw.extend(std::mem::take(&mut self.edit));
            }
            (false, true) => self.edit.extend(std::mem::take(&mut self.raw)),
            _ => {}
        }
    }
}

/// One pseudo-terminal pair.
#[derive(Debug)]
pub struct Terminal {
    index: u32,
    fs: Weak<DevPts>,
    state: Mutex<State>,
    queue: WaitQueue,
    meta: Mutex<Meta>,
}

impl Terminal {
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Whether `self` is the caller's controlling terminal; the caller.
    fn caller_ctty(self: &Arc<Self>) -> Option<Caller> {
        let j = job_control()?;
        let ctty = j.ctty()?;
        if !Arc::ptr_eq(&ctty, self) {
            return None;
        }
        j.caller()
    }

    /// Linux's `__tty_check_change`: a background process of the
    /// terminal's session gets `sig` (SIGTTIN for reads, SIGTTOU for
    /// writes with TOSTOP and for attribute changes) and the call
    /// restarts after it; ignored or orphaned, EIO for reads.
    fn check_change(self: &Arc<Self>, sig: i32) -> Result<(), Errno> {
        let Some(c) = self.caller_ctty() else {
            return Ok(());
        };
        let Some(fg) = self.state.lock().pgrp else {
            return Ok(());
        };
        if fg == c.pgid {
            return Ok(());
        }
        let j = job_control().expect("caller_ctty found one");
        if j.ignored_or_blocked(sig) {
            return if sig == SIGTTIN {
                Err(Errno::EIO)
            } else {
                Ok(())
            };
        }
        if j.group_orphaned(c.pgid) {
            return Err(Errno::EIO);
        }
        j.signal_group(c.pgid, sig);
        Err(Errno::ERESTARTSYS)
    }

    /// Sends `sig` to the foreground process group, if there is one.
    fn signal_foreground(&self, sig: i32) {
        let pgrp = self.state.lock().pgrp;
        if let (Some(j), Some(pg)) = (job_control(), pgrp) {
            j.signal_group(pg, sig);
        }
    }

    /// A session leader opening the slave without `O_NOCTTY` takes it as
    /// its controlling terminal if it has none and the terminal is free.
    fn maybe_acquire(self: &Arc<Self>, flags: i32) {
        if flags & libc::O_NOCTTY != 0 {
            return;
        }
        let Some(j) = job_control() else { return };
        let Some(c) = j.caller() else { return };
        if c.sid != c.tgid || j.ctty().is_some() {
            return;
        }
        let session = self.state.lock().session;
        if session.is_some_and(|s| j.session_alive(s)) {
            return;
        }
        self.take_for(j, c);
    }

    fn take_for(self: &Arc<Self>, j: &dyn JobControl, c: Caller) {
        {
            let mut st = self.state.lock();
            st.session = Some(c.sid);
            st.pgrp = Some(c.pgid);
        }
        j.set_ctty(c.sid, Some(self.clone()));
    }

    /// Input typed on the master.
    fn master_write(&self, buf: &[u8]) -> Result<usize, Errno> {
        let mut signals = Vec::new();
        let mut n = 0;
        {
            let mut st = self.state.lock();
            for &c in buf {
                if !st.canonical() && st.raw.len() >= BUF_SIZE {
                    break;
                }
                if let Some(sig) = st.receive(c) {
                    signals.push(sig);
                }
                n += 1;
            }
        }
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        self.queue.notify_all();
        for sig in signals {
            self.signal_foreground(sig);
        }
        Ok(n)
    }

    fn master_read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut st = self.state.lock();
        if st.output.is_empty() {
            return Err(if st.other_closed {
                Errno::EIO
            } else {
                Errno::EAGAIN
            });
        }
        let n = buf.len().min(st.output.len());
        for (d, s) in buf.iter_mut().zip(st.output.drain(..n)) {
            *d = s;
        }
        drop(st);
        self.queue.notify(POLLOUT | POLLWRNORM);
        Ok(n)
    }

    fn slave_read(self: &Arc<Self>, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        self.check_change(SIGTTIN)?;
        let mut st = self.state.lock();
        if buf.is_empty() {
            return Ok(0);
        }
        let n = if st.canonical() {
            let Some(line) = st.lines.front_mut() else {
                return if st.master_open {
                    Err(Errno::EAGAIN)
                } else {
                    Ok(0)
                };
            };
            let n = buf.len().min(line.len());
            buf[..n].copy_from_slice(&line[..n]);
            line.drain(..n);
            if line.is_empty() {
                st.lines.pop_front();
            }
            n
        } else {
            let (min, time) = (usize::from(st.termios.c_cc[VMIN]), st.termios.c_cc[VTIME]);
            let avail = st.raw.len();
            let enough = avail >= min.min(buf.len()).max(1);
            if avail == 0 && !st.master_open {
                return Ok(0);
            }
            if !enough {
                // VMIN 0 and VTIME 0: a poll. O_NONBLOCK takes what there
                // is. VTIME's timers are not kept: a timed read waits as
                // an untimed one would.
                if min == 0 && time == 0 && avail == 0 {
                    return Ok(0);
                }
                if avail == 0 || flags & libc::O_NONBLOCK == 0 {
                    return Err(Errno::EAGAIN);
                }
            }
            let n = buf.len().min(avail);
            for (d, s) in buf.iter_mut().zip(st.raw.drain(..n)) {
                *d = s;
            }
            n
        };
        drop(st);
        self.queue.notify(POLLOUT | POLLWRNORM);
        Ok(n)
    }

    fn slave_write(self: &Arc<Self>, buf: &[u8]) -> Result<usize, Errno> {
        let tostop = self.state.lock().termios.c_lflag & TOSTOP != 0;
        if tostop {
            self.check_change(SIGTTOU)?;
        }
        let mut st = self.state.lock();
        if !st.master_open {
            return Err(Errno::EIO);
        }
        let mut n = 0;
        for &c in buf {
            if st.output.len() >= OUT_SIZE {
                break;
            }
            st.out_byte(c);
            n += 1;
        }
        drop(st);
        if n == 0 && !buf.is_empty() {
            return Err(Errno::EAGAIN);
        }
        self.queue.notify(POLLIN | POLLRDNORM);
        Ok(n)
    }

    fn set_winsize(&self, ws: Winsize) {
        let changed = {
            let mut st = self.state.lock();
            let old = st.winsize;
            st.winsize = ws;
            (old.ws_row, old.ws_col, old.ws_xpixel, old.ws_ypixel)
                != (ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel)
        };
        if changed {
            self.signal_foreground(SIGWINCH);
        }
    }

    /// The terminal ioctls, from the master (`master`) or a slave.
    fn ioctl(
        self: &Arc<Self>,
        master: bool,
        req: u64,
        arg: u64,
        mm: &MemoryManager,
    ) -> Result<u64, Errno> {
        match req {
            TCGETS => {
                let st = self.state.lock();
                let t = if master {
                    st.master_termios
                } else {
                    st.termios
                };
                drop(st);
                mm.write_obj(arg, &t)?;
                Ok(0)
            }
            TCSETS | TCSETSW | TCSETSF => {
                let t: Termios = mm.read_obj(arg)?;
                if !master {
                    self.check_change(SIGTTOU)?;
                }
                let mut st = self.state.lock();
                if req == TCSETSF {
                    st.lines.clear();
                    st.edit.clear();
                    st.raw.clear();
                }
                if master {
                    st.master_termios = t;
                } else {
                    st.set_termios(t);
                }
                drop(st);
                self.queue.notify_all();
                Ok(0)
            }
            TIOCGWINSZ => {
                let ws = self.state.lock().winsize;
                mm.write_obj(arg, &ws)?;
                Ok(0)
            }
            TIOCSWINSZ => {
                let ws: Winsize = mm.read_obj(arg)?;
                self.set_winsize(ws);
                Ok(0)
            }
            FIONREAD => {
                let st = self.state.lock();
                let n = if master {
                    st.output.len()
                } else {
                    st.readable()
                };
                drop(st);
                mm.write_obj(arg, &i32::try_from(n).unwrap_or(i32::MAX))?;
                Ok(0)
            }
            TIOCOUTQ => {
                let st = self.state.lock();
                let n = if master { 0 } else { st.output.len() };
                drop(st);
                mm.write_obj(arg, &i32::try_from(n).unwrap_or(i32::MAX))?;
                Ok(0)
            }
            TCFLSH => {
                const TCIFLUSH: u64 = 0;
                const TCOFLUSH: u64 = 1;
                const TCIOFLUSH: u64 = 2;
                let which = arg & 0xffff_ffff;
                if which > TCIOFLUSH {
                    return Err(Errno::EINVAL);
                }
                let mut st = self.state.lock();
                // The master's input is the slave's output and back.
                let (input, output) = if master {
                    (TCOFLUSH, TCIFLUSH)
                } else {
                    (TCIFLUSH, TCOFLUSH)
                };
                if which == input || which == TCIOFLUSH {
                    st.lines.clear();
                    st.edit.clear();
                    st.raw.clear();
                }
                if which == output || which == TCIOFLUSH {
                    st.output.clear();
                }
                drop(st);
                self.queue.notify_all();
                Ok(0)
            }
            // Output is never stopped, so TCOOFF/TCOON/TCIOFF/TCION have
            // nothing to do.
            TCXONC => {
                if arg & 0xffff_ffff > 3 {
                    return Err(Errno::EINVAL);
                }
                Ok(0)
            }
            TCSBRK | TCSBRKP => Ok(0),
            TIOCGPTN if master => {
                mm.write_obj(arg, &self.index)?;
                Ok(0)
            }
            TIOCSPTLCK if master => {
                let lock: i32 = mm.read_obj(arg)?;
                self.state.lock().locked = lock != 0;
                Ok(0)
            }
            TIOCGPTLCK if master => {
                let locked = i32::from(self.state.lock().locked);
                mm.write_obj(arg, &locked)?;
                Ok(0)
            }
            TIOCSCTTY => self.tiocsctty(),
            TIOCNOTTY => self.tiocnotty(master),
            TIOCGPGRP => {
                if !master && self.caller_ctty().is_none() {
                    return Err(Errno::ENOTTY);
                }
                let pg = self.state.lock().pgrp.unwrap_or(0);
                mm.write_obj(arg, &pg)?;
                Ok(0)
            }
            TIOCSPGRP => self.tiocspgrp(master, arg, mm),
            TIOCGSID => {
                if !master && self.caller_ctty().is_none() {
                    return Err(Errno::ENOTTY);
                }
                let sid = self.state.lock().session.ok_or(Errno::ENOTTY)?;
                mm.write_obj(arg, &sid)?;
                Ok(0)
            }
            TIOCGETD => {
                mm.write_obj(arg, &0i32)?;
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }

    fn tiocsctty(self: &Arc<Self>) -> Result<u64, Errno> {
        let j = job_control().ok_or(Errno::EPERM)?;
        let c = j.caller().ok_or(Errno::EPERM)?;
        if let Some(cur) = j.ctty() {
            if Arc::ptr_eq(&cur, self) && c.sid == c.tgid {
                return Ok(0);
            }
            return Err(Errno::EPERM);
        }
        if c.sid != c.tgid {
            return Err(Errno::EPERM);
        }
        // Stealing another live session's terminal (arg 1 with
        // CAP_SYS_ADMIN) is not offered.
        let session = self.state.lock().session;
        if session.is_some_and(|s| s != c.sid && j.session_alive(s)) {
            return Err(Errno::EPERM);
        }
        self.take_for(j, c);
        Ok(0)
    }

    fn tiocnotty(self: &Arc<Self>, master: bool) -> Result<u64, Errno> {
        if master {
            return Err(Errno::ENOTTY);
        }
        let c = self.caller_ctty().ok_or(Errno::ENOTTY)?;
        let j = job_control().expect("caller_ctty found one");
        if c.sid != c.tgid {
            // Linux drops the terminal for this process alone; here it
            // belongs to the session, which keeps it.
            return Ok(0);
        }
        let pgrp = {
            let mut st = self.state.lock();
            st.session = None;
            st.pgrp.take()
        };
        j.set_ctty(c.sid, None);
        if let Some(pg) = pgrp {
            j.signal_group(pg, SIGHUP);
            j.signal_group(pg, SIGCONT);
        }
        Ok(0)
    }

    fn tiocspgrp(
        self: &Arc<Self>,
        master: bool,
        arg: u64,
        mm: &MemoryManager,
    ) -> Result<u64, Errno> {
        let c = self.caller_ctty();
        if !master && c.is_none() {
            return Err(Errno::ENOTTY);
        }
        if !master {
            self.check_change(SIGTTOU)?;
        }
        let pg: i32 = mm.read_obj(arg)?;
        if pg < 0 {
            return Err(Errno::EINVAL);
        }
        let j = job_control().ok_or(Errno::ENOTTY)?;
        let session = self.state.lock().session.ok_or(Errno::ENOTTY)?;
        if c.is_some_and(|c| c.sid != session) {
            return Err(Errno::ENOTTY);
        }
        match j.group_in_session(pg, session) {
            None => Err(Errno::ESRCH),
            Some(false) => Err(Errno::EPERM),
            Some(true) => {
                self.state.lock().pgrp = Some(pg);
                Ok(0)
            }
        }
    }

    /// Session `sid`'s leader exited: the terminal is free again.
    /// Returns the foreground group, for SIGHUP.
    pub fn session_ended(&self, sid: i32) -> Option<i32> {
        let mut st = self.state.lock();
        if st.session != Some(sid) {
            return None;
        }
        st.session = None;
        st.pgrp.take()
    }

    fn slave_stat(&self) -> Stat {
        let m = *self.meta.lock();
        m.stat(0)
    }

    /// Linux's hangup when the master closes: SIGHUP (and SIGCONT) for
    /// the session's foreground group; slaves read EOF, writes fail.
    fn hang_up(&self) {
        let (pgrp, session) = {
            let mut st = self.state.lock();
            st.master_open = false;
            st.lines.clear();
            st.edit.clear();
            st.raw.clear();
            (st.pgrp.take(), st.session.take())
        };
        self.queue.notify_all();
        if let Some(fs) = self.fs.upgrade() {
            fs.ptys.lock().remove(&self.index);
        }
        if let Some(j) = job_control() {
            if let Some(pg) = pgrp {
                j.signal_group(pg, SIGHUP);
                j.signal_group(pg, SIGCONT);
            }
            if let Some(sid) = session {
                if pgrp != Some(sid) {
                    j.signal_group(sid, SIGHUP);
                }
                j.set_ctty(sid, None);
            }
        }
    }
}

fn tty_readiness(ready_in: bool, ready_out: bool, hup: bool) -> u32 {
    let mut ev = 0;
    if ready_in {
        ev |= POLLIN | POLLRDNORM;
    }
    if ready_out {
        ev |= POLLOUT | POLLWRNORM;
    }
    if hup {
        ev |= POLLHUP;
    }
    ev
}

/// The master side, opened through `ptmx`.
#[derive(Debug)]
pub struct PtyMaster {
    tty: Arc<Terminal>,
}

impl Drop for PtyMaster {
    fn drop(&mut self) {
        self.tty.hang_up();
    }
}

impl PtyMaster {
    /// TIOCGPTPEER: a slave opened from the master (even while locked is
    /// refused, as Linux does).
    pub fn open_peer(&self, flags: i32) -> Result<Box<dyn FileImpl>, Errno> {
        PtySlave::open(&self.tty, flags, false)
    }
}

impl FileImpl for PtyMaster {
    fn read(&self, buf: &mut [u8], _flags: i32) -> Result<usize, Errno> {
        self.tty.master_read(buf)
    }

    fn write(&self, buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        self.tty.master_write(buf)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        let dev = self.tty.fs.upgrade().map_or(0, |f| f.dev);
        Ok(Stat {
            st_dev: dev,
            st_ino: 2,
            st_nlink: 1,
            st_mode: S_IFCHR | 0o666,
            st_rdev: makedev(TTYAUX_MAJOR, PTMX_MINOR),
            st_blksize: 1024,
            ..Stat::default()
        })
    }

    fn tcgets(&self) -> Result<Termios, Errno> {
        Ok(self.tty.state.lock().master_termios)
    }

    fn window_size(&self) -> Result<Winsize, Errno> {
        Ok(self.tty.state.lock().winsize)
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        Ok(i32::try_from(self.tty.state.lock().output.len()).unwrap_or(i32::MAX))
    }

    fn ioctl(&self, req: u64, arg: u64, mm: &MemoryManager) -> Result<u64, Errno> {
        self.tty.ioctl(true, req, arg, mm)
    }

    fn readiness(&self) -> u32 {
        let st = self.tty.state.lock();
        let out_ok = st.canonical() || st.raw.len() < BUF_SIZE;
        tty_readiness(!st.output.is_empty(), out_ok, st.other_closed)
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.tty.queue)
    }

    fn async_queue(&self) -> Option<&WaitQueue> {
        Some(&self.tty.queue)
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// A slave side: a `/dev/pts/N` open, a TIOCGPTPEER, or `/dev/tty`.
#[derive(Debug)]
pub struct PtySlave {
    tty: Arc<Terminal>,
    /// Opened as `/dev/tty` (stat shows 5:0).
    via_dev_tty: bool,
}

impl PtySlave {
    fn open(
        tty: &Arc<Terminal>,
        flags: i32,
        via_dev_tty: bool,
    ) -> Result<Box<dyn FileImpl>, Errno> {
        {
            let mut st = tty.state.lock();
            if !st.master_open || (st.locked && !via_dev_tty) {
                return Err(Errno::EIO);
            }
            st.slaves += 1;
            st.other_closed = false;
        }
        let slave = PtySlave {
            tty: tty.clone(),
            via_dev_tty,
        };
        tty.maybe_acquire(flags);
        Ok(Box::new(slave))
    }
}

impl Drop for PtySlave {
    fn drop(&mut self) {
        {
            let mut st = self.tty.state.lock();
            st.slaves -= 1;
            if st.slaves == 0 {
                st.other_closed = true;
            }
        }
        self.tty.queue.notify_all();
    }
}

impl FileImpl for PtySlave {
    fn read(&self, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        self.tty.slave_read(buf, flags)
    }

    fn write(&self, buf: &[u8], _flags: i32) -> Result<usize, Errno> {
        self.tty.slave_write(buf)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        if self.via_dev_tty {
            return Ok(Stat {
                st_nlink: 1,
                st_mode: S_IFCHR | 0o666,
                st_rdev: makedev(TTYAUX_MAJOR, 0),
                st_blksize: 4096,
                ..Stat::default()
            });
        }
        Ok(self.tty.slave_stat())
    }

    fn tcgets(&self) -> Result<Termios, Errno> {
        Ok(self.tty.state.lock().termios)
    }

    fn window_size(&self) -> Result<Winsize, Errno> {
        Ok(self.tty.state.lock().winsize)
    }

    fn bytes_readable(&self) -> Result<i32, Errno> {
        Ok(i32::try_from(self.tty.state.lock().readable()).unwrap_or(i32::MAX))
    }

    fn ioctl(&self, req: u64, arg: u64, mm: &MemoryManager) -> Result<u64, Errno> {
        self.tty.ioctl(false, req, arg, mm)
    }

    fn readiness(&self) -> u32 {
        let st = self.tty.state.lock();
        let hup = !st.master_open;
        tty_readiness(st.input_ready() || hup, st.output.len() < OUT_SIZE, hup)
    }

    fn queue(&self) -> Option<&WaitQueue> {
        Some(&self.tty.queue)
    }

    fn async_queue(&self) -> Option<&WaitQueue> {
        Some(&self.tty.queue)
    }
}

/// Opens `/dev/tty`: the caller's controlling terminal, `ENXIO` without
/// one.
pub fn open_dev_tty(flags: i32) -> Result<Box<dyn FileImpl>, Errno> {
    let tty = job_control().and_then(|j| j.ctty()).ok_or(Errno::ENXIO)?;
    PtySlave::open(&tty, flags | libc::O_NOCTTY, true)
}

/// A devpts instance.
#[derive(Debug)]
pub struct DevPts {
    dev: u64,
    ptys: Mutex<BTreeMap<u32, Weak<Terminal>>>,
    created: Meta,
    this: Weak<DevPts>,
}

/// A new devpts filesystem; its root directory.
pub fn new_devpts() -> InodeRef {
    let dev = crate::vfs::anon_dev();
    let fs = Arc::new_cyclic(|this| DevPts {
        dev,
        ptys: Mutex::new(BTreeMap::new()),
        created: Meta::new(1, dev, S_IFDIR | 0o755, 0, 0),
        this: this.clone(),
    });
    Arc::new(DevPtsNode {
        fs,
        kind: NodeKind::Root,
    })
}

impl DevPts {
    fn fs_stat() -> FsStat {
        FsStat {
            fs_type: DEVPTS_MAGIC,
            bsize: 4096,
            namelen: 255,
            frsize: 4096,
            ..FsStat::default()
        }
    }

    /// A new pair with the lowest free number.
    fn new_master(&self) -> Result<Box<dyn FileImpl>, Errno> {
        // Linux gives the slave the opener's fsuid and fsgid; this layer
        // has no credentials, so slaves belong to root.
        let (uid, gid) = (0, 0);
        let mut ptys = self.ptys.lock();
        ptys.retain(|_, w| w.strong_count() > 0);
        let index = (0u32..)
            .find(|i| !ptys.contains_key(i))
            .ok_or(Errno::ENOSPC)?;
        let mut meta = Meta::new(u64::from(index) + 3, self.dev, S_IFCHR | 0o620, uid, gid);
        meta.rdev = makedev(PTS_MAJOR, index);
        let tty = Arc::new(Terminal {
            index,
            fs: self.this.clone(),
            state: Mutex::new(State {
                termios: slave_termios(),
                master_termios: master_termios(),
                winsize: Winsize::default(),
                locked: true,
                lines: VecDeque::new(),
                edit: Vec::new(),
                raw: VecDeque::new(),
                output: VecDeque::new(),
                master_open: true,
                slaves: 0,
                other_closed: false,
                session: None,
                pgrp: None,
            }),
            queue: WaitQueue::default(),
            meta: Mutex::new(meta),
        });
        ptys.insert(index, Arc::downgrade(&tty));
        Ok(Box::new(PtyMaster { tty }))
    }
}

#[derive(Debug)]
enum NodeKind {
    Root,
    Ptmx,
    Slave(Arc<Terminal>),
}

/// A node of devpts.
#[derive(Debug)]
struct DevPtsNode {
    fs: Arc<DevPts>,
    kind: NodeKind,
}

impl crate::vfs::Inode for DevPtsNode {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(match &self.kind {
            NodeKind::Root => self.fs.created.stat(0),
            NodeKind::Ptmx => {
                let mut m = Meta::new(2, self.fs.dev, S_IFCHR | 0o666, 0, 0);
                m.rdev = makedev(TTYAUX_MAJOR, PTMX_MINOR);
                m.atime = self.fs.created.atime;
                m.mtime = self.fs.created.mtime;
                m.ctime = self.fs.created.ctime;
                m.stat(0)
            }
            NodeKind::Slave(t) => t.slave_stat(),
        })
    }

    fn lookup(&self, name: &[u8]) -> Result<InodeRef, Errno> {
        if !matches!(self.kind, NodeKind::Root) {
            return Err(Errno::ENOTDIR);
        }
        if name == b"ptmx" {
            return Ok(Arc::new(DevPtsNode {
                fs: self.fs.clone(),
                kind: NodeKind::Ptmx,
            }));
        }
        let index: u32 = std::str::from_utf8(name)
            .ok()
            .filter(|s| !s.starts_with('0') || s.len() == 1)
            .and_then(|s| s.parse().ok())
            .ok_or(Errno::ENOENT)?;
        let tty = self
            .fs
            .ptys
            .lock()
            .get(&index)
            .and_then(Weak::upgrade)
            .ok_or(Errno::ENOENT)?;
        Ok(Arc::new(DevPtsNode {
            fs: self.fs.clone(),
            kind: NodeKind::Slave(tty),
        }))
    }

    fn readdir(&self) -> Result<Vec<DirEntry>, Errno> {
        if !matches!(self.kind, NodeKind::Root) {
            return Err(Errno::ENOTDIR);
        }
        let mut out = vec![DirEntry {
            ino: 2,
            kind: crate::vfs::dirent_type(S_IFCHR),
            name: b"ptmx".to_vec(),
        }];
        for (i, w) in self.fs.ptys.lock().iter() {
            if w.strong_count() > 0 {
                out.push(DirEntry {
                    ino: u64::from(*i) + 3,
                    kind: crate::vfs::dirent_type(S_IFCHR),
                    name: i.to_string().into_bytes(),
                });
            }
        }
        Ok(out)
    }

    fn open(&self, flags: i32) -> Option<Result<Box<dyn FileImpl>, Errno>> {
        match &self.kind {
            NodeKind::Root => None,
            NodeKind::Ptmx => Some(self.fs.new_master()),
            NodeKind::Slave(t) => Some(PtySlave::open(t, flags, false)),
        }
    }

    fn setattr(&self, a: &SetAttr) -> Result<(), Errno> {
        match &self.kind {
            NodeKind::Slave(t) => {
                t.meta.lock().apply(a);
                Ok(())
            }
            _ => Err(Errno::EPERM),
        }
    }

    fn statfs(&self) -> Result<FsStat, Errno> {
        Ok(DevPts::fs_stat())
    }

    fn cacheable(&self) -> bool {
        false
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Box<dyn FileImpl>, Box<dyn FileImpl>) {
        let root = new_devpts();
        let ptmx = root.lookup(b"ptmx").expect("ptmx");
        let m = ptmx.open(libc::O_RDWR).expect("a device").expect("opens");
        let slave = root.lookup(b"0").expect("slave 0 listed");
        assert_eq!(
            slave.open(libc::O_RDWR).expect("device").err(),
            Some(Errno::EIO),
            "locked"
        );
        let any = m.as_any().expect("master");
        let master = any.downcast_ref::<PtyMaster>().expect("a master");
        master.tty.state.lock().locked = false;
        let s = slave.open(libc::O_RDWR).expect("device").expect("unlocked");
        (m, s)
    }

    #[test]
    fn canonical_line_reaches_slave_at_newline_with_echo() {
        let (m, s) = pair();
        let mut buf = [0u8; 64];
        assert_eq!(m.write(b"hel", 0), Ok(3));
        assert_eq!(s.read(&mut buf, 0), Err(Errno::EAGAIN));
        assert_eq!(m.write(b"x\x7flo\n", 0), Ok(5));
        assert_eq!(s.read(&mut buf, 0), Ok(6));
        assert_eq!(&buf[..6], b"hello\n");
        let n = m.read(&mut buf, 0).expect("echo");
        assert_eq!(&buf[..n], b"helx\x08 \x08lo\r\n");
    }

    #[test]
    fn eof_on_empty_line_reads_zero_and_master_reads_eio_after_slave_closes() {
        let (m, s) = pair();
        let mut buf = [0u8; 8];
        assert_eq!(m.write(b"\x04", 0), Ok(1));
        assert_eq!(s.read(&mut buf, 0), Ok(0));
        drop(s);
        assert_eq!(m.read(&mut buf, 0), Err(Errno::EIO));
    }

    #[test]
    fn slave_reads_eof_and_writes_eio_after_master_closes() {
        let (m, s) = pair();
        drop(m);
        let mut buf = [0u8; 8];
        assert_eq!(s.read(&mut buf, 0), Ok(0));
        assert_eq!(s.write(b"x", 0), Err(Errno::EIO));
    }
}
