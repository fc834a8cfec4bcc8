//! The segment format: one module owns every offset, so the picture below and the code cannot drift.
//!
//! A queue is one POSIX shared-memory object (`/dev/shm/shmqueue.<name>`), laid out as
//!
//! ```text
//! 0        1024                      1024 + 32 * slot_count (rounded up to 64)
//! +--------+-------------------------+---------------------------------------------+
//! | Header | lease slots             | ring: ring_size bytes of records            |
//! +--------+-------------------------+---------------------------------------------+
//!
//! Header (all words little-endian native atomics; offsets in hex):
//! 000 magic "SHMQUEUE"  008 layout_version u32  00C init_state u32 (READY once usable)
//! 010 segment_size      018 ring_size           020 slot_count u32   024 max_attempts u32
//! 028 lease_ms          030 created_unix_ms     038 permissions (mode bits it was created with)
//! 040 lock: robust process-shared pthread mutex (40 bytes, padded to 64)
//! 080 ring state, journaled:  head, tail, next_token; then removed, corrupt (damage code),
//!     instance (random id), damage_detail x 2
//! 0C0 counters, journaled:    ready, in_flight, delayed, dead, enqueued, dequeued, retries, expired
//! 100 purged (journaled); best effort: full_rejections, recoveries, last_recovery, dropped;
//!     128 paused (set and cleared under the lock)
//! 140 futex words (u32):      not_empty_seq, not_full_seq, not_empty_waiters, not_full_waiters;
//!     150 waiter heartbeats (u64): not_empty_heartbeat, not_full_heartbeat
//! 180 redo journal:           state, len, 16 x (offset, value)
//! 300 durable words (layout version 3; zero in version 2 segments): see `Durable`
//! 380..400 reserved for later layout versions (zero)
//!
//! Record (8-byte aligned; `pos` is a monotonic byte position, its offset in the ring is pos % ring_size,
//! ring_size being a power of two):
//! +-------------------------------------------------------------+----------------+---------+----------------+
//! | header word: len u32 | state u8 | attempts u8 | slot u15|X  | [not_before ms]| [crc32c]| payload, padded |
//! +-------------------------------------------------------------+----------------+---------+ to 8 bytes     |
//!   X (bit 63) says the 8-byte not_before word follows (delayed enqueue); the CRC word is there
//!   in every record but PADDING of a file with FEATURE_CRC32C (`checksum.rs`).
//! ```
//!
//! Records never wrap: a record that does not fit before the end of the ring is preceded by a
//! PADDING record covering the rest, and starts at offset 0 (Aeron's rule). Everything between
//! `head` and `tail` is a committed record; everything else is free space whose bytes mean nothing.

use std::mem::{offset_of, size_of};
use std::sync::atomic::{AtomicU32, AtomicU64};

/// "SHMQUEUE" read as a little-endian u64.
pub const MAGIC: u64 = u64::from_le_bytes(*b"SHMQUEUE");
/// Bumped on any change a reader of the previous version would misread.
pub const LAYOUT_VERSION: u32 = 2;
/// The version of durable files: version 2 plus the `Durable` words at 0x300.
pub const DURABLE_LAYOUT_VERSION: u32 = 3;
/// `init_state` once the creator finished writing the header (stored last, with Release).
pub const INIT_READY: u32 = 0x5245_4459; // "READ"

pub const HEADER_SIZE: usize = 1024;
pub const SLOT_SIZE: usize = size_of::<LeaseSlot>();
pub const RECORD_ALIGN: u64 = 8;
pub const RECORD_HEADER_SIZE: u64 = 8;
/// Size of the optional not_before word of a delayed record.
pub const NOT_BEFORE_SIZE: u64 = 8;
/// Size of the CRC word of a record in a file with `FEATURE_CRC32C`.
pub const CHECKSUM_SIZE: u64 = 8;
pub const JOURNAL_CAPACITY: usize = 16;
/// The slot field of a record header has 15 bits.
pub const MAX_SLOTS: u32 = 1 << 15;
/// A record's length field is a u32.
pub const MAX_PAYLOAD: u64 = u32::MAX as u64;

