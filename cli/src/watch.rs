//! `shmqueue watch`: a line per interval with the depth and the rates since the previous line.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shmqueue_core::Place;

use crate::failure::Failure;
use crate::inventory;
use crate::output::emit;
use crate::report::Snapshot;

fn header() -> String {
    format!(
        "{:<10}  {:>7}  {:>9}  {:>7}  {:>7}  {:>7}  {:>6}\n",
        "TIME(UTC)", "LENGTH", "IN_FLIGHT", "DEAD", "ENQ/S", "DEQ/S", "USAGE"
    )
}

/// Reads the queue every `interval` (reopening it each time, so a removed queue is noticed and
/// never recreated) and prints a line; `count` lines, or until the queue goes away.
pub fn run(name: &str, interval: Duration, count: Option<u64>) -> Result<(), Failure> {
    emit(&format!(
        "watching queue {name:?} every {interval:?} (Ctrl-C stops)\n{}",
        header()
    ))?;
    let mut previous: Option<(Instant, Snapshot)> = None;
    let mut printed = 0;
    let mut next = Instant::now();
    loop {
        let snapshot = inventory::read(name, &Place::shm())?;
        let now = Instant::now();
        let rates = previous.as_ref().map(|(then, before)| {
            let seconds = now.duration_since(*then).as_secs_f64().max(1e-6);
            (
                (snapshot
                    .stats
                    .enqueued
                    .saturating_sub(before.stats.enqueued)) as f64
                    / seconds,
                (snapshot
                    .stats
                    .dequeued
                    .saturating_sub(before.stats.dequeued)) as f64
                    / seconds,
            )
        });
        emit(&line(&snapshot, rates))?;
        printed += 1;
        if count.is_some_and(|count| printed >= count) {
            return Ok(());
        }
        previous = Some((now, snapshot));
        next += interval;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

fn line(snapshot: &Snapshot, rates: Option<(f64, f64)>) -> String {
    let (enqueue, dequeue) = match rates {
        Some((enqueue, dequeue)) => (format!("{enqueue:.1}"), format!("{dequeue:.1}")),
        None => ("-".into(), "-".into()),
    };
    let s = &snapshot.stats;
    format!(
        "{}  {:>7}  {:>9}  {:>7}  {:>7}  {:>7}  {:>5.1}%\n",
        clock(SystemTime::now()),
        s.length,
        s.in_flight,
        s.dead,
        enqueue,
        dequeue,
        snapshot.usage_percent()
    )
}

/// HH:MM:SS.s of the UTC day.
fn clock(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let day_seconds = since_epoch.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{}",
        day_seconds / 3600,
        day_seconds / 60 % 60,
        day_seconds % 60,
        since_epoch.subsec_millis() / 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_utc_time_of_day() {
        let time = UNIX_EPOCH + Duration::from_millis(86_400_000 * 3 + 3_723_450);
        assert_eq!(clock(time), "01:02:03.4");
    }
}
