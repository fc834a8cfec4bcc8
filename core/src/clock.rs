//! Wall-clock milliseconds, the time base of leases and delays. It is shared by every process on
//! the machine and is what `leaseUntil` shows; a clock stepped backwards lengthens leases.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
