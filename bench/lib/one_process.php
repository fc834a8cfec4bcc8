<?php
// Shape "1proc": one process alternating a batch of n enqueues and a batch of n dequeues, for a
// fixed time. One operation = one enqueue or one dequeue, so a batch is 2n operations.

final class OneProcess
{
    /** @return array{ops_per_sec: float, cpu_ns_per_op: float} of one timed run */
    public static function run(Driver $driver, mixed $value, int $batch, float $seconds): array
    {
        $driver->prepare();
        $driver->attach();
        try {
            self::expectSame($driver, $value, $driver->batch($value, $batch), 'warm-up');
            $ops = 0;
            $cpuBefore = Cpu::selfNs();
            $start = hrtime(true);
            $deadline = $start + (int) ($seconds * 1e9);
            do {
                $got = $driver->batch($value, $batch);
                $ops += 2 * $batch;
                $now = hrtime(true);
            } while ($now < $deadline);
            $cpu = Cpu::selfNs() - $cpuBefore;
            self::expectSame($driver, $value, $got, 'last batch');
            $driver->detach();
            $left = $driver->leftover();
            if ($left !== 0) {
                throw new RuntimeException($driver->name() . ": $left messages left after balanced batches (expected 0)");
            }
            return ['ops_per_sec' => $ops / (($now - $start) / 1e9), 'cpu_ns_per_op' => $cpu / $ops];
        } finally {
            $driver->detach();
            $driver->cleanup();
        }
    }

    private static function expectSame(Driver $driver, mixed $sent, mixed $got, string $when): void
    {
        if ($got !== $sent) {
            throw new RuntimeException(sprintf(
                '%s, %s: dequeued %s, expected the value enqueued (%s)',
                $driver->name(), $when, substr(var_export($got, true), 0, 80), substr(var_export($sent, true), 0, 80),
            ));
        }
    }
}
