//! What the dashboard draws over time: the counters of every queue, sampled once a second by a
//! thread of its own and kept for an hour, from which rates and the waiting messages' age follow.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::inventory::{self, Found};

/// Samples kept per queue: one an interval, an hour of them.
pub const KEPT: usize = 3600;
pub const INTERVAL: Duration = Duration::from_secs(1);

/// The counters of one queue at one moment (only what the page draws or derives).
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub at: f64, // seconds since the server started
    pub enqueued: u64,
    pub dequeued: u64,
    pub retries: u64,
    pub expired: u64,
    pub full_rejections: u64,
    pub dead: u64,
    pub left: u64, // messages that left the waiting line for good: dequeued + purged + dead
}

/// Per second between two samples.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub enqueued: f64,
    pub acked: f64,
    pub failures: f64,
    pub retries: f64,
    pub full: f64,
}

impl Sample {
    pub fn rates_since(&self, earlier: &Sample) -> Rates {
        let seconds = (self.at - earlier.at).max(1e-3);
        let per_second = |now: u64, then: u64| now.saturating_sub(then) as f64 / seconds;
        Rates {
            enqueued: per_second(self.enqueued, earlier.enqueued),
            acked: per_second(self.dequeued, earlier.dequeued),
            failures: per_second(self.expired + self.dead, earlier.expired + earlier.dead),
            retries: per_second(self.retries, earlier.retries),
            full: per_second(self.full_rejections, earlier.full_rejections),
        }
    }
}

/// Every queue's samples, newest last; shared by the sampler thread and the request handlers.
#[derive(Clone, Default)]
pub struct History {
    queues: Arc<Mutex<HashMap<String, VecDeque<Sample>>>>,
}

impl History {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, VecDeque<Sample>>> {
        // A handler that panicked cannot leave a sample half-written: go on with the data.
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn record(&self, name: &str, sample: Sample) {
        let mut queues = self.lock();
        let samples = queues.entry(name.to_owned()).or_default();
        if samples.len() == KEPT {
            samples.pop_front();
        }
        samples.push_back(sample);
    }

    /// Forgets queues that are gone (removed since), so a new queue of the name starts afresh.
    pub fn keep_only(&self, names: &[&str]) {
        self.lock().retain(|name, _| names.contains(&name.as_str()));
    }

    /// The samples of `name` from the last `seconds`.
    pub fn recent(&self, name: &str, seconds: f64) -> Vec<Sample> {
        let queues = self.lock();
        let Some(samples) = queues.get(name) else {
            return Vec::new();
        };
        let newest = samples.back().map_or(0.0, |sample| sample.at);
        samples
            .iter()
            .filter(|sample| sample.at >= newest - seconds)
            .copied()
            .collect()
    }

    /// Rates over the last few seconds.
    pub fn current_rates(&self, name: &str) -> Rates {
        let samples = self.recent(name, 5.0);
        match (samples.first(), samples.last()) {
            (Some(first), Some(last)) if samples.len() > 1 => last.rates_since(first),
            _ => Rates::default(),
        }
    }

    /// How long the oldest waiting message has waited, estimated from the samples: it is
    /// message number `left + 1` of the queue, enqueued when `enqueued` first reached that.
    /// `None` when nothing waits; when it is older than the samples, their span and `false`
    /// (a lower bound).
    pub fn oldest_age(&self, name: &str, waiting: u64) -> Option<(f64, bool)> {
        if waiting == 0 {
            return None;
        }
        let queues = self.lock();
        let samples = queues.get(name)?;
        let newest = samples.back()?;
        let oldest_number = newest.left + 1;
        let first = samples.front()?;
        match samples
            .iter()
            .find(|sample| sample.enqueued >= oldest_number)
        {
            Some(since) if since.at > first.at || first.enqueued < oldest_number => {
                Some((newest.at - since.at, true))
            }
            _ => Some((newest.at - first.at, false)),
        }
    }
}

/// Samples every queue once an interval, for ever (a thread of its own).
pub fn sample_forever(history: History, started: Instant) {
    loop {
        if let Ok(found) = inventory::scan() {
            let at = started.elapsed().as_secs_f64();
            for queue in &found {
                if let Some(sample) = sample_of(queue, at) {
                    history.record(&queue.name, sample);
                }
            }
            let names: Vec<&str> = found.iter().map(|queue| queue.name.as_str()).collect();
            history.keep_only(&names);
        }
        std::thread::sleep(INTERVAL);
    }
}

fn sample_of(found: &Found, at: f64) -> Option<Sample> {
    let stats = &found.state.as_ref().ok()?.stats;
    Some(Sample {
        at,
        enqueued: stats.enqueued,
        dequeued: stats.dequeued,
        retries: stats.retries,
        expired: stats.expired,
        full_rejections: stats.full_rejections,
        dead: stats.dead,
        left: stats.dequeued + stats.purged + stats.dead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at: f64, enqueued: u64, left: u64) -> Sample {
        Sample {
            at,
            enqueued,
            dequeued: left,
            left,
            ..Sample::default()
        }
    }

    #[test]
    fn rates_are_per_second_between_samples() {
        let rates = sample(12.0, 300, 100).rates_since(&sample(10.0, 100, 0));
        assert_eq!(rates.enqueued, 100.0);
        assert_eq!(rates.acked, 50.0);
    }

    #[test]
    fn oldest_age_is_when_the_oldest_waiting_message_arrived() {
        let history = History::default();
        for (at, enqueued, left) in [(0.0, 0, 0), (1.0, 5, 0), (2.0, 10, 3), (3.0, 10, 6)] {
            history.record("q", sample(at, enqueued, left));
        }
        // Message 7 (6 have left) arrived between 1 s and 2 s: seen at 2 s, so 1 s old at 3 s.
        assert_eq!(history.oldest_age("q", 4), Some((1.0, true)));
        assert_eq!(history.oldest_age("q", 0), None);
        assert_eq!(history.oldest_age("other", 1), None);
        // Waiting since before the first sample: only a lower bound.
        let older = History::default();
        older.record("q", sample(0.0, 10, 0));
        older.record("q", sample(5.0, 10, 0));
        assert_eq!(older.oldest_age("q", 10), Some((5.0, false)));
    }

    #[test]
    fn keeps_an_hour_and_forgets_removed_queues() {
        let history = History::default();
        for i in 0..KEPT + 10 {
            history.record("q", sample(i as f64, i as u64, 0));
        }
        assert_eq!(history.recent("q", 1e9).len(), KEPT);
        history.keep_only(&[]);
        assert!(history.recent("q", 1e9).is_empty());
    }
}
