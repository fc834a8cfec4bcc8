//! The first open of a durable file after a new boot (`durable::adopt_boot`), for files whose
//! records carry a CRC: after a power cut each page of the file is as its last flush left it or
//! as any newer version the kernel wrote back on its own, so the header (head, tail, counters),
//! the lease slots and the records may come from different moments. Recovery after a killed
//! lock holder trusts the journal and never walks the records; at a boot a walk is cheap next to
//! the boot itself, and the only way to know which records reached the disk whole.
//!
//! After the journal is replayed:
//! 1. walk `head..tail` checking each record's bounds, state and CRC (which covers its
//!    position: a record of an older turn of the ring at the same offset fails); `tail` is cut
//!    at the first bad one (and before a PADDING record the cut leaves last);
//! 2. `torn_dropped` counts the records beyond the cut whose header words still read as a
//!    message (ready, leased, delayed or dead), followed by their lengths up to the old tail;
//! 3. `head` moves past removed records (DONE, PADDING) at the front;
//! 4. a taken slot pointing outside `head..tail`, between records, or at a record not leased to
//!    it is freed; then a LEASED record whose slot does not point back at it becomes READY
//!    (delivered again, never lost);
//! 5. `ready`, `in_flight`, `delayed` and `dead` are recounted from the walk and the slots, and
//!    `next_token` is raised past every token a slot holds.
//!
//! Every write here is direct, not journaled: this runs under the file's exclusive `flock`
//! before the new boot id is stored, so no other process can have the file (those of this boot
//! wait for the lock, those of the previous boot are gone). A power cut during the repair leaves
//! pages that the next boot repairs again.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::checksum;
use crate::damage::Damage;
use crate::layout::*;
use crate::records::Records;
use crate::recovery::{self, Recovery};
use crate::segment::Segment;

/// Replays the journal, repairs the records and slots, checks the result as any recovery does.
pub(crate) fn recover_new_boot(segment: &Segment) -> Recovery {
    let repair = recovery::replay(segment).and_then(|outcome| {
        let repaired = repair(segment)?;
        recovery::check(segment)?;
        Ok(if repaired {
            Recovery::Repaired
        } else {
            outcome
        })
    });
    recovery::settle(segment, repair)
}

/// Steps 1-5; whether anything changed.
fn repair(segment: &Segment) -> Result<bool, Damage> {
    let header = segment.header();
    let (head, tail) = Records::new(segment)
        .bounds()
        .map_err(recovery::damage_of)?;
    let mut scratch = Vec::new();
    let mut kept = Vec::new();
    let (mut pos, mut cut) = (head, head);
    while pos < tail {
        let Some(record) = whole(segment, pos, tail, &mut scratch) else {
            break;
        };
        kept.push((pos, record));
        pos += record.footprint();
        if record.state != RecordState::Padding {
            cut = pos;
        }
    }
    kept.retain(|&(at, _)| at < cut);
    let mut changed = false;
    if cut != tail {
        let dropped = live_records(segment, cut, tail);
        header
            .durable
            .torn_dropped
            .fetch_add(dropped, Ordering::Relaxed);
        header.tail.store(cut, Ordering::Release);
        changed = true;
    }
    let removed = |state| matches!(state, RecordState::Done | RecordState::Padding);
    let front = kept
        .iter()
        .position(|(_, record)| !removed(record.state))
        .unwrap_or(kept.len());
    let new_head = kept.get(front).map_or(cut, |&(at, _)| at);
    kept.drain(..front);
    changed |= store(&header.head, new_head);
    changed |= free_stray_slots(segment, &kept);
    changed |= release_orphans(segment, &mut kept);
    changed |= recount(segment, &kept);
    if changed {
        // A change like any other for the flush policy: it reaches the disk with the next flush.
        segment.count_change();
    }
    Ok(changed)
}

