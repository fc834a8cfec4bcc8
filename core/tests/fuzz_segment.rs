//! Fuzzing the queue's open and recovery paths on damaged segments (issue 5), on stable
//! `cargo test` with a fixed budget: a process with write access scribbling over a segment must
//! make operations fail with errors, never panic, loop for ever or read out of bounds.
//!
//! Each case builds a small queue in an interesting state (ready, leased, expired, delayed, dead
//! and DONE records, positions wrapped several times), damages it with random and structured
//! writes (header fields, geometry, positions, counters, the redo journal, lease slots, record
//! headers, payload bytes), sometimes lets a lock holder die (a thread locks the robust mutex and
//! exits, so the next operation runs the real recovery), then calls every operation through the
//! handle that was open before the damage and through a fresh open, each under `catch_unwind`.
//! Finally `Queue::remove` must still delete the queue, so operators can recover.
//!
//! No hang: every case runs in its own thread; the test thread waits for it with a deadline
//! (`CASE_DEADLINE`, far above the milliseconds a case takes) and reports a case that does not
//! finish, with its damage, as a hang (and what its thread is doing in the kernel).
//!
//! Out of scope: the bytes of the lock itself (0x40..0x80) and `init_state`. glibc trusts the
//! thread id and the robust-list pointers it keeps inside a pthread mutex: garbage there blocks
//! callers or crashes glibc itself, which no check in the queue can prevent (a holder that does
//! not exist can at best be detected after a wait). A cleared `init_state` only makes an opener
//! wait and refuse (tested once, below). The queue writing into its own lock, as recovery did
//! from a damaged journal, is in scope, and was a bug.
//!
//! A failing case is printed in the corpus format; saved as `tests/corpus_segment/<name>.case`
//! it is replayed by `corpus_cases_stay_harmless`. The named tests at the end pin the bugs the
//! fuzzer (or reading the code) found, each with the exact damage that triggered it.
//!
//! Reproduce one case: `SHMQUEUE_FUZZ_SEED=<seed> cargo test -p shmqueue-core --test fuzz_segment`
//! (`SHMQUEUE_FUZZ_TRACE=1` names each case on stderr before it runs, for crashes that kill the
//! process); replay some corpus files: `SHMQUEUE_FUZZ_CORPUS=<part of a name>`; run more:
//! `SHMQUEUE_FUZZ_CASES=<n>` (starting at seed `SHMQUEUE_FUZZ_FIRST`), or `SHMQUEUE_LONG=1` for
//! ten times the budget.

use std::mem::offset_of;
use std::os::unix::fs::FileExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use shmqueue_core::layout::{
    self, Counters, Header, Journal, JournalEntry, LeaseSlot, RecordHeader, HEADER_SIZE,
    JOURNAL_ARMED, JOURNAL_CAPACITY, JOURNAL_OFFSET, LOCK_OFFSET, SLOT_SIZE,
};
use shmqueue_core::segment::{self, Segment};
use shmqueue_core::{now_ms, CreateOptions, Event, Lease, Queue, QueueError};

/// Cases of the fuzz run: enough for a few seconds in release, a sane time in debug.
const CASES_RELEASE: u64 = 3_000;
const CASES_DEBUG: u64 = 800;
/// First seed of the run (fixed, so every run checks the same cases).
const FIRST_SEED: u64 = 0x5348_4d51_0000_0000;
/// A case takes milliseconds; one still running after this is stuck.
const CASE_DEADLINE: Duration = Duration::from_secs(10);
/// Capacities of the cases (rings are the power of two at or below): short walks, few slots.
const CAPACITIES: [u64; 5] = [4096, 5000, 8192, 12_344, 16_384];

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (no external crates).

/// A Cell inside, so that draws can nest (`r.pick(&[a, r.next()])`).
struct Rng(std::cell::Cell<u64>);

impl Rng {
    fn new(seed: u64) -> Self {
        // splitmix64 spreads neighbouring seeds; xorshift needs a non-zero state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng(std::cell::Cell::new((z ^ (z >> 31)) | 1))
    }

