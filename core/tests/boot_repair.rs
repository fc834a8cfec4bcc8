//! The first open after a new boot of a durable file whose pages reached the disk from different
//! moments (a power cut): cold copies of a queue's file, changed as such a crash leaves them,
//! opened as after a reboot. Torn records and bytes never written are cut off the tail (and
//! counted in `torn_dropped`), a record of an older turn of the ring is never taken for a new
//! one, and slots and records that disagree are made to agree without losing a message.
//!
//! Each open runs on a fresh thread: mappings are kept per thread, so a new thread maps the file
//! anew as a new process of the next boot would.

use std::mem::offset_of;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use shmqueue_core::layout::{
    ring_offset, Durable, Header, RecordHeader, RecordState, DURABLE_OFFSET, FEATURE_CRC32C,
    FEATURE_DURABLE, HEADER_SIZE, SLOT_SIZE,
};
use shmqueue_core::{Kept, Payload, Queue, Recovery, SyncPolicy};

mod durable_file;
use durable_file::open_durable;

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shmq-core-boot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn open(name: &str, dir: &Path) -> Queue {
    open_durable(name, dir, SyncPolicy::Off, Duration::from_secs(1)).expect("open")
}

/// A queue of its own, filled by `fill` in this thread, then closed: its file's bytes.
fn queue_file(fill: impl FnOnce(&mut Queue) + Send) -> Vec<u8> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let name = format!("orig-{}", SEQ.fetch_add(1, Ordering::Relaxed));
    let dir = dir();
    std::thread::scope(|scope| {
        scope
            .spawn(|| fill(&mut open(&name, &dir)))
            .join()
            .expect("fill");
    });
    std::fs::read(dir.join(format!("{name}.shmq"))).expect("read the file")
}

/// What a fresh process of a new boot finds in an image: the ready messages it takes, in order,
/// and its stats.
struct Opened {
    taken: Vec<String>,
    ready_at_open: u64,
    in_flight_at_open: u64,
    torn_dropped: u64,
    last_recovery: Recovery,
}

fn reboot_and_open(tag: &str, mut image: Vec<u8>) -> Opened {
    // A new boot id, as a crash-image tool would write (0x300: the boot id).
    image[DURABLE_OFFSET..DURABLE_OFFSET + 16].fill(0xA5);
    let dir = dir();
    let name = format!("image-{tag}");
    std::fs::write(dir.join(format!("{name}.shmq")), &image).expect("write the image");
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut queue = open(&name, &dir);
                let stats = queue.stats().expect("stats");
                let mut taken = Vec::new();
                let mut out = Vec::new();
                while queue.pop(&mut out).expect("pop") {
                    taken.push(String::from_utf8(std::mem::take(&mut out)).expect("utf8"));
                }
                let durable = queue.durable_stats().expect("durable");
                Opened {
                    taken,
                    ready_at_open: stats.ready,
                    in_flight_at_open: stats.in_flight,
                    torn_dropped: durable.torn_dropped,
                    last_recovery: stats.last_recovery,
                }
            })
            .join()
            .expect("open the image")
    })
}

fn word(image: &[u8], offset: usize) -> u64 {
    u64::from_le_bytes(image[offset..offset + 8].try_into().expect("8 bytes"))
}

fn set_word(image: &mut [u8], offset: usize, value: u64) {
    image[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
}

const HEAD: usize = offset_of!(Header, head);
const TAIL: usize = offset_of!(Header, tail);

fn ring(image: &[u8]) -> (usize, u64) {
    let slots = u32::from_le_bytes(image[0x20..0x24].try_into().expect("4 bytes"));
    (
        ring_offset(slots),
        word(image, offset_of!(Header, ring_size)),
    )
}

/// File offset of position `pos`.
fn at(image: &[u8], pos: u64) -> usize {
    let (offset, size) = ring(image);
    offset + (pos % size) as usize
}

/// The records from head to tail: position and header.
fn records(image: &[u8]) -> Vec<(u64, RecordHeader)> {
    let checksums = word(image, DURABLE_OFFSET + offset_of!(Durable, features)) & FEATURE_CRC32C;
    let mut found = Vec::new();
    let mut pos = word(image, HEAD);
    while pos < word(image, TAIL) {
        let header =
            RecordHeader::decode(word(image, at(image, pos)), checksums != 0).expect("a record");
        found.push((pos, header));
        pos += header.footprint();
    }
    found
}

fn slot_field(index: u16, field: usize) -> usize {
    HEADER_SIZE + usize::from(index) * SLOT_SIZE + field
}

fn messages(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("message {i:03}")).collect()
}

fn push(queue: &mut Queue, range: std::ops::Range<u32>) {
    for message in messages(range) {
        assert!(queue.push(message.as_bytes()).expect("push"));
    }
}

