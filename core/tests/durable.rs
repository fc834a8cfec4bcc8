//! Durable queues: a cold copy of the file, opened as after a reboot, holds exactly what was
//! acknowledged, in order, and its stale lock word is not waited for.
//!
//! Each open runs on a fresh thread: mappings are kept per thread, so a new thread maps the file
//! anew as a new process of the next boot would.

use std::time::Duration;

use shmqueue_core::layout::{Header, SYNC_ALWAYS};
use shmqueue_core::{Queue, QueueError, SyncPolicy};

mod durable_file;
use durable_file::open_durable;

fn dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("shmq-core-durable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn open(name: &str, dir: &std::path::Path, lock_timeout: Duration) -> Result<Queue, QueueError> {
    open_durable(name, dir, SyncPolicy::Always, lock_timeout)
}

/// Writes `bytes` at `offset` of a file, as a crash-image tool would.
fn poke(path: &std::path::Path, offset: u64, bytes: &[u8]) {
    use std::os::unix::fs::FileExt;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open file");
    file.write_all_at(bytes, offset).expect("poke");
}

fn gettid() -> u32 {
    // SAFETY: no preconditions.
    unsafe { libc::gettid() as u32 }
}

/// Everything ready in the queue, in order, and its in-flight count.
fn drain(queue: &mut Queue) -> (Vec<String>, u64) {
    let mut taken = Vec::new();
    let mut out = Vec::new();
    while queue.pop(&mut out).expect("pop") {
        taken.push(String::from_utf8(std::mem::take(&mut out)).expect("utf8"));
    }
    (taken, queue.stats().expect("stats").in_flight)
}

#[test]
fn cold_copy_opened_after_a_reboot_holds_what_was_acknowledged() {
    let dir = dir();
    let name = format!("reboot-{}", std::process::id());
    let original = dir.join(format!("{name}.shmq"));
    {
        let mut queue = open(&name, &dir, Duration::from_secs(1)).expect("create");
        for i in 0..100 {
            assert!(queue.push(format!("m{i}").as_bytes()).expect("push"));
        }
        let mut out = Vec::new();
        let leases: Vec<_> = (0..10)
            .map(|_| {
                queue
                    .reserve(None, &mut out)
                    .expect("reserve")
                    .expect("a job")
            })
            .collect();
        for lease in &leases[..5] {
            assert!(queue.ack(lease).expect("ack"));
        }
        for _ in 0..20 {
            assert!(queue.pop(&mut out).expect("pop"));
        }
        let durable = queue.durable_stats().expect("durable");
        assert_eq!(durable.sync, SyncPolicy::Always);
        assert!(durable.flushes > 0 && durable.flushes <= durable.changes);
    }
    // Cold images, as the file stands, with the lock word naming a live thread of this process
    // (to the next opener an unrelated thread, as after a reboot).
    let image = |suffix: &str| {
        let copy = format!("{name}-{suffix}");
        let path = dir.join(format!("{copy}.shmq"));
        std::fs::copy(&original, &path).expect("copy");
        let lock = std::mem::offset_of!(Header, lock) as u64;
        poke(&path, lock, &gettid().to_ne_bytes());
        (copy, path)
    };
    let (same_boot, _) = image("same-boot");
    let (rebooted, rebooted_path) = image("rebooted");
    poke(&rebooted_path, 0x300, &[0xA5; 16]);

    let dir_for_thread = dir.clone();
    let same = std::thread::spawn(move || {
        open(&same_boot, &dir_for_thread, Duration::from_millis(200))
            .and_then(|mut queue| queue.len())
    })
    .join()
    .expect("thread");
    assert!(
        matches!(same, Err(QueueError::LockTimeout { .. })),
        "in the same boot a live holder is waited for: {same:?}"
    );

    let dir_for_thread = dir.clone();
    let (taken, in_flight, boots, policy) = std::thread::spawn(move || {
        let mut queue = open(&rebooted, &dir_for_thread, Duration::from_millis(200)).expect("open");
        let (taken, in_flight) = drain(&mut queue);
        let durable = queue.durable_stats().expect("durable");
        let header_policy = durable.sync.encode();
        (taken, in_flight, durable.boots, header_policy)
    })
    .join()
    .expect("thread");
    let expected: Vec<String> = (30..100).map(|i| format!("m{i}")).collect();
    assert_eq!(taken, expected, "the 70 never taken, in order");
    assert_eq!(
        in_flight, 5,
        "the 5 reserved and not acked are still leased"
    );
    assert_eq!(boots, 1);
    assert_eq!(policy, SYNC_ALWAYS);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
