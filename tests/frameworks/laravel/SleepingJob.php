<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Contracts\Queue\ShouldQueue;

/** Runs past its 1 s $timeout: Laravel's worker kills its own process (SIGALRM, then SIGKILL). */
final class SleepingJob implements ShouldQueue
{
    use RecordsRuns;

    public $timeout = 1;

    /** null: the worker's --tries decides. */
    public $tries = null;

    public function handle(): void
    {
        $this->recordRun();
        sleep(30);
    }
}
