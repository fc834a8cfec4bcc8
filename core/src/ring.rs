//! The queue's operations on its records, run with the lock held (`Ring` exists only inside a
//! `Locked` guard): storing, taking the oldest available record, looking without taking. The job
//! lifecycle (leases, delayed retries, dead letters) is in `leases.rs`; where records live and
//! how their space comes back, in `records.rs`.
//!
//! Invariant kept here and in `leases.rs`: the counters equal the number of records (and slots)
//! in each state, every change of state moving a counter in the same transaction.

use std::sync::atomic::Ordering;

use crate::checksum::Sum;
use crate::clock::LazyNow;
use crate::damage::Damage;
use crate::error::Result;
use crate::journal::Txn;
use crate::layout::*;
use crate::payload::{Payload, Sink};
use crate::records::Records;
use crate::segment::Segment;

/// A message seen by `peek`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peeked {
    pub state: RecordState,
    pub attempts: u32,
    /// For a leased (or delayed-retry) record: when its slot's time runs out (unix ms).
    pub until_ms: Option<u64>,
    pub payload: Vec<u8>,
}

/// A record that may be taken now.
#[derive(Clone, Copy)]
pub(crate) struct Available {
    pub pos: u64,
    pub header: RecordHeader,
    /// A LEASE slot whose time ran out: taking it counts an expiry.
    pub expired_lease: bool,
    /// Non-available records the scan stepped over: many means the head is blocked.
    pub skipped: u32,
}

/// Skipped records beyond which a take moves blocked records off the head.
const COMPACT_AFTER_SKIPPING: u32 = 32;

pub struct Ring<'a> {
    pub(crate) records: Records<'a>,
    pub(crate) segment: &'a Segment,
    pub(crate) header: &'a Header,
}

impl<'a> Ring<'a> {
    pub(crate) fn new(segment: &'a Segment) -> Self {
        Self {
            records: Records::new(segment),
            segment,
            header: segment.header(),
        }
    }

    /// `head` and `tail`, checked against each other.
    pub fn bounds(&self) -> Result<(u64, u64)> {
        self.records.bounds()
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
        self.records.check_fits(len, delayed)
    }

