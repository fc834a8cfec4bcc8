//! One mapped queue segment: its settings, validation of what another process wrote, and
//! bounds-checked access to its words and ring bytes. Opening, creating and removing are in
//! `open.rs`; the object itself in `shm.rs`.
//!
//! The geometry (sizes, offsets) is read once at open, validated, and kept in process memory, so
//! a process scribbling over the header later cannot steer our reads or writes out of bounds.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::damage::Damage;
use crate::error::{QueueError, Result};
use crate::layout::*;
use crate::lock::RobustMutex;
use crate::place::Place;
use crate::shm::{Mapping, Status};
use crate::sync::SyncPolicy;

pub const MIN_CAPACITY: u64 = 4096;
/// Far above any real queue; keeps positions and slot arithmetic far from overflow.
pub const MAX_CAPACITY: u64 = 1 << 40;
const NAME_MAX: usize = 200;

/// Settings that apply when this process is the one creating the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOptions {
    /// Ring size in bytes (the room for records).
    pub capacity: u64,
    /// Mode bits of the shared-memory object, e.g. 0o600.
    pub permissions: u32,
    /// Deliveries before a released or expired job goes to the dead letters.
    pub max_attempts: u32,
    /// Default lease length of `reserve`.
    pub lease_ms: u64,
    /// When changes of a durable queue reach the disk (kept in the queue; ignored in shared memory).
    pub sync: SyncPolicy,
    /// The window of `SyncPolicy::Batch`, in ms.
    pub sync_interval_ms: u32,
}

impl Default for CreateOptions {
    fn default() -> Self {
        Self {
            capacity: 1 << 20,
            permissions: 0o600,
            max_attempts: 5,
            lease_ms: 60_000,
            sync: SyncPolicy::Batch,
            sync_interval_ms: 1000,
        }
    }
}

impl CreateOptions {
    pub fn validate(&self) -> Result<()> {
        let invalid = |what, why: String| Err(QueueError::InvalidArgument { what, why });
        if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&self.capacity) {
            return invalid(
                "capacity",
                format!(
                    "{} bytes is outside {MIN_CAPACITY}..={MAX_CAPACITY}",
                    self.capacity
                ),
            );
        }
        if self.permissions & !0o777 != 0 || self.permissions & 0o600 != 0o600 {
            return invalid(
                "permissions",
                format!(
                    "0{:o} must be within 0777 and include owner read and write (0600)",
                    self.permissions
                ),
            );
        }
        if self.permissions & 0o002 != 0 {
            // Such a queue could be planted with values by anyone, so no process opens it.
            return invalid(
                "permissions",
                format!(
                    "0{:o} lets every user write the queue; share it with a group (0660) instead",
                    self.permissions
                ),
            );
        }
        if !(1..=255).contains(&self.max_attempts) {
            return invalid(
                "max_attempts",
                format!("{} is outside 1..=255", self.max_attempts),
            );
        }
        if !(1..=MAX_SYNC_INTERVAL_MS).contains(&self.sync_interval_ms) {
            return invalid(
                "sync_interval",
                format!(
                    "{} ms is outside 1..={MAX_SYNC_INTERVAL_MS} ms",
                    self.sync_interval_ms
                ),
            );
        }
        if self.lease_ms == 0 || self.lease_ms > MAX_DURATION_MS {
            return invalid(
                "lease",
                format!("{} ms is outside 1..={MAX_DURATION_MS} ms", self.lease_ms),
            );
        }
        Ok(())
    }

    pub(crate) fn slot_count(&self) -> u32 {
        (self.capacity / 1024).clamp(64, MAX_SLOTS as u64 - 1) as u32
    }
}

/// Longest batch window accepted: one hour.
pub const MAX_SYNC_INTERVAL_MS: u32 = 3_600_000;

/// Longest lease or delay accepted: one year.
pub const MAX_DURATION_MS: u64 = 365 * 24 * 3600 * 1000;

pub fn validate_name(name: &str) -> Result<()> {
    let why = if name.is_empty() {
        "it is empty"
    } else if name.len() > NAME_MAX {
        "it is longer than 200 bytes"
    } else if name.starts_with('.') {
        "it starts with a dot"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        "only ASCII letters, digits, '_', '-' and '.' are allowed"
    } else {
        return Ok(());
    };
    Err(QueueError::InvalidName {
        name: name.to_owned(),
        why,
    })
}

