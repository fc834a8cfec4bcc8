//! Record-level operations on the ring, run with the lock held (`Ring` exists only inside a
//! `Locked` guard).
//!
//! Invariants kept here (and checked by `recovery.rs`):
//! - every byte in `[head, tail)` belongs to a committed record; `tail - head <= ring_size`;
//! - the counters equal the number of records (and slots) in each state;
//! - a LEASED record names a slot whose `token != 0` and whose `pos` is the record's position.
//!
//! Every read of shared memory is validated before it steers anything: record lengths against
//! the ring bounds and `tail`, slot indexes against the slot count. A damaged segment yields
//! `QueueError::Corrupt`, never an out-of-bounds access or an endless loop (each step of a walk
//! advances at least 8 bytes, and a walk is bounded by `tail - head <= ring_size`).

use std::sync::atomic::Ordering;

use crate::clock::LazyNow;
use crate::error::{QueueError, Result};
use crate::journal::Txn;
use crate::layout::*;
use crate::segment::Segment;

/// A job handed out by `reserve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The queue's random instance id (see `Header::instance`).
    pub queue: u64,
    /// Job id: unique for the life of the queue, new on every delivery.
    pub token: u64,
    pub slot: u32,
    /// Deliveries so far, this one included.
    pub attempts: u32,
    pub until_ms: u64,
}

/// A message seen by `peek`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peeked {
    pub state: RecordState,
    pub attempts: u32,
    pub payload: Vec<u8>,
}

/// A record that may be taken now.
#[derive(Clone, Copy)]
struct Available {
    pos: u64,
    header: RecordHeader,
    /// A LEASE slot whose time ran out: taking it counts an expiry.
    expired_lease: bool,
    /// Non-available records the scan stepped over: many means the head is blocked.
    skipped: u32,
}

/// Where a new record of `need` bytes goes.
struct Placement {
    head: u64,
    /// Position of a PADDING record filling the end of the ring, if any.
    padding: Option<(u64, u64)>,
    start: u64,
}

/// Positions count the bytes ever appended and stay far below this (2^63 bytes take 29 years at
/// 10 GB/s). Refusing larger ones keeps `pos + footprint` and the rounding up to a ring boundary
/// from overflowing when a damaged header holds positions near 2^64.
const MAX_POSITION: u64 = 1 << 63;

/// Skipped records beyond which a take moves blocked records off the head.
const COMPACT_AFTER_SKIPPING: u32 = 32;
const COMPACT_MOVES: usize = 64;

pub struct Ring<'a> {
    segment: &'a Segment,
    header: &'a Header,
    ring_size: u64,
}

impl<'a> Ring<'a> {
    pub(crate) fn new(segment: &'a Segment) -> Self {
        Self {
            segment,
            header: segment.header(),
            ring_size: segment.ring_size(),
        }
    }

    /// Damage found: flags the queue, so every later operation refuses too (records past a damaged
    /// one cannot be found any more), and names it.
    fn corrupt(&self, why: String) -> QueueError {
        self.header.corrupt.store(1, Ordering::Release);
        QueueError::Corrupt {
            name: self.segment.name().to_owned(),
            why,
        }
    }

    fn max_attempts(&self) -> u8 {
        self.header
            .max_attempts
            .load(Ordering::Relaxed)
            .clamp(1, 255) as u8
    }

    /// `head` and `tail`, checked against each other.
    pub fn bounds(&self) -> Result<(u64, u64)> {
        let head = self.header.head.load(Ordering::Acquire);
        let tail = self.header.tail.load(Ordering::Acquire);
        if head > tail
            || tail > MAX_POSITION
            || tail - head > self.ring_size
            || !head.is_multiple_of(RECORD_ALIGN)
            || !tail.is_multiple_of(RECORD_ALIGN)
        {
            return Err(self.corrupt(format!(
                "head {head} and tail {tail} do not fit a ring of {} bytes",
                self.ring_size
            )));
        }
        Ok((head, tail))
    }

