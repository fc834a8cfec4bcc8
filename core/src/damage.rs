//! What damage was found in a queue, as data: a code and two numbers. The first operation (or
//! recovery) that meets damage keeps them in the header (`corrupt`, `damage_detail`), so every
//! process that later refuses the queue, `stats()` and the `shmqueue` command can say why, not
//! just that it was "found damaged earlier". Each front end words the refusal for its users.

use std::fmt;

/// One kind of damage, with the numbers that locate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// Flagged by a version that kept no reason (it stored 1), or with a code this one does not know.
    Unrecorded { code: u64 },
    /// `head` and `tail` do not describe a part of the ring.
    Bounds { head: u64, tail: u64 },
    /// A record header word whose state byte no writer produces.
    RecordState { pos: u64, word: u64 },
    /// A record whose length runs past the end of the ring or past `tail`.
    RecordLength { pos: u64, len: u64 },
    /// A leased record naming a slot that does not point back at it.
    SlotNotOwn { pos: u64, slot: u64 },
    /// A slot pointing outside `head..tail`.
    SlotOutside { slot: u64, pos: u64 },
    /// A slot pointing at a record that is not leased to it.
    SlotNotLeased { slot: u64, pos: u64 },
    /// A record removed or taken while already removed.
    TakenTwice { pos: u64 },
    /// The job id counter at 0 or at its end.
    TokenCounter { token: u64 },
    /// Taken lease slots and leased records disagree.
    SlotsMismatch { slots: u64, leased: u64 },
    /// The redo journal claims more entries than it has.
    JournalLength { len: u64 },
    /// A journal entry aimed at a word no transaction writes (the lock, say).
    JournalTarget { offset: u64 },
    /// A journal state word that is neither idle nor armed.
    JournalState { state: u64 },
    // Found when opening, from the header itself: never kept in it.
    /// The magic number is wrong: not a queue segment at all.
    Magic { found: u64 },
    /// The segment is smaller than its header.
    TooSmall { size: u64 },
    /// Sizes and offsets in the header do not add up to the mapping.
    Geometry { size: u64, ring: u64 },
    /// A durable file whose header does not say it is one.
    Features { found: u64 },
}

impl Damage {
    /// The code and the two numbers kept in the header (docs/format.md lists the codes).
    pub fn encode(self) -> (u64, [u64; 2]) {
        use Damage::*;
        match self {
            Unrecorded { code } => (code.max(1), [0, 0]),
            Bounds { head, tail } => (2, [head, tail]),
            RecordState { pos, word } => (3, [pos, word]),
            RecordLength { pos, len } => (4, [pos, len]),
            SlotNotOwn { pos, slot } => (5, [pos, slot]),
            SlotOutside { slot, pos } => (6, [slot, pos]),
            SlotNotLeased { slot, pos } => (7, [slot, pos]),
            TakenTwice { pos } => (8, [pos, 0]),
            TokenCounter { token } => (9, [token, 0]),
            SlotsMismatch { slots, leased } => (10, [slots, leased]),
            JournalLength { len } => (11, [len, 0]),
            JournalTarget { offset } => (12, [offset, 0]),
            JournalState { state } => (13, [state, 0]),
            Magic { found } => (14, [found, 0]),
            TooSmall { size } => (15, [size, 0]),
            Geometry { size, ring } => (16, [size, ring]),
            Features { found } => (17, [found, 0]),
        }
    }

