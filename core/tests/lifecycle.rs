//! A queue's life across processes and users: creation racing removal, creators that die, removals
//! that fail, re-creation by another user, queues planted by another user, removal from outside,
//! and what a process keeps of the queues it used (descriptors, mappings). Issue 11.
//!
//! One `#[test]` runs the scenarios in turn (see `forking`). Scenarios with other users need root
//! (they drop to `nobody` in a child) and say so when skipped.

use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use shmqueue_core::segment;
use shmqueue_core::{CreateOptions, OpenOptions, Queue, QueueError};

mod forking;
use forking::*;

const NOBODY: u32 = 65534;

fn name(scenario: &str) -> String {
    let name = format!("corelife-{scenario}-{}", std::process::id());
    Queue::remove(&name).expect("remove stale");
    name
}

fn options(permissions: u32) -> CreateOptions {
    CreateOptions {
        capacity: 1 << 16,
        permissions,
        ..CreateOptions::default()
    }
}

fn open(name: &str, permissions: u32) -> Queue {
    Queue::open(name, || Ok(options(permissions))).expect("open")
}

fn pop_all(queue: &mut Queue) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    queue.pop_many(usize::MAX, &mut all).expect("pop_many");
    all
}

fn owner_of(name: &str) -> (u32, u32) {
    let metadata = std::fs::metadata(segment::path(name)).expect("the queue exists");
    (metadata.uid(), metadata.gid())
}

#[test]
fn lifecycle_scenarios() {
    a_remove_during_creation_waits_and_the_creator_moves_on();
    a_creator_killed_while_reserving_pages_is_taken_over();
    a_creator_finishing_while_an_opener_looks_keeps_its_queue();
    a_storm_of_removes_gives_no_spurious_errors();
    a_queue_unlinked_from_outside_is_left_for_the_new_one();
    a_queue_resized_from_outside_is_not_written_any_more();
    descriptors_are_closed_and_removed_mappings_let_go();
    if !is_root() {
        println!("skipped the scenarios with other users: they need root");
        return;
    }
    a_failed_remove_changes_nothing();
    a_queue_recreated_by_another_user_keeps_its_owner();
    queues_of_untrusted_owners_or_writable_by_others_are_refused();
}

/// 11.5: `remove()` while another process is still creating the queue waits for the creation
/// instead of unlinking the half-made segment; the creator then sees the removal and its message
/// goes to the queue that can be found by name (before: into an orphan).
fn a_remove_during_creation_waits_and_the_creator_moves_on() {
    let name = name("removecreate");
    let (paused_read, paused_write) = pipe();
    let (go_read, go_write) = pipe();
    let child_name = name.clone();
    let pid = fork(move || {
        std::env::set_var("SHMQUEUE_TEST_PAUSE_MS", "300");
        let fd = paused_write.as_raw_fd();
        shmqueue_core::hooks::arm("creating", move || write_byte(fd));
        let mut queue = open(&child_name, 0o600);
        read_byte(&go_read);
        i32::from(!queue.push(b"after the removal").expect("push"))
    });
    read_byte(&paused_read);
    let started = Instant::now();
    assert!(
        Queue::remove(&name).expect("remove"),
        "it removed the queue"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "remove waited for the creator"
    );
    write_byte(go_write.as_raw_fd());
    assert_eq!(wait_exit(pid), 0, "the creator's push");
    let mut queue = Queue::open_existing(&name).expect("the creator's new queue, by name");
    assert_eq!(pop_all(&mut queue), [b"after the removal".to_vec()]);
    Queue::remove(&name).expect("remove");
}