    /// The record at `pos`, validated to lie within the ring and before `tail`.
    pub fn record(&self, pos: u64, tail: u64) -> Result<RecordHeader> {
        let word = self.segment.ring_word(pos).load(Ordering::Acquire);
        let header = RecordHeader::decode(word).ok_or_else(|| {
            self.corrupt(format!(
                "record header {word:#018x} at position {pos} has an unknown state"
            ))
        })?;
        let footprint = header.footprint();
        if self.segment.ring_position(pos) + footprint > self.ring_size || pos + footprint > tail {
            return Err(self.corrupt(format!(
                "record of {} bytes at position {pos} runs past the ring or the tail {tail}",
                header.len
            )));
        }
        Ok(header)
    }

    /// Messages waiting: ready or delayed.
    pub fn waiting(&self) -> u64 {
        let counters = &self.header.counters;
        // Saturating: a damaged counter must not overflow (it is repaired by the next recovery).
        counters
            .ready
            .load(Ordering::Acquire)
            .saturating_add(counters.delayed.load(Ordering::Acquire))
    }

    /// Refuses a payload that could never fit, naming the limit.
    pub fn check_fits(&self, len: u64, delayed: bool) -> Result<()> {
        let max = self.max_payload(delayed);
        if len > max {
            return Err(QueueError::TooLarge {
                name: self.segment.name().to_owned(),
                len,
                max,
            });
        }
        Ok(())
    }

    /// The largest payload one record can carry in this ring.
    pub fn max_payload(&self, delayed: bool) -> u64 {
        let overhead = RECORD_HEADER_SIZE + if delayed { NOT_BEFORE_SIZE } else { 0 };
        (self.ring_size - overhead).min(MAX_PAYLOAD - 2 * RECORD_ALIGN)
    }

    fn placement(&self, head: u64, tail: u64, need: u64) -> Option<Placement> {
        let (mut head, mut tail) = (head, tail);
        if head == tail && need > self.ring_size - self.segment.ring_position(tail) {
            // Empty: restart both at a ring boundary so a record can use the whole ring.
            tail = (tail + self.ring_size - 1) & !(self.ring_size - 1);
            head = tail;
        }
        let contiguous = self.ring_size - self.segment.ring_position(tail);
        let padding = (need > contiguous).then_some((tail, contiguous));
        let start = tail + padding.map_or(0, |(_, len)| len);
        (start + need - head <= self.ring_size).then_some(Placement {
            head,
            padding,
            start,
        })
    }

    /// Writes the PADDING record a placement needs before its record, if any (free space: invisible
    /// until `tail` moves past it).
    fn write_padding(&self, placement: &Placement) {
        if let Some((pos, len)) = placement.padding {
            let padding =
                RecordHeader::new((len - RECORD_HEADER_SIZE) as u32, RecordState::Padding);
            self.segment
                .ring_word(pos)
                .store(padding.encode(), Ordering::Relaxed);
        }
    }

    /// Writes a record's bytes into free space (invisible until `tail` moves past them).
    fn write_record(
        &self,
        placement: &Placement,
        header: RecordHeader,
        not_before: Option<u64>,
        payload: &[u8],
    ) {
        self.write_padding(placement);
        self.segment
            .ring_word(placement.start)
            .store(header.encode(), Ordering::Relaxed);
        if let Some(not_before) = not_before {
            self.segment
                .ring_word(placement.start + RECORD_HEADER_SIZE)
                .store(not_before, Ordering::Relaxed);
        }
        self.segment
            .write_ring(placement.start + header.payload_offset(), payload);
    }

    /// Appends a message; `Ok(false)` when there is no room now. A `not_before` (unix ms)
    /// makes it a delayed record.
    pub fn append(&self, payload: &[u8], not_before: Option<u64>) -> Result<bool> {
        let state = if not_before.is_some() {
            RecordState::Delayed
        } else {
            RecordState::Ready
        };
        self.append_record(payload, not_before, state)
    }

