//! Flushes of `always` queues: concurrent callers share one (group commit), and a flush left
//! unfinished (its process killed inside `msync`, say a php-fpm worker at
//! `request_terminate_timeout`) or a damaged flush word never makes callers wait for ever: the
//! flush is taken over.

use std::mem::offset_of;
use std::time::{Duration, Instant};

use shmqueue_core::layout::{Durable, Header};
use shmqueue_core::{monotonic_ms, Queue, SyncPolicy, DEFAULT_LOCK_TIMEOUT};

mod durable_file;
use durable_file::open_durable;

const FLUSHING_SINCE: u64 =
    (offset_of!(Header, durable) + offset_of!(Durable, flushing_since_ms)) as u64;

fn create(dir: &std::path::Path, name: &str) -> Queue {
    open_durable(name, dir, SyncPolicy::Always, DEFAULT_LOCK_TIMEOUT).expect("create")
}

/// Writes the flush word through the file, as another process's store would land.
fn set_flushing_since(dir: &std::path::Path, name: &str, value: u64) {
    use std::os::unix::fs::FileExt;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join(format!("{name}.shmq")))
        .expect("open file");
    file.write_all_at(&value.to_ne_bytes(), FLUSHING_SINCE)
        .expect("write");
}

/// Pushes with the flush word set to `since()`; how long the push took, and whether its change
/// then counted as flushed. On a thread of its own, so that a push that never returns fails the
/// test rather than hanging it.
fn push_with_flush_word(tag: &str, since: fn() -> u64) -> (Duration, bool) {
    let dir = std::env::temp_dir().join(format!("shmq-core-takeover-{tag}-{}", std::process::id()));
    let (sender, receiver) = std::sync::mpsc::channel();
    let dir_for_thread = dir.clone();
    std::thread::spawn(move || {
        let name = "takeover";
        let mut queue = create(&dir_for_thread, name);
        assert!(queue.push(b"before").expect("push"));
        let flushes = queue.durable_stats().expect("durable").flushes;
        set_flushing_since(&dir_for_thread, name, since());
        let started = Instant::now();
        assert!(queue.push(b"after").expect("push"));
        let took = started.elapsed();
        let flushed = queue.durable_stats().expect("durable").flushes > flushes;
        sender.send((took, flushed)).expect("send");
    });
    let outcome = receiver
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{tag}: the push did not return within 20 s"));
    std::fs::remove_dir_all(&dir).expect("clean up");
    outcome
}

#[test]
fn a_flush_whose_process_died_is_taken_over() {
    let (took, flushed) = push_with_flush_word("dead", monotonic_ms);
    assert!(flushed, "the push flushed its change itself");
    assert!(
        took >= Duration::from_millis(400),
        "a flush that looks live is waited for first (group commit): {took:?}"
    );
    assert!(took < Duration::from_secs(10), "then taken over: {took:?}");
}

#[test]
fn a_flush_word_from_the_future_is_taken_over() {
    let cases: [(&str, fn() -> u64); 2] = [
        ("ahead", || monotonic_ms() + 3_600_000),
        ("max", || u64::MAX),
    ];
    for (tag, since) in cases {
        let (took, flushed) = push_with_flush_word(tag, since);
        assert!(flushed, "{tag}: the push flushed its change");
        assert!(
            took < Duration::from_secs(10),
            "{tag}: a start time no flush can have does not hold callers: {took:?}"
        );
    }
}

/// Callers whose changes are committed while a flush is under way wait for it, then one flush
/// covers them all. Made certain rather than left to timing: a flush that looks live for half a
/// second holds every caller until it is taken over.
#[test]
fn concurrent_changes_share_one_flush() {
    const CALLERS: usize = 4;
    let dir = std::env::temp_dir().join(format!("shmq-core-group-{}", std::process::id()));
    let name = "group";
    let mut queue = create(&dir, name);
    assert!(queue.push(b"first").expect("push"));
    let before = queue.durable_stats().expect("durable");
    set_flushing_since(&dir, name, monotonic_ms());
    let callers: Vec<_> = (0..CALLERS)
        .map(|i| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut queue = create(&dir, name);
                queue.push(format!("caller {i}").as_bytes()).expect("push")
            })
        })
        .collect();
    for caller in callers {
        assert!(caller.join().expect("caller"), "stored");
    }
    let after = queue.durable_stats().expect("durable");
    assert_eq!(after.changes - before.changes, CALLERS as u64);
    let flushes = after.flushes - before.flushes;
    assert!(
        (1..CALLERS as u64).contains(&flushes),
        "{CALLERS} changes made while a flush ran took {flushes} flushes"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}
