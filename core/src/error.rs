//! Every way a queue operation can fail, as data for the front ends. Each front end words these
//! for its own users in one place (the PHP binding in `src/error.rs`, the command in
//! `cli/src/failure.rs`); the texts here state the fact only, in no front end's terms, and are
//! what a front end shows when it has nothing to add.

use std::io;

use crate::damage::Damage;
use crate::lock::Holder;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("invalid queue name {name:?}: {why}")]
    InvalidName { name: String, why: &'static str },

    #[error("invalid {what}: {why}")]
    InvalidArgument { what: &'static str, why: String },

    #[error("message of {len} bytes can never fit in queue {name:?}: its capacity allows at most {max} bytes")]
    TooLarge { name: String, len: u64, max: u64 },

    #[error("permission denied opening queue {name:?} ({path}): it belongs to another user or its mode forbids access")]
    PermissionDenied { name: String, path: String },

    #[error(
        "queue {name:?} belongs to uid {owner_uid} with mode {mode:04o}: a queue is opened only when \
         its owner is this user, root or a trusted user, and nobody else may write it"
    )]
    Untrusted {
        name: String,
        owner_uid: u32,
        mode: u32,
    },

    #[error(
        "queue {name:?} was removed; only its owner (uid {owner_uid}) or root may create it again, \
         so this process did not"
    )]
    OwnerOnly { name: String, owner_uid: u32 },

    #[error("queue {name:?} has layout version {found}, this code reads version {expected}")]
    LayoutVersion {
        name: String,
        expected: u32,
        found: u32,
    },

    #[error("queue {name:?} is damaged: {damage}")]
    Corrupt { name: String, damage: Damage },

    #[error("queue {name:?} was never finished by the process creating it (it died?)")]
    Uninitialised { name: String },

    #[error("the lock of queue {name:?} was left unrecoverable by a dead holder")]
    LockUnrecoverable { name: String },

    #[error(
        "the lock of queue {name:?} is held by thread {tid}, which does not exist here (a damaged lock \
         word, or a holder in another PID namespace): nothing was done"
    )]
    LockHolderMissing { name: String, tid: u32 },

    #[error(
        "the lock of queue {name:?} stayed taken for {waited_ms} ms, by {holder}: nothing was done"
    )]
    LockTimeout {
        name: String,
        waited_ms: u64,
        holder: Holder,
    },

    #[error("all {slots} lease slots of queue {name:?} are in use: ack or release jobs before reserving more")]
    NoFreeSlot { name: String, slots: u32 },

    #[error("job {id} was not reserved from queue {name:?} (another queue, or one since removed): nothing changed")]
    ForeignJob { name: String, id: u64 },

    #[error("queue {name:?} exists as {existing}: it cannot also be opened as {asked}")]
    KindClash {
        name: String,
        asked: &'static str,
        existing: String,
    },

    #[error("the durable queue directory {dir} cannot be used: {why}")]
    DurableDir { dir: String, why: String },

    #[error("the filesystem of {path} does not allow shared memory mappings: {source}")]
    NoSharedMmap {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("cannot reserve {size} bytes for queue {name:?} in {path}: {source}")]
    NoRoom {
        name: String,
        path: String,
        size: u64,
        #[source]
        source: io::Error,
    },

    #[error("{what} failed: {source}")]
    Os {
        what: &'static str,
        #[source]
        source: io::Error,
    },
}

pub type Result<T, E = QueueError> = std::result::Result<T, E>;