/// The name of the POSIX shared-memory object, as given to `shm_open`.
pub fn os_id(name: &str) -> String {
    format!("/shmqueue.{name}")
}

/// Where Linux shows the object.
pub fn path(name: &str) -> String {
    format!("/dev/shm/shmqueue.{name}")
}

/// One mapped queue segment with its validated geometry.
pub struct Segment {
    mapping: Mapping,
    name: String,
    place: Place,
    size: usize,
    ring_offset: usize,
    ring_size: u64,
    slot_count: u32,
    /// Its records carry CRC words (a durable file with `FEATURE_CRC32C`), read once, at map time.
    pub(crate) checksums: bool,
    /// What `fstat` said when this process mapped it: which object, whose, which mode.
    status: Status,
    /// Created by this process (then its mode is the one this process asked for).
    created_here: bool,
    /// Found unlinked or resized from outside (`open.rs`): to be treated as removed.
    detached: Cell<bool>,
    /// Operations since the last look at the name, and when that look was (`open.rs`).
    pub(crate) ops_since_look: Cell<u32>,
    pub(crate) last_look_ms: Cell<u64>,
    /// The `trusted_users` this process found the mapping trustworthy with (`mappings.rs`).
    pub(crate) trusted_with: std::cell::RefCell<Option<Vec<u32>>>,
    /// Sequence number of this process's last change not yet settled (`sync.rs`).
    pub(crate) last_change: Cell<u64>,
}

impl Segment {
    /// A segment over `mapping`, whose geometry has been checked (or just written).
    pub(crate) fn new(
        name: &str,
        place: &Place,
        mapping: Mapping,
        status: Status,
        ring_size: u64,
        slot_count: u32,
        checksums: bool,
        created_here: bool,
    ) -> Segment {
        Segment {
            size: mapping.len(),
            mapping,
            name: name.to_owned(),
            place: place.clone(),
            ring_offset: ring_offset(slot_count),
            ring_size,
            slot_count,
            checksums,
            status,
            created_here,
            detached: Cell::new(false),
            ops_since_look: Cell::new(0),
            last_look_ms: Cell::new(0),
            trusted_with: std::cell::RefCell::new(None),
            last_change: Cell::new(0),
        }
    }

    /// Checks the header another process wrote before anything trusts it.
    pub(crate) fn validate(
        name: &str,
        place: &Place,
        mapping: Mapping,
        status: Status,
    ) -> Result<Segment> {
        let size = mapping.len();
        let corrupt = |damage| {
            Err(QueueError::Corrupt {
                name: name.to_owned(),
                damage,
            })
        };
        if size < HEADER_SIZE {
            return corrupt(Damage::TooSmall { size: size as u64 });
        }
        // SAFETY: the mapping is at least HEADER_SIZE bytes and page aligned.
        let header = unsafe { &*(mapping.as_ptr() as *const Header) };
        if header.init_state.load(Ordering::Acquire) != INIT_READY {
            return Err(QueueError::Uninitialised {
                name: name.to_owned(),
            });
        }
        let magic = header.magic.load(Ordering::Relaxed);
        if magic != MAGIC {
            return corrupt(Damage::Magic { found: magic });
        }
        let found = header.layout_version.load(Ordering::Relaxed);
        let expected = place.layout_version();
        if found != expected {
            return Err(QueueError::LayoutVersion {
                name: name.to_owned(),
                expected,
                found,
            });
        }
        let features = header.durable.features.load(Ordering::Relaxed);
        if place.durable && features & FEATURE_DURABLE == 0 {
            return corrupt(Damage::Features { found: features });
        }
        let ring_size = header.ring_size.load(Ordering::Relaxed);
        let slot_count = header.slot_count.load(Ordering::Relaxed);
        let recorded = header.segment_size.load(Ordering::Relaxed);
        if slot_count >= MAX_SLOTS
            || !ring_size.is_power_of_two()
            || ring_size < RECORD_HEADER_SIZE
            || recorded != size as u64
            || ring_offset(slot_count) as u64 + ring_size != recorded
        {
            return corrupt(Damage::Geometry {
                size: size as u64,
                ring: ring_size,
            });
        }
        let checksums = place.durable && features & FEATURE_CRC32C != 0;
        Ok(Segment::new(
            name, place, mapping, status, ring_size, slot_count, checksums, false,
        ))
    }

