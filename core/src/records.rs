//! The record store, run with the lock held: where a record goes (append, padding), how its space
//! comes back (removal at or behind the head, compaction), and the one validated walk over the
//! records from `head` to `tail` that every reader uses, recovery included.
//!
//! Invariants kept here (and checked by `recovery.rs`):
//! - every byte in `[head, tail)` belongs to a committed record; `tail - head <= ring_size`;
//! - a LEASED record names a slot whose `token != 0` and whose `pos` is the record's position.
//!
//! Every read of shared memory is validated before it steers anything: record lengths against
//! the ring bounds and `tail`, slot indexes against the slot count. A damaged segment yields
//! `QueueError::Corrupt` (and the queue is flagged with the damage found), never an out-of-bounds
//! access or an endless loop: each step of a walk advances at least 8 bytes, and a walk is
//! bounded by `tail - head <= ring_size`.

use std::sync::atomic::Ordering;

use crate::checksum::{self, Sum};
use crate::damage::Damage;
use crate::error::{QueueError, Result};
use crate::journal::Txn;
use crate::layout::*;
use crate::payload::{Payload, Sink};
use crate::segment::Segment;

/// Positions count the bytes ever appended and stay far below this (2^63 bytes take 29 years at
/// 10 GB/s). Refusing larger ones keeps `pos + footprint` and the rounding up to a ring boundary
/// from overflowing when a damaged header holds positions near 2^64.
const MAX_POSITION: u64 = 1 << 63;

/// Records moved per compaction.
pub const COMPACT_MOVES: usize = 64;
/// Records moved in place per store that finds a full ring (`slide.rs`): enough for a few hundred
/// held records among removed ones; a store refused before the end goes on from there next time.
const SLIDE_MOVES: usize = 256;

/// Where a new record of `need` bytes goes.
pub struct Placement {
    head: u64,
    /// `head` differs from the one read (an empty ring restarted at a ring boundary).
    moves_head: bool,
    /// Position of a PADDING record filling the end of the ring, if any.
    padding: Option<(u64, u64)>,
    pub start: u64,
    need: u64,
}

impl Placement {
    /// `head` and `tail` once the record is published: where the next placement starts from.
    pub fn after(&self) -> (u64, u64) {
        (self.head, self.start + self.need)
    }
}

pub struct Records<'a> {
    pub segment: &'a Segment,
    pub header: &'a Header,
    ring_size: u64,
}

/// The records from one position to `tail`, each validated before it is handed out. After the
/// first damaged record it yields that error and stops.
pub struct Walk<'r, 'a> {
    records: &'r Records<'a>,
    pos: u64,
    tail: u64,
}

impl Iterator for Walk<'_, '_> {
    type Item = Result<(u64, RecordHeader)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.tail {
            return None;
        }
        let pos = self.pos;
        match self.records.record(pos, self.tail) {
            Ok(header) => {
                self.pos += header.footprint();
                Some(Ok((pos, header)))
            }
            Err(error) => {
                self.pos = self.tail;
                Some(Err(error))
            }
        }
    }
}

impl<'a> Records<'a> {
    pub fn new(segment: &'a Segment) -> Self {
        Self {
            segment,
            header: segment.header(),
            ring_size: segment.ring_size(),
        }
    }

    /// Damage found: flags the queue with it, so every later operation refuses too (records past
    /// a damaged one cannot be found any more), and names it.
    pub fn corrupt(&self, damage: Damage) -> QueueError {
        self.segment.flag_damage(damage);
        QueueError::Corrupt {
            name: self.segment.name().to_owned(),
            damage,
        }
    }

    /// `head` and `tail`, checked against each other.
    pub fn bounds(&self) -> Result<(u64, u64)> {
        let head = self.header.head.load(Ordering::Acquire);
        let tail = self.header.tail.load(Ordering::Acquire);
        if head > tail
            || tail > MAX_POSITION
            || tail - head > self.ring_size
            || !head.is_multiple_of(RECORD_ALIGN)
            || !tail.is_multiple_of(RECORD_ALIGN)
        {
            return Err(self.corrupt(Damage::Bounds { head, tail }));
        }
        Ok((head, tail))
    }

