<?php

namespace ShmQueue\Laravel;

use Illuminate\Container\Container;
use Illuminate\Contracts\Queue\Job as JobContract;
use Illuminate\Queue\Jobs\Job;

/**
 * A job reserved from a shmqueue queue. delete() acks it, release() gives it back for another
 * attempt; attempts() is the queue's count of deliveries, so a job whose worker died (killed on
 * timeout, out of memory, ...) comes back with its attempts raised, as Laravel expects.
 */
class ShmQueueJob extends Job implements JobContract
{
    /** Seconds a lease extended to a job's timeout lasts beyond it (the worker's kill takes a moment). */
    private const TIMEOUT_MARGIN = 1;

    public function __construct(
        Container $container,
        private \SHMQueue $shm,
        private \SHMQueueJob $reserved,
        $connectionName,
        $queue,
    ) {
        $this->container = $container;
        $this->connectionName = $connectionName;
        $this->queue = $queue;
    }

    /**
     * Runs the job. A job that declares a timeout longer than its lease (retry_after) has its
     * lease extended to that timeout first: Laravel's worker ends a job at its timeout, so
     * the job is not delivered to another worker while it legitimately runs, and comes back
     * soon after the timeout if its worker dies.
     */
    public function fire()
    {
        $timeout = $this->timeout();
        if ($timeout > 0 && $timeout + self::TIMEOUT_MARGIN > $this->reserved->leaseUntil - microtime(true)) {
            $this->extendLease($timeout + self::TIMEOUT_MARGIN);
        }

        return parent::fire();
    }

    /**
     * Keepalive for long jobs: keeps the job this worker's for $seconds from now (call it from
     * the job's handle(), `$this->job->extendLease(120)`, now and then). False when the lease
     * was lost already: it ran out and the job went to another worker.
     */
    public function extendLease(float $seconds): bool
    {
        return $this->shm->extend($this->reserved, $seconds);
    }

    public function getRawBody()
    {
        return $this->reserved->value;
    }

    /** The payload's uuid: the same on every delivery (the id push() returned). */
    public function getJobId()
    {
        return $this->payload()['uuid'] ?? (string) $this->reserved->id;
    }

    public function attempts()
    {
        return $this->reserved->attempts;
    }

    public function delete()
    {
        parent::delete();
        // false means the lease had run out and the job went to another worker already:
        // delivery is at least once, like Laravel's other drivers after retry_after.
        $this->shm->ack($this->reserved);
    }

    public function release($delay = 0)
    {
        parent::release($delay);
        // At max_attempts deliveries the queue puts the job in its dead letters instead.
        $this->shm->release($this->reserved, max(0.0, (float) $this->secondsUntil($delay)));
    }

    /** The extension's job: id of this delivery, attempts, leaseUntil. */
    public function getShmJob(): \SHMQueueJob
    {
        return $this->reserved;
    }
}
