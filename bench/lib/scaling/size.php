<?php
// Cost of one message against its size, 1 B to 16 MiB (powers of 4): the extension (a 64 MiB
// queue), sysvmsg where a message fits (kernel.msgmax), and a plain copy of the bytes
// (str_repeat($s, 1): PHP's allocation of a string and a real memcpy) beside them, each copy
// dropped when the next is made, as the consumer's variable drops each dequeued value (kept
// alive, 50 big copies would measure fresh pages, not the copy). Batches of up to 50 messages, fewer for big
// ones (32 MiB in flight at most). y = ns per message moved: an enqueue + dequeue pair, or one
// copy.

final class ScaleSize
{
    private const CAPACITY = 64 << 20;
    private const IN_FLIGHT = 32 << 20;

    /** @return list<int> */
    public static function sizes(): array
    {
        $sizes = [];
        for ($size = 1; $size <= 16 << 20; $size *= 4) {
            $sizes[] = $size;
        }
        return $sizes;
    }

    /** @return array<string, list<array{size: int, ns: float, cpu_ns: float, mb_per_sec: float}>> driver => rows */
    public static function run(float $seconds, int $runs): array
    {
        $drivers = [new ExtKept(self::CAPACITY), new SysvMsg(), new PlainCopy(anySize: true, keepAll: false)];
        $result = [];
        foreach ($drivers as $driver) {
            foreach (self::sizes() as $size) {
                $value = str_repeat('x', $size);
                $batch = max(1, min(50, intdiv(self::IN_FLIGHT, $size)));
                if ($driver->unsupported($value, $batch) !== null) {
                    continue;
                }
                $best = bestOf($runs, fn () => OneProcess::run($driver, $value, $batch, $seconds));
                // OneProcess counts 2 operations per message of a batch (for copy: per copy)
                $nsPerMessage = 2 * 1e9 / $best['ops_per_sec'];
                $result[$driver->name()][] = ['size' => $size, 'ns' => $nsPerMessage, 'cpu_ns' => 2 * $best['cpu_ns_per_op'], 'mb_per_sec' => $size / $nsPerMessage * 1e3];
                progress(sprintf('scaling size %-8s %9d B: %.0f ns/message', $driver->name(), $size, $nsPerMessage));
            }
            $driver->cleanup();
        }
        return $result;
    }
}
