//! What `Queue::stats` reports: one list of counters and settings, in one order, for every front
//! end (PHP's `stats()`, the command's text, JSON and Prometheus output).

use crate::recovery::Recovery;
use crate::sync::SyncPolicy;

/// Counters and settings of a queue, read under its lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub capacity: u64,
    pub used_bytes: u64,
    /// Messages waiting: ready now or delayed.
    pub length: u64,
    pub ready: u64,
    pub in_flight: u64,
    pub delayed: u64,
    pub dead: u64,
    pub enqueued: u64,
    pub dequeued: u64,
    pub purged: u64,
    pub full_rejections: u64,
    /// Whether takes are paused (`Queue::pause`).
    pub paused: bool,
    /// Undecodable messages whose dead letter found no room (see `bury`).
    pub dropped: u64,
    pub retries: u64,
    pub expired: u64,
    pub recoveries: u64,
    pub max_attempts: u32,
    pub lease_ms: u64,
    pub slots: u32,
    /// What the last take-over of the lock from a dead holder did (`Clean` when none happened).
    pub last_recovery: Recovery,
}

/// What a durable queue reports beyond the counters of every queue (`Queue::durable_stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurableStats {
    pub path: String,
    pub sync: SyncPolicy,
    pub sync_interval_ms: u32,
    /// Records dropped as torn after a crash (over the file's life).
    pub torn_dropped: u64,
    /// Changes made, and flushes that wrote them (fewer under group commit).
    pub changes: u64,
    pub flushes: u64,
    /// New boots this file was opened in.
    pub boots: u64,
}

impl Stats {
    /// The whole-number fields under the names PHP's `stats()` uses (with `name` and `lease`,
    /// the only other keys), in its order: one list for every place that reports them.
    pub fn counts(&self) -> [(&'static str, u64); 18] {
        [
            ("capacity", self.capacity),
            ("used_bytes", self.used_bytes),
            ("length", self.length),
            ("paused", u64::from(self.paused)),
            ("ready", self.ready),
            ("in_flight", self.in_flight),
            ("delayed", self.delayed),
            ("dead", self.dead),
            ("enqueued", self.enqueued),
            ("dequeued", self.dequeued),
            ("purged", self.purged),
            ("full_rejections", self.full_rejections),
            ("dropped", self.dropped),
            ("retries", self.retries),
            ("expired", self.expired),
            ("recoveries", self.recoveries),
            ("max_attempts", u64::from(self.max_attempts)),
            ("lease_slots", u64::from(self.slots)),
        ]
    }
}
