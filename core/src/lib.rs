//! shmqueue-core: a crash-safe queue of byte messages in POSIX shared memory, shared by every
//! process on one machine. It knows nothing of PHP; the extension encodes values to bytes.
//!
//! - `layout`: the versioned segment format (header, slots, records), the single source of offsets;
//! - `segment`: creating, opening, validating and removing segments; bounds-checked access;
//! - `lock`, `futex`: the robust process-shared mutex and the cross-process sleep;
//! - `journal`, `recovery`: crash safety (redo journal, repair after a dead lock holder);
//! - `ring`: record operations under the lock (append, take, lease, ack, release, dead letters);
//! - `queue`: the API users call: one lock per operation, blocking waits, per-process mappings.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::unwrap_used)]

mod clock;
pub mod error;
mod futex;
pub mod hooks;
mod journal;
pub mod layout;
pub mod lock;
mod queue;
mod recovery;
mod ring;
pub mod segment;

pub use clock::now_ms;
pub use error::{QueueError, Result};
pub use queue::{Event, Queue, Stats, WAIT_SLICE};
pub use recovery::Recovery;
pub use ring::{Lease, Peeked};
pub use segment::CreateOptions;
