//! The segments this process has mapped, by name, and which queues it agrees to open.
//!
//! A php-fpm worker maps a queue once, on its first request, and reuses the mapping for its whole
//! life; a mapping found removed is let go once no handle uses it, so a removed 512 MB queue does
//! not stay mapped in every process that once used it.
//!
//! Trust: a queue another user made can hold values crafted to run code when decoded, and a
//! queue others may write can have them planted. So an existing queue is opened only when its
//! owner is this user, root, or a user the front end names (`OpenOptions::trusted_users`), and
//! when nobody else may write it (no `o+w`). Checked on the owner and mode the kernel reported
//! when the object was mapped (`fstat`), not on a name that could be swapped.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::error::{QueueError, Result};
use crate::leases::Lease;
use crate::open::Owner;
use crate::place::Place;
use crate::segment::{CreateOptions, Segment};

/// How a handle opens and waits; what does not change the queue itself (see `CreateOptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// Users, besides this process's effective user and root, whose queues may be opened;
    /// `None` checks no owner or mode at all (for callers that decode nothing a planted value
    /// could abuse). The default trusts nobody else.
    pub trusted_users: Option<Vec<u32>>,
    /// How long an operation waits for a lock another process holds (`Queue::set_lock_timeout`).
    pub lock_timeout: Duration,
    /// Shared memory or a durable file (and where durable files live).
    pub place: Place,
}

/// Operations hold the lock for microseconds: a holder that keeps it for seconds is stopped,
/// frozen, or the lock word is damaged.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            trusted_users: Some(Vec::new()),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            place: Place::default(),
        }
    }
}

impl OpenOptions {
    /// Refuses a segment whose owner is not trusted or that others may write. A segment this
    /// process created has the owner and mode it asked for. The verdict is kept with the
    /// mapping: opening it again with the same `trusted_users` (the per-request `new SHMQueue()`)
    /// does not ask the kernel for the effective uid again, a system call that was a third of
    /// such an open; a handle kept open is not checked again either. A queue removed and made
    /// again is a new mapping, checked anew.
    pub fn check_trust(&self, segment: &Segment) -> Result<()> {
        let Some(trusted_users) = &self.trusted_users else {
            return Ok(());
        };
        if segment.created_here() {
            return Ok(());
        }
        if segment.trusted_with.borrow().as_deref() == Some(trusted_users.as_slice()) {
            return Ok(());
        }
        let status = segment.status();
        // SAFETY: no preconditions.
        let me = unsafe { libc::geteuid() };
        let trusted_owner =
            status.uid == me || status.uid == 0 || trusted_users.contains(&status.uid);
        if trusted_owner && status.mode & 0o002 == 0 {
            *segment.trusted_with.borrow_mut() = Some(trusted_users.clone());
            return Ok(());
        }
        Err(QueueError::Untrusted {
            name: segment.name().to_owned(),
            owner_uid: status.uid,
            mode: status.mode,
        })
    }
}

thread_local! {
    static OPEN: RefCell<HashMap<String, Rc<Segment>>> = RefCell::new(HashMap::new());
    /// The segment `segment_for` found or made last: the documented pattern opens one queue per
    /// request over and over, and a name compared is far cheaper than a name hashed. Weak, so
    /// that it counts for none of the users `release_if_removed` counts; `forget` clears it.
    static LAST: RefCell<Weak<Segment>> = const { RefCell::new(Weak::new()) };
}

/// The mapping of `name` in this process, opened (or created) on first use. `owner`: the owner
/// a re-created queue must keep (see `Owner`). A name is one queue: asking for it in another
/// place than the one it was mapped from is `KindClash`.
pub fn segment_for(
    name: &str,
    place: &Place,
    owner: Option<Owner>,
    options: impl FnOnce() -> Result<CreateOptions>,
) -> Result<Rc<Segment>> {
    let last = LAST.with(|last| last.borrow().upgrade());
    if let Some(segment) = last.filter(|kept| kept.name() == name && !kept.is_removed()) {
        return same_place(segment, place);
    }
    OPEN.with(|open| {
        if let Some(segment) = open.borrow().get(name) {
            if !segment.is_removed() {
                LAST.with(|last| *last.borrow_mut() = Rc::downgrade(segment));
                return same_place(Rc::clone(segment), place);
            }
        }
        let segment = Rc::new(Segment::open_or_create(name, place, owner, options)?);
        crate::flusher::ensure(&segment);
        LAST.with(|last| *last.borrow_mut() = Rc::downgrade(&segment));
        let mut open = open.borrow_mut();
        // A good moment to let go of the other removed queues nobody uses any more.
        open.retain(|_, kept| !kept.is_removed() || Rc::strong_count(kept) > 1);
        open.insert(name.to_owned(), Rc::clone(&segment));
        Ok(segment)
    })
}

fn same_place(segment: Rc<Segment>, place: &Place) -> Result<Rc<Segment>> {
    if segment.place() == place {
        return Ok(segment);
    }
    Err(QueueError::KindClash {
        name: segment.name().to_owned(),
        asked: place.kind(),
        existing: segment.place().path(segment.name()),
    })
}

/// Forgets the mapping of `name` (removed by this process).
pub fn forget(name: &str) {
    OPEN.with(|open| open.borrow_mut().remove(name));
    LAST.with(|last| *last.borrow_mut() = Weak::new());
}

/// Lets go of `segment` if it was removed and the caller's handle is its last user.
pub fn release_if_removed(segment: &Rc<Segment>) {
    if !segment.is_removed() {
        return;
    }
    OPEN.with(|open| {
        let mut open = open.borrow_mut();
        let last_user = open
            .get(segment.name())
            .is_some_and(|kept| Rc::ptr_eq(kept, segment) && Rc::strong_count(kept) == 2);
        if last_user {
            open.remove(segment.name());
        }
    });
}

thread_local! {
    /// Instance ids of queues this process saw removed (the newest few): a job reserved from one
    /// of them was lost with it, which is a lost lease, not a job of another queue.
    static RETIRED: RefCell<VecDeque<u64>> = const { RefCell::new(VecDeque::new()) };
}
const RETIRED_KEPT: usize = 64;

pub fn retire(segment: &Segment) {
    let instance = segment.header().instance.load(Ordering::Relaxed);
    RETIRED.with(|retired| {
        let mut retired = retired.borrow_mut();
        if retired.len() == RETIRED_KEPT {
            retired.pop_front();
        }
        retired.push_back(instance);
    });
}

/// `lost` instead of `ForeignJob` for a job whose queue this process saw removed.
pub fn lost_with_its_queue<T>(result: Result<T>, lease: &Lease, lost: T) -> Result<T> {
    match result {
        Err(QueueError::ForeignJob { .. })
            if RETIRED.with(|retired| retired.borrow().contains(&lease.queue)) =>
        {
            Ok(lost)
        }
        other => other,
    }
}
