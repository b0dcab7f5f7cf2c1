//! futex(2).

use std::time::{Duration, Instant};

use abi::futex::{
    FUTEX_BITSET_MATCH_ANY, FUTEX_CLOCK_REALTIME, FUTEX_CMD_MASK, FUTEX_OWNER_DIED,
    FUTEX_PRIVATE_FLAG, FUTEX_TID_MASK, FUTEX_WAITERS,
};
use abi::Errno;

use super::timeval::{instant_at, read_timespec};
use crate::arch::SyscallArgs;
use crate::kernel::futex::FutexKey;
use crate::kernel::Task;

const WAIT: i32 = 0;
const WAKE: i32 = 1;
const REQUEUE: i32 = 3;
const CMP_REQUEUE: i32 = 4;
const WAKE_OP: i32 = 5;
const LOCK_PI: i32 = 6;
const UNLOCK_PI: i32 = 7;
const TRYLOCK_PI: i32 = 8;
const WAIT_BITSET: i32 = 9;
const WAKE_BITSET: i32 = 10;
const WAIT_REQUEUE_PI: i32 = 11;
const LOCK_PI2: i32 = 13;

/// Implements futex(2).
pub fn sys_futex(t: &mut Task, a: &SyscallArgs) -> Result<u64, Errno> {
    let op = a.int(1);
    let cmd = op & FUTEX_CMD_MASK;
    let private = op & FUTEX_PRIVATE_FLAG != 0;
    let realtime = op & FUTEX_CLOCK_REALTIME != 0;
    if realtime && !matches!(cmd, WAIT_BITSET | WAIT_REQUEUE_PI | LOCK_PI2) {
        return Err(Errno::ENOSYS);
    }
    let uaddr = a.addr(0);
    let val = a.uint(2);
    match cmd {
        WAIT | WAIT_BITSET => {
            let bitset = if cmd == WAIT {
                FUTEX_BITSET_MATCH_ANY
            } else {
                a.uint(5)
            };
            if bitset == 0 {
                return Err(Errno::EINVAL);
            }
            let deadline = match read_timespec(t, a.addr(3))? {
                None => None,
                Some(ts) if cmd == WAIT => Some(Instant::now() + ts),
                Some(ts) => Some(absolute(ts, realtime)),
            };
            wait(
                t,
                uaddr,
                private,
                val,
                bitset,
                deadline,
                cmd == WAIT && a.addr(3) != 0,
            )
        }
        WAKE | WAKE_BITSET => {
            let bitset = if cmd == WAKE {
                FUTEX_BITSET_MATCH_ANY
            } else {
                a.uint(5)
            };
            if bitset == 0 {
                return Err(Errno::EINVAL);
            }
            let key = t.mm.futex_key(uaddr, private)?;
            Ok(t.kernel.futexes.wake(key, wake_count(val), bitset)? as u64)
        }
        REQUEUE | CMP_REQUEUE => {
            let (n_wake, n_move) = (a.int(2), a.int(3));
            if n_wake < 0 || n_move < 0 {
                return Err(Errno::EINVAL);
            }
            let k1 = t.mm.futex_key(uaddr, private)?;
            let k2 = t.mm.futex_key(a.addr(4), private)?;
            let expect = a.uint(5);
            let mm = t.mm.clone();
            let n = t.kernel.futexes.requeue(
                k1,
                k2,
                n_wake.cast_unsigned() as usize,
                n_move.cast_unsigned() as usize,
                || {
                    if cmd == CMP_REQUEUE && mm.read_obj::<u32>(uaddr)? != expect {
                        return Err(Errno::EAGAIN);
                    }
                    Ok(())
                },
            )?;
            Ok(n as u64)
        }
        WAKE_OP => {
            let k1 = t.mm.futex_key(uaddr, private)?;
            let uaddr2 = a.addr(4);
            let k2 = t.mm.futex_key(uaddr2, private)?;
            let encoded = a.uint(5);
            let (n1, n2) = (wake_count(val), wake_count(a.uint(3)));
            let mm = t.mm.clone();
            let n = t.kernel.futexes.wake_op(k1, k2, n1, n2, || {
                let (op, cmp, oparg, cmparg) = decode_op(encoded)?;
                let old = mm.update_u32(uaddr2, |v| Some(apply(op, v, oparg)))?;
                // Linux checks the comparison only after the update.
                if cmp > 5 {
                    return Err(Errno::ENOSYS);
                }
                Ok(compare(cmp, old.cast_signed(), cmparg))
            })?;
            Ok(n as u64)
        }
        LOCK_PI | LOCK_PI2 | TRYLOCK_PI => {
            let deadline = if cmd == TRYLOCK_PI {
                None
            } else {
                // LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2
                // uses CLOCK_MONOTONIC unless told otherwise.
                read_timespec(t, a.addr(3))?.map(|ts| absolute(ts, cmd == LOCK_PI || realtime))
            };
            lock_pi(t, uaddr, private, deadline, cmd == TRYLOCK_PI)
        }
        UNLOCK_PI => unlock_pi(t, uaddr, private),
        // PI condition variables are not supported.
        _ => Err(Errno::ENOSYS),
    }
}

