<?php
// Latency from enQueue to deQueue across processes: each message carries hrtime() (the
// monotonic clock, the same in every process) taken just before it is sent; the consumer, blocked
// in the driver's receive (deQueue($timeout) for the extension, a blocking msg_receive for
// sysvmsg), subtracts it from hrtime() just after the value came back (decoded). So a figure is
// encode + store + wake-up of the sleeping consumer + take + decode.
//   idle: 1 producer, 1 consumer; one message every IDLE_GAP_US, so the consumer is asleep
//         each time one arrives;
//   load: 2 producers and 2 consumers, the producers paced to $rate messages/s in all (a load
//         both queues sustain: an unpaced producer only measures how long the backlog grows).
//         Paced producers send what is due every ~50 us, so small bursts wait behind each other.
// Every message is counted as in the forked shape: lost and duplicated ones are reported.

final class Latency
{
    public const IDLE_MESSAGES = 4000;
    public const IDLE_GAP_US = 500;
    private const START_DELAY_NS = 300_000_000;
    private const GIVE_UP_NS = 20_000_000_000;

    /** @return array{samples: int, p50: float, p99: float, p999: float, max: float, sent: int, lost: int, duplicated: int} (µs) */
    public static function idle(Driver $driver, string $workDir): array
    {
        return self::run($driver, $workDir, 1, 1, self::IDLE_GAP_US * 1000, self::IDLE_MESSAGES, null);
    }

    public static function loaded(Driver $driver, string $workDir, float $seconds, int $rate): array
    {
        return self::run($driver, $workDir, 2, 2, (int) (2 * 1e9 / $rate), null, $seconds);
    }

    private static function run(Driver $driver, string $workDir, int $producers, int $consumers, int $intervalNs, ?int $count, ?float $seconds): array
    {
        $driver->prepare();
        $start = hrtime(true) + self::START_DELAY_NS;
        $stopAt = $seconds === null ? PHP_INT_MAX : $start + (int) ($seconds * 1e9);
        $giveUp = ($seconds === null ? $start + $count * $intervalNs * 3 : $stopAt) + self::GIVE_UP_NS;
        $children = [];
        try {
            for ($c = 0; $c < $consumers; $c++) {
                $children[] = Forked::fork(fn () => self::consume($driver, $producers, $start, $giveUp, "$workDir/latency-c$c"));
            }
            for ($p = 0; $p < $producers; $p++) {
                $children[] = Forked::fork(fn () => self::produce($driver, $p, $consumers, $start, $stopAt, $intervalNs, $count, "$workDir/latency-p$p"));
            }
            Forked::waitAll($children, $giveUp + 5_000_000_000);
            return self::tally($workDir, $producers, $consumers);
        } finally {
            $driver->cleanup();
            foreach (glob("$workDir/latency-*") as $file) {
                unlink($file);
            }
        }
    }

    private static function message(int $tag): array
    {
        return ['to' => 'user12345@example.com', 'subject' => 'Your order has shipped', 'user_id' => $tag, 'tries' => 0, 'sent' => hrtime(true)];
    }

    private static function produce(Driver $driver, int $producer, int $consumers, int $start, int $stopAt, int $intervalNs, ?int $count, string $out): void
    {
        $driver->attach();
        $first = ($producer + 1) * 1_000_000_000;
        $k = 0;
        Forked::waitUntil($start);
        while (($now = hrtime(true)) < $stopAt && ($count === null || $k < $count)) {
            $due = $start + $k * $intervalNs;
            if ($now < $due) {
                usleep((int) max(1, min(($due - $now) / 1000, 50)));
                continue;
            }
            // Everything due by now (at the idle pace: one message).
            do {
                $driver->send(self::message($first + $k));
                $k++;
            } while (($count === null || $k < $count) && $start + $k * $intervalNs <= $now);
        }
        for ($c = 0; $c < $consumers; $c++) {
            $driver->send(self::message(Payloads::STOP));
        }
        $driver->detach();
        file_put_contents($out, (string) $k);
    }

    private static function consume(Driver $driver, int $producers, int $start, int $giveUp, string $out): void
    {
        $driver->attach();
        Forked::waitUntil($start);
        $seen = [];
        $stops = 0;
        while (true) {
            $value = $driver->receive(1.0);
            $now = hrtime(true);
            if ($value === null) {
                if ($now > $giveUp) {
                    break;
                }
                continue;
            }
            if ($value['user_id'] === Payloads::STOP) {
                if (++$stops === $producers) {
                    break;
                }
                continue;
            }
            $seen[] = $value['user_id'];
            $seen[] = $now - $value['sent'];
        }
        $driver->detach();
        file_put_contents($out, $seen ? pack('q*', ...$seen) : '');
    }

    private static function tally(string $workDir, int $producers, int $consumers): array
    {
        $sent = [];
        for ($p = 0; $p < $producers; $p++) {
            $n = @file_get_contents("$workDir/latency-p$p");
            if ($n === false) {
                throw new RuntimeException("latency: producer $p reported nothing (it failed: see stderr)");
            }
            $sent[$p] = (int) $n;
        }
        $tags = $latencies = [];
        for ($c = 0; $c < $consumers; $c++) {
            $data = @file_get_contents("$workDir/latency-c$c");
            if ($data === false) {
                throw new RuntimeException("latency: consumer $c reported nothing (it failed: see stderr)");
            }
            $pairs = $data === '' ? [] : array_values(unpack('q*', $data));
            for ($i = 0, $n = count($pairs); $i < $n; $i += 2) {
                $tags[] = $pairs[$i];
                $latencies[] = $pairs[$i + 1];
            }
        }
        $distinct = array_unique($tags);
        $valid = array_filter($distinct, fn (int $tag) => ($tag % 1_000_000_000) < ($sent[intdiv($tag, 1_000_000_000) - 1] ?? 0));
        sort($latencies);
        $total = array_sum($sent);
        return [
            'samples' => count($latencies),
            'p50' => self::quantile($latencies, 0.50) / 1e3,
            'p99' => self::quantile($latencies, 0.99) / 1e3,
            'p999' => self::quantile($latencies, 0.999) / 1e3,
            'max' => ($latencies ? end($latencies) : 0) / 1e3,
            'sent' => $total,
            'lost' => $total - count($valid),
            'duplicated' => count($tags) - count($valid),
        ];
    }

    /** The value below which a share $q of the sorted $values lie (nearest rank). */
    public static function quantile(array $sorted, float $q): float
    {
        if ($sorted === []) {
            return NAN;
        }
        return (float) $sorted[min(count($sorted) - 1, (int) ceil($q * count($sorted)) - 1)];
    }
}
