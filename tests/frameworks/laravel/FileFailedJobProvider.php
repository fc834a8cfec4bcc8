<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Queue\Failed\FailedJobProviderInterface;
use ShmQueue\Tests\JobLog;

/**
 * Laravel's failed_jobs table as a file: worker processes killed on timeout record their failed
 * jobs here and the test reads them back.
 */
final class FileFailedJobProvider implements FailedJobProviderInterface
{
    public function __construct(private string $file)
    {
    }

    public function log($connection, $queue, $payload, $exception)
    {
        $id = count($this->all()) + 1;
        JobLog::append($this->file, [
            'id' => $id,
            'connection' => $connection,
            'queue' => $queue,
            'payload' => $payload,
            'exception' => get_class($exception) . ': ' . $exception->getMessage(),
        ]);

        return $id;
    }

    public function all()
    {
        return JobLog::read($this->file);
    }

    public function find($id)
    {
        foreach ($this->all() as $record) {
            if ($record['id'] === $id) {
                return $record;
            }
        }

        return null;
    }

    public function forget($id)
    {
        return false;
    }

    /** Laravel 10+ pass $hours (forget those older); the tests flush everything. */
    public function flush($hours = null)
    {
        file_put_contents($this->file, '');
    }

    /** Laravel 11+: the ids of the failed jobs (of one queue). */
    public function ids($queue = null)
    {
        $records = array_filter($this->all(), fn ($record) => $queue === null || $record['queue'] === $queue);

        return array_column($records, 'id');
    }
}