/// The record at `pos` if it lies in the ring before `tail`, has a known state, and its CRC
/// matches (a PADDING record, which has none, must end at the ring's end).
fn whole(segment: &Segment, pos: u64, tail: u64, scratch: &mut Vec<u8>) -> Option<RecordHeader> {
    let word = segment.ring_word(pos).load(Ordering::Acquire);
    let record = RecordHeader::decode(word, segment.checksums)?;
    let end = segment.ring_position(pos) + record.footprint();
    if end > segment.ring_size() || pos + record.footprint() > tail {
        return None;
    }
    if record.state == RecordState::Padding {
        return (end == segment.ring_size()).then_some(record);
    }
    checksum::intact(segment, pos, record, scratch).then_some(record)
}

/// Records from `pos` to `tail` whose header words read as a message, following their lengths
/// as written and stopping at the first word that is no header (torn, or never written).
fn live_records(segment: &Segment, mut pos: u64, tail: u64) -> u64 {
    let mut live = 0;
    while pos < tail {
        let word = segment.ring_word(pos).load(Ordering::Acquire);
        let Some(record) = RecordHeader::decode(word, segment.checksums) else {
            break;
        };
        let footprint = record.footprint();
        if segment.ring_position(pos) + footprint > segment.ring_size() || pos + footprint > tail {
            break;
        }
        if !matches!(record.state, RecordState::Done | RecordState::Padding) {
            live += 1;
        }
        pos += footprint;
    }
    live
}

/// Stores `value` in `word`; whether it differed.
fn store(word: &AtomicU64, value: u64) -> bool {
    word.swap(value, Ordering::AcqRel) != value
}

/// The taken slots, with their indexes.
fn taken_slots(segment: &Segment) -> impl Iterator<Item = (u32, &LeaseSlot)> {
    (0..segment.slot_count())
        .filter_map(|index| Some((index, segment.slot(index)?)))
        .filter(|(_, slot)| slot.token.load(Ordering::Acquire) != 0)
}

/// Step 4, slots: frees each taken slot that does not point at a kept record leased to it.
fn free_stray_slots(segment: &Segment, kept: &[(u64, RecordHeader)]) -> bool {
    let mut changed = false;
    for (index, slot) in taken_slots(segment) {
        let pos = slot.pos.load(Ordering::Acquire);
        let owned = kept
            .binary_search_by_key(&pos, |&(at, _)| at)
            .is_ok_and(|found| {
                let record = kept[found].1;
                record.state == RecordState::Leased && u32::from(record.slot) == index
            });
        if !owned {
            slot.token.store(0, Ordering::Release);
            changed = true;
        }
    }
    changed
}

/// Step 4, records: a LEASED record whose slot does not point back at it becomes READY.
fn release_orphans(segment: &Segment, kept: &mut [(u64, RecordHeader)]) -> bool {
    let mut changed = false;
    for (pos, record) in kept.iter_mut() {
        let held = segment.slot(record.slot.into()).is_some_and(|slot| {
            slot.token.load(Ordering::Acquire) != 0 && slot.pos.load(Ordering::Acquire) == *pos
        });
        if record.state == RecordState::Leased && !held {
            *record = RecordHeader {
                state: RecordState::Ready,
                slot: 0,
                ..*record
            };
            segment
                .ring_word(*pos)
                .store(record.encode(), Ordering::Release);
            changed = true;
        }
    }
    changed
}

/// Step 5: the counters of the states, from the kept records and the slots left taken.
fn recount(segment: &Segment, kept: &[(u64, RecordHeader)]) -> bool {
    let header = segment.header();
    let count = |state| kept.iter().filter(|(_, r)| r.state == state).count() as u64;
    let (mut leases, mut slot_delays, mut last_token) = (0, 0, 0);
    for (_, slot) in taken_slots(segment) {
        if slot.kind.load(Ordering::Acquire) == SLOT_LEASE {
            leases += 1;
        } else {
            slot_delays += 1;
        }
        last_token = last_token.max(slot.token.load(Ordering::Acquire));
    }
    let counters = &header.counters;
    let mut changed = store(&counters.ready, count(RecordState::Ready));
    changed |= store(&counters.in_flight, leases);
    changed |= store(&counters.delayed, count(RecordState::Delayed) + slot_delays);
    changed |= store(&counters.dead, count(RecordState::Dead));
    let next_token = header.next_token.load(Ordering::Acquire);
    if last_token >= next_token && last_token < u64::MAX {
        changed |= store(&header.next_token, last_token + 1);
    }
    changed
}
