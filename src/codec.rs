//! PHP values to bytes and back.
//!
//! Scalars and arrays are written straight from the zval into the native format of
//! `shmqueue-codec` (no intermediate tree). A value with an object or a shared PHP reference
//! (`$a['y'] = &$a['x']`) anywhere inside goes whole through PHP's own `serialize()`, as the
//! original class stored everything: `__serialize`, `__sleep`, `Serializable`, enums, DateTime,
//! shared object identity and references behave exactly as before. Arrays are walked first in
//! any case, so nesting beyond `MAX_DEPTH` and arrays that contain themselves are refused before
//! PHP's recursive serializer could overflow the stack, and a value larger than the queue can
//! ever hold is refused as soon as its encoding passes that size.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendHashTable, Zval};
use shmqueue_codec::{Builder, Writer, MAX_DEPTH};
use shmqueue_core::Payload;

use crate::big_string;
use crate::error::Error;
use crate::serialized;
use crate::settings;
use crate::zend::{self, AllowedClasses, Key, PhpFailure, RecursionGuard};

/// The largest message a queue can ever hold, and its name for the error.
pub struct Limit<'q> {
    pub queue: &'q str,
    pub max_len: u64,
}

impl Limit<'_> {
    fn exceeded(&self, at_least: usize) -> Error {
        Error::TooLarge {
            name: self.queue.to_owned(),
            at_least,
            max: self.max_len,
        }
    }
}

/// The walk's state: where it writes, what it found, when to give up.
struct Walk<'w, 'q> {
    writer: &'w mut Writer,
    /// An object or a shared reference was met: the value goes through `serialize()`.
    needs_serialize: bool,
    /// Encodings longer than this can never be stored.
    max_len: usize,
    limit: &'w Limit<'q>,
}

/// Encodes `value` into `writer` (cleared first); refuses it as soon as its encoding is longer
/// than the queue can ever hold, before encoding the rest.
pub fn encode(value: &Zval, writer: &mut Writer, limit: &Limit) -> Result<(), Error> {
    writer.clear();
    let max_len = usize::try_from(limit.max_len).unwrap_or(usize::MAX);
    let mut walk = Walk {
        writer,
        needs_serialize: false,
        max_len,
        limit,
    };
    write_value(value, &mut walk)?;
    let writer = walk.writer;
    if walk.needs_serialize {
        let serialized = zend::serialize(value).map_err(|failure| match failure {
            PhpFailure::Exit => Error::Exit,
            PhpFailure::Bailout => Error::Bailout,
            other => Error::Unstorable(format!("an object: {other}")),
        })?;
        if serialized.len() > max_len {
            return Err(limit.exceeded(serialized.len()));
        }
        let max_depth = zend::ini_string(c"unserialize_max_depth")
            .and_then(|text| text.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let depth = serialized::nesting_depth(&serialized);
        if max_depth > 0 && depth > max_depth {
            return Err(Error::Unstorable(format!(
                "a value nested {depth} levels deep: unserialize() reads at most unserialize_max_depth = {max_depth}"
            )));
        }
        writer.clear();
        writer.object(&serialized);
    }
    Ok(())
}

/// `value` as the core stores it: a big string (`big_string::MIN_LEN`) as the codec's head,
/// written into `writer`, and the string's own bytes; any other value encoded into `writer`.
pub fn encode_payload<'a>(
    value: &'a Zval,
    writer: &'a mut Writer,
    limit: &Limit,
) -> Result<Payload<'a>, Error> {
    let big = (zend::type_of(value) == ffi::IS_STRING)
        .then(|| value.zend_str().map(|s| s.as_bytes()))
        .flatten()
        .filter(|bytes| bytes.len() >= big_string::MIN_LEN);
    let Some(bytes) = big else {
        encode(value, writer, limit)?;
        return Ok(Payload::from(writer.as_bytes()));
    };
    writer.clear();
    if bytes.len() > usize::try_from(limit.max_len).unwrap_or(usize::MAX) {
        return Err(limit.exceeded(writer.len() + bytes.len()));
    }
    writer.lone_string_head(bytes.len());
    Ok(Payload::in_two(writer.as_bytes(), bytes))
}

fn write_value(value: &Zval, walk: &mut Walk<'_, '_>) -> Result<(), Error> {
    if walk.writer.len() > walk.max_len {
        return Err(walk.limit.exceeded(walk.writer.len()));
    }
    let value = if zend::type_of(value) == ffi::IS_REFERENCE {
        // SAFETY: a reference zval points at a live zend_reference.
        if unsafe { (*value.value.ref_).gc.refcount } > 1 {
            // Shared with another element: only serialize() keeps the two tied together.
            walk.needs_serialize = true;
        }
        value.dereference()
    } else {
        value
    };
    let writer = &mut *walk.writer;
    // SAFETY (field reads below): each union field is read only under its matching type tag.
    match zend::type_of(value) {
        ffi::IS_UNDEF | ffi::IS_NULL => writer.null(),
        ffi::IS_FALSE => writer.bool(false),
        ffi::IS_TRUE => writer.bool(true),
        ffi::IS_LONG => writer.int(unsafe { value.value.lval }),
        ffi::IS_DOUBLE => writer.float(unsafe { value.value.dval }),
        ffi::IS_STRING => {
            let bytes = value.zend_str().map_or(&[][..], |s| s.as_bytes());
            if bytes.len() > walk.max_len {
                return Err(walk.limit.exceeded(walk.writer.len() + bytes.len()));
            }
            writer.string(bytes)
        }
        ffi::IS_ARRAY => write_array(unsafe { value.value.arr }, walk)?,
        ffi::IS_OBJECT => {
            // The whole value will go through serialize(); keep walking for depth and recursion.
            walk.needs_serialize = true;
            writer.null();
        }
        ffi::IS_RESOURCE => {
            return Err(Error::Unstorable(
                "a resource: resources live in one process only".to_owned(),
            ))
        }
        other => return Err(Error::Unstorable(format!("a value of zval type {other}"))),
    }
    Ok(())
}

