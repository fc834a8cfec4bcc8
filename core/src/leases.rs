//! The job lifecycle, run with the lock held: a reserved job holds a lease slot until it is
//! acknowledged, released (now, after a delay, or to the dead letters once out of attempts), or
//! its lease runs out; dead letters stay until requeued or purged.
//!
//! Slots are for jobs a worker holds, and there are few of them (64 in a small queue): a job
//! released with a delay gives its slot back and waits in the ring as a DELAYED record, so that
//! a retry loop (`release($job, 3600)` while a mail server is down) never starves `reserve`.
//! Only when the ring has no room for the delayed copy does the delay keep the slot.

use std::sync::atomic::Ordering;

use crate::clock::{self, LazyNow};
use crate::damage::Damage;
use crate::error::{QueueError, Result};
use crate::journal::Txn;
use crate::layout::*;
use crate::ring::Ring;

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

impl<'a> Ring<'a> {
    pub(crate) fn max_attempts(&self) -> u8 {
        self.header
            .max_attempts
            .load(Ordering::Relaxed)
            .clamp(1, 255) as u8
    }

    /// An expired lease whose job used its last attempt: to the dead letters.
    pub(crate) fn bury_expired(&self, pos: u64, header: RecordHeader) -> Result<()> {
        let mut txn = Txn::new(self.segment);
        self.bury(&mut txn, pos, header)?;
        txn.add(&self.header.counters.expired, 1);
        txn.commit();
        Ok(())
    }

