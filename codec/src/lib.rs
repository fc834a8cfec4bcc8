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
//! These primitives are exactly bincode 2.0.1's, but this crate writes and reads
//! them itself: going through bincode's `Encode`/`Decode` API measured 1.5–1.8×
//! slower with fat LTO (up to 6× without) on the writer and varint-reader hot
//! paths. `tests/bincode_compat.rs` checks byte-for-byte agreement with bincode.
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

use smallvec::SmallVec;

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
const MIN_LIST_ELEM: usize = 1;
/// Minimum encoded size of one MAP entry (key tag + 1-byte varint + value tag).
const MIN_MAP_ENTRY: usize = 3;

/// bincode 2's `standard()` configuration: little endian, varints (zigzag for signed).
const BINCODE: bincode::config::Configuration = bincode::config::standard();

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
fn put<T: bincode::Encode>(buf: &mut Vec<u8>, value: T) {
    // Appending to a Vec cannot fail, and the primitives encoded here have no other error.
    let _ = bincode::encode_into_writer(value, Sink(buf), BINCODE);
}

/// Appends `v` as a bincode `standard()` varint (shortest form).
#[inline(always)]
fn put_varint(buf: &mut Vec<u8>, v: u64) {
    put(buf, v);
}

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

/// Error of the [`Writer`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A LIST or MAP was opened at level `MAX_DEPTH + 1`.
    #[error("nesting deeper than {max} levels (a recursive array?)")]
    TooDeep {
        /// The limit, [`MAX_DEPTH`].
        max: usize,
    },
}

