//! shmqueue: the `SHMQueue` PHP class, a drop-in for the shmop + sysvsem userland class of the
//! same name, backed by a crash-safe shared-memory queue.
//!
//! Layers: `shmqueue-core` (the queue, no PHP) and `shmqueue-codec` (the value format, no PHP)
//! are separate crates; this crate is the binding: `classes` (PHP signatures) over `handle`
//! (what each method does), `codec` (zvals to bytes; `big_string`: big strings copied once each
//! way), `settings` (ini), `error` (the one
//! mapping to `SHMQueueException`) and `zend` (engine calls ext-php-rs does not wrap).
#![deny(clippy::unwrap_used)]

mod big_string;
mod classes;
mod codec;
mod constructor;
mod direct;
mod error;
mod gc;
mod handle;
mod serialized;
mod settings;
mod zend;

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::{ClassEntry, IniEntryDef, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

/// RuntimeException, found in the compiler's class table (the executor's is not set up yet).
fn runtime_exception() -> &'static ClassEntry {
    zend::startup_class("runtimeexception").unwrap_or_else(ext_php_rs::zend::ce::exception)
}

/// Module startup: ini entries, then `SHMQueueException` (a ClassBuilder class keeps PHP's own
/// exception object handlers, so file, line and trace are filled in). Must not panic.
extern "C" fn startup(_kind: i32, module_number: i32) -> i32 {
    IniEntryDef::register(settings::INI_ENTRIES.as_slice(), module_number);
    let registered = ClassBuilder::new("SHMQueueException")
        .extends((runtime_exception, "\\RuntimeException"))
        .registration(|class, _| error::set_exception_class(class))
        .register();
    gc::install();
    // SHMQueue's object handler table, made now rather than by the first `new SHMQueue`: module
    // startup runs once, before any request, so in a threaded PHP no thread makes it while
    // another reads it (once_cell publishes it with atomics, which race detectors cannot see).
    let _ = <classes::ShmQueue as RegisteredClass>::get_metadata().handlers();
    if registered.is_ok() {
        0
    } else {
        -1
    }
}

/// Request startup: the first request of each process installs the direct constructor and the
/// direct enQueue/deQueue handlers (`direct.rs`); every request takes back the scratch buffers
/// a fatal error of the previous one left marked in use.
extern "C" fn request_startup(_kind: i32, _module_number: i32) -> i32 {
    constructor::install_once();
    handle::reclaim_scratch();
    0
}

extern "C" fn info(module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("shmqueue support", "enabled");
    info_table_row!("version", env!("CARGO_PKG_VERSION"));
    info_table_row!(
        "segment layout version",
        shmqueue_core::layout::LAYOUT_VERSION.to_string()
    );
    info_table_row!(
        "value format version",
        shmqueue_codec::FORMAT_V1.to_string()
    );
    info_table_end!();
    zend::print_ini_entries(module);
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .name("shmqueue")
        .startup_function(startup)
        .request_startup_function(request_startup)
        .info_function(info)
        .class::<classes::ShmQueueJob>()
        .class::<classes::ShmQueue>()
}
