//! Direct handlers for `enQueue` and `deQueue`, the two calls every message makes.
//!
//! The handlers ext-php-rs generates run each call under `run_handler`: a `zend_try` (a
//! `setjmp`), a thread-local cleanup stack and the conversions of its result types, about 150
//! instructions, a tenth of a short message's whole round trip. These handlers take the common
//! shape of the call directly (the object, the value, a timeout that is a float or absent) and
//! hand every other shape (a timeout given as an int or a string, null, too many arguments, no
//! object) to the generated handler, which words PHP's errors exactly as before.
//!
//! Nothing is lost by leaving out the `zend_try`: a bailout inside jumps over the frames of the
//! call either way (ext-php-rs's handler only catches it to resume it), and every path of ours
//! that calls back into PHP runs under its own `catch_bailout` (`zend.rs`). A Rust panic is
//! caught here and thrown as the same `Error` ext-php-rs throws.
//!
//! Installed by `constructor::install_once`, like the constructor, once per process before any
//! script runs; classes that extend `SHMQueue` inherit the installed handlers when declared.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendClassObject, Zval};
use ext_php_rs::zend::{ce, ClassEntry, ExecuteData};

use crate::classes::ShmQueue;
use crate::zend;

type Handler = unsafe extern "C" fn(*mut ExecuteData, *mut Zval);

/// The generated handlers, for the shapes of call these do not take.
static GENERATED_ENQUEUE: OnceLock<Handler> = OnceLock::new();
static GENERATED_DEQUEUE: OnceLock<Handler> = OnceLock::new();

/// Index of the first argument in a call frame, in zvals (`ZEND_CALL_FRAME_SLOT`).
const FRAME_SLOT: usize = std::mem::size_of::<ExecuteData>().div_ceil(std::mem::size_of::<Zval>());

/// Puts the direct handlers over the generated ones of `class` (called once per process).
pub fn install(class: &ClassEntry) {
    replace(class, "enqueue", &GENERATED_ENQUEUE, enqueue);
    replace(class, "dequeue", &GENERATED_DEQUEUE, dequeue);
}

fn replace(class: &ClassEntry, method: &str, generated: &OnceLock<Handler>, direct: Handler) {
    // SAFETY: the class's own function table, keyed by lower-case name; its entries are
    // pointers to the engine's zend_function structures (IS_PTR zvals).
    unsafe {
        let found =
            ffi::zend_hash_str_find(&class.function_table, method.as_ptr().cast(), method.len());
        let Some(found) = found.as_ref() else {
            return;
        };
        let function = found.value.ptr as *mut ffi::zend_function;
        if function.is_null() || (*function).type_ != ffi::ZEND_INTERNAL_FUNCTION as u8 {
            return;
        }
        let Some(handler) = (*function).internal_function.handler else {
            return;
        };
        if generated.set(handler).is_ok() {
            // Only the handler pointer changes, before any script of this process has run.
            (*function).internal_function.handler = Some(direct);
        }
    }
}

/// The frame's argument `index`, if the call passed it.
fn argument(ex: &ExecuteData, index: usize) -> Option<&Zval> {
    // SAFETY: the engine passes `num_args` initialised arguments after the frame header.
    unsafe {
        let count = ex.This.u2.num_args as usize;
        (index < count).then(|| &*(ex as *const ExecuteData as *const Zval).add(FRAME_SLOT + index))
    }
}

fn argument_count(ex: &ExecuteData) -> usize {
    // SAFETY: set by the engine for every call.
    unsafe { ex.This.u2.num_args as usize }
}

/// A timeout the call gave as a float (the declared type), or 0.0 when absent; `None` for any
/// other shape, which the generated handler deals with.
fn timeout(ex: &ExecuteData, index: usize) -> Option<f64> {
    match argument(ex, index) {
        None => Some(0.0),
        Some(zv) if zend::type_of(zv) == ffi::IS_DOUBLE => zv.double(),
        Some(_) => None,
    }
}

fn this(ex: &mut ExecuteData) -> Option<&mut ZendClassObject<ShmQueue>> {
    ZendClassObject::<ShmQueue>::from_zend_obj_mut(ex.get_self()?)
}

/// Runs `f`, turning a panic into the `Error` exception ext-php-rs throws for one. What the
/// direct handlers (and the constructor's) run their body under instead of `run_handler`.
pub fn guarded(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_owned());
        PhpException::new(format!("Rust panic: {message}"), 0, ce::error()).throw();
    }
}

fn generated(handler: &OnceLock<Handler>, ex: *mut ExecuteData, retval: *mut Zval) {
    if let Some(handler) = handler.get() {
        // SAFETY: the handler the engine had for this very function, with the frame it gave us.
        unsafe { handler(ex, retval) };
    }
}

/// `enQueue(mixed $value, float $timeout = 0.0): bool`
extern "C" fn enqueue(ex: *mut ExecuteData, retval: *mut Zval) {
    // SAFETY: the engine calls a handler with its live call frame and return slot.
    let (Some(frame), Some(ret)) = (unsafe { ex.as_mut() }, unsafe { retval.as_mut() }) else {
        return;
    };
    let count = argument_count(frame);
    let timeout = (1..=2)
        .contains(&count)
        .then(|| timeout(frame, 1))
        .flatten();
    let Some(timeout) = timeout else {
        return generated(&GENERATED_ENQUEUE, ex, retval);
    };
    // SAFETY: the first argument lives in the frame for the whole call, apart from `This`.
    let value: &Zval = match argument(frame, 0) {
        Some(value) => unsafe { &*(value as *const Zval) },
        None => return generated(&GENERATED_ENQUEUE, ex, retval),
    };
    let Some(queue) = this(frame) else {
        return generated(&GENERATED_ENQUEUE, ex, retval);
    };
    guarded(|| match queue.en_queue(value.dereference(), timeout) {
        Ok(stored) => ret.set_bool(stored),
        Err(exception) => {
            exception.throw();
        }
    });
}

/// `deQueue(float $timeout = 0.0): mixed`
extern "C" fn dequeue(ex: *mut ExecuteData, retval: *mut Zval) {
    // SAFETY: as in `enqueue`.
    let (Some(frame), Some(ret)) = (unsafe { ex.as_mut() }, unsafe { retval.as_mut() }) else {
        return;
    };
    let count = argument_count(frame);
    let timeout = (count <= 1).then(|| timeout(frame, 0)).flatten();
    let Some(timeout) = timeout else {
        return generated(&GENERATED_DEQUEUE, ex, retval);
    };
    let Some(queue) = this(frame) else {
        return generated(&GENERATED_DEQUEUE, ex, retval);
    };
    guarded(|| match queue.de_queue(timeout) {
        Ok(value) => *ret = value,
        Err(exception) => {
            exception.throw();
        }
    });
}
