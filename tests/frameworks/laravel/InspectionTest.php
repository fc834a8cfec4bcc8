<?php

namespace ShmQueue\Tests\Laravel;

/** Looking at the queue without taking: creationTimeOfOldestPendingJob(), Laravel 13's *Jobs(). */
final class InspectionTest extends LaravelTestCase
{
    public function testCreationTimeOfOldestPendingJobIsWhatItsPayloadSays(): void
    {
        $queue = $this->queue();
        $this->assertNull($queue->creationTimeOfOldestPendingJob(), 'empty: null');
        $queue->later(60, new SucceedingJob($this->jobLog)); // delayed: not pending
        $this->assertNull($queue->creationTimeOfOldestPendingJob(), 'only a delayed job: null');
        $queue->push(new SucceedingJob($this->jobLog));
        $queue->push(new SucceedingJob($this->jobLog));
        $queue->pop()->release(0); // the first ready one: taken and given back, still the oldest

        $payloads = array_map(fn ($m) => json_decode($m['value'], true), $queue->shm()->peek());
        $this->assertCount(3, $payloads, 'nothing was taken by looking');
        $oldestReady = $payloads[1];
        // Laravel 11+ write createdAt into payloads; before, there is nothing to tell.
        $this->assertSame($oldestReady['createdAt'] ?? null, $queue->creationTimeOfOldestPendingJob());
        if (isset($oldestReady['createdAt'])) {
            $this->assertEqualsWithDelta(time(), $queue->creationTimeOfOldestPendingJob(), 60);
        }
    }

    /** @group laravel-inspection */
    #[\PHPUnit\Framework\Attributes\Group('laravel-inspection')]
    public function testPendingDelayedAndReservedJobsAreListedInPlace(): void
    {
        $queue = $this->queue();
        $reservedId = $queue->push(new SucceedingJob($this->jobLog));
        $pendingId = $queue->push(new SucceedingJob($this->jobLog));
        $delayedId = $queue->later(60, new SucceedingJob($this->jobLog));
        $reserved = $queue->pop();

        $pending = $queue->pendingJobs();
        $delayed = $queue->delayedJobs();
        $reservedJobs = $queue->reservedJobs(QueueName::Mail); // another queue: empty

        $this->assertSame([$pendingId], $pending->pluck('uuid')->all(), 'pending');
        $this->assertSame([$delayedId], $delayed->pluck('uuid')->all(), 'delayed');
        $this->assertSame([], $reservedJobs->all(), 'reserved jobs of "mail"');
        $this->assertSame([$reservedId], $queue->reservedJobs()->pluck('uuid')->all(), 'reserved');
        $this->assertSame([1, 0], [$queue->reservedJobs()->first()->attempts, $pending->first()->attempts], 'attempts: the delivery count');
        $this->assertSame(['default', SucceedingJob::class], [$pending->first()->queue, $pending->first()->name]);
        $this->assertSame([3, 1, 1, 1], [$queue->size(), $queue->pendingSize(), $queue->delayedSize(), $queue->reservedSize()], 'nothing taken by looking');
        $reserved->delete();
    }
}
