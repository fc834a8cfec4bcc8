//! Damage to the redo journal: its state, its length, its entries.

use std::mem::offset_of;

use shmqueue_core::layout::{Journal, JournalEntry, JOURNAL_OFFSET};

use super::*;

pub fn journal_entry(i: usize) -> (u64, u64) {
    let entry = (JOURNAL_OFFSET
        + offset_of!(Journal, entries)
        + i * std::mem::size_of::<JournalEntry>()) as u64;
    (
        entry + offset_of!(JournalEntry, offset) as u64,
        entry + offset_of!(JournalEntry, value) as u64,
    )
}

pub fn journal(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let state = r.pick(&[JOURNAL_ARMED, JOURNAL_ARMED, JOURNAL_ARMED, 0, 2, u64::MAX]);
    let some = 1 + r.below(16);
    let len = r.pick(&[0, 1, some, 16, 17, 1 << 32, u64::MAX]);
    d.labels.push(format!("journal state {state}, len {len}"));
    d.word(JOURNAL_STATE, state);
    d.word(JOURNAL_LEN, len);
    for i in 0..(len as usize).min(JOURNAL_CAPACITY) {
        let slot = r.below(s.slot_count as u64) as u32;
        let target = match r.below(9) {
            // Any header word: the lock, the geometry, the journal itself...
            0 | 1 => 8 * r.below(HEADER_SIZE as u64 / 8),
            2 => r.pick(&[HEAD, TAIL, NEXT_TOKEN]),
            3 => slot_field(slot, r.pick(&SLOT_FIELDS)),
            4 => ring_at(s, any_record(r, s).map_or(s.head, |(pos, _)| pos)),
            5 => 8 * r.below(s.size / 8) + 1 + r.below(7),
            6 => r.pick(&[s.size, s.size - 8, s.size + 8]),
            7 => r.pick(&[u64::MAX - 7, u64::MAX, 1 << 63]),
            _ => r.next(),
        };
        let value = interesting(r, s);
        let (offset, value_at) = journal_entry(i);
        d.labels
            .push(format!("  entry {i}: [{target:#x}] = {value:#x}"));
        d.word(offset, target);
        d.word(value_at, value);
    }
    // The journal is read only by recovery: mostly let a holder die so that it runs.
    if !r.chance(4) {
        d.dead_holder = true;
    }
}