/// The fixed header at offset 0. Every field is an atomic because other processes change it
/// concurrently; the ones marked "journaled" change only under the lock and through the journal.
#[repr(C)]
pub struct Header {
    pub magic: AtomicU64,
    pub layout_version: AtomicU32,
    /// 0 while the creator is still writing the header, `INIT_READY` afterwards.
    pub init_state: AtomicU32,
    pub segment_size: AtomicU64,
    pub ring_size: AtomicU64,
    pub slot_count: AtomicU32,
    pub max_attempts: AtomicU32,
    pub lease_ms: AtomicU64,
    pub created_unix_ms: AtomicU64,
    /// Mode bits the queue was created with, so a re-creation after `remove` can reuse them.
    pub permissions: AtomicU64,

    /// The robust mutex; `lock.rs` owns it.
    pub lock: LockWord,

    /// Position of the oldest record not yet removed (journaled).
    pub head: AtomicU64,
    /// Position where the next record goes (journaled). `tail - head <= ring_size`.
    pub tail: AtomicU64,
    /// Next lease token; tokens are job ids and never repeat (journaled).
    pub next_token: AtomicU64,
    /// Non-zero once `remove()` unlinked this segment: holders must reopen by name.
    pub removed: AtomicU64,
    /// Non-zero once damage was found (by recovery or an operation): every operation refuses.
    /// The value is the kind of damage (`Damage::encode`; 1 from versions that kept no reason).
    pub corrupt: AtomicU64,
    /// Random at creation: jobs carry it, so a job cannot be acked on another queue (or on a
    /// queue created again under the same name), where its slot and id may well exist too.
    pub instance: AtomicU64,
    /// The two numbers that locate the damage `corrupt` names (positions, offsets, values).
    pub damage_detail: [AtomicU64; 2],

    /// Counters, journaled with the change they describe, so they stay exact across crashes.
    pub counters: Counters,

    /// Dead letters deleted by `purge_dead` (journaled).
    pub purged: AtomicU64,
    /// Enqueues refused for lack of room (best effort: not journaled).
    pub full_rejections: AtomicU64,
    /// How many times a lock was taken over from a dead holder (best effort).
    pub recoveries: AtomicU64,
    /// What the last recovery did (`RECOVERY_*`; best effort, 0 before any).
    pub last_recovery: AtomicU64,
    /// Messages taken but not delivered (undecodable) that found no room in the dead letters
    /// (best effort; zero in segments of older versions, which kept none).
    pub dropped: AtomicU64,
    /// Non-zero while the queue is paused: takes find nothing, stores go on (version 2).
    pub paused: AtomicU64,
    _reserved2: [AtomicU64; 2],

    /// Futex words: bumped when a message becomes available / space is freed.
    pub not_empty_seq: AtomicU32,
    pub not_full_seq: AtomicU32,
    /// Processes sleeping on the words above; a waker skips the system call when zero.
    pub not_empty_waiters: AtomicU32,
    pub not_full_waiters: AtomicU32,
    /// Monotonic ms until which the waiters counted above are known to be alive: each refreshes
    /// it before every sleep. A count whose heartbeat is older is left over from waiters that
    /// were killed (SIGKILL skips their decrement), and the next waker clears it.
    pub not_empty_heartbeat: AtomicU64,
    pub not_full_heartbeat: AtomicU64,
    _reserved3: [AtomicU64; 4],

    pub journal: Journal,
    _reserved4: [u8; DURABLE_OFFSET - JOURNAL_OFFSET - size_of::<Journal>()],

    /// Words of durable files (version 3); zero in shared memory.
    pub durable: Durable,
    _reserved5: [u8; HEADER_SIZE - DURABLE_OFFSET - size_of::<Durable>()],
}

