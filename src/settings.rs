//! The `shmqueue.*` ini settings and the checks on numbers that come from PHP.

use std::time::Duration;

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use shmqueue_core::segment::MAX_SYNC_INTERVAL_MS;
use shmqueue_core::segment::{MAX_CAPACITY, MAX_DURATION_MS, MIN_CAPACITY};
use shmqueue_core::{CreateOptions, OpenOptions, Place, QueueError, SyncPolicy};

use crate::zend::{self, AllowedClasses};

/// Registered at module startup; those not marked "php.ini only" may be changed anywhere.
pub static INI_ENTRIES: IniEntryDefs<12> = IniEntryDefs::new([
    // Users (names or uids, comma-separated) besides this process's own and root whose queues
    // it may open: a queue owned by anyone else, or writable by others, is refused, so another
    // local user cannot plant objects for this one to unserialize. php.ini or pool only.
    IniEntryDef::new(c"shmqueue.trusted_users", c"", IniEntryPermission::System),
    // Seconds an operation waits for a queue's lock held by another process before it throws
    // naming the holder (operations hold it for microseconds). php.ini or pool only.
    IniEntryDef::new(c"shmqueue.lock_timeout", c"5", IniEntryPermission::System),
    // The queue `new SHMQueue()` opens: two sites on one machine give each its own name
    // (per php-fpm pool: php_admin_value[shmqueue.default_name] = site-a).
    IniEntryDef::new(
        c"shmqueue.default_name",
        c"default",
        IniEntryPermission::All,
    ),
    // Classes that stored objects may come back as, as unserialize()'s allowed_classes: empty
    // for any class, "none" for none (objects come back as __PHP_Incomplete_Class), or a
    // comma-separated list of class names.
    IniEntryDef::new(c"shmqueue.allowed_classes", c"", IniEntryPermission::All),
    // Size in bytes of a queue created without an explicit capacity ("1M", "64M", "262144").
    IniEntryDef::new(c"shmqueue.default_capacity", c"1M", IniEntryPermission::All),
    // Mode of new queues: 0600 is the creating user only; 0660 adds its group.
    IniEntryDef::new(c"shmqueue.permissions", c"0600", IniEntryPermission::All),
    // Deliveries of a job before it goes to the dead letters, for new queues.
    IniEntryDef::new(c"shmqueue.max_attempts", c"5", IniEntryPermission::All),
    // Default lease of reserve(), in seconds, for new queues.
    IniEntryDef::new(c"shmqueue.lease", c"60", IniEntryPermission::All),
    // Where durable queues live, one directory for the machine, so every SAPI finds the same
    // queue of a name. php.ini only.
    IniEntryDef::new(
        c"shmqueue.durable_dir",
        c"/var/lib/shmqueue",
        IniEntryPermission::System,
    ),
    // When changes of new durable queues reach the disk: always, batch or off. php.ini only.
    IniEntryDef::new(c"shmqueue.sync", c"batch", IniEntryPermission::System),
    // The window of the batch policy, in seconds, for new durable queues. php.ini only.
    IniEntryDef::new(c"shmqueue.sync_interval", c"1", IniEntryPermission::System),
    IniEntryDef::end(),
]);

fn invalid(what: &'static str, why: String) -> QueueError {
    QueueError::InvalidArgument { what, why }
}

fn ini(name: &std::ffi::CStr) -> String {
    zend::ini_string(name).unwrap_or_default()
}

