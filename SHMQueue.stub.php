<?php

/**
 * Declarations of the shmqueue extension, for IDEs and static analysers. Never include it where
 * the extension is loaded. tests/stub/run.sh compares it with the loaded extension through
 * Reflection (classes, methods, parameters, types, defaults, constants, properties), both ways.
 */

/**
 * A queue in shared memory, shared by every process on this machine that opens the same name.
 * Segment: /dev/shm/shmqueue.<name>.
 */
class SHMQueue implements Countable
{
    /**
     * Opens the queue `$name` (default "default"), creating it if needed with `$capacity` bytes
     * (default: ini shmqueue.default_capacity), leases of `$lease` seconds (shmqueue.lease) and
     * `$maxAttempts` deliveries per job (shmqueue.max_attempts). An existing queue keeps the
     * settings it was created with. With `$durable` the queue is the file
     * `<shmqueue.durable_dir>/<name>.shmq`, kept on disk under the sync policy `shmqueue.sync`.
     *
     * Names: 1 to 200 characters of [A-Za-z0-9_.-], not starting with '.'. Capacity: at least
     * 4096 bytes. A null argument means its default.
     *
     * @throws SHMQueueException on an invalid name or setting, no permission, a damaged queue, a
     *         queue of another layout version, a name that exists as the other kind (durable or
     *         not), or a durable dir that is missing, not writable or full
     */
    public function __construct(
        ?string $name = null,
        ?int $capacity = null,
        ?float $lease = null,
        ?int $maxAttempts = null,
        ?bool $durable = null,
    ) {}

    /**
     * Deletes the queue `$name` and its messages; false if there was none. Processes that still
     * hold the old queue move to a new queue of that name at their next operation.
     *
     * @throws SHMQueueException
     */
    public static function remove(string $name): bool {}

    /**
     * Stores `$value`: true when stored, false when there is no room (after waiting up to
     * `$timeout` seconds for some). Throws when the value can never be stored (a resource, a
     * Closure, a recursive array, nesting deeper than 1024, larger than the queue).
     *
     * @throws SHMQueueException
     */
    public function enQueue(mixed $value, float $timeout = 0.0): bool {}

    /**
     * Stores `$value`, to be delivered no sooner than `$delay` seconds from now.
     *
     * @throws SHMQueueException
     */
    public function enQueueDelayed(mixed $value, float $delay): bool {}

    /**
     * Stores the longest prefix of `$values` that fits, under one lock; returns how many.
     *
     * @throws SHMQueueException
     */
    public function enQueueMany(array $values): int {}

    /**
     * The oldest message, or false when there is none (after waiting up to `$timeout` seconds).
     * Returns early (false) when a PHP signal is pending.
     *
     * @throws SHMQueueException
     */
    public function deQueue(float $timeout = 0.0): mixed {}

    /**
     * Up to `$max` of the oldest messages, taken under one lock (waiting up to `$timeout`
     * seconds for the first).
     *
     * @return list<mixed>
     * @throws SHMQueueException
     */
    public function deQueueMany(int $max, float $timeout = 0.0): array {}

    /**
     * Messages waiting (ready now or delayed); leased and dead ones are not counted.
     *
     * @throws SHMQueueException
     */
    public function getLength(): int {}

    /**
     * Same as getLength(), for count($queue).
     *
     * @throws SHMQueueException
     */
    public function count(): int {}

    /**
     * Counters since creation and settings.
     *
     * @return array{name: string, capacity: int, used_bytes: int, length: int, ready: int,
     *     in_flight: int, delayed: int, dead: int, enqueued: int, dequeued: int, purged: int,
     *     full_rejections: int, retries: int, expired: int, recoveries: int, max_attempts: int,
     *     lease_slots: int, lease: float}
     * @throws SHMQueueException
     */
    public function stats(): array {}

    /**
     * Takes the oldest available message under a lease of `$lease` seconds (default: the
     * queue's), waiting up to `$timeout` seconds; null when none came.
     *
     * @throws SHMQueueException
     */
    public function reserve(float $timeout = 0.0, ?float $lease = null): ?SHMQueueJob {}

    /**
     * Removes a reserved job for good; false when its lease had run out and it went to
     * someone else (or to the dead letters).
     *
     * @throws SHMQueueException
     */
    public function ack(SHMQueueJob $job): bool {}

    /**
     * Puts a reserved job back for another attempt, not before `$delay` seconds; to the dead
     * letters when it has used its attempts. False when its lease was already lost.
     *
     * @throws SHMQueueException
     */
    public function release(SHMQueueJob $job, float $delay = 0.0): bool {}

    /**
     * Extends the lease of a job this process still holds to `$seconds` from now (its
     * leaseUntil follows), so that a long task keeps it. False when the lease was already
     * lost: acked, released, or run out and taken by someone else.
     *
     * @throws SHMQueueException
     */
    public function extend(SHMQueueJob $job, float $seconds): bool {}

    /**
     * Up to `$max` dead letters, oldest first, each as ['value' => ..., 'attempts' => n].
     *
     * @return list<array{value: mixed, attempts: int}>
     * @throws SHMQueueException
     */
    public function deadLetters(int $max = 100): array {}

    /**
     * Up to `$max` messages, oldest first, left where they are (nothing is taken or counted):
     * each as ['value' => ..., 'state' => 'ready'|'delayed'|'reserved'|'dead', 'attempts' => n].
     *
     * @return list<array{value: mixed, state: string, attempts: int}>
     * @throws SHMQueueException
     */
    public function peek(int $max = 100): array {}

    /**
     * Stops every take: deQueue, deQueueMany, reserve find nothing (blocking calls keep waiting)
     * in every process until resume(); enQueue goes on. False if it was paused already.
     *
     * @throws SHMQueueException
     */
    public function pause(): bool {}

    /**
     * Lets takes go on again and wakes the calls blocked meanwhile; false if it was not paused.
     *
     * @throws SHMQueueException
     */
    public function resume(): bool {}

    /**
     * Whether the queue is paused.
     *
     * @throws SHMQueueException
     */
    public function isPaused(): bool {}

    /**
     * Makes every dead letter available again, with its attempts reset; returns how many.
     *
     * @throws SHMQueueException
     */
    public function requeueDead(): int {}

    /**
     * Deletes every dead letter; returns how many.
     *
     * @throws SHMQueueException
     */
    public function purgeDead(): int {}
}

/**
 * A job taken with `SHMQueue::reserve()`: hand it back with `ack()` or `release()`.
 * Its properties are read-only (writing one throws).
 */
final class SHMQueueJob
{
    /**
     * Job id: unique for the life of the queue, new on every delivery.
     *
     * @var int
     * @readonly
     */
    public $id;

    /**
     * The message.
     *
     * @var mixed
     * @readonly
     */
    public $value;

    /**
     * Deliveries so far, this one included (1 on the first).
     *
     * @var int
     * @readonly
     */
    public $attempts;

    /**
     * When the lease runs out (unix time, seconds): the job is then delivered again.
     *
     * @var float
     * @readonly
     */
    public $leaseUntil;

    /**
     * Jobs come only from SHMQueue::reserve(): calling this throws.
     *
     * @throws Exception always
     */
    public function __construct() {}
}

/**
 * Every failure of the extension: invalid arguments and settings, values that cannot be stored,
 * damaged messages or queues, no permission, a queue of another layout version, system errors.
 */
class SHMQueueException extends RuntimeException
{
}
