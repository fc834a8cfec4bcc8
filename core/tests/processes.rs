//! Several processes on one queue, and processes killed while they hold the lock.
//!
//! One `#[test]` runs every scenario in turn: `fork()` is only safe while no other thread of
//! the test binary is busy, and a single test keeps the harness to one running thread.

use std::time::{Duration, Instant};

use shmqueue_core::{CreateOptions, Event, Queue, Recovery};

mod forking;
use forking::*;

fn name(scenario: &str) -> String {
    let name = format!("coreproc-{scenario}-{}", std::process::id());
    Queue::remove(&name).expect("remove stale");
    name
}

fn open(name: &str, capacity: u64) -> Queue {
    Queue::open(name, || {
        Ok(CreateOptions {
            capacity,
            ..CreateOptions::default()
        })
    })
    .expect("open")
}

fn pop_all(queue: &mut Queue) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    queue.pop_many(usize::MAX, &mut all).expect("pop_many");
    all
}

#[test]
fn multi_process_scenarios() {
    producers_and_consumers_move_every_message_exactly_once();
    for (point, push, recovery) in [
        ("locked", true, Recovery::RolledBack),
        ("record-written", true, Recovery::RolledBack),
        ("journal-armed", true, Recovery::RolledForward),
        ("locked", false, Recovery::RolledBack),
        ("journal-armed", false, Recovery::RolledForward),
    ] {
        a_lock_holder_killed_at(point, push, recovery);
    }
    for point in ["record-written", "journal-armed"] {
        an_import_killed_part_way_stores_all_or_nothing(point);
    }
    a_consumer_killed_while_blocked_does_not_disturb_others();
    a_sleeping_consumer_wakes_promptly_on_push();
    the_count_of_a_killed_waiter_heals();
}

/// `restore` (what `shmqueue import` runs) killed while it writes or while it commits: the queue
/// holds none of the messages or all of them, never the first few (a rerun would store those
/// twice). Each message used to be its own commit.
fn an_import_killed_part_way_stores_all_or_nothing(point: &'static str) {
    use shmqueue_core::{Kept, Message};
    let name = name(&format!("import-{point}"));
    let mut queue = open(&name, 1 << 16);
    let messages: Vec<Message> = (0..100u32)
        .map(|i| Message {
            kept: if i % 10 == 0 { Kept::Dead } else { Kept::Ready },
            attempts: 1,
            payload: i.to_le_bytes().to_vec(),
        })
        .collect();
    let (read_end, write_end) = pipe();
    let child_name = name.clone();
    let child_messages = messages.clone();
    let pid = fork(move || {
        use std::os::fd::AsRawFd;
        let fd = write_end.as_raw_fd();
        shmqueue_core::hooks::arm(point, move || write_byte(fd));
        let _ = open(&child_name, 1 << 16).restore(&child_messages);
        0
    });
    read_byte(&read_end);
    kill(pid);
    let all = pop_all(&mut queue);
    let stats = queue.stats().expect("stats");
    let wanted: Vec<Vec<u8>> = (0..100u32)
        .filter(|i| i % 10 != 0)
        .map(|i| i.to_le_bytes().to_vec())
        .collect();
    match point {
        "record-written" => assert!(all.is_empty() && stats.dead == 0, "{point}: nothing stored"),
        _ => assert!(
            all == wanted && stats.dead == 10,
            "{point}: all stored, in order"
        ),
    }
    Queue::remove(&name).expect("remove");
}

/// A child blocked in a pop on `name` for a minute (to be killed).
fn fork_blocked_consumer(name: &str) -> libc::pid_t {
    let child_name = name.to_owned();
    fork(move || {
        let mut queue = open(&child_name, 1 << 16);
        let mut out = Vec::new();
        let _ = queue.wait_for(
            Event::NotEmpty,
            Duration::from_secs(60),
            &mut || false,
            |q| Ok(q.pop(&mut out)?.then_some(())),
        );
        0
    })
}

