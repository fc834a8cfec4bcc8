<?php

namespace ShmQueue\Tests\Laravel;

use ShmQueue\Tests\ChildProcess;

/** worker.php (`artisan queue:work`) in a child process. */
final class WorkerProcess
{
    /** Runs a worker to its end. @return array{ending: string, output: string} (ChildProcess::finish()) */
    public static function run(array $connection, string $failedJobsFile, int $maxTries, int $maxTime): array
    {
        return self::start($connection, $failedJobsFile, $maxTries, $maxTime)->finish();
    }

    /** Starts a worker and returns at once; it stops by itself after $maxTime idle seconds. */
    public static function start(array $connection, string $failedJobsFile, int $maxTries, int $maxTime): ChildProcess
    {
        return ChildProcess::start($maxTime + 15, __DIR__ . '/worker.php', json_encode($connection), $failedJobsFile, (string) $maxTries, (string) $maxTime);
    }
}
