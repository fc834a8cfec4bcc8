//! Opening, creating and removing the segment of a queue name, and noticing when it was removed
//! from outside.
//!
//! - Creation races are settled by `O_EXCL`: exactly one process creates. It holds the object's
//!   creation lock (`shm.rs`) until it has stored `INIT_READY`, the last thing it writes; openers
//!   wait for it. An object still not ready once the opener holds its lock was abandoned by a
//!   dead creator (killed during `posix_fallocate` of a big queue, say): the next opener removes
//!   it and creates the queue again, rather than every open waiting and failing for ever.
//! - Removal takes the same lock, so it waits for a creation under way instead of orphaning the
//!   creator, and unlinks only the object it flagged: never one created since under that name.
//!   `removed` is set only once the unlink succeeded: a remover without the right to unlink
//!   changes nothing.
//! - A queue re-created after a removal keeps the owner and group of the one it replaces: a
//!   process of another user makes it so with `fchown` (root), or does not re-create it.

use std::io;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::error::{QueueError, Result};
use crate::layout::*;
use crate::place::Place;
use crate::segment::{validate_name, CreateOptions, Segment};
use crate::shm::{self, ShmFile};
use crate::waiting::{Event, Waiting};

/// How long an opener waits for a creator that has not even sized the object yet.
const INIT_WAIT: Duration = Duration::from_secs(2);
/// How long an opener or a remover waits for a live creator still reserving pages.
const CREATOR_WAIT: Duration = Duration::from_secs(30);
/// Operations between two looks at whether the name still points at the mapped object, and the
/// least time between two looks: the look is one `stat`, far from every operation.
const LOOK_EVERY_OPS: u32 = 64;
const LOOK_EVERY_MS: u64 = 1000;

/// The uid and gid a re-created queue must keep: those of the queue it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

enum Opened {
    Ready(Segment),
    Missing,
    /// Not ready, and nobody is creating it; we hold its creation lock.
    Abandoned(ShmFile),
}

fn os_error(what: &'static str) -> impl Fn(io::Error) -> QueueError {
    move |source| QueueError::Os { what, source }
}

fn denied_or(place: &Place, name: &str, what: &'static str, source: io::Error) -> QueueError {
    match source.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => QueueError::PermissionDenied {
            name: name.to_owned(),
            path: place.path(name),
        },
        _ => QueueError::Os { what, source },
    }
}

/// ENOTDIR too: a durable dir that is a file holds no queue (creating there says why).
fn is_missing(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR))
}

fn euid() -> u32 {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() }
}

/// Whether the name `name` still points at the object `file` has open.
fn still_named(place: &Place, name: &str, file: &ShmFile) -> io::Result<bool> {
    let ours = file.status()?.identity;
    Ok(shm::status_by_name(&place.path(name))?.is_some_and(|now| now.identity == ours))
}

impl Segment {
    /// Opens the queue `name`, creating it with `options()` when it does not exist (or was
    /// abandoned by a dead creator). The options are worked out only when needed: the common
    /// case is a queue that already exists. `owner`: see `Owner`. A queue of that name of the
    /// other kind than `place` asks for is refused (`KindClash`), looked for before and after a
    /// creation, so two racing creators of both kinds both fail rather than split the name.
    pub fn open_or_create(
        name: &str,
        place: &Place,
        owner: Option<Owner>,
        options: impl FnOnce() -> Result<CreateOptions>,
    ) -> Result<Segment> {
        validate_name(name)?;
        crate::durable::check_no_twin(place, name)?;
        let mut make_options = Some(options);
        let mut options = CreateOptions::default();
        loop {
            match Self::open_ready(name, place, Instant::now() + INIT_WAIT, true)? {
                Opened::Ready(segment) => return Ok(segment),
                Opened::Abandoned(file) => {
                    if still_named(place, name, &file).map_err(os_error("looking at the queue"))? {
                        shm::unlink(place, name).map_err(|source| {
                            denied_or(place, name, "removing an abandoned queue", source)
                        })?;
                    }
                    continue;
                }
                Opened::Missing => {}
            }
            if let Some(make_options) = make_options.take() {
                options = make_options()?;
                options.validate()?;
            }
            match Self::create(name, place, &options, owner) {
                Err(QueueError::Os { source, .. })
                    if source.kind() == io::ErrorKind::AlreadyExists => {}
                Ok(segment) => {
                    crate::durable::check_no_twin(place, name)?;
                    return Ok(segment);
                }
                other => return other,
            }
        }
    }

    /// Opens an existing queue; `ENOENT` comes back as `QueueError::Os`. A queue still being
    /// created is waited for until `deadline`; one abandoned by its creator is reported.
    pub fn open_existing(name: &str, deadline: Instant) -> Result<Segment> {
        Self::open_existing_at(name, &Place::shm(), deadline)
    }

