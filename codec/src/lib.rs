//! Binary format of one PHP value, as stored in a shmqueue message.
//!
//! This crate knows nothing of PHP. It defines the bytes, gives a [`Writer`]
//! that the PHP binding drives value by value while it walks a zval (no
//! intermediate tree), and a [`decode`] function that validates arbitrary,
//! possibly hostile bytes and drives a caller-supplied [`Builder`].
//!
//! # Format, version 1 ([`FORMAT_V1`])
//!
//! A blob is one byte of format version (`0x01`), then exactly one value, then
//! the end of the input. Trailing bytes are an error.
//!
//! A value is a tag byte followed by a payload:
//!
//! | Tag    | Name   | Payload                                                        |
//! |--------|--------|----------------------------------------------------------------|
//! | `0x00` | NULL   | none                                                           |
//! | `0x01` | FALSE  | none                                                           |
//! | `0x02` | TRUE   | none                                                           |
//! | `0x03` | INT    | `i64` as a zigzag varint                                       |
//! | `0x04` | FLOAT  | `f64`, 8 bytes little endian, bit-exact (`-0.0`, INF, NaN payloads) |
//! | `0x05` | STRING | length (`u64` varint), then that many bytes (binary, not UTF-8) |
//! | `0x06` | LIST   | count (`u64` varint), then `count` values                      |
//! | `0x07` | MAP    | count (`u64` varint), then `count` × (key, value)              |
//! | `0x08` | OBJECT | length (`u64` varint), then that many bytes of PHP `serialize()` output (opaque here) |
//!
//! A LIST is a PHP array whose keys are exactly `0..n-1` in order; any other
//! array is a MAP (an empty array is written as an empty LIST; the decoder
//! accepts an empty MAP too). A MAP key is either `0x03` + zigzag varint (integer key) or
//! `0x05` + length varint + bytes (string key). Any other key tag is an error.
//! The decoder does not reject duplicate keys or numeric-looking string keys:
//! what they mean is the [`Builder`]'s business (PHP: the last one wins).
//!
//! Integers use the varint of `bincode` 2 with `bincode::config::standard()`:
//!
//! | First byte  | Meaning                                     |
//! |-------------|---------------------------------------------|
//! | `0..=250`   | the value itself                            |
//! | `0xFB`      | a `u16` follows, little endian              |
//! | `0xFC`      | a `u32` follows, little endian              |
//! | `0xFD`      | a `u64` follows, little endian              |
//! | `0xFE`, `0xFF` | invalid for a 64-bit value               |
//!
//! Signed integers are first mapped by zigzag (`0→0, -1→1, 1→2, -2→3, …`).
//! The [`Writer`] always emits the shortest form; the decoder, like bincode,
//! also accepts longer forms. FLOAT is bincode's `f64` (8 bytes little endian).
//!
//! These primitives are bincode 2.0.1's. The writer and the decoder handle the
//! well-formed varints themselves (`put_varint`, `Cursor::u64`): going through bincode
//! costs tens of instructions per varint, several times the rest of a short
//! message's work. bincode still writes floats (`put`) and reads whatever the
//! inline path does not take (floats, truncated or invalid varints), so it words
//! every error. The containers and tags around them are this crate's, as bincode
//! has no notion of a PHP array. `tests/bincode_compat.rs` checks byte-for-byte
//! agreement with bincode, on random values and on random bytes.
//!
//! Modules: `writer` (the [`Writer`] the binding drives while walking a value) and
//! `decoder` ([`decode`], validating, driving a [`Builder`]).
//!
//! Example: `["to" => "a@b", "n" => 3]` is
//! `01 | 07 02 | 05 02 't' 'o' | 05 03 'a' '@' 'b' | 05 01 'n' | 03 06`.
//!
//! # Limits
//!
//! LIST and MAP nest at most [`MAX_DEPTH`] (1024) levels deep: the outermost
//! container is level 1, and a container at level 1025 is an error for both the
//! writer and the decoder. Scalars and OBJECTs do not count.
//!
//! The decoder never panics, does not recurse (open arrays live on a heap stack
//! of at most [`MAX_DEPTH`] entries), does not loop forever, and never
//! asks the builder for more capacity than the input can back: every LIST
//! element needs at least 1 byte and every MAP entry at least 3, and a count is
//! checked against the bytes left minus those still owed to the enclosing
//! containers, so the capacities of all arrays of one decode add up to at most
//! the length of the blob.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decoder;
mod writer;