    /// Stores a message that was taken but could not be delivered (its reader failed to decode
    /// it) straight into the dead letters: it counts as dead again, no longer as dequeued.
    pub fn append_dead(&self, payload: &[u8]) -> Result<bool> {
        self.append_record(payload, None, RecordState::Dead)
    }

    fn append_record(
        &self,
        payload: &[u8],
        not_before: Option<u64>,
        state: RecordState,
    ) -> Result<bool> {
        let len = payload.len() as u64;
        self.check_fits(len, not_before.is_some())?;
        let need = record_footprint(len, not_before.is_some());
        let (head, tail) = self.bounds()?;
        let placement = match self.placement(head, tail, need) {
            Some(placement) => placement,
            None => {
                self.compact(COMPACT_MOVES)?;
                let (head, tail) = self.bounds()?;
                match self.placement(head, tail, need) {
                    Some(placement) => placement,
                    None => return Ok(false),
                }
            }
        };
        let header = RecordHeader {
            has_not_before: not_before.is_some(),
            attempts: u8::from(state == RecordState::Dead),
            ..RecordHeader::new(len as u32, state)
        };
        self.write_record(&placement, header, not_before, payload);
        crate::hooks::pause_point("record-written");
        let counters = &self.header.counters;
        let mut txn = Txn::new(self.segment);
        txn.set(&self.header.head, placement.head);
        txn.set(&self.header.tail, placement.start + need);
        match state {
            RecordState::Dead => {
                txn.add(&counters.dead, 1);
                txn.add(&counters.dequeued, -1);
            }
            RecordState::Delayed => {
                txn.add(&counters.delayed, 1);
                txn.add(&counters.enqueued, 1);
            }
            _ => {
                txn.add(&counters.ready, 1);
                txn.add(&counters.enqueued, 1);
            }
        }
        txn.commit();
        Ok(true)
    }

    /// The first record that can be taken at `now`. Leases found expired with no attempts left
    /// are moved to the dead letters on the way.
    fn find_available(&self, now: &LazyNow) -> Result<Option<Available>> {
        let (head, tail) = self.bounds()?;
        let mut pos = head;
        let mut skipped = 0;
        while pos < tail {
            let header = self.record(pos, tail)?;
            let found = |expired_lease| {
                Some(Available {
                    pos,
                    header,
                    expired_lease,
                    skipped,
                })
            };
            match header.state {
                RecordState::Ready => return Ok(found(false)),
                RecordState::Delayed if self.not_before(pos) <= now.get() => {
                    return Ok(found(false))
                }
                RecordState::Leased => {
                    let slot = self.slot_of(pos, header)?;
                    if slot.until_ms.load(Ordering::Acquire) <= now.get() {
                        let expired_lease = slot.kind.load(Ordering::Acquire) == SLOT_LEASE;
                        if !expired_lease || header.attempts < self.max_attempts() {
                            return Ok(found(expired_lease));
                        }
                        self.bury_expired(pos, header)?;
                    }
                }
                _ => {}
            }
            skipped += 1;
            pos += header.footprint();
        }
        Ok(None)
    }

    fn not_before(&self, pos: u64) -> u64 {
        self.segment
            .ring_word(pos + RECORD_HEADER_SIZE)
            .load(Ordering::Acquire)
    }

