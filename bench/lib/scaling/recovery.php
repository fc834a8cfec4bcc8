<?php
// Recovery time after a lock holder is SIGKILLed, against queue size. A queue is filled (full,
// with 15-byte strings: the most records a size holds), then a child process opens it and runs
// enQueue + deQueue as fast as it can, and is SIGKILLed at a random moment; when the kill caught
// it holding the lock (stats()['recoveries'] went up), the first operation after it (getLength,
// which takes the lock) ran the repair of core/src/recovery.rs: journal roll forward/back, then
// a walk over every record and every lease slot to recount the state. Every process that needs
// the queue meanwhile waits on the lock, so this is also how long they all stall.
// Two recovering processes: "warm", the one that filled the queue (its page tables cover the
// whole ring); "fresh", a process forked after the kill (a php-fpm worker that mapped the
// queue but had not touched its pages: tmpfs page faults come on top). Besides the full queues
// of small messages: the 1 GiB queue empty (the slots' scan alone) and full of 64 KiB messages
// (few records), which tell the walk over records from the rest.

final class ScaleRecovery
{
    public const SIZES_MIB = [1, 8, 64, 256, 1024];
    private const SAMPLES = 3;
    private const MAX_KILLS = 60;
    /** Page faults the last fresh process took during its first operation. */
    private static int $lastFaults = 0;

    /** @return list<array{label: string, mib: int, records: int, warm: list<float>, fresh: list<float>, faults: list<int>, kills: int, baseline: float}> (ms) */
    public static function run(string $workDir, array $sizes = self::SIZES_MIB, bool $extra = true): array
    {
        $configs = [];
        foreach ($sizes as $mib) {
            $configs[] = ["full of 15-byte strings", $mib, str_repeat('s', 15), true];
        }
        if ($extra) {
            $big = max($sizes);
            $configs[] = ['empty', $big, 's', false];
            $configs[] = ['full of 64 KiB strings', $big, str_repeat('b', 65536), true];
        }
        $rows = [];
        foreach ($configs as [$label, $mib, $value, $fill]) {
            $rows[] = self::measure($label, $mib, $value, $fill, $workDir);
        }
        return $rows;
    }

    private static function measure(string $label, int $mib, string $value, bool $fill, string $workDir): array
    {
        $name = 'bench_' . getmypid() . '_recovery';
        SHMQueue::remove($name);
        $queue = new SHMQueue($name, $mib << 20);
        try {
            if ($fill) {
                self::fill($queue, $value);
            }
            $records = $queue->getLength();
            $row = ['label' => $label, 'mib' => $mib, 'records' => $records, 'warm' => [], 'fresh' => [], 'faults' => [], 'kills' => 0,
                'baseline' => self::timeFirstOperation($queue, false, $workDir)];
            for ($kills = 0; (count($row['warm']) < self::SAMPLES || count($row['fresh']) < self::SAMPLES) && $kills < self::MAX_KILLS; $kills++) {
                $before = $queue->stats()['recoveries'];
                self::killBusyChild($queue, $value);
                $fresh = count($row['fresh']) < count($row['warm']);
                $ms = self::timeFirstOperation($queue, $fresh, $workDir);
                if ($queue->stats()['recoveries'] > $before) {
                    $row[$fresh ? 'fresh' : 'warm'][] = $ms;
                    if ($fresh) {
                        $row['faults'][] = self::$lastFaults;
                    }
                }
                $length = $queue->getLength();
                if ($fill) {
                    while ($queue->enQueue($value)) {
                        $length++;
                    }
                }
                if (abs($length - $records) > 1) {
                    throw new RuntimeException("recovery: $length messages after a kill, $records before");
                }
                // What comes out is what went in (the empty queue: the child's last message, if any).
                if ($length > 0) {
                    if ($queue->deQueue() !== $value) {
                        throw new RuntimeException('recovery: the queue gave back another value after a kill');
                    }
                    if ($fill) {
                        $queue->enQueue($value);
                    }
                }
            }
            $row['kills'] = $kills;
            $median = fn (array $v) => $v ? self::median($v) : NAN;
            progress(sprintf('scaling recovery %5d MiB %-24s %10d records: %.1f ms warm, %.1f ms fresh (median of %d/%d; %d kills)',
                $mib, $label, $records, $median($row['warm']), $median($row['fresh']), count($row['warm']), count($row['fresh']), $kills));
            return $row;
        } finally {
            unset($queue);
            SHMQueue::remove($name);
        }
    }

    public static function median(array $values): float
    {
        sort($values);
        return (float) $values[intdiv(count($values), 2)];
    }

    private static function fill(SHMQueue $queue, string $value): void
    {
        $chunk = array_fill(0, max(1, min(4096, intdiv(16 << 20, strlen($value) + 16))), $value);
        while ($queue->enQueueMany($chunk) === count($chunk)) {
        }
        while ($queue->enQueue($value)) {
        }
    }

    /** A child running enQueue + deQueue in a loop, SIGKILLed after a random 2-20 ms. */
    private static function killBusyChild(SHMQueue $queue, string $value): void
    {
        $pid = Forked::fork(function () use ($queue, $value) {
            while (true) {
                $queue->enQueue($value);
                $queue->deQueue();
            }
        });
        usleep(random_int(2_000, 20_000));
        posix_kill($pid, SIGKILL);
        pcntl_waitpid($pid, $status);
    }

    /** ms taken by the first lock-taking operation, here ($fresh false) or in a new child. */
    private static function timeFirstOperation(SHMQueue $queue, bool $fresh, string $workDir): float
    {
        if (!$fresh) {
            $start = hrtime(true);
            $queue->getLength();
            return (hrtime(true) - $start) / 1e6;
        }
        $out = "$workDir/recovery-time";
        @unlink($out);
        $pid = Forked::fork(function () use ($queue, $out) {
            $faults = getrusage()['ru_minflt'];
            $start = hrtime(true);
            $queue->getLength();
            $ms = (hrtime(true) - $start) / 1e6;
            file_put_contents($out, $ms . ' ' . (getrusage()['ru_minflt'] - $faults));
        });
        pcntl_waitpid($pid, $status);
        $report = @file_get_contents($out);
        if ($report === false) {
            throw new RuntimeException('recovery: the fresh process reported nothing (see stderr)');
        }
        [$ms, $faults] = explode(' ', $report);
        self::$lastFaults = (int) $faults;
        return (float) $ms;
    }
}
