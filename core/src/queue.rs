//! The queue as its users see it: opened by name, one lock per operation, blocking waits.
//!
//! Segments are kept open per process (a php-fpm worker maps a queue once, on its first request,
//! and reuses the mapping for its whole life). A queue removed by another process is noticed at
//! the next operation, which reopens (or recreates) the queue of that name.

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::checksum::presum;
use crate::clock::{now_ms, LazyNow};
use crate::error::{QueueError, Result};
use crate::leases::Lease;
use crate::lock::Holder;
use crate::locked::Locked;
use crate::mappings::{self, segment_for, OpenOptions};
use crate::open::Owner;
use crate::payload::{Payload, Sink};
use crate::place::Place;
use crate::records::Records;
use crate::recovery::Recovery;
use crate::ring::{Peeked, Ring};
use crate::segment::{CreateOptions, Segment};
use crate::stats::Stats;
use crate::waiting::{Event, Waiting};

/// Longest single sleep of a blocked call: how often it checks `interrupted` (pending signals)
/// and rescans for delays and leases that ran out.
pub const WAIT_SLICE: Duration = Duration::from_millis(50);
/// Quick retries of a blocked call before it sleeps, and CPU pause instructions between them.
const SPIN_RETRIES: usize = 4;
const SPIN_PAUSES: usize = 64;
/// Reopens tolerated within one operation while other processes keep removing the queue.
const MAX_REOPENS: usize = 16;

pub struct Queue {
    pub(crate) segment: Rc<Segment>,
    pub(crate) options: OpenOptions,
}

impl Drop for Queue {
    fn drop(&mut self) {
        mappings::release_if_removed(&self.segment);
    }
}

impl Queue {
    /// Opens the queue `name`, creating it with `options()` if it does not exist. An existing
    /// queue keeps the settings it was created with, and `options` is not even called: after
    /// the first open in a process this costs no system call and reads no settings.
    pub fn open(name: &str, options: impl FnOnce() -> Result<CreateOptions>) -> Result<Queue> {
        let unchecked = OpenOptions {
            trusted_users: None,
            ..OpenOptions::default()
        };
        Self::open_with(name, unchecked, options)
    }

    /// `open`, with whom to trust and how long to wait for the lock (`OpenOptions`). A queue
    /// whose owner is not trusted, or that others may write, is refused (`QueueError::Untrusted`);
    /// `open` itself checks neither, so a front end that decodes values must open with this.
    pub fn open_with(
        name: &str,
        open: OpenOptions,
        options: impl FnOnce() -> Result<CreateOptions>,
    ) -> Result<Queue> {
        let segment = segment_for(name, &open.place, None, options)?;
        open.check_trust(&segment)?;
        Ok(Queue {
            segment,
            options: open,
        })
    }

    /// Opens the queue `name` only if it exists (operator tools must not create queues).
    pub fn open_existing(name: &str) -> Result<Queue> {
        Self::open_existing_at(name, &Place::shm())
    }

