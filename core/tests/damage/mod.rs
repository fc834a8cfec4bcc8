//! The damaged-segment harness shared by the fuzz run and the named regression tests: a queue
//! built into an interesting state, damage as raw writes (the generators, by what they damage,
//! are in `header.rs`, `journal.rs` and `ring.rs`), every operation run on the damaged queue under
//! a watchdog, and the corpus format. See `fuzz_segment.rs` for what is checked and how to
//! reproduce a case.
// Each test binary uses a part of it.
#![allow(dead_code, unused_imports)]

pub mod header;
pub mod journal;
pub mod ring;

pub use header::*;
pub use journal::*;
pub use ring::*;
pub use std::mem::offset_of;
pub use std::os::unix::fs::FileExt;
pub use std::panic::{catch_unwind, AssertUnwindSafe};
pub use std::sync::atomic::Ordering;
pub use std::sync::mpsc;
pub use std::time::{Duration, Instant};

pub use shmqueue_core::layout::{
    self, Counters, Header, Journal, RecordHeader, HEADER_SIZE, JOURNAL_ARMED, JOURNAL_CAPACITY,
    JOURNAL_OFFSET, LOCK_OFFSET, SLOT_SIZE,
};
pub use shmqueue_core::segment::{self, Segment};
pub use shmqueue_core::{now_ms, CreateOptions, Event, Lease, Queue, QueueError};

/// Cases of the fuzz run: enough for a few seconds in release, a sane time in debug.
pub const CASES_RELEASE: u64 = 3_000;
pub const CASES_DEBUG: u64 = 800;
/// First seed of the run (fixed, so every run checks the same cases).
pub const FIRST_SEED: u64 = 0x5348_4d51_0000_0000;
/// A case takes milliseconds; one still running after this is stuck.
pub const CASE_DEADLINE: Duration = Duration::from_secs(10);
/// Capacities of the cases (rings are the power of two at or below): short walks, few slots.
pub const CAPACITIES: [u64; 5] = [4096, 5000, 8192, 12_344, 16_384];

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (no external crates).