    /// Writes the header of a new segment, `INIT_READY` last: before it nobody uses the segment.
    pub(crate) fn initialise(&self, options: &CreateOptions) -> Result<()> {
        let header = self.header();
        header.magic.store(MAGIC, Ordering::Relaxed);
        header
            .layout_version
            .store(self.place.layout_version(), Ordering::Relaxed);
        if self.place.durable {
            crate::durable::initialise(header, options);
        }
        header
            .segment_size
            .store(self.size as u64, Ordering::Relaxed);
        header.ring_size.store(self.ring_size, Ordering::Relaxed);
        header.slot_count.store(self.slot_count, Ordering::Relaxed);
        header
            .max_attempts
            .store(options.max_attempts, Ordering::Relaxed);
        header.lease_ms.store(options.lease_ms, Ordering::Relaxed);
        header
            .created_unix_ms
            .store(crate::clock::now_ms(), Ordering::Relaxed);
        header.next_token.store(1, Ordering::Relaxed);
        header
            .permissions
            .store(options.permissions as u64, Ordering::Relaxed);
        header.instance.store(random_id(), Ordering::Relaxed);
        // SAFETY: nobody else can use the segment before INIT_READY is stored below.
        unsafe { self.mutex().init() }.map_err(|source| QueueError::Os {
            what: "pthread_mutex_init",
            source,
        })?;
        header.init_state.store(INIT_READY, Ordering::Release);
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The settings this queue was created with, to create it again the same way.
    pub fn creation_options(&self) -> CreateOptions {
        let header = self.header();
        CreateOptions {
            capacity: self.ring_size,
            permissions: (header.permissions.load(Ordering::Relaxed) & 0o777) as u32,
            max_attempts: header.max_attempts.load(Ordering::Relaxed),
            lease_ms: header.lease_ms.load(Ordering::Relaxed),
            sync: SyncPolicy::decode(header.durable.sync_policy.load(Ordering::Relaxed)),
            sync_interval_ms: header
                .durable
                .sync_interval_ms
                .load(Ordering::Relaxed)
                .clamp(1, MAX_SYNC_INTERVAL_MS),
        }
    }

    /// Where the queue lives.
    pub fn place(&self) -> &Place {
        &self.place
    }

    pub(crate) fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    pub(crate) fn ring_offset(&self) -> usize {
        self.ring_offset
    }

    /// Owner, mode and identity of the object when this process mapped it.
    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn created_here(&self) -> bool {
        self.created_here
    }

    /// Whether the queue was removed: by `remove()` (the shared flag), or from outside (noticed
    /// by this process).
    pub fn is_removed(&self) -> bool {
        self.detached.get() || self.header().removed.load(Ordering::Acquire) != 0
    }

    pub(crate) fn detach(&self) {
        self.detached.set(true);
    }

    pub fn ring_size(&self) -> u64 {
        self.ring_size
    }

    pub fn slot_count(&self) -> u32 {
        self.slot_count
    }

    pub fn header(&self) -> &Header {
        // SAFETY: validated (or created) with size >= HEADER_SIZE; the mapping lives as long as self.
        unsafe { &*(self.mapping.as_ptr() as *const Header) }
    }

    /// Flags the queue damaged, keeping the first reason found (later damage is usually a
    /// consequence of the first).
    pub fn flag_damage(&self, damage: Damage) {
        let header = self.header();
        let (code, details) = damage.encode();
        if header
            .corrupt
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            for (word, value) in header.damage_detail.iter().zip(details) {
                word.store(value, Ordering::Release);
            }
        }
    }

    /// The damage the queue is flagged with, if any.
    pub fn damage(&self) -> Option<Damage> {
        let header = self.header();
        let code = header.corrupt.load(Ordering::Acquire);
        if code == 0 {
            return None;
        }
        let details = [0, 1].map(|i| header.damage_detail[i].load(Ordering::Acquire));
        Damage::decode(code, details)
    }

