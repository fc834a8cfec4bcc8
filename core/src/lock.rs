//! The queue lock: a robust, process-shared pthread mutex living in the segment header.
//!
//! raw_sync's mutex is process-shared but not robust, so a PHP worker killed while holding it
//! (php-fpm's `request_terminate_timeout`, the OOM killer, `kill -9`) would wedge every process
//! using the queue for ever. With `PTHREAD_MUTEX_ROBUST` the kernel hands the lock to the next
//! waiter with `EOWNERDEAD`; the caller repairs the state (`recovery.rs`) and marks the mutex
//! consistent before unlocking. The lock is held only for copies into and out of the ring.

use std::cell::UnsafeCell;
use std::io;
use std::time::{Duration, Instant};

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

/// Why `lock` failed; `Locked::acquire` turns it into a `QueueError` naming the queue.
#[derive(Debug)]
pub enum LockError {
    /// A dead holder's state was never marked consistent: the mutex cannot be used again.
    Unrecoverable,
    /// The lock word names a thread that does not exist here and was never reported dead.
    HolderMissing { tid: u32 },
    /// A live holder kept the lock for the whole wait.
    TimedOut { holder: Holder },
    Os {
        what: &'static str,
        source: io::Error,
    },
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

    /// Takes the lock, waiting at most `timeout`. Uncontended, this is one `trylock`; when the
    /// lock is busy it waits in slices of at most `HOLDER_CHECK`, and after each one checks that
    /// the holder still exists. A holder that died is reported by the kernel (`OwnerDied`); a
    /// holder that does not exist and was never reported can only be a damaged lock word (or a
    /// holder in another PID namespace): then this call fails at once. A live holder, however
    /// slow or stopped, is never robbed (taking a lock from a live holder corrupts what it
    /// protects): after `timeout` the call fails naming it.
    pub fn lock(&self, timeout: Duration) -> Result<Acquired, LockError> {
        // SAFETY: the mutex was initialised by the creator before the segment became ready.
        match unsafe { libc::pthread_mutex_trylock(self.raw()) } {
            libc::EBUSY => {}
            code => return acquired(code, "pthread_mutex_trylock"),
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let slice = deadline_after(left.min(HOLDER_CHECK));
            // SAFETY: as above; `slice` lives across the call.
            match unsafe { libc::pthread_mutex_timedlock(self.raw(), &slice) } {
                libc::ETIMEDOUT => {}
                code => return acquired(code, "pthread_mutex_timedlock"),
            }
            let holder = self.holder();
            if holder != 0 && !thread_exists(holder) {
                return Err(LockError::HolderMissing { tid: holder });
            }
            if Instant::now() >= deadline {
                return Err(LockError::TimedOut {
                    holder: Holder::describe(holder),
                });
            }
        }
    }

    /// The thread id in the lock word, or 0 when it is free. glibc keeps the holder's TID in the
    /// futex word of a robust mutex (the kernel's robust-futex protocol requires it there, which
    /// is why this reads byte 0 rather than glibc's private `__owner` copy at byte 8).
    pub fn holder(&self) -> u32 {
        const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
        // SAFETY: the futex word is the first, aligned u32 of the mutex; read atomically.
        let word = unsafe {
            (*(self.raw() as *const std::sync::atomic::AtomicU32))
                .load(std::sync::atomic::Ordering::Relaxed)
        };
        word & FUTEX_TID_MASK
    }

    /// After `OwnerDied` and a repair: without it the mutex becomes unusable at unlock.
    pub fn mark_consistent(&self) {
        // SAFETY: called by the current holder only.
        unsafe { libc::pthread_mutex_consistent(self.raw()) };
    }

    pub fn unlock(&self) {
        // SAFETY: called by the current holder only (the guard's Drop, `locked.rs`).
        unsafe { libc::pthread_mutex_unlock(self.raw()) };
    }
}

/// How long a busy lock is waited for before its holder is checked.
const HOLDER_CHECK: Duration = Duration::from_secs(1);

/// Who holds a lock, as far as this process can see: the thread, and from /proc its process,
/// command and scheduling state (absent when the thread is gone or /proc hides it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub tid: u32,
    pub pid: Option<u32>,
    pub command: Option<String>,
    /// The state letter of /proc: R running, S sleeping, T stopped (SIGSTOP, a debugger), ...
    pub state: Option<char>,
}

impl Holder {
    pub fn describe(tid: u32) -> Holder {
        let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok();
        let field = |name: &str| {
            status.as_deref()?.lines().find_map(|line| {
                let value = line.strip_prefix(name)?.strip_prefix(':')?;
                Some(value.trim().to_owned())
            })
        };
        Holder {
            tid,
            pid: field("Tgid").and_then(|pid| pid.parse().ok()),
            command: field("Name"),
            state: field("State").and_then(|state| state.chars().next()),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "thread {}", self.tid)?;
        if let Some(pid) = self.pid.filter(|&pid| pid != self.tid) {
            write!(f, " of process {pid}")?;
        }
        if let Some(command) = &self.command {
            write!(f, " ({command}")?;
            if let Some(state) = self.state {
                write!(f, ", state {state}")?;
            }
            write!(f, ")")?;
        }
        Ok(())
    }
}

fn acquired(code: libc::c_int, what: &'static str) -> Result<Acquired, LockError> {
    match code {
        0 => Ok(Acquired::Clean),
        libc::EOWNERDEAD => Ok(Acquired::OwnerDied),
        libc::ENOTRECOVERABLE => Err(LockError::Unrecoverable),
        code => Err(LockError::Os {
            what,
            source: io::Error::from_raw_os_error(code),
        }),
    }
}

/// CLOCK_REALTIME now + `wait`, as `pthread_mutex_timedlock` wants it.
fn deadline_after(wait: std::time::Duration) -> libc::timespec {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes into `now`.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    let nanos = now.tv_nsec as u64 + u64::from(wait.subsec_nanos());
    libc::timespec {
        tv_sec: now.tv_sec
            + wait.as_secs() as libc::time_t
            + (nanos / 1_000_000_000) as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    }
}

/// Whether a thread (any task) with this id exists, as this process sees it.
fn thread_exists(tid: u32) -> bool {
    // SAFETY: signal 0 only checks; EPERM means it exists but belongs to someone else.
    let code = unsafe { libc::kill(tid as libc::pid_t, 0) };
    code == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn check(code: libc::c_int) -> io::Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(code))
    }
}
