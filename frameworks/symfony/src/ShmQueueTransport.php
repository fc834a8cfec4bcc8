<?php

namespace ShmQueue\Symfony;

use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\LogicException;
use Symfony\Component\Messenger\Exception\MessageDecodingFailedException;
use Symfony\Component\Messenger\Exception\TransportException;
use Symfony\Component\Messenger\Stamp\DelayStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Transport\Receiver\MessageCountAwareInterface;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

/**
 * A Messenger transport on one shmqueue queue. Messages are stored as the serializer's
 * encoded envelope (an array of strings); get() reserves one under the queue's lease.
 *
 * Messenger retries a failed message by sending a copy (with a DelayStamp) and rejecting the
 * original, so reject() removes the message like ack(). The queue's own redelivery covers the
 * other case: a worker that died holding a message; after max_attempts such deliveries the
 * message rests in the queue's dead letters (SHMQueue::deadLetters()).
 */
final class ShmQueueTransport implements TransportInterface, MessageCountAwareInterface
{
    private SerializerInterface $serializer;

    public function __construct(private \SHMQueue $queue, ?SerializerInterface $serializer = null)
    {
        $this->serializer = $serializer ?? new PhpSerializer();
    }

    public function get(): iterable
    {
        $job = $this->guarded(fn () => $this->queue->reserve(0));
        if ($job === null) {
            return [];
        }
        try {
            if (!is_array($job->value)) {
                throw new MessageDecodingFailedException(sprintf('shmqueue delivered a %s where an encoded envelope (array) was expected.', get_debug_type($job->value)));
            }
            $envelope = $this->serializer->decode($job->value);
        } catch (MessageDecodingFailedException $e) {
            // Given back rather than dropped: after max_attempts deliveries it rests in the
            // dead letters, where it can be inspected.
            $this->guarded(fn () => $this->queue->release($job));
            throw $e;
        }

        return [$envelope->with(new ShmQueueReceivedStamp($job), new TransportMessageIdStamp($job->id))];
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
        $encoded = $this->serializer->encode($envelope);
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
        $stamp = $envelope->last(ShmQueueReceivedStamp::class);
        if ($stamp === null) {
            throw new LogicException('No ShmQueueReceivedStamp on the envelope: it was not received from a shmqueue transport.');
        }
        // false means the lease had run out and the message went to another worker already:
        // delivery is at least once.
        $this->guarded(fn () => $this->queue->ack($stamp->getJob()));
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
