//! The queue's behaviour in one process: FIFO, wrap-around, full and empty, limits, leases,
//! delays, dead letters, compaction, removal, layout checks.

use std::sync::atomic::Ordering;
use std::time::Duration;

use shmqueue_core::layout::{Header, LAYOUT_VERSION};
use shmqueue_core::segment::{self, Segment};
use shmqueue_core::{CreateOptions, Event, Payload, Queue, QueueError, Sink};

/// A queue name unique to this test and process, removed on drop.
struct Scratch {
    name: String,
}

impl Scratch {
    fn new(test: &str) -> Self {
        let name = format!("coretest-{test}-{}", std::process::id());
        Queue::remove(&name).expect("remove stale queue");
        Scratch { name }
    }

    fn open(&self, capacity: u64) -> Queue {
        let options = CreateOptions {
            capacity,
            ..CreateOptions::default()
        };
        Queue::open(&self.name, || Ok(options)).expect("open queue")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Queue::remove(&self.name);
    }
}

fn pop(queue: &mut Queue) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    queue.pop(&mut out).expect("pop").then_some(out)
}

fn message(i: usize, len: usize) -> Vec<u8> {
    let mut bytes = format!("{i}:").into_bytes();
    bytes.resize(len.max(bytes.len()), (i % 251) as u8);
    bytes
}

#[test]
fn fifo_across_many_wraps_with_varied_sizes() {
    let scratch = Scratch::new("fifo");
    let mut queue = scratch.open(4096);
    let mut expected = std::collections::VecDeque::new();
    let mut next = 0;
    for round in 0..2000 {
        // Fill with sizes 1..700 until full, then drain a varying amount.
        loop {
            let payload = message(next, (next * 37) % 700 + 1);
            if !queue.push(&payload).expect("push") {
                break;
            }
            expected.push_back(payload);
            next += 1;
        }
        for _ in 0..(round % 5 + 1) {
            match pop(&mut queue) {
                Some(got) => assert_eq!(Some(got), expected.pop_front()),
                None => assert!(expected.is_empty()),
            }
        }
    }
    while let Some(got) = pop(&mut queue) {
        assert_eq!(Some(got), expected.pop_front());
    }
    assert!(expected.is_empty());
    let stats = queue.stats().expect("stats");
    assert_eq!(stats.enqueued, next as u64);
    assert_eq!(stats.dequeued, next as u64);
    assert_eq!(stats.used_bytes, 0);
    assert!(stats.full_rejections >= 2000);
}

#[test]
fn empty_pop_is_false_and_zero_length_messages_work() {
    let scratch = Scratch::new("empty");
    let mut queue = scratch.open(4096);
    assert_eq!(pop(&mut queue), None);
    assert!(queue.push(b"").expect("push"));
    assert_eq!(queue.len().expect("len"), 1);
    assert_eq!(pop(&mut queue), Some(Vec::new()));
    assert!(queue.is_empty().expect("len"));
}

