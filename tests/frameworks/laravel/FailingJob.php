<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Contracts\Queue\ShouldQueue;
use ShmQueue\Tests\JobLog;
use Throwable;

/** Throws every time: Laravel retries it $tries times, $backoff seconds apart, then fails it. */
final class FailingJob implements ShouldQueue
{
    use RecordsRuns;

    public $tries = 3;
    public $backoff = 1;

    public function handle(): void
    {
        $this->recordRun();
        throw new \RuntimeException('always fails');
    }

    /** Laravel's hook for a job that has failed for good. */
    public function failed(Throwable $e): void
    {
        JobLog::append($this->log, ['job' => 'failed()', 'error' => $e->getMessage()]);
    }
}