    /// xorshift64*.
    fn next(&self) -> u64 {
        let mut x = self.0.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    fn pick<T: Copy>(&self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn bytes(&self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// A queue in an interesting state.

fn queue_name(tag: &str) -> String {
    let name = format!("fuzzseg-{}-{tag}", std::process::id());
    let _ = Queue::remove(&name);
    name
}

fn create(name: &str, capacity: u64, max_attempts: u32) -> Queue {
    let options = CreateOptions {
        capacity,
        max_attempts,
        ..CreateOptions::default()
    };
    Queue::open(name, || Ok(options)).unwrap_or_else(|e| panic!("creating {name}: {e}"))
}

fn payload(r: &Rng, ring_size: u64) -> Vec<u8> {
    let len = match r.below(16) {
        0 => ring_size / 3 + r.below(ring_size / 3),
        1 => 0,
        _ => r.below(200),
    };
    r.bytes(len as usize)
}

/// Drives a fresh queue through `setup_seed`'s sequence of operations and returns every lease it
/// handed out (some acknowledged or released since: stale).
fn build_state(
    queue: &mut Queue,
    setup_seed: u64,
    ring_size: u64,
    max_attempts: u32,
) -> Vec<Lease> {
    let r = &Rng::new(setup_seed);
    let mut out = Vec::new();
    // Move the positions round the ring a few times.
    for _ in 0..r.below(4) {
        while queue.push(&payload(r, ring_size)).expect("setup push") {}
        for _ in 0..1 + r.below(40) {
            queue.pop(&mut out).expect("setup pop");
        }
    }
    let mut leases = Vec::new();
    let hour = 3_600_000;
    for _ in 0..5 + r.below(40) {
        let live = leases.len();
        match r.below(13) {
            0..=2 => {
                queue.push(&payload(r, ring_size)).expect("setup push");
            }
            3 => {
                let future = Some(now_ms() + hour);
                queue
                    .push_at(&payload(r, ring_size), future)
                    .expect("setup push_at");
            }
            4 => {
                let past = Some(now_ms() - 1);
                queue
                    .push_at(&payload(r, ring_size), past)
                    .expect("setup push_at");
            }
            5..=7 => {
                // A lease of 0 ms has run out at once: expired leases.
                let lease_ms = r.pick(&[0, 60_000]);
                leases.extend(
                    queue
                        .reserve(Some(lease_ms), &mut out)
                        .expect("setup reserve"),
                );
            }
            // With the head leased, this leaves a DONE record behind it.
            8 => {
                queue.pop(&mut out).expect("setup pop");
            }
            9 if live > 0 => {
                let lease = leases[r.below(live as u64) as usize];
                queue
                    .release(&lease, r.pick(&[0, hour]))
                    .expect("setup release");
            }
            10 if live > 0 => {
                let lease = leases[r.below(live as u64) as usize];
                queue.ack(&lease).expect("setup ack");
            }
            // Release the oldest available message until it runs out of attempts: a dead letter.
            11 => {
                for _ in 0..max_attempts {
                    let Some(lease) = queue.reserve(None, &mut out).expect("setup reserve") else {
                        break;
                    };
                    queue.release(&lease, 0).expect("setup release");
                    leases.push(lease);
                }
            }
            _ => {
                let batch: Vec<Vec<u8>> = (0..r.below(6))
                    .map(|_| {
                        let len = r.below(60) as usize;
                        r.bytes(len)
                    })
                    .collect();
                let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
                queue.push_many(&refs).expect("setup push_many");
            }
        }
    }
    leases
}

/// What the damage generator knows about the undamaged segment.
struct Snapshot {
    size: u64,
    ring_offset: u64,
    ring_size: u64,
    slot_count: u32,
    head: u64,
    tail: u64,
    /// (position, header word) of every record from head to tail.
    records: Vec<(u64, u64)>,
    /// Slots with a token.
    live_slots: Vec<u32>,
}

fn snapshot(segment: &Segment) -> Snapshot {
    let header = segment.header();
    let (head, tail) = (
        header.head.load(Ordering::Acquire),
        header.tail.load(Ordering::Acquire),
    );
    let mut records = Vec::new();
    let mut pos = head;
    while pos < tail {
        let word = segment.ring_word(pos).load(Ordering::Acquire);
        let record = RecordHeader::decode(word).expect("the undamaged ring decodes");
        records.push((pos, word));
        pos += record.footprint();
    }
    let live_slots = (0..segment.slot_count())
        .filter(|&i| {
            segment
                .slot(i)
                .is_some_and(|s| s.token.load(Ordering::Acquire) != 0)
        })
        .collect();
    let ring_offset = layout::ring_offset(segment.slot_count()) as u64;
    Snapshot {
        size: ring_offset + segment.ring_size(),
        ring_offset,
        ring_size: segment.ring_size(),
        slot_count: segment.slot_count(),
        head,
        tail,
        records,
        live_slots,
    }
}

// ---------------------------------------------------------------------------------------------
// Damage: raw byte writes at segment offsets, plus whether a lock holder dies.

#[derive(Default, Clone)]
struct Damage {
    /// What each mutation meant, for people reading a failure.
    labels: Vec<String>,
    writes: Vec<(u64, Vec<u8>)>,
    dead_holder: bool,
    /// Seed of the operations run on the damaged queue (their order matters: the first to meet
    /// the damage flags the queue).
    ops_seed: u64,
}

impl Damage {
    fn word(&mut self, offset: u64, value: u64) {
        self.writes.push((offset, value.to_le_bytes().to_vec()));
    }

    fn word32(&mut self, offset: u64, value: u32) {
        self.writes.push((offset, value.to_le_bytes().to_vec()));
    }
}

const HEAD: u64 = offset_of!(Header, head) as u64;
const TAIL: u64 = offset_of!(Header, tail) as u64;
const NEXT_TOKEN: u64 = offset_of!(Header, next_token) as u64;
const RING_SIZE: u64 = offset_of!(Header, ring_size) as u64;
const SEGMENT_SIZE: u64 = offset_of!(Header, segment_size) as u64;
const SLOT_COUNT: u64 = offset_of!(Header, slot_count) as u64;
const MAX_ATTEMPTS: u64 = offset_of!(Header, max_attempts) as u64;
const INIT_STATE: u64 = offset_of!(Header, init_state) as u64;
const COUNTERS: u64 = offset_of!(Header, counters) as u64;
const JOURNAL_STATE: u64 = (JOURNAL_OFFSET + offset_of!(Journal, state)) as u64;
const JOURNAL_LEN: u64 = (JOURNAL_OFFSET + offset_of!(Journal, len)) as u64;
const LOCK_END: u64 = (LOCK_OFFSET + std::mem::size_of::<layout::LockWord>()) as u64;

fn journal_entry(i: usize) -> (u64, u64) {
    let entry = (JOURNAL_OFFSET
        + offset_of!(Journal, entries)
        + i * std::mem::size_of::<JournalEntry>()) as u64;
    (
        entry + offset_of!(JournalEntry, offset) as u64,
        entry + offset_of!(JournalEntry, value) as u64,
    )
}

fn slot_field(index: u32, field: usize) -> u64 {
    (HEADER_SIZE + index as usize * SLOT_SIZE + field) as u64
}

const SLOT_FIELDS: [usize; 4] = [
    offset_of!(LeaseSlot, token),
    offset_of!(LeaseSlot, pos),
    offset_of!(LeaseSlot, until_ms),
    offset_of!(LeaseSlot, kind),
];

/// Header words (u64) the random field mutation aims at.
fn header_words() -> Vec<u64> {
    let mut words = vec![
        offset_of!(Header, magic) as u64,
        SEGMENT_SIZE,
        RING_SIZE,
        offset_of!(Header, lease_ms) as u64,
        HEAD,
        TAIL,
        NEXT_TOKEN,
        offset_of!(Header, purged) as u64,
        offset_of!(Header, full_rejections) as u64,
        offset_of!(Header, recoveries) as u64,
        offset_of!(Header, instance) as u64,
        offset_of!(Header, permissions) as u64,
        JOURNAL_STATE,
        JOURNAL_LEN,
    ];
    words.extend((0..std::mem::size_of::<Counters>() as u64 / 8).map(|i| COUNTERS + 8 * i));
    words
}

/// Header u32 fields.
const HEADER_U32S: [u64; 7] = [
    offset_of!(Header, layout_version) as u64,
    SLOT_COUNT,
    MAX_ATTEMPTS,
    offset_of!(Header, not_empty_seq) as u64,
    offset_of!(Header, not_full_seq) as u64,
    offset_of!(Header, not_empty_waiters) as u64,
    offset_of!(Header, not_full_waiters) as u64,
];

fn interesting(r: &Rng, s: &Snapshot) -> u64 {
    let choices = [
        0,
        1,
        7,
        8,
        0xff,
        s.ring_size - 8,
        s.ring_size,
        s.ring_size + 8,
        s.head,
        s.tail,
        s.tail + 8,
        u32::MAX as u64,
        1 << 32,
        1 << 62,
        1 << 63,
        u64::MAX - 7,
        u64::MAX,
    ];
    if r.chance(5) {
        r.next()
    } else {
        r.pick(&choices)
    }
}

fn any_record(r: &Rng, s: &Snapshot) -> Option<(u64, u64)> {
    (!s.records.is_empty()).then(|| s.records[r.below(s.records.len() as u64) as usize])
}

/// Offset of the ring word holding position `pos`.
fn ring_at(s: &Snapshot, pos: u64) -> u64 {
    s.ring_offset + pos % s.ring_size
}

/// One random mutation, added to `d`.
fn mutate(r: &Rng, s: &Snapshot, d: &mut Damage) {
    match r.below(14) {
        0 => {
            // Random bytes anywhere in the header but the lock and init_state (see the top).
            let offset = loop {
                let offset = r.below(HEADER_SIZE as u64 - 8);
                let in_lock = (LOCK_OFFSET as u64 - 8..LOCK_END).contains(&offset);
                let in_init = (INIT_STATE - 8..INIT_STATE + 4).contains(&offset);
                if !in_lock && !in_init {
                    break offset;
                }
            };
            let bytes = r.bytes(1 + r.below(8) as usize);
            d.labels.push(format!("header bytes at {offset:#x}"));
            d.writes.push((offset, bytes));
        }
        1 => {
            let offset = r.pick(&header_words());
            let value = interesting(r, s);
            d.labels
                .push(format!("header word {offset:#x} = {value:#x}"));
            d.word(offset, value);
        }
        2 => {
            let offset = r.pick(&HEADER_U32S);
            let random = r.next() as u32;
            let value = r.pick(&[0, 1, 63, 64, 255, 256, 32_767, 32_768, u32::MAX, random]);
            d.labels.push(format!("header u32 {offset:#x} = {value}"));
            d.word32(offset, value);
        }
        3 => positions(r, s, d),
        4 => geometry(r, s, d),
        5 | 6 => journal(r, s, d),
        7 => slot(r, s, d),
        8 | 9 => record_header(r, s, d),
        10 => {
            // Payload or header bytes inside the ring.
            let offset = match any_record(r, s) {
                Some((pos, _)) if r.chance(2) => (ring_at(s, pos) + r.below(16)).min(s.size - 1),
                _ => s.ring_offset + r.below(s.ring_size),
            };
            let len = (1 + r.below(32)).min(s.size - offset);
            d.labels.push(format!("ring bytes at {offset:#x}"));
            d.writes.push((offset, r.bytes(len as usize)));
        }
        11 => {
            let offset = HEADER_SIZE as u64 + r.below(s.ring_offset - HEADER_SIZE as u64);
            let len = (1 + r.below(32)).min(s.size - offset);
            d.labels.push(format!("slot bytes at {offset:#x}"));
            d.writes.push((offset, r.bytes(len as usize)));
        }
        12 => {
            d.labels.push("counters".into());
            for i in 0..std::mem::size_of::<Counters>() as u64 / 8 {
                let value = interesting(r, s);
                d.word(COUNTERS + 8 * i, value);
            }
        }
        _ => {
            let value = r.pick(&[0, 1, u64::MAX - 1, u64::MAX]);
            let (what, offset) = r.pick(&[
                ("next_token", NEXT_TOKEN),
                ("lease_ms", offset_of!(Header, lease_ms) as u64),
                ("removed", offset_of!(Header, removed) as u64),
                ("corrupt", offset_of!(Header, corrupt) as u64),
            ]);
            d.labels.push(format!("{what} = {value:#x}"));
            d.word(offset, value);
        }
    }
}

fn positions(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let used = s.tail - s.head;
    let record = any_record(r, s).map_or(s.head, |(pos, _)| pos);
    let (label, head, tail) = match r.below(10) {
        0 => ("head > tail", s.tail + 8, s.tail),
        1 => ("tail - head > ring", s.head, s.head + s.ring_size + 8),
        2 => ("unaligned head", s.head + 1 + r.below(7), s.tail),
        3 => ("unaligned tail", s.head, s.tail + 1 + r.below(7)),
        4 => {
            // Near the end of u64: `pos + footprint` would overflow.
            let tail = u64::MAX - 7 - 8 * r.below(4);
            ("positions at the top of u64", tail - used, tail)
        }
        5 => {
            let shift = r.pick(&[s.ring_size, 2 * s.ring_size, 8, 8 * r.below(64)]);
            ("both shifted", s.head + shift, s.tail + shift)
        }
        6 => ("empty with live slots", s.tail, s.tail),
        7 => ("head at a later record", record, s.tail),
        8 => ("head inside a record", record + 8, s.tail),
        _ => ("tail inside a record", s.head, record + 8),
    };
    d.labels.push(format!("{label}: head {head}, tail {tail}"));
    d.word(HEAD, head);
    d.word(TAIL, tail);
}

fn geometry(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let slots = r.pick(&[
        0,
        1,
        63,
        64,
        65,
        192,
        1000,
        32_767,
        32_768,
        u32::MAX,
        s.slot_count + 1,
        s.slot_count - 1,
    ]);
    if r.chance(3) {
        // A smaller power-of-two ring and the slot count that fills the rest: geometry that is
        // valid, so a fresh mapping reads old slots as ring and old ring bytes as slots.
        let ring_size = s.ring_size >> (1 + r.below(6));
        let slots = ((s.size - ring_size - HEADER_SIZE as u64) / SLOT_SIZE as u64) as u32;
        if layout::ring_offset(slots) as u64 + ring_size == s.size {
            d.labels.push(format!(
                "geometry that fits: {slots} slots, ring {ring_size}"
            ));
            d.word32(SLOT_COUNT, slots);
            d.word(RING_SIZE, ring_size);
            return;
        }
    }
    if r.chance(4) {
        let offset = r.pick(&[RING_SIZE, SEGMENT_SIZE]);
        let value = interesting(r, s);
        d.labels
            .push(format!("geometry word {offset:#x} = {value:#x}"));
        d.word(offset, value);
        return;
    }
    // A slot count with the ring size that makes `ring_offset + ring_size` equal the mapping's
    // size, computed as a wrapping sum: geometry that "adds up" but does not fit.
    let ring_offset = (HEADER_SIZE as u64)
        .wrapping_add(slots as u64 * SLOT_SIZE as u64)
        .next_multiple_of(64);
    let ring_size = s.size.wrapping_sub(ring_offset);
    d.labels
        .push(format!("geometry: {slots} slots, ring {ring_size:#x}"));
    d.word32(SLOT_COUNT, slots);
    d.word(RING_SIZE, ring_size);
}

fn journal(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let state = r.pick(&[JOURNAL_ARMED, JOURNAL_ARMED, JOURNAL_ARMED, 0, 2, u64::MAX]);
    let some = 1 + r.below(16);
    let len = r.pick(&[0, 1, some, 16, 17, 1 << 32, u64::MAX]);
    d.labels.push(format!("journal state {state}, len {len}"));
    d.word(JOURNAL_STATE, state);
    d.word(JOURNAL_LEN, len);
    for i in 0..(len as usize).min(JOURNAL_CAPACITY) {
        let slot = r.below(s.slot_count as u64) as u32;
        let target = match r.below(9) {
            // Any header word: the lock, the geometry, the journal itself...
            0 | 1 => 8 * r.below(HEADER_SIZE as u64 / 8),
            2 => r.pick(&[HEAD, TAIL, NEXT_TOKEN]),
            3 => slot_field(slot, r.pick(&SLOT_FIELDS)),
            4 => ring_at(s, any_record(r, s).map_or(s.head, |(pos, _)| pos)),
            5 => 8 * r.below(s.size / 8) + 1 + r.below(7),
            6 => r.pick(&[s.size, s.size - 8, s.size + 8]),
            7 => r.pick(&[u64::MAX - 7, u64::MAX, 1 << 63]),
            _ => r.next(),
        };
        let value = interesting(r, s);
        let (offset, value_at) = journal_entry(i);
        d.labels
            .push(format!("  entry {i}: [{target:#x}] = {value:#x}"));
        d.word(offset, target);
        d.word(value_at, value);
    }
    // The journal is read only by recovery: mostly let a holder die so that it runs.
    if !r.chance(4) {
        d.dead_holder = true;
    }
}

fn slot(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let index = match s.live_slots.is_empty() {
        false if !r.chance(3) => s.live_slots[r.below(s.live_slots.len() as u64) as usize],
        _ => r.pick(&[0, s.slot_count - 1, r.below(s.slot_count as u64) as u32]),
    };
    let field = r.pick(&SLOT_FIELDS);
    let record = any_record(r, s).map_or(s.head, |(pos, _)| pos);
    let value = match r.below(4) {
        0 => record,
        1 => record + 8,
        2 => r.pick(&[0, 1, 2, 3, u64::MAX]),
        _ => interesting(r, s),
    };
    d.labels
        .push(format!("slot {index} field +{field} = {value:#x}"));
    d.word(slot_field(index, field), value);
}

fn record_header(r: &Rng, s: &Snapshot, d: &mut Damage) {
    let Some((pos, word)) = any_record(r, s) else {
        return positions(r, s, d);
    };
    let len_field = |len: u64| (word & !0xffff_ffff) | (len & 0xffff_ffff);
    let new = match r.below(6) {
        0 => {
            let to_end = s.ring_size - pos % s.ring_size;
            len_field(r.pick(&[
                u32::MAX as u64,
                s.ring_size,
                s.ring_size - 8,
                to_end,
                to_end - 7,
                0,
                r.next(),
            ]))
        }
        1 => (word & !(0xff << 32)) | (r.pick(&[0u64, 7, 255, 1, 2, 3, 4, 5, 6]) << 32),
        2 => {
            let other = s.live_slots.first().copied().unwrap_or(0) as u64;
            let slot = r.pick(&[s.slot_count as u64, 32_767, other, 0]);
            (word & !(0x7fff << 48)) | (slot << 48)
        }
        3 => (word & !(0xff << 40)) | (r.pick(&[0u64, 255, 1]) << 40),
        4 => word ^ (1 << 63),
        _ => r.next(),
    };
    d.labels
        .push(format!("record at {pos}: {word:#018x} -> {new:#018x}"));
    d.word(ring_at(s, pos), new);
}

fn random_damage(r: &Rng, s: &Snapshot) -> Damage {
    let mut d = Damage::default();
    let count = if r.chance(8) {
        4 + r.below(9)
    } else {
        1 + r.below(3)
    };
    for _ in 0..count {
        mutate(r, s, &mut d);
    }
    if r.chance(3) {
        d.dead_holder = true;
    }
    // Drawn last, so that the damage of a seed does not depend on it.
    d.ops_seed = r.next();
    d
}

fn apply(name: &str, damage: &Damage) {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(segment::path(name))
        .expect("open the segment file");
    let size = file.metadata().expect("stat").len();
    for (offset, bytes) in &damage.writes {
        // Writing past the end would grow the file, which is another kind of damage.
        assert!(
            offset
                .checked_add(bytes.len() as u64)
                .is_some_and(|end| end <= size),
            "damage write at {offset:#x} ({} bytes) beyond the {size}-byte segment",
            bytes.len()
        );
        file.write_all_at(bytes, *offset)
            .expect("write the segment");
    }
}

/// Makes a lock holder die: a thread locks the robust mutex and exits holding it, so the kernel
/// marks it owner-dead and the next operation runs the recovery, exactly as after a killed process.
fn let_a_lock_holder_die(segment: &Segment) {
    let mutex = std::ptr::addr_of!(segment.header().lock) as usize;
    std::thread::spawn(move || {
        // SAFETY: `segment` keeps the mapping alive until this thread has exited (joined below).
        let code = unsafe { libc::pthread_mutex_lock(mutex as *mut libc::pthread_mutex_t) };
        assert_eq!(code, 0, "locking the clean mutex");
    })
    .join()
    .expect("the dying lock holder");
}

// ---------------------------------------------------------------------------------------------
// Exercising every operation.

const OPS: [&str; 17] = [
    "push",
    "push_at",
    "push_many",
    "pop",
    "pop_many",
    "reserve",
    "ack",
    "ack_stale",
    "release",
    "dead_letters",
    "requeue_dead",
    "purge_dead",
    "peek",
    "len",
    "stats",
    "wait_pop",
    "wait_push",
];

#[derive(Default, Debug)]
struct Tally {
    cases: u64,
    dead_holders: u64,
    ops_ok: u64,
    ops_err: u64,
    fresh_opens_refused: u64,
    /// Cases where every operation on the pre-damage handle failed (damage detected at once).
    all_refused: u64,
}

fn run_op(
    op: &str,
    queue: &mut Queue,
    r: &Rng,
    leases: &mut Vec<Lease>,
    ring_size: u64,
) -> Result<(), QueueError> {
    let mut out = Vec::new();
    let pick_lease = |r: &Rng, leases: &[Lease]| {
        (!leases.is_empty()).then(|| leases[r.below(leases.len() as u64) as usize])
    };
    match op {
        "push" => {
            let big = r.chance(8);
            let bytes = if big {
                vec![7; ring_size as usize]
            } else {
                payload(r, ring_size)
            };
            queue.push(&bytes).map(drop)
        }
        "push_at" => {
            let at = r.pick(&[0, now_ms(), now_ms() + 3_600_000, u64::MAX]);
            queue.push_at(&payload(r, ring_size), Some(at)).map(drop)
        }
        "push_many" => {
            let batch: Vec<Vec<u8>> = (0..r.below(8)).map(|_| payload(r, ring_size)).collect();
            let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
            queue.push_many(&refs).map(drop)
        }
        "pop" => queue.pop(&mut out).map(drop),
        "pop_many" => {
            let mut all = Vec::new();
            queue
                .pop_many(r.pick(&[1, 5, usize::MAX]), &mut all)
                .map(drop)
        }
        "reserve" => {
            let lease_ms = r.pick(&[None, Some(0), Some(1), Some(u64::MAX)]);
            let lease = queue.reserve(lease_ms, &mut out)?;
            leases.extend(lease);
            Ok(())
        }
        "ack" => match pick_lease(r, leases) {
            Some(lease) => queue.ack(&lease).map(drop),
            None => Ok(()),
        },
        "ack_stale" => {
            // A lease nobody was given: another token, another slot, or both.
            let base = pick_lease(r, leases).unwrap_or(Lease {
                queue: 0,
                token: 1,
                slot: 0,
                attempts: 1,
                until_ms: 0,
            });
            let lease = Lease {
                queue: r.pick(&[base.queue, base.queue, base.queue ^ 1]),
                token: r.pick(&[base.token, base.token + 1, 0, u64::MAX, r.next()]),
                slot: r.pick(&[base.slot, base.slot + 1, 32_767, u32::MAX]),
                ..base
            };
            queue.ack(&lease).map(drop)
        }
        "release" => match pick_lease(r, leases) {
            Some(lease) => queue.release(&lease, r.pick(&[0, 10, u64::MAX])).map(drop),
            None => Ok(()),
        },
        "dead_letters" => queue
            .dead_letters(r.pick(&[0, 1, 100, usize::MAX]))
            .map(drop),
        "requeue_dead" => queue.requeue_dead().map(drop),
        "purge_dead" => queue.purge_dead().map(drop),
        "peek" => queue.peek(r.pick(&[1, usize::MAX])).map(drop),
        "len" => queue.len().map(drop),
        "stats" => queue.stats().map(drop),
        "wait_pop" => queue
            .wait_for(Event::NotEmpty, wait_timeout(r), &mut || false, |q| {
                Ok(q.pop(&mut out)?.then_some(()))
            })
            .map(drop),
        "wait_push" => {
            let bytes = payload(r, ring_size);
            queue
                .wait_for(Event::NotFull, wait_timeout(r), &mut || false, |q| {
                    Ok(q.push(&bytes)?.then_some(()))
                })
                .map(drop)
        }
        other => unreachable!("unknown op {other}"),
    }
}

/// 0 to 10 ms; mostly short, since a wait that finds nothing sleeps all of it and one sleep is
/// enough to go through the waiting loop.
fn wait_timeout(r: &Rng) -> Duration {
    Duration::from_millis(if r.chance(16) { 10 } else { r.below(3) })
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".into())
}

/// The operations run on one damaged queue, and what came of them.
struct Session<'a> {
    r: Rng,
    ring_size: u64,
    /// Leases handed out so far (many stale by now).
    leases: Vec<Lease>,
    progress: &'a dyn Fn(String),
    tally: Tally,
    failures: Vec<String>,
    op_errors: Vec<String>,
    fresh_open_error: Option<String>,
}

impl Session<'_> {
    /// Every operation once in a random order, then a few more; a panic is a failure. Returns
    /// whether any operation succeeded.
    fn exercise(&mut self, handle: &str, queue: &mut Queue) -> bool {
        let r = &self.r;
        let mut order: Vec<&str> = OPS.to_vec();
        for i in (1..order.len()).rev() {
            order.swap(i, r.below(i as u64 + 1) as usize);
        }
        for _ in 0..4 {
            order.push(r.pick(&OPS));
        }
        let mut any_ok = false;
        for op in order {
            (self.progress)(format!("{op} on the {handle} handle"));
            let (leases, ring_size) = (&mut self.leases, self.ring_size);
            match catch_unwind(AssertUnwindSafe(|| run_op(op, queue, r, leases, ring_size))) {
                Ok(Ok(())) => {
                    self.tally.ops_ok += 1;
                    any_ok = true;
                }
                Ok(Err(error)) => {
                    self.tally.ops_err += 1;
                    self.op_errors.push(format!("{op}: {error}"));
                }
                Err(panic) => self.failures.push(format!(
                    "{op} on the {handle} handle panicked: {}",
                    panic_text(&*panic)
                )),
            }
        }
        any_ok
    }

    /// The same through a mapping opened after the damage, whose geometry is read anew.
    fn exercise_fresh(&mut self, name: &str) {
        (self.progress)("fresh open".into());
        match catch_unwind(|| Queue::open_existing(name)) {
            Ok(Ok(mut fresh)) => {
                self.exercise("fresh", &mut fresh);
            }
            Ok(Err(error)) => {
                self.tally.fresh_opens_refused += 1;
                self.fresh_open_error = Some(error.to_string());
            }
            Err(panic) => self
                .failures
                .push(format!("open_existing panicked: {}", panic_text(&*panic))),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One case: build, damage, exercise, remove.

struct CaseSpec {
    capacity: u64,
    max_attempts: u32,
    setup_seed: u64,
}

enum DamageFrom {
    /// Generated from the undamaged state with this seed.
    Seed(u64),
    /// Read from the corpus.
    Fixed(Damage),
    /// Worked out from the undamaged state by a named regression test.
    Built(Box<dyn FnOnce(&Snapshot) -> Damage + Send>),
}

struct CaseResult {
    damage: Damage,
    /// Panics and a failed removal: what must never happen.
    failures: Vec<String>,
    /// Why the fresh open was refused, if it was.
    fresh_open_error: Option<String>,
    /// "op: error" for every operation that returned an error.
    op_errors: Vec<String>,
    tally: Tally,
}

fn run_case(
    name: &str,
    spec: &CaseSpec,
    from: DamageFrom,
    progress: &dyn Fn(String),
) -> CaseResult {
    let mut tally = Tally {
        cases: 1,
        ..Tally::default()
    };
    progress(format!("creating {name}"));
    let mut queue = create(name, spec.capacity, spec.max_attempts);
    progress("building the state".into());
    let ring_size = queue.stats().expect("stats of the new queue").capacity;
    let leases = build_state(&mut queue, spec.setup_seed, ring_size, spec.max_attempts);
    progress("inspecting the state".into());
    let inspector = Segment::open_existing(name, Instant::now()).expect("inspect the new segment");
    let snap = snapshot(&inspector);
    // A named regression test opens afresh first: damaged geometry bites a new mapping only.
    let force_fresh_first = matches!(from, DamageFrom::Built(_));
    let damage = match from {
        DamageFrom::Seed(seed) => random_damage(&Rng::new(seed), &snap),
        DamageFrom::Fixed(damage) => damage,
        DamageFrom::Built(build) => Damage {
            ops_seed: spec.setup_seed,
            ..build(&snap)
        },
    };
    progress(format!(
        "damage:\n{}",
        corpus_text(spec, &damage, "in progress")
    ));
    apply(name, &damage);
    if damage.dead_holder {
        let_a_lock_holder_die(&inspector);
        tally.dead_holders += 1;
    }
    drop(inspector);

    let mut session = Session {
        r: Rng::new(damage.ops_seed),
        ring_size: snap.ring_size,
        leases,
        progress,
        tally,
        failures: Vec::new(),
        op_errors: Vec::new(),
        fresh_open_error: None,
    };
    let fresh_first = force_fresh_first || session.r.chance(2);
    if fresh_first {
        session.exercise_fresh(name);
    }
    if !session.exercise("open", &mut queue) {
        session.tally.all_refused += 1;
    }
    if !fresh_first {
        session.exercise_fresh(name);
    }
    drop(queue);
    let Session {
        mut failures,
        fresh_open_error,
        op_errors,
        tally,
        ..
    } = session;

    progress("remove".into());
    match catch_unwind(|| Queue::remove(name)) {
        Ok(Ok(true)) if !std::path::Path::new(&segment::path(name)).exists() => {}
        Ok(outcome) => failures.push(format!(
            "remove: expected Ok(true) and the segment gone, got {outcome:?}, exists: {}",
            std::path::Path::new(&segment::path(name)).exists()
        )),
        Err(panic) => failures.push(format!("remove panicked: {}", panic_text(&*panic))),
    }
    // Whatever happened, leave nothing behind in /dev/shm.
    segment::unlink(name);
    CaseResult {
        damage,
        failures,
        fresh_open_error,
        op_errors,
        tally,
    }
}

enum Watched<T> {
    Done(T),
    /// Still running at the deadline; the last progress note says where.
    Hung(String),
    /// The case thread itself panicked (outside the operations).
    Crashed(String),
}

/// Runs `work` in its own thread and waits at most `CASE_DEADLINE` for it.
fn watched<T: Send + 'static>(
    work: impl FnOnce(&dyn Fn(String)) -> T + Send + 'static,
) -> Watched<T> {
    enum Msg<T> {
        Note(String),
        Done(T),
    }
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        // SAFETY: gettid has no preconditions.
        let _ = tx.send(Msg::Note(format!("thread {}", unsafe { libc::gettid() })));
        let note_tx = tx.clone();
        let progress = move |note: String| {
            let _ = note_tx.send(Msg::Note(note));
        };
        let result = work(&progress);
        let _ = tx.send(Msg::Done(result));
    });
    let deadline = Instant::now() + CASE_DEADLINE;
    let mut notes = Vec::new();
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Msg::Note(note)) => notes.push(note),
            Ok(Msg::Done(result)) => {
                let _ = worker.join();
                return Watched::Done(result);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Watched::Hung(format!(
                    "after {CASE_DEADLINE:?} ({}), steps: {}",
                    kernel_state(notes.first()),
                    notes.join("\n  then ")
                ))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let why = worker
                    .join()
                    .err()
                    .map_or("no result".into(), |p| panic_text(&*p));
                return Watched::Crashed(format!("{why}; steps:\n  {}", notes.join("\n  then ")));
            }
        }
    }
}

