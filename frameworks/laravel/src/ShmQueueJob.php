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
