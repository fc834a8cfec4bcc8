//! When the changes of a durable queue reach the disk, and how processes share the flushes.
//!
//! Every committed change takes a sequence number (`change_seq`, bumped under the lock by
//! `Txn::commit`). A flush reads `change_seq` first, writes the changed pages with
//! `msync(MS_SYNC)`, then raises `synced_seq` to what it read: every change numbered up to
//! there is on disk. One process flushes at a time (`flushing_since_ms`); the others wait for
//! it and return without flushing when its flush covers their change: group commit, so
//! concurrent callers share one flush.
//!
//! Only what can have changed is written: the header and lease slots, and the ring bytes from
//! the head at the last flush to the tail (records below the head are never touched again; new
//! and changed records lie above it), never the whole file.

use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::clock::monotonic_ms;
use crate::error::{QueueError, Result};
use crate::layout::{SYNC_ALWAYS, SYNC_BATCH, SYNC_OFF};
use crate::locked::Locked;
use crate::ring::Ring;
use crate::segment::Segment;

/// A flush running this long is taken over (its process may have died in it): two flushes at
/// once are only wasted work, never wrong.
const FLUSHER_STALE_MS: u64 = 500;
/// Sleep between two looks while another process flushes.
const FLUSH_POLL: Duration = Duration::from_micros(50);

/// A durable queue's policy (`CreateOptions::sync`, kept in the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPolicy {
    /// Writing back is left to the kernel.
    Off,
    /// Changes reach the disk within the queue's sync interval.
    Batch,
    /// A change is on disk before the call that made it returns.
    Always,
}

impl SyncPolicy {
    pub fn encode(self) -> u32 {
        match self {
            SyncPolicy::Off => SYNC_OFF,
            SyncPolicy::Batch => SYNC_BATCH,
            SyncPolicy::Always => SYNC_ALWAYS,
        }
    }

    /// An unknown code (a damaged word) is read as the safest policy.
    pub fn decode(code: u32) -> SyncPolicy {
        match code {
            SYNC_OFF => SyncPolicy::Off,
            SYNC_BATCH => SyncPolicy::Batch,
            _ => SyncPolicy::Always,
        }
    }

    /// The name front ends use (`always`, `batch`, `off`).
    pub fn name(self) -> &'static str {
        match self {
            SyncPolicy::Off => "off",
            SyncPolicy::Batch => "batch",
            SyncPolicy::Always => "always",
        }
    }

    pub fn parse(text: &str) -> Option<SyncPolicy> {
        [SyncPolicy::Off, SyncPolicy::Batch, SyncPolicy::Always]
            .into_iter()
            .find(|policy| policy.name() == text)
    }
}

impl Segment {
    /// Called by `Txn::commit` under the lock: numbers the change, remembered by this process
    /// until its call returns.
    #[inline]
    pub(crate) fn count_change(&self) {
        if self.place().durable {
            let seq = self
                .header()
                .durable
                .change_seq
                .fetch_add(1, Ordering::AcqRel)
                + 1;
            self.last_change.set(seq);
        }
    }

    /// Runs `op` under `locked`, lets go of the lock, then makes the change durable as the
    /// policy says. A failed flush replaces the operation's result with the error.
    pub(crate) fn settle<R>(
        &self,
        mut op: impl FnMut(&Ring) -> Result<R>,
        locked: Locked,
    ) -> Result<R> {
        let result = op(&locked.ring());
        drop(locked);
        let seq = self.last_change.replace(0);
        if seq == 0 {
            return result;
        }
        let durable = &self.header().durable;
        let flushed = match SyncPolicy::decode(durable.sync_policy.load(Ordering::Relaxed)) {
            SyncPolicy::Off => Ok(true),
            SyncPolicy::Always => self.flush_to(seq, true),
            SyncPolicy::Batch => {
                let interval = u64::from(durable.sync_interval_ms.load(Ordering::Relaxed));
                let last = durable.last_sync_ms.load(Ordering::Relaxed);
                if monotonic_ms().saturating_sub(last) >= interval {
                    self.flush_to(seq, false)
                } else {
                    Ok(true)
                }
            }
        };
        match flushed {
            Err(source) => Err(QueueError::Os {
                what: "writing the queue to disk (msync)",
                source,
            }),
            Ok(_) => result,
        }
    }

    /// Makes every change up to `seq` durable: by flushing, or by waiting for the flush another
    /// process has under way (when `wait`; otherwise `false` is returned at once).
    pub(crate) fn flush_to(&self, seq: u64, wait: bool) -> io::Result<bool> {
        let durable = &self.header().durable;
        loop {
            if durable.synced_seq.load(Ordering::Acquire) >= seq {
                return Ok(true);
            }
            let now = monotonic_ms().max(1);
            let since = durable.flushing_since_ms.load(Ordering::Acquire);
            // A start further in the future than a clock read a moment later can explain is no
            // flush at all (a damaged word): counted as one under way, it would hold every
            // caller for ever.
            let free = since == 0 || now.abs_diff(since) > FLUSHER_STALE_MS;
            if free
                && durable
                    .flushing_since_ms
                    .compare_exchange(since, now, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                let flushed = self.flush(now);
                durable.flushing_since_ms.store(0, Ordering::Release);
                flushed?;
                continue;
            }
            if !wait {
                return Ok(false);
            }
            std::thread::sleep(FLUSH_POLL);
        }
    }

    /// One flush, by the process holding `flushing_since_ms`: ring bytes first, then the header
    /// and slots that point at them.
    fn flush(&self, now: u64) -> io::Result<()> {
        let header = self.header();
        let durable = &header.durable;
        let target = durable.change_seq.load(Ordering::Acquire);
        let head = header.head.load(Ordering::Acquire);
        let tail = header.tail.load(Ordering::Acquire);
        let from = durable.synced_head.load(Ordering::Acquire).min(head);
        durable.last_sync_ms.store(now, Ordering::Relaxed);
        let mapping = self.mapping();
        let ring = self.ring_offset();
        let ring_size = self.ring_size();
        if tail.wrapping_sub(from) >= ring_size {
            mapping.sync(ring, ring_size as usize)?;
        } else if tail > from {
            let start = self.ring_position(from);
            let len = tail - from;
            let first = len.min(ring_size - start);
            mapping.sync(ring + start as usize, first as usize)?;
            if len > first {
                mapping.sync(ring, (len - first) as usize)?;
            }
        }
        mapping.sync(0, ring)?;
        durable.synced_head.store(head, Ordering::Release);
        durable.flushes.fetch_add(1, Ordering::Relaxed);
        durable.synced_seq.fetch_max(target, Ordering::AcqRel);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_round_trip_and_unknown_codes_read_as_always() {
        for policy in [SyncPolicy::Off, SyncPolicy::Batch, SyncPolicy::Always] {
            assert_eq!(SyncPolicy::parse(policy.name()), Some(policy));
            assert_eq!(SyncPolicy::decode(policy.encode()), policy);
        }
        assert_eq!(SyncPolicy::parse("sometimes"), None);
        assert_eq!(SyncPolicy::decode(77), SyncPolicy::Always);
    }
}
