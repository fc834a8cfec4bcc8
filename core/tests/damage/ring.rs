//! Damage to the lease slots and the ring: slot fields and bytes, record headers, payload bytes.

use std::mem::offset_of;

use shmqueue_core::layout::{LeaseSlot, HEADER_SIZE, SLOT_SIZE};

use super::*;

pub fn slot_field(index: u32, field: usize) -> u64 {
    (HEADER_SIZE + index as usize * SLOT_SIZE + field) as u64
}

pub const SLOT_FIELDS: [usize; 4] = [
    offset_of!(LeaseSlot, token),
    offset_of!(LeaseSlot, pos),
    offset_of!(LeaseSlot, until_ms),
    offset_of!(LeaseSlot, kind),
];

pub fn any_record(r: &Rng, s: &Snapshot) -> Option<(u64, u64)> {
    (!s.records.is_empty()).then(|| s.records[r.below(s.records.len() as u64) as usize])
}

/// Offset of the ring word holding position `pos`.
pub fn ring_at(s: &Snapshot, pos: u64) -> u64 {
    s.ring_offset + pos % s.ring_size
}

/// Payload or header bytes inside the ring.
pub fn ring_bytes(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let offset = match any_record(r, s) {
        Some((pos, _)) if r.chance(2) => (ring_at(s, pos) + r.below(16)).min(s.size - 1),
        _ => s.ring_offset + r.below(s.ring_size),
    };
    let len = (1 + r.below(32)).min(s.size - offset);
    d.labels.push(format!("ring bytes at {offset:#x}"));
    d.writes.push((offset, r.bytes(len as usize)));
}

/// Random bytes among the lease slots.
pub fn slot_bytes(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let offset = HEADER_SIZE as u64 + r.below(s.ring_offset - HEADER_SIZE as u64);
    let len = (1 + r.below(32)).min(s.size - offset);
    d.labels.push(format!("slot bytes at {offset:#x}"));
    d.writes.push((offset, r.bytes(len as usize)));
}

pub fn slot(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let index = match s.live_slots.is_empty() {
        false if !r.chance(3) => s.live_slots[r.below(s.live_slots.len() as u64) as usize],
        _ => r.pick(&[0, s.slot_count - 1, r.below(s.slot_count as u64) as u32]),
    };
    let field = r.pick(&SLOT_FIELDS);
    let record = any_record(r, s).map_or(s.head, |(pos, _)| pos);
    let value = match r.below(4) {
        0 => record,
        1 => record + 8,
        2 => r.pick(&[0, 1, 2, 3, u64::MAX]),
        _ => interesting(r, s),
    };
    d.labels
        .push(format!("slot {index} field +{field} = {value:#x}"));
    d.word(slot_field(index, field), value);
}

pub fn record_header(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let Some((pos, word)) = any_record(r, s) else {
        return positions(r, s, d);
    };
    let len_field = |len: u64| (word & !0xffff_ffff) | (len & 0xffff_ffff);
    let new = match r.below(6) {
        0 => {
            let to_end = s.ring_size - pos % s.ring_size;
            len_field(r.pick(&[
                u32::MAX as u64,
                s.ring_size,
                s.ring_size - 8,
                to_end,
                to_end - 7,
                0,
                r.next(),
            ]))
        }
        1 => (word & !(0xff << 32)) | (r.pick(&[0u64, 7, 255, 1, 2, 3, 4, 5, 6]) << 32),
        2 => {
            let other = s.live_slots.first().copied().unwrap_or(0) as u64;
            let slot = r.pick(&[s.slot_count as u64, 32_767, other, 0]);
            (word & !(0x7fff << 48)) | (slot << 48)
        }
        3 => (word & !(0xff << 40)) | (r.pick(&[0u64, 255, 1]) << 40),
        4 => word ^ (1 << 63),
        _ => r.next(),
    };
    d.labels
        .push(format!("record at {pos}: {word:#018x} -> {new:#018x}"));
    d.word(ring_at(s, pos), new);
}
