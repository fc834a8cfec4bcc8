//! Repairing the queue after a lock holder died, and the lock guard that triggers it.
//!
//! When `pthread_mutex_lock` returns `EOWNERDEAD` the new holder runs `recover`:
//! 1. Journal armed: the dead holder had published a change but maybe not applied all of it.
//!    Replay every entry (idempotent) and disarm: the change is rolled forward.
//! 2. Journal idle: the dead holder published nothing; whatever it wrote beyond `tail` is free
//!    space and is ignored: the change is rolled back by doing nothing.
//! 3. Walk every record from `head` to `tail`, validating headers and slots, and recount the
//!    state counters from what is really there.
//! 4. The caller marks the mutex consistent (even after a failed repair, with the queue flagged
//!    corrupt, so that every process gets a clear error instead of `ENOTRECOVERABLE`).

use std::sync::atomic::Ordering;

use crate::error::{QueueError, Result};
use crate::layout::*;
use crate::lock::{Acquired, LockError};
use crate::ring::Ring;
use crate::segment::Segment;

/// What `recover` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// The dead holder had published nothing: its unpublished writes were discarded.
    RolledBack,
    /// The dead holder's published change was completed from the journal.
    RolledForward,
}

pub fn recover(segment: &Segment) -> Result<Recovery> {
    let name = || segment.name().to_owned();
    let journal = &segment.header().journal;
    // Steps 1 and 2.
    let outcome = match journal.state.load(Ordering::Acquire) {
        JOURNAL_IDLE => Recovery::RolledBack,
        JOURNAL_ARMED => {
            let len = journal.len.load(Ordering::Acquire);
            if len > JOURNAL_CAPACITY as u64 {
                return Err(QueueError::Corrupt {
                    name: name(),
                    why: format!("journal length {len} exceeds {JOURNAL_CAPACITY}"),
                });
            }
            for entry in &journal.entries[..len as usize] {
                let offset = entry.offset.load(Ordering::Acquire);
                let word = segment
                    .word(offset)
                    .filter(|_| journaled(offset))
                    .ok_or_else(|| QueueError::Corrupt {
                        name: name(),
                        why: format!(
                            "journal entry targets offset {offset}, which no change writes"
                        ),
                    })?;
                word.store(entry.value.load(Ordering::Acquire), Ordering::Release);
            }
            journal.state.store(JOURNAL_IDLE, Ordering::Release);
            Recovery::RolledForward
        }
        other => {
            return Err(QueueError::Corrupt {
                name: name(),
                why: format!("journal state {other} is unknown"),
            })
        }
    };
    // Step 3.
    recount(segment)?;
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
fn recount(segment: &Segment) -> Result<()> {
    let header = segment.header();
    let ring = Ring::new(segment);
    let (head, tail) = ring.bounds()?;
    let (mut ready, mut in_flight, mut delayed, mut dead, mut leased_records) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut pos = head;
    while pos < tail {
        let record = ring.record(pos, tail)?;
        match record.state {
            RecordState::Ready => ready += 1,
            RecordState::Delayed => delayed += 1,
            RecordState::Dead => dead += 1,
            RecordState::Leased => {
                let slot = segment.slot(record.slot as u32).filter(|slot| {
                    slot.token.load(Ordering::Acquire) != 0
                        && slot.pos.load(Ordering::Acquire) == pos
                });
                let Some(slot) = slot else {
                    return Err(QueueError::Corrupt {
                        name: segment.name().to_owned(),
                        why: format!(
                            "leased record at position {pos} names slot {} which is not its own",
                            record.slot
                        ),
                    });
                };
                leased_records += 1;
                match slot.kind.load(Ordering::Acquire) {
                    SLOT_LEASE => in_flight += 1,
                    _ => delayed += 1,
                }
            }
            RecordState::Done | RecordState::Padding => {}
        }
        pos += record.footprint();
    }
    let live_slots = (0..segment.slot_count())
        .filter_map(|i| segment.slot(i))
        .filter(|slot| slot.token.load(Ordering::Acquire) != 0)
        .count() as u64;
    if live_slots != leased_records {
        return Err(QueueError::Corrupt {
            name: segment.name().to_owned(),
            why: format!(
                "{live_slots} lease slots are taken but {leased_records} records are leased"
            ),
        });
    }
    let counters = &header.counters;
    counters.ready.store(ready, Ordering::Release);
    counters.in_flight.store(in_flight, Ordering::Release);
    counters.delayed.store(delayed, Ordering::Release);
    counters.dead.store(dead, Ordering::Release);
    Ok(())
}

/// The lock held; unlocks on drop.
pub struct Locked<'a> {
    segment: &'a Segment,
}

impl<'a> Locked<'a> {
    /// Takes the lock, repairing the queue first when the previous holder died.
    pub fn acquire(segment: &'a Segment) -> Result<Locked<'a>> {
        let mutex = segment.mutex();
        let name = || segment.name().to_owned();
        let acquired = mutex.lock().map_err(|error| match error {
            LockError::Unrecoverable => QueueError::LockUnrecoverable { name: name() },
            LockError::HolderMissing { tid } => QueueError::LockHolderMissing { name: name(), tid },
            LockError::Os { what, source } => QueueError::Os { what, source },
        })?;
        if acquired == Acquired::OwnerDied {
            let header = segment.header();
            header.recoveries.fetch_add(1, Ordering::Relaxed);
            if recover(segment).is_err() {
                header.corrupt.store(1, Ordering::Release);
            }
            mutex.mark_consistent();
        }
        let locked = Locked { segment };
        crate::hooks::pause_point("locked");
        if segment.header().corrupt.load(Ordering::Acquire) != 0 {
            let why = "it was found damaged earlier (by a recovery, or by an operation that met a bad record)".to_owned();
            return Err(QueueError::Corrupt {
                name: segment.name().to_owned(),
                why,
            });
        }
        Ok(locked)
    }

    pub fn ring(&self) -> Ring<'a> {
        Ring::new(self.segment)
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.segment.mutex().unlock();
    }
}