/// A Cell inside, so that draws can nest (`r.pick(&[a, r.next()])`).
pub struct Rng(std::cell::Cell<u64>);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // splitmix64 spreads neighbouring seeds; xorshift needs a non-zero state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng(std::cell::Cell::new((z ^ (z >> 31)) | 1))
    }

    /// xorshift64*.
    pub fn next(&self) -> u64 {
        let mut x = self.0.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<T: Copy>(&self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes(&self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// A queue in an interesting state.

pub fn queue_name(tag: &str) -> String {
    let name = format!("fuzzseg-{}-{tag}", std::process::id());
    let _ = Queue::remove(&name);
    name
}

pub fn create(name: &str, capacity: u64, max_attempts: u32) -> Queue {
    let options = CreateOptions {
        capacity,
        max_attempts,
        ..CreateOptions::default()
    };
    Queue::open(name, || Ok(options)).unwrap_or_else(|e| panic!("creating {name}: {e}"))
}

pub fn payload(r: &Rng, ring_size: u64) -> Vec<u8> {
    let len = match r.below(16) {
        0 => ring_size / 3 + r.below(ring_size / 3),
        1 => 0,
        _ => r.below(200),
    };
    r.bytes(len as usize)
}

/// Drives a fresh queue through `setup_seed`'s sequence of operations and returns every lease it
/// handed out (some acknowledged or released since: stale).
pub fn build_state(
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
pub struct Snapshot {
    pub size: u64,
    pub ring_offset: u64,
    pub ring_size: u64,
    pub slot_count: u32,
    pub head: u64,
    pub tail: u64,
    /// (position, header word) of every record from head to tail.
    pub records: Vec<(u64, u64)>,
    /// Slots with a token.
    pub live_slots: Vec<u32>,
}

pub fn snapshot(segment: &Segment) -> Snapshot {
    let header = segment.header();
    let (head, tail) = (
        header.head.load(Ordering::Acquire),
        header.tail.load(Ordering::Acquire),
    );
    let mut records = Vec::new();
    let mut pos = head;
    while pos < tail {
        let word = segment.ring_word(pos).load(Ordering::Acquire);
        let record = RecordHeader::decode(word, false).expect("the undamaged ring decodes");
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
pub struct Damage {
    /// What each mutation meant, for people reading a failure.
    pub labels: Vec<String>,
    pub writes: Vec<(u64, Vec<u8>)>,
    pub dead_holder: bool,
    /// Seed of the operations run on the damaged queue (their order matters: the first to meet
    /// the damage flags the queue).
    pub ops_seed: u64,
}

impl Damage {
    pub fn word(&mut self, offset: u64, value: u64) {
        self.writes.push((offset, value.to_le_bytes().to_vec()));
    }

    pub fn word32(&mut self, offset: u64, value: u32) {
        self.writes.push((offset, value.to_le_bytes().to_vec()));
    }
}

pub const HEAD: u64 = offset_of!(Header, head) as u64;
pub const TAIL: u64 = offset_of!(Header, tail) as u64;
pub const NEXT_TOKEN: u64 = offset_of!(Header, next_token) as u64;
pub const RING_SIZE: u64 = offset_of!(Header, ring_size) as u64;
pub const SEGMENT_SIZE: u64 = offset_of!(Header, segment_size) as u64;
pub const SLOT_COUNT: u64 = offset_of!(Header, slot_count) as u64;
pub const MAX_ATTEMPTS: u64 = offset_of!(Header, max_attempts) as u64;
pub const INIT_STATE: u64 = offset_of!(Header, init_state) as u64;
pub const COUNTERS: u64 = offset_of!(Header, counters) as u64;
pub const JOURNAL_STATE: u64 = (JOURNAL_OFFSET + offset_of!(Journal, state)) as u64;
pub const JOURNAL_LEN: u64 = (JOURNAL_OFFSET + offset_of!(Journal, len)) as u64;
pub const LOCK_END: u64 = (LOCK_OFFSET + std::mem::size_of::<layout::LockWord>()) as u64;

pub fn apply(name: &str, damage: &Damage) {
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
pub fn let_a_lock_holder_die(segment: &Segment) {
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

pub const OPS: [&str; 17] = [
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
pub struct Tally {
    pub cases: u64,
    pub dead_holders: u64,
    pub ops_ok: u64,
    pub ops_err: u64,
    pub fresh_opens_refused: u64,
    /// Cases where every operation on the pre-damage handle failed (damage detected at once).
    pub all_refused: u64,
}

pub fn run_op(
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
pub fn wait_timeout(r: &Rng) -> Duration {
    Duration::from_millis(if r.chance(16) { 10 } else { r.below(3) })
}

pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".into())
}

/// The operations run on one damaged queue, and what came of them.
pub struct Session<'a> {
    pub r: Rng,
    pub ring_size: u64,
    /// Leases handed out so far (many stale by now).
    pub leases: Vec<Lease>,
    pub progress: &'a dyn Fn(String),
    pub tally: Tally,
    pub failures: Vec<String>,
    pub op_errors: Vec<String>,
    pub fresh_open_error: Option<String>,
}

impl Session<'_> {
    /// Every operation once in a random order, then a few more; a panic is a failure. Returns
    /// whether any operation succeeded.
    pub fn exercise(&mut self, handle: &str, queue: &mut Queue) -> bool {
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
    pub fn exercise_fresh(&mut self, name: &str) {
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

pub struct CaseSpec {
    pub capacity: u64,
    pub max_attempts: u32,
    pub setup_seed: u64,
}

pub enum DamageFrom {
    /// Generated from the undamaged state with this seed.
    Seed(u64),
    /// Read from the corpus.
    Fixed(Damage),
    /// Worked out from the undamaged state by a named regression test.
    Built(Box<dyn FnOnce(&Snapshot) -> Damage + Send>),
}

pub struct CaseResult {
    pub damage: Damage,
    /// Panics and a failed removal: what must never happen.
    pub failures: Vec<String>,
    /// Why the fresh open was refused, if it was.
    pub fresh_open_error: Option<String>,
    /// "op: error" for every operation that returned an error.
    pub op_errors: Vec<String>,
    pub tally: Tally,
}

pub fn run_case(
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

pub enum Watched<T> {
    Done(T),
    /// Still running at the deadline; the last progress note says where.
    Hung(String),
    /// The case thread itself panicked (outside the operations).
    Crashed(String),
}

/// Runs `work` in its own thread and waits at most `CASE_DEADLINE` for it.
pub fn watched<T: Send + 'static>(
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
pub fn kernel_state(first_note: Option<&String>) -> String {
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

pub fn corpus_text(spec: &CaseSpec, damage: &Damage, comment: &str) -> String {
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

pub fn parse_corpus(text: &str) -> Result<(CaseSpec, Damage), String> {
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

pub fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus_segment")
}

// ---------------------------------------------------------------------------------------------
// The tests.

// Regression tests: the exact damage behind each bug the fuzzer found.

/// A setup seed whose state has ready, leased, delayed and DONE records.
pub const REGRESSION_SETUP: u64 = 7;

/// Runs one damaged case under the watchdog; fails on a panic, a hang or a failed removal.
pub fn regression(
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

pub fn expect_fresh_open_refused(result: &CaseResult, because: &str) {
    match &result.fresh_open_error {
        Some(error) => assert!(
            error.contains(because),
            "expected the fresh open to be refused because of {because:?}, got: {error}"
        ),
        None => {
            panic!("expected the fresh open to be refused because of {because:?}, it succeeded")
        }
    }
}

pub fn budget() -> u64 {
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

pub fn spec_for(r: &Rng) -> CaseSpec {
    CaseSpec {
        capacity: r.pick(&CAPACITIES),
        max_attempts: 1 + r.below(3) as u32,
        setup_seed: r.next(),
    }
}

// ---------------------------------------------------------------------------------------------
// Random damage, drawn from the generators of each part.

pub fn interesting(r: &Rng, s: &Snapshot) -> u64 {
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

/// One random mutation, added to `d` (the draws in this order: corpus seeds depend on it).
pub fn mutate(r: &Rng, s: &Snapshot, d: &mut Damage) {
    match r.below(14) {
        0 => header::bytes(r, s, d),
        1 => header::word(r, s, d),
        2 => header::word32(r, s, d),
        3 => header::positions(r, s, d),
        4 => header::geometry(r, s, d),
        5 | 6 => journal::journal(r, s, d),
        7 => ring::slot(r, s, d),
        8 | 9 => ring::record_header(r, s, d),
        10 => ring::ring_bytes(r, s, d),
        11 => ring::slot_bytes(r, s, d),
        12 => header::counters(r, s, d),
        _ => header::extreme(r, s, d),
    }
}

pub fn random_damage(r: &Rng, s: &Snapshot) -> Damage {
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
