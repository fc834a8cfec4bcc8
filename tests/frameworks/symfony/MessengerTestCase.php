<?php

namespace ShmQueue\Tests\Symfony;

use PHPUnit\Framework\TestCase;
use ShmQueue\Symfony\ShmQueueTransport;
use ShmQueue\Symfony\ShmQueueTransportFactory;
use ShmQueue\Tests\QueueNames;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;

/** Transports on queues of their own (unique names), removed afterwards. */
abstract class MessengerTestCase extends TestCase
{
    protected string $prefix;

    protected function setUp(): void
    {
        $this->prefix = QueueNames::unique('symfony') . '.';
    }

    protected function tearDown(): void
    {
        QueueNames::removeStartingWith($this->prefix);
    }

    /** A transport as the factory makes it from a DSN: shmqueue://<prefix><name>?<query>. */
    protected function transport(string $name, string $query = 'capacity=256K'): ShmQueueTransport
    {
        return (new ShmQueueTransportFactory())->createTransport("shmqueue://{$this->prefix}{$name}?{$query}", [], new PhpSerializer());
    }

    /** Calls get() until it yields an envelope or the time is up. */
    protected function getWithin(ShmQueueTransport $transport, float $seconds): array
    {
        $giveUpAt = microtime(true) + $seconds;
        do {
            $envelopes = [...$transport->get()];
            if ($envelopes !== []) {
                return $envelopes;
            }
            usleep(10_000);
        } while (microtime(true) < $giveUpAt);

        return [];
    }
}
