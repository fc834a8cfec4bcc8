<?php
// Operation cost against queue depth: a queue holding D task arrays (0 .. 1,000,000), then
// batches of 50 enqueues and 50 dequeues on it (the depth swings D .. D + 50). A queue's
// operations touch its head and tail only, so the cost should not grow with D; what could make
// it grow is a walk over the records (compaction, the sweep of expired leases) or the cache
// misses of a head and tail far apart. Beside them, one call of stats() and of deadLetters(10)
// (the dashboard's calls), each the median of 5 calls: both walk every record under the lock
// today, so they show what a walk costs at that depth (and how long they hold the lock).

final class ScaleDepth
{
    public const DEPTHS = [0, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    private const CAPACITY = 256 << 20;
    private const BATCH = 50;

    private const CALLS = 5;

    /** @return list<array{depth: int, ns: float, cpu_ns: float, stats_us: float, dead_us: float}> */
    public static function run(float $seconds, int $runs, array $depths = self::DEPTHS): array
    {
        $value = Payloads::make('task', Payloads::SAMPLE_TAG);
        $name = 'bench_' . getmypid() . '_depth';
        $rows = [];
        foreach ($depths as $depth) {
            SHMQueue::remove($name);
            $queue = new SHMQueue($name, self::CAPACITY);
            ExtKept::warm($queue);
            self::fill($queue, $value, $depth);
            $batch = function () use ($queue, $value) {
                for ($i = 0; $i < self::BATCH; $i++) {
                    $queue->enQueue($value);
                }
                for ($i = 0; $i < self::BATCH; $i++) {
                    if ($queue->deQueue() !== $value) {
                        throw new RuntimeException('depth: a dequeued value differs from the one enqueued');
                    }
                }
            };
            $timed = Timed::best($batch, 2 * self::BATCH, $seconds, $runs);
            if (($length = $queue->getLength()) !== $depth) {
                throw new RuntimeException("depth $depth: $length messages waiting after balanced batches");
            }
            $rows[] = ['depth' => $depth] + $timed + ['stats_us' => self::callUs(fn () => $queue->stats()), 'dead_us' => self::callUs(fn () => $queue->deadLetters(10))];
            progress(sprintf('scaling depth %9d: %.0f ns/op; stats() %.0f µs, deadLetters(10) %.0f µs', $depth, $timed['ns'], end($rows)['stats_us'], end($rows)['dead_us']));
            unset($queue);
            SHMQueue::remove($name);
        }
        return $rows;
    }

    /** Median µs of CALLS calls of $call. */
    private static function callUs(callable $call): float
    {
        $times = [];
        for ($i = 0; $i < self::CALLS; $i++) {
            $start = hrtime(true);
            $call();
            $times[] = (hrtime(true) - $start) / 1e3;
        }
        sort($times);
        return $times[intdiv(self::CALLS, 2)];
    }

    private static function fill(SHMQueue $queue, mixed $value, int $count): void
    {
        $chunk = array_fill(0, 1000, $value);
        for ($left = $count; $left > 0; $left -= $stored) {
            $stored = $queue->enQueueMany($left >= 1000 ? $chunk : array_slice($chunk, 0, $left));
            if ($stored === 0) {
                throw new RuntimeException("depth: the queue is full after " . ($count - $left) . " of $count messages");
            }
        }
    }
}
