//! The few Zend engine calls ext-php-rs does not wrap: binary-safe hash-table walks, PHP's own
//! serializer, ini lookups, the pending-signal flag. Every `unsafe` block here says why it holds.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::panic::AssertUnwindSafe;
use std::ptr::{self, null_mut};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi;
use ext_php_rs::types::{ZendHashTable, ZendObject, ZendStr, Zval};
use ext_php_rs::zend::{bailout, try_catch, CatchError, ClassEntry, ExecutorGlobals};

/// `smart_str` from `zend_smart_str_public.h`.
#[repr(C)]
struct SmartStr {
    s: *mut ffi::zend_string,
    a: usize,
}

// Exported by the PHP binary; resolved when PHP loads the extension.
extern "C" {
    fn zend_ini_string_ex(
        name: *const c_char,
        len: usize,
        orig: c_int,
        exists: *mut bool,
    ) -> *mut c_char;
    fn zend_ini_parse_quantity(
        value: *mut ffi::zend_string,
        errstr: *mut *mut ffi::zend_string,
    ) -> ffi::zend_long;
    fn display_ini_entries(module: *mut ffi::zend_module_entry);
    fn zend_memory_usage(real_usage: bool) -> usize;
    fn php_var_serialize_init() -> *mut c_void;
    fn php_var_serialize(buf: *mut SmartStr, zv: *mut ffi::zval, data: *mut *mut c_void);
    fn php_var_serialize_destroy(data: *mut c_void);
    /// Returns the interned string with these bytes if one exists (script literals, class and
    /// property names...), else a new one: how PHP's own unserialize() makes array keys.
    static zend_string_init_existing_interned: Option<
        unsafe extern "C" fn(
            str: *const c_char,
            size: usize,
            permanent: bool,
        ) -> *mut ffi::zend_string,
    >;
    fn zend_is_unwind_exit(ex: *const ffi::zend_object) -> bool;
    fn zend_is_graceful_exit(ex: *const ffi::zend_object) -> bool;
    fn php_unserialize_with_options(
        rv: *mut ffi::zval,
        buf: *const c_char,
        len: usize,
        options: *mut ffi::HashTable,
        function_name: *const c_char,
    );
}

/// Flags in `gc.u.type_info` (zend_types.h, PHP 8).
const GC_PROTECTED: u32 = 1 << 5;
const HASH_FLAG_PACKED: u32 = 1 << 2;

#[inline]
pub fn type_of(zv: &Zval) -> u32 {
    // SAFETY: every zval has an initialised type byte.
    unsafe { zv.u1.v.type_ as u32 }
}

/// A hash-table key, binary safe.
pub enum Key<'a> {
    Int(i64),
    Str(&'a [u8]),
}

/// Calls `visit` for each element of `ht` in order; stops at the first error.
pub fn for_each<'a, E>(
    ht: &'a ffi::HashTable,
    mut visit: impl FnMut(Key<'a>, &'a Zval) -> Result<(), E>,
) -> Result<(), E> {
    // SAFETY: PHP 8.2 layout: packed tables hold `nNumUsed` bare zvals in arPacked, others hold
    // `nNumUsed` buckets in arData; holes are IS_UNDEF. The table is not modified during the walk.
    unsafe {
        if ht.u.flags & HASH_FLAG_PACKED != 0 {
            let base = ht.__bindgen_anon_1.arPacked;
            for i in 0..ht.nNumUsed {
                let zv = &*(base.add(i as usize) as *const Zval);
                if type_of(zv) != ffi::IS_UNDEF {
                    visit(Key::Int(i as i64), zv)?;
                }
            }
        } else {
            let base = ht.__bindgen_anon_1.arData;
            for i in 0..ht.nNumUsed {
                let bucket = &*base.add(i as usize);
                let zv = &*(ptr::addr_of!(bucket.val) as *const Zval);
                if type_of(zv) == ffi::IS_UNDEF {
                    continue;
                }
                let key = if bucket.key.is_null() {
                    Key::Int(bucket.h as i64)
                } else {
                    Key::Str((*(bucket.key as *const ZendStr)).as_bytes())
                };
                visit(key, zv)?;
            }
        }
    }
    Ok(())
}

