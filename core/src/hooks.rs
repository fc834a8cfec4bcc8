//! Test-only pause points inside the critical section, so crash tests can kill a lock holder at
//! a chosen step for sure rather than by luck. Compiled to nothing without the `test-hooks` feature.
//!
//! A process pauses at `point` (printing `paused <point>` to stderr, then sleeping for
//! `SHMQUEUE_TEST_PAUSE_MS`, default 60 s) when `SHMQUEUE_TEST_PAUSE=<point>` is set in its
//! environment or when `arm(point, ...)` was called; `arm`'s callback runs first, so a test can
//! learn (through a pipe, say) that the lock holder is where it wants it.
//!
//! Points: `creating` (a new segment sized and its pages reserved, header not yet written),
//! `opening-unready` (an opener found the segment not ready, before it looks for its creator),
//! `locked` (lock just taken), `record-written` (bytes beyond the tail, not yet
//! published), `slide-copied` (a record copied inside removed space, not yet moved there),
//! `journal-armed` (change published in the journal, not yet applied).

#[cfg(feature = "test-hooks")]
mod armed {
    use std::sync::Mutex;

    pub type OnPause = Box<dyn Fn() + Send>;
    pub static ARMED: Mutex<Option<(&'static str, OnPause)>> = Mutex::new(None);
}

/// Makes this process pause at `point`, calling `on_pause` when it gets there.
#[cfg(feature = "test-hooks")]
pub fn arm(point: &'static str, on_pause: impl Fn() + Send + 'static) {
    if let Ok(mut armed) = armed::ARMED.lock() {
        *armed = Some((point, Box::new(on_pause)));
    }
}

#[cfg(feature = "test-hooks")]
pub fn pause_point(point: &str) {
    let by_arm = armed::ARMED
        .lock()
        .ok()
        .is_some_and(|armed| match armed.as_ref() {
            Some((wanted, on_pause)) if *wanted == point => {
                on_pause();
                true
            }
            _ => false,
        });
    if by_arm || std::env::var("SHMQUEUE_TEST_PAUSE").is_ok_and(|wanted| wanted == point) {
        let ms = std::env::var("SHMQUEUE_TEST_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60_000);
        // One write(2), so a reader of the stream (php-fpm's log) never sees the line in pieces.
        use std::io::Write;
        let _ = std::io::stderr().write_all(format!("paused {point}\n").as_bytes());
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn pause_point(_point: &str) {}
