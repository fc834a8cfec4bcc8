//! Sleeping on a word of the shared mapping until another process changes it.
//!
//! A Linux futex on a 32-bit word of a `MAP_SHARED` mapping, used without `FUTEX_PRIVATE_FLAG`,
//! is keyed by the physical page, so a wake in one process reaches sleepers in all of them.

use std::sync::atomic::AtomicU32;
use std::time::Duration;

/// Sleeps while `*word == expected`, for at most `timeout`. Spurious returns are fine: callers
/// re-check their condition in a loop.
pub fn wait(word: &AtomicU32, expected: u32, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: `word` is a valid, aligned u32 for the duration of the call; the kernel only reads it.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT,
            expected,
            &ts as *const libc::timespec,
        );
    }
}

/// Wakes up to `count` processes sleeping on `word`.
pub fn wake(word: &AtomicU32, count: usize) {
    let count = count.min(i32::MAX as usize) as i32;
    // SAFETY: as above; FUTEX_WAKE does not dereference anything but the futex key.
    unsafe {
        libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, count);
    }
}

/// Wakes every process sleeping on `word`.
pub fn wake_all(word: &AtomicU32) {
    wake(word, usize::MAX);
}
