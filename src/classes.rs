//! The PHP classes: `SHMQueue` and `SHMQueueJob`. Each method adapts its PHP signature and
//! hands over to `Handle`; errors become `SHMQueueException` through `error.rs`.
#![allow(non_snake_case)] // PHP parameter names are the Rust identifiers (`maxAttempts`).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;
use shmqueue_core::Lease;

use crate::error::Error;
use crate::handle::Handle;
use crate::settings::Requested;

/// A job taken with `SHMQueue::reserve()`: hand it back with `ack()` or `release()`.
#[php_class]
#[php(name = "SHMQueueJob")]
#[php(flags = ClassFlags::Final.union(ClassFlags::NoDynamicProperties))]
pub struct ShmQueueJob {
    lease: Lease,
    value: Zval,
}

impl ShmQueueJob {
    /// The value, for the cycle collector (`gc.rs`).
    pub fn value_mut(&mut self) -> &mut Zval {
        &mut self.value
    }
}

#[php_impl]
impl ShmQueueJob {
    /// Job id: unique for the life of the queue, new on every delivery.
    #[php(getter)]
    pub fn get_id(&self) -> i64 {
        self.lease.token as i64
    }

    /// The message.
    #[php(getter)]
    pub fn get_value(&self) -> Zval {
        self.value.shallow_clone()
    }

    /// Deliveries so far, this one included (1 on the first).
    #[php(getter)]
    pub fn get_attempts(&self) -> i64 {
        self.lease.attempts as i64
    }

    /// When the lease runs out (unix time, seconds): the job is then delivered again.
    #[php(getter)]
    pub fn get_leaseUntil(&self) -> f64 {
        self.lease.until_ms as f64 / 1000.0
    }
}

/// A queue in shared memory, shared by every process on this machine that opens the same name.
/// Not final: code written for the userland class extends it (`class MailQueue extends SHMQueue`).
#[php_class]
#[php(name = "SHMQueue")]
#[php(implements(ce = ce::countable, stub = "\\Countable"))]
/// Starts unopened (`Default`) so that `constructor.rs` can open it in place.
#[derive(Default)]
pub struct ShmQueue {
    handle: Option<Handle>,
}

impl ShmQueue {
    /// What `new SHMQueue(...)` does, whichever handler runs it.
    pub fn open(
        name: Option<&str>,
        capacity: Option<i64>,
        lease: Option<f64>,
        max_attempts: Option<i64>,
        durable: bool,
    ) -> Result<Self, Error> {
        let requested = Requested::new(capacity, lease, max_attempts, durable)?;
        Ok(Self {
            handle: Some(match name {
                Some(name) => Handle::open(name, &requested)?,
                None => Handle::open_default(&requested)?,
            }),
        })
    }

    /// The open queue; PHP can only reach an unopened object after its constructor failed.
    fn handle(&mut self) -> Result<&mut Handle, Error> {
        // A match, not ok_or: ok_or builds (and drops, out of line) the error on every call.
        match self.handle.as_mut() {
            Some(handle) => Ok(handle),
            None => Err(Error::NotOpened),
        }
    }
}

#[php_impl]
impl ShmQueue {
    /// Opens the queue `$name` (default: ini shmqueue.default_name, "default"), creating it if needed with `$capacity` bytes
    /// (default: ini shmqueue.default_capacity), leases of `$lease` seconds (shmqueue.lease) and
    /// `$maxAttempts` deliveries per job (shmqueue.max_attempts). An existing queue keeps the
    /// settings it was created with. (`constructor.rs` takes this method's place at run time.)
    pub fn __construct(
        name: Option<&str>,
        capacity: Option<i64>,
        lease: Option<f64>,
        maxAttempts: Option<i64>,
        durable: Option<bool>,
    ) -> PhpResult<Self> {
        let durable = durable.unwrap_or(false);
        Ok(Self::open(name, capacity, lease, maxAttempts, durable)?)
    }

    /// Deletes the queue `$name` and its messages; false if there was none.
    pub fn remove(name: &str) -> PhpResult<bool> {
        Ok(Handle::remove(name)?)
    }

    /// Stores `$value`: true when stored, false when there is no room (after waiting up to
    /// `$timeout` seconds for some). Throws when the value can never be stored.
    #[php(name = "enQueue")]
    #[php(defaults(timeout = 0.0))]
    pub fn en_queue(&mut self, value: &Zval, timeout: f64) -> PhpResult<bool> {
        Ok(self.handle()?.enqueue(value, timeout)?)
    }

    /// Stores `$value`, to be delivered no sooner than `$delay` seconds from now.
    #[php(name = "enQueueDelayed")]
    pub fn en_queue_delayed(&mut self, value: &Zval, delay: f64) -> PhpResult<bool> {
        Ok(self.handle()?.enqueue_delayed(value, delay)?)
    }

