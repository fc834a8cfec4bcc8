//! A transaction: the word writes of one state change, made crash-safe by the redo journal.
//!
//! Under the lock, an operation first writes whatever is invisible (record bytes beyond `tail`),
//! then collects every visible word it changes into a `Txn` and commits it:
//! 1. copy the entries into the journal,
//! 2. store `JOURNAL_ARMED` (Release),
//! 3. apply them,
//! 4. store `JOURNAL_IDLE`.
//!
//! A holder killed before 2 changed nothing visible; one killed after 2 is finished by the next
//! lock holder, which replays the entries (replay is idempotent).

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::layout::{JOURNAL_ARMED, JOURNAL_CAPACITY, JOURNAL_IDLE};
use crate::segment::Segment;

pub struct Txn<'a> {
    segment: &'a Segment,
    /// The first `len` entries are staged words (offsets from the segment start) and their
    /// values; the rest are never read, so they are not initialised (a transaction is built on
    /// every operation). Plain indexed loops over them: an operation stages 3 or 4 words, and
    /// the iterator adapters cost more than the work.
    offsets: [MaybeUninit<u64>; JOURNAL_CAPACITY],
    values: [MaybeUninit<u64>; JOURNAL_CAPACITY],
    len: usize,
}

impl<'a> Txn<'a> {
    #[inline]
    pub fn new(segment: &'a Segment) -> Self {
        Self {
            segment,
            offsets: [const { MaybeUninit::uninit() }; JOURNAL_CAPACITY],
            values: [const { MaybeUninit::uninit() }; JOURNAL_CAPACITY],
            len: 0,
        }
    }

    /// The entry staging the word at `offset`, if any.
    #[inline]
    fn find(&self, offset: u64) -> Option<usize> {
        // SAFETY: offsets[..len] were written by `push`.
        (0..self.len).find(|&i| unsafe { self.offsets[i].assume_init() } == offset)
    }

    #[inline]
    fn value(&self, i: usize) -> u64 {
        // SAFETY: `i < len` (from `find` or the commit loops); values[..len] were written.
        unsafe { self.values[i].assume_init() }
    }

    #[inline]
    fn push(&mut self, offset: u64, value: u64) {
        // Transactions are built by this crate's code with at most 11 entries, whatever the data.
        assert!(
            self.len < JOURNAL_CAPACITY,
            "transaction larger than the journal"
        );
        self.offsets[self.len].write(offset);
        self.values[self.len].write(value);
        self.len += 1;
    }

    /// Stages `word = value` (replacing an earlier staging of the same word).
    #[inline]
    pub fn set(&mut self, word: &AtomicU64, value: u64) {
        let offset = self.segment.offset_of(word);
        match self.find(offset) {
            Some(i) => {
                self.values[i].write(value);
            }
            None => self.push(offset, value),
        }
    }

    /// The value `word` will have once this transaction commits.
    #[inline]
    pub fn get(&self, word: &AtomicU64) -> u64 {
        match self.find(self.segment.offset_of(word)) {
            Some(i) => self.value(i),
            None => word.load(Ordering::Acquire),
        }
    }

    /// Stages a counter change (wrapping, so a damaged counter cannot panic).
    #[inline]
    pub fn add(&mut self, word: &AtomicU64, delta: i64) {
        let offset = self.segment.offset_of(word);
        match self.find(offset) {
            Some(i) => {
                let value = self.value(i).wrapping_add_signed(delta);
                self.values[i].write(value);
            }
            None => self.push(
                offset,
                word.load(Ordering::Acquire).wrapping_add_signed(delta),
            ),
        }
    }

    pub fn commit(self) {
        if self.len == 0 {
            return;
        }
        let journal = &self.segment.header().journal;
        for i in 0..self.len {
            // SAFETY: i < len: written by `push`.
            let offset = unsafe { self.offsets[i].assume_init() };
            let slot = &journal.entries[i];
            slot.offset.store(offset, Ordering::Relaxed);
            slot.value.store(self.value(i), Ordering::Relaxed);
        }
        journal.len.store(self.len as u64, Ordering::Relaxed);
        journal.state.store(JOURNAL_ARMED, Ordering::Release);
        crate::hooks::pause_point("journal-armed");
        for i in 0..self.len {
            // SAFETY: as above.
            let offset = unsafe { self.offsets[i].assume_init() };
            // Offsets come from `offset_of` on this segment's own words: always in bounds.
            if let Some(word) = self.segment.word(offset) {
                word.store(self.value(i), Ordering::Release);
            }
        }
        journal.state.store(JOURNAL_IDLE, Ordering::Release);
        self.segment.count_change();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    #[test]
    fn staged_words_change_only_at_commit_and_restaging_replaces() {
        let segment = Scratch::new("txn", 4096);
        let header = segment.header();
        let mut txn = Txn::new(&segment);
        txn.set(&header.head, 8);
        txn.add(&header.counters.ready, 2);
        txn.add(&header.counters.ready, -1);
        txn.set(&header.head, 16);
        assert_eq!(txn.get(&header.head), 16, "the staged value");
        assert_eq!(
            header.head.load(Ordering::Acquire),
            0,
            "nothing visible yet"
        );
        assert_eq!(txn.len, 2, "one entry per word");
        txn.commit();
        assert_eq!(header.head.load(Ordering::Acquire), 16);
        assert_eq!(header.counters.ready.load(Ordering::Acquire), 1);
        let journal = &header.journal;
        assert_eq!(journal.state.load(Ordering::Acquire), JOURNAL_IDLE);
        assert_eq!(
            journal.len.load(Ordering::Acquire),
            2,
            "the entries stay for a replay"
        );
    }

    #[test]
    fn an_empty_transaction_never_arms_the_journal() {
        let segment = Scratch::new("txnempty", 4096);
        let journal = &segment.header().journal;
        journal.len.store(5, Ordering::Release);
        Txn::new(&segment).commit();
        assert_eq!(
            journal.len.load(Ordering::Acquire),
            5,
            "the journal was not touched"
        );
    }
}
