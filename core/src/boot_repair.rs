//! The first open of a durable file after a new boot (`durable::adopt_boot`), for files whose
//! records carry a CRC: after a power cut each page of the file is as its last flush left it or
//! as any newer version the kernel wrote back on its own, so the header (head, tail, counters),
//! the lease slots and the records may come from different moments. Recovery after a killed
//! lock holder trusts the journal and never walks the records; at a boot a walk is cheap next to
//! the boot itself, and the only way to know which records reached the disk whole.
//!
//! After the journal is replayed:
//! 1. walk `head..tail` checking each record's bounds, state and CRC (which covers its
//!    position: a record of an older turn of the ring at the same offset fails). At a bad one
//!    the walk looks for the next whole record, 8 bytes at a time: found, the bad stretch is
//!    overwritten with removed records (DONE, or PADDING up to the ring's end) and the walk goes
//!    on there (a record appended over one whose removal had not reached the disk, in a nearly
//!    full ring, is followed by waiting records that had); none, `tail` is cut at the bad one
//!    (and before a PADDING record the cut would leave last);
//! 2. `torn_dropped` counts the records of the stretches skipped and of the part cut whose
//!    header words still read as a message (ready, leased, delayed or dead), followed by their
//!    lengths;
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

/// CRC bytes the searches for a next whole record may read, in ring sizes, before the walk gives
/// up and cuts: payloads full of words that read as headers must not make a boot quadratic.
const SEARCH_BUDGET_RINGS: u64 = 2;

/// The longest removed record written over a bad stretch (its len field is a u32).
const MAX_FILLER: u64 = 1 << 31;

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

/// What the walk kept: the counts of the states, where the first record not removed is, and the
/// LEASED records (in order, to be matched with the slots). Nothing per record otherwise: a full
/// 1 GiB queue holds millions.
#[derive(Default)]
struct Kept {
    first_live: Option<u64>,
    ready: u64,
    delayed: u64,
    dead: u64,
    leased: Vec<(u64, RecordHeader)>,
}

impl Kept {
    fn add(&mut self, pos: u64, record: RecordHeader) {
        match record.state {
            RecordState::Ready => self.ready += 1,
            RecordState::Delayed => self.delayed += 1,
            RecordState::Dead => self.dead += 1,
            RecordState::Leased => self.leased.push((pos, record)),
            RecordState::Done | RecordState::Padding => return,
        }
        self.first_live.get_or_insert(pos);
    }
}

/// Steps 1-5; whether anything changed.
fn repair(segment: &Segment) -> Result<bool, Damage> {
    let header = segment.header();
    let (head, tail) = Records::new(segment)
        .bounds()
        .map_err(recovery::damage_of)?;
    let mut scratch = Vec::new();
    let mut kept = Kept::default();
    let (mut pos, mut cut, mut dropped) = (head, head, 0);
    let mut budget = SEARCH_BUDGET_RINGS * segment.ring_size();
    let mut changed = false;
    while pos < tail {
        if let Some(record) = whole(segment, pos, tail, &mut scratch) {
            kept.add(pos, record);
            pos += record.footprint();
            if record.state != RecordState::Padding {
                cut = pos;
            }
            continue;
        }
        let Some(next) = next_whole(segment, pos, tail, &mut budget, &mut scratch) else {
            break;
        };
        let Some(fillers) = fillers(segment, pos, next) else {
            break;
        };
        dropped += live_records(segment, pos, next);
        for (at, filler) in fillers {
            segment
                .ring_word(at)
                .store(filler.encode(), Ordering::Release);
            checksum::seal_in_place(segment, at, filler, &mut scratch);
        }
        changed = true;
        pos = next;
    }
    if cut != tail {
        dropped += live_records(segment, cut, tail);
        header.tail.store(cut, Ordering::Release);
        changed = true;
    }
    header
        .durable
        .torn_dropped
        .fetch_add(dropped, Ordering::Relaxed);
    changed |= store(&header.head, kept.first_live.unwrap_or(cut));
    changed |= free_stray_slots(segment, &kept.leased);
    changed |= release_orphans(segment, &mut kept);
    changed |= recount(segment, &kept);
    if changed {
        // A change like any other for the flush policy: it reaches the disk with the next flush.
        segment.count_change();
    }
    Ok(changed)
}

/// The record at `pos` if its header word has a known state and it lies in the ring before
/// `tail` (a PADDING record ending at the ring's end); its CRC not checked yet.
fn shaped(segment: &Segment, pos: u64, tail: u64) -> Option<RecordHeader> {
    let word = segment.ring_word(pos).load(Ordering::Acquire);
    let record = RecordHeader::decode(word, segment.checksums)?;
    let end = segment.ring_position(pos) + record.footprint();
    let padding = record.state == RecordState::Padding;
    let fits = end <= segment.ring_size() && pos + record.footprint() <= tail;
    (fits && (!padding || end == segment.ring_size())).then_some(record)
}