/// 11.13: a creator killed while reserving the pages of a big queue left a name every open waited
/// 2 s on and then refused, for ever. The next opener takes it over at once.
fn a_creator_killed_while_reserving_pages_is_taken_over() {
    let name = name("deadcreator");
    let (paused_read, paused_write) = pipe();
    let child_name = name.clone();
    let pid = fork(move || {
        let fd = paused_write.as_raw_fd();
        shmqueue_core::hooks::arm("creating", move || write_byte(fd));
        open(&child_name, 0o600);
        0
    });
    read_byte(&paused_read);
    kill(pid);
    let started = Instant::now();
    let mut queue = Queue::open(&name, || Ok(options(0o600))).expect("open takes it over");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took over without the 2 s wait"
    );
    assert!(queue.push(b"works").expect("push"));
    assert_eq!(pop_all(&mut queue), [b"works".to_vec()]);
    Queue::remove(&name).expect("remove");
}

/// An opener that found the queue not ready and then its creation lock free took the creator's
/// finished queue for abandoned, unlinked it and made a new one: the messages the creator had
/// put in meanwhile were gone (seen as 63 lost in a durable power-loss run). The opener looks
/// again once it holds the lock, and opens the creator's queue.
fn a_creator_finishing_while_an_opener_looks_keeps_its_queue() {
    let name = name("creatorfinishes");
    let (creator_paused, creator_paused_write) = pipe();
    let (creator_go_read, creator_go) = pipe();
    let creator_name = name.clone();
    let creator = fork(move || {
        std::env::set_var("SHMQUEUE_TEST_PAUSE_MS", "0");
        let (paused, go) = (creator_paused_write.as_raw_fd(), creator_go_read);
        shmqueue_core::hooks::arm("creating", move || {
            write_byte(paused);
            read_byte(&go);
        });
        let mut queue = open(&creator_name, 0o600);
        i32::from(!queue.push(b"the creator's").expect("push"))
    });
    read_byte(&creator_paused);
    let (opener_paused, opener_paused_write) = pipe();
    let (opener_go_read, opener_go) = pipe();
    let opener_name = name.clone();
    let opener = fork(move || {
        std::env::set_var("SHMQUEUE_TEST_PAUSE_MS", "0");
        let (paused, go) = (opener_paused_write.as_raw_fd(), opener_go_read);
        let first = std::sync::atomic::AtomicBool::new(true);
        shmqueue_core::hooks::arm("opening-unready", move || {
            if first.swap(false, std::sync::atomic::Ordering::Relaxed) {
                write_byte(paused);
                read_byte(&go);
            }
        });
        let mut queue = open(&opener_name, 0o600);
        i32::from(!queue.push(b"the opener's").expect("push"))
    });
    read_byte(&opener_paused);
    write_byte(creator_go.as_raw_fd());
    assert_eq!(wait_exit(creator), 0, "the creator finished and pushed");
    write_byte(opener_go.as_raw_fd());
    assert_eq!(wait_exit(opener), 0, "the opener opened and pushed");
    let mut queue = Queue::open_existing(&name).expect("the queue, by name");
    assert_eq!(
        pop_all(&mut queue),
        [b"the creator's".to_vec(), b"the opener's".to_vec()],
        "one queue holds both messages"
    );
    Queue::remove(&name).expect("remove");
}

/// 11.13: removers racing each other and a producer: the producer never gets "removed 16 times"
/// (before: it kept reopening a segment that was flagged but not yet unlinked).
fn a_storm_of_removes_gives_no_spurious_errors() {
    let name = name("storm");
    let mut queue = open(&name, 0o600);
    let removers: Vec<_> = (0..3)
        .map(|_| {
            let name = name.clone();
            fork(move || {
                for _ in 0..300 {
                    if Queue::remove(&name).is_err() {
                        return 1;
                    }
                }
                0
            })
        })
        .collect();
    let mut errors = Vec::new();
    for i in 0..3000u32 {
        if let Err(error) = queue.push(&i.to_le_bytes()) {
            errors.push(error.to_string());
        }
    }
    for pid in removers {
        assert_eq!(wait_exit(pid), 0, "a remover failed");
    }
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    Queue::remove(&name).expect("remove");
}

