//! A direct handler for `new SHMQueue(...)`.
//!
//! The documented use of the class is one object per operation (`new`, `enQueue`, `unset`), so
//! the constructor is as hot as the operation. The constructor ext-php-rs generates parses its
//! arguments through a general parser that allocates on every call (about 90 ns, half the cost
//! of an enqueue). Since `SHMQueue` objects start out initialised (`Default`, an unopened
//! handle), this handler only has to read five arguments from the call frame and open the
//! handle. It is installed once per process over the generated one, whose argument information
//! (names, types, defaults: what Reflection and named arguments use) stays as it is. When the
//! class cannot be found the generated constructor, which does the same, simply stays.

use std::ffi::c_char;
use std::sync::Once;

use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendClassObject, Zval};
use ext_php_rs::zend::{ce, ClassEntry, ExecuteData, ExecutorGlobals};

use crate::classes::ShmQueue;
use crate::zend;

extern "C" {
    fn zend_parse_arg_str_slow(
        arg: *mut ffi::zval,
        dest: *mut *mut ffi::zend_string,
        arg_num: u32,
    ) -> bool;
    fn zend_parse_arg_long_slow(
        arg: *mut ffi::zval,
        dest: *mut ffi::zend_long,
        arg_num: u32,
    ) -> bool;
    fn zend_parse_arg_double_slow(arg: *mut ffi::zval, dest: *mut f64, arg_num: u32) -> bool;
    fn zend_parse_arg_bool_slow(arg: *mut ffi::zval, dest: *mut bool, arg_num: u32) -> bool;
    fn zend_type_to_string(type_: ffi::zend_type) -> *mut ffi::zend_string;
    fn zend_zval_type_name(arg: *const ffi::zval) -> *const c_char;
    fn zend_argument_type_error(arg_num: u32, format: *const c_char, ...);
}

/// Index of the first argument in a call frame, in zvals (`ZEND_CALL_FRAME_SLOT`).
const FRAME_SLOT: usize = std::mem::size_of::<ExecuteData>().div_ceil(std::mem::size_of::<Zval>());

/// Puts `construct` in place of the generated constructor, once per process (at the first
/// request: classes are registered after module startup).
pub fn install_once() {
    // A Once, not a flag: in a threaded PHP every thread shares the class entry, and a thread
    // starting its first request meanwhile must wait until the install is complete.
    static INSTALL: Once = Once::new();
    INSTALL.call_once(install);
}

