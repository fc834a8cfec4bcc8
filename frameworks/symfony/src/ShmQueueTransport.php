<?php

namespace ShmQueue\Symfony;

use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\LogicException;
use Symfony\Component\Messenger\Exception\MessageDecodingFailedException;
use Symfony\Component\Messenger\Exception\TransportException;
use Symfony\Component\Messenger\Stamp\DelayStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use ShmQueue\Symfony\Compat\CloseableTransport;
use ShmQueue\Symfony\Compat\KeepaliveReceiver;
use Symfony\Component\Messenger\Transport\Receiver\ListableReceiverInterface;
use Symfony\Component\Messenger\Transport\Receiver\MessageCountAwareInterface;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\SetupableTransportInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

/**
 * A Messenger transport on one shmqueue queue. Messages are stored as the serializer's
 * encoded envelope (an array of strings); get() reserves one under the queue's lease.
 *
 * Messenger retries a failed message by sending a copy (with a DelayStamp) and rejecting the
 * original, so reject() removes the message like ack(). The queue's own redelivery covers the
 * other case: a worker that died holding a message; after max_attempts such deliveries the
 * message rests in the queue's dead letters (SHMQueue::deadLetters()).
 *
 * A handler that runs longer than the lease keeps its message with messenger:consume
 * --keepalive (Symfony 7.2+): keepalive() extends the lease (SHMQueue::extend()).
 */
final class ShmQueueTransport implements TransportInterface, MessageCountAwareInterface, ListableReceiverInterface, SetupableTransportInterface, KeepaliveReceiver, CloseableTransport
{
    /** Key of the message id send() adds to the encoded envelope: the TransportMessageIdStamp, the same on every delivery. */
    private const ID = 'shmqueue_id';

    private SerializerInterface $serializer;
    /** The queue's lease in seconds, read once (a queue keeps the settings it was created with). */
    private ?float $lease = null;

    public function __construct(private \SHMQueue $queue, ?SerializerInterface $serializer = null)
    {
        $this->serializer = $serializer ?? new PhpSerializer();
    }

    /**
     * Up to $fetchSize messages (Symfony 8.1's messenger:consume --fetch-size), each reserved
     * under the queue's lease: the last of a batch waits for the others to be handled, so keep
     * batch x handling time below the lease, or use --keepalive.
     */
    public function get(int $fetchSize = 1): iterable
    {
        $envelopes = [];
        while (count($envelopes) < max(1, $fetchSize)) {
            $job = $this->guarded(fn () => $this->queue->reserve(0));
            if ($job === null) {
                break;
            }
            try {
                $envelopes[] = $this->decode($job);
            } catch (MessageDecodingFailedException $e) {
                if ($envelopes === []) {
                    throw $e;
                }
                break; // the good ones first; the next get() reports this one
            }
        }

        return $envelopes;
    }

    /** The envelope of a reserved job; one that cannot be decoded is given back and reported. */
    private function decode(\SHMQueueJob $job): Envelope
    {
        try {
            if (!is_array($job->value)) {
                throw new MessageDecodingFailedException(sprintf('shmqueue delivered a %s where an encoded envelope (array) was expected.', get_debug_type($job->value)));
            }
            $envelope = $this->decoded($job->value);
        } catch (MessageDecodingFailedException $e) {
            // Given back rather than dropped: after max_attempts deliveries it rests in the
            // dead letters, where it can be inspected.
            $this->guarded(fn () => $this->queue->release($job));
            throw $e;
        }

        return $envelope->with(new ShmQueueReceivedStamp($job), new TransportMessageIdStamp($job->value[self::ID] ?? $job->id));
    }

    private function decoded(array $value): Envelope
    {
        unset($value[self::ID]);

        return $this->serializer->decode($value);
    }

    /**
     * The messages waiting (ready or delayed), oldest first, left in place: for
     * messenger:failed:show (and :remove, :retry) when this is the failure transport. Messages
     * that cannot be decoded, and those workers hold now, are not listed.
     */
    public function all(?int $limit = null): iterable
    {
        $listed = [];
        foreach ($this->waiting() as $value) {
            if ($limit !== null && count($listed) >= $limit) {
                break;
            }
            try {
                $listed[] = $this->decoded($value)->with(new TransportMessageIdStamp($value[self::ID]));
            } catch (MessageDecodingFailedException) {
                // shown by SHMQueue::peek(), and in the dead letters once it was tried
            }
        }

        return $listed;
    }

    public function find(mixed $id): ?Envelope
    {
        foreach ($this->waiting() as $value) {
            if ((string) $value[self::ID] === (string) $id) {
                return $this->decoded($value)->with(new TransportMessageIdStamp($value[self::ID]));
            }
        }

        return null;
    }