/// The words of a durable file (`durable.rs`, `sync.rs`). None is journaled: each is either
/// rewritten at a new boot or only ever moves forward.
#[repr(C)]
pub struct Durable {
    /// The kernel's boot id (16 raw bytes of /proc/sys/kernel/random/boot_id) of the boot that
    /// last opened the file: another value means the lock and waiter words are stale.
    pub boot_id: [AtomicU64; 2],
    /// `FEATURE_*` bits.
    pub features: AtomicU64,
    /// `SYNC_OFF`, `SYNC_BATCH` or `SYNC_ALWAYS`.
    pub sync_policy: AtomicU32,
    pub sync_interval_ms: AtomicU32,
    /// Records dropped as torn by recovery after a new boot (the total over the file's life).
    pub torn_dropped: AtomicU64,
    /// Bumped under the lock by every change: the change's sequence number.
    pub change_seq: AtomicU64,
    /// Every change up to this sequence number is on disk.
    pub synced_seq: AtomicU64,
    /// Non-zero while a process flushes: the CLOCK_MONOTONIC ms it started (group commit).
    pub flushing_since_ms: AtomicU64,
    /// The head when the last flush started: no record below it changed since.
    pub synced_head: AtomicU64,
    /// CLOCK_MONOTONIC ms of the last flush's start (batch policy; reset at a new boot).
    pub last_sync_ms: AtomicU64,
    /// Flushes made (msync calls over the changed ranges), and new boots seen.
    pub flushes: AtomicU64,
    pub boots: AtomicU64,
}

pub const FEATURE_DURABLE: u64 = 1 << 0;
pub const FEATURE_CRC32C: u64 = 1 << 1;

pub const SYNC_OFF: u32 = 0;
pub const SYNC_BATCH: u32 = 1;
pub const SYNC_ALWAYS: u32 = 2;

#[repr(C, align(64))]
pub struct LockWord(pub [u8; 64]);

#[repr(C)]
pub struct Counters {
    /// Records in state READY (waiting, available now).
    pub ready: AtomicU64,
    /// Slots holding a live lease.
    pub in_flight: AtomicU64,
    /// Records waiting for a time: DELAYED records plus slots released with a delay.
    pub delayed: AtomicU64,
    /// Records in state DEAD.
    pub dead: AtomicU64,
    pub enqueued: AtomicU64,
    /// Messages removed for good: dequeued, acknowledged, or purged from the dead letters.
    pub dequeued: AtomicU64,
    /// Jobs put back by `release`.
    pub retries: AtomicU64,
    /// Leases that ran out before ack or release.
    pub expired: AtomicU64,
}

/// A redo log of word writes: filled, armed, applied, disarmed. A holder that dies with the
/// journal armed is rolled forward by the next lock holder; one that dies before arming it left
/// nothing visible (see `recovery.rs`).
#[repr(C)]
pub struct Journal {
    pub state: AtomicU64,
    pub len: AtomicU64,
    pub entries: [JournalEntry; JOURNAL_CAPACITY],
}

#[repr(C)]
pub struct JournalEntry {
    /// Byte offset of the target word from the start of the segment.
    pub offset: AtomicU64,
    pub value: AtomicU64,
}

/// Values of `last_recovery`.
pub const RECOVERY_ROLLED_BACK: u64 = 1;
pub const RECOVERY_ROLLED_FORWARD: u64 = 2;
pub const RECOVERY_MARKED_CORRUPT: u64 = 3;
/// A new boot made a durable file's records, slots and counters agree (`boot_repair.rs`).
pub const RECOVERY_REPAIRED: u64 = 4;

pub const JOURNAL_IDLE: u64 = 0;
pub const JOURNAL_ARMED: u64 = 1;

/// One lease slot. Free when `token == 0`.
#[repr(C)]
pub struct LeaseSlot {
    /// The job id handed to the worker; changes on every delivery, so a stale job cannot ack.
    pub token: AtomicU64,
    /// Position of the record this slot belongs to.
    pub pos: AtomicU64,
    /// Unix milliseconds: lease end (kind LEASE) or first moment to deliver again (kind DELAY).
    pub until_ms: AtomicU64,
    pub kind: AtomicU64,
}

pub const SLOT_LEASE: u64 = 1;
pub const SLOT_DELAY: u64 = 2;

