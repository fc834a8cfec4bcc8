<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Contracts\Queue\ShouldQueue;

final class SucceedingJob implements ShouldQueue
{
    use RecordsRuns;

    public function handle(): void
    {
        $this->recordRun();
    }
}
