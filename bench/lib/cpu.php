<?php
// CPU time (user + system) from getrusage(): beside wall-clock rates, since on a shared machine
// the wall clock also measures everyone else.

final class Cpu
{
    public static function selfNs(): int
    {
        return self::ns(getrusage(0));
    }

    /** Of the waited-for children of this process. */
    public static function childrenNs(): int
    {
        return self::ns(getrusage(1));
    }

    private static function ns(array $usage): int
    {
        return ($usage['ru_utime.tv_sec'] + $usage['ru_stime.tv_sec']) * 1_000_000_000
            + ($usage['ru_utime.tv_usec'] + $usage['ru_stime.tv_usec']) * 1_000;
    }
}