/// 11.14: a segment `rm`ed from outside (a cleaner, RemoveIPC) is noticed within a second and 64
/// operations: later messages go to a queue that can be found by name, not into the orphan.
fn a_queue_unlinked_from_outside_is_left_for_the_new_one() {
    let name = name("rm");
    let mut queue = open(&name, 0o600);
    assert!(queue.push(b"before").expect("push"));
    std::fs::remove_file(segment::path(&name)).expect("rm");
    std::thread::sleep(Duration::from_millis(1100));
    for i in 0..100u32 {
        assert!(queue.push(&i.to_le_bytes()).expect("push"));
    }
    let mut fresh = Queue::open_existing(&name).expect("the queue exists again");
    let found = pop_all(&mut fresh).len();
    assert!(
        (36..=100).contains(&found),
        "{found} of the later messages are reachable"
    );
    Queue::remove(&name).expect("remove");
}

/// 11.14: a segment resized from outside (its pages could go away under a writer: SIGBUS) is
/// noticed the same way and no longer used; reopening it by name reports the damage.
fn a_queue_resized_from_outside_is_not_written_any_more() {
    let name = name("resize");
    let mut queue = open(&name, 0o600);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(segment::path(&name))
        .expect("open the segment");
    let size = file.metadata().expect("stat").len();
    file.set_len(size + 4096).expect("resize");
    std::thread::sleep(Duration::from_millis(1100));
    let outcome = (0..100u32).find_map(|i| queue.push(&i.to_le_bytes()).err());
    assert!(
        matches!(outcome, Some(QueueError::Corrupt { .. })),
        "expected the resized segment refused, got {outcome:?}"
    );
    Queue::remove(&name).expect("remove");
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

fn mappings_of(name: &str) -> usize {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    let file = format!("shmqueue.{name}");
    maps.lines().filter(|line| line.contains(&file)).count()
}

/// 11.11: each queue opened kept a descriptor for the process's life (the 1018th queue failed
/// with "Too many open files"); and a removed queue stayed mapped.
fn descriptors_are_closed_and_removed_mappings_let_go() {
    let before = open_descriptors();
    let names: Vec<String> = (0..40).map(|i| name(&format!("fd{i}"))).collect();
    let queues: Vec<Queue> = names.iter().map(|name| open(name, 0o600)).collect();
    assert_eq!(open_descriptors(), before, "no descriptor kept per queue");
    drop(queues);
    for name in &names {
        Queue::remove(name).expect("remove");
    }

    let name = name("unmap");
    let mut queue = open(&name, 0o600);
    assert!(queue.push(b"x").expect("push"));
    let remover = name.clone();
    let pid = fork(move || i32::from(!Queue::remove(&remover).expect("remove")));
    assert_eq!(wait_exit(pid), 0);
    assert_eq!(mappings_of(&name), 1);
    drop(queue);
    assert_eq!(
        mappings_of(&name),
        0,
        "the removed queue's mapping was let go"
    );
}

/// 11.6: a group member that is not the owner calls `remove()` on a 0660 queue: `shm_unlink`
/// fails, and before, `removed` was already set: every process then failed for good.
fn a_failed_remove_changes_nothing() {
    let name = name("failedremove");
    let mut queue = open(&name, 0o660);
    std::os::unix::fs::chown(segment::path(&name), None, Some(NOBODY)).expect("chgrp");
    let remover = name.clone();
    let pid = fork(move || {
        become_user(NOBODY);
        match Queue::remove(&remover) {
            Err(QueueError::PermissionDenied { .. }) => 0,
            other => {
                eprintln!("expected permission denied, got {other:?}");
                1
            }
        }
    });
    assert_eq!(wait_exit(pid), 0, "the non-owner's remove was refused");
    assert!(queue
        .push(b"still works")
        .expect("push after the failed remove"));
    assert_eq!(pop_all(&mut queue), [b"still works".to_vec()]);
    Queue::remove(&name).expect("remove");
}

/// 11.7: a worker of another user, using a queue that an operator removes, re-created it as
/// itself: the owner's processes then got permission denied. Now it does not re-create it; and
/// root re-creating a queue of another user gives it back to that user.
fn a_queue_recreated_by_another_user_keeps_its_owner() {
    let name = name("recreate");
    let queue = open(&name, 0o660);
    std::os::unix::fs::chown(segment::path(&name), None, Some(NOBODY)).expect("chgrp");
    let (ready_read, ready_write) = pipe();
    let (go_read, go_write) = pipe();
    let worker = name.clone();
    let pid = fork(move || {
        become_user(NOBODY);
        let mut queue = Queue::open(&worker, || Ok(options(0o660))).expect("open as nobody");
        write_byte(ready_write.as_raw_fd());
        read_byte(&go_read);
        match queue.push(b"from nobody") {
            Err(QueueError::OwnerOnly { owner_uid: 0, .. }) => 0,
            other => {
                eprintln!("expected to be refused the re-creation, got {other:?}");
                1
            }
        }
    });
    read_byte(&ready_read);
    assert!(Queue::remove(&name).expect("remove"));
    write_byte(go_write.as_raw_fd());
    assert_eq!(wait_exit(pid), 0);
    assert!(
        !std::path::Path::new(&segment::path(&name)).exists(),
        "nobody did not re-create it"
    );
    drop(queue);

    // A queue of nobody's, used by root (trusting nobody), removed: root re-creates it as nobody's.
    let creator = name.clone();
    let pid = fork(move || {
        become_user(NOBODY);
        i32::from(Queue::open(&creator, || Ok(options(0o600))).is_err())
    });
    assert_eq!(wait_exit(pid), 0);
    let trusting = OpenOptions {
        trusted_users: Some(vec![NOBODY]),
        ..OpenOptions::default()
    };
    let mut queue = Queue::open_with(&name, trusting, || Ok(options(0o600))).expect("open");
    Queue::remove(&name).expect("remove");
    assert!(queue.push(b"re-created").expect("push re-creates"));
    assert_eq!(
        owner_of(&name),
        (NOBODY, NOBODY),
        "the owner and group were kept"
    );
    Queue::remove(&name).expect("remove");
}

/// 11.8: any local user could create a queue name first and plant values that root's consumer
/// then decoded. A queue is opened only when its owner is trusted and nobody else may write it.
fn queues_of_untrusted_owners_or_writable_by_others_are_refused() {
    let name = name("squat");
    let squatter = name.clone();
    let pid = fork(move || {
        become_user(NOBODY);
        i32::from(Queue::open(&squatter, || Ok(options(0o600))).is_err())
    });
    assert_eq!(wait_exit(pid), 0);
    match Queue::open_with(&name, OpenOptions::default(), || Ok(options(0o600))) {
        Err(QueueError::Untrusted {
            owner_uid: NOBODY,
            mode: 0o600,
            ..
        }) => {}
        other => panic!("expected nobody's queue refused, got {:?}", other.err()),
    }
    let trusting = OpenOptions {
        trusted_users: Some(vec![NOBODY]),
        ..OpenOptions::default()
    };
    Queue::open_with(&name, trusting, || Ok(options(0o600))).expect("a trusted owner's queue");
    Queue::remove(&name).expect("remove");

    // Nobody creates a queue writable by everyone...
    match Queue::open(&name, || Ok(options(0o666))) {
        Err(QueueError::InvalidArgument {
            what: "permissions",
            ..
        }) => {}
        other => panic!(
            "expected a world-writable mode refused, got {:?}",
            other.err()
        ),
    }
    // ...but another process can make root's own queue so afterwards.
    let maker = name.clone();
    let pid = fork(move || i32::from(Queue::open(&maker, || Ok(options(0o600))).is_err()));
    assert_eq!(wait_exit(pid), 0);
    std::fs::set_permissions(
        shmqueue_core::segment::path(&name),
        std::os::unix::fs::PermissionsExt::from_mode(0o666),
    )
    .expect("chmod 0666");
    match Queue::open_with(&name, OpenOptions::default(), || Ok(options(0o600))) {
        Err(QueueError::Untrusted {
            owner_uid: 0,
            mode: 0o666,
            ..
        }) => {}
        other => panic!(
            "expected a queue writable by others refused, got {:?}",
            other.err()
        ),
    }
    Queue::remove(&name).expect("remove");
}
