//! [`decode`]: validates a blob of any origin and drives a [`Builder`].

use smallvec::SmallVec;

use crate::{
    unzigzag, BINCODE, FORMAT_V1, MARKER_U16, MARKER_U32, MARKER_U64, MAX_DEPTH, MIN_LIST_ELEM,
    MIN_MAP_ENTRY, SINGLE_BYTE_MAX, TAG_FALSE, TAG_FLOAT, TAG_INT, TAG_LIST, TAG_MAP, TAG_NULL,
    TAG_OBJECT, TAG_STRING, TAG_TRUE,
};

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

    /// A bincode `standard()` varint; like bincode, accepts non-shortest forms. The one-byte
    /// form is read inline, the others by `long_varint`.
    #[inline(always)]
    fn u64<E>(&mut self, what: &'static str) -> Result<u64, DecodeError<E>> {
        match self.data.get(self.pos) {
            Some(&b) if b <= SINGLE_BYTE_MAX => {
                self.pos += 1;
                Ok(u64::from(b))
            }
            _ => self.long_varint(what),
        }
    }

    /// A varint longer than one byte. Well-formed ones are read here; bincode reads (and this
    /// words) the others.
    #[inline(never)]
    fn long_varint<E>(&mut self, what: &'static str) -> Result<u64, DecodeError<E>> {
        let (value, used) = match self.data[self.pos..] {
            [MARKER_U16, a, b, ..] => (u64::from(u16::from_le_bytes([a, b])), 3),
            [MARKER_U32, a, b, c, d, ..] => (u64::from(u32::from_le_bytes([a, b, c, d])), 5),
            [MARKER_U64, a, b, c, d, e, f, g, h, ..] => {
                (u64::from_le_bytes([a, b, c, d, e, f, g, h]), 9)
            }
            _ => return self.bincode(what),
        };
        self.pos += used;
        Ok(value)
    }

    /// A zigzag varint (bincode's i64).
    #[inline(always)]
    fn i64<E>(&mut self, what: &'static str) -> Result<i64, DecodeError<E>> {
        Ok(unzigzag(self.u64(what)?))
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

/// Nesting levels the decoder keeps without allocating.
const INLINE_DEPTH: usize = 8;

/// An open LIST/MAP. The decoder keeps these on a stack of its own (at most
/// [`MAX_DEPTH`] of them) instead of recursing, so hostile nesting cannot
/// exhaust the thread's stack, even in debug builds.
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

/// A blob that is one string, the commonest message: no stack of open arrays to set up. Apart
/// from `decode`, so that the general loop is compiled as it would be without it.
#[inline(never)]
fn decode_lone_string<B: Builder>(
    mut cur: Cursor<'_>,
    b: &mut B,
) -> Result<B::Value, DecodeError<B::Error>> {
    cur.pos += 1;
    let s = cur.bytes("string")?;
    if cur.pos != cur.data.len() {
        return Err(DecodeError::TrailingBytes {
            count: cur.data.len() - cur.pos,
            offset: cur.pos,
        });
    }
    b.string(s).map_err(|source| DecodeError::Builder {
        offset: cur.pos,
        source,
    })
}

/// The bytes of a blob that is exactly one string, borrowed from it (what `decode` would build
/// a string of); `None` for any other blob, which `decode` reads or refuses.
pub fn lone_string(blob: &[u8]) -> Option<&[u8]> {
    if blob.len() < 2 || blob[0] != FORMAT_V1 || blob[1] != TAG_STRING {
        return None;
    }
    let mut cur = Cursor { data: blob, pos: 2 };
    let s = cur.bytes::<()>("string").ok()?;
    (cur.pos == blob.len()).then_some(s)
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
    if blob.get(1) == Some(&TAG_STRING) {
        return decode_lone_string(cur, b);
    }
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
