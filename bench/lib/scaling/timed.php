<?php
// The timed loop of the scaling runs: calls $batch (which does $ops operations) until $seconds
// passed, best of $runs runs by wall clock; CPU time per operation beside it (the least).

final class Timed
{
    /** @return array{ns: float, cpu_ns: float} per operation */
    public static function best(callable $batch, int $ops, float $seconds, int $runs): array
    {
        $best = ['ns' => INF, 'cpu_ns' => INF];
        for ($r = 0; $r < $runs; $r++) {
            $batch(); // warm-up (and a first check of what the batch returns)
            $done = 0;
            $cpu = Cpu::selfNs();
            $start = hrtime(true);
            $deadline = $start + (int) ($seconds * 1e9);
            do {
                $batch();
                $done += $ops;
                $now = hrtime(true);
            } while ($now < $deadline);
            $best['ns'] = min($best['ns'], ($now - $start) / $done);
            $best['cpu_ns'] = min($best['cpu_ns'], (Cpu::selfNs() - $cpu) / $done);
        }
        return $best;
    }
}