#[test]
fn a_message_may_use_the_whole_ring_wherever_the_tail_is() {
    let scratch = Scratch::new("whole");
    let mut queue = scratch.open(4096);
    let capacity = queue.stats().expect("stats").capacity as usize;
    let biggest = vec![7u8; capacity - 8];
    // Move the tail to the middle of the ring first.
    assert!(queue.push(&[1; 1000]).expect("push"));
    assert!(pop(&mut queue).is_some());
    assert!(queue.push(&biggest).expect("push biggest"));
    assert!(!queue.push(b"x").expect("push when full"));
    assert_eq!(pop(&mut queue), Some(biggest));
    match queue.push(&vec![0u8; capacity]) {
        Err(QueueError::TooLarge { len, max, .. }) => {
            assert_eq!((len, max), (capacity as u64, capacity as u64 - 8))
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let message = queue
        .push(&vec![0u8; capacity])
        .expect_err("too large")
        .to_string();
    assert!(
        message.contains("can never fit") && message.contains(&format!("at most {}", capacity - 8)),
        "{message}"
    );
}

#[test]
fn push_many_stores_the_prefix_that_fits_and_pop_many_takes_in_order() {
    let scratch = Scratch::new("many");
    let mut queue = scratch.open(4096);
    let payloads: Vec<Vec<u8>> = (0..100).map(|i| message(i, 100)).collect();
    let slices: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    let stored = queue.push_many(&slices).expect("push_many");
    assert!(stored > 10 && stored < 100, "stored {stored}");
    let mut out = Vec::new();
    assert_eq!(queue.pop_many(1000, &mut out).expect("pop_many"), stored);
    assert_eq!(out, payloads[..stored]);
    let too_big = vec![0u8; 5000];
    assert!(matches!(
        queue.push_many(&[b"ok", &too_big]),
        Err(QueueError::TooLarge { .. })
    ));
    assert_eq!(queue.len().expect("len"), 0, "nothing partial is stored");
}

#[test]
fn leases_ack_release_and_stale_jobs() {
    let scratch = Scratch::new("lease");
    let mut queue = scratch.open(1 << 16);
    for i in 0..3 {
        queue.push(&message(i, 10)).expect("push");
    }
    let mut out = Vec::new();
    let first = queue
        .reserve(Some(60_000), &mut out)
        .expect("reserve")
        .expect("a job");
    assert_eq!(out, message(0, 10));
    assert_eq!(first.attempts, 1);
    let stats = queue.stats().expect("stats");
    assert_eq!((stats.length, stats.in_flight), (2, 1));

    // deQueue skips the leased head and takes the next message.
    assert_eq!(pop(&mut queue), Some(message(1, 10)));
    // Release puts it back in place: it is the oldest available again, with its attempts.
    assert!(queue.release(&first, 0).expect("release"));
    assert!(
        !queue.ack(&first).expect("ack after release"),
        "a released job is no longer ours"
    );
    out.clear();
    let again = queue
        .reserve(None, &mut out)
        .expect("reserve")
        .expect("a job");
    assert_eq!(
        (out.as_slice(), again.attempts),
        (message(0, 10).as_slice(), 2)
    );
    assert_ne!(again.token, first.token);
    assert!(queue.ack(&again).expect("ack"));
    assert!(!queue.ack(&again).expect("second ack"));
    let stats = queue.stats().expect("stats");
    assert_eq!(
        (stats.length, stats.in_flight, stats.retries, stats.dequeued),
        (1, 0, 1, 2)
    );
}

#[test]
fn expired_leases_are_redelivered_then_dead_lettered() {
    let scratch = Scratch::new("expire");
    let options = CreateOptions {
        capacity: 1 << 16,
        max_attempts: 2,
        ..CreateOptions::default()
    };
    let mut queue = Queue::open(&scratch.name, || Ok(options.clone())).expect("open");
    queue.push(b"job").expect("push");
    let mut out = Vec::new();
    let first = queue
        .reserve(Some(1), &mut out)
        .expect("reserve")
        .expect("job");
    std::thread::sleep(Duration::from_millis(5));
    out.clear();
    let second = queue
        .reserve(Some(1), &mut out)
        .expect("reserve")
        .expect("expired job again");
    assert_eq!((out.as_slice(), second.attempts), (&b"job"[..], 2));
    assert!(
        !queue.ack(&first).expect("stale ack"),
        "the first worker lost its lease"
    );
    std::thread::sleep(Duration::from_millis(5));
    out.clear();
    assert_eq!(
        queue.reserve(Some(1), &mut out).expect("reserve"),
        None,
        "out of attempts: dead, not redelivered"
    );
    let stats = queue.stats().expect("stats");
    assert_eq!(
        (stats.dead, stats.expired, stats.in_flight, stats.length),
        (1, 2, 0, 0)
    );
    assert_eq!(
        queue.dead_letters(10).expect("dead"),
        vec![(2, b"job".to_vec())]
    );
    assert_eq!(queue.requeue_dead().expect("requeue"), 1);
    out.clear();
    let revived = queue
        .reserve(None, &mut out)
        .expect("reserve")
        .expect("requeued job");
    assert_eq!(revived.attempts, 1);
    assert!(queue.release(&revived, 0).expect("release"));
    let last = queue
        .reserve(None, &mut out)
        .expect("reserve")
        .expect("job");
    assert!(queue.release(&last, 0).expect("release at max attempts"));
    assert_eq!(
        queue.stats().expect("stats").dead,
        1,
        "released at its last attempt: dead"
    );
    assert_eq!(queue.purge_dead().expect("purge"), 1);
    let stats = queue.stats().expect("stats");
    assert_eq!((stats.dead, stats.purged, stats.used_bytes), (0, 1, 0));
}

#[test]
fn release_with_delay_waits_before_redelivery() {
    let scratch = Scratch::new("delay");
    let mut queue = scratch.open(1 << 16);
    queue.push(b"retry me").expect("push");
    let mut out = Vec::new();
    let job = queue
        .reserve(None, &mut out)
        .expect("reserve")
        .expect("job");
    assert!(queue.release(&job, 80).expect("release"));
    assert_eq!(queue.stats().expect("stats").delayed, 1);
    assert_eq!(
        queue.reserve(None, &mut out).expect("reserve"),
        None,
        "not before its delay"
    );
    std::thread::sleep(Duration::from_millis(100));
    out.clear();
    let again = queue
        .reserve(None, &mut out)
        .expect("reserve")
        .expect("after the delay");
    assert_eq!((out.as_slice(), again.attempts), (&b"retry me"[..], 2));
    let stats = queue.stats().expect("stats");
    assert_eq!((stats.delayed, stats.in_flight, stats.expired), (0, 1, 0));
}

/// The clock counts whole milliseconds: a delay taken from a cut `now` would end up to 1 ms
/// early, which a framework's "not before" check sees (measured with a finer clock here).
#[test]
fn delays_never_end_early() {
    let scratch = Scratch::new("never-early");
    let mut queue = scratch.open(1 << 16);
    let mut out = Vec::new();
    for round in 0..40 {
        queue.push(b"job").expect("push");
        let job = queue
            .reserve(None, &mut out)
            .expect("reserve")
            .expect("job");
        let released = std::time::Instant::now();
        assert!(
            queue.release(&job, 3).expect("release"),
            "round {round}: the lease was still ours"
        );
        out.clear();
        while queue
            .reserve(None, &mut out)
            .expect("reserve")
            .map(|job| queue.ack(&job))
            .is_none()
        {
            std::hint::spin_loop();
        }
        let waited = released.elapsed();
        assert!(
            waited >= Duration::from_millis(3),
            "round {round}: released job back after {waited:?}"
        );
        let released = std::time::Instant::now();
        queue
            .push_at(b"later", Some(shmqueue_core::deadline_ms(3)))
            .expect("push_at");
        while pop(&mut queue).is_none() {
            std::hint::spin_loop();
        }
        let waited = released.elapsed();
        assert!(
            waited >= Duration::from_millis(3),
            "round {round}: delayed message after {waited:?}"
        );
        out.clear();
    }
}

/// Issue 11.4: a retry loop (`release($job, 3600)` while a mail server is down) must not hold
/// the lease slots that reserving needs. Every slot reserved, every job released for an hour:
/// the next message can still be reserved, and a job released for a moment comes back.
#[test]
fn delayed_releases_give_their_lease_slots_back() {
    let scratch = Scratch::new("delayslots");
    let mut queue = scratch.open(1 << 16);
    let slots = queue.stats().expect("stats").slots as usize;
    for i in 0..=slots {
        queue.push(&message(i, 20)).expect("push");
    }
    // One pushed with a delay of its own, so the in-place path (a record with a not_before word)
    // is covered too.
    queue
        .push_at(b"delayed enqueue", Some(shmqueue_core::now_ms()))
        .expect("push_at");
    let mut out = Vec::new();
    let jobs: Vec<_> = (0..slots)
        .map(|_| {
            queue
                .reserve(Some(60_000), &mut out)
                .expect("reserve")
                .expect("a job")
        })
        .collect();
    let (soon, later) = jobs.split_first().expect("jobs");
    assert!(queue.release(soon, 50).expect("release"));
    for job in later {
        assert!(queue.release(job, 3_600_000).expect("release for an hour"));
    }
    let stats = queue.stats().expect("stats");
    // The released jobs, and the delayed enqueue (due, not yet taken).
    assert_eq!((stats.in_flight, stats.delayed), (0, slots as u64 + 1));
    out.clear();
    let next = queue
        .reserve(Some(60_000), &mut out)
        .expect("reserve after the delayed releases")
        .expect("the next message");
    assert_eq!(out, message(slots, 20));
    assert!(queue.ack(&next).expect("ack"));
    out.clear();
    let delayed = queue
        .reserve(Some(60_000), &mut out)
        .expect("reserve")
        .expect("the delayed enqueue");
    assert_eq!(out, b"delayed enqueue");
    assert!(queue
        .release(&delayed, 3_600_000)
        .expect("release in place"));
    assert!(!queue.ack(soon).expect("a released job is no longer ours"));
    std::thread::sleep(Duration::from_millis(80));
    out.clear();
    let again = queue
        .reserve(Some(60_000), &mut out)
        .expect("reserve")
        .expect("the job released for a moment, after its delay");
    assert_eq!((out, again.attempts), (message(0, 20), 2));
    let stats = queue.stats().expect("stats");
    assert_eq!(
        (stats.in_flight, stats.delayed, stats.retries),
        (1, slots as u64, slots as u64 + 1)
    );
    assert_eq!(
        stats.enqueued - stats.dequeued,
        stats.length + stats.in_flight + stats.dead
    );
}

#[test]
fn delayed_enqueue_is_invisible_until_its_time() {
    let scratch = Scratch::new("later");
    let mut queue = scratch.open(1 << 16);
    queue
        .push_at(b"later", Some(shmqueue_core::now_ms() + 60))
        .expect("push_at");
    queue.push(b"now").expect("push");
    assert_eq!(pop(&mut queue), Some(b"now".to_vec()));
    assert_eq!(pop(&mut queue), None);
    assert_eq!(queue.len().expect("len"), 1, "a delayed message is waiting");
    std::thread::sleep(Duration::from_millis(80));
    assert_eq!(pop(&mut queue), Some(b"later".to_vec()));
}

#[test]
fn a_long_lease_at_the_head_does_not_fill_the_ring() {
    let scratch = Scratch::new("compact");
    let mut queue = scratch.open(4096);
    queue.push(b"slow job").expect("push");
    let mut out = Vec::new();
    let slow = queue
        .reserve(None, &mut out)
        .expect("reserve")
        .expect("job");
    // Far more traffic than the ring holds flows past the leased record.
    for i in 0..20_000 {
        assert!(
            queue.push(&message(i, 40)).expect("push"),
            "ring filled up behind a lease at message {i}"
        );
        assert_eq!(pop(&mut queue), Some(message(i, 40)));
    }
    assert!(queue.ack(&slow).expect("ack after the record moved"));
    assert_eq!(queue.stats().expect("stats").used_bytes, 0);
}

#[test]
fn remove_makes_holders_move_to_the_new_queue() {
    let scratch = Scratch::new("remove");
    let mut holder = scratch.open(4096);
    holder.push(b"old").expect("push");
    assert!(Queue::remove(&scratch.name).expect("remove"));
    assert!(!Queue::remove(&scratch.name).expect("second remove"));
    assert!(holder.push(b"new").expect("push after remove"));
    let mut fresh = scratch.open(4096);
    assert_eq!(
        pop(&mut fresh),
        Some(b"new".to_vec()),
        "the holder wrote into the live queue"
    );
    assert_eq!(pop(&mut fresh), None);
}

#[test]
fn names_and_options_are_validated() {
    for bad in ["", "../x", "a/b", ".hidden", &"x".repeat(201), "caf\u{e9}"] {
        let error = Queue::open(bad, || Ok(CreateOptions::default()))
            .err()
            .expect("invalid name");
        assert!(
            matches!(error, QueueError::InvalidName { .. }),
            "{bad:?}: {error}"
        );
    }
    let scratch = Scratch::new("options");
    for options in [
        CreateOptions {
            capacity: 100,
            ..CreateOptions::default()
        },
        CreateOptions {
            permissions: 0o644 | 0o1000,
            ..CreateOptions::default()
        },
        CreateOptions {
            permissions: 0o400,
            ..CreateOptions::default()
        },
        CreateOptions {
            max_attempts: 0,
            ..CreateOptions::default()
        },
        CreateOptions {
            lease_ms: 0,
            ..CreateOptions::default()
        },
    ] {
        let error = Queue::open(&scratch.name, || Ok(options.clone()))
            .err()
            .expect("invalid options");
        assert!(
            matches!(error, QueueError::InvalidArgument { .. }),
            "{options:?}: {error}"
        );
    }
}

#[test]
fn reopening_keeps_the_original_capacity_and_mode() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = Scratch::new("reopen");
    let options = CreateOptions {
        capacity: 8192,
        permissions: 0o660,
        ..CreateOptions::default()
    };
    Queue::open(&scratch.name, || Ok(options.clone())).expect("create");
    let mode = std::fs::metadata(segment::path(&scratch.name))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
    let mut again = scratch.open(1 << 20);
    assert_eq!(again.stats().expect("stats").capacity, 8192);
}

#[test]
fn a_segment_of_another_layout_version_is_refused_by_name() {
    let scratch = Scratch::new("version");
    scratch.open(4096);
    {
        let segment =
            Segment::open_existing(&scratch.name, std::time::Instant::now()).expect("open");
        let header: &Header = segment.header();
        header
            .layout_version
            .store(LAYOUT_VERSION + 1, Ordering::Relaxed);
    }
    let error = Segment::open_existing(&scratch.name, std::time::Instant::now())
        .err()
        .expect("refused");
    let text = error.to_string();
    assert!(
        text.contains(&format!("layout version {}", LAYOUT_VERSION + 1))
            && text.contains(&format!("reads version {LAYOUT_VERSION}")),
        "{text}"
    );
}

#[test]
fn a_blocked_pop_wakes_when_a_message_arrives_and_times_out_otherwise() {
    let scratch = Scratch::new("wait");
    let mut queue = scratch.open(4096);
    let started = std::time::Instant::now();
    let mut out = Vec::new();
    let got = queue
        .wait_for(
            Event::NotEmpty,
            Duration::from_millis(120),
            &mut || false,
            |q| Ok(q.pop(&mut out)?.then_some(())),
        )
        .expect("wait");
    assert_eq!(got, None);
    assert!(started.elapsed() >= Duration::from_millis(120));
    let mut interrupted_after = 0;
    let got = queue
        .wait_for(
            Event::NotEmpty,
            Duration::from_secs(10),
            &mut || {
                interrupted_after += 1;
                interrupted_after > 2
            },
            |q| Ok(q.pop(&mut out)?.then_some(())),
        )
        .expect("wait");
    assert_eq!(got, None, "an interrupted wait returns early");
}

/// Issue 11.9: no operation waits for ever on a lock a live holder keeps. A thread holds the
/// queue's lock; an operation with a short lock timeout fails naming that thread and its
/// process, and works again once the lock is free.
#[test]
fn a_lock_kept_too_long_fails_naming_its_holder() {
    let scratch = Scratch::new("locktimeout");
    let mut queue = scratch.open(1 << 16);
    queue.set_lock_timeout(Duration::from_millis(300));
    let segment = Segment::open_existing(&scratch.name, std::time::Instant::now()).expect("map");
    let mutex = std::ptr::addr_of!(segment.header().lock) as usize;
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let mutex = mutex as *mut libc::pthread_mutex_t;
        // SAFETY: `segment` keeps the mapping alive until this thread is joined below.
        assert_eq!(unsafe { libc::pthread_mutex_lock(mutex) }, 0);
        // SAFETY: gettid has no preconditions.
        locked_tx
            .send(unsafe { libc::gettid() } as u32)
            .expect("send");
        let _ = release_rx.recv();
        // SAFETY: this thread holds the mutex.
        unsafe { libc::pthread_mutex_unlock(mutex) };
    });
    let tid = locked_rx.recv().expect("the holder locked");
    match queue.push(b"waits") {
        Err(QueueError::LockTimeout { holder, .. }) => {
            assert_eq!(holder.tid, tid);
            assert_eq!(holder.pid, Some(std::process::id()));
            assert!(holder.command.is_some(), "{holder:?}");
        }
        other => panic!("expected a lock timeout naming thread {tid}, got {other:?}"),
    }
    assert_eq!(queue.lock_holder().map(|holder| holder.tid), Some(tid));
    release_tx.send(()).expect("release");
    holder.join().expect("holder");
    assert!(queue.push(b"works again").expect("push"));
    assert_eq!(queue.lock_holder(), None);
}

/// What a front end's sink sees: each message taken, whole, once; a message given in two pieces
/// comes out as one.
#[test]
fn a_sink_receives_each_message_taken_and_two_pieces_come_out_as_one() {
    #[derive(Default)]
    struct Received(Vec<Vec<u8>>);
    impl Sink for Received {
        fn receive(&mut self, payload: &[u8]) {
            self.0.push(payload.to_vec());
        }
    }
    let scratch = Scratch::new("sink");
    let mut queue = scratch.open(1 << 16);
    assert!(queue
        .push(Payload::in_two(b"head:", b"body"))
        .expect("push"));
    assert!(queue.push(b"whole").expect("push"));
    assert!(queue.push(Payload::in_two(b"", b"")).expect("push"));
    let mut received = Received::default();
    while queue.pop(&mut received).expect("pop") {}
    assert_eq!(received.0, [&b"head:body"[..], b"whole", b""]);
}
