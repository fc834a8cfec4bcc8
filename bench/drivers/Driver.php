<?php
// What every queue under test offers the shapes. The inner loops live in the drivers (batch(),
// send(), receive()) so that what is timed is the queue's own calls, not a generic dispatch.

abstract class Driver
{
    /** Short name used in the table and the BENCH lines. */
    abstract public function name(): string;

    /** Why this driver cannot carry $value in batches of $batch (null: it can). */
    public function unsupported(mixed $value, int $batch): ?string
    {
        return null;
    }

    /** Anything the table should say about this driver's run of $value (null: nothing). */
    public function note(mixed $value, int $batch): ?string
    {
        return null;
    }

    /** True for drivers that open their queue for every operation (the php-fpm pattern): their
     * ratios are taken to ext-per-op, never to a driver that keeps its queue open. */
    public function perRequest(): bool
    {
        return false;
    }

    /** False for drivers that live in one process (they are skipped in the forked shape). */
    public function shareable(): bool
    {
        return true;
    }

    /** Makes a fresh, empty queue (called in the parent before each measured run). */
    public function prepare(): void
    {
    }

    /** Connects/opens in the current process (after fork, in each child). */
    public function attach(): void
    {
    }

    /** $n enqueues of $value then $n dequeues; returns the last value dequeued. */
    abstract public function batch(mixed $value, int $n): mixed;

    /** One enqueue that waits (or retries) until the message is stored. */
    public function send(mixed $value): void
    {
        throw new LogicException($this->name() . ' is not shareable');
    }

    /** One dequeue waiting up to about $timeout seconds; null when nothing came. */
    public function receive(float $timeout): mixed
    {
        throw new LogicException($this->name() . ' is not shareable');
    }

    /** Closes what attach() opened. */
    public function detach(): void
    {
    }

    /** Messages still stored (checked after every run: must be 0). */
    abstract public function leftover(): int;

    /** Deletes the queue and anything it left behind. */
    public function cleanup(): void
    {
    }
}
