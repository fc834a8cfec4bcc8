//! Damage to the header: random bytes and words, the ring positions, the geometry, counters.

use std::mem::offset_of;

use shmqueue_core::layout::{Counters, Header, HEADER_SIZE, LOCK_OFFSET};

use super::*;

/// Header words (u64) the random field mutation aims at.
pub fn header_words() -> Vec<u64> {
    let mut words = vec![
        offset_of!(Header, magic) as u64,
        SEGMENT_SIZE,
        RING_SIZE,
        offset_of!(Header, lease_ms) as u64,
        HEAD,
        TAIL,
        NEXT_TOKEN,
        offset_of!(Header, purged) as u64,
        offset_of!(Header, full_rejections) as u64,
        offset_of!(Header, recoveries) as u64,
        offset_of!(Header, instance) as u64,
        offset_of!(Header, permissions) as u64,
        offset_of!(Header, damage_detail) as u64,
        offset_of!(Header, last_recovery) as u64,
        offset_of!(Header, not_empty_heartbeat) as u64,
        offset_of!(Header, not_full_heartbeat) as u64,
        JOURNAL_STATE,
        JOURNAL_LEN,
    ];
    words.extend((0..std::mem::size_of::<Counters>() as u64 / 8).map(|i| COUNTERS + 8 * i));
    words
}

/// Header u32 fields.
pub const HEADER_U32S: [u64; 7] = [
    offset_of!(Header, layout_version) as u64,
    SLOT_COUNT,
    MAX_ATTEMPTS,
    offset_of!(Header, not_empty_seq) as u64,
    offset_of!(Header, not_full_seq) as u64,
    offset_of!(Header, not_empty_waiters) as u64,
    offset_of!(Header, not_full_waiters) as u64,
];

/// Random bytes anywhere in the header but the lock and init_state (see `fuzz_segment.rs`).
pub fn bytes(r: &Rng, _s: &Snapshot, d: &mut Damage) {
    // Random bytes anywhere in the header but the lock and init_state (see the top).
    let offset = loop {
        let offset = r.below(HEADER_SIZE as u64 - 8);
        let in_lock = (LOCK_OFFSET as u64 - 8..LOCK_END).contains(&offset);
        let in_init = (INIT_STATE - 8..INIT_STATE + 4).contains(&offset);
        if !in_lock && !in_init {
            break offset;
        }
    };
    let bytes = r.bytes(1 + r.below(8) as usize);
    d.labels.push(format!("header bytes at {offset:#x}"));
    d.writes.push((offset, bytes));
}

/// One header word set to an interesting value.
pub fn word(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let offset = r.pick(&header_words());
    let value = interesting(r, s);
    d.labels
        .push(format!("header word {offset:#x} = {value:#x}"));
    d.word(offset, value);
}

/// One u32 field set to a boundary value.
pub fn word32(r: &Rng, _s: &Snapshot, d: &mut Damage) {
    let offset = r.pick(&HEADER_U32S);
    let random = r.next() as u32;
    let value = r.pick(&[0, 1, 63, 64, 255, 256, 32_767, 32_768, u32::MAX, random]);
    d.labels.push(format!("header u32 {offset:#x} = {value}"));
    d.word32(offset, value);
}

/// Every counter set to an interesting value.
pub fn counters(r: &Rng, s: &Snapshot, d: &mut Damage) {
    d.labels.push("counters".into());
    for i in 0..std::mem::size_of::<Counters>() as u64 / 8 {
        let value = interesting(r, s);
        d.word(COUNTERS + 8 * i, value);
    }
}

/// The job id counter, the lease length or a flag at an extreme.
pub fn extreme(r: &Rng, _s: &Snapshot, d: &mut Damage) {
    let value = r.pick(&[0, 1, u64::MAX - 1, u64::MAX]);
    let (what, offset) = r.pick(&[
        ("next_token", NEXT_TOKEN),
        ("lease_ms", offset_of!(Header, lease_ms) as u64),
        ("removed", offset_of!(Header, removed) as u64),
        ("corrupt", offset_of!(Header, corrupt) as u64),
    ]);
    d.labels.push(format!("{what} = {value:#x}"));
    d.word(offset, value);
}

pub fn positions(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let used = s.tail - s.head;
    let record = any_record(r, s).map_or(s.head, |(pos, _)| pos);
    let (label, head, tail) = match r.below(10) {
        0 => ("head > tail", s.tail + 8, s.tail),
        1 => ("tail - head > ring", s.head, s.head + s.ring_size + 8),
        2 => ("unaligned head", s.head + 1 + r.below(7), s.tail),
        3 => ("unaligned tail", s.head, s.tail + 1 + r.below(7)),
        4 => {
            // Near the end of u64: `pos + footprint` would overflow.
            let tail = u64::MAX - 7 - 8 * r.below(4);
            ("positions at the top of u64", tail - used, tail)
        }
        5 => {
            let shift = r.pick(&[s.ring_size, 2 * s.ring_size, 8, 8 * r.below(64)]);
            ("both shifted", s.head + shift, s.tail + shift)
        }
        6 => ("empty with live slots", s.tail, s.tail),
        7 => ("head at a later record", record, s.tail),
        8 => ("head inside a record", record + 8, s.tail),
        _ => ("tail inside a record", s.head, record + 8),
    };
    d.labels.push(format!("{label}: head {head}, tail {tail}"));
    d.word(HEAD, head);
    d.word(TAIL, tail);
}

pub fn geometry(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let slots = r.pick(&[
        0,
        1,
        63,
        64,
        65,
        192,
        1000,
        32_767,
        32_768,
        u32::MAX,
        s.slot_count + 1,
        s.slot_count - 1,
    ]);
    if r.chance(3) {
        // A smaller power-of-two ring and the slot count that fills the rest: geometry that is
        // valid, so a fresh mapping reads old slots as ring and old ring bytes as slots.
        let ring_size = s.ring_size >> (1 + r.below(6));
        let slots = ((s.size - ring_size - HEADER_SIZE as u64) / SLOT_SIZE as u64) as u32;
        if layout::ring_offset(slots) as u64 + ring_size == s.size {
            d.labels.push(format!(
                "geometry that fits: {slots} slots, ring {ring_size}"
            ));
            d.word32(SLOT_COUNT, slots);
            d.word(RING_SIZE, ring_size);
            return;
        }
    }
    if r.chance(4) {
        let offset = r.pick(&[RING_SIZE, SEGMENT_SIZE]);
        let value = interesting(r, s);
        d.labels
            .push(format!("geometry word {offset:#x} = {value:#x}"));
        d.word(offset, value);
        return;
    }
    // A slot count with the ring size that makes `ring_offset + ring_size` equal the mapping's
    // size, computed as a wrapping sum: geometry that "adds up" but does not fit.
    let ring_offset = (HEADER_SIZE as u64)
        .wrapping_add(slots as u64 * SLOT_SIZE as u64)
        .next_multiple_of(64);
    let ring_size = s.size.wrapping_sub(ring_offset);
    d.labels
        .push(format!("geometry: {slots} slots, ring {ring_size:#x}"));
    d.word32(SLOT_COUNT, slots);
    d.word(RING_SIZE, ring_size);
}