/// Issue 11.13: a waiter killed by SIGKILL never took itself off `not_empty_waiters`, and every
/// later operation made a futex system call for it, for ever. Its heartbeat runs out, and the
/// next waker clears the count.
fn the_count_of_a_killed_waiter_heals() {
    let name = name("killedwaiter");
    let mut queue = open(&name, 1 << 16);
    let pid = fork_blocked_consumer(&name);
    let segment =
        shmqueue_core::segment::Segment::open_existing(&name, Instant::now()).expect("map");
    let waiters = &segment.header().not_empty_waiters;
    let started = Instant::now();
    while waiters.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the child never waited"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    kill(pid);
    assert_eq!(
        waiters.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "left counted"
    );
    // Past the last heartbeat (a 50 ms sleep plus a margin of a second).
    std::thread::sleep(Duration::from_millis(1200));
    assert!(queue.push(b"wakes nobody").expect("push"));
    assert_eq!(
        waiters.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the dead waiter's count was cleared"
    );
    drop(segment);
    Queue::remove(&name).expect("remove");
}

/// 2 producers x 20,000 messages, 2 consumers: each message arrives exactly once.
fn producers_and_consumers_move_every_message_exactly_once() {
    let name = name("mpmc");
    open(&name, 1 << 16);
    const PER_PRODUCER: u32 = 20_000;
    let producers: Vec<_> = (0..2u32)
        .map(|p| {
            let name = name.clone();
            fork(move || {
                let mut queue = open(&name, 1 << 16);
                for i in 0..PER_PRODUCER {
                    let payload = [p.to_le_bytes(), i.to_le_bytes()].concat();
                    let stored = queue
                        .wait_for(
                            Event::NotFull,
                            Duration::from_secs(30),
                            &mut || false,
                            |q| Ok(q.push(&payload)?.then_some(())),
                        )
                        .expect("push");
                    if stored.is_none() {
                        return 2;
                    }
                }
                0
            })
        })
        .collect();
    let (read_end, write_end) = pipe();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let name = name.clone();
            let write_fd = {
                use std::os::fd::AsRawFd;
                write_end.as_raw_fd()
            };
            fork(move || {
                let mut queue = open(&name, 1 << 16);
                let mut out = Vec::new();
                loop {
                    out.clear();
                    let got = queue
                        .wait_for(
                            Event::NotEmpty,
                            Duration::from_secs(2),
                            &mut || false,
                            |q| Ok(q.pop(&mut out)?.then_some(())),
                        )
                        .expect("pop");
                    if got.is_none() {
                        return 0;
                    }
                    // SAFETY: writes 8 bytes (< PIPE_BUF, so atomic) to the shared pipe.
                    unsafe { libc::write(write_fd, out.as_ptr().cast(), out.len()) };
                }
            })
        })
        .collect();
    drop(write_end);
    // Read what consumers received while they run (the pipe would fill up otherwise).
    let mut received = Vec::new();
    {
        use std::io::Read;
        let mut file = std::fs::File::from(read_end);
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("read pipe");
            bytes
        });
        for pid in producers {
            assert_eq!(wait_exit(pid), 0, "producer failed");
        }
        for pid in consumers {
            assert_eq!(wait_exit(pid), 0, "consumer failed");
        }
        received.extend(reader.join().expect("reader"));
    }
    let mut seen = vec![0u8; 2 * PER_PRODUCER as usize];
    for chunk in received.chunks_exact(8) {
        let p = u32::from_le_bytes(chunk[..4].try_into().expect("4 bytes")) as usize;
        let i = u32::from_le_bytes(chunk[4..].try_into().expect("4 bytes"));
        seen[p * PER_PRODUCER as usize + i as usize] += 1;
    }
    let lost = seen.iter().filter(|&&n| n == 0).count();
    let duplicated = seen.iter().filter(|&&n| n > 1).count();
    println!(
        "mpmc: received {} of {}, lost {lost}, duplicated {duplicated}",
        received.len() / 8,
        seen.len()
    );
    assert_eq!((lost, duplicated), (0, 0));
    let stats = open(&name, 1 << 16).stats().expect("stats");
    assert_eq!(
        (stats.enqueued, stats.dequeued, stats.length),
        (2 * PER_PRODUCER as u64, 2 * PER_PRODUCER as u64, 0)
    );
    Queue::remove(&name).expect("remove");
}