thread_local! {
    /// `open_options()`, parsed at the first open of the process: its settings can change only
    /// at startup.
    static OPEN_OPTIONS: std::cell::OnceCell<Result<OpenOptions, (&'static str, String)>> =
        const { std::cell::OnceCell::new() };
}

/// How this process opens queues: `shmqueue.trusted_users` and `shmqueue.lock_timeout`.
pub fn open_options() -> Result<OpenOptions, QueueError> {
    OPEN_OPTIONS.with(|cell| {
        cell.get_or_init(|| {
            read_open_options().map_err(|error| match error {
                QueueError::InvalidArgument { what, why } => (what, why),
                other => ("shmqueue.trusted_users", other.to_string()),
            })
        })
        .clone()
        .map_err(|(what, why)| invalid(what, why))
    })
}

fn read_open_options() -> Result<OpenOptions, QueueError> {
    let text = ini(c"shmqueue.lock_timeout");
    let seconds: f64 = text.trim().parse().map_err(|_| {
        invalid(
            "shmqueue.lock_timeout",
            format!("{text:?} is not a number of seconds"),
        )
    })?;
    let lock_timeout =
        Duration::from_millis(positive_milliseconds("shmqueue.lock_timeout", seconds)?);
    let text = ini(c"shmqueue.trusted_users");
    let trusted_users = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.parse::<u32>()
                .ok()
                .or_else(|| user_id(word))
                .ok_or_else(|| {
                    invalid(
                        "shmqueue.trusted_users",
                        format!("{word:?} is neither a user of this machine nor a uid"),
                    )
                })
        })
        .collect::<Result<Vec<u32>, QueueError>>()?;
    let durable_dir = ini(c"shmqueue.durable_dir");
    if !durable_dir.starts_with('/') {
        return Err(invalid(
            "shmqueue.durable_dir",
            format!("{durable_dir:?} is not an absolute path"),
        ));
    }
    Ok(OpenOptions {
        trusted_users: Some(trusted_users),
        lock_timeout,
        place: Place {
            durable: false,
            durable_dir: durable_dir.trim_end_matches('/').to_owned().into(),
        },
    })
}