    /// Stores the longest prefix of `$values` that fits, under one lock; returns how many.
    #[php(name = "enQueueMany")]
    pub fn en_queue_many(&mut self, values: &ZendHashTable) -> PhpResult<i64> {
        Ok(self.handle()?.enqueue_many(values)?)
    }

    /// The oldest message, or false when there is none (after waiting up to `$timeout` seconds).
    #[php(name = "deQueue")]
    #[php(defaults(timeout = 0.0))]
    pub fn de_queue(&mut self, timeout: f64) -> PhpResult<Zval> {
        Ok(self.handle()?.dequeue(timeout)?)
    }

    /// Up to `$max` of the oldest messages, taken under one lock (waiting up to `$timeout`
    /// seconds for the first).
    #[php(name = "deQueueMany")]
    #[php(defaults(timeout = 0.0))]
    pub fn de_queue_many(&mut self, max: i64, timeout: f64) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(self.handle()?.dequeue_many(max, timeout)?)
    }

    /// Messages waiting (ready now or delayed); leased and dead ones are not counted.
    #[php(name = "getLength")]
    pub fn get_length(&mut self) -> PhpResult<i64> {
        Ok(self.handle()?.length()?)
    }

    /// Same as getLength(), for count($queue).
    pub fn count(&mut self) -> PhpResult<i64> {
        Ok(self.handle()?.length()?)
    }

    /// Counters since creation and settings.
    pub fn stats(&mut self) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(self.handle()?.stats()?)
    }

    /// Takes the oldest available message under a lease of `$lease` seconds (default: the
    /// queue's), waiting up to `$timeout` seconds; null when none came.
    #[php(defaults(timeout = 0.0))]
    pub fn reserve(&mut self, timeout: f64, lease: Option<f64>) -> PhpResult<Option<ShmQueueJob>> {
        let reserved = self.handle()?.reserve(timeout, lease)?;
        Ok(reserved.map(|reserved| ShmQueueJob {
            lease: reserved.lease,
            value: reserved.value,
        }))
    }

    /// Removes a reserved job for good; false when its lease had run out and it went to
    /// someone else (or to the dead letters).
    pub fn ack(&mut self, job: &ShmQueueJob) -> PhpResult<bool> {
        Ok(self.handle()?.ack(&job.lease)?)
    }

    /// Puts a reserved job back for another attempt, not before `$delay` seconds; to the dead
    /// letters when it has used its attempts. False when its lease was already lost.
    #[php(defaults(delay = 0.0))]
    pub fn release(&mut self, job: &ShmQueueJob, delay: f64) -> PhpResult<bool> {
        Ok(self.handle()?.release(&job.lease, delay)?)
    }

    /// Extends the lease of a job this process still holds to `$seconds` from now (its
    /// leaseUntil follows), so that a long task keeps it. False when the lease was already
    /// lost: acked, released, or run out and taken by someone else.
    pub fn extend(&mut self, job: &mut ShmQueueJob, seconds: f64) -> PhpResult<bool> {
        let Some(until_ms) = self.handle()?.extend(&job.lease, seconds)? else {
            return Ok(false);
        };
        job.lease.until_ms = until_ms;
        Ok(true)
    }

    /// Up to `$max` dead letters, oldest first, each as ['value' => ..., 'attempts' => n].
    #[php(name = "deadLetters")]
    #[php(defaults(max = 100))]
    pub fn dead_letters(&mut self, max: i64) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(self.handle()?.dead_letters(max)?)
    }

    /// Up to `$max` messages, oldest first, left where they are (nothing is taken or counted):
    /// each as ['value' => ..., 'state' => 'ready'|'delayed'|'reserved'|'dead', 'attempts' => n].
    #[php(defaults(max = 100))]
    pub fn peek(&mut self, max: i64) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(self.handle()?.peek(max)?)
    }

    /// Stops every take (deQueue, reserve and their batch forms find nothing; blocked ones keep
    /// waiting) in every process until resume(); enQueue goes on. False if already paused.
    pub fn pause(&mut self) -> PhpResult<bool> {
        Ok(self.handle()?.pause()?)
    }

    /// Lets takes go on again and wakes the blocked ones; false if it was not paused.
    pub fn resume(&mut self) -> PhpResult<bool> {
        Ok(self.handle()?.resume()?)
    }

    /// Whether the queue is paused.
    #[php(name = "isPaused")]
    pub fn is_paused(&mut self) -> PhpResult<bool> {
        Ok(self.handle()?.is_paused()?)
    }

    /// Makes every dead letter available again, with its attempts reset; returns how many.
    #[php(name = "requeueDead")]
    pub fn requeue_dead(&mut self) -> PhpResult<i64> {
        Ok(self.handle()?.requeue_dead()?)
    }

    /// Deletes every dead letter; returns how many.
    #[php(name = "purgeDead")]
    pub fn purge_dead(&mut self) -> PhpResult<i64> {
        Ok(self.handle()?.purge_dead()?)
    }
}