    /// The damage a header's `corrupt` word and details describe; `None` when not flagged.
    pub fn decode(code: u64, [a, b]: [u64; 2]) -> Option<Damage> {
        use Damage::*;
        Some(match code {
            0 => return None,
            2 => Bounds { head: a, tail: b },
            3 => RecordState { pos: a, word: b },
            4 => RecordLength { pos: a, len: b },
            5 => SlotNotOwn { pos: a, slot: b },
            6 => SlotOutside { slot: a, pos: b },
            7 => SlotNotLeased { slot: a, pos: b },
            8 => TakenTwice { pos: a },
            9 => TokenCounter { token: a },
            10 => SlotsMismatch {
                slots: a,
                leased: b,
            },
            11 => JournalLength { len: a },
            12 => JournalTarget { offset: a },
            13 => JournalState { state: a },
            14 => Magic { found: a },
            15 => TooSmall { size: a },
            16 => Geometry { size: a, ring: b },
            17 => Features { found: a },
            code => Unrecorded { code },
        })
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Damage::*;
        match *self {
            Unrecorded { code: 1 } => write!(f, "it was flagged by a version that kept no reason"),
            Unrecorded { code } => {
                write!(f, "it was flagged with reason code {code}, unknown here")
            }
            Bounds { head, tail } => write!(f, "head {head} and tail {tail} do not fit the ring"),
            RecordState { pos, word } => write!(
                f,
                "record header {word:#018x} at position {pos} has an unknown state"
            ),
            RecordLength { pos, len } => write!(
                f,
                "record of {len} bytes at position {pos} runs past the ring or the tail"
            ),
            SlotNotOwn { pos, slot } => write!(
                f,
                "leased record at position {pos} names slot {slot} which is not its own"
            ),
            SlotOutside { slot, pos } => write!(
                f,
                "slot {slot} points at position {pos}, outside the records"
            ),
            SlotNotLeased { slot, pos } => write!(
                f,
                "slot {slot} points at position {pos}, a record that is not leased to it"
            ),
            TakenTwice { pos } => write!(f, "record at position {pos} was taken twice"),
            TokenCounter { token } => write!(f, "the job id counter {token} is out of range"),
            SlotsMismatch { slots, leased } => write!(
                f,
                "{slots} lease slots are taken but {leased} records are leased"
            ),
            JournalLength { len } => write!(f, "journal length {len} exceeds its capacity"),
            JournalTarget { offset } => write!(
                f,
                "journal entry targets offset {offset}, which no change writes"
            ),
            JournalState { state } => write!(f, "journal state {state} is unknown"),
            Magic { found } => write!(
                f,
                "not a shmqueue segment (magic {found:#018x}, expected {:#018x})",
                crate::layout::MAGIC
            ),
            TooSmall { size } => write!(
                f,
                "segment of {size} bytes is smaller than the {}-byte header",
                crate::layout::HEADER_SIZE
            ),
            Features { found } => write!(
                f,
                "a file in the durable directory without the durable feature bit (features {found:#x})"
            ),
            Geometry { size, ring } => write!(
                f,
                "geometry does not add up (segment of {size} bytes, ring of {ring})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kept_damage_round_trips_through_the_header_words() {
        let all = [
            Damage::Bounds { head: 8, tail: 1 },
            Damage::RecordState { pos: 16, word: 9 },
            Damage::RecordLength { pos: 24, len: 7 },
            Damage::SlotNotOwn { pos: 32, slot: 3 },
            Damage::SlotOutside { slot: 4, pos: 40 },
            Damage::SlotNotLeased { slot: 5, pos: 48 },
            Damage::TakenTwice { pos: 56 },
            Damage::TokenCounter { token: 0 },
            Damage::SlotsMismatch {
                slots: 2,
                leased: 1,
            },
            Damage::JournalLength { len: 99 },
            Damage::JournalTarget { offset: 64 },
            Damage::JournalState { state: 7 },
            Damage::Unrecorded { code: 77 },
        ];
        for damage in all {
            let (code, details) = damage.encode();
            assert_eq!(Damage::decode(code, details), Some(damage), "{damage}");
        }
        assert_eq!(Damage::decode(0, [0, 0]), None);
    }

    #[test]
    fn an_older_versions_flag_reads_as_unrecorded() {
        let damage = Damage::decode(1, [0, 0]).expect("flagged");
        assert_eq!(damage, Damage::Unrecorded { code: 1 });
        assert!(damage.to_string().contains("kept no reason"));
    }
}
