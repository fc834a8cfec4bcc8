//! What each PHP method does, in plain Rust with typed errors: encode outside the lock, one core
//! call, decode outside the lock. `classes.rs` only adapts signatures to PHP.

use std::cell::{Cell, UnsafeCell};
use std::thread::LocalKey;
use std::time::Duration;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, Zval};
use shmqueue_codec::Writer;
use shmqueue_core::layout::RecordState;
use shmqueue_core::{Event, Lease, Queue, QueueError};

use crate::big_string::Taker;
use crate::codec;
use crate::error::{Error, Result};
use crate::settings::{self, Requested};
use crate::zend;

/// A buffer kept between calls so that messages cost no allocation. A bailout (a fatal error)
/// can jump over the frame using it: it then stays marked in use, still owned here (nothing
/// leaks), until `reclaim_scratch` at the next request start.
struct Scratch<T> {
    in_use: Cell<bool>,
    value: UnsafeCell<T>,
}

impl<T: Default> Default for Scratch<T> {
    fn default() -> Self {
        Self {
            in_use: Cell::new(false),
            value: UnsafeCell::default(),
        }
    }
}

/// Buffers that grew past this for one big message are let go of after it.
const SCRATCH_KEPT: usize = 1 << 20;

thread_local! {
    static WRITER: Scratch<Writer> = Scratch::default();
    static READ_BUFFER: Scratch<Vec<u8>> = Scratch::default();
}

/// Runs `f` with the scratch value kept in `slot`; a re-entrant call (a `__serialize` that
/// enqueues) simply gets a fresh one.
fn with_scratch<T: Default, R>(
    slot: &'static LocalKey<Scratch<T>>,
    too_big: impl Fn(&T) -> bool,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    slot.with(|scratch| {
        if scratch.in_use.replace(true) {
            return f(&mut T::default());
        }
        // SAFETY: `in_use` makes this the only reference: re-entrant calls took the branch above.
        let value = unsafe { &mut *scratch.value.get() };
        let result = f(value);
        if too_big(value) {
            *value = T::default();
        }
        scratch.in_use.set(false);
        result
    })
}

fn with_writer<R>(f: impl FnOnce(&mut Writer) -> R) -> R {
    with_scratch(&WRITER, |writer| writer.len() > SCRATCH_KEPT, f)
}

/// Runs `f` with an empty reusable byte buffer.
fn with_read_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    with_scratch(
        &READ_BUFFER,
        |buffer| buffer.capacity() > SCRATCH_KEPT,
        |buffer| {
            buffer.clear();
            f(buffer)
        },
    )
}

/// At request start no call of ours is running: buffers a bailout left marked in use are free.
pub fn reclaim_scratch() {
    WRITER.with(|scratch| scratch.in_use.set(false));
    READ_BUFFER.with(|scratch| scratch.in_use.set(false));
}

fn invalid(what: &'static str, why: String) -> Error {
    Error::Queue(QueueError::InvalidArgument { what, why })
}

/// A message taken under a lease, for `SHMQueueJob`.
pub struct Reserved {
    pub lease: Lease,
    pub value: Zval,
}

/// One message for PHP: ['value' => ..., ('state' => ...,) 'attempts' => n]; one that cannot be
/// decoded comes with 'value' => null and 'error' => why (a script ending while decoding it ends
/// the call).
fn message_entry(blob: &[u8], attempts: u32, state: Option<&str>) -> Result<Zval> {
    let mut entry = ZendHashTable::with_capacity(4);
    let mut why = None;
    match codec::decode(blob) {
        Ok(value) => zend::insert_str(&mut entry, b"value", value),
        Err(error) if error.is_ending() => return Err(error),
        Err(error) => {
            let mut null = Zval::new();
            null.set_null();
            zend::insert_str(&mut entry, b"value", null);
            why = Some(error.to_string());
        }
    }
    if let Some(state) = state {
        zend::insert_str(&mut entry, b"state", zend::string_zval(state.as_bytes()));
    }
    let mut count = Zval::new();
    count.set_long(attempts as i64);
    zend::insert_str(&mut entry, b"attempts", count);
    if let Some(why) = why {
        zend::insert_str(&mut entry, b"error", zend::string_zval(why.as_bytes()));
    }
    let mut zv = Zval::new();
    zv.set_hashtable(entry);
    Ok(zv)
}