/// Builds one blob, value by value.
///
/// The caller walks its value depth first and calls one method per node:
///
/// * scalars: [`null`](Self::null), [`bool`](Self::bool), [`int`](Self::int),
///   [`float`](Self::float), [`string`](Self::string), [`object`](Self::object);
/// * `list(n)`, then exactly `n` values, then [`end_container`](Self::end_container);
/// * `map(n)`, then exactly `n` times a key ([`key_int`](Self::key_int) or
///   [`key_str`](Self::key_str)) followed by a value, then `end_container`.
///
/// The writer tracks only the nesting depth (that is what `end_container` is
/// for); it does not check that counts match what follows. A mismatch is a
/// bug of the caller and the decoder will reject the blob.
///
/// A blob is complete once one top-level value has been written (and every
/// container ended); [`as_bytes`](Self::as_bytes) then returns it. The writer is
/// reusable: [`clear`](Self::clear) keeps the allocation.
///
/// ```
/// let mut w = shmqueue_codec::Writer::new();
/// w.map(2).unwrap();
/// w.key_str(b"to");
/// w.string(b"a@b");
/// w.key_str(b"n");
/// w.int(3);
/// w.end_container();
/// assert_eq!(w.as_bytes(), b"\x01\x07\x02\x05\x02to\x05\x03a@b\x05\x01n\x03\x06");
/// ```
#[derive(Debug, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    depth: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// An empty blob (just the version byte).
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    /// An empty blob whose buffer can hold `capacity` bytes without reallocating.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(capacity.max(1));
        buf.push(FORMAT_V1);
        Writer { buf, depth: 0 }
    }

    /// Forgets everything written (keeping the allocation) and starts a new blob.
    #[inline]
    pub fn clear(&mut self) {
        self.buf.clear();
        self.buf.push(FORMAT_V1);
        self.depth = 0;
    }

    /// The blob written so far, version byte included.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Consumes the writer and returns the blob.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Number of bytes written so far, version byte included.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Always `false`: a blob holds at least its version byte.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Number of LIST/MAP opened and not yet ended.
    #[inline]
    pub fn depth(&self) -> usize {
        self.depth
    }

    #[inline(always)]
    fn tag(&mut self, tag: u8) {
        self.buf.push(tag);
    }

    #[inline(always)]
    fn varint_u64(&mut self, v: u64) {
        put_varint(&mut self.buf, v);
    }

    #[inline(always)]
    fn tagged_bytes(&mut self, tag: u8, bytes: &[u8]) {
        self.buf.reserve(1 + 9 + bytes.len());
        self.tag(tag);
        self.varint_u64(bytes.len() as u64);
        self.buf.extend_from_slice(bytes);
    }

    /// Writes NULL.
    #[inline]
    pub fn null(&mut self) {
        self.tag(TAG_NULL);
    }

    /// Writes `true` or `false`.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.tag(TAG_FALSE + v as u8);
    }

    /// Writes an integer.
    #[inline]
    pub fn int(&mut self, v: i64) {
        self.buf.reserve(10);
        self.tag(TAG_INT);
        put(&mut self.buf, v);
    }

    /// Writes a float, bit for bit.
    #[inline]
    pub fn float(&mut self, v: f64) {
        self.buf.reserve(9);
        self.tag(TAG_FLOAT);
        put(&mut self.buf, v);
    }

    /// Writes a byte string (any bytes, not necessarily UTF-8).
    #[inline]
    pub fn string(&mut self, v: &[u8]) {
        self.tagged_bytes(TAG_STRING, v);
    }

    /// Writes an object as the bytes PHP's `serialize()` produced for it.
    #[inline]
    pub fn object(&mut self, serialized: &[u8]) {
        self.tagged_bytes(TAG_OBJECT, serialized);
    }

    #[inline(always)]
    fn open(&mut self, tag: u8, len: usize) -> Result<(), EncodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(EncodeError::TooDeep { max: MAX_DEPTH });
        }
        self.depth += 1;
        self.buf.reserve(10);
        self.tag(tag);
        self.varint_u64(len as u64);
        Ok(())
    }

    /// Opens a LIST of `len` values (an array with keys `0..len-1` in order).
    ///
    /// Fails, writing nothing, if this would be level `MAX_DEPTH + 1`.
    #[inline]
    pub fn list(&mut self, len: usize) -> Result<(), EncodeError> {
        self.open(TAG_LIST, len)
    }

    /// Opens a MAP of `len` key/value pairs.
    ///
    /// Fails, writing nothing, if this would be level `MAX_DEPTH + 1`.
    #[inline]
    pub fn map(&mut self, len: usize) -> Result<(), EncodeError> {
        self.open(TAG_MAP, len)
    }

    /// Closes the innermost LIST or MAP. Writes nothing; only tracks depth.
    #[inline]
    pub fn end_container(&mut self) {
        debug_assert!(self.depth > 0, "end_container without list/map");
        self.depth = self.depth.saturating_sub(1);
    }

    /// Writes an integer MAP key.
    #[inline]
    pub fn key_int(&mut self, k: i64) {
        self.int(k);
    }

    /// Writes a string MAP key.
    #[inline]
    pub fn key_str(&mut self, k: &[u8]) {
        self.tagged_bytes(TAG_STRING, k);
    }
}

// ---------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------

/// What the decoder builds values with. The PHP side builds zvals; tests build
/// a Rust enum.
///
/// Values are built bottom up: an array is begun, its elements are built and
/// pushed into it, then it is ended, which turns it into a value.
///
/// If decoding fails half way, the values and arrays built so far are simply
/// dropped (never passed to `end_array`): give them a `Drop` if they own
/// resources. Any error returned here aborts the decoding and comes back as
/// [`DecodeError::Builder`].
pub trait Builder {
    /// A finished value.
    type Value;
    /// An array under construction.
    type Array;
    /// The builder's own error (e.g. `unserialize()` of an object failed).
    type Error;

