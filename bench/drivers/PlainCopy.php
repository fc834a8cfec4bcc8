<?php
// The memory-bandwidth reference for big payloads: each "message" is one plain copy of the
// payload's bytes. str_repeat($s, 1) allocates a new string and memcpy()s all of $s into it
// (php-src: no shortcut for a multiplier of 1), whereas `$s . ''` and substr($s, 0) only add a
// reference and copy nothing. A batch keeps its n copies alive until the end, as a queue keeps
// n messages, so the copies touch as much memory as the queue's batch does. For the MB/s
// column an enqueue + dequeue pair of a queue and one copy here both move the bytes once.

final class PlainCopy extends Driver
{
    /**
     * @param bool $anySize copy strings of every size (the scaling run's size scan), not only the big ones
     * @param bool $keepAll keep the batch's copies alive until its end (false: only the last, as a
     *             consumer assigning each dequeued value to one variable does)
     */
    public function __construct(private bool $anySize = false, private bool $keepAll = true)
    {
    }

    public function name(): string
    {
        return 'copy';
    }

    public function shareable(): bool
    {
        return false;
    }

    public function unsupported(mixed $value, int $batch): ?string
    {
        return is_string($value) && ($this->anySize || strlen($value) >= 1024) ? null : 'only for the big strings';
    }

    public function batch(mixed $value, int $n): mixed
    {
        if (!$this->keepAll) {
            $got = null;
            for ($i = 0; $i < $n; $i++) {
                $got = str_repeat($value, 1);
            }
            return $got;
        }
        $copies = [];
        for ($i = 0; $i < $n; $i++) {
            $copies[] = str_repeat($value, 1);
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $got = $copies[$i];
        }
        return $got;
    }

    public function leftover(): int
    {
        return 0;
    }
}
