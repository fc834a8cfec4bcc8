<?php
// Cost against consumers: 2 producers and 1 .. 16 consumers (forked) on one queue, task arrays,
// the forked shape of bench.php (every message counted: lost and duplicated ones fail the run).
// y = wall-clock ns per operation (1 / rate) and CPU ns per operation of all the processes.
// On a machine with fewer cores than processes, more consumers mostly add sleeps and wake-ups.

final class ScaleConsumers
{
    public const CONSUMERS = [1, 2, 4, 8, 16];

    /** @return array<string, list<array{consumers: int, ns: float, cpu_ns: float}>> driver => rows */
    public static function run(float $seconds, int $runs, string $workDir): array
    {
        $result = [];
        foreach ([new ExtKept(), new SysvMsg()] as $driver) {
            foreach (self::CONSUMERS as $consumers) {
                $best = bestOf($runs, fn () => Forked::run($driver, 'task', $seconds, $workDir, 2, $consumers));
                if ($best['lost'] !== 0 || $best['duplicated'] !== 0 || $best['leftover'] !== 0) {
                    throw new RuntimeException(sprintf('consumers %d, %s: lost %d, duplicated %d, left %d of %d',
                        $consumers, $driver->name(), $best['lost'], $best['duplicated'], $best['leftover'], $best['sent_all_runs']));
                }
                $result[$driver->name()][] = ['consumers' => $consumers, 'ns' => 1e9 / $best['ops_per_sec'], 'cpu_ns' => $best['cpu_ns_per_op'],
                    'messages' => $best['sent_all_runs']];
                progress(sprintf('scaling consumers %-8s %2d: %.0f ns/op (%s messages, none lost)', $driver->name(), $consumers,
                    1e9 / $best['ops_per_sec'], number_format($best['sent_all_runs'])));
            }
        }
        return $result;
    }
}
