<?php

namespace ShmQueue\Tests;

/**
 * What handlers did, one JSON line per entry in a file: jobs run in worker processes that
 * may be killed, so the test reads their traces from disk.
 */
final class JobLog
{
    public static function create(): string
    {
        return tempnam(sys_get_temp_dir(), 'shmq-fw-');
    }

    public static function append(string $path, array $entry): void
    {
        file_put_contents($path, json_encode($entry) . "\n", FILE_APPEND | LOCK_EX);
    }

    /** @return list<array> */
    public static function read(string $path): array
    {
        $lines = is_file($path) ? file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [];

        return array_map(fn (string $line) => json_decode($line, true), $lines);
    }
}
