//! What a durable file needs beyond a shared-memory segment: its directory checked at creation,
//! one queue per name across both kinds, and a new boot noticed before anything trusts the
//! words a previous boot left (the lock word may name a thread id that a live, unrelated
//! thread has now; waiter counts and heartbeats belong to processes that are gone).

use std::io;
use std::sync::atomic::Ordering;

use crate::error::{QueueError, Result};
use crate::layout::{Header, FEATURE_CRC32C, FEATURE_DURABLE};
use crate::place::Place;
use crate::segment::{CreateOptions, Segment};
use crate::shm::ShmFile;
use crate::stats::DurableStats;
use crate::sync::SyncPolicy;

const BOOT_ID_PATH: &str = "/proc/sys/kernel/random/boot_id";

/// Writes the durable words of a new file (before `INIT_READY`).
pub(crate) fn initialise(header: &Header, options: &CreateOptions) {
    let durable = &header.durable;
    let [a, b] = boot_id();
    durable.boot_id[0].store(a, Ordering::Relaxed);
    durable.boot_id[1].store(b, Ordering::Relaxed);
    durable
        .features
        .store(FEATURE_DURABLE | FEATURE_CRC32C, Ordering::Relaxed);
    durable
        .sync_policy
        .store(options.sync.encode(), Ordering::Relaxed);
    durable
        .sync_interval_ms
        .store(options.sync_interval_ms, Ordering::Relaxed);
}

/// This boot's id as two words (the 16 bytes of the UUID, in order); zero if unreadable, which
/// every file's id differs from, so a file is then reinitialized on every first open: safe.
pub fn boot_id() -> [u64; 2] {
    let text = std::fs::read_to_string(BOOT_ID_PATH).unwrap_or_default();
    let hex: String = text.chars().filter(char::is_ascii_hexdigit).collect();
    let word = |range: std::ops::Range<usize>| {
        hex.get(range)
            .and_then(|digits| u64::from_str_radix(digits, 16).ok())
            .map_or(0, |value| u64::from_le_bytes(value.to_be_bytes()))
    };
    [word(0..16), word(16..32)]
}

/// Refuses to open `name` as `place` when the other kind of queue has that name. One that cannot
/// be looked at (a durable dir we may not read) counts as absent: creating in it fails clearly.
pub(crate) fn check_no_twin(place: &Place, name: &str) -> Result<()> {
    if !place.other_exists(name) {
        return Ok(());
    }
    Err(QueueError::KindClash {
        name: name.to_owned(),
        asked: place.kind(),
        existing: place.other_path(name),
    })
}

/// Why a durable queue cannot be created in its directory, if the directory is the reason.
pub(crate) fn check_dir(place: &Place) -> Result<()> {
    let dir = &place.durable_dir;
    let unusable = |why: String| QueueError::DurableDir {
        dir: dir.display().to_string(),
        why,
    };
    match file_mode(dir.as_ref(), true) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            Err(unusable("it does not exist".to_owned()))
        }
        Err(error) => Err(unusable(error.to_string())),
        Ok(mode) if mode & libc::S_IFMT != libc::S_IFDIR => {
            Err(unusable("it is not a directory".to_owned()))
        }
        Ok(_) => Ok(()),
    }
}

/// The file type and mode bits of `path` (`stat`, or `lstat` without `follow`), through libc:
/// std's own stat first probes a process-wide flag (whether `statx` works) with relaxed atomics,
/// which valgrind's race detector reports in a threaded PHP (the ZTS helgrind test).
pub(crate) fn file_mode(path: &std::path::Path, follow: bool) -> io::Result<libc::mode_t> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: a zeroed `stat` is a valid out-parameter; `c_path` is NUL-terminated.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    let code = unsafe {
        if follow {
            libc::stat(c_path.as_ptr(), &mut stat)
        } else {
            libc::lstat(c_path.as_ptr(), &mut stat)
        }
    };
    if code == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(stat.st_mode)
}