    /** @return list<array> the encoded envelopes waiting that carry an id */
    private function waiting(): array
    {
        $stats = $this->guarded(fn () => $this->queue->stats());
        $messages = $this->guarded(fn () => $this->queue->peek($stats['length'] + $stats['in_flight'] + $stats['dead']));

        return array_values(array_map(fn (array $m) => $m['value'], array_filter(
            $messages,
            fn (array $m) => in_array($m['state'], ['ready', 'delayed'], true) && is_array($m['value']) && isset($m['value'][self::ID]),
        )));
    }

    /**
     * Keeps a message being handled this worker's: its lease is extended to the queue's lease
     * or $seconds from now, whichever is longer. Throws when the lease was lost already (it
     * ran out and the message went to another worker, which will handle it again).
     */
    public function keepalive(Envelope $envelope, ?int $seconds = null): void
    {
        $job = $this->received($envelope)->getJob();
        $this->lease ??= (float) $this->guarded(fn () => $this->queue->stats()['lease']);
        if (!$this->guarded(fn () => $this->queue->extend($job, max($this->lease, (float) ($seconds ?? 0))))) {
            throw new TransportException(sprintf('shmqueue "%s" lost the lease of message %d: it ran out and the message was delivered again.', $this->queue->stats()['name'], $job->id));
        }
    }

    /** messenger:setup-transports: the queue exists from the transport's creation on (created again if removed since). */
    public function setup(): void
    {
        $this->guarded(fn () => $this->queue->stats());
    }

    /** Nothing to close: the queue is shared memory, mapped for the process's life. */
    public function close(): void
    {
    }

    public function ack(Envelope $envelope): void
    {
        $this->remove($envelope);
    }

    public function reject(Envelope $envelope): void
    {
        $this->remove($envelope);
    }

    public function send(Envelope $envelope): Envelope
    {
        $encoded = $this->serializer->encode($envelope) + [self::ID => bin2hex(random_bytes(8))];
        $delayMs = $envelope->last(DelayStamp::class)?->getDelay() ?? 0;
        $stored = $this->guarded(fn () => $delayMs > 0
            ? $this->queue->enQueueDelayed($encoded, $delayMs / 1000)
            : $this->queue->enQueue($encoded));
        if (!$stored) {
            throw new TransportException(sprintf(
                'shmqueue "%s" has no room for this message (capacity %d bytes).',
                $this->queue->stats()['name'], $this->queue->stats()['capacity'],
            ));
        }

        return $envelope;
    }

    /** Messages waiting, ready now or delayed (the ones being handled are not counted). */
    public function getMessageCount(): int
    {
        return $this->guarded(fn () => $this->queue->getLength());
    }

    /** The extension's handle of the queue, for stats() and the dead letters. */
    public function getQueue(): \SHMQueue
    {
        return $this->queue;
    }

    private function remove(Envelope $envelope): void
    {
        if ($envelope->last(ShmQueueReceivedStamp::class) === null && ($id = $envelope->last(TransportMessageIdStamp::class)?->getId()) !== null) {
            $this->removeListed((string) $id); // from all() or find(): no worker holds it

            return;
        }
        $job = $this->received($envelope)->getJob();
        // false means the lease had run out and the message went to another worker already:
        // delivery is at least once.
        $this->guarded(fn () => $this->queue->ack($job));
    }

    /**
     * Removes the waiting message of that id (messenger:failed:remove, or :retry once handled).
     * The queue takes from its head only: the messages before it are taken too and stored
     * again at the tail (their attempts start again), before being acked.
     */
    private function removeListed(string $id): void
    {
        $taken = [];
        $found = false;
        try {
            $ready = $this->guarded(fn () => $this->queue->stats()['ready']);
            while (count($taken) < $ready && ($job = $this->guarded(fn () => $this->queue->reserve(0))) !== null) {
                if (is_array($job->value) && (string) ($job->value[self::ID] ?? '') === $id) {
                    $found = $this->guarded(fn () => $this->queue->ack($job));
                    break;
                }
                $taken[] = $job;
            }
        } finally {
            foreach ($taken as $job) {
                $this->guarded(fn () => $this->queue->enQueue($job->value) ? $this->queue->ack($job) : $this->queue->release($job));
            }
        }
        if (!$found) {
            throw new TransportException(sprintf('shmqueue "%s" has no message %s waiting to be removed (a worker holds it, it is delayed, or it is gone).', $this->queue->stats()['name'], $id));
        }
    }

    private function received(Envelope $envelope): ShmQueueReceivedStamp
    {
        return $envelope->last(ShmQueueReceivedStamp::class)
            ?? throw new LogicException('No ShmQueueReceivedStamp on the envelope: it was not received from a shmqueue transport.');
    }

    /** Runs a queue operation, reporting the extension's failures as Messenger's. */
    private function guarded(\Closure $operation): mixed
    {
        try {
            return $operation();
        } catch (\SHMQueueException $e) {
            throw new TransportException($e->getMessage(), 0, $e);
        }
    }
}
