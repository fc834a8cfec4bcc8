//! Moving a queue's messages out and back in, independently of the segment layout: `snapshot`
//! copies every message with its state, attempts and time under one lock (the caller writes
//! them wherever it likes after the lock is released), `restore` appends such messages to a
//! queue, all of them or none.
//!
//! A lease does not survive the trip: a leased message is restored ready, its attempts kept,
//! because the worker holding it cannot ack it in another queue.

use std::sync::atomic::Ordering;

use crate::clock::now_ms;
use crate::error::Result;
use crate::journal::Txn;
use crate::layout::{RecordHeader, RecordState, SLOT_LEASE};
use crate::queue::Queue;
use crate::records::COMPACT_MOVES;
use crate::ring::Ring;
use crate::segment::CreateOptions;
use crate::waiting::Event;

/// The state of a message as a snapshot keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Ready,
    /// Not taken before this time (unix ms): a delayed message or a delayed retry.
    Delayed {
        not_before_ms: u64,
    },
    /// Reserved by a worker until this time (unix ms); restored as ready.
    Leased {
        until_ms: u64,
    },
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kept: Kept,
    /// Deliveries so far.
    pub attempts: u32,
    pub payload: Vec<u8>,
}

/// Every message of a queue at one instant, oldest first, and the settings it was created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub settings: CreateOptions,
    pub taken_at_ms: u64,
    pub messages: Vec<Message>,
}

impl Queue {
    /// Copies every message under one lock (as long as copying the ring's bytes takes), so the
    /// copy is consistent. Expired leases out of attempts go to the dead letters first, as any
    /// look at the queue would do. The queue is left as it is.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let mut messages = Vec::new();
        let mut taken_at_ms = 0;
        self.with_ring(|ring| {
            messages.clear();
            taken_at_ms = now_ms();
            ring.sweep_expired(taken_at_ms)?;
            copy_messages(ring, &mut messages)
        })?;
        Ok(Snapshot {
            settings: self.segment.creation_options(),
            taken_at_ms,
            messages,
        })
    }

    /// Appends `messages` in order under one lock, with their attempts (at most 255 kept) and
    /// delays; dead letters stay dead, leased ones become ready. Either all are stored
    /// (`Some(count)`) or, when the queue has no room for all of them now, none (`None`). A
    /// message that could never fit in this queue is an error, and nothing is stored.
    pub fn restore(&mut self, messages: &[Message]) -> Result<Option<usize>> {
        let stored = self.with_ring(|ring| {
            for message in messages {
                ring.check_fits(message.payload.len() as u64, delay_of(message).is_some())?;
            }
            let needs = || {
                messages.iter().map(|message| {
                    let (len, delayed) = (message.payload.len(), delay_of(message).is_some());
                    let header = ring
                        .records
                        .new_header(len as u32, RecordState::Ready, delayed);
                    header.footprint()
                })
            };
            if !ring.records.fit_in_order(needs())? {
                ring.records.compact(COMPACT_MOVES)?;
                if !ring.records.fit_in_order(needs())? {
                    return Ok(None);
                }
            }
            // Every record is written beyond the tail first, then one transaction publishes
            // them all: an import killed part-way stores nothing, so running it again never
            // stores a message twice.
            let (first_head, mut tail) = ring.records.bounds()?;
            let mut head = first_head;
            let counters = &ring.header.counters;
            let mut txn = Txn::new(ring.segment);
            for message in messages {
                let state = match message.kept {
                    Kept::Dead => RecordState::Dead,
                    Kept::Delayed { .. } => RecordState::Delayed,
                    Kept::Ready | Kept::Leased { .. } => RecordState::Ready,
                };
                let header = RecordHeader {
                    attempts: message.attempts.min(u8::MAX.into()) as u8,
                    ..ring.records.new_header(
                        message.payload.len() as u32,
                        state,
                        delay_of(message).is_some(),
                    )
                };
                // Cannot be refused: `fit_in_order` placed every record just so.
                let Some(placement) = ring.records.placement(head, tail, header.footprint()) else {
                    return Ok(None);
                };
                ring.records.write(
                    &placement,
                    header,
                    delay_of(message),
                    (&message.payload).into(),
                    None,
                );
                (head, tail) = placement.after();
                let counter = match state {
                    RecordState::Dead => &counters.dead,
                    RecordState::Delayed => &counters.delayed,
                    _ => &counters.ready,
                };
                txn.add(counter, 1);
            }
            crate::hooks::pause_point("record-written");
            if head != first_head {
                txn.set(&ring.header.head, head);
            }
            txn.set(&ring.header.tail, tail);
            txn.add(&counters.enqueued, messages.len() as i64);
            txn.commit();
            Ok(Some(messages.len()))
        })?;
        if let Some(count) = stored.filter(|&count| count > 0) {
            self.notify(Event::NotEmpty, count);
        }
        Ok(stored)
    }
}

fn delay_of(message: &Message) -> Option<u64> {
    match message.kept {
        Kept::Delayed { not_before_ms } => Some(not_before_ms),
        _ => None,
    }
}

