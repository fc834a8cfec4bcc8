//! Where a queue lives: a POSIX shared-memory object (`/dev/shm/shmqueue.<name>`, gone at the
//! next boot) or a durable file `<dir>/<name>.shmq` (same layout, version 3, kept on disk).
//! A name is one queue whatever its kind: opening it as the kind it is not is an error
//! (`QueueError::KindClash`), never a second queue of that name.

use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::layout::{DURABLE_LAYOUT_VERSION, LAYOUT_VERSION};
use crate::mappings::{self, OpenOptions};
use crate::queue::Queue;
use crate::segment::Segment;

/// The default directory of durable queues.
pub const DEFAULT_DURABLE_DIR: &str = "/var/lib/shmqueue";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// A durable file rather than shared memory.
    pub durable: bool,
    /// The directory of durable queues; also where a shared-memory queue looks for a durable
    /// twin of its name.
    pub durable_dir: PathBuf,
}

impl Default for Place {
    fn default() -> Self {
        Place {
            durable: false,
            durable_dir: PathBuf::from(DEFAULT_DURABLE_DIR),
        }
    }
}

impl Place {
    pub fn shm() -> Place {
        Place::default()
    }

    pub fn durable(dir: impl Into<PathBuf>) -> Place {
        Place {
            durable: true,
            durable_dir: dir.into(),
        }
    }

    /// The path of the queue `name` in this place.
    pub fn path(&self, name: &str) -> String {
        if self.durable {
            durable_path(&self.durable_dir, name)
        } else {
            crate::segment::path(name)
        }
    }

    /// The path a queue `name` of the other kind would have.
    /// Whether a queue `name` of the other kind exists (stat through libc: see `file_mode`).
    pub fn other_exists(&self, name: &str) -> bool {
        crate::durable::file_mode(self.other_path(name).as_ref(), false).is_ok()
    }

    pub fn other_path(&self, name: &str) -> String {
        if self.durable {
            crate::segment::path(name)
        } else {
            durable_path(&self.durable_dir, name)
        }
    }

    /// The layout version segments of this place are written with.
    pub fn layout_version(&self) -> u32 {
        if self.durable {
            DURABLE_LAYOUT_VERSION
        } else {
            LAYOUT_VERSION
        }
    }

    /// "durable file" or "shared memory", for messages.
    pub fn kind(&self) -> &'static str {
        if self.durable {
            "a durable file"
        } else {
            "shared memory"
        }
    }
}

fn durable_path(dir: &std::path::Path, name: &str) -> String {
    format!("{}/{name}.shmq", dir.display())
}

impl Queue {
    /// Opens the queue `name` in `place` only if it exists (operator tools must not create
    /// queues).
    pub fn open_existing_at(name: &str, place: &Place) -> Result<Queue> {
        let deadline = Instant::now() + Duration::from_secs(1);
        let segment = Rc::new(Segment::open_existing_at(name, place, deadline)?);
        Ok(Queue {
            segment,
            options: OpenOptions {
                place: place.clone(),
                ..OpenOptions::default()
            },
        })
    }

    /// For a durable queue: its policy and what recovery and flushing did; `None` in shared
    /// memory. Read without the lock: each number is exact, together they are a moment's view.
    pub fn durable_stats(&self) -> Option<crate::stats::DurableStats> {
        crate::durable::stats(&self.segment)
    }

    /// `Queue::remove` of the queue `name` in `place`.
    pub fn remove_at(name: &str, place: &Place) -> Result<bool> {
        let removed = Segment::remove(name, place)?;
        mappings::forget(name);
        Ok(removed)
    }
}
