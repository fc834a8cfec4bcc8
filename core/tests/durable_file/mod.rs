//! Opening a durable queue of 64 KiB in a directory, for the tests of durable files.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use shmqueue_core::{CreateOptions, OpenOptions, Place, Queue, QueueError, SyncPolicy};

/// Opens (or creates, with `sync`) the durable queue `name` in `dir`.
pub fn open_durable(
    name: &str,
    dir: &Path,
    sync: SyncPolicy,
    lock_timeout: Duration,
) -> Result<Queue, QueueError> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let options = OpenOptions {
        place: Place::durable(dir),
        lock_timeout,
        ..OpenOptions::default()
    };
    Queue::open_with(name, options, || {
        Ok(CreateOptions {
            capacity: 1 << 16,
            sync,
            ..CreateOptions::default()
        })
    })
}
