//! Every look at a queue goes through here: open it (never create it), run one operation, and do
//! not wait for ever when another process keeps the queue's lock (stopped in a debugger, frozen
//! with SIGSTOP, or a damaged lock word): after `lock_timeout()` the operator is told who holds it.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use shmqueue_core::{Queue, QueueError};

use crate::failure::{self, Failure};

/// How long an operation may wait for the queue's lock (SHMQUEUE_LOCK_TIMEOUT seconds, default 5;
/// operations themselves hold it for microseconds).
pub fn lock_timeout() -> Duration {
    std::env::var("SHMQUEUE_LOCK_TIMEOUT")
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map_or(Duration::from_secs(5), Duration::from_secs_f64)
}

/// Opens the existing queue `name` and runs `op` on it, giving up after `timeout`.
pub fn with_queue<T: Send + 'static>(
    name: &str,
    timeout: Duration,
    op: impl FnOnce(&mut Queue) -> Result<T, QueueError> + Send + 'static,
) -> Result<T, Failure> {
    start(name, op).finish(Instant::now() + timeout)
}

/// An operation under way on its own thread. A thread still waiting for the lock when we give up
/// ends with the process: it holds nothing (and were it to get the lock at that very moment, the
/// queue's crash recovery is made for exactly that).
pub struct Pending<T> {
    name: String,
    started: Instant,
    result: Result<mpsc::Receiver<Result<T, Failure>>, Failure>,
}

/// Starts `op` on the existing queue `name`; several can run at once (`list` reads every queue
/// together, so a few frozen ones cost one timeout, not one each).
pub fn start<T: Send + 'static>(
    name: &str,
    op: impl FnOnce(&mut Queue) -> Result<T, QueueError> + Send + 'static,
) -> Pending<T> {
    let (sender, receiver) = mpsc::channel();
    let owned = name.to_owned();
    let spawned = std::thread::Builder::new()
        .name(format!("queue {name}"))
        .spawn(move || {
            let result = Queue::open_existing(&owned).and_then(|mut queue| op(&mut queue));
            let _ = sender.send(result.map_err(|error| Failure::from_queue(&owned, error)));
        });
    Pending {
        name: name.to_owned(),
        started: Instant::now(),
        result: spawned
            .map(|_| receiver)
            .map_err(|error| Failure::other(format!("cannot start a thread: {error}"))),
    }
}

impl<T> Pending<T> {
    /// The operation's result, or a failure saying who holds the lock once `deadline` passed.
    pub fn finish(self, deadline: Instant) -> Result<T, Failure> {
        let receiver = match &self.result {
            Ok(receiver) => receiver,
            Err(failure) => return Err(failure.clone()),
        };
        match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(self.still_locked()),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(Failure::other(format!(
                "reading queue {:?} failed unexpectedly (a panic above says why)",
                self.name
            ))),
        }
    }

    /// Who keeps the lock, when the wait ran out. (A holder that no longer exists is the core's
    /// to report: it gives up on one after a second, as `LockHolderMissing`.)
    fn still_locked(&self) -> Failure {
        let waited = self.started.elapsed().as_secs_f64();
        let holder = lock_holder(&self.name).unwrap_or_else(|| "another process".into());
        Failure {
            code: failure::OTHER,
            message: format!(
                "queue {:?} stayed locked for {waited:.1} s: {holder} keeps its lock (stopped or \
                 frozen?); the others using the queue wait too",
                self.name
            ),
        }
    }
}

/// The lock's holder as glibc records it in the mutex (`__data.__owner`, the int 8 bytes into a
/// pthread_mutex_t on Linux), described from /proc: "thread 1234 (php8.2, state T)".
fn lock_holder(name: &str) -> Option<String> {
    use std::os::unix::fs::FileExt;
    const GLIBC_OWNER_OFFSET: usize = 8;
    let offset = std::mem::offset_of!(shmqueue_core::layout::Header, lock) + GLIBC_OWNER_OFFSET;
    let mut word = [0u8; 4];
    std::fs::File::open(shmqueue_core::segment::path(name))
        .and_then(|file| file.read_exact_at(&mut word, offset as u64))
        .ok()?;
    let tid = i32::from_ne_bytes(word) & 0x3fff_ffff; // the top bits are futex flags
    if tid == 0 {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/{tid}/stat")).ok()?;
    // "tid (comm) S ...": comm may hold spaces or parentheses, so split at the last ')'.
    let (head, tail) = stat.rsplit_once(')').unwrap_or((&stat, ""));
    let command = head.split_once('(').map_or("?", |(_, command)| command);
    let state = tail.split_whitespace().next().unwrap_or("?");
    Some(format!("thread {tid} ({command}, state {state})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_queue_is_reported_not_waited_for() {
        let failure = with_queue("cli-unit-missing-queue", Duration::from_secs(5), |queue| {
            queue.len()
        })
        .unwrap_err();
        assert_eq!(failure.code, failure::NOT_FOUND, "{}", failure.message);
    }
}
