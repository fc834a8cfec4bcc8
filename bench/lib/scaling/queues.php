<?php
// Cost against queues open in one process: K queues (1 .. 10,000) of 4 KiB created and kept
// open, then an enqueue + dequeue of a task array on one after the other (round robin: every
// operation on a queue whose lines are likely out of the caches), on the first one only (what
// having K queues mapped costs an operation by itself), and in the php-fpm pattern
// (new SHMQueue(name), one operation, unset) round robin over the K names.

final class ScaleQueues
{
    public const COUNTS = [1, 10, 100, 1_000, 10_000];
    private const CAPACITY = 4096;
    private const PAIRS = 100;

    /** @return array<string, list<array{queues: int, ns: float, cpu_ns: float}>> way => rows */
    public static function run(float $seconds, int $runs): array
    {
        $value = Payloads::make('task', Payloads::SAMPLE_TAG);
        $prefix = 'bench_' . getmypid() . '_q';
        $result = [];
        $queues = [];
        try {
            foreach (self::COUNTS as $count) {
                for ($i = count($queues); $i < $count; $i++) {
                    SHMQueue::remove("$prefix$i");
                    $queues[$i] = new SHMQueue("$prefix$i", self::CAPACITY);
                }
                $next = 0;
                $roundRobin = function () use ($queues, $count, $value, &$next) {
                    for ($p = 0; $p < self::PAIRS; $p++) {
                        $queue = $queues[$next];
                        $next = $next + 1 === $count ? 0 : $next + 1;
                        $queue->enQueue($value);
                        if ($queue->deQueue() !== $value) {
                            throw new RuntimeException('queues: a dequeued value differs from the one enqueued');
                        }
                    }
                };
                $first = $queues[0];
                $firstOnly = function () use ($first, $value) {
                    for ($p = 0; $p < self::PAIRS; $p++) {
                        $first->enQueue($value);
                        $first->deQueue();
                    }
                };
                $perOp = function () use ($prefix, $count, $value, &$next) {
                    for ($p = 0; $p < self::PAIRS; $p++) {
                        $name = $prefix . $next;
                        $next = $next + 1 === $count ? 0 : $next + 1;
                        $queue = new SHMQueue($name);
                        $queue->enQueue($value);
                        unset($queue);
                        $queue = new SHMQueue($name);
                        if ($queue->deQueue() !== $value) {
                            throw new RuntimeException('queues: a dequeued value differs from the one enqueued');
                        }
                        unset($queue);
                    }
                };
                foreach (['kept, round robin' => $roundRobin, 'kept, first queue only' => $firstOnly, 'new + op + unset, round robin' => $perOp] as $way => $batch) {
                    $next = 0;
                    $result[$way][] = ['queues' => $count] + Timed::best($batch, 2 * self::PAIRS, $seconds, $runs);
                }
                foreach ([0, $count - 1] as $i) {
                    if ($queues[$i]->getLength() !== 0) {
                        throw new RuntimeException("queues: queue $i is not empty after balanced operations");
                    }
                }
                progress(sprintf('scaling queues %6d open: %.0f / %.0f / %.0f ns/op (round robin / first only / per-op)', $count,
                    ...array_map(fn ($rows) => end($rows)['ns'], array_values($result))));
            }
        } finally {
            $queues = [];
            for ($i = 0; $i < max(self::COUNTS); $i++) {
                SHMQueue::remove("$prefix$i");
            }
        }
        return $result;
    }
}
