<?php

namespace ShmQueue\Tests\Symfony;

use PHPUnit\Framework\Attributes\DataProvider;
use ShmQueue\Symfony\ShmQueueTransport;
use ShmQueue\Symfony\ShmQueueTransportFactory;
use Symfony\Component\Messenger\Exception\InvalidArgumentException;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;

final class TransportFactoryTest extends MessengerTestCase
{
    public function testSupportsOnlyShmqueueDsns(): void
    {
        $factory = new ShmQueueTransportFactory();

        $this->assertTrue($factory->supports('shmqueue://mail', []), 'shmqueue://mail');
        $this->assertFalse($factory->supports('redis://localhost/messages', []), 'redis://');
        $this->assertFalse($factory->supports('doctrine://default', []), 'doctrine://');
    }

    public function testDsnQuerySetsTheQueueSettings(): void
    {
        $transport = $this->transport('mail', 'capacity=8M&lease=30&max_attempts=7');

        $this->assertInstanceOf(ShmQueueTransport::class, $transport);
        $stats = $transport->getQueue()->stats();
        $this->assertSame([$this->prefix . 'mail', 8 * 1024 * 1024, 30.0, 7], [$stats['name'], $stats['capacity'], $stats['lease'], $stats['max_attempts']], 'name, capacity, lease, max_attempts');
    }

    public function testTransportOptionsWorkLikeTheQuery(): void
    {
        $transport = (new ShmQueueTransportFactory())->createTransport(
            "shmqueue://{$this->prefix}jobs",
            ['capacity' => '64K', 'lease' => 2.5, 'max_attempts' => 3, 'transport_name' => 'jobs'],
            new PhpSerializer(),
        );

        $stats = $transport->getQueue()->stats();
        $this->assertSame([64 * 1024, 2.5, 3], [$stats['capacity'], $stats['lease'], $stats['max_attempts']], 'capacity, lease, max_attempts');
    }

    /** @dataProvider badDsns */
    #[DataProvider('badDsns')]
    public function testRejectsBadDsns(string $dsnTail, string $expectedMessage): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage($expectedMessage);

        (new ShmQueueTransportFactory())->createTransport('shmqueue://' . ($dsnTail === '' ? '' : $this->prefix . $dsnTail), [], new PhpSerializer());
    }

    public static function badDsns(): array
    {
        return [
            'no queue name' => ['', 'names no queue'],
            'unknown option' => ['q?capacity=1M&lease_time=3', 'Unknown option(s) "lease_time"'],
            'bad capacity' => ['q?capacity=8MB', 'is not a size'],
            'bad max_attempts' => ['q?max_attempts=two', 'max_attempts="two"'],
        ];
    }
}
