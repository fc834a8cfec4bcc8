//! Named regressions: damage to the ring positions, the job id counter and the counters, each
//! the exact damage behind a bug the fuzzer found (`fuzz_segment.rs`).

mod damage;

use damage::*;

/// Head and tail both at 2^64 - 8 (an empty queue at the very end of the positions): the next
/// append rounded the tail up to a ring boundary past 2^64 (overflow panic in debug; in release it
/// wrapped to 0 while leases still pointed at the old positions).
#[test]
fn positions_near_the_end_of_u64_are_refused() {
    let result = regression("toppos", 4096, |_| {
        let mut d = Damage::default();
        d.word(HEAD, u64::MAX - 7);
        d.word(TAIL, u64::MAX - 7);
        d
    });
    assert!(
        result
            .op_errors
            .iter()
            .any(|e| e.contains("head") && e.contains("do not fit")),
        "expected the positions named as damage, got errors: {:?}",
        result.op_errors
    );
}

/// `next_token` at u64::MAX: `reserve` computed `token + 1` (overflow panic in debug; in release
/// the counter wrapped to 0 and the next lease got token 0, which marks a slot free).
#[test]
fn an_exhausted_job_id_counter_is_refused() {
    let result = regression("token", 4096, |_| {
        let mut d = Damage::default();
        d.word(NEXT_TOKEN, u64::MAX);
        d
    });
    assert!(
        result
            .op_errors
            .iter()
            .any(|e| e.contains("job id counter")),
        "expected the job id counter named as damage, got errors: {:?}",
        result.op_errors
    );
}

/// `ready` and `delayed` at u64::MAX: `len` and `stats` added them unchecked (overflow panic in
/// debug). Counters are display only: both must still answer.
#[test]
fn huge_counters_do_not_break_len_or_stats() {
    let result = regression("counters", 4096, |_| {
        let mut d = Damage::default();
        d.word(COUNTERS + offset_of!(Counters, ready) as u64, u64::MAX);
        d.word(COUNTERS + offset_of!(Counters, delayed) as u64, u64::MAX);
        d
    });
    let broken: Vec<_> = result
        .op_errors
        .iter()
        .filter(|e| e.starts_with("len:") || e.starts_with("stats:"))
        .collect();
    assert!(
        broken.is_empty(),
        "expected len and stats to answer, got: {broken:?}"
    );
}