    /// Appends a message; `Ok(false)` when there is no room now. A `not_before` (unix ms)
    /// makes it a delayed record. `sum`: its CRC, if computed before the lock (`presum`).
    pub(crate) fn append<'p>(
        &self,
        payload: impl Into<Payload<'p>>,
        not_before: Option<u64>,
        sum: Option<Sum>,
    ) -> Result<bool> {
        let state = if not_before.is_some() {
            RecordState::Delayed
        } else {
            RecordState::Ready
        };
        self.append_record(payload.into(), not_before, state, 0, false, sum)
    }

    /// Stores a message that was taken but could not be delivered (its reader failed to decode
    /// it) straight into the dead letters: it counts as dead again, no longer as dequeued.
    pub fn append_dead(&self, payload: &[u8]) -> Result<bool> {
        self.append_record(payload.into(), None, RecordState::Dead, 1, true, None)
    }

    /// Appends a record in `state` after `attempts` deliveries. A message `taken` from this
    /// queue before (a dead letter its reader buried) counts as no longer dequeued; any other
    /// as enqueued.
    pub(crate) fn append_record(
        &self,
        payload: Payload,
        not_before: Option<u64>,
        state: RecordState,
        attempts: u8,
        taken: bool,
        sum: Option<Sum>,
    ) -> Result<bool> {
        let len = payload.len() as u64;
        self.records.check_fits(len, not_before.is_some())?;
        let header = RecordHeader {
            attempts,
            ..self
                .records
                .new_header(len as u32, state, not_before.is_some())
        };
        let Some(placement) = self.records.place(header.footprint(), true)? else {
            return Ok(false);
        };
        self.records
            .write(&placement, header, not_before, payload, sum);
        crate::hooks::pause_point("record-written");
        let counters = &self.header.counters;
        let mut txn = Txn::new(self.segment);
        self.records.publish(&mut txn, &placement);
        txn.add(
            match state {
                RecordState::Dead => &counters.dead,
                RecordState::Delayed => &counters.delayed,
                _ => &counters.ready,
            },
            1,
        );
        if taken {
            txn.add(&counters.dequeued, -1);
        } else {
            txn.add(&counters.enqueued, 1);
        }
        txn.commit();
        Ok(true)
    }

    /// Sets the paused flag (under the lock, so no take is half-way); whether it changed.
    pub fn set_paused(&self, paused: bool) -> bool {
        let was = self.header.paused.swap(u64::from(paused), Ordering::AcqRel) != 0;
        if was != paused {
            // Not journaled, but a change a durable queue must keep like any other.
            self.segment.count_change();
        }
        was != paused
    }

    pub fn is_paused(&self) -> bool {
        self.header.paused.load(Ordering::Acquire) != 0
    }

    /// The first record that can be taken at `now`. Leases found expired with no attempts left
    /// are moved to the dead letters on the way.
    pub(crate) fn find_available(&self, now: &LazyNow) -> Result<Option<Available>> {
        if self.header.paused.load(Ordering::Acquire) != 0 {
            return Ok(None); // paused: nothing may be taken until resumed
        }
        for (skipped, record) in (0u32..).zip(self.records.walk()?) {
            let (pos, header) = record?;
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
                RecordState::Delayed if self.records.not_before(pos) <= now.get() => {
                    return Ok(found(false))
                }
                RecordState::Leased => {
                    let slot = self.records.slot_of(pos, header)?;
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
        }
        Ok(None)
    }

    /// Stages the counter (and slot) changes of a record leaving its current state.
    pub(crate) fn leave_state(
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
                let slot = self.records.slot_of(pos, header)?;
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
                return Err(self.records.corrupt(Damage::TakenTwice { pos }));
            }
        }
        Ok(())
    }

    /// Removes the oldest available message, handing its payload to `out`.
    pub fn pop(&self, now: &LazyNow, out: &mut impl Sink) -> Result<bool> {
        self.pop_within(now, u64::MAX, true, out)
    }

    /// As `pop`, but leaves a message longer than `max_len` where it is (unless `any_size`).
    pub fn pop_within(
        &self,
        now: &LazyNow,
        max_len: u64,
        any_size: bool,
        out: &mut impl Sink,
    ) -> Result<bool> {
        let Some(found) = self.find_available(now)? else {
            return Ok(false);
        };
        if !any_size && u64::from(found.header.len) > max_len {
            return Ok(false);
        }
        self.records.copy_payload(found.pos, found.header, out);
        let counters = &self.header.counters;
        let mut txn = Txn::new(self.segment);
        self.leave_state(&mut txn, found.pos, found.header, true)?;
        if found.expired_lease {
            txn.add(&counters.expired, 1);
        }
        txn.add(&counters.dequeued, 1);
        self.records.remove(&mut txn, found.pos, found.header)?;
        txn.commit();
        self.compact_if_blocked(found.skipped)?;
        Ok(true)
    }

    pub(crate) fn compact_if_blocked(&self, skipped: u32) -> Result<()> {
        if skipped >= COMPACT_AFTER_SKIPPING {
            self.records.compact(crate::records::COMPACT_MOVES)?;
        }
        Ok(())
    }

    /// Up to `max` records that hold a message, oldest first, without taking them.
    pub fn peek(&self, max: usize, out: &mut Vec<Peeked>) -> Result<()> {
        for record in self.records.walk()? {
            let (pos, header) = record?;
            if out.len() >= max {
                break;
            }
            if !matches!(header.state, RecordState::Done | RecordState::Padding) {
                let mut payload = Vec::new();
                self.records.copy_payload(pos, header, &mut payload);
                let until_ms = (header.state == RecordState::Leased)
                    .then(|| self.records.slot_of(pos, header))
                    .transpose()?
                    .map(|slot| slot.until_ms.load(Ordering::Acquire));
                out.push(Peeked {
                    state: header.state,
                    attempts: header.attempts as u32,
                    until_ms,
                    payload,
                });
            }
        }
        Ok(())
    }
}
