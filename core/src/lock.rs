//! The queue lock: a robust, process-shared pthread mutex living in the segment header.
//!
//! raw_sync's mutex is process-shared but not robust, so a PHP worker killed while holding it
//! (php-fpm's `request_terminate_timeout`, the OOM killer, `kill -9`) would wedge every process
//! using the queue for ever. With `PTHREAD_MUTEX_ROBUST` the kernel hands the lock to the next
//! waiter with `EOWNERDEAD`; the caller repairs the state (`recovery.rs`) and marks the mutex
//! consistent before unlocking. The lock is held only for copies into and out of the ring.

use std::cell::UnsafeCell;
use std::io;

use crate::error::QueueError;
use crate::layout::LockWord;

/// What `lock` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquired {
    /// The previous holder unlocked normally.
    Clean,
    /// The previous holder died holding the lock: state may be half-changed. Repair it, then
    /// call `mark_consistent` before unlocking.
    OwnerDied,
}

/// A view of the mutex inside the mapping.
#[repr(transparent)]
pub struct RobustMutex(UnsafeCell<LockWord>);

impl RobustMutex {
    /// # Safety
    /// `word` must point into a live shared mapping that outlives the returned reference.
    pub unsafe fn from_word(word: &LockWord) -> &RobustMutex {
        // SAFETY: RobustMutex is a transparent wrapper of LockWord; the mutex is only ever
        // touched through pthread calls, which synchronise across processes themselves.
        unsafe { &*(word as *const LockWord as *const RobustMutex) }
    }

    fn raw(&self) -> *mut libc::pthread_mutex_t {
        self.0.get().cast()
    }

    /// Initialises the mutex as robust and process-shared.
    ///
    /// # Safety
    /// Only the creator of the segment may call this, once, before anyone else can see it.
    pub unsafe fn init(&self) -> io::Result<()> {
        // SAFETY: attr lives on this stack frame for the duration of the calls; the mutex memory
        // is ours alone until the segment is marked ready.
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            check(libc::pthread_mutexattr_init(&mut attr))?;
            let result = check(libc::pthread_mutexattr_setpshared(
                &mut attr,
                libc::PTHREAD_PROCESS_SHARED,
            ))
            .and_then(|_| {
                check(libc::pthread_mutexattr_setrobust(
                    &mut attr,
                    libc::PTHREAD_MUTEX_ROBUST,
                ))
            })
            .and_then(|_| check(libc::pthread_mutex_init(self.raw(), &attr)));
            libc::pthread_mutexattr_destroy(&mut attr);
            result
        }
    }

    pub fn lock(&self) -> Result<Acquired, QueueError> {
        // SAFETY: the mutex was initialised by the creator before the segment became ready.
        match unsafe { libc::pthread_mutex_lock(self.raw()) } {
            0 => Ok(Acquired::Clean),
            libc::EOWNERDEAD => Ok(Acquired::OwnerDied),
            libc::ENOTRECOVERABLE => Err(QueueError::LockUnrecoverable),
            code => Err(QueueError::Os {
                what: "pthread_mutex_lock",
                source: io::Error::from_raw_os_error(code),
            }),
        }
    }

    /// After `OwnerDied` and a repair: without it the mutex becomes unusable at unlock.
    pub fn mark_consistent(&self) {
        // SAFETY: called by the current holder only.
        unsafe { libc::pthread_mutex_consistent(self.raw()) };
    }

    pub fn unlock(&self) {
        // SAFETY: called by the current holder only (LockedSegment's Drop).
        unsafe { libc::pthread_mutex_unlock(self.raw()) };
    }
}

fn check(code: libc::c_int) -> io::Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(code))
    }
}
