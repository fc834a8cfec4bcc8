<?php

namespace ShmQueue\Symfony;

use Symfony\Component\Messenger\Stamp\NonSendableStampInterface;

/**
 * Put on every envelope the transport delivers: the reserved job that ack()/reject() settle.
 * Not sendable: a lease belongs to this delivery only.
 */
final class ShmQueueReceivedStamp implements NonSendableStampInterface
{
    public function __construct(private \SHMQueueJob $job)
    {
    }

    public function getJob(): \SHMQueueJob
    {
        return $this->job;
    }

    /** Deliveries of this message by the queue, this one included (worker deaths raise it). */
    public function getAttempts(): int
    {
        return $this->job->attempts;
    }
}