pub use decoder::{decode, lone_string, Builder, DecodeError};
pub use writer::{EncodeError, Writer};

/// The format version written as the first byte of every blob.
pub const FORMAT_V1: u8 = 0x01;
/// Maximum nesting of LIST/MAP (the outermost container is level 1).
pub const MAX_DEPTH: usize = 1024;

/// Tag of NULL.
pub const TAG_NULL: u8 = 0x00;
/// Tag of `false`.
pub const TAG_FALSE: u8 = 0x01;
/// Tag of `true`.
pub const TAG_TRUE: u8 = 0x02;
/// Tag of an integer (zigzag varint); also the tag of an integer map key.
pub const TAG_INT: u8 = 0x03;
/// Tag of a float (8 bytes little endian).
pub const TAG_FLOAT: u8 = 0x04;
/// Tag of a byte string (length varint + bytes); also the tag of a string map key.
pub const TAG_STRING: u8 = 0x05;
/// Tag of a list (count varint + values).
pub const TAG_LIST: u8 = 0x06;
/// Tag of a map (count varint + key/value pairs).
pub const TAG_MAP: u8 = 0x07;
/// Tag of an object (length varint + PHP `serialize()` bytes).
pub const TAG_OBJECT: u8 = 0x08;

/// Minimum encoded size of one LIST element (a tag).
pub(crate) const MIN_LIST_ELEM: usize = 1;
/// Minimum encoded size of one MAP entry (key tag + 1-byte varint + value tag).
pub(crate) const MIN_MAP_ENTRY: usize = 3;

/// bincode 2's `standard()` configuration: little endian, varints (zigzag for signed).
pub(crate) const BINCODE: bincode::config::Configuration = bincode::config::standard();

/// Lets bincode append straight into the blob.
struct Sink<'a>(&'a mut Vec<u8>);

impl bincode::enc::write::Writer for Sink<'_> {
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// Appends `value` in bincode's encoding (a varint for integers, 8 LE bytes for f64).
#[inline(always)]
pub(crate) fn put<T: bincode::Encode>(buf: &mut Vec<u8>, value: T) {
    // Appending to a Vec cannot fail, and the primitives encoded here have no other error.
    let _ = bincode::encode_into_writer(value, Sink(buf), BINCODE);
}

/// Largest value of bincode's one-byte varint form; the markers of the longer forms follow.
pub(crate) const SINGLE_BYTE_MAX: u8 = 250;
pub(crate) const MARKER_U16: u8 = 251;
pub(crate) const MARKER_U32: u8 = 252;
pub(crate) const MARKER_U64: u8 = 253;

/// Appends `v` as a bincode `standard()` varint (shortest form).
#[inline(always)]
pub(crate) fn put_varint(buf: &mut Vec<u8>, v: u64) {
    if v <= u64::from(SINGLE_BYTE_MAX) {
        buf.push(v as u8);
    } else {
        put_long_varint(buf, v);
    }
}

/// `put_varint` of a value that needs a marker and 2, 4 or 8 bytes.
#[inline(never)]
fn put_long_varint(buf: &mut Vec<u8>, v: u64) {
    if let Ok(v) = u16::try_from(v) {
        buf.push(MARKER_U16);
        buf.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = u32::try_from(v) {
        buf.push(MARKER_U32);
        buf.extend_from_slice(&v.to_le_bytes());
    } else {
        buf.push(MARKER_U64);
        buf.extend_from_slice(&v.to_le_bytes());
    }
}

/// bincode's zigzag mapping of a signed integer (`0→0, -1→1, 1→2, -2→3, …`).
#[inline(always)]
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
#[inline(always)]
pub(crate) fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}