fn copy_messages(ring: &Ring, out: &mut Vec<Message>) -> Result<()> {
    let records = &ring.records;
    for record in records.walk()? {
        let (pos, header) = record?;
        let kept = match header.state {
            RecordState::Ready => Kept::Ready,
            RecordState::Dead => Kept::Dead,
            RecordState::Delayed => Kept::Delayed {
                not_before_ms: records.not_before(pos),
            },
            RecordState::Leased => {
                let slot = records.slot_of(pos, header)?;
                let until_ms = slot.until_ms.load(Ordering::Acquire);
                if slot.kind.load(Ordering::Acquire) == SLOT_LEASE {
                    Kept::Leased { until_ms }
                } else {
                    // A delayed retry that kept its slot (the ring had no room when released).
                    Kept::Delayed {
                        not_before_ms: until_ms,
                    }
                }
            }
            RecordState::Done | RecordState::Padding => continue,
        };
        let mut payload = Vec::with_capacity(header.len as usize);
        records.copy_payload(pos, header, &mut payload);
        out.push(Message {
            kept,
            attempts: header.attempts.into(),
            payload,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new queue for one test, removed when dropped.
    struct Fresh(Queue);

    impl Fresh {
        fn new(tag: &str, capacity: u64, max_attempts: u32) -> Fresh {
            let name = format!("coreunit-transfer-{tag}-{}", std::process::id());
            Queue::remove(&name).expect("remove a leftover");
            let options = CreateOptions {
                capacity,
                max_attempts,
                ..CreateOptions::default()
            };
            Fresh(Queue::open(&name, || Ok(options)).expect("create"))
        }
    }

    impl Drop for Fresh {
        fn drop(&mut self) {
            let _ = Queue::remove(self.0.name());
        }
    }

    fn summary(snapshot: &Snapshot) -> Vec<(Kept, u32, Vec<u8>)> {
        let strip = |kept| match kept {
            Kept::Leased { .. } => Kept::Leased { until_ms: 0 },
            other => other,
        };
        snapshot
            .messages
            .iter()
            .map(|m| (strip(m.kept), m.attempts, m.payload.clone()))
            .collect()
    }

    #[test]
    fn a_snapshot_restores_every_state_in_order_and_leases_come_back_ready() {
        let mut source = Fresh::new("source", 1 << 16, 2);
        let queue = &mut source.0;
        let later = now_ms() + 3_600_000;
        assert!(queue.push(b"dead").expect("store"));
        let mut out = Vec::new();
        for _ in 0..2 {
            let lease = queue
                .reserve(Some(60_000), &mut out)
                .expect("reserve")
                .expect("a job");
            queue.release(&lease, 0).expect("store");
        }
        assert!(queue.push(b"retried").expect("store"));
        let lease = queue
            .reserve(Some(60_000), &mut out)
            .expect("reserve")
            .expect("a job");
        assert!(queue.release(&lease, 3_600_000).expect("store"));
        assert!(queue.push(b"leased").expect("store"));
        queue
            .reserve(Some(60_000), &mut out)
            .expect("reserve")
            .expect("a job");
        assert!(queue.push_at(b"delayed", Some(later)).expect("store"));
        assert!(queue.push(b"").expect("store"));
        assert!(queue.push(&[0, 255, 1]).expect("store"));

        let snapshot = queue.snapshot().expect("snapshot");
        assert_eq!(snapshot.settings.max_attempts, 2);
        let states = summary(&snapshot);
        assert_eq!(states[0], (Kept::Dead, 2, b"dead".to_vec()));
        assert!(
            matches!(states[1].0, Kept::Delayed { not_before_ms } if not_before_ms > later - 10_000)
        );
        assert_eq!((states[1].1, &states[1].2[..]), (1, &b"retried"[..]));
        assert_eq!(
            states[2],
            (Kept::Leased { until_ms: 0 }, 1, b"leased".to_vec())
        );
        assert_eq!(
            states[3],
            (
                Kept::Delayed {
                    not_before_ms: later
                },
                0,
                b"delayed".to_vec()
            )
        );
        assert_eq!(states[4], (Kept::Ready, 0, Vec::new()));
        assert_eq!(states[5], (Kept::Ready, 0, vec![0, 255, 1]));
        assert_eq!(
            queue.snapshot().expect("snapshot").messages,
            snapshot.messages,
            "left as it was"
        );

        let mut target = Fresh::new("target", 1 << 16, 2);
        assert_eq!(
            target.0.restore(&snapshot.messages).expect("restore"),
            Some(6)
        );
        let restored = summary(&target.0.snapshot().expect("snapshot"));
        let mut expected = summary(&snapshot);
        expected[2].0 = Kept::Ready;
        assert_eq!(restored, expected);
        let stats = target.0.stats().expect("stats");
        assert_eq!(
            (stats.ready, stats.delayed, stats.dead, stats.in_flight),
            (3, 2, 1, 0)
        );
        // The formerly leased message comes first, its attempt counted.
        let lease = target
            .0
            .reserve(None, &mut out)
            .expect("reserve")
            .expect("a job");
        assert_eq!(lease.attempts, 2);
    }

    #[test]
    fn without_room_for_all_nothing_is_restored() {
        let mut target = Fresh::new("full", 4096, 5);
        let message = |len| Message {
            kept: Kept::Ready,
            attempts: 0,
            payload: vec![9; len],
        };
        assert!(target.0.push(&[1; 1000]).expect("store"));
        let messages = vec![message(1200), message(1200), message(1200)];
        assert_eq!(target.0.restore(&messages).expect("restore"), None);
        assert_eq!(target.0.len().expect("len"), 1, "nothing stored");
        assert_eq!(target.0.restore(&messages[..2]).expect("restore"), Some(2));
        assert_eq!(target.0.len().expect("len"), 3);

        let too_large = vec![message(10), message(5000)];
        assert!(matches!(
            target.0.restore(&too_large),
            Err(crate::QueueError::TooLarge { len: 5000, .. })
        ));
        assert_eq!(target.0.len().expect("len"), 3, "nothing stored");
    }
}