#[test]
fn a_garbled_payload_byte_of_the_last_record_drops_that_record_alone() {
    let mut image = queue_file(|queue| push(queue, 0..10));
    assert_ne!(
        word(&image, DURABLE_OFFSET + offset_of!(Durable, features)) & FEATURE_CRC32C,
        0,
        "a new file checksums its records"
    );
    let (pos, last) = *records(&image).last().expect("records");
    let byte = at(&image, pos) + last.payload_offset() as usize + 3;
    image[byte] ^= 0x20;
    let opened = reboot_and_open("garbled", image);
    assert_eq!(opened.taken, messages(0..9), "the rest, in order");
    assert_eq!(opened.torn_dropped, 1);
    assert_eq!(opened.ready_at_open, 9, "counted from the records");
    assert_eq!(opened.last_recovery, Recovery::Repaired);
}

#[test]
fn a_record_of_the_next_turn_written_over_the_head_keeps_the_waiting_ones_after_it() {
    // A nearly full ring: the head record was taken and a record of the next turn written over
    // its bytes, that ring page reaching the disk before the header that moved the head.
    let mut image = queue_file(|queue| push(queue, 0..10));
    let (offset, size) = ring(&image);
    let footprint = (records(&image)[1].0 - records(&image)[0].0) as u32;
    let newer = queue_file(|queue| {
        let mut out = Vec::new();
        for message in messages(0..(size as u32 / footprint)) {
            assert!(queue.push(message.as_bytes()).expect("push"));
            assert!(queue.pop(&mut out).expect("pop"));
        }
        assert!(queue.push(b"x").expect("push")); // at position `size`: ring offset 0
    });
    let over = &records(&newer)[0];
    assert_eq!(over.0, size);
    let len = over.1.footprint() as usize;
    assert!(len < footprint as usize);
    image[offset..offset + len].copy_from_slice(&newer[offset..offset + len]);
    let opened = reboot_and_open("next-turn", image);
    assert_eq!(
        opened.taken,
        messages(1..10),
        "all but the overwritten one, in order"
    );
    assert_eq!(opened.torn_dropped, 1, "the newer record's header, skipped");
    assert_eq!(opened.last_recovery, Recovery::Repaired);
}

#[test]
fn a_torn_record_amid_whole_ones_is_dropped_alone_and_stays_dropped() {
    let mut image = queue_file(|queue| push(queue, 0..6));
    let (pos, torn) = records(&image)[2];
    let byte = at(&image, pos) + torn.payload_offset() as usize;
    image[byte] ^= 1;
    // Opened once (the repair runs at the open), then the file as it is then, rebooted again:
    // the stretch skipped is a removed record now, with a CRC of its own, so the second boot
    // finds nothing to repair.
    image[DURABLE_OFFSET..DURABLE_OFFSET + 16].fill(0x5A);
    let dir = dir();
    let path = dir.join("image-amid.shmq");
    std::fs::write(&path, &image).expect("write the image");
    std::thread::scope(|scope| {
        scope
            .spawn(|| drop(open("image-amid", &dir)))
            .join()
            .expect("open");
    });
    let repaired = std::fs::read(&path).expect("read");
    let opened = reboot_and_open("amid-again", repaired);
    assert_eq!(
        opened.taken,
        [0, 1, 3, 4, 5].map(|i| format!("message {i:03}"))
    );
    assert_eq!(opened.torn_dropped, 1);
    assert_ne!(
        opened.last_recovery,
        Recovery::Repaired,
        "nothing left to repair"
    );
}

#[test]
fn a_tail_beyond_records_never_written_is_cut_back() {
    let mut image = queue_file(|queue| push(queue, 0..5));
    // The header of a later moment: 3 more messages appended, whose bytes never reached the disk.
    let tail = word(&image, TAIL);
    set_word(&mut image, TAIL, tail + 3 * 24);
    let ready = offset_of!(Header, counters);
    let counted = word(&image, ready);
    set_word(&mut image, ready, counted + 3);
    let opened = reboot_and_open("tail", image);
    assert_eq!(opened.taken, messages(0..5));
    assert_eq!(opened.ready_at_open, 5);
    assert_eq!(opened.torn_dropped, 0, "zero words are no records");
    assert_eq!(opened.last_recovery, Recovery::Repaired);
}

#[test]
fn a_record_of_an_older_turn_of_the_ring_at_the_same_offset_is_not_taken() {
    let mut image = queue_file(|queue| push(queue, 0..8));
    // The header of one turn later, when other records were at these offsets (the ring pages
    // still hold the older turn's): whole and well-formed, but not the records of these positions.
    let (_, size) = ring(&image);
    for field in [HEAD, TAIL] {
        let pos = word(&image, field);
        set_word(&mut image, field, pos + size);
    }
    let opened = reboot_and_open("ghost", image);
    assert_eq!(opened.taken, Vec::<String>::new());
    assert_eq!(opened.ready_at_open, 0);
    assert_eq!(opened.torn_dropped, 8, "their headers read as live records");
}

