//! Named regression: damage to the redo journal, the exact damage behind a bug the fuzzer found
//! (`fuzz_segment.rs`).

mod damage;

use damage::*;

/// An armed journal whose entry targets the lock word, then a dead lock holder: recovery replayed
/// the entry over the mutex it was holding, its unlock failed, and every later operation blocked
/// for ever.
#[test]
fn a_journal_entry_aimed_at_the_lock_is_refused() {
    let result = regression("journallock", 4096, |_| {
        let mut d = Damage {
            dead_holder: true,
            ..Damage::default()
        };
        d.word(JOURNAL_STATE, JOURNAL_ARMED);
        d.word(JOURNAL_LEN, 1);
        let (offset, value) = journal_entry(0);
        d.word(offset, LOCK_OFFSET as u64);
        d.word(value, 0x1234);
        d
    });
    assert!(
        !result.op_errors.is_empty() && result.op_errors.iter().all(|e| e.contains("damaged")),
        "expected every operation refused as damaged, got: {:?}",
        result.op_errors
    );
}
