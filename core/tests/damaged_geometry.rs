//! Named regressions: damage to the header's geometry (sizes, slot count) and its init state,
//! each the exact damage behind a bug the fuzzer found (`fuzz_segment.rs`).

mod damage;

use damage::*;

// The first three were found on the layout of the time, whose ring was the capacity rounded down
// to 8 bytes. Rings have since become powers of two (commit 4997c3c), which `validate` checks:
// with that, none of these damages describes a geometry that fits, and all are refused. They stay
// so that a change to the geometry rules cannot bring the bugs back.

/// `ring_offset + ring_size` was summed unchecked: 32767 slots with the ring size that makes the
/// wrapped sum equal the mapping's size passed validation, and recovery then scanned lease slots
/// far past the end of the mapping (SIGSEGV in release, an overflow panic in debug).
#[test]
fn geometry_wrapping_past_the_mapping_is_refused() {
    let result = regression("wrapgeo", 4096, |s| {
        let mut d = Damage {
            dead_holder: true,
            ..Damage::default()
        };
        d.word32(SLOT_COUNT, 32_767);
        d.word(
            RING_SIZE,
            s.size.wrapping_sub(layout::ring_offset(32_767) as u64),
        );
        d
    });
    expect_fresh_open_refused(&result, "geometry");
}

/// Slot count 0 and a ring filling the rest of the segment "added up"; with a READY record where
/// that ring begins, `reserve` took a remainder by the slot count: a division by zero in any build.
#[test]
fn a_slot_count_of_zero_is_refused() {
    let result = regression("zeroslots", 4096, |s| {
        let mut d = Damage::default();
        let ring_size = s.size - HEADER_SIZE as u64;
        d.word32(SLOT_COUNT, 0);
        d.word(RING_SIZE, ring_size);
        d.word(HEAD, s.head);
        d.word(TAIL, s.head + 8);
        let ready = RecordHeader::new(0, layout::RecordState::Ready).encode();
        d.word(HEADER_SIZE as u64 + s.head % ring_size / 8 * 8, ready);
        d
    });
    expect_fresh_open_refused(&result, "geometry");
}

/// A segment of 7176 bytes (capacity 4104, as it was) with 192 slots leaves a ring of 8 bytes,
/// which passed validation; `push_at` then computed its largest payload as 8 - 16 (overflow panic
/// in debug).
#[test]
fn a_ring_too_small_for_any_record_is_refused() {
    let result = regression("tinyring", 4104, |_| {
        let mut d = Damage::default();
        d.word32(SLOT_COUNT, 192);
        d.word(RING_SIZE, 8);
        d
    });
    expect_fresh_open_refused(&result, "geometry");
}

/// Not a bug, the one header field the fuzzer leaves alone (it costs a wait): a cleared
/// `init_state` makes a fresh open wait for the creator, then refuse; removal still works.
#[test]
fn an_unfinished_header_is_refused_and_removable() {
    let result = regression("uninit", 4096, |_| {
        let mut d = Damage::default();
        d.word32(INIT_STATE, 0);
        d
    });
    expect_fresh_open_refused(&result, "never finished");
}
