//! A full ring whose held records (leased jobs) sit among removed ones: compaction to the tail has
//! no room, so the removed space is won in place. The store succeeds, the leases still ack, the
//! waiting messages come out in order; and a holder killed half-way through a move leaves all of
//! that so.
//!
//! One `#[test]` runs every scenario in turn (`fork()` needs a single running test thread).

use std::time::Duration;

use shmqueue_core::{CreateOptions, Lease, Queue, Recovery};

mod forking;
use forking::*;

const RING: u64 = 4096;

fn open(name: &str) -> Queue {
    Queue::open(name, || {
        Ok(CreateOptions {
            capacity: RING,
            ..CreateOptions::default()
        })
    })
    .expect("open")
}

/// A payload whose record takes `footprint` bytes (8 of header), tagged so it can be told apart.
fn payload(tag: u8, footprint: usize) -> Vec<u8> {
    vec![tag; footprint - 8]
}

/// A ring filled to the last byte: two leased jobs of `held` bytes each followed by a taken
/// message of `gap` bytes, then waiting messages of 96 bytes. The leases, and the waiting
/// messages in order.
fn wedged(name: &str, held: [usize; 2], gap: [usize; 2]) -> (Queue, Vec<Lease>, Vec<Vec<u8>>) {
    let mut queue = open(name);
    assert_eq!(
        queue.max_message_len(),
        RING - 8,
        "the ring is {RING} bytes"
    );
    for i in 0..2 {
        assert!(queue.push(&payload(b'L' + i as u8, held[i])).expect("push"));
        assert!(queue.push(&payload(b'X', gap[i])).expect("push"));
    }
    let mut waiting = Vec::new();
    let used: usize = held.iter().chain(&gap).sum();
    for i in 0..(RING as usize - used) / 96 {
        let message = payload(i as u8, 96);
        assert!(queue.push(&message).expect("push"));
        waiting.push(message);
    }
    assert_eq!(used + 96 * waiting.len(), RING as usize, "filled exactly");
    let mut out = Vec::new();
    let mut leases = Vec::new();
    for _ in 0..2 {
        leases.push(
            queue
                .reserve(Some(60_000), &mut out)
                .expect("reserve")
                .expect("a job"),
        );
        out.clear();
        assert!(queue.pop(&mut out).expect("pop"), "the taken one");
        out.clear();
    }
    (queue, leases, waiting)
}

/// What `wedged` left, checked: both leases ack, the waiting messages come out in order,
/// followed by `then`.
fn check_intact(
    queue: &mut Queue,
    leases: &[Lease],
    waiting: &[Vec<u8>],
    then: &[&[u8]],
    what: &str,
) {
    for lease in leases {
        assert!(
            queue.ack(lease).expect("ack"),
            "{what}: a moved job's lease still acks"
        );
    }
    let mut all = Vec::new();
    queue.pop_many(usize::MAX, &mut all).expect("pop_many");
    let mut wanted = waiting.to_vec();
    wanted.extend(then.iter().map(|m| m.to_vec()));
    assert!(
        all == wanted,
        "{what}: the waiting messages, in order, then the new ones"
    );
    let stats = queue.stats().expect("stats");
    assert_eq!(
        (stats.ready, stats.in_flight),
        (0, 0),
        "{what}: counters agree"
    );
}

#[test]
fn removed_space_among_held_records_is_won_in_place() {
    // (what, held jobs, taken messages after each, the new message, whether it fits)
    let scenarios = [
        // The runs of removed space are bigger than the held records: they travel to the head.
        ("forward", [200, 200], [600, 600], 600, true),
        // The first run (200) is smaller than the job before it (600): it first travels towards
        // the tail past the small job after it, meets the second run and grows to 800.
        ("grow", [600, 104], [200, 600], 800, true),
        // Runs smaller than every held record, none growable: still refused, nothing disturbed.
        ("stuck", [600, 600], [200, 200], 200, false),
    ];
    for (what, held, gap, new_len, fits) in scenarios {
        let name = format!("coreslide-{what}-{}", std::process::id());
        Queue::remove(&name).expect("remove stale");
        let (mut queue, leases, waiting) = wedged(&name, held, gap);
        let new = payload(b'N', new_len);
        assert_eq!(
            queue.push(&new).expect("push"),
            fits,
            "{what}: the store of {new_len} bytes"
        );
        let then: &[&[u8]] = if fits { &[&new] } else { &[] };
        check_intact(&mut queue, &leases, &waiting, then, what);
        Queue::remove(&name).expect("remove");
    }

    for (point, recovery) in [
        ("slide-copied", Recovery::RolledBack),
        ("journal-armed", Recovery::RolledForward),
    ] {
        a_holder_killed_mid_move(point, recovery);
    }
}

fn a_holder_killed_mid_move(point: &'static str, expected: Recovery) {
    let name = format!("coreslide-kill-{point}-{}", std::process::id());
    Queue::remove(&name).expect("remove stale");
    let (mut queue, leases, waiting) = wedged(&name, [200, 200], [600, 600]);
    let (read_end, write_end) = pipe();
    let child_name = name.clone();
    let pid = fork(move || {
        use std::os::fd::AsRawFd;
        let fd = write_end.as_raw_fd();
        shmqueue_core::hooks::arm(point, move || write_byte(fd));
        let mut queue = open(&child_name);
        let _ = queue.push(&payload(b'K', 600));
        0
    });
    read_byte(&read_end);
    kill(pid);
    queue.set_lock_timeout(Duration::from_secs(5));
    let new = payload(b'N', 600);
    assert!(
        queue.push(&new).expect("push"),
        "{point}: the next store wins the room"
    );
    let stats = queue.stats().expect("stats");
    assert_eq!(
        (stats.recoveries, stats.last_recovery),
        (1, expected),
        "{point}: the next holder repaired the queue"
    );
    check_intact(&mut queue, &leases, &waiting, &[&new], point);
    Queue::remove(&name).expect("remove");
}