    /// Stages a leased job's move to the dead letters.
    fn bury(&self, txn: &mut Txn, pos: u64, header: RecordHeader) -> Result<()> {
        self.leave_state(txn, pos, header, true)?;
        self.records
            .stage_state(txn, pos, header, RecordState::Dead);
        txn.add(&self.header.counters.dead, 1);
        Ok(())
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
        // In range: `free_slot` finds one below the count, and a leased record's was checked.
        let slot = self.segment.slot(slot_index).ok_or_else(|| {
            self.records.corrupt(Damage::SlotNotOwn {
                pos: found.pos,
                slot: slot_index.into(),
            })
        })?;
        self.records.copy_payload(found.pos, header, out);

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
            return Err(self.records.corrupt(Damage::TokenCounter { token }));
        }
        txn.set(&self.header.next_token, token + 1);
        Ok(token)
    }

    /// A free slot. When none is, delayed retries that kept theirs (the ring had no room to
    /// move them when they were released) are moved into the ring first: it may have room now.
    fn free_slot(&self) -> Result<u32> {
        if let Some(slot) = self.find_free_slot() {
            return Ok(slot);
        }
        self.move_slot_delays_to_ring()?;
        self.find_free_slot().ok_or_else(|| QueueError::NoFreeSlot {
            name: self.segment.name().to_owned(),
            slots: self.segment.slot_count(),
        })
    }

    fn find_free_slot(&self) -> Option<u32> {
        let count = self.segment.slot_count();
        // Start where the last token points, so slots are used round-robin rather than rescanned.
        let start = (self.header.next_token.load(Ordering::Relaxed) % count as u64) as u32;
        (0..count).map(|i| (start + i) % count).find(|&i| {
            self.segment
                .slot(i)
                .is_some_and(|slot| slot.token.load(Ordering::Acquire) == 0)
        })
    }

    fn move_slot_delays_to_ring(&self) -> Result<()> {
        for index in 0..self.segment.slot_count() {
            let Some(slot) = self.segment.slot(index) else {
                continue;
            };
            if slot.token.load(Ordering::Acquire) == 0
                || slot.kind.load(Ordering::Acquire) != SLOT_DELAY
            {
                continue;
            }
            let (_, tail) = self.records.bounds()?;
            let pos = slot.pos.load(Ordering::Acquire);
            let header = self.records.record(pos, tail)?;
            if header.state != RecordState::Leased || u32::from(header.slot) != index {
                return Err(self.records.corrupt(Damage::SlotNotOwn {
                    pos,
                    slot: index.into(),
                }));
            }
            let mut txn = Txn::new(self.segment);
            if !self.delay_in_ring(&mut txn, pos, header, slot.until_ms.load(Ordering::Acquire))? {
                break; // still no room
            }
            txn.commit();
        }
        Ok(())
    }

    /// The record a live lease points at, or `None` when the lease is no longer the caller's.
    pub(crate) fn leased_record(
        &self,
        lease: &Lease,
    ) -> Result<Option<(u64, RecordHeader, &'a LeaseSlot)>> {
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
        let slot_number = u64::from(lease.slot);
        if pos < head || pos >= tail {
            return Err(self.records.corrupt(Damage::SlotOutside {
                slot: slot_number,
                pos,
            }));
        }
        let header = self.records.record(pos, tail)?;
        if header.state != RecordState::Leased || header.slot as u32 != lease.slot {
            return Err(self.records.corrupt(Damage::SlotNotLeased {
                slot: slot_number,
                pos,
            }));
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
        self.records.remove(&mut txn, pos, header)?;
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
        let until = clock::deadline_from(now, delay_ms);
        let available_now = if header.attempts >= self.max_attempts() {
            self.bury(&mut txn, pos, header)?;
            false
        } else if delay_ms == 0 {
            self.leave_state(&mut txn, pos, header, true)?;
            self.records
                .stage_state(&mut txn, pos, header, RecordState::Ready);
            txn.add(&counters.ready, 1);
            true
        } else if self.delay_in_ring(&mut txn, pos, header, until)? {
            false
        } else {
            // No room for a delayed copy: the slot keeps the delay; a new token so the old job
            // cannot ack it.
            self.leave_state(&mut txn, pos, header, false)?;
            let token = self.take_token(&mut txn)?;
            txn.set(&slot.token, token);
            txn.set(&slot.kind, SLOT_DELAY);
            txn.set(&slot.until_ms, until);
            txn.add(&counters.delayed, 1);
            false
        };
        txn.commit();
        Ok(Some(available_now))
    }

    /// Stages a leased job's move to a DELAYED record not taken before `until`, freeing its slot:
    /// in place when the record has a not_before word, else as a copy at the tail (the original
    /// removed). `false`, staging nothing, when the ring has no room for the copy.
    fn delay_in_ring(
        &self,
        txn: &mut Txn,
        pos: u64,
        header: RecordHeader,
        until: u64,
    ) -> Result<bool> {
        let delayed = RecordHeader {
            state: RecordState::Delayed,
            slot: 0,
            has_not_before: true,
            ..header
        };
        if header.has_not_before {
            self.leave_state(txn, pos, header, true)?;
            txn.set(self.segment.ring_word(pos), delayed.encode());
            txn.set(self.segment.ring_word(pos + RECORD_HEADER_SIZE), until);
        } else {
            // No compaction here: it could move this very record.
            let Some(placement) = self.records.place(delayed.footprint(), false)? else {
                return Ok(false);
            };
            let mut payload = Vec::with_capacity(header.len as usize);
            self.records.copy_payload(pos, header, &mut payload);
            self.records
                .write(&placement, delayed, Some(until), (&payload).into(), None);
            self.records.publish(txn, &placement);
            self.leave_state(txn, pos, header, true)?;
            self.records.remove(txn, pos, header)?;
        }
        txn.add(&self.header.counters.delayed, 1);
        Ok(true)
    }

    /// Moves expired leases that used their last attempt to the dead letters.
    pub fn sweep_expired(&self, now: u64) -> Result<()> {
        let max_attempts = self.max_attempts();
        for record in self.records.walk()? {
            let (pos, header) = record?;
            if header.state == RecordState::Leased && header.attempts >= max_attempts {
                let slot = self.records.slot_of(pos, header)?;
                if slot.kind.load(Ordering::Acquire) == SLOT_LEASE
                    && slot.until_ms.load(Ordering::Acquire) <= now
                {
                    self.bury_expired(pos, header)?;
                }
            }
        }
        Ok(())
    }

    /// Up to `max` dead letters, oldest first, as (attempts, payload).
    pub fn dead_letters(&self, max: usize, out: &mut Vec<(u32, Vec<u8>)>) -> Result<()> {
        for record in self.records.walk()? {
            let (pos, header) = record?;
            if header.state == RecordState::Dead && out.len() < max {
                let mut payload = Vec::new();
                self.records.copy_payload(pos, header, &mut payload);
                out.push((header.attempts as u32, payload));
            }
        }
        Ok(())
    }

    /// Makes every dead letter available again with a fresh attempt count.
    pub fn requeue_dead(&self) -> Result<u64> {
        let counters = &self.header.counters;
        let mut moved = 0;
        for record in self.records.walk()? {
            let (pos, header) = record?;
            if header.state == RecordState::Dead {
                let mut txn = Txn::new(self.segment);
                let fresh = RecordHeader {
                    attempts: 0,
                    ..header
                };
                self.records
                    .stage_state(&mut txn, pos, fresh, RecordState::Ready);
                txn.add(&counters.dead, -1);
                txn.add(&counters.ready, 1);
                txn.commit();
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Deletes every dead letter.
    pub fn purge_dead(&self) -> Result<u64> {
        let counters = &self.header.counters;
        let mut purged = 0;
        for record in self.records.walk()? {
            let (pos, header) = record?;
            if header.state == RecordState::Dead {
                let mut txn = Txn::new(self.segment);
                txn.add(&counters.dead, -1);
                txn.add(&self.header.purged, 1);
                self.records.remove(&mut txn, pos, header)?;
                txn.commit();
                purged += 1;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    fn reserve(ring: &Ring) -> Lease {
        ring.reserve(&LazyNow::new(), 60_000, &mut Vec::new())
            .expect("reserve")
            .expect("a job")
    }

    fn live_slots(ring: &Ring) -> usize {
        (0..ring.segment.slot_count())
            .filter(|&i| {
                ring.segment
                    .slot(i)
                    .is_some_and(|s| s.token.load(Ordering::Acquire) != 0)
            })
            .count()
    }

    #[test]
    fn a_delayed_release_moves_the_job_to_the_tail_and_frees_its_slot() {
        let segment = Scratch::new("delaycopy", 1 << 16);
        let ring = Ring::new(&segment);
        assert!(ring.append(b"job", None, None).expect("append"));
        let lease = reserve(&ring);
        assert_eq!(live_slots(&ring), 1);
        let now = crate::clock::now_ms();
        assert_eq!(
            ring.release(&lease, now, 60_000).expect("release"),
            Some(false)
        );
        assert_eq!(live_slots(&ring), 0);
        let records: Vec<_> = ring
            .records
            .walk()
            .expect("walk")
            .collect::<Result<_>>()
            .expect("ok");
        assert_eq!(
            records.len(),
            1,
            "the original is gone: the head moved past it"
        );
        let (pos, header) = records[0];
        assert_eq!(
            (header.state, header.attempts, header.has_not_before),
            (RecordState::Delayed, 1, true)
        );
        assert_eq!(
            ring.records.not_before(pos),
            now + 60_001,
            "rounded up: never early"
        );
        assert_eq!(ring.header.counters.delayed.load(Ordering::Acquire), 1);
        assert_eq!(ring.header.counters.in_flight.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_delayed_release_of_a_delayed_enqueue_stays_in_place() {
        let segment = Scratch::new("delayplace", 1 << 16);
        let ring = Ring::new(&segment);
        assert!(ring.append(b"job", Some(0), None).expect("append"));
        let lease = reserve(&ring);
        let (head, tail) = ring.bounds().expect("bounds");
        assert_eq!(
            ring.release(&lease, 1_000, 5).expect("release"),
            Some(false)
        );
        assert_eq!(
            ring.bounds().expect("bounds"),
            (head, tail),
            "nothing moved"
        );
        assert_eq!(
            ring.records.not_before(head),
            1_006,
            "rounded up: never early"
        );
        assert_eq!(live_slots(&ring), 0);
    }

    #[test]
    fn without_room_for_the_copy_the_delay_keeps_the_slot() {
        let segment = Scratch::new("delayfull", 4096);
        let ring = Ring::new(&segment);
        let big = vec![1; 4096 - 8 - 64];
        assert!(ring.append(&big, None, None).expect("append"));
        let lease = reserve(&ring);
        assert_eq!(
            ring.release(&lease, 0, 60_000).expect("release"),
            Some(false)
        );
        assert_eq!(
            live_slots(&ring),
            1,
            "no room in the ring: the slot holds the delay"
        );
        let slot = segment.slot(lease.slot).expect("slot");
        assert_eq!(slot.kind.load(Ordering::Acquire), SLOT_DELAY);
        assert_eq!(ring.header.counters.delayed.load(Ordering::Acquire), 1);
    }

    #[test]
    fn a_kept_delay_moves_into_the_ring_once_there_is_room() {
        let segment = Scratch::new("delaylater", 4096);
        let ring = Ring::new(&segment);
        assert!(ring.append(&[1; 1500], None, None).expect("append"));
        assert!(ring.append(&[3; 100], None, None).expect("append")); // its copy: more than is left
        while ring.append(&[2; 64], None, None).expect("append") {}
        let first = reserve(&ring);
        let job = reserve(&ring);
        assert_eq!(ring.release(&job, 0, 60_000).expect("release"), Some(false));
        assert_eq!(
            live_slots(&ring),
            2,
            "the ring is full: the delay keeps its slot"
        );
        assert!(ring.ack(&first).expect("ack"));
        ring.move_slot_delays_to_ring().expect("move");
        assert_eq!(
            live_slots(&ring),
            0,
            "room now: the delay gives its slot back"
        );
        assert_eq!(ring.header.counters.delayed.load(Ordering::Acquire), 1);
    }
}