    /// Builds NULL.
    fn null(&mut self) -> Result<Self::Value, Self::Error>;
    /// Builds a boolean.
    fn bool(&mut self, v: bool) -> Result<Self::Value, Self::Error>;
    /// Builds an integer.
    fn int(&mut self, v: i64) -> Result<Self::Value, Self::Error>;
    /// Builds a float.
    fn float(&mut self, v: f64) -> Result<Self::Value, Self::Error>;
    /// Builds a byte string.
    fn string(&mut self, v: &[u8]) -> Result<Self::Value, Self::Error>;
    /// Builds an object from PHP `serialize()` bytes (not validated here).
    fn object(&mut self, serialized: &[u8]) -> Result<Self::Value, Self::Error>;
    /// Begins an array of `len` elements. `len` is backed by the input (see
    /// the crate docs) and may be used as a capacity. `is_list` tells a LIST
    /// (keys `0..len-1` pushed in order through `push_index`) from a MAP.
    fn begin_array(&mut self, len: usize, is_list: bool) -> Result<Self::Array, Self::Error>;
    /// Adds an element with an integer key.
    fn push_index(
        &mut self,
        arr: &mut Self::Array,
        key: i64,
        v: Self::Value,
    ) -> Result<(), Self::Error>;
    /// Adds an element with a string key (any bytes).
    fn push_str_key(
        &mut self,
        arr: &mut Self::Array,
        key: &[u8],
        v: Self::Value,
    ) -> Result<(), Self::Error>;
    /// Finishes an array.
    fn end_array(&mut self, arr: Self::Array) -> Result<Self::Value, Self::Error>;
}

/// Why a blob was rejected. Offsets count from the start of the blob (the
/// version byte is byte 0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError<E> {
    /// The blob is empty.
    #[error("empty input: expected the format version byte")]
    Empty,
    /// The first byte is not a known format version.
    #[error("unknown format version {found:#04x} (expected {expected:#04x})")]
    UnknownVersion {
        /// The byte found.
        found: u8,
        /// [`FORMAT_V1`].
        expected: u8,
    },
    /// The input ends inside an item.
    #[error("input ends inside the {what} at byte {offset} ({left} bytes left)")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// Bytes there were left from `offset`.
        left: usize,
    },
    /// A varint starts with a byte that is not valid for a 64-bit integer.
    #[error("invalid varint marker {marker:#04x} for the {what} at byte {offset}")]
    BadVarint {
        /// What was being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// The first byte of the varint.
        marker: u8,
    },
    /// A value starts with an unknown tag.
    #[error("unknown value tag {tag:#04x} at byte {offset}")]
    UnknownTag {
        /// The tag.
        tag: u8,
        /// Where it is.
        offset: usize,
    },
    /// A map key is neither INT nor STRING.
    #[error("invalid map key tag {tag:#04x} at byte {offset} (expected 0x03 INT or 0x05 STRING)")]
    BadKeyTag {
        /// The tag.
        tag: u8,
        /// Where it is.
        offset: usize,
    },
    /// A STRING/OBJECT/key length is larger than what is left of the input.
    #[error("{what} length {len} at byte {offset} exceeds the {left} bytes left")]
    LengthTooLarge {
        /// `"string"`, `"string key"` or `"object"`.
        what: &'static str,
        /// The length read.
        len: u64,
        /// Where the length varint starts.
        offset: usize,
        /// Bytes left after the length.
        left: usize,
    },
    /// A LIST/MAP count cannot be backed by what is left of the input.
    #[error(
        "{what} count {count} at byte {offset} needs at least {needed} bytes but only {available} are available"
    )]
    CountTooLarge {
        /// `"list"` or `"map"`.
        what: &'static str,
        /// The count read.
        count: u64,
        /// Where the count varint starts.
        offset: usize,
        /// `count` × the minimum size of an element (saturating).
        needed: u64,
        /// Bytes left after the count, minus those owed to enclosing containers.
        available: usize,
    },
    /// A LIST/MAP at level `MAX_DEPTH + 1`.
    #[error("nesting deeper than {max} at byte {offset}")]
    TooDeep {
        /// [`MAX_DEPTH`].
        max: usize,
        /// Where the offending container's tag is.
        offset: usize,
    },
    /// Bytes follow the value.
    #[error("{count} trailing bytes after the value at byte {offset}")]
    TrailingBytes {
        /// How many.
        count: usize,
        /// Where they start.
        offset: usize,
    },
    /// The builder failed.
    #[error("builder failed at byte {offset}: {source}")]
    Builder {
        /// Where the value being built ends.
        offset: usize,
        /// The builder's error.
        source: E,
    },
}