    pub fn mutex(&self) -> &RobustMutex {
        // SAFETY: the lock word lives in the header of this mapping.
        unsafe { RobustMutex::from_word(&self.header().lock) }
    }

    /// The lease slot `index`, or `None` when out of range (damaged record).
    pub fn slot(&self, index: u32) -> Option<&LeaseSlot> {
        if index >= self.slot_count {
            return None;
        }
        let offset = HEADER_SIZE + index as usize * SLOT_SIZE;
        // SAFETY: offset + SLOT_SIZE <= ring_offset <= size, and slots are 8-byte aligned.
        Some(unsafe { &*(self.mapping.as_ptr().add(offset) as *const LeaseSlot) })
    }

    /// Offset of a slot's field from the segment start, for the journal.
    pub fn offset_of<T>(&self, field: &T) -> u64 {
        (field as *const T as usize - self.mapping.as_ptr() as usize) as u64
    }

    /// The 8-byte word at `offset` from the segment start, or `None` when out of bounds or unaligned.
    pub fn word(&self, offset: u64) -> Option<&AtomicU64> {
        if !offset.is_multiple_of(8) || offset.checked_add(8)? > self.size as u64 {
            return None;
        }
        // SAFETY: checked in bounds and aligned just above.
        Some(unsafe { &*(self.mapping.as_ptr().add(offset as usize) as *const AtomicU64) })
    }

    /// Where position `pos` falls in the ring (`pos % ring_size`, as a mask).
    #[inline]
    pub fn ring_position(&self, pos: u64) -> u64 {
        pos & (self.ring_size - 1)
    }

    /// Segment offset of the ring word at `pos` (always in bounds: pos is reduced modulo the ring).
    pub fn ring_word_offset(&self, pos: u64) -> u64 {
        self.ring_offset as u64 + self.ring_position(pos) / 8 * 8
    }

    pub fn ring_word(&self, pos: u64) -> &AtomicU64 {
        let offset = self.ring_word_offset(pos);
        // SAFETY: ring_offset + ring_position(pos) rounded down to 8 is < size and aligned.
        unsafe { &*(self.mapping.as_ptr().add(offset as usize) as *const AtomicU64) }
    }

    /// Copies `bytes` into the ring at `pos`; the caller has checked that it does not cross the end.
    pub fn write_ring(&self, pos: u64, bytes: &[u8]) {
        let start = self.ring_position(pos) as usize;
        assert!(
            start + bytes.len() <= self.ring_size as usize,
            "ring write out of bounds"
        );
        // SAFETY: in bounds (asserted); the lock serialises writers of this range.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.mapping.as_ptr().add(self.ring_offset + start),
                bytes.len(),
            )
        };
    }

    /// The `len` ring bytes at `pos`; bounds as for `write_ring`. Stable while the lock is held
    /// (only its holder writes the ring).
    pub fn ring_bytes(&self, pos: u64, len: usize) -> &[u8] {
        let start = self.ring_position(pos) as usize;
        assert!(
            start + len <= self.ring_size as usize,
            "ring read out of bounds"
        );
        // SAFETY: in bounds (asserted), inside the mapping this segment keeps for its lifetime.
        unsafe {
            std::slice::from_raw_parts(self.mapping.as_ptr().add(self.ring_offset + start), len)
        }
    }

    /// Appends `len` ring bytes at `pos` to `out`; bounds as for `write_ring`.
    pub fn read_ring(&self, pos: u64, len: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(self.ring_bytes(pos, len));
    }
}

/// A random non-zero id (the kernel's generator; the clock and pid if it is unavailable).
fn random_id() -> u64 {
    let mut bytes = [0u8; 8];
    // SAFETY: writes at most 8 bytes into `bytes`.
    let filled = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    let id = if filled == 8 {
        u64::from_ne_bytes(bytes)
    } else {
        crate::clock::now_ms().rotate_left(20) ^ u64::from(std::process::id())
    };
    id.max(1)
}

/// Removes the name without looking at what it names (tests and scratch queues; users call
/// `Queue::remove`). `false` when nothing was removed.
pub fn unlink(name: &str) -> bool {
    crate::shm::unlink(&Place::shm(), name).is_ok()
}