pub const LOCK_OFFSET: usize = offset_of!(Header, lock);
pub const STATE_OFFSET: usize = offset_of!(Header, head);
pub const COUNTERS_OFFSET: usize = offset_of!(Header, counters);
pub const PURGED_OFFSET: usize = offset_of!(Header, purged);
pub const FUTEX_OFFSET: usize = offset_of!(Header, not_empty_seq);
pub const JOURNAL_OFFSET: usize = 0x180;
pub const DURABLE_OFFSET: usize = 0x300;

const _: () = {
    assert!(offset_of!(Header, layout_version) == 0x08);
    assert!(offset_of!(Header, init_state) == 0x0C);
    assert!(offset_of!(Header, ring_size) == 0x18);
    assert!(offset_of!(Header, slot_count) == 0x20);
    assert!(offset_of!(Header, lease_ms) == 0x28);
    assert!(LOCK_OFFSET == 0x40);
    assert!(size_of::<libc::pthread_mutex_t>() <= size_of::<LockWord>());
    assert!(STATE_OFFSET == 0x80);
    assert!(COUNTERS_OFFSET == 0xC0);
    assert!(PURGED_OFFSET == 0x100);
    assert!(FUTEX_OFFSET == 0x140);
    assert!(offset_of!(Header, corrupt) == 0xA0);
    assert!(offset_of!(Header, damage_detail) == 0xB0);
    assert!(offset_of!(Header, last_recovery) == 0x118);
    assert!(offset_of!(Header, dropped) == 0x120);
    assert!(offset_of!(Header, paused) == 0x128);
    assert!(offset_of!(Header, not_empty_heartbeat) == 0x150);
    assert!(offset_of!(Header, journal) == JOURNAL_OFFSET);
    assert!(JOURNAL_OFFSET + size_of::<Journal>() <= 0x300);
    assert!(offset_of!(Header, durable) == DURABLE_OFFSET);
    assert!(DURABLE_OFFSET + offset_of!(Durable, features) == 0x310);
    assert!(DURABLE_OFFSET + offset_of!(Durable, sync_policy) == 0x318);
    assert!(DURABLE_OFFSET + offset_of!(Durable, sync_interval_ms) == 0x31C);
    assert!(DURABLE_OFFSET + offset_of!(Durable, torn_dropped) == 0x320);
    assert!(DURABLE_OFFSET + size_of::<Durable>() <= 0x380);
    assert!(size_of::<Header>() == HEADER_SIZE);
    assert!(SLOT_SIZE == 32);
};

/// Where the ring starts for a given slot count (64-byte aligned, after header and slots).
pub const fn ring_offset(slot_count: u32) -> usize {
    (HEADER_SIZE + slot_count as usize * SLOT_SIZE).next_multiple_of(64)
}

/// Record states (the header word's byte 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordState {
    /// Available now.
    Ready = 1,
    /// Taken by a worker under a lease, or released with a delay; `slot` says which.
    Leased = 2,
    /// Enqueued with a delay; the not_before word follows the header.
    Delayed = 3,
    /// Out of attempts: kept until requeued or purged.
    Dead = 4,
    /// Removed while not at the head; skipped, and reclaimed once the head passes it.
    Done = 5,
    /// Fills the end of the ring before a record that starts again at offset 0.
    Padding = 6,
}

impl RecordState {
    fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => Self::Ready,
            2 => Self::Leased,
            3 => Self::Delayed,
            4 => Self::Dead,
            5 => Self::Done,
            6 => Self::Padding,
            _ => return None,
        })
    }
}

/// The decoded header word of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    pub len: u32,
    pub state: RecordState,
    pub attempts: u8,
    pub slot: u16,
    pub has_not_before: bool,
    /// Carries a CRC word (not a bit of the header word: every record but PADDING of a file
    /// with `FEATURE_CRC32C` has one).
    pub checksummed: bool,
}