/// A position in the input, so that errors can name the byte offset.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    #[inline(always)]
    fn byte<E>(&mut self, what: &'static str) -> Result<u8, DecodeError<E>> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(DecodeError::Truncated {
                what,
                offset: self.pos,
                left: 0,
            }),
        }
    }

    #[cold]
    fn truncated<E>(&self, what: &'static str, offset: usize) -> DecodeError<E> {
        DecodeError::Truncated {
            what,
            offset,
            left: self.data.len() - offset,
        }
    }

    /// A bincode value at the cursor (a varint, or 8 bytes for f64), read by bincode itself.
    #[inline(always)]
    fn bincode<T: bincode::Decode<()>, E>(
        &mut self,
        what: &'static str,
    ) -> Result<T, DecodeError<E>> {
        let start = self.pos;
        match bincode::decode_from_slice::<T, _>(&self.data[start..], BINCODE) {
            Ok((value, read)) => {
                self.pos += read;
                Ok(value)
            }
            Err(bincode::error::DecodeError::UnexpectedEnd { .. }) => {
                Err(self.truncated(what, start))
            }
            Err(_) => Err(DecodeError::BadVarint {
                what,
                offset: start,
                marker: self.data.get(start).copied().unwrap_or(0),
            }),
        }
    }

    /// A bincode `standard()` varint; like bincode, accepts non-shortest forms.
    #[inline(always)]
    fn u64<E>(&mut self, what: &'static str) -> Result<u64, DecodeError<E>> {
        self.bincode(what)
    }

    /// A zigzag varint.
    #[inline(always)]
    fn i64<E>(&mut self, what: &'static str) -> Result<i64, DecodeError<E>> {
        self.bincode(what)
    }

    /// 8 bytes, little endian, bit for bit.
    #[inline(always)]
    fn f64<E>(&mut self) -> Result<f64, DecodeError<E>> {
        self.bincode("float")
    }

    /// A length varint followed by that many bytes.
    #[inline(always)]
    fn bytes<E>(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError<E>> {
        let offset = self.pos;
        let len = self.u64(what)?;
        let left = self.left();
        if len > left as u64 {
            return Err(DecodeError::LengthTooLarge {
                what,
                len,
                offset,
                left,
            });
        }
        let start = self.pos;
        self.pos += len as usize;
        Ok(&self.data[start..self.pos])
    }

    /// A LIST/MAP count, checked against the bytes left minus `reserve`.
    #[inline(always)]
    fn count<E>(
        &mut self,
        what: &'static str,
        min_elem: usize,
        reserve: usize,
    ) -> Result<usize, DecodeError<E>> {
        let offset = self.pos;
        let count = self.u64(what)?;
        let available = self.left().saturating_sub(reserve);
        if count > (available / min_elem) as u64 {
            return Err(DecodeError::CountTooLarge {
                what,
                count,
                offset,
                needed: count.saturating_mul(min_elem as u64),
                available,
            });
        }
        Ok(count as usize)
    }
}

/// The key under which the value being decoded goes into its array.
#[derive(Clone, Copy)]
enum Key<'a> {
    Int(i64),
    Str(&'a [u8]),
}

/// An open LIST/MAP. The decoder keeps these on a heap stack (at most
/// [`MAX_DEPTH`] of them) instead of recursing, so hostile nesting cannot
/// exhaust the thread's stack, even in debug builds.
/// Nesting levels the decoder keeps without allocating.
const INLINE_DEPTH: usize = 8;

struct Frame<'a, A> {
    arr: A,
    /// Elements not started yet.
    left: usize,
    /// `MIN_LIST_ELEM` or `MIN_MAP_ENTRY`.
    min: usize,
    is_list: bool,
    /// Next list index.
    index: i64,
    /// Key of the element being decoded.
    key: Key<'a>,
}

/// Starts the next element of `top`: reads its key if it is a map.
#[inline(always)]
fn start_element<'a, A, E>(
    cur: &mut Cursor<'a>,
    top: &mut Frame<'a, A>,
    owed: &mut usize,
) -> Result<(), DecodeError<E>> {
    top.left -= 1;
    *owed -= top.min;
    if top.is_list {
        top.key = Key::Int(top.index);
        top.index += 1;
        return Ok(());
    }
    let offset = cur.pos;
    top.key = match cur.byte("map key tag")? {
        TAG_INT => Key::Int(cur.i64("int key")?),
        TAG_STRING => Key::Str(cur.bytes("string key")?),
        tag => return Err(DecodeError::BadKeyTag { tag, offset }),
    };
    Ok(())
}