fn install() {
    let Some(class) = ClassEntry::try_find("SHMQueue") else {
        return;
    };
    crate::direct::install(class);
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

/// Runs under `direct::guarded`, not ext-php-rs's `run_handler` (whose `zend_try` costs a third
/// of a construct): a bailout in PHP's argument parsers (a fatal error in the handler of their
/// deprecation) jumps over the frame as it would over `run_handler`'s, and nothing this frame
/// holds by then needs dropping.
extern "C" fn construct(ex: *mut ExecuteData, _return_value: *mut Zval) {
    crate::direct::guarded(|| {
        // SAFETY: the engine calls a handler with its own live call frame.
        let Some(ex) = (unsafe { ex.as_mut() }) else {
            return;
        };
        if let Err(Failure::Throw(exception)) = open(ex) {
            exception.throw();
        }
    });
}

enum Failure {
    Throw(PhpException),
    /// PHP raised it itself (a TypeError with its own wording).
    Thrown,
}

impl From<PhpException> for Failure {
    fn from(exception: PhpException) -> Self {
        Failure::Throw(exception)
    }
}

fn open(ex: &mut ExecuteData) -> Result<(), Failure> {
    // SAFETY: this handler belongs to an internal function, which the frame points at; its
    // parameter count comes from the `#[php_impl]` signature, like everything PHP says of it.
    let parameters = unsafe { (*ex.func).internal_function.num_args } as usize;
    let count = arguments(ex).len();
    if count > parameters {
        let message = format!(
            "SHMQueue::__construct() expects at most {parameters} arguments, {count} given"
        );
        return Err(PhpException::new(message, 0, ce::argument_count_error()).into());
    }
    let this = ex
        .get_self()
        .and_then(ZendClassObject::<ShmQueue>::from_zend_obj_mut)
        .map(|this| this as *mut ZendClassObject<ShmQueue>);
    let mut coerced = false;
    let capacity = argument(ex, 1, Parse::Long, &mut coerced)?.and_then(Zval::long);
    let lease = argument(ex, 2, Parse::Double, &mut coerced)?.and_then(Zval::double);
    let max_attempts = argument(ex, 3, Parse::Long, &mut coerced)?.and_then(Zval::long);
    let durable = argument(ex, 4, Parse::Bool, &mut coerced)?
        .and_then(Zval::bool)
        .unwrap_or(false);
    // Bytes that are not UTF-8 are no valid name either: `open` says so with the name's rules.
    let name = argument(ex, 0, Parse::String, &mut coerced)?
        .and_then(Zval::zend_str)
        .map(|name| match std::str::from_utf8(name.as_bytes()) {
            Ok(name) => std::borrow::Cow::Borrowed(name), // far cheaper than the lossy walk
            Err(_) => String::from_utf8_lossy(name.as_bytes()),
        });
    if coerced && ExecutorGlobals::has_exception() {
        return Err(Failure::Thrown); // a deprecation the parsers raised, turned into an exception
    }
    let queue = ShmQueue::open(name.as_deref(), capacity, lease, max_attempts, durable)
        .map_err(PhpException::from)?;
    let Some(this) = this else {
        return Err(PhpException::from_message(
            "SHMQueue::__construct() called without an SHMQueue object".to_owned(),
        )
        .into());
    };
    // SAFETY: the object of this call, alive for the whole call; no other reference to its
    // Rust part exists while the constructor runs.
    unsafe { *(*this) = queue };
    Ok(())
}

/// The arguments of the call in `ex`.
fn arguments(ex: &mut ExecuteData) -> &mut [Zval] {
    // SAFETY: arguments follow the frame header (ZEND_CALL_ARG); `num_args` of them are initialised
    // (named arguments that skip a parameter are filled with its default before the call).
    unsafe {
        let count = ex.This.u2.num_args as usize;
        std::slice::from_raw_parts_mut((ex as *mut ExecuteData as *mut Zval).add(FRAME_SLOT), count)
    }
}

#[derive(Clone, Copy)]
enum Parse {
    String,
    Long,
    Double,
    Bool,
}

/// Argument `index` converted in place to its parameter's type by PHP's own parser (weak mode
/// coerces "8192" to 8192 as for any internal function, strict_types refuses it); `None` when
/// absent or null (null means "the default" for all five). A wrong type raises PHP's TypeError.
/// `coerced` is set when PHP's parser ran (only then can it have raised a deprecation).
#[inline]
fn argument<'a>(
    ex: &'a mut ExecuteData,
    index: usize,
    parse: Parse,
    coerced: &mut bool,
) -> Result<Option<&'a Zval>, Failure> {
    let func = ex.func;
    let Some(arg) = arguments(ex)
        .get_mut(index)
        .filter(|zv| !matches!(zend::type_of(zv), ffi::IS_NULL | ffi::IS_UNDEF))
    else {
        return Ok(None);
    };
    let fast = match parse {
        Parse::String => ffi::IS_STRING,
        Parse::Long => ffi::IS_LONG,
        Parse::Double => ffi::IS_DOUBLE,
        Parse::Bool => ffi::IS_TRUE,
    };
    let found = zend::type_of(arg);
    if found == fast || (matches!(parse, Parse::Bool) && found == ffi::IS_FALSE) {
        return Ok(Some(arg)); // the type itself: what PHP's inline fast path accepts
    }
    *coerced = true;
    let number = index as u32 + 1;
    let zv = arg as *mut Zval as *mut ffi::zval;
    // SAFETY: `zv` is a live argument of the current call; each parser only converts it in place.
    let parsed = unsafe {
        match parse {
            Parse::String => {
                let mut out = std::ptr::null_mut();
                zend_parse_arg_str_slow(zv, &mut out, number)
            }
            Parse::Long => {
                let mut out = 0;
                let ok = zend_parse_arg_long_slow(zv, &mut out, number);
                if ok {
                    arg.set_long(out);
                }
                ok
            }
            Parse::Double => {
                let mut out = 0.0;
                let ok = zend_parse_arg_double_slow(zv, &mut out, number);
                if ok {
                    arg.set_double(out);
                }
                ok
            }
            Parse::Bool => {
                let mut out = false;
                let ok = zend_parse_arg_bool_slow(zv, &mut out, number);
                if ok {
                    arg.set_bool(out);
                }
                ok
            }
        }
    };
    if parsed {
        return Ok(Some(arg));
    }
    // SAFETY: `func` is this internal function; its arg_info has `num_args` entries and `index`
    // is below that (checked by `open`). PHP words the error and names function and parameter.
    unsafe {
        let info = &*(*func).internal_function.arg_info.add(index);
        let expected = zend_type_to_string(info.type_);
        zend_argument_type_error(
            number,
            c"must be of type %s, %s given".as_ptr(),
            (*expected).val.as_ptr(),
            zend_zval_type_name(zv),
        );
        ffi::ext_php_rs_zend_string_release(expected);
    }
    Err(Failure::Thrown)
}
