<?php

namespace ShmQueue\Laravel;

use Illuminate\Contracts\Queue\ClearableQueue;
use Illuminate\Contracts\Queue\Queue as QueueContract;
use Illuminate\Queue\InvalidPayloadException;
use Illuminate\Queue\Jobs\InspectedJob;
use Illuminate\Queue\Queue;
use Illuminate\Support\Collection;

/**
 * A Laravel queue connection whose queues are shmqueue queues (one per queue name).
 *
 * Jobs are Laravel's JSON payloads, stored as strings. pop() reserves a job under a lease
 * (the connection's retry_after): the job is acked when Laravel deletes it and released when
 * Laravel releases it; a job whose worker died comes back after the lease with attempts + 1.
 * Queue names may be strings or enums (Laravel 13 takes both).
 */
class ShmQueue extends Queue implements QueueContract, ClearableQueue
{
    /** @var array<string, \SHMQueue> open queues by full name */
    private array $queues = [];

    public function __construct(
        private string $default = 'default',
        private string $prefix = '',
        private ?int $capacity = null,
        private ?float $lease = null,
        private ?int $maxAttempts = null,
        private float $blockFor = 0.0,
        $dispatchAfterCommit = null,
    ) {
        $this->dispatchAfterCommit = $dispatchAfterCommit;
    }

    /**
     * Jobs on the queue: ready, delayed and reserved (what Laravel's Redis and database drivers
     * count, and what the Queue contract says since Laravel 12.19); dead letters are not.
     */
    public function size($queue = null): int
    {
        $stats = $this->shm($queue)->stats();

        return $stats['length'] + $stats['in_flight'];
    }

    /** Jobs ready to be taken now. */
    public function pendingSize($queue = null): int
    {
        return $this->shm($queue)->stats()['ready'];
    }

    /** Jobs pushed with later() or released with a delay that are not due yet. */
    public function delayedSize($queue = null): int
    {
        return $this->shm($queue)->stats()['delayed'];
    }

    /** Jobs reserved by a worker right now. */
    public function reservedSize($queue = null): int
    {
        return $this->shm($queue)->stats()['in_flight'];
    }

    /**
     * When the oldest job ready to be taken was pushed (unix time; queue:monitor shows it), or
     * null: none is ready, or its payload does not say (Laravel writes createdAt since 11).
     */
    public function creationTimeOfOldestPendingJob($queue = null): ?int
    {
        foreach ($this->messages($queue) as $message) {
            if ($message['state'] === 'ready') {
                $createdAt = is_string($message['value']) ? (json_decode($message['value'], true)['createdAt'] ?? null) : null;

                return is_int($createdAt) ? $createdAt : null;
            }
        }

        return null;
    }

    /** Laravel 13's inspection: the jobs ready to be taken, left in place. @return Collection<int, InspectedJob> */
    public function pendingJobs($queue = null): Collection
    {
        return $this->inspect($queue, 'ready');
    }

    /** The jobs pushed with later() or released with a delay, not due yet. @return Collection<int, InspectedJob> */
    public function delayedJobs($queue = null): Collection
    {
        return $this->inspect($queue, 'delayed');
    }

    /** The jobs workers hold now. @return Collection<int, InspectedJob> */
    public function reservedJobs($queue = null): Collection
    {
        return $this->inspect($queue, 'reserved');
    }

    public function push($job, $data = '', $queue = null)
    {
        return $this->enqueueUsing(
            $job,
            $this->createPayload($job, $this->getQueue($queue), $data),
            $queue,
            null,
            fn ($payload, $queue) => $this->pushRaw($payload, $queue),
        );
    }

    public function pushRaw($payload, $queue = null, array $options = [])
    {
        return $this->store($payload, $queue, 0.0);
    }

    public function later($delay, $job, $data = '', $queue = null)
    {
        return $this->enqueueUsing(
            $job,
            $this->createPayload($job, $this->getQueue($queue), $data),
            $queue,
            $delay,
            fn ($payload, $queue, $delay) => $this->store($payload, $queue, (float) $this->secondsUntil($delay)),
        );
    }

