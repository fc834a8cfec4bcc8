<?php
// `artisan queue:work` in its own process, so that a job timeout can kill it:
//   php worker.php CONNECTION_JSON FAILED_JOBS_FILE MAX_TRIES MAX_TIME
// Exits with the worker's status; Laravel kills the process (SIGKILL) when a job times out.

use Illuminate\Queue\WorkerOptions;
use ShmQueue\Tests\Laravel\LaravelApp;

require __DIR__ . '/../bootstrap.php';

[, $connection, $failedJobsFile, $maxTries, $maxTime] = $argv;
$connection = json_decode($connection, true);
$app = new LaravelApp($connection, $failedJobsFile);

$options = new WorkerOptions(
    name: 'default', backoff: 0, memory: 128, timeout: 60, sleep: 0, maxTries: (int) $maxTries,
    force: false, stopWhenEmpty: false, maxJobs: 0, maxTime: (int) $maxTime,
);
exit($app->worker->daemon(LaravelApp::CONNECTION, $connection['queue'], $options));
