//! PHP values to bytes and back.
//!
//! Scalars and arrays are written straight from the zval into the native format of
//! `shmqueue-codec` (no intermediate tree). A value with an object anywhere inside goes whole
//! through PHP's own `serialize()`, as the original class stored everything: `__serialize`,
//! `__sleep`, `Serializable`, enums, DateTime and shared object identity behave exactly as
//! before. Arrays are walked first in any case, so nesting beyond `MAX_DEPTH` and arrays that
//! contain themselves are refused before PHP's recursive serializer could overflow the stack.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendHashTable, Zval};
use shmqueue_codec::{Builder, Writer, MAX_DEPTH};

use crate::error::Error;
use crate::serialized;
use crate::zend::{self, Key, RecursionGuard, UnserializeError};

/// Encodes `value` into `writer` (cleared first).
pub fn encode(value: &Zval, writer: &mut Writer) -> Result<(), Error> {
    writer.clear();
    let mut has_object = false;
    write_value(value, writer, &mut has_object)?;
    if has_object {
        let serialized =
            zend::serialize(value).map_err(|why| Error::Unstorable(format!("an object: {why}")))?;
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

fn write_value(value: &Zval, writer: &mut Writer, has_object: &mut bool) -> Result<(), Error> {
    let value = if zend::type_of(value) == ffi::IS_REFERENCE {
        value.dereference()
    } else {
        value
    };
    // SAFETY (field reads below): each union field is read only under its matching type tag.
    match zend::type_of(value) {
        ffi::IS_UNDEF | ffi::IS_NULL => writer.null(),
        ffi::IS_FALSE => writer.bool(false),
        ffi::IS_TRUE => writer.bool(true),
        ffi::IS_LONG => writer.int(unsafe { value.value.lval }),
        ffi::IS_DOUBLE => writer.float(unsafe { value.value.dval }),
        ffi::IS_STRING => writer.string(value.zend_str().map_or(&[][..], |s| s.as_bytes())),
        ffi::IS_ARRAY => write_array(unsafe { value.value.arr }, writer, has_object)?,
        ffi::IS_OBJECT => {
            // The whole value will go through serialize(); keep walking for depth and recursion.
            *has_object = true;
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

fn write_array(
    ht: *mut ffi::HashTable,
    writer: &mut Writer,
    has_object: &mut bool,
) -> Result<(), Error> {
    let recursive = || Error::Unstorable("a recursive array: it contains itself".to_owned());
    let too_deep = || Error::Unstorable(format!("an array nested deeper than {MAX_DEPTH} levels"));
    let _guard = RecursionGuard::enter(ht).ok_or_else(recursive)?;
    // SAFETY: the array belongs to the value being encoded and lives for the whole call.
    let table = unsafe { &*ht };
    let count = table.nNumOfElements as usize;
    if zend::is_list(table) {
        writer.list(count).map_err(|_| too_deep())?;
        zend::for_each(table, |_, element| write_value(element, writer, has_object))?;
    } else {
        writer.map(count).map_err(|_| too_deep())?;
        zend::for_each(table, |key, element| {
            match key {
                Key::Int(i) => writer.key_int(i),
                Key::Str(bytes) => writer.key_str(bytes),
            }
            write_value(element, writer, has_object)
        })?;
    }
    writer.end_container();
    Ok(())
}

/// Decodes bytes written by `encode` (by any process): damaged bytes give `Error::Damaged`.
pub fn decode(bytes: &[u8]) -> Result<Zval, Error> {
    shmqueue_codec::decode(bytes, &mut ZvalBuilder).map_err(|error| match error {
        shmqueue_codec::DecodeError::Builder {
            source: UnserializeError::Threw(message),
            ..
        } => Error::Unserialize(message),
        other => Error::Damaged(other.to_string()),
    })
}

/// Builds zvals for the codec's decoder.
struct ZvalBuilder;

fn scalar(set: impl FnOnce(&mut Zval)) -> Result<Zval, UnserializeError> {
    let mut zv = Zval::new();
    set(&mut zv);
    Ok(zv)
}

impl Builder for ZvalBuilder {
    type Value = Zval;
    type Array = ZBox<ZendHashTable>;
    type Error = UnserializeError;

    fn null(&mut self) -> Result<Zval, UnserializeError> {
        scalar(Zval::set_null)
    }

    fn bool(&mut self, v: bool) -> Result<Zval, UnserializeError> {
        scalar(|zv| zv.set_bool(v))
    }

    fn int(&mut self, v: i64) -> Result<Zval, UnserializeError> {
        scalar(|zv| zv.set_long(v))
    }

    fn float(&mut self, v: f64) -> Result<Zval, UnserializeError> {
        scalar(|zv| zv.set_double(v))
    }

    fn string(&mut self, v: &[u8]) -> Result<Zval, UnserializeError> {
        Ok(zend::string_zval(v))
    }

    fn object(&mut self, serialized: &[u8]) -> Result<Zval, UnserializeError> {
        zend::unserialize(serialized)
    }

    fn begin_array(&mut self, len: usize, _is_list: bool) -> Result<Self::Array, UnserializeError> {
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
    ) -> Result<(), UnserializeError> {
        // Keys 0, 1, 2... on a fresh table keep it packed, as PHP builds lists.
        zend::insert_int(array, key, value);
        Ok(())
    }

    fn push_str_key(
        &mut self,
        array: &mut Self::Array,
        key: &[u8],
        value: Zval,
    ) -> Result<(), UnserializeError> {
        zend::insert_str(array, key, value);
        Ok(())
    }

    fn end_array(&mut self, array: Self::Array) -> Result<Zval, UnserializeError> {
        let mut zv = Zval::new();
        zv.set_hashtable(array);
        Ok(zv)
    }
}