    /// The slot a LEASED record at `pos` names, checked to point back at it.
    fn slot_of(&self, pos: u64, header: RecordHeader) -> Result<&'a LeaseSlot> {
        let slot = self.segment.slot(header.slot as u32);
        match slot {
            Some(slot)
                if slot.token.load(Ordering::Acquire) != 0
                    && slot.pos.load(Ordering::Acquire) == pos =>
            {
                Ok(slot)
            }
            _ => Err(self.corrupt(format!(
                "leased record at position {pos} names slot {} which is not its own",
                header.slot
            ))),
        }
    }

    /// An expired lease whose job used its last attempt: to the dead letters.
    fn bury_expired(&self, pos: u64, header: RecordHeader) -> Result<()> {
        let mut txn = Txn::new(self.segment);
        self.bury(&mut txn, pos, header)?;
        txn.add(&self.header.counters.expired, 1);
        txn.commit();
        Ok(())
    }

    /// Stages a leased job's move to the dead letters.
    fn bury(&self, txn: &mut Txn, pos: u64, header: RecordHeader) -> Result<()> {
        self.leave_state(txn, pos, header, true)?;
        self.stage_state(txn, pos, header, RecordState::Dead);
        txn.add(&self.header.counters.dead, 1);
        Ok(())
    }

    /// Stages a new state for the record at `pos` (slot cleared: only LEASED records have one).
    fn stage_state(&self, txn: &mut Txn, pos: u64, header: RecordHeader, state: RecordState) {
        txn.set(
            self.segment.ring_word(pos),
            RecordHeader {
                state,
                slot: 0,
                ..header
            }
            .encode(),
        );
    }

    /// Stages the counter (and slot) changes of a record leaving its current state.
    fn leave_state(
        &self,
        txn: &mut Txn,
        pos: u64,
        header: RecordHeader,
        free_slot: bool,
    ) -> Result<()> {
        let counters = &self.header.counters;
        match header.state {
            RecordState::Ready => txn.add(&counters.ready, -1),
            RecordState::Delayed => txn.add(&counters.delayed, -1),
            RecordState::Dead => txn.add(&counters.dead, -1),
            RecordState::Leased => {
                let slot = self.slot_of(pos, header)?;
                let kind = slot.kind.load(Ordering::Acquire);
                txn.add(
                    if kind == SLOT_LEASE {
                        &counters.in_flight
                    } else {
                        &counters.delayed
                    },
                    -1,
                );
                if free_slot {
                    txn.set(&slot.token, 0);
                }
            }
            RecordState::Done | RecordState::Padding => {
                return Err(self.corrupt(format!("record at position {pos} was taken twice")));
            }
        }
        Ok(())
    }

    /// Stages the removal of the record at `pos`: the head moves past it (and past any removed
    /// records after it), or, behind the head, it is marked DONE.
    fn remove(&self, txn: &mut Txn, pos: u64, header: RecordHeader) -> Result<()> {
        let (head, tail) = self.bounds()?;
        if pos == head {
            let new_head = self.skip_removed(pos + header.footprint(), tail)?;
            txn.set(&self.header.head, new_head);
        } else {
            self.stage_state(txn, pos, header, RecordState::Done);
        }
        Ok(())
    }

    /// The first position at or after `pos` holding a record that is neither DONE nor PADDING.
    fn skip_removed(&self, mut pos: u64, tail: u64) -> Result<u64> {
        while pos < tail {
            let header = self.record(pos, tail)?;
            if !matches!(header.state, RecordState::Done | RecordState::Padding) {
                break;
            }
            pos += header.footprint();
        }
        Ok(pos)
    }

    fn copy_payload(&self, pos: u64, header: RecordHeader, out: &mut Vec<u8>) {
        self.segment
            .read_ring(pos + header.payload_offset(), header.len as usize, out);
    }

    /// Removes the oldest available message, appending its payload to `out`.
    pub fn pop(&self, now: &LazyNow, out: &mut Vec<u8>) -> Result<bool> {
        self.pop_within(now, u64::MAX, true, out)
    }

    /// As `pop`, but leaves a message longer than `max_len` where it is (unless `any_size`).
    pub fn pop_within(
        &self,
        now: &LazyNow,
        max_len: u64,
        any_size: bool,
        out: &mut Vec<u8>,
    ) -> Result<bool> {
        let Some(found) = self.find_available(now)? else {
            return Ok(false);
        };
        if !any_size && u64::from(found.header.len) > max_len {
            return Ok(false);
        }
        self.copy_payload(found.pos, found.header, out);
        let counters = &self.header.counters;
        let mut txn = Txn::new(self.segment);
        self.leave_state(&mut txn, found.pos, found.header, true)?;
        if found.expired_lease {
            txn.add(&counters.expired, 1);
        }
        txn.add(&counters.dequeued, 1);
        self.remove(&mut txn, found.pos, found.header)?;
        txn.commit();
        self.compact_if_blocked(found.skipped)?;
        Ok(true)
    }

    /// Takes the oldest available message under a lease of `lease_ms`.
    pub fn reserve(
        &self,
        now: &LazyNow,
        lease_ms: u64,
        out: &mut Vec<u8>,
    ) -> Result<Option<Lease>> {
        let Some(found) = self.find_available(now)? else {
            return Ok(None);
        };
        let header = found.header;
        let slot_index = match header.state {
            RecordState::Leased => header.slot as u32,
            _ => self.free_slot()?,
        };
        let slot = self
            .segment
            .slot(slot_index)
            .ok_or_else(|| self.corrupt(format!("slot {slot_index} out of range")))?;
        self.copy_payload(found.pos, header, out);

        let counters = &self.header.counters;
        let mut txn = Txn::new(self.segment);
        self.leave_state(&mut txn, found.pos, header, false)?;
        if found.expired_lease {
            txn.add(&counters.expired, 1);
        }
        let token = self.take_token(&mut txn)?;
        let attempts = header.attempts.saturating_add(1);
        let until_ms = now.get().saturating_add(lease_ms);
        txn.set(&slot.token, token);
        txn.set(&slot.pos, found.pos);
        txn.set(&slot.until_ms, until_ms);
        txn.set(&slot.kind, SLOT_LEASE);
        let leased = RecordHeader {
            state: RecordState::Leased,
            attempts,
            slot: slot_index as u16,
            ..header
        };
        txn.set(self.segment.ring_word(found.pos), leased.encode());
        txn.add(&counters.in_flight, 1);
        txn.commit();
        self.compact_if_blocked(found.skipped)?;
        Ok(Some(Lease {
            queue: self.header.instance.load(Ordering::Relaxed),
            token,
            slot: slot_index,
            attempts: attempts as u32,
            until_ms,
        }))
    }

    /// Stages the use of the next job id. Ids are never reused and 0 marks a free slot, so a
    /// counter damaged to 0 or to its end is refused (`token + 1` used to overflow).
    fn take_token(&self, txn: &mut Txn) -> Result<u64> {
        let token = self.header.next_token.load(Ordering::Acquire);
        if token == 0 || token == u64::MAX {
            return Err(self.corrupt(format!("the job id counter {token} is out of range")));
        }
        txn.set(&self.header.next_token, token + 1);
        Ok(token)
    }

    fn free_slot(&self) -> Result<u32> {
        let count = self.segment.slot_count();
        // Start where the last token points, so slots are used round-robin rather than rescanned.
        let start = (self.header.next_token.load(Ordering::Relaxed) % count as u64) as u32;
        (0..count)
            .map(|i| (start + i) % count)
            .find(|&i| {
                self.segment
                    .slot(i)
                    .is_some_and(|slot| slot.token.load(Ordering::Acquire) == 0)
            })
            .ok_or_else(|| QueueError::NoFreeSlot {
                name: self.segment.name().to_owned(),
                slots: count,
            })
    }

    /// The record a live lease points at, or `None` when the lease is no longer the caller's.
    fn leased_record(&self, lease: &Lease) -> Result<Option<(u64, RecordHeader, &'a LeaseSlot)>> {
        if lease.queue != self.header.instance.load(Ordering::Relaxed) {
            return Err(QueueError::ForeignJob {
                name: self.segment.name().to_owned(),
                id: lease.token,
            });
        }
        let Some(slot) = self.segment.slot(lease.slot) else {
            return Ok(None);
        };
        if lease.token == 0 || slot.token.load(Ordering::Acquire) != lease.token {
            return Ok(None);
        }
        let pos = slot.pos.load(Ordering::Acquire);
        let (head, tail) = self.bounds()?;
        if pos < head || pos >= tail {
            return Err(self.corrupt(format!(
                "slot {} points at position {pos} outside {head}..{tail}",
                lease.slot
            )));
        }
        let header = self.record(pos, tail)?;
        if header.state != RecordState::Leased || header.slot as u32 != lease.slot {
            return Err(self.corrupt(format!(
                "slot {} points at a record that is not leased to it",
                lease.slot
            )));
        }
        Ok(Some((pos, header, slot)))
    }

    /// Removes a leased job for good. `false` when the lease is no longer the caller's.
    pub fn ack(&self, lease: &Lease) -> Result<bool> {
        let Some((pos, header, _)) = self.leased_record(lease)? else {
            return Ok(false);
        };
        let mut txn = Txn::new(self.segment);
        self.leave_state(&mut txn, pos, header, true)?;
        txn.add(&self.header.counters.dequeued, 1);
        self.remove(&mut txn, pos, header)?;
        txn.commit();
        Ok(true)
    }

    /// Puts a leased job back: available now, after `delay_ms`, or to the dead letters when it
    /// has used its attempts. `None` when the lease is no longer the caller's, else whether the
    /// job is available right away.
    pub fn release(&self, lease: &Lease, now: u64, delay_ms: u64) -> Result<Option<bool>> {
        let Some((pos, header, slot)) = self.leased_record(lease)? else {
            return Ok(None);
        };
        let counters = &self.header.counters;
        let mut txn = Txn::new(self.segment);
        txn.add(&counters.retries, 1);
        let available_now = if header.attempts >= self.max_attempts() {
            self.bury(&mut txn, pos, header)?;
            false
        } else if delay_ms == 0 {
            self.leave_state(&mut txn, pos, header, true)?;
            self.stage_state(&mut txn, pos, header, RecordState::Ready);
            txn.add(&counters.ready, 1);
            true
        } else {
            // Keep the slot, now as a delay; a new token so the old job cannot ack it.
            self.leave_state(&mut txn, pos, header, false)?;
            let token = self.take_token(&mut txn)?;
            txn.set(&slot.token, token);
            txn.set(&slot.kind, SLOT_DELAY);
            txn.set(&slot.until_ms, now.saturating_add(delay_ms));
            txn.add(&counters.delayed, 1);
            false
        };
        txn.commit();
        Ok(Some(available_now))
    }

    /// Calls `visit` for every record in order, with its position and header.
    fn for_each_record(
        &self,
        mut visit: impl FnMut(u64, RecordHeader) -> Result<()>,
    ) -> Result<()> {
        let (head, tail) = self.bounds()?;
        let mut pos = head;
        while pos < tail {
            let header = self.record(pos, tail)?;
            visit(pos, header)?;
            pos += header.footprint();
        }
        Ok(())
    }

    /// Moves expired leases that used their last attempt to the dead letters.
    pub fn sweep_expired(&self, now: u64) -> Result<()> {
        let max_attempts = self.max_attempts();
        self.for_each_record(|pos, header| {
            if header.state == RecordState::Leased && header.attempts >= max_attempts {
                let slot = self.slot_of(pos, header)?;
                if slot.kind.load(Ordering::Acquire) == SLOT_LEASE
                    && slot.until_ms.load(Ordering::Acquire) <= now
                {
                    self.bury_expired(pos, header)?;
                }
            }
            Ok(())
        })
    }

    /// Up to `max` dead letters, oldest first, as (attempts, payload).
    pub fn dead_letters(&self, max: usize, out: &mut Vec<(u32, Vec<u8>)>) -> Result<()> {
        self.for_each_record(|pos, header| {
            if header.state == RecordState::Dead && out.len() < max {
                let mut payload = Vec::new();
                self.copy_payload(pos, header, &mut payload);
                out.push((header.attempts as u32, payload));
            }
            Ok(())
        })
    }

    /// Up to `max` records that hold a message, oldest first, without taking them.
    pub fn peek(&self, max: usize, out: &mut Vec<Peeked>) -> Result<()> {
        self.for_each_record(|pos, header| {
            if out.len() < max && !matches!(header.state, RecordState::Done | RecordState::Padding)
            {
                let mut payload = Vec::new();
                self.copy_payload(pos, header, &mut payload);
                out.push(Peeked {
                    state: header.state,
                    attempts: header.attempts as u32,
                    payload,
                });
            }
            Ok(())
        })
    }

    /// Makes every dead letter available again with a fresh attempt count.
    pub fn requeue_dead(&self) -> Result<u64> {
        let counters = &self.header.counters;
        let mut moved = 0;
        self.for_each_record(|pos, header| {
            if header.state == RecordState::Dead {
                let mut txn = Txn::new(self.segment);
                self.stage_state(
                    &mut txn,
                    pos,
                    RecordHeader {
                        attempts: 0,
                        ..header
                    },
                    RecordState::Ready,
                );
                txn.add(&counters.dead, -1);
                txn.add(&counters.ready, 1);
                txn.commit();
                moved += 1;
            }
            Ok(())
        })?;
        Ok(moved)
    }

    /// Deletes every dead letter.
    pub fn purge_dead(&self) -> Result<u64> {
        let counters = &self.header.counters;
        let mut purged = 0;
        self.for_each_record(|pos, header| {
            if header.state == RecordState::Dead {
                let mut txn = Txn::new(self.segment);
                txn.add(&counters.dead, -1);
                txn.add(&self.header.purged, 1);
                self.remove(&mut txn, pos, header)?;
                txn.commit();
                purged += 1;
            }
            Ok(())
        })?;
        Ok(purged)
    }

    fn compact_if_blocked(&self, skipped: u32) -> Result<()> {
        if skipped >= COMPACT_AFTER_SKIPPING {
            self.compact(COMPACT_MOVES)?;
        }
        Ok(())
    }

    /// Whether removed records sit behind the blocked records at the head: only then does moving
    /// the blocked ones free space.
    fn blocked_prefix_has_gap(&self) -> Result<bool> {
        let (head, tail) = self.bounds()?;
        let mut pos = head;
        while pos < tail {
            let header = self.record(pos, tail)?;
            match header.state {
                RecordState::Leased | RecordState::Delayed | RecordState::Dead => {
                    pos += header.footprint()
                }
                RecordState::Done | RecordState::Padding => return Ok(true),
                RecordState::Ready => return Ok(false),
            }
        }
        Ok(false)
    }

    /// Moves records that block the head (leased, delayed or dead: not takeable in order) to the
    /// tail, so the head can pass the removed records behind them and reclaim their space.
    fn compact(&self, max_moves: usize) -> Result<()> {
        if !self.blocked_prefix_has_gap()? {
            return Ok(());
        }
        let mut bytes = Vec::new();
        for _ in 0..max_moves {
            let (head, tail) = self.bounds()?;
            if head == tail {
                break;
            }
            let header = self.record(head, tail)?;
            if !matches!(
                header.state,
                RecordState::Leased | RecordState::Delayed | RecordState::Dead
            ) {
                break;
            }
            let footprint = header.footprint();
            // Placed as if the ring were `head..tail`: the moved record may not overlap itself.
            let Some(placement) = self.placement(head, tail, footprint) else {
                break;
            };
            bytes.clear();
            self.segment.read_ring(head, footprint as usize, &mut bytes);
            self.write_padding(&placement);
            self.segment.write_ring(placement.start, &bytes);
            let new_tail = placement.start + footprint;
            let mut txn = Txn::new(self.segment);
            if header.state == RecordState::Leased {
                txn.set(&self.slot_of(head, header)?.pos, placement.start);
            }
            txn.set(&self.header.tail, new_tail);
            txn.set(
                &self.header.head,
                self.skip_removed(head + footprint, new_tail)?,
            );
            txn.commit();
        }
        Ok(())
    }
}
