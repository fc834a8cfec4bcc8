//! A queue's counters as text, JSON (the keys of PHP's `SHMQueue::stats()`) or the Prometheus
//! text format that node_exporter's textfile collector reads.

use std::fmt::Write;

use shmqueue_core::{DurableStats, Stats};

use crate::value::float_literal;

/// The counters of one queue, as read at one moment.
pub struct Snapshot {
    pub name: String,
    pub stats: Stats,
    /// A durable queue's own counters (read with `stats --durable`).
    pub durable: Option<DurableStats>,
}

impl Snapshot {
    pub fn lease_seconds(&self) -> f64 {
        self.stats.lease_ms as f64 / 1000.0
    }

    /// Share of the capacity in use, in percent.
    pub fn usage_percent(&self) -> f64 {
        if self.stats.capacity == 0 {
            return 0.0;
        }
        self.stats.used_bytes as f64 * 100.0 / self.stats.capacity as f64
    }

    /// Whole-number fields, named and ordered as in PHP's `SHMQueue::stats()`.
    fn counts(&self) -> [(&'static str, u64); 18] {
        self.stats.counts()
    }
}

pub fn text(snapshot: &Snapshot) -> String {
    let mut out = format!("{:<16} {}\n", "name", snapshot.name);
    for (key, value) in snapshot.counts() {
        let _ = writeln!(out, "{key:<16} {value}");
    }
    let _ = writeln!(
        out,
        "{:<16} {} s",
        "lease",
        float_literal(snapshot.lease_seconds())
    );
    let _ = writeln!(out, "{:<16} {:.1}%", "usage", snapshot.usage_percent());
    if let Some(durable) = &snapshot.durable {
        let _ = writeln!(out, "{:<16} {}", "path", durable.path);
        let _ = writeln!(out, "{:<16} {}", "sync", durable.sync.name());
        let interval = float_literal(f64::from(durable.sync_interval_ms) / 1000.0);
        let _ = writeln!(out, "{:<16} {interval} s", "sync_interval");
        for (key, value) in durable_counts(durable) {
            let _ = writeln!(out, "{key:<16} {value}");
        }
    }
    out
}

/// The whole-number fields only a durable queue has, named as in PHP's `stats()`.
fn durable_counts(durable: &DurableStats) -> [(&'static str, u64); 4] {
    [
        ("torn_dropped", durable.torn_dropped),
        ("changes", durable.changes),
        ("flushes", durable.flushes),
        ("boots", durable.boots),
    ]
}

/// One JSON object with exactly the keys and value types of PHP's `SHMQueue::stats()`.
pub fn json(snapshot: &Snapshot) -> String {
    let mut out = format!("{{\"name\":{}", json_string(&snapshot.name));
    for (key, value) in snapshot.counts() {
        let _ = write!(out, ",\"{key}\":{value}");
    }
    let _ = write!(
        out,
        ",\"lease\":{}",
        float_literal(snapshot.lease_seconds())
    );
    // After `lease`, as PHP's `stats()` has them.
    if let Some(durable) = &snapshot.durable {
        let _ = write!(
            out,
            ",\"durable\":true,\"path\":{},\"sync\":\"{}\",\"sync_interval\":{}",
            json_string(&durable.path),
            durable.sync.name(),
            float_literal(f64::from(durable.sync_interval_ms) / 1000.0)
        );
        for (key, value) in durable_counts(durable) {
            let _ = write!(out, ",\"{key}\":{value}");
        }
    }
    out.push('}');
    out
}

pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Gauge,
    Counter,
}

struct Metric {
    name: &'static str,
    kind: Kind,
    help: &'static str,
    value: fn(&Snapshot) -> f64,
}

/// Levels are gauges; totals since the queue was created are counters (they only grow).
const METRICS: [Metric; 19] = [
    Metric {
        name: "shmqueue_length",
        kind: Kind::Gauge,
        help: "Messages waiting: ready now or delayed.",
        value: |s| s.stats.length as f64,
    },
    Metric {
        name: "shmqueue_ready",
        kind: Kind::Gauge,
        help: "Messages that can be taken now.",
        value: |s| s.stats.ready as f64,
    },
    Metric {
        name: "shmqueue_delayed",
        kind: Kind::Gauge,
        help: "Messages waiting for their delay to pass.",
        value: |s| s.stats.delayed as f64,
    },
    Metric {
        name: "shmqueue_in_flight",
        kind: Kind::Gauge,
        help: "Jobs reserved and not yet acknowledged or released.",
        value: |s| s.stats.in_flight as f64,
    },
    Metric {
        name: "shmqueue_dead",
        kind: Kind::Gauge,
        help: "Dead letters: jobs that used all their attempts.",
        value: |s| s.stats.dead as f64,
    },
    Metric {
        name: "shmqueue_used_bytes",
        kind: Kind::Gauge,
        help: "Bytes of the ring in use.",
        value: |s| s.stats.used_bytes as f64,
    },
    Metric {
        name: "shmqueue_capacity_bytes",
        kind: Kind::Gauge,
        help: "Bytes of the ring.",
        value: |s| s.stats.capacity as f64,
    },
    Metric {
        name: "shmqueue_max_attempts",
        kind: Kind::Gauge,
        help: "Deliveries of a job before it becomes a dead letter.",
        value: |s| s.stats.max_attempts as f64,
    },
    Metric {
        name: "shmqueue_lease_seconds",
        kind: Kind::Gauge,
        help: "Default lease of a reserved job.",
        value: |s| s.lease_seconds(),
    },
    Metric {
        name: "shmqueue_lease_slots",
        kind: Kind::Gauge,
        help: "Jobs that can be reserved at the same time.",
        value: |s| s.stats.slots as f64,
    },
    Metric {
        name: "shmqueue_enqueued_total",
        kind: Kind::Counter,
        help: "Messages stored since the queue was created.",
        value: |s| s.stats.enqueued as f64,
    },
    Metric {
        name: "shmqueue_dequeued_total",
        kind: Kind::Counter,
        help: "Messages taken for good (dequeued, or reserved and acknowledged).",
        value: |s| s.stats.dequeued as f64,
    },
    Metric {
        name: "shmqueue_retries_total",
        kind: Kind::Counter,
        help: "Jobs released for another attempt.",
        value: |s| s.stats.retries as f64,
    },
    Metric {
        name: "shmqueue_expired_total",
        kind: Kind::Counter,
        help: "Leases that ran out before the job was acknowledged.",
        value: |s| s.stats.expired as f64,
    },
    Metric {
        name: "shmqueue_purged_total",
        kind: Kind::Counter,
        help: "Dead letters deleted.",
        value: |s| s.stats.purged as f64,
    },
    Metric {
        name: "shmqueue_full_rejections_total",
        kind: Kind::Counter,
        help: "Messages refused because the queue was full.",
        value: |s| s.stats.full_rejections as f64,
    },
    Metric {
        name: "shmqueue_dropped_total",
        kind: Kind::Counter,
        help: "Undecodable messages that found no room in the dead letters.",
        value: |s| s.stats.dropped as f64,
    },
    Metric {
        name: "shmqueue_recoveries_total",
        kind: Kind::Counter,
        help: "Times the lock was taken over from a process that died holding it.",
        value: |s| s.stats.recoveries as f64,
    },
    Metric {
        name: "shmqueue_usage_ratio",
        kind: Kind::Gauge,
        help: "Share of the ring in use, 0 to 1.",
        value: |s| s.usage_percent() / 100.0,
    },
];

/// The text exposition format: each metric family once (HELP, TYPE), one sample per queue.
pub fn prometheus(snapshots: &[Snapshot]) -> String {
    let mut out = String::new();
    for metric in &METRICS {
        let kind = match metric.kind {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        };
        let _ = writeln!(out, "# HELP {} {}", metric.name, metric.help);
        let _ = writeln!(out, "# TYPE {} {kind}", metric.name);
        for snapshot in snapshots {
            let _ = writeln!(
                out,
                "{}{{queue=\"{}\"}} {}",
                metric.name,
                label_value(&snapshot.name),
                sample((metric.value)(snapshot))
            );
        }
    }
    out
}

fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn sample(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(name: &str) -> Snapshot {
        Snapshot {
            name: name.into(),
            stats: Stats {
                capacity: 4096,
                used_bytes: 1024,
                length: 3,
                ready: 2,
                in_flight: 1,
                delayed: 1,
                dead: 4,
                enqueued: 10,
                dequeued: 5,
                purged: 0,
                full_rejections: 7,
                paused: false,
                dropped: 0,
                retries: 1,
                expired: 2,
                recoveries: 0,
                max_attempts: 5,
                lease_ms: 1500,
                slots: 64,
                last_recovery: shmqueue_core::Recovery::Clean,
            },
            durable: None,
        }
    }

    #[test]
    fn json_has_the_keys_and_types_of_php_stats() {
        assert_eq!(
            json(&snapshot("jobs")),
            "{\"name\":\"jobs\",\"capacity\":4096,\"used_bytes\":1024,\"length\":3,\"paused\":0,\"ready\":2,\
             \"in_flight\":1,\"delayed\":1,\"dead\":4,\"enqueued\":10,\"dequeued\":5,\"purged\":0,\
             \"full_rejections\":7,\"dropped\":0,\"retries\":1,\"expired\":2,\"recoveries\":0,\"max_attempts\":5,\
             \"lease_slots\":64,\"lease\":1.5}"
        );
    }

    #[test]
    fn prometheus_families_once_with_a_sample_per_queue() {
        let text = prometheus(&[snapshot("a"), snapshot("b.c")]);
        assert_eq!(text.matches("# TYPE shmqueue_length gauge\n").count(), 1);
        assert!(text.contains("# TYPE shmqueue_enqueued_total counter\n"));
        assert!(text.contains("shmqueue_length{queue=\"a\"} 3\nshmqueue_length{queue=\"b.c\"} 3\n"));
        assert!(text.contains("shmqueue_lease_seconds{queue=\"a\"} 1.5\n"));
        assert!(text.contains("shmqueue_usage_ratio{queue=\"a\"} 0.25\n"));
        for line in text.lines().filter(|line| !line.starts_with('#')) {
            let (series, value) = line.rsplit_once(' ').expect("a sample is 'series value'");
            assert!(value.parse::<f64>().is_ok(), "{line}");
            let family = series.split('{').next().unwrap_or_default();
            assert!(
                text.contains(&format!("# TYPE {family} ")),
                "{line} has no TYPE line"
            );
        }
        // Every counter's name ends in _total, and no gauge's does.
        for metric in &METRICS {
            assert_eq!(
                metric.name.ends_with("_total"),
                metric.kind == Kind::Counter,
                "{}",
                metric.name
            );
        }
    }

    #[test]
    fn text_names_each_field() {
        let text = text(&snapshot("jobs"));
        assert!(text.contains("length           3\n"), "{text}");
        assert!(text.contains("lease            1.5 s\n"), "{text}");
        assert!(text.contains("usage            25.0%\n"), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c"), "a\\\"b\\\\c");
        assert_eq!(json_string("a\"\u{1}"), "\"a\\\"\\u0001\"");
    }
}
