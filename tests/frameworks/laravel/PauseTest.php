<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Queue\WorkerOptions;

/**
 * queue:pause / queue:resume (Laravel 11+): the framework keeps the state in its cache and the
 * worker skips paused queues before it pops; with the shmqueue driver, the job waits on the
 * queue meanwhile, and runs once the queue is resumed.
 *
 * @group laravel-pause
 */
#[\PHPUnit\Framework\Attributes\Group('laravel-pause')]
final class PauseTest extends LaravelTestCase
{
    public function testAPausedQueueIsNotWorkedUntilResumed(): void
    {
        $manager = $this->app->container['queue'];
        $this->queue()->push(new SucceedingJob($this->jobLog));
        $this->queue()->push(new SucceedingJob($this->jobLog), '', 'other');

        $manager->pause(LaravelApp::CONNECTION, 'default'); // what `artisan queue:pause shm:default` does
        $this->assertTrue($manager->isPaused(LaravelApp::CONNECTION, 'default'));
        $this->work('default,other');
        $this->work('default,other');

        $this->assertCount(1, $this->runs(), 'only the job of the queue not paused ran');
        $this->assertSame([1, 0], [$this->queue()->pendingSize(), $this->queue()->reservedSize()], 'pending, reserved of the paused queue: the job waits, untaken');

        $manager->resume(LaravelApp::CONNECTION, 'default');
        $this->work('default,other');

        $this->assertCount(2, $this->runs(), 'the job ran once the queue was resumed');
        $this->assertSame(0, $this->queue()->size());
    }

    private function work(string $queues): void
    {
        $this->app->worker->runNextJob(LaravelApp::CONNECTION, $queues, new WorkerOptions(sleep: 0, maxTries: 1));
    }
}
