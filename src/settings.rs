//! The `shmqueue.*` ini settings and the checks on numbers that come from PHP.

use std::time::Duration;

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use shmqueue_core::segment::MAX_DURATION_MS;
use shmqueue_core::CreateOptions;

use crate::error::{Error, Result};
use crate::zend;

/// Registered at module startup; every one may be changed anywhere (`PHP_INI_ALL`).
pub static INI_ENTRIES: IniEntryDefs<5> = IniEntryDefs::new([
    // Size in bytes of a queue created without an explicit capacity ("1M", "64M", "262144").
    IniEntryDef::new(c"shmqueue.default_capacity", c"1M", IniEntryPermission::All),
    // Mode of new queues: 0600 is the creating user only; 0660 adds its group.
    IniEntryDef::new(c"shmqueue.permissions", c"0600", IniEntryPermission::All),
    // Deliveries of a job before it goes to the dead letters, for new queues.
    IniEntryDef::new(c"shmqueue.max_attempts", c"5", IniEntryPermission::All),
    // Default lease of reserve(), in seconds, for new queues.
    IniEntryDef::new(c"shmqueue.lease", c"60", IniEntryPermission::All),
    IniEntryDef::end(),
]);

fn invalid(what: &'static str, why: String) -> Error {
    Error::Argument { what, why }
}

fn ini(name: &std::ffi::CStr) -> String {
    zend::ini_string(name).unwrap_or_default()
}

/// The options a queue is created with: the constructor's arguments, else the ini settings.
pub fn create_options(
    capacity: Option<i64>,
    lease: Option<f64>,
    max_attempts: Option<i64>,
) -> Result<CreateOptions> {
    let capacity = match capacity {
        Some(capacity) => capacity,
        None => {
            let text = ini(c"shmqueue.default_capacity");
            zend::parse_quantity(&text)
                .map_err(|why| invalid("shmqueue.default_capacity", format!("{text:?}: {why}")))?
        }
    };
    let capacity = u64::try_from(capacity)
        .map_err(|_| invalid("capacity", format!("{capacity} bytes is negative")))?;
    let permissions_text = ini(c"shmqueue.permissions");
    let permissions = u32::from_str_radix(permissions_text.trim(), 8).map_err(|_| {
        invalid(
            "shmqueue.permissions",
            format!("{permissions_text:?} is not an octal mode such as 0600"),
        )
    })?;
    let max_attempts = match max_attempts {
        Some(n) => n,
        None => {
            let text = ini(c"shmqueue.max_attempts");
            text.trim().parse().map_err(|_| {
                invalid(
                    "shmqueue.max_attempts",
                    format!("{text:?} is not a whole number"),
                )
            })?
        }
    };
    let max_attempts = u32::try_from(max_attempts)
        .map_err(|_| invalid("maxAttempts", format!("{max_attempts} is outside 1..=255")))?;
    let lease = match lease {
        Some(seconds) => seconds,
        None => {
            let text = ini(c"shmqueue.lease");
            text.trim().parse().map_err(|_| {
                invalid(
                    "shmqueue.lease",
                    format!("{text:?} is not a number of seconds"),
                )
            })?
        }
    };
    let lease_ms = milliseconds("lease", lease)?;
    Ok(CreateOptions {
        capacity,
        permissions,
        max_attempts,
        lease_ms,
    })
}

/// Seconds from PHP (a timeout, delay or lease) as whole milliseconds, rounded up so that a
/// positive wait never becomes zero.
pub fn milliseconds(what: &'static str, seconds: f64) -> Result<u64> {
    if !seconds.is_finite() || seconds < 0.0 || seconds * 1000.0 > MAX_DURATION_MS as f64 {
        return Err(invalid(
            what,
            format!(
                "{seconds} seconds is outside 0..={}",
                MAX_DURATION_MS / 1000
            ),
        ));
    }
    Ok((seconds * 1000.0).ceil() as u64)
}

/// Seconds from PHP as a duration (checked as `milliseconds`).
pub fn duration(what: &'static str, seconds: f64) -> Result<Duration> {
    milliseconds(what, seconds)?;
    Ok(Duration::from_secs_f64(seconds))
}
