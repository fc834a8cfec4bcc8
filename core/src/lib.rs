//! shmqueue-core: a crash-safe queue of byte messages in POSIX shared memory, shared by every
//! process on one machine. It knows nothing of PHP; the extension encodes values to bytes.
//!
//! - `layout`: the versioned segment format (header, slots, records), the single source of offsets;
//! - `place`, `durable`, `sync`: where a queue lives (shared memory or a durable file), what a
//!   durable file needs at open (directory checks, new boots), and when its changes are flushed;
//! - `shm`, `open`: the shared-memory object (fstat, flock, mmap: no descriptor kept), and
//!   opening, creating and removing a queue's segment safely against each other;
//! - `segment`: validating a segment and bounds-checked access to it;
//! - `lock`, `futex`, `waiting`: the robust process-shared mutex, and the cross-process sleep
//!   of blocked calls (with waiter counts that heal when waiters are killed);
//! - `locked`: the guard every operation runs under (repairs after a dead holder, refuses damage);
//! - `journal`, `recovery`: crash safety (redo journal, repair after a dead lock holder);
//!   `checksum`, `boot_repair`: the CRC32C of durable records, and the repair of a file whose
//!   pages reached the disk from different moments (at the first open after a new boot);
//! - `damage`: what damage was found, kept in the header so every process can say why;
//! - `payload`: a message's bytes on the way in (one piece or two) and out (to a `Sink`);
//! - `records`: the record store (placing, reclaiming, compacting; the one validated walk);
//! - `ring`: storing, taking and peeking under the lock; `leases`: the job lifecycle (leases,
//!   delayed retries, dead letters); `keepalive`: extending a lease;
//! - `queue`: the API users call: one lock per operation, blocking waits, per-process mappings;
//!   `stats`: what it reports; `transfer`: a consistent copy of every message, and restoring
//!   one (export and import, independent of the layout).
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::unwrap_used)]

mod boot_repair;
mod checksum;
mod clock;
mod compaction;
pub mod damage;
pub mod durable;
pub mod error;
mod flusher;
mod futex;
pub mod hooks;
mod journal;
mod keepalive;
pub mod layout;
mod leases;
pub mod lock;
mod locked;
mod mappings;
mod open;
mod payload;
pub mod place;
mod queue;
mod records;
mod recovery;
mod ring;
#[cfg(test)]
mod scratch;
pub mod segment;
mod shm;
mod stats;
pub mod sync;
mod transfer;
mod waiting;

pub use clock::{deadline_ms, monotonic_ms, now_ms};
pub use damage::Damage;
pub use error::{QueueError, Result};
pub use leases::Lease;
pub use lock::Holder;
pub use mappings::{OpenOptions, DEFAULT_LOCK_TIMEOUT};
pub use open::Owner;
pub use payload::{Payload, Sink};
pub use place::Place;
pub use queue::{Queue, WAIT_SLICE};
pub use recovery::Recovery;
pub use ring::Peeked;
pub use segment::CreateOptions;
pub use stats::{DurableStats, Stats};
pub use sync::SyncPolicy;
pub use transfer::{Kept, Message, Snapshot};
pub use waiting::Event;