/// The keys only a durable queue's `stats()` has.
fn durable_stats(table: &mut ZendHashTable, durable: &shmqueue_core::DurableStats) {
    let mut yes = Zval::new();
    yes.set_bool(true);
    zend::insert_str(table, b"durable", yes);
    zend::insert_str(table, b"path", zend::string_zval(durable.path.as_bytes()));
    let policy = durable.sync.name().as_bytes();
    zend::insert_str(table, b"sync", zend::string_zval(policy));
    let mut interval = Zval::new();
    interval.set_double(f64::from(durable.sync_interval_ms) / 1000.0);
    zend::insert_str(table, b"sync_interval", interval);
    for (key, count) in [
        ("torn_dropped", durable.torn_dropped),
        ("changes", durable.changes),
        ("flushes", durable.flushes),
        ("boots", durable.boots),
    ] {
        let mut zv = Zval::new();
        zv.set_long(count.min(i64::MAX as u64) as i64);
        zend::insert_str(table, key.as_bytes(), zv);
    }
}

pub struct Handle {
    queue: Queue,
    /// The length of the last message `deQueue` took, when it was a big string: the size of
    /// string to allocate before the next one (`big_string`).
    big_string_len: usize,
}

impl Handle {
    pub fn open(name: &str, requested: &Requested) -> Result<Handle> {
        let mut open = settings::open_options()?;
        open.place.durable = requested.durable;
        Ok(Handle {
            queue: Queue::open_with(name, open, || requested.create_options())?,
            big_string_len: 0,
        })
    }

    /// Opens `shmqueue.default_name`; refused for lack of permission, it says how two sites
    /// that share a machine give each its own default queue.
    pub fn open_default(requested: &Requested) -> Result<Handle> {
        let name = settings::default_name();
        Self::open(&name, requested).map_err(|error| match error {
            Error::Queue(QueueError::PermissionDenied { .. }) => Error::OtherSitesDefault {
                name,
                source: Box::new(error),
            },
            other => other,
        })
    }

