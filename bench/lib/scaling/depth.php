<?php
// Operation cost against queue depth: a queue holding D task arrays (0 .. 1,000,000), then
// batches of 50 enqueues and 50 dequeues on it (the depth swings D .. D + 50). A queue's
// operations touch its head and tail only, so the cost should not grow with D; what could make
// it grow is a walk over the records (compaction, the sweep of expired leases) or the cache
// misses of a head and tail far apart.

final class ScaleDepth
{
    public const DEPTHS = [0, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    private const CAPACITY = 256 << 20;
    private const BATCH = 50;

    /** @return list<array{depth: int, ns: float, cpu_ns: float}> */
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
            $rows[] = ['depth' => $depth] + $timed;
            progress(sprintf('scaling depth %9d: %.0f ns/op', $depth, $timed['ns']));
            unset($queue);
            SHMQueue::remove($name);
        }
        return $rows;
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
