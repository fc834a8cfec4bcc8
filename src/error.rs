//! Every failure the extension reports, and the one place that turns them into PHP exceptions.

use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::exception::PhpException;
use ext_php_rs::zend::{ce, ClassEntry};
use shmqueue_core::QueueError;

use crate::zend;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", php_words(.0))]
    Queue(#[from] QueueError),
    #[error("cannot store {0}")]
    Unstorable(String),
    #[error("this SHMQueue object was never opened: its constructor failed")]
    NotOpened,
    #[error("unserializing the stored object failed: {0}")]
    Unserialize(String),
    #[error("a stored message is damaged and cannot be decoded: {0}")]
    Damaged(String),
    #[error("message of at least {at_least} bytes can never fit in queue {name:?}: its capacity allows at most {max} bytes")]
    TooLarge {
        name: String,
        at_least: usize,
        max: u64,
    },
    #[error("{0}; the message was moved to the dead letters (see deadLetters(), requeueDead())")]
    MovedToDeadLetters(Box<Error>),
    #[error("{0}; the queue had no room left to keep the message as a dead letter, so it was dropped (stats()['dropped'] counts such)")]
    DroppedForLackOfRoom(Box<Error>),
    #[error("{source} (new SHMQueue() without a name opens {name:?}: where sites share a machine, give each its own with the ini setting shmqueue.default_name)")]
    OtherSitesDefault { name: String, source: Box<Error> },
    /// `exit()` in user code called from a method: PHP is unwinding and ignores what we throw.
    #[error("exit() was called")]
    Exit,
    /// A fatal error in user code called from a method, caught so our state could be tidied:
    /// turning it into an exception resumes it instead.
    #[error("a fatal error ended the script")]
    Bailout,
}

impl Error {
    /// Whether the script is ending (exit() or a fatal error): no more PHP may run.
    pub fn is_ending(&self) -> bool {
        matches!(self, Self::Exit | Self::Bailout)
    }
}

/// A core error in the words of a PHP user: the core states the fact, this adds what to do
/// about it from PHP.
fn php_words(error: &QueueError) -> String {
    const REMOVE: &str = "remove it with SHMQueue::remove()";
    match error {
        QueueError::LayoutVersion {
            name,
            expected,
            found,
        } => format!(
            "queue {name:?} has layout version {found}, this extension reads version {expected}: \
             drain it with the old extension or remove it"
        ),
        QueueError::Corrupt { .. }
        | QueueError::Uninitialised { .. }
        | QueueError::LockUnrecoverable { .. } => format!("{error}; {REMOVE}"),
        QueueError::Untrusted { owner_uid, .. } => format!(
            "{error}; if uid {owner_uid} may write this queue, name it in shmqueue.trusted_users"
        ),
        QueueError::LockHolderMissing { .. } => {
            format!("{error}; remove the queue if nobody uses it")
        }
        QueueError::KindClash { .. } => format!(
            "{error}: open it with the durable argument it was created with, or remove one of them"
        ),
        QueueError::DurableDir { .. } => format!(
            "{error} (the ini setting shmqueue.durable_dir names it: create it, writable by this user)"
        ),
        QueueError::NoSharedMmap { .. } => format!(
            "{error}; set shmqueue.durable_dir to a directory on a local filesystem such as ext4 or xfs"
        ),
        QueueError::NoRoom { .. } => {
            format!("{error}; free disk space or create the queue with a smaller capacity")
        }
        _ => error.to_string(),
    }
}

/// `SHMQueueException`, registered at module startup.
static EXCEPTION_CLASS: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

pub fn set_exception_class(class: &'static ClassEntry) {
    EXCEPTION_CLASS.store(
        class as *const ClassEntry as *mut ClassEntry,
        Ordering::Release,
    );
}

fn exception_class() -> &'static ClassEntry {
    let class = EXCEPTION_CLASS.load(Ordering::Acquire);
    // SAFETY: set once at startup to an engine-owned class entry that lives as long as PHP; the
    // fallback covers a startup that failed to register it.
    unsafe { class.as_ref() }.unwrap_or_else(ce::exception)
}

impl From<Error> for PhpException {
    fn from(error: Error) -> Self {
        if let Error::Bailout = error {
            // Every frame of ours has returned and tidied up by now.
            zend::resume_bailout();
        }
        PhpException::new(error.to_string(), 0, exception_class())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