/// Where a stuck thread sleeps in the kernel (e.g. `futex_wait_queue`) and its current system
/// call, from its first note ("thread <tid>"): tells a blocked lock from a busy loop.
fn kernel_state(first_note: Option<&String>) -> String {
    let Some(tid) = first_note.and_then(|note| note.strip_prefix("thread ")) else {
        return "no thread id".into();
    };
    let read = |what: &str| {
        std::fs::read_to_string(format!("/proc/self/task/{tid}/{what}"))
            .map_or_else(|e| format!("({e})"), |text| text.trim().to_owned())
    };
    format!(
        "thread {tid}: wchan {}, syscall {}",
        read("wchan"),
        read("syscall")
    )
}

// ---------------------------------------------------------------------------------------------
// The corpus format: a case as text, replayable without the generator.

fn corpus_text(spec: &CaseSpec, damage: &Damage, comment: &str) -> String {
    use std::fmt::Write as _;
    let mut text = format!("# {comment}\n");
    for label in &damage.labels {
        let _ = writeln!(text, "# {label}");
    }
    let _ = writeln!(text, "capacity {}", spec.capacity);
    let _ = writeln!(text, "max_attempts {}", spec.max_attempts);
    let _ = writeln!(text, "setup {}", spec.setup_seed);
    let _ = writeln!(text, "dead_holder {}", damage.dead_holder as u8);
    let _ = writeln!(text, "ops {}", damage.ops_seed);
    for (offset, bytes) in &damage.writes {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(text, "write {offset:#x} {hex}");
    }
    text
}