/// Whether the keys of `ht` are exactly 0..n-1 in order (a PHP "list").
pub fn is_list(ht: &ffi::HashTable) -> bool {
    // SAFETY: reading the flags word of a live table.
    let packed = unsafe { ht.u.flags } & HASH_FLAG_PACKED != 0;
    if ht.nNumOfElements == 0 || (packed && ht.nNumUsed == ht.nNumOfElements) {
        return true;
    }
    let mut expected = 0i64;
    for_each(ht, |key, _| match key {
        Key::Int(i) if i == expected => {
            expected += 1;
            Ok(())
        }
        _ => Err(()),
    })
    .is_ok()
}

/// Marks an array as being visited, so a walk that meets it again knows it is recursive; the
/// mark goes away on drop. Immutable arrays cannot be recursive and are never marked.
pub struct RecursionGuard(*mut ffi::HashTable);

impl RecursionGuard {
    /// `None` when `ht` is already being visited (the value contains itself).
    pub fn enter(ht: *mut ffi::HashTable) -> Option<RecursionGuard> {
        // SAFETY: `ht` is a live array of the value being walked; only the GC flag bits change.
        unsafe {
            let info = &mut (*ht).gc.u.type_info;
            if *info & ffi::GC_IMMUTABLE != 0 {
                return Some(RecursionGuard(null_mut()));
            }
            if *info & GC_PROTECTED != 0 {
                return None;
            }
            *info |= GC_PROTECTED;
        }
        Some(RecursionGuard(ht))
    }
}

impl Drop for RecursionGuard {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: set by `enter` on a table that outlives the walk.
            unsafe { (*self.0).gc.u.type_info &= !GC_PROTECTED };
        }
    }
}

/// Why a call into PHP code (serialize hooks, `__wakeup`, ...) gave no result.
#[derive(Debug)]
pub enum PhpFailure {
    /// `exit()` was called: PHP is unwinding. Its marker stays pending so that the engine
    /// finishes the exit; the caller must not call into PHP again and should return at once.
    Exit,
    /// A fatal error (memory_limit, max_execution_time) made the engine bail out. The caller
    /// tidies its own state up, then resumes the bailout (`Error::Bailout` does so).
    Bailout,
    /// The user's code threw: its message.
    Threw(String),
    /// PHP refused the data.
    Refused(String),
}

impl std::fmt::Display for PhpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exit => f.write_str("exit() was called"),
            Self::Bailout => f.write_str("a fatal error ended the script"),
            Self::Threw(message) | Self::Refused(message) => f.write_str(message),
        }
    }
}

/// Runs `f`, which calls into PHP, under its own `zend_try`: a bailout inside comes back as
/// `PhpFailure::Bailout` instead of jumping over the caller's frames (which would leak their
/// buffers and skip their clean-up), and the caller resumes it once tidy.
pub fn catch_bailout<R>(f: impl FnOnce() -> Result<R, PhpFailure>) -> Result<R, PhpFailure> {
    match try_catch(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(CatchError::Bailout) => Err(PhpFailure::Bailout),
        Err(other) => Err(PhpFailure::Threw(other.to_string())),
    }
}

/// Continues a bailout caught by `catch_bailout` towards the engine's own `zend_try`.
pub fn resume_bailout() -> ! {
    // SAFETY: only called after `catch_bailout` caught one, once the caller's state is tidy; the
    // jump lands in ext-php-rs's handler frame, which passes it on to the engine, or (from the
    // handlers of `direct.rs`, which have no frame to tidy) in the engine's own.
    unsafe { bailout() }
}

/// PHP's `serialize($zv)`; on failure (a Closure, an exception in `__serialize`, `exit()`
/// or a fatal error in `__sleep`...) why.
pub fn serialize(zv: &Zval) -> Result<Vec<u8>, PhpFailure> {
    let mut buf = SmartStr {
        s: null_mut(),
        a: 0,
    };
    let serialized = catch_bailout(|| {
        // SAFETY: the serializer state lives for this call only; `zv` is only read.
        unsafe {
            let mut state = php_var_serialize_init();
            php_var_serialize(&mut buf, zv as *const Zval as *mut ffi::zval, &mut state);
            php_var_serialize_destroy(state);
        }
        Ok(())
    });
    // SAFETY: the result string (request memory, so a bailout would also free it at request
    // end) is copied, then released once.
    let bytes = unsafe {
        if buf.s.is_null() {
            Vec::new()
        } else {
            let bytes = (*(buf.s as *const ZendStr)).as_bytes().to_vec();
            ffi::ext_php_rs_zend_string_release(buf.s);
            bytes
        }
    };
    serialized?;
    match take_failure() {
        Some(failure) => Err(failure),
        None => Ok(bytes),
    }
}

