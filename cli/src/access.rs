//! Every look at a queue goes through here: open it (never create it) and run one operation,
//! waiting for the queue's lock no longer than `lock_timeout()` when another process keeps it
//! (stopped in a debugger, frozen with SIGSTOP, or a damaged lock word). The core bounds the
//! wait and names the holder; `failure.rs` words that for the operator.

use std::sync::mpsc;
use std::time::Duration;

use shmqueue_core::{Place, Queue, QueueError};

use crate::failure::Failure;

/// How long an operation may wait for the queue's lock (SHMQUEUE_LOCK_TIMEOUT seconds, default 5;
/// operations themselves hold it for microseconds).
pub fn lock_timeout() -> Duration {
    std::env::var("SHMQUEUE_LOCK_TIMEOUT")
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map_or(Duration::from_secs(5), Duration::from_secs_f64)
}

/// Opens the existing queue `name` and runs `op` on it.
pub fn with_queue<T: Send + 'static>(
    name: &str,
    op: impl FnOnce(&mut Queue) -> Result<T, QueueError> + Send + 'static,
) -> Result<T, Failure> {
    start(name, op).finish()
}

/// `with_queue` for the queue `name` in `place` (a durable one, say).
pub fn with_queue_at<T: Send + 'static>(
    name: &str,
    place: &Place,
    op: impl FnOnce(&mut Queue) -> Result<T, QueueError> + Send + 'static,
) -> Result<T, Failure> {
    start_at(name, place, op).finish()
}

/// An operation under way on its own thread.
pub struct Pending<T> {
    name: String,
    result: Result<mpsc::Receiver<Result<T, Failure>>, Failure>,
}

/// Starts `op` on the existing queue `name`; several can run at once (`list` reads every queue
/// together, so a few frozen ones cost one lock timeout, not one each).
pub fn start<T: Send + 'static>(
    name: &str,
    op: impl FnOnce(&mut Queue) -> Result<T, QueueError> + Send + 'static,
) -> Pending<T> {
    start_at(name, &Place::shm(), op)
}

fn start_at<T: Send + 'static>(
    name: &str,
    place: &Place,
    op: impl FnOnce(&mut Queue) -> Result<T, QueueError> + Send + 'static,
) -> Pending<T> {
    let place = place.clone();
    let (sender, receiver) = mpsc::channel();
    let owned = name.to_owned();
    let timeout = lock_timeout();
    let spawned = std::thread::Builder::new()
        .name(format!("queue {name}"))
        .spawn(move || {
            let result = Queue::open_existing_at(&owned, &place).and_then(|mut queue| {
                queue.set_lock_timeout(timeout);
                op(&mut queue)
            });
            let _ = sender.send(result.map_err(|error| Failure::from_queue(&owned, error)));
        });
    Pending {
        name: name.to_owned(),
        result: spawned
            .map(|_| receiver)
            .map_err(|error| Failure::other(format!("cannot start a thread: {error}"))),
    }
}

impl<T> Pending<T> {
    /// The operation's result (every wait in it is bounded by the core).
    pub fn finish(self) -> Result<T, Failure> {
        let receiver = self.result?;
        receiver.recv().unwrap_or_else(|_| {
            Err(Failure::other(format!(
                "reading queue {:?} failed unexpectedly (a panic above says why)",
                self.name
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_queue_is_reported_not_waited_for() {
        let failure = with_queue("cli-unit-missing-queue", |queue| queue.len()).unwrap_err();
        assert_eq!(
            failure.code,
            crate::failure::NOT_FOUND,
            "{}",
            failure.message
        );
    }
}
