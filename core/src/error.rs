//! Every way a queue operation can fail. The PHP binding maps these to `SHMQueueException` in one
//! place; messages name the queue, the limit and the actual value.

use std::io;

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
        "queue {name:?} has layout version {found}, this extension reads version {expected}: \
         drain it with the old extension or remove it"
    )]
    LayoutVersion {
        name: String,
        expected: u32,
        found: u32,
    },

    #[error("queue {name:?} is damaged: {why}; remove it with SHMQueue::remove()")]
    Corrupt { name: String, why: String },

    #[error("queue {name:?} was never finished by the process creating it (it died?); remove it with SHMQueue::remove()")]
    Uninitialised { name: String },

    #[error(
        "the lock of queue {name:?} was left unrecoverable by a dead holder; remove the queue"
    )]
    LockUnrecoverable { name: String },

    #[error(
        "the lock of queue {name:?} is held by thread {tid}, which does not exist here (a damaged lock \
         word, or a holder in another PID namespace): nothing was done; remove the queue if nobody uses it"
    )]
    LockHolderMissing { name: String, tid: u32 },

    #[error("all {slots} lease slots of queue {name:?} are in use: ack or release jobs before reserving more")]
    NoFreeSlot { name: String, slots: u32 },

    #[error("job {id} was not reserved from queue {name:?} (another queue, or one since removed): nothing changed")]
    ForeignJob { name: String, id: u64 },

    #[error("{what} failed: {source}")]
    Os {
        what: &'static str,
        #[source]
        source: io::Error,
    },
}

pub type Result<T, E = QueueError> = std::result::Result<T, E>;