/// Decodes one blob, driving `b`. See the crate docs for the format and the
/// guarantees on hostile input.
///
/// The decoder does not recurse: open arrays are kept on a small heap stack,
/// allocated only if the value contains a LIST or MAP.
pub fn decode<B: Builder>(blob: &[u8], b: &mut B) -> Result<B::Value, DecodeError<B::Error>> {
    let Some(&version) = blob.first() else {
        return Err(DecodeError::Empty);
    };
    if version != FORMAT_V1 {
        return Err(DecodeError::UnknownVersion {
            found: version,
            expected: FORMAT_V1,
        });
    }
    let mut cur = Cursor { data: blob, pos: 1 };
    // Open arrays; the first levels live on the native stack, so a typical value allocates nothing.
    let mut stack: SmallVec<[Frame<'_, B::Array>; INLINE_DEPTH]> = SmallVec::new();
    // Minimum bytes the open arrays still need for their elements not started yet.
    let mut owed = 0usize;
    let builder_err = |pos: usize| {
        move |source| DecodeError::Builder {
            offset: pos,
            source,
        }
    };

    let value = 'values: loop {
        // 1. Decode one value. An array with elements is pushed on the stack,
        //    and we go on with its first element.
        let offset = cur.pos;
        let tag = cur.byte("value tag")?;
        let built = match tag {
            TAG_NULL => b.null(),
            TAG_FALSE => b.bool(false),
            TAG_TRUE => b.bool(true),
            TAG_INT => {
                let v = cur.i64("int")?;
                b.int(v)
            }
            TAG_FLOAT => {
                let v = cur.f64()?;
                b.float(v)
            }
            TAG_STRING => {
                let s = cur.bytes("string")?;
                b.string(s)
            }
            TAG_OBJECT => {
                let s = cur.bytes("object")?;
                b.object(s)
            }
            TAG_LIST | TAG_MAP => {
                if stack.len() >= MAX_DEPTH {
                    return Err(DecodeError::TooDeep {
                        max: MAX_DEPTH,
                        offset,
                    });
                }
                let is_list = tag == TAG_LIST;
                let (what, min) = if is_list {
                    ("list", MIN_LIST_ELEM)
                } else {
                    ("map", MIN_MAP_ENTRY)
                };
                let count = cur.count(what, min, owed)?;
                let arr = b
                    .begin_array(count, is_list)
                    .map_err(builder_err(cur.pos))?;
                if count == 0 {
                    b.end_array(arr)
                } else {
                    // `count * min <= left - owed`, so this cannot overflow.
                    owed += count * min;
                    stack.push(Frame {
                        arr,
                        left: count,
                        min,
                        is_list,
                        index: 0,
                        key: Key::Int(0),
                    });
                    if let Some(top) = stack.last_mut() {
                        start_element(&mut cur, top, &mut owed)?;
                    }
                    continue 'values;
                }
            }
            _ => return Err(DecodeError::UnknownTag { tag, offset }),
        };
        let mut v = built.map_err(builder_err(cur.pos))?;

        // 2. Put the value into its array; close the arrays it completes.
        loop {
            let Some(top) = stack.last_mut() else {
                break 'values v;
            };
            match top.key {
                Key::Int(k) => b.push_index(&mut top.arr, k, v),
                Key::Str(k) => b.push_str_key(&mut top.arr, k, v),
            }
            .map_err(builder_err(cur.pos))?;
            if top.left > 0 {
                start_element(&mut cur, top, &mut owed)?;
                break;
            }
            let Some(done) = stack.pop() else {
                unreachable!("the stack has a top")
            };
            v = b.end_array(done.arr).map_err(builder_err(cur.pos))?;
        }
    };

    if cur.pos != blob.len() {
        return Err(DecodeError::TrailingBytes {
            count: blob.len() - cur.pos,
            offset: cur.pos,
        });
    }
    Ok(value)
}
