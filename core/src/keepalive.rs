//! Keepalive of a leased job, run with the lock held: its holder moves the end of its lease, so
//! that a long task keeps the job (`leases.rs` has the rest of the job lifecycle).

use std::sync::atomic::Ordering;

use crate::error::Result;
use crate::journal::Txn;
use crate::layout::SLOT_LEASE;
use crate::leases::Lease;
use crate::ring::Ring;

impl Ring<'_> {
    /// Extends a live lease to `until_ms`: the job stays the caller's until then. `None` when
    /// the lease is no longer the caller's (acked, released, buried, or expired and taken
    /// again); a lease that ran out but that nobody took yet is still the caller's.
    pub fn extend(&self, lease: &Lease, until_ms: u64) -> Result<Option<u64>> {
        let Some((_, _, slot)) = self.leased_record(lease)? else {
            return Ok(None);
        };
        if slot.kind.load(Ordering::Acquire) != SLOT_LEASE {
            return Ok(None); // a delay kept in the slot has a token of its own: not reached
        }
        let mut txn = Txn::new(self.segment);
        txn.set(&slot.until_ms, until_ms);
        txn.commit();
        Ok(Some(until_ms))
    }
}