#[test]
fn slots_and_records_that_disagree_deliver_again_and_count_right() {
    let mut image = queue_file(|queue| {
        push(queue, 0..5);
        let mut out = Vec::new();
        for _ in 0..3 {
            queue
                .reserve(None, &mut out)
                .expect("reserve")
                .expect("job");
        }
    });
    let found = records(&image);
    let leased: Vec<_> = found
        .iter()
        .filter(|(_, header)| header.state == RecordState::Leased)
        .copied()
        .collect();
    assert_eq!(leased.len(), 3);
    // Slot pages of another moment: the first job's slot free (its ack reached the disk, the
    // record's DONE did not), the second's pointing at a ready record. The third stays leased.
    set_word(&mut image, slot_field(leased[0].1.slot, 0), 0);
    set_word(&mut image, slot_field(leased[1].1.slot, 8), found[4].0);
    let opened = reboot_and_open("slots", image);
    assert_eq!(opened.in_flight_at_open, 1, "the third job only");
    assert_eq!(opened.ready_at_open, 4);
    assert_eq!(
        opened.taken,
        vec![0, 1, 3, 4]
            .into_iter()
            .map(|i| format!("message {i:03}"))
            .collect::<Vec<_>>(),
        "delivered again, in order; the third stays leased"
    );
    assert_eq!(opened.torn_dropped, 0);
    assert_eq!(opened.last_recovery, Recovery::Repaired);
}

#[test]
fn an_intact_image_opens_as_it_was() {
    let image = queue_file(|queue| {
        push(queue, 0..6);
        let mut out = Vec::new();
        assert!(queue.pop(&mut out).expect("pop"));
    });
    let opened = reboot_and_open("intact", image);
    assert_eq!(opened.taken, messages(1..6));
    assert_eq!(opened.torn_dropped, 0);
    assert_ne!(
        opened.last_recovery,
        Recovery::Repaired,
        "nothing to repair"
    );
}

/// A message stored in two pieces (a front end's head and a string's own bytes) carries the CRC
/// of the two together: the new boot's checks pass it whole, at any split.
#[test]
fn messages_stored_in_two_pieces_pass_the_checks_of_a_new_boot() {
    let image = queue_file(|queue| {
        for (i, message) in messages(0..8).iter().enumerate() {
            let (head, body) = message.as_bytes().split_at(i);
            assert!(queue.push(Payload::in_two(head, body)).expect("push"));
        }
    });
    let opened = reboot_and_open("two-pieces", image);
    assert_eq!(opened.taken, messages(0..8));
    assert_eq!(opened.torn_dropped, 0);
}

#[test]
fn a_file_without_checksums_keeps_working_and_is_not_walked() {
    // A file of the version before checksums: only the durable feature bit.
    let empty = queue_file(|_| {});
    let features = DURABLE_OFFSET + offset_of!(Durable, features);
    let mut old = empty.clone();
    set_word(&mut old, features, FEATURE_DURABLE);
    let dir = dir();
    std::fs::write(dir.join("old-format.shmq"), &old).expect("write");
    let image = std::thread::scope(|scope| {
        scope
            .spawn(|| push(&mut open("old-format", &dir), 0..4))
            .join()
            .expect("push");
        std::fs::read(dir.join("old-format.shmq")).expect("read")
    });
    let found = records(&image);
    assert_eq!(found.len(), 4);
    assert_eq!(
        found[1].0 - found[0].0,
        24,
        "no CRC word: 8 + 11 bytes, padded to 8"
    );
    let opened = reboot_and_open("old", image);
    assert_eq!(opened.taken, messages(0..4));
    assert_eq!(opened.last_recovery, Recovery::RolledBack);
}

