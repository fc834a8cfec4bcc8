//! What the repair after a killed lock holder checks without walking the records: the lease
//! slots against the records they name and against the journaled counters. Each case damages
//! one of them, lets a lock holder die, and expects the damage named rather than used.

mod damage;

use damage::*;
use shmqueue_core::layout::RecordState;

fn expect_named(result: &CaseResult, text: &str) {
    assert!(
        result.damage.dead_holder,
        "the case must make the repair run"
    );
    assert!(
        result.op_errors.iter().any(|e| e.contains(text)),
        "expected an error naming \"{text}\", got: {:?}",
        result.op_errors
    );
}

fn live_slot(s: &Snapshot) -> u32 {
    *s.live_slots
        .first()
        .expect("the regression setup leaves a leased job")
}

#[test]
fn a_slot_pointing_at_a_ready_record_is_named() {
    let result = regression("slotready", 4096, |s| {
        let ready = s
            .records
            .iter()
            .find(|(_, word)| {
                RecordHeader::decode(*word, false).unwrap().state == RecordState::Ready
            })
            .expect("the regression setup leaves a ready message")
            .0;
        let mut d = Damage::default();
        d.word(slot_field(live_slot(s), SLOT_FIELDS[1]), ready);
        d.dead_holder = true;
        d
    });
    expect_named(&result, "a record that is not leased to it");
}

#[test]
fn a_slot_pointing_past_the_tail_is_named() {
    let result = regression("slotpast", 4096, |s| {
        let mut d = Damage::default();
        d.word(slot_field(live_slot(s), SLOT_FIELDS[1]), s.tail + 64);
        d.dead_holder = true;
        d
    });
    expect_named(&result, "outside the records");
}

#[test]
fn an_in_flight_counter_that_disagrees_with_the_slots_is_named() {
    let result = regression("inflight", 4096, |s| {
        let mut d = Damage::default();
        d.word(
            COUNTERS + std::mem::offset_of!(Counters, in_flight) as u64,
            s.live_slots.len() as u64 + 3,
        );
        d.dead_holder = true;
        d
    });
    expect_named(&result, "lease slots are taken but");
}