    /// The record at `pos`, validated to lie within the ring and before `tail`.
    pub fn record(&self, pos: u64, tail: u64) -> Result<RecordHeader> {
        let word = self.segment.ring_word(pos).load(Ordering::Acquire);
        let header = RecordHeader::decode(word, self.segment.checksums)
            .ok_or_else(|| self.corrupt(Damage::RecordState { pos, word }))?;
        let footprint = header.footprint();
        if self.segment.ring_position(pos) + footprint > self.ring_size || pos + footprint > tail {
            return Err(self.corrupt(Damage::RecordLength {
                pos,
                len: header.len.into(),
            }));
        }
        Ok(header)
    }

    /// Every record from `head` to `tail`, oldest first.
    pub fn walk(&self) -> Result<Walk<'_, 'a>> {
        let (head, tail) = self.bounds()?;
        Ok(self.walk_from(head, tail))
    }

    pub(crate) fn walk_from(&self, pos: u64, tail: u64) -> Walk<'_, 'a> {
        Walk {
            records: self,
            pos,
            tail,
        }
    }

    /// The slot a LEASED record at `pos` names, checked to point back at it.
    pub fn slot_of(&self, pos: u64, header: RecordHeader) -> Result<&'a LeaseSlot> {
        match self.segment.slot(header.slot as u32) {
            Some(slot)
                if slot.token.load(Ordering::Acquire) != 0
                    && slot.pos.load(Ordering::Acquire) == pos =>
            {
                Ok(slot)
            }
            _ => Err(self.corrupt(Damage::SlotNotOwn {
                pos,
                slot: header.slot.into(),
            })),
        }
    }

    /// The not_before word of a record that has one.
    pub fn not_before(&self, pos: u64) -> u64 {
        self.segment
            .ring_word(pos + RECORD_HEADER_SIZE)
            .load(Ordering::Acquire)
    }

    /// Hands the payload of the record at `pos` to `out`.
    pub fn copy_payload(&self, pos: u64, header: RecordHeader, out: &mut (impl Sink + ?Sized)) {
        out.receive(
            self.segment
                .ring_bytes(pos + header.payload_offset(), header.len as usize),
        );
    }

    /// Refuses a payload that could never fit, naming the limit.
    pub fn check_fits(&self, len: u64, delayed: bool) -> Result<()> {
        let max = self.max_payload(delayed);
        if len > max {
            return Err(QueueError::TooLarge {
                name: self.segment.name().to_owned(),
                len,
                max,
            });
        }
        Ok(())
    }

    /// The largest payload one record can carry in this ring.
    pub fn max_payload(&self, delayed: bool) -> u64 {
        let overhead = self
            .new_header(0, RecordState::Ready, delayed)
            .payload_offset();
        (self.ring_size - overhead).min(MAX_PAYLOAD - 2 * RECORD_ALIGN)
    }

    /// The header of a new record of this segment (with a CRC word where records carry one).
    pub fn new_header(&self, len: u32, state: RecordState, has_not_before: bool) -> RecordHeader {
        RecordHeader {
            has_not_before,
            checksummed: self.segment.checksums,
            ..RecordHeader::new(len, state)
        }
    }

    /// Where `need` more bytes fit after `tail`, if they do.
    pub(crate) fn placement(&self, head: u64, tail: u64, need: u64) -> Option<Placement> {
        let read_head = head;
        let (mut head, mut tail) = (head, tail);
        if head == tail && need > self.ring_size - self.segment.ring_position(tail) {
            // Empty: restart both at a ring boundary so a record can use the whole ring.
            tail = (tail + self.ring_size - 1) & !(self.ring_size - 1);
            head = tail;
        }
        let contiguous = self.ring_size - self.segment.ring_position(tail);
        let padding = (need > contiguous).then_some((tail, contiguous));
        let start = tail + padding.map_or(0, |(_, len)| len);
        (start + need - head <= self.ring_size).then_some(Placement {
            head,
            moves_head: head != read_head,
            padding,
            start,
            need,
        })
    }

    /// Where a record of `need` bytes goes now; with `compact`, moving blocked records off the
    /// head first when there is no room. `None` when it does not fit.
    pub fn place(&self, need: u64, compact: bool) -> Result<Option<Placement>> {
        let (head, tail) = self.bounds()?;
        if let Some(placement) = self.placement(head, tail, need) {
            return Ok(Some(placement));
        }
        if !compact {
            return Ok(None);
        }
        self.compact(COMPACT_MOVES)?;
        loop {
            let (head, tail) = self.bounds()?;
            if let Some(placement) = self.placement(head, tail, need) {
                return Ok(Some(placement));
            }
            // No room even to compact: removed space among held records is won in place.
            if !self.slide(SLIDE_MOVES)? {
                return Ok(None);
            }
        }
    }

    /// Whether records of these footprints, appended in this order, all fit now (without
    /// compaction: exactly as `place` would put them one after the other).
    pub fn fit_in_order(&self, needs: impl IntoIterator<Item = u64>) -> Result<bool> {
        let (mut head, mut tail) = self.bounds()?;
        for need in needs {
            let Some(placement) = self.placement(head, tail, need) else {
                return Ok(false);
            };
            (head, tail) = placement.after();
        }
        Ok(true)
    }

    /// Writes the PADDING record a placement needs before its record, if any (free space: invisible
    /// until `tail` moves past it).
    pub(crate) fn write_padding(&self, placement: &Placement) {
        if let Some((pos, len)) = placement.padding {
            let padding =
                RecordHeader::new((len - RECORD_HEADER_SIZE) as u32, RecordState::Padding);
            self.segment
                .ring_word(pos)
                .store(padding.encode(), Ordering::Relaxed);
        }
    }

    /// Writes a record's bytes into free space (invisible until `publish` moves `tail` past them),
    /// its CRC word with `sum` if computed before the lock.
    pub fn write(
        &self,
        placement: &Placement,
        header: RecordHeader,
        not_before: Option<u64>,
        payload: Payload,
        sum: Option<Sum>,
    ) {
        self.write_padding(placement);
        self.segment
            .ring_word(placement.start)
            .store(header.encode(), Ordering::Relaxed);
        if let Some(not_before) = not_before {
            self.segment
                .ring_word(placement.start + RECORD_HEADER_SIZE)
                .store(not_before, Ordering::Relaxed);
        }
        let mut at = placement.start + header.payload_offset();
        for part in payload.parts() {
            self.segment.write_ring(at, part);
            at += part.len() as u64;
        }
        checksum::seal(self.segment, placement.start, header, payload, sum);
    }

    /// Stages the move of `tail` (and of `head`, when it restarts) that makes a written record
    /// visible. A head left as it is is not staged: one journal entry fewer per store.
    pub fn publish(&self, txn: &mut Txn, placement: &Placement) {
        if placement.moves_head {
            txn.set(&self.header.head, placement.head);
        }
        txn.set(&self.header.tail, placement.start + placement.need);
    }

    /// Stages a new state for the record at `pos` (slot cleared: only LEASED records have one).
    pub fn stage_state(&self, txn: &mut Txn, pos: u64, header: RecordHeader, state: RecordState) {
        txn.set(
            self.segment.ring_word(pos),
            RecordHeader {
                state,
                slot: 0,
                ..header
            }
            .encode(),
        );
    }

    /// Stages the removal of the record at `pos`: the head moves past it (and past any removed
    /// records after it), or, behind the head, it is marked DONE. `txn` may have moved the head
    /// already (an earlier removal in the same transaction).
    pub fn remove(&self, txn: &mut Txn, pos: u64, header: RecordHeader) -> Result<()> {
        self.bounds()?;
        // The staged tail: a record published in this transaction may follow.
        let tail = txn.get(&self.header.tail);
        if pos == txn.get(&self.header.head) {
            let new_head = self.skip_removed(pos + header.footprint(), tail)?;
            txn.set(&self.header.head, new_head);
        } else {
            self.stage_state(txn, pos, header, RecordState::Done);
        }
        Ok(())
    }

    /// The first position at or after `pos` holding a record that is neither DONE nor PADDING.
    pub(crate) fn skip_removed(&self, pos: u64, tail: u64) -> Result<u64> {
        for record in self.walk_from(pos, tail) {
            let (at, header) = record?;
            if !matches!(header.state, RecordState::Done | RecordState::Padding) {
                return Ok(at);
            }
        }
        Ok(tail.max(pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    /// Appends a READY record of `len` bytes; its position.
    fn append(records: &Records, len: usize) -> u64 {
        let header = RecordHeader::new(len as u32, RecordState::Ready);
        let placement = records
            .place(header.footprint(), false)
            .expect("bounds")
            .expect("room");
        records.write(&placement, header, None, (&vec![7; len]).into(), None);
        let mut txn = Txn::new(records.segment);
        records.publish(&mut txn, &placement);
        txn.commit();
        placement.start
    }

    #[test]
    fn the_walk_yields_every_record_in_order_and_a_padding_before_a_wrap() {
        let segment = Scratch::new("walk", 4096);
        let records = Records::new(&segment);
        let first = append(&records, 2000);
        let second = append(&records, 1000);
        let header = records.record(first, 4096).expect("record");
        let mut txn = Txn::new(&segment);
        records.remove(&mut txn, first, header).expect("remove");
        txn.commit();
        // 1080 bytes are left before the end of the ring: too few for the next record.
        let third = append(&records, 1500);
        assert_eq!(records.segment.ring_position(third), 0);
        let walked: Vec<(u64, RecordHeader)> = records
            .walk()
            .expect("bounds")
            .collect::<Result<_>>()
            .expect("undamaged");
        let seen: Vec<(u64, RecordState, u32)> = walked
            .iter()
            .map(|&(pos, header)| (pos, header.state, header.len))
            .collect();
        assert_eq!(
            seen,
            [
                (second, RecordState::Ready, 1000),
                (3016, RecordState::Padding, 1080 - 8),
                (third, RecordState::Ready, 1500),
            ]
        );
    }

    #[test]
    fn removing_at_the_head_skips_removed_records_behind_it() {
        let segment = Scratch::new("remove", 4096);
        let records = Records::new(&segment);
        let first = append(&records, 8);
        let second = append(&records, 8);
        let third = append(&records, 8);
        let header_of = |pos| {
            records
                .record(pos, records.bounds().expect("bounds").1)
                .expect("record")
        };
        let mut txn = Txn::new(&segment);
        records
            .remove(&mut txn, second, header_of(second))
            .expect("remove behind the head");
        txn.commit();
        assert_eq!(header_of(second).state, RecordState::Done);
        let mut txn = Txn::new(&segment);
        records
            .remove(&mut txn, first, header_of(first))
            .expect("remove the head");
        txn.commit();
        assert_eq!(
            records.bounds().expect("bounds").0,
            third,
            "past the DONE record"
        );
    }

    #[test]
    fn a_record_running_past_the_tail_is_damage_and_flags_the_queue() {
        let segment = Scratch::new("overrun", 4096);
        let records = Records::new(&segment);
        let pos = append(&records, 8);
        let long = RecordHeader::new(64, RecordState::Ready);
        segment
            .ring_word(pos)
            .store(long.encode(), Ordering::Release);
        let error = records.walk().expect("bounds").find_map(Result::err);
        assert!(
            matches!(
                error,
                Some(QueueError::Corrupt {
                    damage: Damage::RecordLength { pos: 0, len: 64 },
                    ..
                })
            ),
            "{error:?}"
        );
        assert_eq!(
            segment.damage(),
            Some(Damage::RecordLength { pos: 0, len: 64 })
        );
    }
}