#[test]
fn every_way_of_writing_a_record_leaves_it_whole_for_the_next_boot() {
    // Appends (one, many, delayed, dead letters, restored copies), a delayed release copied to
    // the tail, and compaction moving leased records off the head: each writes a CRC word, and
    // a new boot finds nothing to repair.
    let image = queue_file(|queue| {
        let mut out = Vec::new();
        push(queue, 0..50);
        let leases: Vec<_> = (0..40)
            .map(|_| {
                queue
                    .reserve(None, &mut out)
                    .expect("reserve")
                    .expect("job")
            })
            .collect();
        assert!(queue.release(&leases[0], 60_000).expect("release")); // a copy at the tail
        while queue.pop(&mut out).expect("pop") {} // steps over 39 leased: compaction
        let more = messages(50..60);
        let payloads: Vec<&[u8]> = more.iter().map(|m| m.as_bytes()).collect();
        assert_eq!(queue.push_many(&payloads).expect("push_many"), 10);
        assert!(queue
            .push_at(b"later", Some(shmqueue_core::now_ms() + 60_000))
            .expect("push_at"));
        assert_eq!(queue.bury(&[b"undecodable"]).expect("bury"), 1);
        let snapshot = queue.snapshot().expect("snapshot");
        let copies: Vec<_> = (snapshot.messages.into_iter())
            .filter(|message| matches!(message.kept, Kept::Ready | Kept::Leased { .. }))
            .take(5)
            .collect();
        assert_eq!(queue.restore(&copies).expect("restore"), Some(5));
    });
    let found = records(&image);
    let leased = found.iter().filter(|(_, r)| r.state == RecordState::Leased);
    assert_eq!(leased.count(), 39, "the leases still held");
    // A message of 11 bytes takes 32 (header, CRC word, payload padded to 8).
    assert!(
        found[0].0 >= 50 * 32,
        "compaction moved the leased records past the first 50 records"
    );
    let opened = reboot_and_open("every-writer", image);
    assert_eq!(opened.torn_dropped, 0);
    assert_eq!(opened.in_flight_at_open, 39);
    assert_ne!(
        opened.last_recovery,
        Recovery::Repaired,
        "every record whole"
    );
    assert_eq!(opened.taken.len(), 10 + 5, "the 10 pushed, the 5 restored");
}

#[test]
fn a_full_ring_compacted_in_place_leaves_every_record_whole_for_the_next_boot() {
    // Two leased jobs each followed by a taken message, then waiting ones to the last byte: the
    // next store can only win room by moving the leased records over the removed ones (in
    // place), which must leave their CRC words right for their new positions, and the removed
    // space's too.
    let mut waiting = Vec::new();
    let image = queue_file(|queue| {
        let mut out = Vec::new();
        // The first run is smaller than the job before it: it first travels past the second job
        // and merges with the second run (DONE records written and merged along the way).
        for (held, taken) in [(2000, 200), (100, 2000)] {
            assert!(queue.push("j".repeat(held).as_bytes()).expect("push"));
            assert!(queue.push("x".repeat(taken).as_bytes()).expect("push"));
        }
        for i in 0.. {
            let message = format!("w{i:05}");
            if !queue.push(message.as_bytes()).expect("push") {
                break;
            }
            waiting.push(message);
        }
        for _ in 0..2 {
            queue
                .reserve(None, &mut out)
                .expect("reserve")
                .expect("job");
            assert!(queue.pop(&mut out).expect("pop"), "the taken one");
        }
        assert!(
            queue.push("n".repeat(2100).as_bytes()).expect("push"),
            "a full ring with 2.2 KB removed among leased jobs takes 2.1 KB"
        );
    });
    let opened = reboot_and_open("slid", image);
    assert_eq!(opened.torn_dropped, 0);
    assert_eq!(opened.in_flight_at_open, 2, "the two leased jobs, moved");
    assert_ne!(
        opened.last_recovery,
        Recovery::Repaired,
        "every record whole"
    );
    waiting.push("n".repeat(2100));
    assert!(
        opened.taken == waiting,
        "the waiting ones in order, then the new one"
    );
}

#[test]
fn removed_space_merged_where_no_move_helps_stays_whole_for_the_next_boot() {
    // Two taken messages between leased jobs bigger than both: the store merges them into one
    // removed record, finds no move that wins room and is refused; the merged record's CRC must
    // be right, or a new boot would take it for torn.
    let image = queue_file(|queue| {
        let mut out = Vec::new();
        for body in [
            "j".repeat(2000),
            "x".repeat(100),
            "y".repeat(100),
            "k".repeat(2000),
        ] {
            assert!(queue.push(body.as_bytes()).expect("push"));
        }
        while queue.push(b"w").expect("push") {}
        queue
            .reserve(None, &mut out)
            .expect("reserve")
            .expect("job");
        assert!(queue.pop(&mut out).expect("pop") && queue.pop(&mut out).expect("pop"));
        queue
            .reserve(None, &mut out)
            .expect("reserve")
            .expect("job");
        assert!(
            !queue.push(&[b'n'; 300]).expect("push"),
            "no room can be won"
        );
    });
    let merged = records(&image)
        .iter()
        .any(|(_, r)| r.state == RecordState::Done && r.len > 200);
    assert!(merged, "the two taken messages became one removed record");
    let opened = reboot_and_open("merged", image);
    assert_eq!(opened.torn_dropped, 0);
    assert_ne!(
        opened.last_recovery,
        Recovery::Repaired,
        "every record whole"
    );
}
