//! What PHP's cycle collector sees of an `SHMQueueJob`.
//!
//! A job holds its value in Rust, where the collector cannot look: a value that points back at
//! its job (`$job->value->job = $job`, as framework wrappers do) made a cycle nothing could
//! free. This handler reports the value, and the declared property slots in which ext-php-rs
//! keeps the last value a getter returned, through the engine's per-request GC buffer.

use std::ffi::c_int;
use std::ptr::null_mut;

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, ZendObject, Zval};
use ext_php_rs::zend::ZendObjectHandlers;

use crate::classes::ShmQueueJob;

extern "C" {
    fn zend_get_gc_buffer_create() -> *mut ffi::zend_get_gc_buffer;
    fn zend_get_gc_buffer_grow(buffer: *mut ffi::zend_get_gc_buffer);
}

/// Installs the handler on the job class's handler table, at module startup (before any job
/// exists, and before any other thread could read the table).
pub fn install() {
    let handlers = ShmQueueJob::get_metadata().handlers();
    let handlers = handlers as *const ZendObjectHandlers as *mut ZendObjectHandlers;
    // SAFETY: the table lives in the class metadata for the life of the process and nothing
    // reads it yet; only this one function pointer changes.
    unsafe { (*handlers).get_gc = Some(job_gc) };
}

/// `zend_get_gc_buffer_add_zval` (an inline function of zend_gc.h).
///
/// # Safety
/// `buffer` is the engine's live GC buffer; `zv` a live zval.
unsafe fn add(buffer: *mut ffi::zend_get_gc_buffer, zv: *mut Zval) {
    // SAFETY: as the function's contract says; the buffer grows through the engine's own call.
    unsafe {
        if (*zv).u1.v.type_flags == 0 {
            return; // not reference-counted: nothing the collector could free
        }
        if (*buffer).cur == (*buffer).end {
            zend_get_gc_buffer_grow(buffer);
        }
        std::ptr::copy_nonoverlapping(zv as *const ffi::zval, (*buffer).cur, 1);
        (*buffer).cur = (*buffer).cur.add(1);
    }
}

unsafe extern "C" fn job_gc(
    object: *mut ZendObject,
    table: *mut *mut Zval,
    n: *mut c_int,
) -> *mut ZendHashTable {
    // SAFETY: the engine calls this with a live job object and out-pointers for the result.
    unsafe {
        let buffer = zend_get_gc_buffer_create();
        if let Some(job) = object
            .as_mut()
            .and_then(ZendClassObject::<ShmQueueJob>::from_zend_obj_mut)
        {
            add(buffer, job.value_mut());
        }
        let object = &mut *object;
        let slots = object.properties_table.as_mut_ptr();
        for i in 0..(*object.ce).default_properties_count.max(0) as usize {
            add(buffer, slots.add(i));
        }
        *table = (*buffer).start as *mut Zval;
        *n = (*buffer).cur.offset_from((*buffer).start) as c_int;
        if object.properties.is_null() {
            null_mut()
        } else {
            object.properties
        }
    }
}
