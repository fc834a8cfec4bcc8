//! The [`Writer`]: one value appended item by item while the caller walks it.

use crate::{
    put, put_varint, zigzag, FORMAT_V1, MAX_DEPTH, TAG_FALSE, TAG_FLOAT, TAG_INT, TAG_LIST,
    TAG_MAP, TAG_NULL, TAG_OBJECT, TAG_STRING,
};

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

    /// Writes the start of a blob that is one string of `len` bytes, without the bytes: for a
    /// caller that stores them itself right after this (a big string then goes once from its
    /// own memory to where it is kept, not through this buffer). Call on an empty blob.
    pub fn lone_string_head(&mut self, len: usize) {
        self.tag(TAG_STRING);
        self.varint_u64(len as u64);
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
        // The zigzag varint, as bincode writes an i64.
        self.varint_u64(zigzag(v));
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
