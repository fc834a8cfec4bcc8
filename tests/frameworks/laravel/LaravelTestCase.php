<?php

namespace ShmQueue\Tests\Laravel;

use PHPUnit\Framework\TestCase;
use ShmQueue\Laravel\ShmQueue;
use ShmQueue\Tests\JobLog;
use ShmQueue\Tests\QueueNames;

/** A Laravel app with a shmqueue connection of its own (unique queue prefix), removed afterwards. */
abstract class LaravelTestCase extends TestCase
{
    protected string $prefix;
    protected string $jobLog;
    protected string $failedJobsFile;
    protected LaravelApp $app;
    /** The connection of config/queue.php under test. */
    protected array $config;

    protected function setUp(): void
    {
        $this->prefix = QueueNames::unique('laravel') . '.';
        $this->jobLog = JobLog::create();
        $this->failedJobsFile = JobLog::create();
        $this->useConnection([]);
    }

    protected function tearDown(): void
    {
        QueueNames::removeStartingWith($this->prefix);
        @unlink($this->jobLog);
        @unlink($this->failedJobsFile);
        (new \Illuminate\Filesystem\Filesystem())->deleteDirectory($this->failedJobsFile . '.cache');
    }

    /** Boots the app again with these connection settings changed. */
    protected function useConnection(array $overrides): void
    {
        $this->config = $overrides + [
            'queue' => 'default',
            'prefix' => $this->prefix,
            'capacity' => 256 * 1024,
            'retry_after' => 2,
            'max_attempts' => 5,
            'block_for' => 0.2,
        ];
        $this->app = new LaravelApp($this->config, $this->failedJobsFile);
    }

    protected function queue(): ShmQueue
    {
        return $this->app->queue();
    }

    /** @return list<array> runs of jobs (not the failed() hook entries) */
    protected function runs(): array
    {
        return array_values(array_filter(JobLog::read($this->jobLog), fn ($entry) => isset($entry['attempts'])));
    }

    /** The queue's counters, as the extension keeps them. */
    protected function stats(string $queue = 'default'): array
    {
        return $this->queue()->shm($queue)->stats();
    }
}
