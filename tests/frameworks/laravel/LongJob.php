<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Contracts\Queue\ShouldQueue;

/**
 * Runs for $seconds, longer than its lease (retry_after): with a $timeout that covers it, or
 * calling extendLease() every half second (keepalive), or neither.
 */
final class LongJob implements ShouldQueue
{
    use RecordsRuns;

    public $timeout = null;
    public float $seconds = 3.0;
    public bool $keepalive = false;

    public function handle(): void
    {
        $this->recordRun();
        $end = microtime(true) + $this->seconds;
        $kept = [];
        while (microtime(true) < $end) {
            usleep(500_000);
            if ($this->keepalive) {
                $kept[] = $this->job->extendLease(2);
            }
        }
        \ShmQueue\Tests\JobLog::append($this->log, ['done' => true, 'kept' => $kept]);
    }
}