/// PHP's `unserialize($bytes, ['allowed_classes' => ...])`. Damaged input is an `Err` and,
/// as with `unserialize()`, a notice; warnings of the objects' own code are shown as usual.
pub fn unserialize(bytes: &[u8], allowed: &AllowedClasses) -> Result<Zval, PhpFailure> {
    let mut value = Zval::new();
    let options = allowed.options();
    catch_bailout(|| {
        // SAFETY: `value` is a fresh zval the call writes into; `bytes` and `options` outlive it.
        unsafe {
            php_unserialize_with_options(
                &mut value as *mut Zval as *mut ffi::zval,
                bytes.as_ptr().cast(),
                bytes.len(),
                options.as_ref().map_or(null_mut(), |table| {
                    &**table as *const ZendHashTable as *mut ffi::HashTable
                }),
                c"unserialize".as_ptr(),
            );
        }
        Ok(())
    })?;
    if let Some(failure) = take_failure() {
        return Err(failure);
    }
    // unserialize() says "failed" with false; "b:0;" is a stored false.
    if value.is_false() && bytes != b"b:0;" {
        return Err(PhpFailure::Refused(format!(
            "PHP could not unserialize {} bytes of object data",
            bytes.len()
        )));
    }
    Ok(value)
}

/// Which classes `unserialize` may instantiate (PHP's `allowed_classes` option).
pub enum AllowedClasses {
    Any,
    None,
    Only(Vec<String>),
}

impl AllowedClasses {
    /// The options table for `php_unserialize_with_options`; `None` for "any class".
    fn options(&self) -> Option<ZBox<ZendHashTable>> {
        let mut allowed = Zval::new();
        match self {
            Self::Any => return None,
            Self::None => allowed.set_bool(false),
            Self::Only(names) => {
                let mut list = ZendHashTable::with_capacity(names.len() as u32);
                for name in names {
                    push(&mut list, string_zval(name.as_bytes()));
                }
                allowed.set_hashtable(list);
            }
        }
        let mut options = ZendHashTable::with_capacity(1);
        insert_str(&mut options, b"allowed_classes", allowed);
        Some(options)
    }
}

/// The pending PHP exception as a failure: a thrown one is cleared and gives its message;
/// the marker of `exit()` (an internal object, not a `Throwable`) is left for the engine.
fn take_failure() -> Option<PhpFailure> {
    // SAFETY: executor globals are live during a request; the exception pointer is only read.
    let pending = unsafe { (*ffi::ext_php_rs_executor_globals()).exception };
    if pending.is_null() {
        return None;
    }
    // SAFETY: a live object of the engine's; both tests only compare its class.
    if unsafe { zend_is_unwind_exit(pending) || zend_is_graceful_exit(pending) } {
        return Some(PhpFailure::Exit);
    }
    let exception: ZBox<ZendObject> = ExecutorGlobals::take_exception()?;
    // `message` is protected: ask the exception itself.
    let message = exception
        .try_call_method("getMessage", vec![])
        .ok()
        .and_then(|message| message.string());
    Some(PhpFailure::Threw(
        message.unwrap_or_else(|| "unknown error".to_owned()),
    ))
}

/// A binary string zval.
pub fn string_zval(bytes: &[u8]) -> Zval {
    let mut zv = Zval::new();
    zv.set_zend_string(ZendStr::new(bytes, false));
    zv
}

/// Inserts `value` at the next integer key; the table takes ownership.
pub fn push(ht: &mut ZendHashTable, value: Zval) {
    let mut value = std::mem::ManuallyDrop::new(value);
    // SAFETY: `ht` is a live, writable array; on return it owns the zval's reference.
    unsafe {
        ffi::zend_hash_next_index_insert(
            ht as *mut ZendHashTable as *mut ffi::HashTable,
            &mut *value as *mut Zval as *mut ffi::zval,
        )
    };
}

/// Inserts `value` under the integer `key`; the table takes ownership.
pub fn insert_int(ht: &mut ZendHashTable, key: i64, value: Zval) {
    let mut value = std::mem::ManuallyDrop::new(value);
    // SAFETY: as for `push`.
    unsafe {
        ffi::zend_hash_index_update(
            ht as *mut ZendHashTable as *mut ffi::HashTable,
            key as ffi::zend_ulong,
            &mut *value as *mut Zval as *mut ffi::zval,
        )
    };
}

