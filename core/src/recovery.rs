//! Repairing the queue after a lock holder died.
//!
//! When `pthread_mutex_lock` returns `EOWNERDEAD` the new holder runs `recover`:
//! 1. Journal armed: the dead holder had published a change but maybe not applied all of it.
//!    Replay every entry (idempotent) and disarm: the change is rolled forward.
//! 2. Journal idle: the dead holder published nothing; whatever it wrote beyond `tail` is free
//!    space and is ignored: the change is rolled back by doing nothing.
//! 3. Walk every record from `head` to `tail`, validating headers and slots, and recount the
//!    state counters from what is really there.
//! 4. Damage found on the way flags the queue with its reason (kept in the header); the caller
//!    marks the mutex consistent either way, so that every process gets that reason instead of
//!    `ENOTRECOVERABLE`.

use std::sync::atomic::Ordering;

use crate::damage::Damage;
use crate::error::QueueError;
use crate::layout::*;
use crate::records::Records;
use crate::segment::Segment;

/// What taking the lock found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// The previous holder unlocked normally: nothing to repair.
    Clean,
    /// The dead holder had published nothing: its unpublished writes were discarded.
    RolledBack,
    /// The dead holder's published change was completed from the journal.
    RolledForward,
    /// The state could not be repaired: the queue is flagged with this reason.
    MarkedCorrupt(Damage),
}

impl Recovery {
    /// The value kept in `Header::last_recovery`.
    pub fn code(self) -> u64 {
        match self {
            Recovery::Clean => 0,
            Recovery::RolledBack => RECOVERY_ROLLED_BACK,
            Recovery::RolledForward => RECOVERY_ROLLED_FORWARD,
            Recovery::MarkedCorrupt(_) => RECOVERY_MARKED_CORRUPT,
        }
    }

    /// The outcome a `last_recovery` value names. A queue marked corrupt refuses every
    /// operation with its damage, so that outcome is read back without it.
    pub fn from_code(code: u64) -> Recovery {
        match code {
            RECOVERY_ROLLED_BACK => Recovery::RolledBack,
            RECOVERY_ROLLED_FORWARD => Recovery::RolledForward,
            RECOVERY_MARKED_CORRUPT => Recovery::MarkedCorrupt(Damage::Unrecorded { code: 1 }),
            _ => Recovery::Clean,
        }
    }
}

/// Repairs the queue after its lock holder died; a failed repair flags the queue.
pub fn recover(segment: &Segment) -> Recovery {
    match repair(segment) {
        Ok(outcome) => outcome,
        Err(damage) => {
            segment.flag_damage(damage);
            Recovery::MarkedCorrupt(damage)
        }
    }
}

fn repair(segment: &Segment) -> Result<Recovery, Damage> {
    let journal = &segment.header().journal;
    // Steps 1 and 2.
    let outcome = match journal.state.load(Ordering::Acquire) {
        JOURNAL_IDLE => Recovery::RolledBack,
        JOURNAL_ARMED => {
            let len = journal.len.load(Ordering::Acquire);
            if len > JOURNAL_CAPACITY as u64 {
                return Err(Damage::JournalLength { len });
            }
            for entry in &journal.entries[..len as usize] {
                let offset = entry.offset.load(Ordering::Acquire);
                let word = segment
                    .word(offset)
                    .filter(|_| journaled(offset))
                    .ok_or(Damage::JournalTarget { offset })?;
                word.store(entry.value.load(Ordering::Acquire), Ordering::Release);
            }
            journal.state.store(JOURNAL_IDLE, Ordering::Release);
            Recovery::RolledForward
        }
        state => return Err(Damage::JournalState { state }),
    };
    // Step 3.
    recount(segment).map_err(|error| match error {
        QueueError::Corrupt { damage, .. } => damage,
        _ => Damage::Unrecorded { code: 1 },
    })?;
    Ok(outcome)
}

/// Whether a transaction can write the word at `offset`: ring state (head, tail, next_token),
/// counters and `purged`, lease slots and ring records. A damaged entry aimed elsewhere is refused
/// before it is replayed: one aimed at the lock word overwrote the mutex this process holds, its
/// unlock then failed, and every process blocked on the queue for ever.
fn journaled(offset: u64) -> bool {
    let ring_state = STATE_OFFSET as u64..STATE_OFFSET as u64 + 24;
    let counters = COUNTERS_OFFSET as u64..PURGED_OFFSET as u64 + 8;
    ring_state.contains(&offset) || counters.contains(&offset) || offset >= HEADER_SIZE as u64
}

/// Recounts the per-state counters from the records and slots, checking both on the way.
fn recount(segment: &Segment) -> crate::Result<()> {
    let records = Records::new(segment);
    let (mut ready, mut in_flight, mut delayed, mut dead, mut leased) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for record in records.walk()? {
        let (pos, header) = record?;
        match header.state {
            RecordState::Ready => ready += 1,
            RecordState::Delayed => delayed += 1,
            RecordState::Dead => dead += 1,
            RecordState::Leased => {
                leased += 1;
                match records.slot_of(pos, header)?.kind.load(Ordering::Acquire) {
                    SLOT_LEASE => in_flight += 1,
                    _ => delayed += 1,
                }
            }
            RecordState::Done | RecordState::Padding => {}
        }
    }
    let slots = (0..segment.slot_count())
        .filter_map(|i| segment.slot(i))
        .filter(|slot| slot.token.load(Ordering::Acquire) != 0)
        .count() as u64;
    if slots != leased {
        return Err(records.corrupt(Damage::SlotsMismatch { slots, leased }));
    }
    let counters = &segment.header().counters;
    counters.ready.store(ready, Ordering::Release);
    counters.in_flight.store(in_flight, Ordering::Release);
    counters.delayed.store(delayed, Ordering::Release);
    counters.dead.store(dead, Ordering::Release);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_words_a_transaction_writes_may_be_replayed() {
        assert!(journaled(STATE_OFFSET as u64));
        assert!(journaled(PURGED_OFFSET as u64));
        assert!(journaled(HEADER_SIZE as u64));
        assert!(!journaled(LOCK_OFFSET as u64), "the lock word");
        assert!(!journaled(0), "the magic");
        assert!(!journaled(JOURNAL_OFFSET as u64), "the journal itself");
    }
}
