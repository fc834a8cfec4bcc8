//! In-place compaction, for a full ring: held records (leased, delayed, dead) at the head keep
//! the space of the removed records among them from coming back, and compaction to the tail
//! (`Records::compact`) has no free room to move them into. Here a held record and the removed
//! space next to it swap places, one record at a time: the run of removed space travels towards
//! the head (or grows by meeting the next run) until the head passes it. Records keep their
//! order; only removed space moves.
//!
//! Crash safety: a run is first made one DONE record (one journaled header word), so the bytes
//! inside it belong to no record. A moved record's bytes after its header word are copied in
//! there; one transaction then stores its header word at the new place, the DONE header where the
//! run now starts (or the head past it) and a leased record's slot. A holder killed before that
//! commit leaves the record where it was and the copy in space nobody reads.

use std::sync::atomic::Ordering;

use crate::error::Result;
use crate::journal::Txn;
use crate::layout::*;
use crate::records::Records;

/// The longest run made into one DONE record: its length must fit the header's 32 bits.
const MAX_RUN: u64 = 1 << 31;

/// Removed space (DONE and PADDING records) within one lap of the ring, with the held records on
/// either side of it.
struct Run {
    start: u64,
    len: u64,
    before: (u64, RecordHeader),
    /// The largest footprint of the held records from the head to the run.
    largest_before: u64,
    after: Option<(u64, RecordHeader)>,
}

fn held(header: RecordHeader) -> bool {
    matches!(
        header.state,
        RecordState::Leased | RecordState::Delayed | RecordState::Dead
    )
}

fn removed(header: RecordHeader) -> bool {
    matches!(header.state, RecordState::Done | RecordState::Padding)
}

impl Records<'_> {
    /// Swaps held records and removed space, at most `max_moves` times, until the head has passed
    /// a run (`true`: there is room now) or no swap is possible. A run smaller than some held
    /// record before it first travels towards the tail (records after it move in front of it)
    /// until it meets more removed space and grows big enough; then it travels to the head. So
    /// no record moves back and forth.
    pub fn slide(&self, max_moves: usize) -> Result<bool> {
        let mut body = Vec::new();
        for _ in 0..max_moves {
            let Some(run) = self.first_run()? else {
                return Ok(false);
            };
            self.coalesce(&run);
            // A run starting a lap cannot take the record of the lap before it.
            let same_lap = !run.start.is_multiple_of(self.segment.ring_size());
            if same_lap && run.len >= run.largest_before {
                let head = run.before.0 == self.bounds()?.0;
                self.move_forward(&run, &mut body)?;
                if head {
                    return Ok(true);
                }
            } else if run
                .after
                .is_some_and(|(_, after)| after.footprint() <= run.len)
            {
                self.move_back(&run, &mut body)?;
            } else {
                return Ok(false);
            }
        }
        Ok(false)
    }

    /// The first run of removed space after held records only (a READY record at or before it
    /// is taken by the next consumer, which frees the space in order).
    fn first_run(&self) -> Result<Option<Run>> {
        let (head, tail) = self.bounds()?;
        let ring_size = self.segment.ring_size();
        let (mut before, mut largest_before) = (None, 0);
        let mut walk = self.walk_from(head, tail).peekable();
        while let Some(record) = walk.next() {
            let (pos, header) = record?;
            if held(header) {
                before = Some((pos, header));
                largest_before = largest_before.max(header.footprint());
                continue;
            }
            let (Some(before), true) = (before, removed(header)) else {
                return Ok(None);
            };
            let mut len = header.footprint();
            while let Some(&Ok((next, next_header))) = walk.peek() {
                let same_lap = !next.is_multiple_of(ring_size);
                if !(removed(next_header) && same_lap && len + next_header.footprint() <= MAX_RUN) {
                    break;
                }
                len += next_header.footprint();
                walk.next();
            }
            let end = pos + len;
            let after = match walk.next() {
                Some(Ok((next, next_header)))
                    if next == end && held(next_header) && !end.is_multiple_of(ring_size) =>
                {
                    Some((next, next_header))
                }
                Some(Err(error)) => return Err(error),
                _ => None,
            };
            return Ok(Some(Run {
                start: pos,
                len,
                before,
                largest_before,
                after,
            }));
        }
        Ok(None)
    }

    /// Makes the run one DONE record, so nothing inside it is read any more.
    fn coalesce(&self, run: &Run) {
        let done = done_header(run.len);
        let word = self.segment.ring_word(run.start);
        if word.load(Ordering::Acquire) != done {
            let mut txn = Txn::new(self.segment);
            txn.set(word, done);
            txn.commit();
        }
    }

    /// The record before the run moves to the run's end; the run now starts where it was, or the
    /// head passes it when the record was at the head.
    fn move_forward(&self, run: &Run, body: &mut Vec<u8>) -> Result<()> {
        let (pos, header) = run.before;
        let to = run.start + run.len - header.footprint();
        let at_head = pos == self.bounds()?.0;
        let mut txn = Txn::new(self.segment);
        self.relocate(&mut txn, pos, header, to, body)?;
        if at_head {
            txn.set(&self.header.head, to);
        } else {
            txn.set(self.segment.ring_word(pos), done_header(run.len));
        }
        txn.commit();
        Ok(())
    }

    /// The record after the run moves to the run's start; the run now starts after it.
    fn move_back(&self, run: &Run, body: &mut Vec<u8>) -> Result<()> {
        let Some((pos, header)) = run.after else {
            return Ok(());
        };
        let mut txn = Txn::new(self.segment);
        self.relocate(&mut txn, pos, header, run.start, body)?;
        txn.set(
            self.segment.ring_word(run.start + header.footprint()),
            done_header(run.len),
        );
        txn.commit();
        Ok(())
    }

    /// Copies the record at `pos` to `to` (inside a run) but for its header word, and stages that
    /// word and a leased record's slot.
    fn relocate(
        &self,
        txn: &mut Txn,
        pos: u64,
        header: RecordHeader,
        to: u64,
        body: &mut Vec<u8>,
    ) -> Result<()> {
        let footprint = header.footprint();
        body.clear();
        self.segment.read_ring(
            pos + RECORD_HEADER_SIZE,
            (footprint - RECORD_HEADER_SIZE) as usize,
            body,
        );
        self.segment.write_ring(to + RECORD_HEADER_SIZE, body);
        crate::hooks::pause_point("slide-copied");
        if header.state == RecordState::Leased {
            txn.set(&self.slot_of(pos, header)?.pos, to);
        }
        txn.set(self.segment.ring_word(to), header.encode());
        Ok(())
    }
}

fn done_header(len: u64) -> u64 {
    RecordHeader::new((len - RECORD_HEADER_SIZE) as u32, RecordState::Done).encode()
}