/// The uid of the user `name`, from the system's user database.
fn user_id(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: a plain C struct, for which all zero bytes are a valid value.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buffer = vec![0 as libc::c_char; 16384];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to a live local of the right size; the result points into them.
    let status = unsafe {
        libc::getpwnam_r(
            name.as_ptr(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    (status == 0 && !found.is_null()).then_some(entry.pw_uid)
}

/// `shmqueue.default_name`: the queue that `new SHMQueue()` with no name opens.
pub fn default_name() -> String {
    let name = ini(c"shmqueue.default_name");
    match name.trim() {
        "" => "default".to_owned(),
        name => name.to_owned(),
    }
}

/// `shmqueue.allowed_classes`, as unserialize() takes it.
pub fn allowed_classes() -> AllowedClasses {
    let text = ini(c"shmqueue.allowed_classes");
    match text.trim() {
        "" => AllowedClasses::Any,
        "none" => AllowedClasses::None,
        list => AllowedClasses::Only(
            list.split(',')
                .map(|name| name.trim().trim_start_matches('\\').to_owned())
                .filter(|name| !name.is_empty())
                .collect(),
        ),
    }
}

/// What the constructor was given. Checked at once; combined with the ini settings only when
/// the queue has to be created, so opening an existing queue reads no settings.
pub struct Requested {
    /// A durable file rather than shared memory (the `durable` argument).
    pub durable: bool,
    capacity: Option<u64>,
    lease_ms: Option<u64>,
    max_attempts: Option<u32>,
}

impl Requested {
    pub fn new(
        capacity: Option<i64>,
        lease: Option<f64>,
        max_attempts: Option<i64>,
        durable: bool,
    ) -> Result<Requested, QueueError> {
        let capacity = capacity
            .map(|bytes| match u64::try_from(bytes) {
                Ok(bytes) if (MIN_CAPACITY..=MAX_CAPACITY).contains(&bytes) => Ok(bytes),
                _ => Err(invalid(
                    "capacity",
                    format!("{bytes} bytes is outside {MIN_CAPACITY}..={MAX_CAPACITY}"),
                )),
            })
            .transpose()?;
        let lease_ms = lease
            .map(|seconds| positive_milliseconds("lease", seconds))
            .transpose()?;
        let max_attempts = max_attempts
            .map(|n| {
                u32::try_from(n)
                    .ok()
                    .filter(|n| (1..=255).contains(n))
                    .ok_or_else(|| invalid("maxAttempts", format!("{n} is outside 1..=255")))
            })
            .transpose()?;
        Ok(Requested {
            durable,
            capacity,
            lease_ms,
            max_attempts,
        })
    }

    /// The options a new queue gets: the constructor's arguments, else the ini settings.
    pub fn create_options(&self) -> Result<CreateOptions, QueueError> {
        let capacity = match self.capacity {
            Some(capacity) => capacity,
            None => {
                let text = ini(c"shmqueue.default_capacity");
                let bytes = zend::parse_quantity(&text).map_err(|why| {
                    invalid("shmqueue.default_capacity", format!("{text:?}: {why}"))
                })?;
                u64::try_from(bytes).map_err(|_| {
                    invalid("shmqueue.default_capacity", format!("{text:?} is negative"))
                })?
            }
        };
        let text = ini(c"shmqueue.permissions");
        let permissions = u32::from_str_radix(text.trim(), 8).map_err(|_| {
            invalid(
                "shmqueue.permissions",
                format!("{text:?} is not an octal mode such as 0600"),
            )
        })?;
        let max_attempts = match self.max_attempts {
            Some(n) => n,
            None => {
                let text = ini(c"shmqueue.max_attempts");
                text.trim().parse().map_err(|_| {
                    invalid(
                        "shmqueue.max_attempts",
                        format!("{text:?} is not a whole number from 1 to 255"),
                    )
                })?
            }
        };
        let lease_ms = match self.lease_ms {
            Some(ms) => ms,
            None => {
                let text = ini(c"shmqueue.lease");
                let seconds = text.trim().parse().map_err(|_| {
                    invalid(
                        "shmqueue.lease",
                        format!("{text:?} is not a number of seconds"),
                    )
                })?;
                positive_milliseconds("shmqueue.lease", seconds)?
            }
        };
        let text = ini(c"shmqueue.sync");
        // php.ini reads an unquoted `off` (or `no`, `false`, `none`) as "".
        let policy = match text.trim() {
            "" => "off",
            policy => policy,
        };
        let sync = SyncPolicy::parse(policy).ok_or_else(|| {
            invalid(
                "shmqueue.sync",
                format!("{text:?} is none of always, batch, off"),
            )
        })?;
        let text = ini(c"shmqueue.sync_interval");
        let seconds: f64 = text.trim().parse().map_err(|_| {
            invalid(
                "shmqueue.sync_interval",
                format!("{text:?} is not a number of seconds"),
            )
        })?;
        let sync_interval_ms = positive_milliseconds("shmqueue.sync_interval", seconds)?;
        let sync_interval_ms = u32::try_from(sync_interval_ms)
            .ok()
            .filter(|ms| *ms <= MAX_SYNC_INTERVAL_MS)
            .ok_or_else(|| {
                invalid(
                    "shmqueue.sync_interval",
                    format!(
                        "{text:?} is longer than {} seconds",
                        MAX_SYNC_INTERVAL_MS / 1000
                    ),
                )
            })?;
        Ok(CreateOptions {
            capacity,
            permissions,
            max_attempts,
            lease_ms,
            sync,
            sync_interval_ms,
        })
    }
}

/// Seconds from PHP (a timeout, delay or lease) as whole milliseconds, rounded up so that a
/// positive wait never becomes zero.
pub fn milliseconds(what: &'static str, seconds: f64) -> Result<u64, QueueError> {
    if !seconds.is_finite() || seconds < 0.0 || seconds * 1000.0 > MAX_DURATION_MS as f64 {
        return Err(invalid(
            what,
            format!(
                "{} seconds is outside 0..={}",
                Shown(seconds),
                MAX_DURATION_MS / 1000
            ),
        ));
    }
    Ok((seconds * 1000.0).ceil() as u64)
}

/// A number of seconds as a user wrote it: `1e300` rather than its 301 digits.
struct Shown(f64);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.abs() >= 1e15 {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// As `milliseconds`, for a lease, which must be longer than zero.
pub fn positive_milliseconds(what: &'static str, seconds: f64) -> Result<u64, QueueError> {
    match milliseconds(what, seconds)? {
        0 => Err(invalid(what, "0 seconds: it must be positive".to_owned())),
        ms => Ok(ms),
    }
}

/// Seconds from PHP as a duration (checked as `milliseconds`); zero, the common case, costs nothing.
#[inline]
pub fn duration(what: &'static str, seconds: f64) -> Result<Duration, QueueError> {
    if seconds == 0.0 {
        return Ok(Duration::ZERO);
    }
    milliseconds(what, seconds)?;
    Ok(Duration::from_secs_f64(seconds))
}