const NOT_BEFORE_BIT: u64 = 1 << 63;
const SLOT_MASK: u64 = (MAX_SLOTS as u64) - 1;
/// The bits of a header word that never change after the append (len, the not_before flag): the
/// CRC covers them; state, attempts and slot change in place.
pub const FIXED_HEADER_BITS: u64 = u32::MAX as u64 | NOT_BEFORE_BIT;

impl RecordHeader {
    pub const fn new(len: u32, state: RecordState) -> Self {
        Self {
            len,
            state,
            attempts: 0,
            slot: 0,
            has_not_before: false,
            checksummed: false,
        }
    }

    pub fn encode(self) -> u64 {
        let mut word = self.len as u64
            | (self.state as u64) << 32
            | (self.attempts as u64) << 40
            | (self.slot as u64 & SLOT_MASK) << 48;
        if self.has_not_before {
            word |= NOT_BEFORE_BIT;
        }
        word
    }

    /// `None` for a word no writer of this layout produces (damaged memory). `checksums`: the
    /// segment's records carry CRC words.
    pub fn decode(word: u64, checksums: bool) -> Option<Self> {
        let state = RecordState::from_byte((word >> 32) as u8)?;
        Some(Self {
            len: word as u32,
            state,
            attempts: (word >> 40) as u8,
            slot: ((word >> 48) & SLOT_MASK) as u16,
            has_not_before: word & NOT_BEFORE_BIT != 0,
            checksummed: checksums && state != RecordState::Padding,
        })
    }

    /// Bytes the whole record takes in the ring.
    pub fn footprint(self) -> u64 {
        (self.payload_offset() + self.len as u64).next_multiple_of(RECORD_ALIGN)
    }

    /// Where the CRC word is, from the record's start (after the not_before word, if any).
    pub fn checksum_offset(self) -> u64 {
        RECORD_HEADER_SIZE
            + if self.has_not_before {
                NOT_BEFORE_SIZE
            } else {
                0
            }
    }

    /// Where the payload starts: the record's size math is this and `footprint`, nowhere else.
    pub fn payload_offset(self) -> u64 {
        self.checksum_offset() + if self.checksummed { CHECKSUM_SIZE } else { 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_header_round_trips_every_field() {
        let header = RecordHeader {
            len: u32::MAX,
            state: RecordState::Leased,
            attempts: 255,
            slot: (MAX_SLOTS - 1) as u16,
            has_not_before: true,
            checksummed: true,
        };
        assert_eq!(RecordHeader::decode(header.encode(), true), Some(header));
    }

    /// Freezes the bit layout: a change here is a new LAYOUT_VERSION.
    #[test]
    fn record_header_golden_bits() {
        let header = RecordHeader {
            len: 0x0102_0304,
            state: RecordState::Ready,
            attempts: 2,
            slot: 7,
            has_not_before: false,
            checksummed: false,
        };
        assert_eq!(header.encode(), 0x0007_0201_0102_0304);
        assert_eq!(MAGIC.to_le_bytes(), *b"SHMQUEUE");
    }

    #[test]
    fn unknown_state_byte_is_rejected() {
        assert_eq!(RecordHeader::decode(0x0000_0009_0000_0000, false), None);
        assert_eq!(RecordHeader::decode(0, true), None);
    }

    #[test]
    fn footprint_is_header_plus_payload_rounded_to_eight() {
        let shaped = |len, has_not_before, checksummed| {
            RecordHeader {
                has_not_before,
                checksummed,
                ..RecordHeader::new(len, RecordState::Ready)
            }
            .footprint()
        };
        assert_eq!(shaped(0, false, false), 8);
        assert_eq!(shaped(1, false, false), 16);
        assert_eq!(shaped(8, false, false), 16);
        assert_eq!(shaped(9, true, false), 32);
        assert_eq!(shaped(9, true, true), 40);
        assert_eq!(shaped(0, false, true), 16);
    }

    #[test]
    fn padding_never_carries_a_checksum() {
        let padding = RecordHeader::new(8, RecordState::Padding).encode();
        let decoded = RecordHeader::decode(padding, true).unwrap();
        assert!(!decoded.checksummed);
        assert_eq!(decoded.footprint(), 16);
    }
}