    public function pop($queue = null)
    {
        $queue = $this->name($queue);
        $shm = $this->shm($queue);
        $reserved = $shm->reserve($this->blockFor);
        if ($reserved === null) {
            return null;
        }
        if (!is_string($reserved->value)) {
            // Not a Laravel payload (someone else writes to this queue): give it back, so that
            // after max_attempts deliveries it rests in the dead letters instead of being lost.
            $shm->release($reserved);
            throw new InvalidPayloadException(sprintf(
                'shmqueue "%s" delivered a %s where a Laravel job payload (string) was expected',
                $this->getQueue($queue), get_debug_type($reserved->value),
            ));
        }

        return new ShmQueueJob($this->container, $shm, $reserved, $this->connectionName, $queue);
    }

    /**
     * Jobs that used up max_attempts deliveries without being deleted or failed by Laravel
     * (typically: their workers died each time), as ['value' => payload, 'attempts' => n].
     */
    public function deadLetters($queue = null, int $max = 100): array
    {
        return $this->shm($queue)->deadLetters($max);
    }

    /** Puts every dead letter back on the queue with its attempts reset; returns how many. */
    public function retryDeadLetters($queue = null): int
    {
        return $this->shm($queue)->requeueDead();
    }

    /** Deletes every dead letter; returns how many. */
    public function purgeDeadLetters($queue = null): int
    {
        return $this->shm($queue)->purgeDead();
    }

    /**
     * queue:clear: deletes the queue with everything on it (ready, delayed and reserved jobs,
     * dead letters too) and returns how many jobs it held. Workers holding one of its jobs
     * find their delete() or release() refused; the queue is created again, empty, on its
     * next use.
     */
    public function clear($queue): int
    {
        $name = $this->getQueue($queue);
        $size = $this->size($queue);
        unset($this->queues[$name]);
        \SHMQueue::remove($name);

        return $size;
    }

    /** The full shmqueue name of a Laravel queue name (the prefix put before it). */
    public function getQueue($queue): string
    {
        return $this->prefix . $this->name($queue);
    }

    /** A Laravel queue name: the default for none, an enum's value (or name if it has none). */
    private function name($queue): string
    {
        if ($queue instanceof \BackedEnum) {
            $queue = $queue->value;
        } elseif ($queue instanceof \UnitEnum) {
            $queue = $queue->name;
        }

        return (string) ($queue ?: $this->default);
    }

    /** The extension's handle of a queue, for stats() and the like. */
    public function shm($queue = null): \SHMQueue
    {
        $name = $this->getQueue($queue);

        return $this->queues[$name] ??= new \SHMQueue($name, $this->capacity, $this->lease, $this->maxAttempts);
    }

    /** Every message of the queue (dead letters too), oldest first, left in place (SHMQueue::peek()). */
    private function messages($queue): array
    {
        $shm = $this->shm($queue);
        $stats = $shm->stats();

        return $shm->peek($stats['length'] + $stats['in_flight'] + $stats['dead']);
    }

    private function inspect($queue, string $state): Collection
    {
        $name = $this->name($queue);

        return (new Collection($this->messages($queue)))
            ->filter(fn (array $message) => $message['state'] === $state && is_string($message['value']))
            ->map(fn (array $message) => InspectedJob::fromPayload($message['value'], $message['attempts'], $name))
            ->values();
    }

    /** Stores a payload; returns the job's uuid (Laravel's job id). */
    private function store(string $payload, $queue, float $delay): ?string
    {
        $shm = $this->shm($queue);
        $stored = $delay > 0 ? $shm->enQueueDelayed($payload, $delay) : $shm->enQueue($payload);
        if (!$stored) {
            throw new QueueFullException(sprintf(
                'shmqueue "%s" has no room for a job of %d bytes (capacity %d bytes)',
                $this->getQueue($queue), strlen($payload), $shm->stats()['capacity'],
            ));
        }

        return json_decode($payload, true)['uuid'] ?? null;
    }
}