    /// How long each operation waits for the lock while another process holds it, before it
    /// fails with `QueueError::LockTimeout` naming the holder. Waiting calls (`wait_for`) wait
    /// this long at most per attempt.
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.options.lock_timeout = timeout;
    }

    /// Who holds the queue's lock right now, if anyone.
    pub fn lock_holder(&self) -> Option<Holder> {
        let tid = self.segment.mutex().holder();
        (tid != 0).then(|| Holder::describe(tid))
    }

    /// Deletes the queue `name`; `false` when there was none. Processes that still have it open
    /// notice at their next operation and move to a new queue of that name. A remover that may
    /// not unlink it (not its owner, in a sticky /dev/shm) gets `PermissionDenied` and changes
    /// nothing.
    pub fn remove(name: &str) -> Result<bool> {
        Self::remove_at(name, &Place::shm())
    }

    pub fn name(&self) -> &str {
        self.segment.name()
    }

    /// Runs `op` under the lock, moving to the current queue of this name first if ours was removed.
    pub(crate) fn with_ring<R>(&mut self, mut op: impl FnMut(&Ring) -> Result<R>) -> Result<R> {
        for _ in 0..MAX_REOPENS {
            let segment = Rc::clone(&self.segment);
            segment.look_now_and_then();
            if !segment.is_removed() {
                match Locked::acquire(&segment, self.options.lock_timeout) {
                    Ok(locked) if !segment.is_removed() => return segment.settle(&mut op, locked),
                    // A damaged queue removed meanwhile: move on rather than report its damage.
                    Err(error) if !segment.is_removed() => return Err(error),
                    _ => {}
                }
            }
            self.move_to_current(&segment)?;
        }
        Err(QueueError::InvalidArgument {
            what: "queue",
            why: format!(
                "{:?} was removed {MAX_REOPENS} times during one operation",
                self.name()
            ),
        })
    }

    /// Ours was removed: move to the queue of that name, created again as this one was if need
    /// be, and with its owner. Out of line: it is rare, and its thread-local tables would
    /// otherwise be looked up on every operation.
    #[inline(never)]
    fn move_to_current(&mut self, segment: &Rc<Segment>) -> Result<()> {
        let options = segment.creation_options();
        let status = segment.status();
        let owner = Owner {
            uid: status.uid,
            gid: status.gid,
        };
        mappings::retire(segment);
        let place = &self.options.place;
        self.segment = segment_for(segment.name(), place, Some(owner), || Ok(options))?;
        self.options.check_trust(&self.segment)?;
        mappings::release_if_removed(segment);
        Ok(())
    }

    /// Wakes the processes waiting for `event` (`waiting.rs` says how many); one load when none.
    pub(crate) fn notify(&self, event: Event, count: usize) {
        let ring_size = self.segment.ring_size();
        Waiting::notify_event(self.segment.header(), event, count, ring_size);
    }

    /// Stores one message; `false` when there is no room now.
    pub fn push<'p>(&mut self, payload: impl Into<Payload<'p>>) -> Result<bool> {
        self.push_at(payload, None)
    }

    /// Stores one message that may not be taken before `not_before_ms` (unix ms), if given.
    pub fn push_at<'p>(
        &mut self,
        payload: impl Into<Payload<'p>>,
        not_before_ms: Option<u64>,
    ) -> Result<bool> {
        let stored = self.store(payload.into(), not_before_ms)?;
        if !stored {
            self.count_full_rejection();
        }
        Ok(stored)
    }

    /// Stores one message, waiting up to `timeout` for room (see `wait_for`); a call that gives
    /// up counts as one refusal, however often it retried.
    pub fn push_waiting<'p>(
        &mut self,
        payload: impl Into<Payload<'p>>,
        timeout: Duration,
        interrupted: &mut dyn FnMut() -> bool,
    ) -> Result<bool> {
        let payload = payload.into();
        let stored = self
            .wait_for(Event::NotFull, timeout, interrupted, |queue| {
                Ok(queue.store(payload, None)?.then_some(()))
            })?
            .is_some();
        if !stored {
            self.count_full_rejection();
        }
        Ok(stored)
    }

    fn store(&mut self, payload: Payload, not_before_ms: Option<u64>) -> Result<bool> {
        let sum = presum(&self.segment, payload, not_before_ms.is_some());
        let stored = self.with_ring(|ring| ring.append(payload, not_before_ms, sum))?;
        if stored {
            self.notify(Event::NotEmpty, 1);
        }
        Ok(stored)
    }

    fn count_full_rejection(&self) {
        self.segment
            .header()
            .full_rejections
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Stores the longest prefix of `payloads` that fits, under one lock; returns its length.
    /// A payload that can never fit is an error and nothing is stored.
    pub fn push_many(&mut self, payloads: &[&[u8]]) -> Result<usize> {
        // Empty (no allocation) where records carry no CRC.
        let sums: Vec<_> = (payloads.iter())
            .map_while(|payload| presum(&self.segment, (*payload).into(), false))
            .collect();
        let stored = self.with_ring(|ring| {
            for payload in payloads {
                ring.check_fits(payload.len() as u64, false)?;
            }
            let mut stored = 0;
            for (index, payload) in payloads.iter().enumerate() {
                if !ring.append(*payload, None, sums.get(index).copied())? {
                    break;
                }
                stored += 1;
            }
            Ok(stored)
        })?;
        if stored > 0 {
            self.notify(Event::NotEmpty, stored);
        }
        if stored < payloads.len() {
            self.count_full_rejection();
        }
        Ok(stored)
    }

    /// Takes the oldest available message into `out` (a `Vec` appends it); `false` when none.
    pub fn pop(&mut self, out: &mut impl Sink) -> Result<bool> {
        let now = LazyNow::new();
        let taken = self.with_ring(|ring| ring.pop(&now, out))?;
        if taken {
            self.notify(Event::NotFull, 1);
        }
        Ok(taken)
    }

    /// Takes up to `max` messages under one lock, oldest first.
    pub fn pop_many(&mut self, max: usize, out: &mut Vec<Vec<u8>>) -> Result<usize> {
        self.pop_many_within(max, u64::MAX, out)
    }

    /// As `pop_many`, but no more than `max_bytes` of payload in all (the first message is
    /// taken whatever its size), so that a caller can bound what one batch costs it.
    pub fn pop_many_within(
        &mut self,
        max: usize,
        max_bytes: u64,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<usize> {
        let now = LazyNow::new();
        let taken = self.with_ring(|ring| {
            let mut taken = 0;
            let mut bytes = 0u64;
            while taken < max {
                let mut payload = Vec::new();
                if !ring.pop_within(
                    &now,
                    max_bytes.saturating_sub(bytes),
                    taken == 0,
                    &mut payload,
                )? {
                    break;
                }
                bytes += payload.len() as u64;
                out.push(payload);
                taken += 1;
            }
            Ok(taken)
        })?;
        if taken > 0 {
            self.notify(Event::NotFull, taken);
        }
        Ok(taken)
    }

    /// Stops every take (pop, reserve, their batch forms) until `resume`, in every process;
    /// stores go on. `false` when it was paused already.
    pub fn pause(&mut self) -> Result<bool> {
        self.with_ring(|ring| Ok(ring.set_paused(true)))
    }

    /// Lets takes go on again and wakes the blocked ones; `false` when it was not paused.
    pub fn resume(&mut self) -> Result<bool> {
        let resumed = self.with_ring(|ring| Ok(ring.set_paused(false)))?;
        if resumed {
            Waiting::of(self.segment.header(), Event::NotEmpty).wake_all();
        }
        Ok(resumed)
    }

    pub fn is_paused(&mut self) -> Result<bool> {
        self.with_ring(|ring| Ok(ring.is_paused()))
    }

    /// Puts messages that were taken but could not be delivered (their reader could not decode
    /// them) into the dead letters; returns how many found room. Those that did not (producers
    /// filled the queue meanwhile) are counted in `Stats::dropped`, never lost unseen.
    pub fn bury(&mut self, payloads: &[&[u8]]) -> Result<usize> {
        let buried = self.with_ring(|ring| {
            (payloads.iter()).try_fold(0, |buried, payload| {
                Ok(buried + usize::from(ring.append_dead(payload)?))
            })
        })?;
        let dropped = (payloads.len() - buried) as u64;
        if dropped > 0 {
            self.segment
                .header()
                .dropped
                .fetch_add(dropped, Ordering::Relaxed);
        }
        Ok(buried)
    }

    /// The longest message this queue can ever hold (its ring size less a record header).
    pub fn max_message_len(&self) -> u64 {
        Records::new(&self.segment).max_payload(false)
    }

    /// Takes the oldest available message under a lease (the queue's default length if `None`).
    pub fn reserve(&mut self, lease_ms: Option<u64>, out: &mut Vec<u8>) -> Result<Option<Lease>> {
        let lease_ms =
            lease_ms.unwrap_or_else(|| self.segment.header().lease_ms.load(Ordering::Relaxed));
        let now = LazyNow::new();
        self.with_ring(|ring| ring.reserve(&now, lease_ms, out))
    }

    /// Removes a leased job for good; `false` when the lease was lost (expired and redelivered).
    pub fn ack(&mut self, lease: &Lease) -> Result<bool> {
        let acked =
            mappings::lost_with_its_queue(self.with_ring(|ring| ring.ack(lease)), lease, false)?;
        if acked {
            self.notify(Event::NotFull, 1);
        }
        Ok(acked)
    }

    /// Puts a leased job back for another attempt after `delay_ms`; `false` when the lease was lost.
    pub fn release(&mut self, lease: &Lease, delay_ms: u64) -> Result<bool> {
        let now = now_ms();
        let released = mappings::lost_with_its_queue(
            self.with_ring(|ring| ring.release(lease, now, delay_ms)),
            lease,
            None,
        )?;
        if released == Some(true) {
            self.notify(Event::NotEmpty, 1);
        }
        Ok(released.is_some())
    }

    /// Extends a leased job's lease to `lease_ms` from now; the new end (unix ms), or `None`
    /// when the lease was lost (acked, released, expired and redelivered, its queue removed).
    pub fn extend(&mut self, lease: &Lease, lease_ms: u64) -> Result<Option<u64>> {
        let until = now_ms().saturating_add(lease_ms);
        mappings::lost_with_its_queue(
            self.with_ring(|ring| ring.extend(lease, until)),
            lease,
            None,
        )
    }

    pub fn dead_letters(&mut self, max: usize) -> Result<Vec<(u32, Vec<u8>)>> {
        let now = now_ms();
        let mut out = Vec::new();
        self.with_ring(|ring| {
            out.clear();
            ring.sweep_expired(now)?;
            ring.dead_letters(max, &mut out)
        })?;
        Ok(out)
    }

    /// Up to `max` messages (ready, leased, delayed or dead), oldest first, left in place.
    pub fn peek(&mut self, max: usize) -> Result<Vec<Peeked>> {
        let mut out = Vec::new();
        self.with_ring(|ring| {
            out.clear();
            ring.peek(max, &mut out)
        })?;
        Ok(out)
    }

    pub fn requeue_dead(&mut self) -> Result<u64> {
        let moved = self.with_ring(|ring| ring.requeue_dead())?;
        if moved > 0 {
            self.notify(Event::NotEmpty, moved as usize);
        }
        Ok(moved)
    }

    pub fn purge_dead(&mut self) -> Result<u64> {
        let purged = self.with_ring(|ring| ring.purge_dead())?;
        if purged > 0 {
            self.notify(Event::NotFull, purged as usize);
        }
        Ok(purged)
    }

    /// Messages waiting (ready or delayed).
    pub fn len(&mut self) -> Result<u64> {
        self.with_ring(|ring| Ok(ring.waiting()))
    }

    pub fn is_empty(&mut self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    pub fn stats(&mut self) -> Result<Stats> {
        let now = now_ms();
        let used_bytes = self.with_ring(|ring| {
            ring.sweep_expired(now)?;
            let (head, tail) = ring.bounds()?;
            Ok(tail - head)
        })?;
        let header = self.segment.header();
        let c = &header.counters;
        let load = |word: &std::sync::atomic::AtomicU64| word.load(Ordering::Acquire);
        Ok(Stats {
            capacity: self.segment.ring_size(),
            used_bytes,
            length: load(&c.ready).saturating_add(load(&c.delayed)),
            ready: load(&c.ready),
            in_flight: load(&c.in_flight),
            delayed: load(&c.delayed),
            dead: load(&c.dead),
            enqueued: load(&c.enqueued),
            dequeued: load(&c.dequeued),
            purged: load(&header.purged),
            full_rejections: load(&header.full_rejections),
            dropped: load(&header.dropped),
            paused: load(&header.paused) != 0,
            retries: load(&c.retries),
            expired: load(&c.expired),
            recoveries: load(&header.recoveries),
            max_attempts: header.max_attempts.load(Ordering::Relaxed),
            lease_ms: header.lease_ms.load(Ordering::Relaxed),
            slots: self.segment.slot_count(),
            last_recovery: Recovery::from_code(header.last_recovery.load(Ordering::Relaxed)),
        })
    }

    /// Retries `attempt` until it yields, `timeout` passes, or `interrupted()` says to stop
    /// (checked after every wake-up, at least every `WAIT_SLICE`). Sleeps on the futex of
    /// `event` in between, so a waiting process uses no CPU.
    pub fn wait_for<R>(
        &mut self,
        event: Event,
        timeout: Duration,
        interrupted: &mut dyn FnMut() -> bool,
        mut attempt: impl FnMut(&mut Queue) -> Result<Option<R>>,
    ) -> Result<Option<R>> {
        if let Some(done) = attempt(self)? {
            return Ok(Some(done));
        }
        let deadline = Instant::now() + timeout;
        // In a busy stream the next message is microseconds away: a few quick retries often get it
        // without two system calls (sleep, wake-up). A few microseconds, once per blocked call.
        for _ in 0..SPIN_RETRIES {
            if timeout.is_zero() {
                break;
            }
            (0..SPIN_PAUSES).for_each(|_| std::hint::spin_loop());
            if let Some(done) = attempt(self)? {
                return Ok(Some(done));
            }
        }
        while Instant::now() < deadline && !interrupted() {
            // Our own handle: `attempt` may move self to a new segment if this one is removed.
            let segment = Rc::clone(&self.segment);
            segment.look_if_due();
            let waiting = Waiting::of(segment.header(), event);
            let sleep = deadline
                .saturating_duration_since(Instant::now())
                .min(WAIT_SLICE);
            // Count ourselves before the re-check (`waiting.rs` says why that is enough).
            let observed = waiting.register(sleep);
            let result = attempt(self);
            if matches!(result, Ok(None)) {
                waiting.sleep(observed, sleep);
            }
            waiting.leave();
            if let Some(done) = result? {
                return Ok(Some(done));
            }
        }
        Ok(None)
    }
}
