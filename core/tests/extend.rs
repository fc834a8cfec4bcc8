//! Extending a lease: the holder keeps its job past the original lease; a lease that is no
//! longer the caller's (taken again after it ran out, acked, released, its queue removed) is
//! not extended and changes nothing.

use std::time::Duration;

use shmqueue_core::{now_ms, CreateOptions, Lease, Queue};

fn open(test: &str) -> (String, Queue) {
    let name = format!("coretest-extend-{test}-{}", std::process::id());
    Queue::remove(&name).expect("remove stale queue");
    let options = CreateOptions {
        capacity: 1 << 16,
        ..CreateOptions::default()
    };
    let queue = Queue::open(&name, || Ok(options)).expect("open queue");
    (name, queue)
}

fn reserve(queue: &mut Queue, lease_ms: u64) -> Option<Lease> {
    queue
        .reserve(Some(lease_ms), &mut Vec::new())
        .expect("reserve")
}

#[test]
fn an_extended_lease_keeps_the_job_past_its_first_end() {
    let (name, mut queue) = open("keeps");
    queue.push(b"long job").expect("push");
    let job = reserve(&mut queue, 30).expect("a job");
    let before = now_ms();
    let until = queue
        .extend(&job, 60_000)
        .expect("extend")
        .expect("still ours");
    assert!(
        until >= before + 60_000 && until <= now_ms() + 60_000,
        "now + 60 s, got {until}"
    );
    std::thread::sleep(Duration::from_millis(80)); // well past the first lease
    assert_eq!(
        reserve(&mut queue, 1_000),
        None,
        "extended: not redelivered"
    );
    let stats = queue.stats().expect("stats");
    assert_eq!((stats.in_flight, stats.expired), (1, 0));
    assert!(queue.ack(&job).expect("ack"), "the original job still acks");
    assert_eq!(
        queue.extend(&job, 1_000).expect("extend"),
        None,
        "acked: not ours"
    );
    let _ = Queue::remove(&name);
}

#[test]
fn a_lease_taken_by_another_worker_is_not_extended() {
    let (name, mut queue) = open("lost");
    queue.push(b"job").expect("push");
    let first = reserve(&mut queue, 1).expect("a job");
    std::thread::sleep(Duration::from_millis(5));
    let second = reserve(&mut queue, 60_000).expect("the expired job again");
    assert_eq!(second.attempts, 2);
    assert_eq!(
        queue.extend(&first, 60_000).expect("extend"),
        None,
        "lost to the second"
    );
    let stats = queue.stats().expect("stats");
    assert_eq!((stats.in_flight, stats.expired), (1, 1));
    assert!(queue.extend(&second, 120_000).expect("extend").is_some());
    assert!(queue.release(&second, 0).expect("release"));
    assert_eq!(
        queue.extend(&second, 1_000).expect("extend"),
        None,
        "released: not ours"
    );
    let _ = Queue::remove(&name);
}

#[test]
fn a_run_out_lease_nobody_took_is_still_the_holders() {
    let (name, mut queue) = open("late");
    queue.push(b"job").expect("push");
    let job = reserve(&mut queue, 1).expect("a job");
    std::thread::sleep(Duration::from_millis(5));
    assert!(queue.extend(&job, 60_000).expect("extend").is_some());
    assert_eq!(
        reserve(&mut queue, 1_000),
        None,
        "extended before anyone took it"
    );
    assert!(queue.ack(&job).expect("ack"));
    let _ = Queue::remove(&name);
}

#[test]
fn a_lease_of_a_removed_queue_is_lost() {
    let (name, mut queue) = open("removed");
    queue.push(b"job").expect("push");
    let job = reserve(&mut queue, 60_000).expect("a job");
    assert!(Queue::remove(&name).expect("remove"));
    assert_eq!(queue.extend(&job, 1_000).expect("extend"), None);
    let _ = Queue::remove(&name);
}
