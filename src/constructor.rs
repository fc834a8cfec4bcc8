//! A direct handler for `new SHMQueue(...)`.
//!
//! The documented use of the class is one object per operation (`new`, `enQueue`, `unset`), so
//! the constructor is as hot as the operation. The constructor ext-php-rs generates parses its
//! arguments through a general parser that allocates on every call (about 90 ns, half the cost
//! of an enqueue). Since `SHMQueue` objects start out initialised (`Default`, an unopened
//! handle), this handler only has to read four arguments from the call frame and open the
//! handle. It is installed once per process over the generated one, whose argument information
//! (names, types, defaults: what Reflection and named arguments use) stays as it is. When the
//! class cannot be found the generated constructor, which does the same, simply stays.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendClassObject, Zval};
use ext_php_rs::zend::{ce, ClassEntry, ExecuteData};

use crate::classes::ShmQueue;
use crate::zend;

const PARAMETERS: [&str; 4] = ["name", "capacity", "lease", "maxAttempts"];

/// Index of the first argument in a call frame, in zvals (`ZEND_CALL_FRAME_SLOT`).
const FRAME_SLOT: usize = std::mem::size_of::<ExecuteData>().div_ceil(std::mem::size_of::<Zval>());

/// Puts `construct` in place of the generated constructor, once per process (at the first
/// request: classes are registered after module startup).
pub fn install_once() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::Relaxed) {
        return;
    }
    let Some(class) = ClassEntry::try_find("SHMQueue") else {
        return;
    };
    // SAFETY: the class entry is the engine's, set up and not yet used by any script; only the
    // object factory changes (classes that extend it inherit it when they are declared later).
    unsafe {
        (*(class as *const ClassEntry as *mut ClassEntry))
            .__bindgen_anon_2
            .create_object = Some(create_object);
    }
    let constructor = class.constructor;
    if constructor.is_null() {
        return;
    }
    // SAFETY: `constructor` is the internal function the engine registered for this class; only
    // the handler pointer changes, before any script of this process has run.
    unsafe {
        if (*constructor).type_ == ffi::ZEND_INTERNAL_FUNCTION as u8 {
            (*constructor).internal_function.handler = Some(construct);
        }
    }
}

/// Makes an unopened `SHMQueue` object of class `ce`, which may be a class extending it.
/// (ext-php-rs's own factory gives every object of a `Default` type the base class, so
/// `new MailQueue()` would make a plain SHMQueue and never run MailQueue's constructor.)
extern "C" fn create_object(ce: *mut ClassEntry) -> *mut ffi::zend_object {
    // SAFETY: the engine passes the live class being instantiated; the object is initialised at
    // once, before the engine sees it.
    unsafe {
        let mut object = ZendClassObject::<ShmQueue>::new_uninit(ce.as_ref());
        object.initialize(ShmQueue::default());
        (*object.into_raw()).get_mut_zend_obj()
    }
}

extern "C" fn construct(ex: *mut ExecuteData, _return_value: *mut Zval) {
    ext_php_rs::zend::run_handler(AssertUnwindSafe(|| {
        // SAFETY: the engine calls a handler with its own live call frame.
        let Some(ex) = (unsafe { ex.as_mut() }) else {
            return;
        };
        if let Err(exception) = open(ex) {
            exception.throw();
        }
    }));
}

fn open(ex: &mut ExecuteData) -> PhpResult<()> {
    let args = arguments(ex);
    if args.len() > PARAMETERS.len() {
        let message = format!(
            "SHMQueue::__construct() expects at most 4 arguments, {} given",
            args.len()
        );
        return Err(PhpException::new(message, 0, ce::argument_count_error()));
    }
    let arg = |i: usize| {
        args.get(i)
            .filter(|zv| !matches!(zend::type_of(zv), ffi::IS_NULL | ffi::IS_UNDEF))
    };
    // Bytes that are not UTF-8 are no valid name either: `open` says so with the name's rules.
    let name = arg(0)
        .map(|zv| {
            zv.zend_str()
                .map(|s| String::from_utf8_lossy(s.as_bytes()))
                .ok_or_else(|| type_error(0, "?string", zv))
        })
        .transpose()?;
    let capacity = arg(1)
        .map(|zv| zv.long().ok_or_else(|| type_error(1, "?int", zv)))
        .transpose()?;
    let lease = arg(2)
        .map(|zv| {
            zv.double()
                .or_else(|| zv.long().map(|n| n as f64))
                .ok_or_else(|| type_error(2, "?float", zv))
        })
        .transpose()?;
    let max_attempts = arg(3)
        .map(|zv| zv.long().ok_or_else(|| type_error(3, "?int", zv)))
        .transpose()?;
    let queue = ShmQueue::open(name.as_deref(), capacity, lease, max_attempts)?;
    let this = ex
        .get_self()
        .and_then(ZendClassObject::<ShmQueue>::from_zend_obj_mut);
    let Some(this) = this else {
        return Err(PhpException::from_message(
            "SHMQueue::__construct() called without an SHMQueue object".to_owned(),
        ));
    };
    **this = queue;
    Ok(())
}

/// The arguments of the call in `ex`.
fn arguments(ex: &ExecuteData) -> &[Zval] {
    // SAFETY: arguments follow the frame header (ZEND_CALL_ARG); `num_args` of them are initialised
    // (named arguments that skip a parameter are filled with its default before the call).
    unsafe {
        let count = ex.This.u2.num_args as usize;
        std::slice::from_raw_parts(
            (ex as *const ExecuteData as *const Zval).add(FRAME_SLOT),
            count,
        )
    }
}

fn type_error(index: usize, expected: &str, given: &Zval) -> PhpException {
    let given = match zend::type_of(given) {
        ffi::IS_FALSE | ffi::IS_TRUE => "bool",
        ffi::IS_LONG => "int",
        ffi::IS_DOUBLE => "float",
        ffi::IS_STRING => "string",
        ffi::IS_ARRAY => "array",
        ffi::IS_OBJECT => "object",
        ffi::IS_RESOURCE => "resource",
        _ => "value",
    };
    let message = format!(
        "SHMQueue::__construct(): Argument #{} (${}) must be of type {expected}, {given} given",
        index + 1,
        PARAMETERS[index]
    );
    PhpException::new(message, 0, ce::type_error())
}