/// The error for a failed `open(O_CREAT)` in the durable directory.
pub(crate) fn creation_error(place: &Place, source: io::Error) -> QueueError {
    let why = match source.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => "this user may not create files in it".to_owned(),
        Some(libc::EROFS) => "it is on a read-only filesystem".to_owned(),
        _ => source.to_string(),
    };
    QueueError::DurableDir {
        dir: place.durable_dir.display().to_string(),
        why,
    }
}

/// The error for a mapping the filesystem refused.
pub(crate) fn mapping_error(place: &Place, name: &str, source: io::Error) -> QueueError {
    match source.raw_os_error() {
        Some(libc::ENODEV | libc::EINVAL | libc::EOPNOTSUPP) if place.durable => {
            QueueError::NoSharedMmap {
                path: place.path(name),
                source,
            }
        }
        _ => QueueError::Os {
            what: "mapping the queue",
            source,
        },
    }
}

/// On the first open of a durable file in a boot: reinitializes what the previous boot left
/// (lock, waiter words, flush state) and repairs the queue as after a dead lock holder. Runs
/// under the file's exclusive creation lock, so one process of the new boot does it while the
/// others wait; the boot id, stored last, tells them it is done.
pub(crate) fn adopt_boot(segment: &Segment, file: &ShmFile) -> Result<()> {
    let header = segment.header();
    let durable = &header.durable;
    let current = boot_id();
    let ours = || [0, 1].map(|i| durable.boot_id[i].load(Ordering::Acquire)) == current;
    if ours() {
        return Ok(());
    }
    file.lock(true, true).map_err(|source| QueueError::Os {
        what: "flock",
        source,
    })?;
    // Another process of this boot did it while we waited (dropping `file` unlocks).
    if ours() {
        return Ok(());
    }
    // SAFETY: no process of this boot uses the lock before the boot id below is stored: they
    // all wait for the creation lock we hold; those of the previous boot are gone.
    unsafe { segment.mutex().init() }.map_err(|source| QueueError::Os {
        what: "pthread_mutex_init",
        source,
    })?;
    for word in [
        &header.not_empty_waiters,
        &header.not_full_waiters,
        &header.not_empty_seq,
        &header.not_full_seq,
    ] {
        word.store(0, Ordering::Relaxed);
    }
    header.not_empty_heartbeat.store(0, Ordering::Relaxed);
    header.not_full_heartbeat.store(0, Ordering::Relaxed);
    durable.flushing_since_ms.store(0, Ordering::Relaxed);
    durable.last_sync_ms.store(0, Ordering::Relaxed);
    let changes = durable.change_seq.load(Ordering::Relaxed);
    durable.synced_seq.store(changes, Ordering::Relaxed);
    // Pages may have reached the disk from different moments: a file whose records carry a CRC
    // is walked and repaired; an older one gets the recovery of a dead lock holder.
    let outcome = if segment.checksums {
        crate::boot_repair::recover_new_boot(segment)
    } else {
        crate::recovery::recover(segment)
    };
    durable
        .synced_head
        .store(header.head.load(Ordering::Relaxed), Ordering::Relaxed);
    header
        .last_recovery
        .store(outcome.code(), Ordering::Relaxed);
    header.recoveries.fetch_add(1, Ordering::Relaxed);
    durable.boots.fetch_add(1, Ordering::Relaxed);
    durable.boot_id[0].store(current[0], Ordering::Relaxed);
    durable.boot_id[1].store(current[1], Ordering::Release);
    Ok(())
}

/// The durable part of `Stats`; `None` for a queue in shared memory.
pub(crate) fn stats(segment: &Segment) -> Option<DurableStats> {
    let place = segment.place();
    if !place.durable {
        return None;
    }
    let durable = &segment.header().durable;
    let load = |word: &std::sync::atomic::AtomicU64| word.load(Ordering::Relaxed);
    Some(DurableStats {
        path: place.path(segment.name()),
        sync: SyncPolicy::decode(durable.sync_policy.load(Ordering::Relaxed)),
        sync_interval_ms: durable.sync_interval_ms.load(Ordering::Relaxed),
        torn_dropped: load(&durable.torn_dropped),
        changes: load(&durable.change_seq),
        flushes: load(&durable.flushes),
        boots: load(&durable.boots),
    })
}