/// Linux wakes at least one waiter whatever the count says.
fn wake_count(val: u32) -> usize {
    let n = val.cast_signed();
    if n <= 0 {
        1
    } else {
        n.cast_unsigned() as usize
    }
}

/// An absolute time on CLOCK_REALTIME or CLOCK_MONOTONIC as an `Instant`.
fn absolute(since_epoch: Duration, realtime: bool) -> Instant {
    let id = if realtime {
        libc::CLOCK_REALTIME
    } else {
        libc::CLOCK_MONOTONIC
    };
    instant_at(id, since_epoch)
}

fn wait(
    t: &Task,
    uaddr: u64,
    private: bool,
    val: u32,
    bitset: u32,
    deadline: Option<Instant>,
    relative: bool,
) -> Result<u64, Errno> {
    let key = t.mm.futex_key(uaddr, private)?;
    let mm = t.mm.clone();
    let waiter = t
        .kernel
        .futexes
        .enqueue(key, bitset, t.tid, false, &t.shared.waker, || {
            if mm.read_obj::<u32>(uaddr)? != val {
                return Err(Errno::EAGAIN);
            }
            Ok(true)
        })?
        .expect("a plain wait always queues");
    match t.block(deadline, || waiter.is_woken().then_some(())) {
        Ok(()) => Ok(0),
        Err(e) => {
            if t.kernel.futexes.dequeue(&waiter) {
                return Ok(0);
            }
            match e {
                // A relative wait cannot simply restart with its whole
                // timeout: a handler sees EINTR.
                Errno::ERESTARTSYS if relative => Err(Errno::ERESTARTNOHAND),
                e => Err(e),
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Set,
    Add,
    Or,
    AndN,
    Xor,
}

fn sign_extend_12(v: u32) -> i32 {
    ((v << 20).cast_signed()) >> 20
}

/// Decodes FUTEX_WAKE_OP's `val3`: operation, comparison, operands.
fn decode_op(encoded: u32) -> Result<(Op, u32, u32, i32), Errno> {
    let op = match (encoded >> 28) & 7 {
        0 => Op::Set,
        1 => Op::Add,
        2 => Op::Or,
        3 => Op::AndN,
        4 => Op::Xor,
        _ => return Err(Errno::ENOSYS),
    };
    let cmp = (encoded >> 24) & 15;
    let mut oparg = sign_extend_12((encoded >> 12) & 0xfff);
    if encoded & (8 << 28) != 0 {
        oparg = 1 << (oparg & 31);
    }
    let cmparg = sign_extend_12(encoded & 0xfff);
    Ok((op, cmp, oparg.cast_unsigned(), cmparg))
}

fn apply(op: Op, v: u32, arg: u32) -> u32 {
    match op {
        Op::Set => arg,
        Op::Add => v.wrapping_add(arg),
        Op::Or => v | arg,
        Op::AndN => v & !arg,
        Op::Xor => v ^ arg,
    }
}

fn compare(cmp: u32, old: i32, arg: i32) -> bool {
    match cmp {
        0 => old == arg,
        1 => old != arg,
        2 => old < arg,
        3 => old <= arg,
        4 => old > arg,
        _ => old >= arg,
    }
}

/// What a PI lock attempt found.
enum Attempt {
    Taken,
    Wait,
}

fn try_take(t: &Task, uaddr: u64) -> Result<Attempt, Errno> {
    let tid = t.tid.cast_unsigned();
    let mut outcome = Attempt::Wait;
    let mut err = None;
    let tree_has = |owner: u32| {
        t.kernel
            .tree
            .lock()
            .threads
            .contains_key(&owner.cast_signed())
    };
    t.mm.update_u32(uaddr, |v| {
        let owner = v & FUTEX_TID_MASK;
        if owner == 0 {
            outcome = Attempt::Taken;
            Some((v & FUTEX_OWNER_DIED) | tid)
        } else if owner == tid {
            err = Some(Errno::EDEADLK);
            None
        } else if v & FUTEX_OWNER_DIED == 0 && !tree_has(owner) {
            err = Some(Errno::ESRCH);
            None
        } else {
            outcome = Attempt::Wait;
            (v & FUTEX_WAITERS == 0).then_some(v | FUTEX_WAITERS)
        }
    })?;
    if let Some(e) = err {
        return Err(e);
    }
    Ok(outcome)
}

fn lock_pi(
    t: &Task,
    uaddr: u64,
    private: bool,
    deadline: Option<Instant>,
    try_only: bool,
) -> Result<u64, Errno> {
    let key: FutexKey = t.mm.futex_key(uaddr, private)?;
    if try_only {
        return t.kernel.futexes.with_lock(|| match try_take(t, uaddr)? {
            Attempt::Taken => Ok(0),
            Attempt::Wait => Err(Errno::EAGAIN),
        });
    }
    let waiter = t.kernel.futexes.enqueue(
        key,
        FUTEX_BITSET_MATCH_ANY,
        t.tid,
        true,
        &t.shared.waker,
        || Ok(matches!(try_take(t, uaddr)?, Attempt::Wait)),
    )?;
    let Some(waiter) = waiter else {
        return Ok(0);
    };
    // The unlocker hands the lock over before it wakes us.
    match t.block(deadline, || waiter.is_woken().then_some(())) {
        Ok(()) => Ok(0),
        Err(e) => {
            if t.kernel.futexes.dequeue(&waiter) {
                return Ok(0);
            }
            Err(if e == Errno::ERESTARTSYS {
                Errno::ERESTARTNOINTR
            } else {
                e
            })
        }
    }
}

fn unlock_pi(t: &Task, uaddr: u64, private: bool) -> Result<u64, Errno> {
    let tid = t.tid.cast_unsigned();
    let key = t.mm.futex_key(uaddr, private)?;
    let mm = t.mm.clone();
    t.kernel.futexes.unlock_pi(key, |next| {
        let v: u32 = mm.read_obj(uaddr)?;
        if v & FUTEX_TID_MASK != tid {
            return Err(Errno::EPERM);
        }
        let new = match next {
            Some((waiter, _)) => FUTEX_WAITERS | waiter.cast_unsigned(),
            None => 0,
        };
        mm.update_u32(uaddr, |_| Some(new))?;
        Ok(())
    })?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wake_op_decoding() {
        // FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0): glibc's condvar op.
        let enc = (1 << 28) | (4 << 24) | (1 << 12);
        let (op, cmp, oparg, cmparg) = decode_op(enc).unwrap();
        assert!(matches!(op, Op::Add));
        assert_eq!((cmp, oparg, cmparg), (4, 1, 0));
        // OPARG_SHIFT: 1 << 3; negative cmparg sign-extends.
        let enc = (8 << 28) | (2 << 28) | (3 << 12) | 0xfff;
        let (op, _, oparg, cmparg) = decode_op(enc).unwrap();
        assert!(matches!(op, Op::Or));
        assert_eq!((oparg, cmparg), (8, -1));
        assert_eq!(decode_op(7 << 28).unwrap_err(), Errno::ENOSYS);
        assert_eq!(decode_op(6 << 24).unwrap().1, 6, "checked after the update");
    }

    #[test]
    fn wake_counts_at_least_one() {
        assert_eq!(wake_count(0), 1);
        assert_eq!(wake_count(u32::MAX), 1);
        assert_eq!(wake_count(5), 5);
    }
}
