//! The CRC32C of a record, in durable files created with `FEATURE_CRC32C`: what a new boot
//! checks (`boot_repair.rs`) to tell a record that reached the disk whole from a torn one, from
//! bytes never written, or from a record of an older turn of the ring at the same offset.
//!
//! It covers what never changes after the append, in this order: the payload bytes, the header
//! word's fixed bits (`FIXED_HEADER_BITS`: len and the not_before flag) as a little-endian u64,
//! and the record's position (the monotonic one, not the ring offset) as a little-endian u64.
//! Not the state, attempts or slot bits, nor the not_before value: they change in place,
//! through the journal. The CRC word holds the CRC in its low 32 bits; the high 32 are zero.
//! The payload part is computed before the lock (`Sum::of`), the position appended under it.

use crate::layout::{RecordHeader, RecordState, FIXED_HEADER_BITS};
use crate::payload::Payload;
use crate::segment::Segment;
use std::sync::atomic::Ordering;

/// A record's CRC before its position is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sum {
    crc: u32,
    fixed: u64,
}

impl Sum {
    /// The CRC of a record of this payload, with a not_before word or not.
    pub fn of(payload: Payload, has_not_before: bool) -> Sum {
        let header = RecordHeader {
            has_not_before,
            ..RecordHeader::new(payload.len() as u32, RecordState::Ready)
        };
        Sum::of_record(payload, header)
    }

    fn of_record(payload: Payload, header: RecordHeader) -> Sum {
        let fixed = header.encode() & FIXED_HEADER_BITS;
        let [head, body] = payload.parts();
        let crc = append_word(crc32c::crc32c_append(crc32c::crc32c(head), body), fixed);
        Sum { crc, fixed }
    }

    /// The CRC word of the record at `pos`.
    pub fn word(self, pos: u64) -> u64 {
        append_word(self.crc, pos).into()
    }
}

/// `crc` continued over the 8 little-endian bytes of `word`: one `crc32` instruction where the
/// CPU has SSE 4.2 (the crate's general path costs 10-20 ns for 8 bytes, under the lock here).
fn append_word(crc: u32, word: u64) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("sse4.2") {
        // SAFETY: the CPU has SSE 4.2, checked just above.
        return unsafe { append_word_sse42(crc, word) };
    }
    crc32c::crc32c_append(crc, &word.to_le_bytes())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
unsafe fn append_word_sse42(crc: u32, word: u64) -> u32 {
    // The instruction works on the CRC register, which is the complement of the CRC value.
    !(std::arch::x86_64::_mm_crc32_u64(u64::from(!crc), word) as u32)
}

/// The sum a producer computes before taking the lock: `None` in a segment without checksums
/// (shared memory, older durable files), where it costs nothing.
pub(crate) fn presum(segment: &Segment, payload: Payload, has_not_before: bool) -> Option<Sum> {
    segment.checksums.then(|| Sum::of(payload, has_not_before))
}

/// Writes the CRC word of a record just written at `pos` (nothing for one without): `sum`, if
/// computed before for the same shape, else computed now.
pub(crate) fn seal(
    segment: &Segment,
    pos: u64,
    header: RecordHeader,
    payload: Payload,
    sum: Option<Sum>,
) {
    if !header.checksummed {
        return;
    }
    let fixed = header.encode() & FIXED_HEADER_BITS;
    let sum = sum
        .filter(|sum| sum.fixed == fixed)
        .unwrap_or_else(|| Sum::of_record(payload, header));
    segment
        .ring_word(pos + header.checksum_offset())
        .store(sum.word(pos), Ordering::Relaxed);
}

/// Payload bytes read at a time to check a record in place: a 4 GiB one needs no 4 GiB buffer.
const CHUNK: u64 = 1 << 20;

/// The CRC word the record at `pos` should have, from its payload as it is in the ring.
fn expected(segment: &Segment, pos: u64, header: RecordHeader, scratch: &mut Vec<u8>) -> u64 {
    let start = pos + header.payload_offset();
    let end = start + u64::from(header.len);
    let (mut at, mut crc) = (start, 0);
    while at < end {
        let len = (end - at).min(CHUNK);
        scratch.clear();
        segment.read_ring(at, len as usize, scratch);
        crc = crc32c::crc32c_append(crc, scratch);
        at += len;
    }
    let fixed = header.encode() & FIXED_HEADER_BITS;
    Sum {
        crc: append_word(crc, fixed),
        fixed,
    }
    .word(pos)
}

/// Writes the CRC word of the record at `pos` from its bytes as they are in the ring.
pub(crate) fn seal_in_place(
    segment: &Segment,
    pos: u64,
    header: RecordHeader,
    scratch: &mut Vec<u8>,
) {
    if header.checksummed {
        let word = expected(segment, pos, header, scratch);
        segment
            .ring_word(pos + header.checksum_offset())
            .store(word, Ordering::Relaxed);
    }
}

/// Whether the record at `pos` (validated to lie in the ring) is the one appended there: its
/// CRC word matches its payload, fixed header bits and position. True for one without.
pub(crate) fn intact(
    segment: &Segment,
    pos: u64,
    header: RecordHeader,
    scratch: &mut Vec<u8>,
) -> bool {
    if !header.checksummed {
        return true;
    }
    let stored = segment
        .ring_word(pos + header.checksum_offset())
        .load(Ordering::Acquire);
    stored == expected(segment, pos, header, scratch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_crc32c_of_payload_fixed_bits_and_position() {
        // CRC32C("123456789") = 0xE3069283, the check value of the Castagnoli polynomial.
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        let mut bytes = b"hello".to_vec();
        bytes.extend_from_slice(&5u64.to_le_bytes());
        bytes.extend_from_slice(&4096u64.to_le_bytes());
        assert_eq!(
            Sum::of(b"hello".into(), false).word(4096),
            u64::from(crc32c::crc32c(&bytes))
        );
    }

    #[test]
    fn one_word_appended_by_instruction_equals_the_general_path() {
        for (crc, word) in [
            (0, 0),
            (0xE306_9283, 4096),
            (u32::MAX, u64::MAX),
            (7, 1 << 63),
        ] {
            assert_eq!(
                append_word(crc, word),
                crc32c::crc32c_append(crc, &word.to_le_bytes())
            );
        }
    }

    #[test]
    fn position_length_and_not_before_flag_each_change_the_word() {
        let base = Sum::of(b"payload".into(), false).word(64);
        assert_ne!(base, Sum::of(b"payload".into(), false).word(64 + 4096));
        assert_ne!(base, Sum::of(b"payload".into(), true).word(64));
        assert_ne!(base, Sum::of(b"payloae".into(), false).word(64));
        assert_eq!(base >> 32, 0, "the high half is zero");
    }

    #[test]
    fn a_payload_in_two_pieces_sums_as_the_same_bytes_in_one() {
        for split in [0, 1, 6, 7] {
            let (head, body) = b"payload".split_at(split);
            assert_eq!(
                Sum::of(Payload::in_two(head, body), true).word(64),
                Sum::of(b"payload".into(), true).word(64)
            );
        }
    }
}
