//! Creating, opening, validating and removing the shared-memory object behind a queue, and
//! bounds-checked access to its words and ring bytes.
//!
//! Creation races are settled by `O_EXCL`: exactly one process creates; everyone else opens and
//! waits (briefly) until the creator has stored `INIT_READY`, the last thing it writes. The
//! geometry (sizes, offsets) is read once at open, validated, and kept in process memory, so a
//! process scribbling over the header later cannot steer our reads or writes out of bounds.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use shared_memory::{Shmem, ShmemConf, ShmemError};

use crate::error::{QueueError, Result};
use crate::layout::*;
use crate::lock::RobustMutex;

pub const MIN_CAPACITY: u64 = 4096;
/// Far above any real queue; keeps positions and slot arithmetic far from overflow.
pub const MAX_CAPACITY: u64 = 1 << 40;
const NAME_MAX: usize = 200;
/// How long an opener waits for a creator that is between `shm_open` and `INIT_READY`.
const INIT_WAIT: Duration = Duration::from_secs(2);

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
}

impl Default for CreateOptions {
    fn default() -> Self {
        Self {
            capacity: 1 << 20,
            permissions: 0o600,
            max_attempts: 5,
            lease_ms: 60_000,
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
        if !(1..=255).contains(&self.max_attempts) {
            return invalid(
                "max_attempts",
                format!("{} is outside 1..=255", self.max_attempts),
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

    fn slot_count(&self) -> u32 {
        (self.capacity / 1024).clamp(64, MAX_SLOTS as u64 - 1) as u32
    }
}

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
    shmem: Shmem,
    name: String,
    size: usize,
    ring_offset: usize,
    ring_size: u64,
    slot_count: u32,
}

impl Segment {
    /// Opens the queue `name`, creating it with `options()` when it does not exist. The options
    /// are worked out only when needed: the common case is a queue that already exists.
    pub fn open_or_create(
        name: &str,
        options: impl FnOnce() -> Result<CreateOptions>,
    ) -> Result<Segment> {
        validate_name(name)?;
        let deadline = Instant::now() + INIT_WAIT;
        let mut make_options = Some(options);
        let mut options = CreateOptions::default();
        loop {
            match Self::open_existing(name, deadline) {
                Err(QueueError::Os { source, .. })
                    if source.raw_os_error() == Some(libc::ENOENT) => {}
                other => return other,
            }
            if let Some(make_options) = make_options.take() {
                options = make_options()?;
                options.validate()?;
            }
            match Self::create(name, &options) {
                Err(QueueError::Os { source, .. })
                    if source.kind() == io::ErrorKind::AlreadyExists =>
                {
                    continue
                }
                other => return other,
            }
        }
    }

    /// Opens an existing queue; `ENOENT` comes back as `QueueError::Os`.
    pub fn open_existing(name: &str, deadline: Instant) -> Result<Segment> {
        validate_name(name)?;
        loop {
            let shmem = match ShmemConf::new().os_id(os_id(name)).open() {
                Ok(shmem) => shmem,
                // Between the creator's shm_open and ftruncate the object has size 0 and mmap fails.
                Err(ShmemError::MapOpenFailed(code)) if code == libc::EINVAL as u32 => {
                    if Instant::now() >= deadline {
                        // Still empty: its creator died before sizing it.
                        return Err(QueueError::Uninitialised {
                            name: name.to_owned(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                Err(error) => return Err(map_shmem_error(name, "open", error)),
            };
            match Self::validate(name, shmem) {
                Err(QueueError::Uninitialised { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                other => return other,
            }
        }
    }

    fn create(name: &str, options: &CreateOptions) -> Result<Segment> {
        let slot_count = options.slot_count();
        let ring_offset = ring_offset(slot_count);
        // A power of two, so a position's place in the ring is a mask, not a division (several
        // per operation): the largest one within the capacity asked for.
        let ring_size = 1u64 << (63 - options.capacity.leading_zeros());
        let size = ring_offset + ring_size as usize;
        let mut shmem = ShmemConf::new()
            .os_id(os_id(name))
            .size(size)
            .create()
            .map_err(|error| map_shmem_error(name, "create", error))?;
        // The segment outlives this process; `remove()` is the only way to delete it.
        shmem.set_owner(false);
        if let Err(error) = reserve_pages(name, size, options.permissions) {
            // SAFETY-free cleanup: nobody can use a segment that never became ready.
            unlink(name);
            return Err(error);
        }
        let segment = Segment {
            shmem,
            name: name.to_owned(),
            size,
            ring_offset,
            ring_size,
            slot_count,
        };
        let header = segment.header();
        header.magic.store(MAGIC, Ordering::Relaxed);
        header
            .layout_version
            .store(LAYOUT_VERSION, Ordering::Relaxed);
        header.segment_size.store(size as u64, Ordering::Relaxed);
        header.ring_size.store(ring_size, Ordering::Relaxed);
        header.slot_count.store(slot_count, Ordering::Relaxed);
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
        if let Err(source) = unsafe { segment.mutex().init() } {
            unlink(name);
            return Err(QueueError::Os {
                what: "pthread_mutex_init",
                source,
            });
        }
        header.init_state.store(INIT_READY, Ordering::Release);
        Ok(segment)
    }

    fn validate(name: &str, shmem: Shmem) -> Result<Segment> {
        let size = shmem.len();
        let corrupt = |why: String| {
            Err(QueueError::Corrupt {
                name: name.to_owned(),
                why,
            })
        };
        if size < HEADER_SIZE {
            return corrupt(format!(
                "segment of {size} bytes is smaller than the {HEADER_SIZE}-byte header"
            ));
        }
        // SAFETY: the mapping is at least HEADER_SIZE bytes and page aligned.
        let header = unsafe { &*(shmem.as_ptr() as *const Header) };
        if header.init_state.load(Ordering::Acquire) != INIT_READY {
            return Err(QueueError::Uninitialised {
                name: name.to_owned(),
            });
        }
        let magic = header.magic.load(Ordering::Relaxed);
        if magic != MAGIC {
            return corrupt(format!(
                "not a shmqueue segment (magic {magic:#018x}, expected {MAGIC:#018x})"
            ));
        }
        let found = header.layout_version.load(Ordering::Relaxed);
        if found != LAYOUT_VERSION {
            return Err(QueueError::LayoutVersion {
                name: name.to_owned(),
                expected: LAYOUT_VERSION,
                found,
            });
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
            return corrupt(format!(
                "geometry does not add up (size {size}, recorded {recorded}, ring {ring_size}, slots {slot_count})"
            ));
        }
        Ok(Segment {
            shmem,
            name: name.to_owned(),
            size,
            ring_offset: ring_offset(slot_count),
            ring_size,
            slot_count,
        })
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
        }
    }

    pub fn ring_size(&self) -> u64 {
        self.ring_size
    }

    pub fn slot_count(&self) -> u32 {
        self.slot_count
    }

    pub fn header(&self) -> &Header {
        // SAFETY: validated (or created) with size >= HEADER_SIZE; the mapping lives as long as self.
        unsafe { &*(self.shmem.as_ptr() as *const Header) }
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
        Some(unsafe { &*(self.shmem.as_ptr().add(offset) as *const LeaseSlot) })
    }

    /// Offset of a slot's field from the segment start, for the journal.
    pub fn offset_of<T>(&self, field: &T) -> u64 {
        (field as *const T as usize - self.shmem.as_ptr() as usize) as u64
    }

    /// The 8-byte word at `offset` from the segment start, or `None` when out of bounds or unaligned.
    pub fn word(&self, offset: u64) -> Option<&AtomicU64> {
        if !offset.is_multiple_of(8) || offset.checked_add(8)? > self.size as u64 {
            return None;
        }
        // SAFETY: checked in bounds and aligned just above.
        Some(unsafe { &*(self.shmem.as_ptr().add(offset as usize) as *const AtomicU64) })
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
        unsafe { &*(self.shmem.as_ptr().add(offset as usize) as *const AtomicU64) }
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
                self.shmem.as_ptr().add(self.ring_offset + start),
                bytes.len(),
            )
        };
    }

    /// Appends `len` ring bytes at `pos` to `out`; bounds as for `write_ring`.
    pub fn read_ring(&self, pos: u64, len: usize, out: &mut Vec<u8>) {
        let start = self.ring_position(pos) as usize;
        assert!(
            start + len <= self.ring_size as usize,
            "ring read out of bounds"
        );
        out.reserve(len);
        // SAFETY: source in bounds (asserted); `out` has room for len more bytes after reserve.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.shmem.as_ptr().add(self.ring_offset + start),
                out.as_mut_ptr().add(out.len()),
                len,
            );
            out.set_len(out.len() + len);
        }
    }
}

/// Commits the pages up front (a later write into a full /dev/shm would be a SIGBUS), and sets
/// the mode, which `shm_open` created as 0600 less the umask.
fn reserve_pages(name: &str, size: usize, permissions: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path(name))
        .map_err(|source| QueueError::Os {
            what: "opening the new segment",
            source,
        })?;
    // SAFETY: fd is open for the duration of the call.
    let code = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, size as libc::off_t) };
    if code != 0 {
        let why = io::Error::from_raw_os_error(code);
        return Err(QueueError::InvalidArgument {
            what: "capacity",
            why: format!("cannot reserve {size} bytes of shared memory in /dev/shm: {why}"),
        });
    }
    file.set_permissions(std::fs::Permissions::from_mode(permissions))
        .map_err(|source| QueueError::Os {
            what: "chmod of the new segment",
            source,
        })
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

/// Removes the name; processes that still map the segment keep it until they let go.
pub fn unlink(name: &str) -> bool {
    let Ok(id) = std::ffi::CString::new(os_id(name)) else {
        return false;
    };
    // SAFETY: id is a valid NUL-terminated string.
    unsafe { libc::shm_unlink(id.as_ptr()) == 0 }
}

fn map_shmem_error(name: &str, step: &'static str, error: ShmemError) -> QueueError {
    let code = match error {
        ShmemError::MapOpenFailed(code)
        | ShmemError::MapCreateFailed(code)
        | ShmemError::UnknownOsError(code) => code as i32,
        ShmemError::MappingIdExists => libc::EEXIST,
        other => {
            return QueueError::Os {
                what: step,
                source: io::Error::other(other.to_string()),
            }
        }
    };
    if code == libc::EACCES || code == libc::EPERM {
        return QueueError::PermissionDenied {
            name: name.to_owned(),
            path: path(name),
        };
    }
    QueueError::Os {
        what: if step == "open" {
            "opening the queue"
        } else {
            "creating the queue"
        },
        source: io::Error::from_raw_os_error(code),
    }
}