/// A process SIGKILLed at `point` while holding the lock (in a push, or a pop): the others go
/// on, every acknowledged message is still there exactly once, and the counters add up.
fn a_lock_holder_killed_at(point: &'static str, push: bool, expected: Recovery) {
    let name = name(&format!("kill-{point}-{push}"));
    let mut queue = open(&name, 1 << 16);
    for i in 0..100u32 {
        assert!(queue.push(&i.to_le_bytes()).expect("push"));
    }
    let (read_end, write_end) = pipe();
    let child_name = name.clone();
    let pid = fork(move || {
        use std::os::fd::AsRawFd;
        let fd = write_end.as_raw_fd();
        shmqueue_core::hooks::arm(point, move || {
            // SAFETY: writes one byte to our end of the pipe.
            unsafe { libc::write(fd, b"p".as_ptr().cast(), 1) };
        });
        let mut queue = open(&child_name, 1 << 16);
        if push {
            queue.push(b"from the killed producer").expect("push");
        } else {
            queue.pop(&mut Vec::new()).expect("pop");
        }
        0
    });
    read_byte(&read_end);
    kill(pid);

    let started = Instant::now();
    let mut all = pop_all(&mut queue);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the queue was wedged"
    );
    let stats = queue.stats().expect("stats");
    assert_eq!(
        stats.recoveries, 1,
        "{point}: the next holder repaired the queue"
    );
    assert_eq!(
        stats.last_recovery, expected,
        "{point}: what the repair did is kept"
    );

    let published = expected == Recovery::RolledForward;
    let mut wanted: Vec<Vec<u8>> = (0..100u32).map(|i| i.to_le_bytes().to_vec()).collect();
    if push && published {
        wanted.push(b"from the killed producer".to_vec());
    }
    if !push && published {
        wanted.remove(0); // the killed consumer had taken it: its loss is the one allowed
    }
    if push && !published {
        assert!(
            !all.iter()
                .any(|m| m.as_slice() == b"from the killed producer"),
            "{point}: an unpublished write became visible"
        );
    }
    all.sort();
    wanted.sort();
    assert_eq!(
        all, wanted,
        "{point} push={push}: every acknowledged message exactly once"
    );
    assert_eq!(
        stats.enqueued - stats.dequeued,
        stats.length + stats.in_flight + stats.delayed + stats.dead
    );
    println!(
        "killed holder at {point} ({}): {} messages intact",
        if push { "push" } else { "pop" },
        all.len()
    );
    Queue::remove(&name).expect("remove");
}

fn a_consumer_killed_while_blocked_does_not_disturb_others() {
    let name = name("blocked");
    let mut queue = open(&name, 1 << 16);
    let pid = fork_blocked_consumer(&name);
    std::thread::sleep(Duration::from_millis(100));
    kill(pid);
    assert!(queue.push(b"after").expect("push"));
    assert_eq!(pop_all(&mut queue), vec![b"after".to_vec()]);
    Queue::remove(&name).expect("remove");
}

fn a_sleeping_consumer_wakes_promptly_on_push() {
    let name = name("wake");
    let mut queue = open(&name, 1 << 16);
    let child_name = name.clone();
    let pid = fork(move || {
        let mut queue = open(&child_name, 1 << 16);
        let mut out = Vec::new();
        let got = queue
            .wait_for(
                Event::NotEmpty,
                Duration::from_secs(10),
                &mut || false,
                |q| Ok(q.pop(&mut out)?.then_some(())),
            )
            .expect("wait");
        let sent_at = u128::from_le_bytes(out.as_slice().try_into().unwrap_or([0; 16]));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        let latency_us = now.saturating_sub(sent_at);
        println!("wake-up latency: {latency_us} us");
        if got.is_some() && latency_us < 1_000_000 {
            0
        } else {
            1
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    queue.push(&now.to_le_bytes()).expect("push");
    assert_eq!(wait_exit(pid), 0, "the sleeper did not wake");
    Queue::remove(&name).expect("remove");
}