fn write_array(ht: *mut ffi::HashTable, walk: &mut Walk<'_, '_>) -> Result<(), Error> {
    let recursive = || Error::Unstorable("a recursive array: it contains itself".to_owned());
    let too_deep = || Error::Unstorable(format!("an array nested deeper than {MAX_DEPTH} levels"));
    let _guard = RecursionGuard::enter(ht).ok_or_else(recursive)?;
    // SAFETY: the array belongs to the value being encoded and lives for the whole call.
    let table = unsafe { &*ht };
    let count = table.nNumOfElements as usize;
    if zend::is_list(table) {
        walk.writer.list(count).map_err(|_| too_deep())?;
        zend::for_each(table, |_, element| write_value(element, walk))?;
    } else {
        walk.writer.map(count).map_err(|_| too_deep())?;
        zend::for_each(table, |key, element| {
            match key {
                Key::Int(i) => walk.writer.key_int(i),
                Key::Str(bytes) => walk.writer.key_str(bytes),
            }
            write_value(element, walk)
        })?;
    }
    walk.writer.end_container();
    Ok(())
}

/// Decodes bytes written by `encode` (by any process): damaged bytes give `Error::Damaged`.
pub fn decode(bytes: &[u8]) -> Result<Zval, Error> {
    let mut builder = ZvalBuilder { allowed: None };
    shmqueue_codec::decode(bytes, &mut builder).map_err(|error| match error {
        shmqueue_codec::DecodeError::Builder { source, .. } => match source {
            PhpFailure::Exit => Error::Exit,
            PhpFailure::Bailout => Error::Bailout,
            PhpFailure::Threw(message) => Error::Unserialize(message),
            PhpFailure::Refused(message) => Error::Damaged(message),
        },
        other => Error::Damaged(other.to_string()),
    })
}

/// Builds zvals for the codec's decoder.
struct ZvalBuilder {
    /// `shmqueue.allowed_classes`, read at the first object only.
    allowed: Option<AllowedClasses>,
}

fn scalar(set: impl FnOnce(&mut Zval)) -> Result<Zval, PhpFailure> {
    let mut zv = Zval::new();
    set(&mut zv);
    Ok(zv)
}

impl Builder for ZvalBuilder {
    type Value = Zval;
    type Array = ZBox<ZendHashTable>;
    type Error = PhpFailure;

    fn null(&mut self) -> Result<Zval, PhpFailure> {
        scalar(Zval::set_null)
    }

    fn bool(&mut self, v: bool) -> Result<Zval, PhpFailure> {
        scalar(|zv| zv.set_bool(v))
    }

    fn int(&mut self, v: i64) -> Result<Zval, PhpFailure> {
        scalar(|zv| zv.set_long(v))
    }

    fn float(&mut self, v: f64) -> Result<Zval, PhpFailure> {
        scalar(|zv| zv.set_double(v))
    }

    fn string(&mut self, v: &[u8]) -> Result<Zval, PhpFailure> {
        Ok(zend::string_zval(v))
    }

    fn object(&mut self, serialized: &[u8]) -> Result<Zval, PhpFailure> {
        let allowed = self.allowed.get_or_insert_with(settings::allowed_classes);
        zend::unserialize(serialized, allowed)
    }

    fn begin_array(&mut self, len: usize, _is_list: bool) -> Result<Self::Array, PhpFailure> {
        // The codec bounds `len` by the bytes left in the blob.
        Ok(ZendHashTable::with_capacity(
            len.min(u32::MAX as usize) as u32
        ))
    }

    fn push_index(
        &mut self,
        array: &mut Self::Array,
        key: i64,
        value: Zval,
    ) -> Result<(), PhpFailure> {
        // Keys 0, 1, 2... on a fresh table keep it packed, as PHP builds lists.
        zend::insert_int(array, key, value);
        Ok(())
    }

    fn push_str_key(
        &mut self,
        array: &mut Self::Array,
        key: &[u8],
        value: Zval,
    ) -> Result<(), PhpFailure> {
        zend::insert_str(array, key, value);
        Ok(())
    }

    fn end_array(&mut self, array: Self::Array) -> Result<Zval, PhpFailure> {
        let mut zv = Zval::new();
        zv.set_hashtable(array);
        Ok(zv)
    }
}