/// Inserts `value` under the binary string `key`; the table takes ownership. Keys that exist as
/// interned strings (most do: they are written in the script) cost no allocation and no hashing.
pub fn insert_str(ht: &mut ZendHashTable, key: &[u8], value: Zval) {
    let table = ht as *mut ZendHashTable as *mut ffi::HashTable;
    let mut value = std::mem::ManuallyDrop::new(value);
    // SAFETY: the engine sets this hook at startup and never clears it; `key` outlives the call.
    let interned = unsafe { zend_string_init_existing_interned }
        .map(|init| unsafe { init(key.as_ptr().cast(), key.len(), false) });
    match interned {
        // SAFETY: `key` is a live string we hold one reference to; the table takes its own
        // reference (for a non-interned string) and the value's, and we drop ours.
        Some(key) if !key.is_null() => unsafe {
            ffi::zend_hash_update(table, key, &mut *value as *mut Zval as *mut ffi::zval);
            ffi::ext_php_rs_zend_string_release(key);
        },
        // SAFETY: as for `push`; the key bytes are copied into a new zend_string by the call.
        _ => unsafe {
            ffi::zend_hash_str_update(
                table,
                key.as_ptr().cast(),
                key.len(),
                &mut *value as *mut Zval as *mut ffi::zval,
            );
        },
    }
}

/// The current value of ini setting `name`, or `None` if it is not registered.
pub fn ini_string(name: &CStr) -> Option<String> {
    let bytes = name.to_bytes();
    let mut exists = false;
    // SAFETY: the engine returns a pointer into its own ini table (or null), valid during the call.
    let value = unsafe { zend_ini_string_ex(bytes.as_ptr().cast(), bytes.len(), 0, &mut exists) };
    if !exists || value.is_null() {
        return None;
    }
    // SAFETY: ini values are NUL-terminated.
    Some(
        unsafe { CStr::from_ptr(value) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// Parses "1M", "64k", "1073741824" the way PHP parses `memory_limit`.
pub fn parse_quantity(text: &str) -> Result<i64, String> {
    let mut value = ZendStr::new(text.as_bytes(), false);
    let mut error: *mut ffi::zend_string = null_mut();
    // SAFETY: `value` lives across the call; an error string, if any, is ours to release.
    let parsed = unsafe { zend_ini_parse_quantity(value.as_mut_ptr(), &mut error) };
    if error.is_null() {
        return Ok(parsed);
    }
    // SAFETY: a valid zend_string returned by the engine, released once after copying.
    let message = unsafe {
        let message = String::from_utf8_lossy((*(error as *const ZendStr)).as_bytes()).into_owned();
        ffi::ext_php_rs_zend_string_release(error);
        message
    };
    Err(message)
}

/// Bytes of PHP memory this request may still allocate under `memory_limit`; `None` when
/// unlimited.
pub fn memory_left() -> Option<u64> {
    let limit = ini_string(c"memory_limit").and_then(|text| parse_quantity(&text).ok())?;
    let limit = u64::try_from(limit).ok().filter(|&limit| limit > 0)?;
    // SAFETY: reads the allocator's counter of the running request.
    let used = unsafe { zend_memory_usage(false) } as u64;
    Some(limit.saturating_sub(used))
}

/// Prints this module's ini table in phpinfo().
pub fn print_ini_entries(module: *mut ffi::zend_module_entry) {
    // SAFETY: called by the engine's info hook with our own module entry.
    unsafe { display_ini_entries(module) };
}

/// Whether a signal (or a timeout) is waiting for the engine: with `pcntl_async_signals(true)`
/// PHP's signal handler sets `EG(vm_interrupt)`; a blocking method returns early so the
/// engine can run the handler.
pub fn interrupt_pending() -> bool {
    // SAFETY: EG(vm_interrupt) is a zend_atomic_bool (C11 atomic bool) in the live executor globals.
    unsafe {
        let globals = ffi::ext_php_rs_executor_globals();
        let flag =
            ptr::addr_of!((*globals).vm_interrupt.value) as *const std::sync::atomic::AtomicBool;
        (*flag).load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A class registered in `CG(class_table)` during module startup (when `ClassEntry::try_find`
/// cannot see it yet), by lower-case name.
pub fn startup_class(lowercase_name: &str) -> Option<&'static ClassEntry> {
    // SAFETY: compiler globals are live during MINIT; the table maps names to class entries.
    unsafe {
        let globals = ffi::ext_php_rs_compiler_globals();
        let zv = ffi::zend_hash_str_find(
            (*globals).class_table,
            lowercase_name.as_ptr().cast(),
            lowercase_name.len(),
        );
        if zv.is_null() {
            return None;
        }
        ((*zv).value.ptr as *const ClassEntry).as_ref()
    }
}
