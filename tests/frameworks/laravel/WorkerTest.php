<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Queue\WorkerOptions;
use ShmQueue\Tests\Figures;
use ShmQueue\Tests\JobLog;

/** Laravel's own Illuminate\Queue\Worker running jobs from the shmqueue driver, in this process. */
final class WorkerTest extends LaravelTestCase
{
    protected function tearDown(): void
    {
        // Worker::daemon() installs signal handlers; leave PHPUnit's process as it was.
        pcntl_alarm(0);
        foreach ([SIGALRM, SIGTERM, SIGUSR2, SIGCONT] as $signal) {
            pcntl_signal($signal, SIG_DFL);
        }
        parent::tearDown();
    }

    public function testASucceedingJobRunsOnceAndIsAcked(): void
    {
        $id = $this->queue()->push(new SucceedingJob($this->jobLog));

        $status = $this->app->worker->daemon(LaravelApp::CONNECTION, 'default', $this->options(stopWhenEmpty: true));

        $this->assertSame(0, $status, 'the worker stops when the queue is empty, with status 0');
        $runs = $this->runs();
        $this->assertCount(1, $runs, 'runs of the job: ' . json_encode($runs));
        $this->assertSame([1, $id], [$runs[0]['attempts'], $runs[0]['id']], 'attempts and id seen by the job');
        $stats = $this->stats();
        $this->assertSame([0, 0, 0], [$stats['length'], $stats['in_flight'], $stats['dead']], 'length, in_flight, dead after the job');
        $this->assertSame([], $this->app->failedJobs->all(), 'no failed jobs');
        $this->assertSame([], array_map(fn ($e) => $e->getMessage(), $this->app->exceptions->reported), 'no reported exceptions');
    }

    public function testAFailingJobIsReleasedWithBackoffThenFailedAfterItsTries(): void
    {
        $id = $this->queue()->push(new FailingJob($this->jobLog));

        $this->app->worker->runNextJob(LaravelApp::CONNECTION, 'default', $this->options());

        $queue = $this->queue();
        $this->assertSame([1, 0, 1, 0], [$queue->size(), $queue->pendingSize(), $queue->delayedSize(), $queue->reservedSize()], 'size, pending, delayed, reserved after the first failure (released with backoff 1 s)');
        $this->assertNull($queue->pop(), 'the released job is not available before its backoff');

        $this->runWorkerUntil(fn () => $this->app->failedJobs->all() !== [], 10.0);

        $runs = $this->runs();
        $this->assertSame([1, 2, 3], array_column($runs, 'attempts'), 'attempts seen by the job on each run ($tries = 3)');
        $this->assertSame([$id, $id, $id], array_column($runs, 'id'), 'the job id is the same on every attempt');
        $gaps = [$runs[1]['at'] - $runs[0]['at'], $runs[2]['at'] - $runs[1]['at']];
        Figures::print('laravel backoff 1 s, measured gaps between attempts', implode(', ', array_map(fn ($g) => sprintf('%.3f s', $g), $gaps)));
        foreach ($gaps as $gap) {
            $this->assertGreaterThanOrEqual(1.0, $gap, 'a retry must not start before the job\'s backoff (1 s) has passed');
        }

        $failed = $this->app->failedJobs->all();
        $this->assertCount(1, $failed, 'failed jobs recorded: ' . json_encode($failed));
        $this->assertSame([LaravelApp::CONNECTION, 'default', 'RuntimeException: always fails'], [$failed[0]['connection'], $failed[0]['queue'], $failed[0]['exception']]);
        $this->assertSame($id, json_decode($failed[0]['payload'], true)['uuid'], 'the failed record holds the job payload');
        $this->assertContains(['job' => 'failed()', 'error' => 'always fails'], JobLog::read($this->jobLog), "the job's failed() hook ran");
        $this->assertCount(3, $this->app->exceptions->reported, 'the worker reports each failure');
        $stats = $this->stats();
        $this->assertSame([0, 0, 0], [$stats['length'], $stats['in_flight'], $stats['dead']], 'length, in_flight, dead: a job Laravel failed is deleted, not a dead letter');
    }

    public function testAJobPushedWithLaterRunsAfterItsDelay(): void
    {
        $pushedAt = microtime(true);
        $this->queue()->later(1, new SucceedingJob($this->jobLog));

        $this->runWorkerUntil(fn () => $this->runs() !== [], 5.0);

        $runs = $this->runs();
        $this->assertCount(1, $runs, 'runs of the delayed job');
        $waited = $runs[0]['at'] - $pushedAt;
        Figures::print('laravel later(1), measured wait before the run', sprintf('%.3f s', $waited));
        $this->assertGreaterThanOrEqual(1.0, $waited, 'a job pushed with later(1) must not run before 1 s');
        $this->assertSame(0, $this->stats()['length']);
    }

    private function options(bool $stopWhenEmpty = false): WorkerOptions
    {
        return new WorkerOptions(sleep: 0, maxTries: 1, stopWhenEmpty: $stopWhenEmpty);
    }

    /** Runs Laravel's worker job after job (pop waits block_for each time) until $done or the time is up. */
    private function runWorkerUntil(callable $done, float $seconds): void
    {
        $giveUpAt = microtime(true) + $seconds;
        while (!$done() && microtime(true) < $giveUpAt) {
            $this->app->worker->runNextJob(LaravelApp::CONNECTION, 'default', $this->options());
        }
    }
}
