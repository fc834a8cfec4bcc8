<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Contracts\Queue\ClearableQueue;

/** queue:clear (ClearableQueue) and queue names given as enums. */
final class ClearAndNamesTest extends LaravelTestCase
{
    public function testClearDeletesReadyDelayedAndReservedJobsAndCountsThem(): void
    {
        $queue = $this->queue();
        $this->assertInstanceOf(ClearableQueue::class, $queue, 'queue:clear needs ClearableQueue');
        $queue->push(new SucceedingJob($this->jobLog));
        $queue->push(new SucceedingJob($this->jobLog));
        $queue->later(60, new SucceedingJob($this->jobLog));
        $reserved = $queue->pop();
        $queue->push(new SucceedingJob($this->jobLog), '', 'other');

        $this->assertSame(3, $queue->clear('default'), 'ready 1 + reserved 1 + delayed 1: all of "default"');

        $this->assertSame([0, 0, 0, 0], [$queue->size(), $queue->pendingSize(), $queue->delayedSize(), $queue->reservedSize()], 'size, pending, delayed, reserved after clear');
        $this->assertNull($queue->pop(), 'nothing left to pop');
        $reserved->delete(); // its queue is gone: refused quietly, nothing comes back
        $this->assertSame(0, $queue->size());
        $this->assertSame(1, $queue->size('other'), 'another queue of the connection is untouched');
        $this->assertSame(0, $queue->clear('default'), 'clearing an empty queue');
    }

    public function testBackedEnumQueueNamesAreTheirValues(): void
    {
        $queue = $this->queue();

        $queue->push(new SucceedingJob($this->jobLog), '', QueueName::Mail);

        $this->assertSame($this->prefix . 'mail', $queue->getQueue(QueueName::Mail));
        $this->assertSame([1, 1], [$queue->size('mail'), $queue->size(QueueName::Mail)], 'size by string and by enum');
        $job = $queue->pop(QueueName::Mail);
        $this->assertNotNull($job, 'popped by enum');
        $this->assertSame('mail', $job->getQueue());
        $job->delete();
        $this->assertSame(0, $queue->size(QueueName::Mail));
    }

    public function testPureEnumQueueNamesAreTheirCaseNames(): void
    {
        $queue = $this->queue();

        $queue->later(0, new SucceedingJob($this->jobLog), '', QueueKind::reports);

        $this->assertSame($this->prefix . 'reports', $queue->shm(QueueKind::reports)->stats()['name']);
        $this->assertSame(1, $queue->size('reports'));
        $this->assertSame(1, $queue->clear(QueueKind::reports));
    }
}
