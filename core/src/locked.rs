//! The lock held: the guard every operation runs under. Taking it repairs the queue first when
//! the previous holder died (`recovery.rs`), and refuses a queue flagged damaged, saying why.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::error::{QueueError, Result};
use crate::lock::{Acquired, LockError};
use crate::recovery::{self, Recovery};
use crate::ring::Ring;
use crate::segment::Segment;

/// The lock held; unlocks on drop.
pub struct Locked<'a> {
    segment: &'a Segment,
}

impl<'a> Locked<'a> {
    /// Takes the lock, waiting at most `timeout` for a live holder, and repairing the queue
    /// first when the previous holder died.
    pub fn acquire(segment: &'a Segment, timeout: Duration) -> Result<Locked<'a>> {
        let mutex = segment.mutex();
        let name = || segment.name().to_owned();
        let acquired = mutex.lock(timeout).map_err(|error| match error {
            LockError::Unrecoverable => QueueError::LockUnrecoverable { name: name() },
            LockError::HolderMissing { tid } => QueueError::LockHolderMissing { name: name(), tid },
            LockError::TimedOut { holder } => QueueError::LockTimeout {
                name: name(),
                waited_ms: timeout.as_millis() as u64,
                holder,
            },
            LockError::Os { what, source } => QueueError::Os { what, source },
        })?;
        if acquired == Acquired::OwnerDied {
            let header = segment.header();
            header.recoveries.fetch_add(1, Ordering::Relaxed);
            let outcome: Recovery = recovery::recover(segment);
            header
                .last_recovery
                .store(outcome.code(), Ordering::Relaxed);
            mutex.mark_consistent();
        }
        let locked = Locked { segment };
        crate::hooks::pause_point("locked");
        if let Some(damage) = segment.damage() {
            return Err(QueueError::Corrupt {
                name: name(),
                damage,
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
