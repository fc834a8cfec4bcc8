//! The batch policy's promise for a queue that goes quiet: its last changes must reach the disk
//! within the interval even when no further call comes to flush them. Each process that maps a
//! batch queue runs one thread for it that wakes every half interval and flushes when changes
//! are waiting (sharing flushes with everyone else through `sync.rs`). The thread maps the file
//! itself, so it never touches the mapping PHP's thread uses, and ends when the queue is
//! removed. A forked child has none of its parent's threads: the table is per pid, so the child
//! starts its own at its next open.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::clock::monotonic_ms;
use crate::segment::Segment;
use crate::sync::SyncPolicy;

/// The pid the table belongs to, and per file path whether its thread still runs. Only the
/// thread that opens queues takes the lock: a flusher thread only clears its own flag, so a
/// fork can never inherit the lock taken.
static RUNNING: Mutex<(u32, Vec<(String, Arc<AtomicBool>)>)> = Mutex::new((0, Vec::new()));

/// Starts the flusher of `segment` in this process if it is a batch queue without one.
pub(crate) fn ensure(segment: &Segment) {
    let place = segment.place();
    let durable = &segment.header().durable;
    let policy = SyncPolicy::decode(durable.sync_policy.load(Ordering::Relaxed));
    if !place.durable || policy != SyncPolicy::Batch {
        return;
    }
    let path = place.path(segment.name());
    let mut running = RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if running.0 != pid {
        *running = (pid, Vec::new());
    }
    running.1.retain(|(_, alive)| alive.load(Ordering::Acquire));
    if running.1.iter().any(|(known, _)| *known == path) {
        return;
    }
    let alive = Arc::new(AtomicBool::new(true));
    let interval = u64::from(durable.sync_interval_ms.load(Ordering::Relaxed)).max(2);
    let (name, place, flag) = (segment.name().to_owned(), place.clone(), Arc::clone(&alive));
    let spawned = std::thread::Builder::new()
        .name("shmqueue-flush".to_owned())
        .spawn(move || {
            if let Ok(segment) = Segment::open_existing_at(&name, &place, Instant::now()) {
                run(&segment, interval);
            }
            flag.store(false, Ordering::Release);
        });
    if spawned.is_ok() {
        running.1.push((path, alive));
    }
}

fn run(segment: &Segment, interval_ms: u64) {
    let durable = &segment.header().durable;
    loop {
        std::thread::sleep(Duration::from_millis(interval_ms / 2));
        segment.look_if_due();
        if segment.is_removed() {
            return;
        }
        let changes = durable.change_seq.load(Ordering::Acquire);
        let last = durable.last_sync_ms.load(Ordering::Relaxed);
        // An operation flushed a moment ago: nothing of the window is at risk yet.
        let recent = monotonic_ms().saturating_sub(last) < interval_ms / 2;
        if changes > durable.synced_seq.load(Ordering::Acquire) && !recent {
            // A failure is left to the next operation's flush, which reports it.
            let _ = segment.flush_to(changes, false);
        }
    }
}
