//! The queues on this machine: the shared-memory objects named shmqueue.* in /dev/shm.

use std::os::unix::fs::MetadataExt;

use shmqueue_core::Place;

use crate::access;
use crate::failure::Failure;
use crate::report::Snapshot;
use crate::users::user_name;

const SHM_DIR: &str = "/dev/shm";
const PREFIX: &str = "shmqueue.";

/// One queue found, read or not.
pub struct Found {
    pub name: String,
    pub owner: String,
    pub mode: u32,
    pub state: Result<Snapshot, Failure>,
}

/// Every queue in /dev/shm, by name; each one opened and read, or the reason it could not be.
pub fn scan() -> Result<Vec<Found>, Failure> {
    let entries = std::fs::read_dir(SHM_DIR)
        .map_err(|error| Failure::other(format!("cannot read {SHM_DIR}: {error}")))?;
    let mut pending = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let Ok(metadata) = entry.metadata() else {
            continue; // removed while we looked
        };
        let reading = access::start(name, |queue| queue.stats());
        pending.push((name.to_owned(), metadata, reading));
    }
    let mut found: Vec<Found> = pending
        .into_iter()
        .map(|(name, metadata, reading)| Found {
            owner: user_name(metadata.uid()),
            mode: metadata.mode() & 0o7777,
            state: reading.finish().map(|stats| Snapshot {
                name: name.clone(),
                stats,
                durable: None,
            }),
            name,
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// The counters of the existing queue `name` in `place` (with the durable ones of a file).
pub fn read(name: &str, place: &Place) -> Result<Snapshot, Failure> {
    let (stats, durable) = access::with_queue_at(name, place, |queue| {
        Ok((queue.stats()?, queue.durable_stats()))
    })?;
    Ok(Snapshot {
        name: name.to_owned(),
        stats,
        durable,
    })
}

/// 1048576 -> "1.0M": sizes an operator reads at a glance.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else {
        format!("{value:.1}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(4096), "4.0K");
        assert_eq!(human_bytes(1 << 20), "1.0M");
        assert_eq!(human_bytes(3 << 29), "1.5G");
    }
}
