<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Bus\Queueable;
use Illuminate\Queue\InteractsWithQueue;
use ShmQueue\Tests\JobLog;

/** For the test jobs: each run is written to the job's log with the attempt Laravel reports. */
trait RecordsRuns
{
    use InteractsWithQueue, Queueable;

    public function __construct(public string $log)
    {
    }

    private function recordRun(): void
    {
        JobLog::append($this->log, [
            'job' => static::class,
            'attempts' => $this->attempts(),
            'id' => $this->job->getJobId(),
            'at' => microtime(true),
            'pid' => getmypid(),
        ]);
    }
}
