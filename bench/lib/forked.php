<?php
// Shape "2p2c" (and "8p2c", "16p2c", and the consumer scan of scaling.php): P producer and C
// consumer processes (forked) on one queue, 2 and 2 unless told. Producers send tagged messages
// ((producer + 1) * 1e9 + sequence) for a fixed time, then C STOP messages each; a consumer stops
// at its P-th STOP. Since STOPs follow each producer's data, the last STOP
// taken means everything before it was taken: whatever is missing then is lost. Each consumer
// writes the tags it saw to a file; the parent counts lost and duplicated messages.
// Rate: 2 operations per message received, over the time from the common start to the moment
// the last consumer finished (producers stop at the deadline; the backlog is drained inside
// the measured time). CPU per operation: user + system time of the P + C children over their whole
// life (start-up included) divided by the operations: less sensitive to a busy machine.

final class Forked
{
    /** Children open their queue before this delay and then start together. */
    private const START_DELAY_NS = 300_000_000;
    /** A consumer gives up (reported as lost messages) this long after the producers' deadline. */
    private const GIVE_UP_NS = 20_000_000_000;
    /** Producers build this many messages at a time, and read the clock once per chunk. */
    private const CHUNK = 32;

    /** @return array{ops_per_sec: float, sent: int, received: int, lost: int, duplicated: int, leftover: int} */
    public static function run(Driver $driver, string $kind, float $seconds, string $workDir, int $producers = 2, int $consumers = 2): array
    {
        $driver->prepare();
        $start = hrtime(true) + self::START_DELAY_NS;
        $stopAt = $start + (int) ($seconds * 1e9);
        $giveUp = $stopAt + self::GIVE_UP_NS;
        $children = [];
        $cpuBefore = Cpu::childrenNs();
        try {
            for ($c = 0; $c < $consumers; $c++) {
                $children[] = self::fork(fn () => self::consume($driver, $producers, $start, $giveUp, "$workDir/consumer$c"));
            }
            for ($p = 0; $p < $producers; $p++) {
                $children[] = self::fork(fn () => self::produce($driver, $kind, $p, $consumers, $start, $stopAt, "$workDir/producer$p"));
            }
            self::waitAll($children, $giveUp + 5_000_000_000);
            $result = self::tally($driver, $workDir, $start, $producers, $consumers);
            $result['cpu_ns_per_op'] = (Cpu::childrenNs() - $cpuBefore) / max(1, $result['received'] * 2);
            return $result;
        } finally {
            $driver->cleanup();
            foreach (glob("$workDir/{consumer,producer}*", GLOB_BRACE) as $file) {
                unlink($file);
            }
        }
    }

    public static function fork(callable $work): int
    {
        $pid = pcntl_fork();
        if ($pid === -1) {
            throw new RuntimeException('pcntl_fork failed');
        }
        if ($pid === 0) {
            // The parent's handlers exit() into its cleanup: a child must just die.
            pcntl_signal(SIGINT, SIG_DFL);
            pcntl_signal(SIGTERM, SIG_DFL);
            $code = 0;
            try {
                $work();
            } catch (Throwable $error) {
                fwrite(STDERR, "bench child: $error\n");
                $code = 1;
            }
            posix_kill(getmypid(), SIGKILL); // skips the parent's shutdown functions (its cleanup)
            exit($code);
        }
        return $pid;
    }

    public static function waitUntil(int $when): void
    {
        while (($left = $when - hrtime(true)) > 0) {
            usleep((int) min($left / 1000, 10_000));
        }
    }

    private static function produce(Driver $driver, string $kind, int $producer, int $consumers, int $start, int $stopAt, string $out): void
    {
        $driver->attach();
        $make = Payloads::maker($kind);
        $next = ($producer + 1) * 1_000_000_000;
        $stop = Payloads::make($kind, Payloads::STOP);
        self::waitUntil($start);
        do {
            foreach ($make($next, self::CHUNK) as $message) {
                $driver->send($message);
            }
            $next += self::CHUNK;
        } while (hrtime(true) < $stopAt);
        for ($c = 0; $c < $consumers; $c++) {
            $driver->send($stop);
        }
        $driver->detach();
        file_put_contents($out, (string) ($next % 1_000_000_000));
    }

    private static function consume(Driver $driver, int $producers, int $start, int $giveUp, string $out): void
    {
        $driver->attach();
        self::waitUntil($start);
        $tags = [];
        $stops = 0;
        while (true) {
            $value = $driver->receive(0.05);
            if ($value === null) {
                if (hrtime(true) > $giveUp) {
                    break;
                }
                continue;
            }
            $tag = is_array($value) ? $value['user_id'] : (int) $value; // Payloads::tagOf(), inlined
            if ($tag === Payloads::STOP) {
                if (++$stops === $producers) {
                    break;
                }
                continue;
            }
            $tags[] = $tag;
        }
        $end = hrtime(true);
        $driver->detach();
        file_put_contents($out, pack('q', $end) . ($tags ? pack('q*', ...$tags) : ''));
    }

    /** @param int[] $children */
    public static function waitAll(array $children, int $killAt): void
    {
        $pending = array_flip($children);
        while ($pending) {
            foreach (array_keys($pending) as $pid) {
                if (pcntl_waitpid($pid, $status, WNOHANG) === $pid) {
                    unset($pending[$pid]);
                    if (!pcntl_wifexited($status) && !(pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGKILL)) {
                        throw new RuntimeException("bench child $pid ended abnormally (status $status)");
                    }
                }
            }
            if ($pending && hrtime(true) > $killAt) {
                foreach (array_keys($pending) as $pid) {
                    posix_kill($pid, SIGKILL);
                    pcntl_waitpid($pid, $status);
                }
                throw new RuntimeException('forked shape hung: killed ' . count($pending) . ' children');
            }
            usleep(2_000);
        }
    }

    private static function tally(Driver $driver, string $workDir, int $start, int $producers, int $consumers): array
    {
        $sent = [];
        for ($p = 0; $p < $producers; $p++) {
            $count = @file_get_contents("$workDir/producer$p");
            if ($count === false) {
                throw new RuntimeException("producer $p reported nothing (it failed: see stderr)");
            }
            $sent[$p] = (int) $count;
        }
        $tags = [];
        $end = 0;
        for ($c = 0; $c < $consumers; $c++) {
            $data = @file_get_contents("$workDir/consumer$c");
            if ($data === false) {
                throw new RuntimeException("consumer $c reported nothing (it failed: see stderr)");
            }
            $end = max($end, unpack('q', $data)[1]);
            if (strlen($data) > 8) {
                array_push($tags, ...unpack('q*', $data, 8));
            }
        }
        sort($tags);
        // Walk the sorted tags: each valid tag seen once is delivered, again is a duplicate.
        $delivered = $duplicated = $foreign = 0;
        $previous = null;
        foreach ($tags as $tag) {
            if ($tag === $previous) {
                $duplicated++;
                continue;
            }
            $previous = $tag;
            $producer = intdiv($tag, 1_000_000_000) - 1;
            $seq = $tag % 1_000_000_000;
            if (isset($sent[$producer]) && $seq < $sent[$producer]) {
                $delivered++;
            } else {
                $foreign++;
            }
        }
        $total = array_sum($sent);
        return [
            'ops_per_sec' => 2 * count($tags) / (($end - $start) / 1e9),
            'sent' => $total,
            'received' => count($tags),
            'lost' => $total - $delivered,
            'duplicated' => $duplicated + $foreign,
            'leftover' => $driver->leftover(),
        ];
    }
}
