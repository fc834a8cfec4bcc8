<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Queue\InvalidPayloadException;
use ShmQueue\Laravel\ShmQueue;
use ShmQueue\Laravel\ShmQueueJob;

/** The driver as Laravel's QueueManager builds it from config, without a worker. */
final class QueueDriverTest extends LaravelTestCase
{
    public function testTheServiceProviderMakesTheDriverAvailableToConfigConnections(): void
    {
        $queue = $this->queue();

        $this->assertInstanceOf(ShmQueue::class, $queue, 'QueueManager should build a ShmQueue for driver "shmqueue"');
        $this->assertSame(LaravelApp::CONNECTION, $queue->getConnectionName());
        $this->assertSame($this->prefix . 'default', $queue->getQueue(null), 'queue name = prefix + config "queue"');
    }

    public function testConnectionSettingsBecomeTheQueueSettings(): void
    {
        $this->useConnection(['capacity' => 128 * 1024, 'retry_after' => 7, 'max_attempts' => 3]);

        $stats = $this->stats();

        $this->assertSame($this->prefix . 'default', $stats['name']);
        $this->assertSame(128 * 1024, $stats['capacity'], 'capacity (bytes)');
        $this->assertSame(7.0, $stats['lease'], 'retry_after becomes the lease (seconds)');
        $this->assertSame(3, $stats['max_attempts'], 'max_attempts');
    }

    public function testPushPopDeleteRoundTrip(): void
    {
        $queue = $this->queue();

        $id = $queue->push(new SucceedingJob($this->jobLog));

        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', (string) $id, 'push() returns the payload uuid');
        $this->assertSame([1, 1, 0, 0], [$queue->size(), $queue->pendingSize(), $queue->delayedSize(), $queue->reservedSize()], 'size, pending, delayed, reserved after one push');

        $job = $queue->pop();

        $this->assertInstanceOf(ShmQueueJob::class, $job);
        $this->assertSame($id, $job->getJobId(), 'getJobId() is the uuid push() returned');
        $this->assertSame(1, $job->attempts(), 'first delivery');
        $this->assertSame('default', $job->getQueue());
        $this->assertSame(LaravelApp::CONNECTION, $job->getConnectionName());
        $this->assertSame(SucceedingJob::class, $job->resolveName());
        $this->assertSame([1, 0, 1], [$queue->size(), $queue->pendingSize(), $queue->reservedSize()], 'size (reserved jobs count, as in the Redis and database drivers), pending and reserved while the job is reserved');

        $job->delete();

        $this->assertSame([0, 0], [$queue->size(), $queue->reservedSize()], 'size and reserved after delete()');
        $this->assertNull($queue->pop(), 'nothing left after delete()');
        $this->assertSame(0, $this->stats()['dead']);
    }

    public function testReleaseWithDelayKeepsTheJobBackAndCountsAnAttempt(): void
    {
        $queue = $this->queue();
        $queue->push(new SucceedingJob($this->jobLog));

        $queue->pop()->release(1);

        $this->assertSame([1, 0, 1, 0], [$queue->size(), $queue->pendingSize(), $queue->delayedSize(), $queue->reservedSize()], 'size, pending, delayed, reserved after release(1)');
        $this->assertSame(1, $this->stats()['delayed'], "stats()['delayed']");
        $this->assertNull($queue->pop(), 'a job released with a 1 s delay is not available at once');

        $again = $this->popWithin(3.0);
        $this->assertNotNull($again, 'the released job comes back after its delay');
        $this->assertSame(2, $again->attempts(), 'second delivery');
        $again->delete();
    }

    public function testLaterDelaysThePush(): void
    {
        $queue = $this->queue();

        $queue->later(new \DateTimeImmutable('+2 seconds'), new SucceedingJob($this->jobLog));

        $this->assertSame([1, 1], [$queue->size(), $queue->delayedSize()], 'size and delayed after later()');
        $this->assertNull($queue->pop(), 'a job pushed with later() is not available at once');
    }

    public function testPushOnAnotherQueueUsesAnotherSharedMemoryQueue(): void
    {
        $queue = $this->queue();

        $queue->pushOn('mail', new SucceedingJob($this->jobLog));

        $this->assertSame([0, 1], [$queue->size(), $queue->size('mail')], 'sizes of "default" and "mail"');
        $this->assertSame($this->prefix . 'mail', $this->stats('mail')['name']);
        $job = $queue->pop('mail');
        $this->assertSame('mail', $job->getQueue());
        $job->delete();
    }

    public function testAValueThatIsNotALaravelPayloadIsGivenBackNotLost(): void
    {
        $queue = $this->queue();
        $queue->shm()->enQueue(['not' => 'a laravel payload']);

        try {
            $queue->pop();
            $this->fail('pop() should throw InvalidPayloadException for an array value');
        } catch (InvalidPayloadException $e) {
            $this->assertStringContainsString('array', $e->getMessage());
        }
        $this->assertSame([1, 0], [$queue->pendingSize(), $queue->reservedSize()], 'the value is back on the queue, not reserved');
    }

    private function popWithin(float $seconds): ?ShmQueueJob
    {
        $giveUpAt = microtime(true) + $seconds;
        do {
            if ($job = $this->queue()->pop()) { // waits block_for (0.2 s) itself
                return $job;
            }
        } while (microtime(true) < $giveUpAt);

        return null;
    }
}
