//! Compaction: held records (leased, delayed, dead: not takeable in order) at the head keep the
//! space of the removed records among them from coming back.
//!
//! `compact` moves them to the tail, when there is room there. `slide`, for a full ring, has none
//! to move them into: a held record and the removed space next to it swap places, one record at a time: the run of removed space travels towards
//! the head (or grows by meeting the next run) until the head passes it. Records keep their
//! order; only removed space moves.
//!
//! Crash safety: a run is first made one DONE record (one journaled header word), so the bytes
//! inside it belong to no record. A moved record's bytes after its header word are copied in
//! there; one transaction then stores its header word at the new place, the DONE header where the
//! run now starts (or the head past it) and a leased record's slot. A holder killed before that
//! commit leaves the record where it was and the copy in space nobody reads.

use std::sync::atomic::Ordering;

use crate::checksum;
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
    /// Whether removed records sit behind the blocked records at the head: only then does moving
    /// the blocked ones free space.
    fn blocked_prefix_has_gap(&self) -> Result<bool> {
        for record in self.walk()? {
            match record?.1.state {
                RecordState::Leased | RecordState::Delayed | RecordState::Dead => {}
                RecordState::Done | RecordState::Padding => return Ok(true),
                RecordState::Ready => return Ok(false),
            }
        }
        Ok(false)
    }

    /// Moves records that block the head (leased, delayed or dead: not takeable in order) to the
    /// tail, so the head can pass the removed records behind them and reclaim their space.
    pub fn compact(&self, max_moves: usize) -> Result<()> {
        if !self.blocked_prefix_has_gap()? {
            return Ok(());
        }
        let mut bytes = Vec::new();
        for _ in 0..max_moves {
            let (head, tail) = self.bounds()?;
            if head == tail {
                break;
            }
            let header = self.record(head, tail)?;
            if !matches!(
                header.state,
                RecordState::Leased | RecordState::Delayed | RecordState::Dead
            ) {
                break;
            }
            let footprint = header.footprint();
            // Placed as if the ring were `head..tail`: the moved record may not overlap itself.
            let Some(placement) = self.placement(head, tail, footprint) else {
                break;
            };
            bytes.clear();
            self.segment.read_ring(head, footprint as usize, &mut bytes);
            self.write_padding(&placement);
            self.segment.write_ring(placement.start, &bytes);
            // Its CRC covers its position, which changed.
            let from = header.payload_offset() as usize;
            let payload = &bytes[from..from + header.len as usize];
            checksum::seal(self.segment, placement.start, header, payload.into(), None);
            let new_tail = placement.start + footprint;
            let mut txn = Txn::new(self.segment);
            if header.state == RecordState::Leased {
                txn.set(&self.slot_of(head, header)?.pos, placement.start);
            }
            txn.set(&self.header.tail, new_tail);
            txn.set(
                &self.header.head,
                self.skip_removed(head + footprint, new_tail)?,
            );
            txn.commit();
        }
        Ok(())
    }

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
            self.coalesce(&run, &mut body);
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
            if len
                < self
                    .new_header(0, RecordState::Done, false)
                    .payload_offset()
            {
                return Ok(None); // an 8-byte PADDING alone: no DONE record fits there
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
    fn coalesce(&self, run: &Run, scratch: &mut Vec<u8>) {
        let word = self.segment.ring_word(run.start);
        let done = self.done(run.len).encode();
        if word.load(Ordering::Acquire) != done {
            let mut txn = Txn::new(self.segment);
            txn.set(word, done);
            txn.commit();
            self.seal_done(run.start, run.len, scratch);
        }
    }

    /// A DONE record of `footprint` bytes (a CRC word too, where records carry one).
    fn done(&self, footprint: u64) -> RecordHeader {
        let done = self.new_header(0, RecordState::Done, false);
        RecordHeader {
            len: (footprint - done.payload_offset()) as u32,
            ..done
        }
    }

    /// A new DONE record's CRC word, written after the commit that made it: until then the word
    /// may belong to a live record. A holder killed in between leaves a removed record with a bad
    /// CRC, which a new boot's repair turns back into removed space: nothing is lost.
    fn seal_done(&self, pos: u64, footprint: u64, scratch: &mut Vec<u8>) {
        checksum::seal_in_place(self.segment, pos, self.done(footprint), scratch);
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
            txn.set(self.segment.ring_word(pos), self.done(run.len).encode());
        }
        txn.commit();
        if !at_head {
            self.seal_done(pos, run.len, body);
        }
        Ok(())
    }

    /// The record after the run moves to the run's start; the run now starts after it.
    fn move_back(&self, run: &Run, body: &mut Vec<u8>) -> Result<()> {
        let Some((pos, header)) = run.after else {
            return Ok(());
        };
        let mut txn = Txn::new(self.segment);
        self.relocate(&mut txn, pos, header, run.start, body)?;
        let run_start = run.start + header.footprint();
        txn.set(
            self.segment.ring_word(run_start),
            self.done(run.len).encode(),
        );
        txn.commit();
        self.seal_done(run_start, run.len, body);
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
        // Its CRC covers its position, which changed.
        let from = (header.payload_offset() - RECORD_HEADER_SIZE) as usize;
        let payload = &body[from..from + header.len as usize];
        checksum::seal(self.segment, to, header, payload.into(), None);
        crate::hooks::pause_point("slide-copied");
        if header.state == RecordState::Leased {
            txn.set(&self.slot_of(pos, header)?.pos, to);
        }
        txn.set(self.segment.ring_word(to), header.encode());
        Ok(())
    }
}