    fn limit(&self) -> codec::Limit<'_> {
        codec::Limit {
            queue: self.queue.name(),
            max_len: self.queue.max_message_len(),
        }
    }

    /// Removes the queue of that name, whichever kind it is.
    pub fn remove(name: &str) -> Result<bool> {
        let mut place = settings::open_options()?.place;
        place.durable = place.other_exists(name);
        Ok(Queue::remove_at(name, &place)?)
    }

    /// Waits up to `timeout` for `attempt`, returning early when PHP has a signal to deliver.
    fn wait<R>(
        &mut self,
        event: Event,
        timeout: Duration,
        attempt: impl FnMut(&mut Queue) -> shmqueue_core::Result<Option<R>>,
    ) -> Result<Option<R>> {
        Ok(self
            .queue
            .wait_for(event, timeout, &mut zend::interrupt_pending, attempt)?)
    }

    pub fn enqueue(&mut self, value: &Zval, timeout: f64) -> Result<bool> {
        let timeout = settings::duration("timeout", timeout)?;
        with_writer(|writer| {
            let payload = codec::encode_payload(value, writer, &self.limit())?;
            if timeout.is_zero() {
                return Ok(self.queue.push(payload)?);
            }
            Ok(self
                .queue
                .push_waiting(payload, timeout, &mut zend::interrupt_pending)?)
        })
    }

    pub fn enqueue_delayed(&mut self, value: &Zval, delay: f64) -> Result<bool> {
        let delay_ms = settings::milliseconds("delay", delay)?;
        with_writer(|writer| {
            let payload = codec::encode_payload(value, writer, &self.limit())?;
            let not_before = (delay_ms > 0).then(|| shmqueue_core::deadline_ms(delay_ms));
            Ok(self.queue.push_at(payload, not_before)?)
        })
    }

    pub fn enqueue_many(&mut self, values: &ZendHashTable) -> Result<i64> {
        // Encode everything first: a value that cannot be stored fails the call before any is stored.
        let mut blobs = Vec::with_capacity(values.len());
        let limit = self.limit();
        zend::for_each(values, |_, value| {
            with_writer(|writer| {
                codec::encode(value, writer, &limit)?;
                blobs.push(writer.as_bytes().to_vec());
                Ok::<(), Error>(())
            })
        })?;
        let slices: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
        Ok(self.queue.push_many(&slices)? as i64)
    }

    pub fn dequeue(&mut self, timeout: f64) -> Result<Zval> {
        let timeout = settings::duration("timeout", timeout)?;
        with_read_buffer(|bytes| {
            let mut taker = Taker::new(self.big_string_len, bytes);
            let taken = if timeout.is_zero() {
                self.queue.pop(&mut taker)?
            } else {
                self.wait(Event::NotEmpty, timeout, |queue| {
                    Ok(queue.pop(&mut taker)?.then_some(()))
                })?
                .is_some()
            };
            if !taken {
                let mut none = Zval::new();
                none.set_bool(false);
                return Ok(none);
            }
            self.big_string_len = taker.big_len();
            if let Some(string) = taker.finish() {
                return Ok(string);
            }
            codec::decode(bytes).map_err(|error| self.undelivered(&[bytes], error))
        })
    }

    /// Messages taken but not delivered, because decoding failed (or the script ended while
    /// decoding) go to the dead letters rather than being lost; returns the error to report.
    fn undelivered(&mut self, payloads: &[&[u8]], error: Error) -> Error {
        match self.queue.bury(payloads) {
            _ if error.is_ending() => error,
            Ok(buried) if buried == payloads.len() => Error::MovedToDeadLetters(Box::new(error)),
            Ok(_) => Error::DroppedForLackOfRoom(Box::new(error)),
            Err(_) => error,
        }
    }

    /// A message that cannot be decoded does not take its neighbours with it: it goes to the
    /// dead letters and the others are returned. When the script ends while decoding (exit()
    /// or a fatal error in an object's `__wakeup`), the whole batch goes to the dead letters,
    /// since none of it reaches the caller.
    pub fn dequeue_many(&mut self, max: i64, timeout: f64) -> Result<ZBox<ZendHashTable>> {
        if max < 0 {
            return Err(invalid("max", format!("{max} is negative")));
        }
        let timeout = settings::duration("timeout", timeout)?;
        // What memory_limit leaves, with room for the values to be larger than their bytes:
        // the rest stays queued rather than the script dying half-way through the batch.
        let budget = zend::memory_left().map_or(u64::MAX, |left| left / 4);
        let mut blobs = Vec::new();
        self.wait(Event::NotEmpty, timeout, |queue| {
            Ok(
                (queue.pop_many_within(max as usize, budget, &mut blobs)? > 0 || max == 0)
                    .then_some(()),
            )
        })?;
        let mut undecodable: Vec<&[u8]> = Vec::new();
        let decoded = zend::catch_bailout(|| {
            let mut list = ZendHashTable::with_capacity(blobs.len() as u32);
            for blob in &blobs {
                match codec::decode(blob) {
                    Ok(value) => zend::push(&mut list, value),
                    Err(error) if error.is_ending() => return Ok(Err(error)),
                    Err(_) => undecodable.push(blob),
                }
            }
            Ok(Ok(list))
        });
        let ended = match decoded {
            Ok(Ok(list)) => {
                if !undecodable.is_empty() {
                    self.queue.bury(&undecodable)?;
                }
                return Ok(list);
            }
            Ok(Err(error)) => error,
            Err(_) => Error::Bailout,
        };
        let all: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
        Err(self.undelivered(&all, ended))
    }

    pub fn length(&mut self) -> Result<i64> {
        Ok(self.queue.len()? as i64)
    }

    pub fn stats(&mut self) -> Result<ZBox<ZendHashTable>> {
        let stats = self.queue.stats()?;
        let mut table = ZendHashTable::with_capacity(20);
        zend::insert_str(
            &mut table,
            b"name",
            zend::string_zval(self.queue.name().as_bytes()),
        );
        for (key, count) in stats.counts() {
            let mut zv = Zval::new();
            zv.set_long(count.min(i64::MAX as u64) as i64);
            zend::insert_str(&mut table, key.as_bytes(), zv);
        }
        let mut lease = Zval::new();
        lease.set_double(stats.lease_ms as f64 / 1000.0);
        zend::insert_str(&mut table, b"lease", lease);
        if let Some(durable) = self.queue.durable_stats() {
            durable_stats(&mut table, &durable);
        }
        Ok(table)
    }

    pub fn reserve(&mut self, timeout: f64, lease: Option<f64>) -> Result<Option<Reserved>> {
        let timeout = settings::duration("timeout", timeout)?;
        let lease_ms = lease
            .map(|seconds| settings::positive_milliseconds("lease", seconds))
            .transpose()?;
        let mut bytes = Vec::new();
        let reserved = self.wait(Event::NotEmpty, timeout, |queue| {
            bytes.clear();
            queue.reserve(lease_ms, &mut bytes)
        })?;
        // A job that cannot be decoded stays leased: it expires and ends in the dead letters.
        reserved
            .map(|lease| {
                Ok(Reserved {
                    lease,
                    value: codec::decode(&bytes)?,
                })
            })
            .transpose()
    }

    pub fn ack(&mut self, lease: &Lease) -> Result<bool> {
        Ok(self.queue.ack(lease)?)
    }

    pub fn release(&mut self, lease: &Lease, delay: f64) -> Result<bool> {
        let delay_ms = settings::milliseconds("delay", delay)?;
        Ok(self.queue.release(lease, delay_ms)?)
    }

    /// The lease's new end (unix ms), or `None` when it was lost.
    pub fn extend(&mut self, lease: &Lease, seconds: f64) -> Result<Option<u64>> {
        let lease_ms = settings::positive_milliseconds("seconds", seconds)?;
        Ok(self.queue.extend(lease, lease_ms)?)
    }

    /// Each letter as ['value' => ..., 'attempts' => n]; one that cannot be decoded comes as
    /// ['value' => null, 'attempts' => n, 'error' => why] and does not hide the others.
    pub fn dead_letters(&mut self, max: i64) -> Result<ZBox<ZendHashTable>> {
        let max = usize::try_from(max).map_err(|_| invalid("max", format!("{max} is negative")))?;
        let letters = self.queue.dead_letters(max)?;
        let mut list = ZendHashTable::with_capacity(letters.len() as u32);
        for (attempts, blob) in letters {
            zend::push(&mut list, message_entry(&blob, attempts, None)?);
        }
        Ok(list)
    }

    /// Up to `max` messages, oldest first, left in place: each as ['value' => ..., 'state' =>
    /// 'ready'|'delayed'|'reserved'|'dead', 'attempts' => n] (+ 'error', as in dead_letters).
    pub fn peek(&mut self, max: i64) -> Result<ZBox<ZendHashTable>> {
        let max = usize::try_from(max).map_err(|_| invalid("max", format!("{max} is negative")))?;
        let messages = self.queue.peek(max)?;
        let mut list = ZendHashTable::with_capacity(messages.len() as u32);
        for message in messages {
            let state = match message.state {
                RecordState::Ready => "ready",
                RecordState::Delayed => "delayed",
                // A delayed release kept in its lease slot (the ring was full) shows as reserved.
                RecordState::Leased => "reserved",
                _ => "dead",
            };
            zend::push(
                &mut list,
                message_entry(&message.payload, message.attempts, Some(state))?,
            );
        }
        Ok(list)
    }

    pub fn pause(&mut self) -> Result<bool> {
        Ok(self.queue.pause()?)
    }

    pub fn resume(&mut self) -> Result<bool> {
        Ok(self.queue.resume()?)
    }

    pub fn is_paused(&mut self) -> Result<bool> {
        Ok(self.queue.is_paused()?)
    }

    pub fn requeue_dead(&mut self) -> Result<i64> {
        Ok(self.queue.requeue_dead()? as i64)
    }

    pub fn purge_dead(&mut self) -> Result<i64> {
        Ok(self.queue.purge_dead()? as i64)
    }
}
