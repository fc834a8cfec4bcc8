//! Why a command failed, as one message and the exit code scripts can act on.

use std::io;

use shmqueue_core::QueueError;

pub const USAGE: i32 = 1;
pub const NOT_FOUND: i32 = 2;
pub const PERMISSION: i32 = 3;
pub const INCOMPATIBLE: i32 = 4;
pub const OTHER: i32 = 5;
pub const NO_ROOM: i32 = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn usage(message: String) -> Self {
        Failure {
            code: USAGE,
            message,
        }
    }

    pub fn other(message: String) -> Self {
        Failure {
            code: OTHER,
            message,
        }
    }

    /// What went wrong with the queue `name`, in words for an operator, with its exit code.
    pub fn from_queue(name: &str, error: QueueError) -> Self {
        let (code, message) = match &error {
            QueueError::Os { source, .. } if source.kind() == io::ErrorKind::NotFound => (
                NOT_FOUND,
                format!(
                    "queue {name:?} not found (no {}); `shmqueue list` shows the queues there are",
                    shmqueue_core::segment::path(name)
                ),
            ),
            QueueError::PermissionDenied { path, .. } => (
                PERMISSION,
                format!(
                    "permission denied for queue {name:?} ({path}{}): run as its owner or root",
                    crate::users::owner_and_mode(path).map(|text| format!(", {text}")).unwrap_or_default()
                ),
            ),
            QueueError::Os { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
                (PERMISSION, format!("permission denied for queue {name:?}: {error}"))
            }
            QueueError::LayoutVersion { expected, found, .. } => (
                INCOMPATIBLE,
                format!(
                    "queue {name:?} has layout version {found}, this shmqueue reads version {expected}: \
                     use the shmqueue of the extension that made it, or remove it"
                ),
            ),
            QueueError::LockHolderMissing { tid, .. } => (
                INCOMPATIBLE,
                format!(
                    "queue {name:?} is damaged: its lock names thread {tid} as holder, which does not \
                     exist (here; or it runs in another PID namespace), so nobody will release it; \
                     `shmqueue remove {name}` deletes the queue"
                ),
            ),
            QueueError::LockTimeout {
                waited_ms, holder, ..
            } => (
                OTHER,
                format!(
                    "queue {name:?} stayed locked for {:.1} s: {} keeps its lock (stopped or \
                     frozen?); the others using the queue wait too",
                    *waited_ms as f64 / 1000.0,
                    holder
                ),
            ),
            QueueError::Corrupt { .. }
            | QueueError::Uninitialised { .. }
            | QueueError::LockUnrecoverable { .. } => (
                INCOMPATIBLE,
                format!("{error}; `shmqueue remove {name}` deletes the queue"),
            ),
            QueueError::InvalidName { .. } => (USAGE, format!("{error}")),
            _ => (OTHER, format!("queue {name:?}: {error}")),
        };
        Failure { code, message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // errno values of Linux, which is where shared memory queues live.
    const ENOENT: i32 = 2;
    const ENOMEM: i32 = 12;
    const EACCES: i32 = 13;

    fn os(code: i32) -> QueueError {
        QueueError::Os {
            what: "opening the queue",
            source: io::Error::from_raw_os_error(code),
        }
    }

    #[test]
    fn each_kind_of_error_has_its_exit_code() {
        assert_eq!(Failure::from_queue("q", os(ENOENT)).code, NOT_FOUND);
        assert_eq!(Failure::from_queue("q", os(EACCES)).code, PERMISSION);
        let denied = QueueError::PermissionDenied {
            name: "q".into(),
            path: "/dev/shm/shmqueue.q".into(),
        };
        assert_eq!(Failure::from_queue("q", denied).code, PERMISSION);
        let version = QueueError::LayoutVersion {
            name: "q".into(),
            expected: 1,
            found: 99,
        };
        assert_eq!(Failure::from_queue("q", version).code, INCOMPATIBLE);
        let corrupt = QueueError::Corrupt {
            name: "q".into(),
            damage: shmqueue_core::Damage::Magic { found: 0 },
        };
        assert_eq!(Failure::from_queue("q", corrupt).code, INCOMPATIBLE);
        let name = QueueError::InvalidName {
            name: ".q".into(),
            why: "it starts with a dot",
        };
        assert_eq!(Failure::from_queue(".q", name).code, USAGE);
        assert_eq!(Failure::from_queue("q", os(ENOMEM)).code, OTHER);
    }

    #[test]
    fn a_lock_timeout_names_the_holder_and_a_damaged_queue_how_to_remove_it() {
        let timeout = QueueError::LockTimeout {
            name: "jobs".into(),
            waited_ms: 500,
            holder: shmqueue_core::Holder {
                tid: 12,
                pid: Some(10),
                command: Some("php-fpm8.2".into()),
                state: Some('T'),
            },
        };
        let failure = Failure::from_queue("jobs", timeout);
        assert_eq!(failure.code, OTHER);
        assert!(
            failure
                .message
                .contains("stayed locked for 0.5 s: thread 12 of process 10 (php-fpm8.2, state T)"),
            "{}",
            failure.message
        );
        let corrupt = QueueError::Corrupt {
            name: "jobs".into(),
            damage: shmqueue_core::Damage::TakenTwice { pos: 64 },
        };
        let message = Failure::from_queue("jobs", corrupt).message;
        assert!(
            message.contains("position 64 was taken twice")
                && message.contains("shmqueue remove jobs"),
            "{message}"
        );
    }

    #[test]
    fn messages_name_the_queue_and_the_versions() {
        let missing = Failure::from_queue("jobs", os(ENOENT));
        assert!(
            missing.message.contains("\"jobs\" not found"),
            "{}",
            missing.message
        );
        assert!(
            missing.message.contains("/dev/shm/shmqueue.jobs"),
            "{}",
            missing.message
        );
        let version = QueueError::LayoutVersion {
            name: "jobs".into(),
            expected: 1,
            found: 99,
        };
        let message = Failure::from_queue("jobs", version).message;
        assert!(
            message.contains("layout version 99") && message.contains("reads version 1"),
            "{message}"
        );
    }
}
