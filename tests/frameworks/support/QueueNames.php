<?php

namespace ShmQueue\Tests;

/** Queue names no other run or test uses, and their removal. */
final class QueueNames
{
    private static int $count = 0;

    /** A fresh name: the run's prefix (SHMQ_FW_PREFIX, set by run.sh), $what and a counter. */
    public static function unique(string $what): string
    {
        $run = getenv('SHMQ_FW_PREFIX') ?: 'fw' . getmypid();

        return sprintf('%s-%s-%d', $run, $what, ++self::$count);
    }

    /** Removes every queue whose name starts with $prefix (their segments are /dev/shm/shmqueue.<name>). */
    public static function removeStartingWith(string $prefix): void
    {
        foreach (glob('/dev/shm/shmqueue.' . $prefix . '*') ?: [] as $segment) {
            \SHMQueue::remove(substr(basename($segment), strlen('shmqueue.')));
        }
    }
}