fn parse_corpus(text: &str) -> Result<(CaseSpec, Damage), String> {
    let mut spec = CaseSpec {
        capacity: 4096,
        max_attempts: 3,
        setup_seed: 0,
    };
    let mut damage = Damage::default();
    let number = |s: &str| {
        match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => s.parse(),
        }
        .map_err(|e| format!("{s:?}: {e}"))
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {
                damage.labels.push(line[1..].trim().to_owned())
            }
            ["capacity", n] => spec.capacity = number(n)?,
            ["max_attempts", n] => spec.max_attempts = number(n)? as u32,
            ["setup", n] => spec.setup_seed = number(n)?,
            ["dead_holder", n] => damage.dead_holder = number(n)? != 0,
            ["ops", n] => damage.ops_seed = number(n)?,
            ["write", offset, hex] if hex.len() % 2 == 0 => {
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|i| {
                        u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| format!("{hex}: {e}"))
                    })
                    .collect::<Result<Vec<u8>, String>>()?;
                damage.writes.push((number(offset)?, bytes));
            }
            _ => return Err(format!("cannot read line {line:?}")),
        }
    }
    Ok((spec, damage))
}

fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus_segment")
}

// ---------------------------------------------------------------------------------------------
// The tests.

fn budget() -> u64 {
    if let Some(n) = std::env::var("SHMQUEUE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    let base = if cfg!(debug_assertions) {
        CASES_DEBUG
    } else {
        CASES_RELEASE
    };
    if std::env::var("SHMQUEUE_LONG").is_ok_and(|v| v == "1") {
        base * 10
    } else {
        base
    }
}