    /// `open_existing` of the queue `name` in `place`.
    pub fn open_existing_at(name: &str, place: &Place, deadline: Instant) -> Result<Segment> {
        validate_name(name)?;
        crate::durable::check_no_twin(place, name)?;
        match Self::open_ready(name, place, deadline, false)? {
            Opened::Ready(segment) => Ok(segment),
            Opened::Missing => Err(QueueError::Os {
                what: "opening the queue",
                source: io::Error::from_raw_os_error(libc::ENOENT),
            }),
            Opened::Abandoned(_) => Err(QueueError::Uninitialised {
                name: name.to_owned(),
            }),
        }
    }

    /// Opens `name` once its creator is done. With `take_over`, an object abandoned by a dead
    /// creator comes back as `Abandoned` (its lock held) rather than as an error.
    fn open_ready(name: &str, place: &Place, deadline: Instant, take_over: bool) -> Result<Opened> {
        let started = Instant::now();
        loop {
            let file = match ShmFile::open(place, name) {
                Ok(file) => file,
                Err(error) if is_missing(&error) => return Ok(Opened::Missing),
                Err(error) => return Err(denied_or(place, name, "opening the queue", error)),
            };
            let (ready, size) = Self::look_at(name, place, &file)?;
            if let Some(segment) = ready {
                return Ok(Opened::Ready(segment));
            }
            crate::hooks::pause_point("opening-unready");
            // Not ready. A creator takes the lock before it sizes the object, so a sized one
            // whose lock is free is abandoned; an empty one may be a creator a moment before.
            let creator_alive = !file.lock(true, false).map_err(os_error("flock"))?;
            // The creator may have finished between the look and the lock: look again, now that
            // nobody can be creating. Else a queue just made, and the messages already in it,
            // would be taken for abandoned and replaced.
            let size = if creator_alive {
                size
            } else {
                match Self::look_at(name, place, &file)? {
                    (Some(segment), _) => return Ok(Opened::Ready(segment)),
                    (None, size) => size,
                }
            };
            // One verdict for a dead creator's empty object, whichever of the two clocks runs
            // out first: with two checks, a loaded machine could fall between them (the caller's
            // deadline passed, INIT_WAIT since `started` not yet) and report it unfinished
            // instead of taking it over.
            let waited_for_creator = started.elapsed() >= INIT_WAIT || Instant::now() >= deadline;
            if !creator_alive && (size > 0 || waited_for_creator) {
                if take_over {
                    return Ok(Opened::Abandoned(file));
                }
                return Err(QueueError::Uninitialised {
                    name: name.to_owned(),
                });
            }
            if creator_alive && started.elapsed() >= CREATOR_WAIT {
                return Err(QueueError::Uninitialised {
                    name: name.to_owned(),
                });
            }
            drop(file);
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The queue `file` holds if its creator is done with it, and the file's size.
    fn look_at(name: &str, place: &Place, file: &ShmFile) -> Result<(Option<Segment>, u64)> {
        let status = file.status().map_err(os_error("fstat of the queue"))?;
        if status.size == 0 {
            return Ok((None, 0));
        }
        let mapping = file
            .map(status.size as usize)
            .map_err(|source| crate::durable::mapping_error(place, name, source))?;
        match Segment::validate(name, place, mapping, status) {
            Err(QueueError::Uninitialised { .. }) => Ok((None, status.size)),
            Ok(segment) if place.durable => {
                crate::durable::adopt_boot(&segment, file)?;
                Ok((Some(segment), status.size))
            }
            other => other.map(|segment| (Some(segment), status.size)),
        }
    }

    fn create(
        name: &str,
        place: &Place,
        options: &CreateOptions,
        owner: Option<Owner>,
    ) -> Result<Segment> {
        let me = euid();
        if let Some(owner) = owner.filter(|owner| owner.uid != me && me != 0) {
            return Err(QueueError::OwnerOnly {
                name: name.to_owned(),
                owner_uid: owner.uid,
            });
        }
        let slot_count = options.slot_count();
        let ring_offset = ring_offset(slot_count);
        // A power of two, so a position's place in the ring is a mask, not a division (several
        // per operation): the largest one within the capacity asked for.
        let ring_size = 1u64 << (63 - options.capacity.leading_zeros());
        let size = ring_offset + ring_size as usize;
        if place.durable {
            crate::durable::check_dir(place)?;
        }
        let file = ShmFile::create(place, name).map_err(|source| match source.kind() {
            io::ErrorKind::AlreadyExists => QueueError::Os {
                what: "creating the queue",
                source,
            },
            _ if place.durable => crate::durable::creation_error(place, source),
            _ => denied_or(place, name, "creating the queue", source),
        })?;
        // A remover that opened the object before we locked it may have unlinked it: creating
        // into it would be writing into an orphan. Start again (as if it existed).
        if !still_named(place, name, &file).map_err(os_error("looking at the new queue"))? {
            return Err(QueueError::Os {
                what: "creating the queue",
                source: io::Error::from(io::ErrorKind::AlreadyExists),
            });
        }
        let unlink_on_error = |error: QueueError| {
            let _ = shm::unlink(place, name);
            error
        };
        file.allocate(size as u64).map_err(|why| {
            unlink_on_error(if place.durable {
                QueueError::NoRoom {
                    name: name.to_owned(),
                    path: place.path(name),
                    size: size as u64,
                    source: why,
                }
            } else {
                QueueError::InvalidArgument {
                    what: "capacity",
                    why: format!("cannot reserve {size} bytes of shared memory in /dev/shm: {why}"),
                }
            })
        })?;
        crate::hooks::pause_point("creating");
        // shm_open created it 0600 less the umask.
        file.set_mode(options.permissions).map_err(|source| {
            unlink_on_error(QueueError::Os {
                what: "chmod of the new queue",
                source,
            })
        })?;
        if let Some(owner) = owner {
            // Only root can give it away; a group it cannot set is a smaller loss than no queue.
            if file.set_owner(owner.uid, owner.gid).is_err() && owner.uid != me {
                return Err(unlink_on_error(QueueError::OwnerOnly {
                    name: name.to_owned(),
                    owner_uid: owner.uid,
                }));
            }
        }
        let status = file.status().map_err(|source| {
            unlink_on_error(QueueError::Os {
                what: "fstat of the new queue",
                source,
            })
        })?;
        let mapping = file.map(size).map_err(|source| {
            unlink_on_error(crate::durable::mapping_error(place, name, source))
        })?;
        // Every durable file created now checksums its records (`durable::initialise` says so).
        let checksums = place.durable;
        let segment = Segment::new(
            name, place, mapping, status, ring_size, slot_count, checksums, true,
        );
        segment.initialise(options).map_err(unlink_on_error)?;
        // Dropping `file` closes the descriptor and with it the creation lock.
        Ok(segment)
    }

    /// Deletes the queue `name`; `false` when there was none (or another remover got there
    /// first). Processes that still have it open notice `removed` at their next operation.
    pub fn remove(name: &str, place: &Place) -> Result<bool> {
        validate_name(name)?;
        let file = match ShmFile::open(place, name) {
            Ok(file) => file,
            Err(error) if is_missing(&error) => return Ok(false),
            Err(error) => return Err(denied_or(place, name, "opening the queue", error)),
        };
        // Wait for a creation under way (its creator holds the lock), or for another remover.
        let started = Instant::now();
        while !file.lock(true, false).map_err(os_error("flock"))? {
            if started.elapsed() >= CREATOR_WAIT {
                return Err(QueueError::Uninitialised {
                    name: name.to_owned(),
                });
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if !still_named(place, name, &file).map_err(os_error("looking at the queue"))? {
            return Ok(false);
        }
        let status = file.status().map_err(os_error("fstat of the queue"))?;
        // Damaged, half-created or of another layout: removing it is exactly what is asked, but
        // only a header of ours is flagged.
        let mapping = (status.size >= HEADER_SIZE as u64)
            .then(|| file.map(HEADER_SIZE).ok())
            .flatten();
        shm::unlink(place, name)
            .map_err(|source| denied_or(place, name, "removing the queue", source))?;
        if let Some(mapping) = mapping {
            // SAFETY: the mapping is HEADER_SIZE bytes, page aligned, and lives to the end of
            // this block; every field of Header is an atomic, valid for any bytes.
            let header = unsafe { &*(mapping.as_ptr() as *const Header) };
            let ours = header.magic.load(Ordering::Acquire) == MAGIC
                && header.layout_version.load(Ordering::Acquire) == place.layout_version()
                && header.init_state.load(Ordering::Acquire) == INIT_READY;
            if ours {
                header.removed.store(1, Ordering::Release);
                for event in [Event::NotEmpty, Event::NotFull] {
                    Waiting::of(header, event).wake_all();
                }
            }
        }
        Ok(true)
    }

    /// Every `LOOK_EVERY_OPS` operations, and at most every `LOOK_EVERY_MS`: whether the name
    /// still points at this object, unchanged in size. One that was unlinked from outside (a
    /// cleaner, systemd's RemoveIPC) is flagged removed, so every process moves on; one resized
    /// is treated as removed here only (touching its header could fault). Cost: a counter per
    /// operation; the clock and a `stat` once per look.
    pub(crate) fn look_now_and_then(&self) {
        let ops = self.ops_since_look.get() + 1;
        if ops < LOOK_EVERY_OPS {
            self.ops_since_look.set(ops);
            return;
        }
        self.ops_since_look.set(0);
        self.look_if_due();
    }

    /// The look of `look_now_and_then`, if the last one is `LOOK_EVERY_MS` old (blocked calls
    /// use it between sleeps).
    pub(crate) fn look_if_due(&self) {
        let now = crate::clock::now_ms();
        if now.saturating_sub(self.last_look_ms.get()) < LOOK_EVERY_MS {
            return;
        }
        self.last_look_ms.set(now);
        let mine = self.status();
        match shm::status_by_name(&self.place().path(self.name())) {
            Ok(Some(now)) if now.identity == mine.identity && now.size == mine.size => {}
            Ok(Some(now)) if now.identity == mine.identity => self.detach(),
            // Nothing there, or another object: ours was unlinked.
            Ok(_) => {
                self.header().removed.store(1, Ordering::Release);
                self.detach();
            }
            // Cannot look (EACCES on /dev/shm?): nothing learnt.
            Err(_) => {}
        }
    }
}
