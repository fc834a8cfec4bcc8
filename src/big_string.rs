//! Big strings copied once each way. `enQueue` hands the core a string's bytes as they lie in
//! the zend_string, after the codec's few bytes of head (`codec::encode_payload`); `deQueue`
//! takes them from the ring straight into a zend_string allocated before the lock (`Taker`),
//! when the last message this queue object took was a string of about that size. Allocating
//! under the lock instead could end the script there with the lock held (memory_limit); a
//! guess that does not fit the message taken costs one allocation, and the message goes
//! through the read buffer as every other does.

use std::alloc::Layout;
use std::ptr::NonNull;

use ext_php_rs::alloc::{efree, emalloc};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendStr, Zval};
use shmqueue_core::Sink;

/// Shorter strings cost as little through the scratch buffers, which stay in the cache.
pub const MIN_LEN: usize = 16 * 1024;

/// `GC_NOT_COLLECTABLE` of zend_types.h (not among ext-php-rs's bindings): with `IS_STRING`, the
/// type info `zend_string_alloc` gives a new string.
const GC_NOT_COLLECTABLE: u32 = 1 << 4;
const GC_STRING: u32 = ffi::IS_STRING | (GC_NOT_COLLECTABLE << ffi::GC_FLAGS_SHIFT);

/// Where `deQueue` takes a message: the string allocated for it, if any, else the read buffer.
pub struct Taker<'b> {
    string: Option<NonNull<ffi::zend_string>>,
    capacity: usize,
    /// The string holds the message taken (the last one received).
    filled: bool,
    /// The length of the last message received when it was one big string, else 0.
    big_len: usize,
    bytes: &'b mut Vec<u8>,
}

impl<'b> Taker<'b> {
    /// Allocates a string of `expected` bytes when that is big (a bailout here, memory_limit,
    /// ends the script before anything is taken).
    pub fn new(expected: usize, bytes: &'b mut Vec<u8>) -> Taker<'b> {
        let string = (expected >= MIN_LEN).then(|| allocate(expected)).flatten();
        Taker {
            string,
            capacity: expected,
            filled: false,
            big_len: 0,
            bytes,
        }
    }

    /// The length to expect next time: that of the message taken when it was one big string.
    pub fn big_len(&self) -> usize {
        self.big_len
    }

    /// The message taken as a PHP string, if it went into the allocated one; else `None`, and
    /// the read buffer holds its bytes.
    pub fn finish(mut self) -> Option<Zval> {
        let string = self.string.filter(|_| self.filled)?;
        self.string = None;
        let mut zv = Zval::new();
        // SAFETY: a complete zend_string of ours (header, len bytes, NUL), now the zval's.
        zv.set_zend_string(unsafe { ZBox::from_raw(string.as_ptr().cast::<ZendStr>()) });
        Some(zv)
    }
}

impl Drop for Taker<'_> {
    fn drop(&mut self) {
        if let Some(string) = self.string.take() {
            release(string);
        }
    }
}

impl Sink for Taker<'_> {
    /// Under the lock: copies only. A string no longer than the allocation and no more than an
    /// eighth shorter fills it; any other message goes to the read buffer.
    fn receive(&mut self, payload: &[u8]) {
        self.bytes.clear();
        // A short message is never a big string: no parsing on the common path.
        let body = (payload.len() > MIN_LEN)
            .then(|| shmqueue_codec::lone_string(payload))
            .flatten()
            .filter(|body| body.len() >= MIN_LEN);
        self.big_len = body.map_or(0, <[u8]>::len);
        self.filled = match (self.string, body) {
            (Some(string), Some(body))
                if body.len() <= self.capacity
                    && body.len() >= self.capacity - self.capacity / 8 =>
            {
                // SAFETY: the allocation holds `capacity` bytes and a NUL after the header.
                unsafe {
                    let s = string.as_ptr();
                    let val = std::ptr::addr_of_mut!((*s).val).cast::<u8>();
                    std::ptr::copy_nonoverlapping(body.as_ptr(), val, body.len());
                    *val.add(body.len()) = 0;
                    (*s).len = body.len();
                }
                true
            }
            _ => {
                self.bytes.extend_from_slice(payload);
                false
            }
        };
    }
}

/// `zend_string_alloc(len, 0)`: a request-bound string of `len` bytes, not yet written.
fn allocate(len: usize) -> Option<NonNull<ffi::zend_string>> {
    let header = std::mem::offset_of!(ffi::zend_string, val);
    let size = (header + len + 1).next_multiple_of(8);
    let layout = Layout::from_size_align(size, 8).ok()?;
    let string = NonNull::new(emalloc(layout).cast::<ffi::zend_string>())?;
    // SAFETY: a fresh allocation of at least the header's size, written before any use.
    unsafe {
        let s = string.as_ptr();
        (*s).gc.refcount = 1;
        (*s).gc.u.type_info = GC_STRING;
        (*s).h = 0;
        (*s).len = len;
    }
    Some(string)
}

fn release(string: NonNull<ffi::zend_string>) {
    // SAFETY: allocated by `allocate` with emalloc and owned by no one else.
    unsafe { efree(string.as_ptr().cast::<u8>()) }
}
