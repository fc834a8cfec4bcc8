<?php

namespace ShmQueue\Tests\Laravel;

/**
 * A job that runs longer than its lease (retry_after 1 s) in Laravel's worker (a child
 * process), while this process, a second worker, keeps trying to take it: it keeps its job
 * when its $timeout covers the run or when it calls extendLease(), and loses it otherwise.
 */
final class KeepaliveTest extends LaravelTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->useConnection(['retry_after' => 1, 'block_for' => 0]);
    }

    public function testAJobWhoseTimeoutIsLongerThanItsLeaseKeepsIt(): void
    {
        $job = new LongJob($this->jobLog);
        $job->timeout = 10;
        $this->queue()->push($job);

        $taken = $this->takeWhileTheWorkerRuns();

        $this->assertSame([], $taken, 'the second worker took nothing: the lease was extended to the timeout');
        $this->assertSame([1], array_column($this->runs(), 'attempts'), 'one run');
        $this->assertSame([0, 0, 0], $this->counts(), 'size, expired, dead: done and deleted');
    }

    public function testAJobCallingExtendLeaseKeepsIt(): void
    {
        $job = new LongJob($this->jobLog);
        $job->keepalive = true;
        $this->queue()->push($job);

        $taken = $this->takeWhileTheWorkerRuns();

        $this->assertSame([], $taken, 'the second worker took nothing: the job kept extending its lease');
        $done = array_values(array_filter(\ShmQueue\Tests\JobLog::read($this->jobLog), fn ($e) => isset($e['done'])));
        $this->assertNotEmpty($done[0]['kept'] ?? [], 'extendLease() was called');
        $this->assertNotContains(false, $done[0]['kept'], 'every extendLease() found the lease still held');
        $this->assertSame([0, 0, 0], $this->counts(), 'size, expired, dead: done and deleted');
    }

    public function testWithoutEitherTheJobGoesToAnotherWorkerAfterItsLease(): void
    {
        $this->queue()->push(new LongJob($this->jobLog));

        $taken = $this->takeWhileTheWorkerRuns();

        $this->assertSame([2], $taken, 'the second worker took the job (attempt 2) once the lease ran out');
        $this->assertSame(1, $this->stats()['expired']);
    }

    /** Runs a worker in a child process and, meanwhile, pops here; returns the attempts of what was taken (and deleted). */
    private function takeWhileTheWorkerRuns(): array
    {
        $worker = WorkerProcess::start($this->config, $this->failedJobsFile, maxTries: 0, maxTime: 5);
        $startedBy = microtime(true) + 5;
        while ($this->runs() === [] && microtime(true) < $startedBy) {
            usleep(10_000);
        }
        $this->assertNotSame([], $this->runs(), 'the worker started the job');
        $taken = [];
        $until = microtime(true) + 3.5; // the job runs 3 s
        while (microtime(true) < $until) {
            if ($job = $this->queue()->pop()) {
                $taken[] = $job->attempts();
                $job->delete();
            }
            usleep(50_000);
        }
        $ending = $worker->finish();
        $this->assertSame('exit 0', $ending['ending'], 'the worker ran to its --max-time: ' . $ending['output']);

        return $taken;
    }

    private function counts(): array
    {
        $stats = $this->stats();

        return [$this->queue()->size(), $stats['expired'], $stats['dead']];
    }
}
