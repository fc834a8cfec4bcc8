//! Repairing the queue after a lock holder died.
//!
//! When `pthread_mutex_lock` returns `EOWNERDEAD` the new holder runs `recover`:
//! 1. Journal armed: the dead holder had published a change but maybe not applied all of it.
//!    Replay every entry (idempotent) and disarm: the change is rolled forward.
//! 2. Journal idle: the dead holder published nothing; whatever it wrote beyond `tail` is free
//!    space and is ignored: the change is rolled back by doing nothing.
//! 3. Check the bounds and every taken lease slot against the record it names and the counters.
//!    The counters are journaled, so they are exact already: no walk over the records, whose
//!    cost would grow with the queue while every process waits.
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
    /// The first open after a new boot found records, slots and counters of a durable file from
    /// different moments (pages that reached the disk at different times) and made them agree
    /// (`boot_repair.rs`).
    Repaired,
}

impl Recovery {
    /// The value kept in `Header::last_recovery`.
    pub fn code(self) -> u64 {
        match self {
            Recovery::Clean => 0,
            Recovery::RolledBack => RECOVERY_ROLLED_BACK,
            Recovery::RolledForward => RECOVERY_ROLLED_FORWARD,
            Recovery::MarkedCorrupt(_) => RECOVERY_MARKED_CORRUPT,
            Recovery::Repaired => RECOVERY_REPAIRED,
        }
    }

    /// The outcome a `last_recovery` value names. A queue marked corrupt refuses every
    /// operation with its damage, so that outcome is read back without it.
    pub fn from_code(code: u64) -> Recovery {
        match code {
            RECOVERY_ROLLED_BACK => Recovery::RolledBack,
            RECOVERY_ROLLED_FORWARD => Recovery::RolledForward,
            RECOVERY_MARKED_CORRUPT => Recovery::MarkedCorrupt(Damage::Unrecorded { code: 1 }),
            RECOVERY_REPAIRED => Recovery::Repaired,
            _ => Recovery::Clean,
        }
    }
}

/// Repairs the queue after its lock holder died; a failed repair flags the queue.
pub fn recover(segment: &Segment) -> Recovery {
    settle(
        segment,
        replay(segment).and_then(|outcome| check(segment).map(|()| outcome)),
    )
}

/// What a repair did; a failed one flags the queue.
pub(crate) fn settle(segment: &Segment, repair: Result<Recovery, Damage>) -> Recovery {
    repair.unwrap_or_else(|damage| {
        segment.flag_damage(damage);
        Recovery::MarkedCorrupt(damage)
    })
}

/// Steps 1 and 2: the journal rolled forward, or nothing to roll back.
pub(crate) fn replay(segment: &Segment) -> Result<Recovery, Damage> {
    let journal = &segment.header().journal;
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
    Ok(outcome)
}

/// Step 3.
pub(crate) fn check(segment: &Segment) -> Result<(), Damage> {
    check_slots(segment).map_err(damage_of)
}

/// The damage a failed check found.
pub(crate) fn damage_of(error: QueueError) -> Damage {
    match error {
        QueueError::Corrupt { damage, .. } => damage,
        _ => Damage::Unrecorded { code: 1 },
    }
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

/// Checks what the journal does not protect, in time bounded by the lease slots, not by the
/// queue's size: every change of a record's state and of a counter goes through the journal, so
/// after steps 1 and 2 the counters are exact and need no recount (a walk over a full 1 GiB queue
/// of small messages took 200-330 ms, with every process waiting). Records are validated as
/// operations reach them.
fn check_slots(segment: &Segment) -> crate::Result<()> {
    let records = Records::new(segment);
    let (head, tail) = records.bounds()?;
    let (mut taken, mut leases) = (0u64, 0u64);
    for index in 0..segment.slot_count() {
        let Some(slot) = segment.slot(index) else {
            continue;
        };
        if slot.token.load(Ordering::Acquire) == 0 {
            continue;
        }
        let pos = slot.pos.load(Ordering::Acquire);
        if !(head..tail).contains(&pos) || !pos.is_multiple_of(RECORD_ALIGN) {
            return Err(records.corrupt(Damage::SlotOutside {
                slot: index.into(),
                pos,
            }));
        }
        let header = records.record(pos, tail)?;
        if header.state != RecordState::Leased || u32::from(header.slot) != index {
            return Err(records.corrupt(Damage::SlotNotLeased {
                slot: index.into(),
                pos,
            }));
        }
        taken += 1;
        if slot.kind.load(Ordering::Acquire) == SLOT_LEASE {
            leases += 1;
        }
    }
    // A taken slot is a lease (in flight) or a delayed release that keeps its slot (delayed).
    let counters = &segment.header().counters;
    let in_flight = counters.in_flight.load(Ordering::Acquire);
    let delayed = counters.delayed.load(Ordering::Acquire);
    if leases != in_flight || taken > in_flight.saturating_add(delayed) {
        return Err(records.corrupt(Damage::SlotsMismatch {
            slots: taken,
            leased: in_flight,
        }));
    }
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
