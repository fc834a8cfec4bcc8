//! The cross-process sleep of blocked calls: a sequence word to sleep on, a count of sleepers so
//! that wakers skip the system call when nobody sleeps, and a heartbeat that keeps the count
//! honest when sleepers die.
//!
//! A waiter counts itself, then reads the sequence word, re-checks the queue, and sleeps on the
//! word if nothing changed; a waker that changed the queue bumps the word and calls FUTEX_WAKE
//! only when the count is non-zero. Both use sequentially consistent operations on the count and
//! the word: a waker that reads zero is ordered before the waiter's increment, hence before its
//! re-check, which therefore sees the change.
//!
//! A waiter killed in its sleep (SIGKILL) never takes itself off the count, and every later
//! operation would make a futex call for nothing. So before each sleep a waiter also moves the
//! heartbeat to "alive until the end of this sleep, plus a margin"; a waker that finds waiters
//! counted but the heartbeat past knows they are all gone and clears the count. The fast path is
//! unchanged (one load of a zero count); the clock is read only when the count is not zero.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::monotonic_ms;
use crate::futex;
use crate::layout::Header;

/// Which event a blocked call waits for.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// A message became available.
    NotEmpty,
    /// Room was freed.
    NotFull,
}

/// When more producers than this sleep on a full queue, they are woken once `ROOM_WAKE_SHARE`
/// of the ring is free (1/8), all at once, rather than one per message taken: a crowd of
/// producers on few cores, each woken per message, cost a context switch per message and starved
/// the consumers of CPU (8 producers and 2 consumers on 2 cores ran at 0.2-0.6 of the rate of 2
/// and 2). One or two keep the prompt wake-up. A producer of a crowd whose message fits before the
/// mark finds out by itself within `WAIT_SLICE`.
const ROOM_CROWD: u32 = 2;
const ROOM_WAKE_SHARE: u64 = 8;

/// Added to a sleep's end in the heartbeat: covers a waiter between its sleep and its next
/// refresh (scheduling delays).
const HEARTBEAT_MARGIN_MS: u64 = 1000;

/// The words of one event in a segment's header.
pub struct Waiting<'a> {
    seq: &'a AtomicU32,
    waiters: &'a AtomicU32,
    heartbeat: &'a AtomicU64,
}

impl<'a> Waiting<'a> {
    pub fn of(header: &'a Header, event: Event) -> Self {
        match event {
            Event::NotEmpty => Waiting {
                seq: &header.not_empty_seq,
                waiters: &header.not_empty_waiters,
                heartbeat: &header.not_empty_heartbeat,
            },
            Event::NotFull => Waiting {
                seq: &header.not_full_seq,
                waiters: &header.not_full_waiters,
                heartbeat: &header.not_full_heartbeat,
            },
        }
    }

    /// Counts this process as a sleeper for at most `sleep`, and returns the sequence word's
    /// value to sleep on (after the caller's re-check).
    pub fn register(&self, sleep: Duration) -> u32 {
        let alive_until = monotonic_ms() + sleep.as_millis() as u64 + HEARTBEAT_MARGIN_MS;
        self.heartbeat.fetch_max(alive_until, Ordering::SeqCst);
        self.waiters.fetch_add(1, Ordering::SeqCst);
        self.seq.load(Ordering::SeqCst)
    }

    /// Sleeps while the sequence word is still `observed`, for at most `sleep`.
    pub fn sleep(&self, observed: u32, sleep: Duration) {
        futex::wait(self.seq, observed, sleep);
    }

    /// Takes this process off the count (never below zero: a waker may have cleared it while
    /// this process was stopped).
    pub fn leave(&self) {
        let _ = self
            .waiters
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Wakes up to `count` sleepers; costs one load when nobody sleeps.
    pub fn notify(&self, count: usize) {
        let waiters = self.waiters.load(Ordering::SeqCst);
        if waiters == 0 {
            return;
        }
        if self.heartbeat.load(Ordering::SeqCst) < monotonic_ms() {
            // Left over from sleepers that died: nobody refreshed the heartbeat. A sleeper that
            // registered meanwhile changed the count, and the exchange fails.
            let _ = self
                .waiters
                .compare_exchange(waiters, 0, Ordering::SeqCst, Ordering::SeqCst);
            return;
        }
        self.seq.fetch_add(1, Ordering::SeqCst);
        futex::wake(self.seq, count);
    }

    /// Wakes sleepers after `count` messages were stored or taken: up to `count` of them, or a
    /// crowd of producers all at once when `ROOM_WAKE_SHARE` of the ring is free (see
    /// `ROOM_CROWD`); one load when nobody sleeps.
    pub fn notify_event(header: &Header, event: Event, count: usize, ring_size: u64) {
        if let Event::NotEmpty = event {
            return Waiting::of(header, event).notify(count);
        }
        let waiting = Waiting::of(header, Event::NotFull);
        if waiting.waiters.load(Ordering::SeqCst) <= ROOM_CROWD {
            return waiting.notify(count);
        }
        let used = header
            .tail
            .load(Ordering::Acquire)
            .wrapping_sub(header.head.load(Ordering::Acquire));
        if ring_size.saturating_sub(used) >= ring_size / ROOM_WAKE_SHARE {
            waiting.notify(usize::MAX);
        }
    }

    /// Wakes every sleeper (the queue was removed, or resumed).
    pub fn wake_all(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        futex::wake_all(self.seq);
    }
}