/// The record at `pos` if it is shaped and its CRC matches (PADDING has none).
fn whole(segment: &Segment, pos: u64, tail: u64, scratch: &mut Vec<u8>) -> Option<RecordHeader> {
    let record = shaped(segment, pos, tail)?;
    let checked =
        record.state == RecordState::Padding || checksum::intact(segment, pos, record, scratch);
    checked.then_some(record)
}

/// The first position after the bad record at `bad` holding a whole record other than PADDING
/// (which has no CRC to vouch for it), within `budget` CRC bytes.
fn next_whole(
    segment: &Segment,
    bad: u64,
    tail: u64,
    budget: &mut u64,
    scratch: &mut Vec<u8>,
) -> Option<u64> {
    let mut pos = bad + RECORD_ALIGN;
    while pos < tail {
        if let Some(record) = shaped(segment, pos, tail).filter(|r| r.state != RecordState::Padding)
        {
            *budget = budget.checked_sub(record.len.into())?;
            if checksum::intact(segment, pos, record, scratch) {
                return Some(pos);
            }
        }
        pos += RECORD_ALIGN;
    }
    None
}

/// Removed records exactly covering `from..to` (DONE records with a CRC, PADDING where a piece
/// ends at the ring's end), or `None` if a piece of 8 bytes would be left that only PADDING fits.
fn fillers(segment: &Segment, from: u64, to: u64) -> Option<Vec<(u64, RecordHeader)>> {
    let mut pieces = Vec::new();
    let mut pos = from;
    while pos < to {
        let room = segment.ring_size() - segment.ring_position(pos);
        let span = (to - pos).min(room);
        let mut piece = span.min(MAX_FILLER);
        if span - piece == RECORD_ALIGN {
            piece -= RECORD_ALIGN; // never leave 8 bytes a DONE record cannot fill
        }
        let filler = if piece == room {
            RecordHeader::new((piece - RECORD_HEADER_SIZE) as u32, RecordState::Padding)
        } else {
            let done = RecordHeader {
                checksummed: true,
                ..RecordHeader::new(0, RecordState::Done)
            };
            let len = piece.checked_sub(done.payload_offset())?;
            RecordHeader {
                len: len as u32,
                ..done
            }
        };
        pieces.push((pos, filler));
        pos += piece;
    }
    Some(pieces)
}

/// Records from `pos` to `tail` whose header words read as a message, following their lengths
/// as written and stopping at the first word that is no header (torn, or never written).
fn live_records(segment: &Segment, mut pos: u64, tail: u64) -> u64 {
    let mut live = 0;
    while let Some(record) = (pos < tail).then(|| shaped(segment, pos, tail)).flatten() {
        if !matches!(record.state, RecordState::Done | RecordState::Padding) {
            live += 1;
        }
        pos += record.footprint();
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

/// Step 4, slots: frees each taken slot that does not point at a kept LEASED record naming it.
fn free_stray_slots(segment: &Segment, leased: &[(u64, RecordHeader)]) -> bool {
    let mut changed = false;
    for (index, slot) in taken_slots(segment) {
        let pos = slot.pos.load(Ordering::Acquire);
        let owned = leased
            .binary_search_by_key(&pos, |&(at, _)| at)
            .is_ok_and(|found| u32::from(leased[found].1.slot) == index);
        if !owned {
            slot.token.store(0, Ordering::Release);
            changed = true;
        }
    }
    changed
}

/// Step 4, records: a LEASED record whose slot does not point back at it becomes READY.
fn release_orphans(segment: &Segment, kept: &mut Kept) -> bool {
    let before = kept.leased.len();
    kept.leased.retain(|&(pos, record)| {
        let held = segment.slot(record.slot.into()).is_some_and(|slot| {
            slot.token.load(Ordering::Acquire) != 0 && slot.pos.load(Ordering::Acquire) == pos
        });
        if !held {
            let ready = RecordHeader {
                state: RecordState::Ready,
                slot: 0,
                ..record
            };
            segment
                .ring_word(pos)
                .store(ready.encode(), Ordering::Release);
        }
        held
    });
    kept.ready += (before - kept.leased.len()) as u64;
    before != kept.leased.len()
}

/// Step 5: the counters of the states, from the kept records and the slots left taken.
fn recount(segment: &Segment, kept: &Kept) -> bool {
    let header = segment.header();
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
    let mut changed = store(&counters.ready, kept.ready);
    changed |= store(&counters.in_flight, leases);
    changed |= store(&counters.delayed, kept.delayed + slot_delays);
    changed |= store(&counters.dead, kept.dead);
    let next_token = header.next_token.load(Ordering::Acquire);
    if last_token >= next_token && last_token < u64::MAX {
        changed |= store(&header.next_token, last_token + 1);
    }
    changed
}