fn spec_for(r: &Rng) -> CaseSpec {
    CaseSpec {
        capacity: r.pick(&CAPACITIES),
        max_attempts: 1 + r.below(3) as u32,
        setup_seed: r.next(),
    }
}

#[test]
fn damaged_segments_give_errors_never_panics_hangs_or_stray_accesses() {
    let only = std::env::var("SHMQUEUE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let first = std::env::var("SHMQUEUE_FUZZ_FIRST")
        .ok()
        .and_then(|v| v.parse().ok());
    let (first, cases) = match only {
        Some(seed) => (seed, 1),
        None => (first.unwrap_or(FIRST_SEED), budget()),
    };
    let started = Instant::now();
    let mut total = Tally::default();
    let mut failed = Vec::new();
    // A crash of the whole process (a signal) leaves no report: this names the case first.
    let trace = std::env::var("SHMQUEUE_FUZZ_TRACE").is_ok_and(|v| v == "1");
    for seed in first..first + cases {
        if trace {
            eprintln!("case {seed}");
        }
        let name = queue_name(&format!("{seed:x}"));
        let case_name = name.clone();
        let r = &Rng::new(seed);
        let spec = spec_for(r);
        let damage_seed = r.next();
        let watched = watched(move |progress| {
            let result = run_case(&case_name, &spec, DamageFrom::Seed(damage_seed), progress);
            (spec, result)
        });
        match watched {
            Watched::Done((spec, result)) => {
                let t = result.tally;
                total.cases += 1;
                total.dead_holders += t.dead_holders;
                total.ops_ok += t.ops_ok;
                total.ops_err += t.ops_err;
                total.fresh_opens_refused += t.fresh_opens_refused;
                total.all_refused += t.all_refused;
                if only.is_some() || !result.failures.is_empty() {
                    let text = corpus_text(&spec, &result.damage, &format!("seed {seed}"));
                    println!("{text}");
                }
                if !result.failures.is_empty() {
                    let text = corpus_text(&spec, &result.damage, &format!("seed {seed}"));
                    failed.push(format!(
                        "seed {seed}: {}\n{text}",
                        result.failures.join("; ")
                    ));
                }
            }
            Watched::Hung(steps) => {
                let _ = Queue::remove(&name);
                failed.push(format!("seed {seed}: HANG {steps}"));
                break; // The stuck thread keeps a core busy: stop here.
            }
            Watched::Crashed(why) => {
                let _ = Queue::remove(&name);
                failed.push(format!("seed {seed}: the case itself failed: {why}"));
            }
        }
        if failed.len() >= 10 {
            break;
        }
    }
    println!(
        "fuzz_segment: {} cases (seeds {first:#x}..) in {:.1} s: {} with a dead lock holder, \
         {} operations Ok, {} Err, {} fresh opens refused, {} cases with every operation refused",
        total.cases,
        started.elapsed().as_secs_f64(),
        total.dead_holders,
        total.ops_ok,
        total.ops_err,
        total.fresh_opens_refused,
        total.all_refused,
    );
    assert!(
        failed.is_empty(),
        "expected every damaged segment to give Ok or Err and remain removable; {} cases failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(
        total.ops_err > 0 && total.ops_ok > 0,
        "the damage never (or always) made an operation fail: {total:?}"
    );
}

/// Replays `tests/corpus_segment/*.case`: inputs that once found a bug, kept as regressions.
#[test]
fn corpus_cases_stay_harmless() {
    // SHMQUEUE_FUZZ_CORPUS=<part of a file name> replays only the matching cases.
    let only = std::env::var("SHMQUEUE_FUZZ_CORPUS").unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus_segment")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains(&only))
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no .case files in {}",
        corpus_dir().display()
    );
    let mut failed = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("read a corpus case");
        let (spec, damage) =
            parse_corpus(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = queue_name(&format!("corpus{i}"));
        let case_name = name.clone();
        match watched(move |progress| {
            run_case(&case_name, &spec, DamageFrom::Fixed(damage), progress)
        }) {
            Watched::Done(result) if result.failures.is_empty() => {}
            Watched::Done(result) => failed.push(format!(
                "{}: {}",
                path.display(),
                result.failures.join("; ")
            )),
            Watched::Hung(steps) => {
                let _ = Queue::remove(&name);
                failed.push(format!("{}: HANG {steps}", path.display()));
                break;
            }
            Watched::Crashed(why) => failed.push(format!("{}: {why}", path.display())),
        }
    }
    println!("corpus_segment: {} cases replayed", files.len());
    assert!(
        failed.is_empty(),
        "expected Ok or Err from every operation:\n{}",
        failed.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Regression tests: the exact damage behind each bug the fuzzer found.

/// A setup seed whose state has ready, leased, delayed and DONE records.
const REGRESSION_SETUP: u64 = 7;

/// Runs one damaged case under the watchdog; fails on a panic, a hang or a failed removal.
fn regression(
    tag: &str,
    capacity: u64,
    damage: impl FnOnce(&Snapshot) -> Damage + Send + 'static,
) -> CaseResult {
    let name = queue_name(tag);
    let case_name = name.clone();
    let spec = CaseSpec {
        capacity,
        max_attempts: 2,
        setup_seed: REGRESSION_SETUP,
    };
    let from = DamageFrom::Built(Box::new(damage));
    match watched(move |progress| run_case(&case_name, &spec, from, progress)) {
        Watched::Done(result) => {
            assert!(
                result.failures.is_empty(),
                "{tag}: expected Ok or Err from every operation and a clean removal, got: {}",
                result.failures.join("; ")
            );
            result
        }
        Watched::Hung(steps) => {
            segment::unlink(&name);
            panic!("{tag}: expected every operation to return, but it hung {steps}")
        }
        Watched::Crashed(why) => {
            segment::unlink(&name);
            panic!("{tag}: the case failed: {why}")
        }
    }
}

fn expect_fresh_open_refused(result: &CaseResult, because: &str) {
    match &result.fresh_open_error {
        Some(error) => assert!(
            error.contains(because) && error.contains("remove it"),
            "expected the fresh open to be refused because of {because:?}, got: {error}"
        ),
        None => {
            panic!("expected the fresh open to be refused because of {because:?}, it succeeded")
        }
    }
}

// The first three were found on the layout of the time, whose ring was the capacity rounded down
// to 8 bytes. Rings have since become powers of two (commit 4997c3c), which `validate` checks:
// with that, none of these damages describes a geometry that fits, and all are refused. They stay
// so that a change to the geometry rules cannot bring the bugs back.

/// `ring_offset + ring_size` was summed unchecked: 32767 slots with the ring size that makes the
/// wrapped sum equal the mapping's size passed validation, and recovery then scanned lease slots
/// far past the end of the mapping (SIGSEGV in release, an overflow panic in debug).
#[test]
fn geometry_wrapping_past_the_mapping_is_refused() {
    let result = regression("wrapgeo", 4096, |s| {
        let mut d = Damage {
            dead_holder: true,
            ..Damage::default()
        };
        d.word32(SLOT_COUNT, 32_767);
        d.word(
            RING_SIZE,
            s.size.wrapping_sub(layout::ring_offset(32_767) as u64),
        );
        d
    });
    expect_fresh_open_refused(&result, "geometry");
}

/// Slot count 0 and a ring filling the rest of the segment "added up"; with a READY record where
/// that ring begins, `reserve` took a remainder by the slot count: a division by zero in any build.
#[test]
fn a_slot_count_of_zero_is_refused() {
    let result = regression("zeroslots", 4096, |s| {
        let mut d = Damage::default();
        let ring_size = s.size - HEADER_SIZE as u64;
        d.word32(SLOT_COUNT, 0);
        d.word(RING_SIZE, ring_size);
        d.word(HEAD, s.head);
        d.word(TAIL, s.head + 8);
        let ready = RecordHeader::new(0, layout::RecordState::Ready).encode();
        d.word(HEADER_SIZE as u64 + s.head % ring_size / 8 * 8, ready);
        d
    });
    expect_fresh_open_refused(&result, "geometry");
}

/// A segment of 7176 bytes (capacity 4104, as it was) with 192 slots leaves a ring of 8 bytes,
/// which passed validation; `push_at` then computed its largest payload as 8 - 16 (overflow panic
/// in debug).
#[test]
fn a_ring_too_small_for_any_record_is_refused() {
    let result = regression("tinyring", 4104, |_| {
        let mut d = Damage::default();
        d.word32(SLOT_COUNT, 192);
        d.word(RING_SIZE, 8);
        d
    });
    expect_fresh_open_refused(&result, "geometry");
}

/// Head and tail both at 2^64 - 8 (an empty queue at the very end of the positions): the next
/// append rounded the tail up to a ring boundary past 2^64 (overflow panic in debug; in release it
/// wrapped to 0 while leases still pointed at the old positions).
#[test]
fn positions_near_the_end_of_u64_are_refused() {
    let result = regression("toppos", 4096, |_| {
        let mut d = Damage::default();
        d.word(HEAD, u64::MAX - 7);
        d.word(TAIL, u64::MAX - 7);
        d
    });
    assert!(
        result
            .op_errors
            .iter()
            .any(|e| e.contains("head") && e.contains("do not fit")),
        "expected the positions named as damage, got errors: {:?}",
        result.op_errors
    );
}

/// `next_token` at u64::MAX: `reserve` computed `token + 1` (overflow panic in debug; in release
/// the counter wrapped to 0 and the next lease got token 0, which marks a slot free).
#[test]
fn an_exhausted_job_id_counter_is_refused() {
    let result = regression("token", 4096, |_| {
        let mut d = Damage::default();
        d.word(NEXT_TOKEN, u64::MAX);
        d
    });
    assert!(
        result
            .op_errors
            .iter()
            .any(|e| e.contains("job id counter")),
        "expected the job id counter named as damage, got errors: {:?}",
        result.op_errors
    );
}

/// `ready` and `delayed` at u64::MAX: `len` and `stats` added them unchecked (overflow panic in
/// debug). Counters are display only: both must still answer.
#[test]
fn huge_counters_do_not_break_len_or_stats() {
    let result = regression("counters", 4096, |_| {
        let mut d = Damage::default();
        d.word(COUNTERS + offset_of!(Counters, ready) as u64, u64::MAX);
        d.word(COUNTERS + offset_of!(Counters, delayed) as u64, u64::MAX);
        d
    });
    let broken: Vec<_> = result
        .op_errors
        .iter()
        .filter(|e| e.starts_with("len:") || e.starts_with("stats:"))
        .collect();
    assert!(
        broken.is_empty(),
        "expected len and stats to answer, got: {broken:?}"
    );
}

/// An armed journal whose entry targets the lock word, then a dead lock holder: recovery replayed
/// the entry over the mutex it was holding, its unlock failed, and every later operation blocked
/// for ever.
#[test]
fn a_journal_entry_aimed_at_the_lock_is_refused() {
    let result = regression("journallock", 4096, |_| {
        let mut d = Damage {
            dead_holder: true,
            ..Damage::default()
        };
        d.word(JOURNAL_STATE, JOURNAL_ARMED);
        d.word(JOURNAL_LEN, 1);
        let (offset, value) = journal_entry(0);
        d.word(offset, LOCK_OFFSET as u64);
        d.word(value, 0x1234);
        d
    });
    assert!(
        !result.op_errors.is_empty() && result.op_errors.iter().all(|e| e.contains("damaged")),
        "expected every operation refused as damaged, got: {:?}",
        result.op_errors
    );
}

/// Not a bug, the one header field the fuzzer leaves alone (it costs a wait): a cleared
/// `init_state` makes a fresh open wait for the creator, then refuse; removal still works.
#[test]
fn an_unfinished_header_is_refused_and_removable() {
    let result = regression("uninit", 4096, |_| {
        let mut d = Damage::default();
        d.word32(INIT_STATE, 0);
        d
    });
    expect_fresh_open_refused(&result, "never finished");
}
