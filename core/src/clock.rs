//! Wall-clock milliseconds, the time base of leases and delays. It is shared by every process on
//! the machine and is what `leaseUntil` shows; a clock stepped backwards lengthens leases.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// The wall-clock time `after_ms` from now, never early.
pub fn deadline_ms(after_ms: u64) -> u64 {
    deadline_from(now_ms(), after_ms)
}

/// `after_ms` from `now` (a reading of `now_ms`), never early: `now_ms` is cut to the
/// millisecond, so one more is added.
pub fn deadline_from(now: u64, after_ms: u64) -> u64 {
    now.saturating_add(after_ms).saturating_add(1)
}

/// Milliseconds of CLOCK_MONOTONIC: the same in every process of the machine (it counts from
/// boot), and never stepped, so a time kept in shared memory means the same to all of them.
/// Read through the vDSO: no system call.
pub fn monotonic_ms() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes into `now`.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1000 + now.tv_nsec as u64 / 1_000_000
}

/// The current time, read at most once and only when asked for: taking a ready message needs
/// no clock at all.
pub struct LazyNow(std::cell::Cell<Option<u64>>);

impl LazyNow {
    pub fn new() -> Self {
        LazyNow(std::cell::Cell::new(None))
    }

    pub fn get(&self) -> u64 {
        match self.0.get() {
            Some(now) => now,
            None => {
                let now = now_ms();
                self.0.set(Some(now));
                now
            }
        }
    }
}

impl Default for LazyNow {
    fn default() -> Self {
        Self::new()
    }
}
