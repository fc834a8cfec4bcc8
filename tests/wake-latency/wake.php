<?php

/**
 * How a blocked SHMQueue call waits: wake-up latency (deQueue and reserve woken by an
 * enQueue in another process, enQueue on a full queue woken by a deQueue), CPU used while
 * blocked (deQueue, deQueueMany, reserve, enQueue on a full queue), and how soon a
 * pcntl_async_signals() handler runs while blocked. Prints the figures, checks them against
 * the requirement with room for a busy machine, ends with "RESULT: ...".
 *
 * php -d extension=... wake.php QUEUE_PREFIX
 */

declare(strict_types=1);

const WAKES = 200;
const IDLE_SECONDS = 3.0;
const SIGNAL_TRIALS = 10;

$prefix = $argv[1] ?? 'wake-' . getmypid();
$checks = ['passed' => 0, 'failed' => 0];
function expect(string $what, bool $ok, string $expected, string $got): void
{
    global $checks;
    $checks[$ok ? 'passed' : 'failed']++;
    echo $ok ? "ok   $what\n" : "FAIL $what: expected $expected, got $got\n";
}

/**
 * Forks a process running $child($channel); the closure returned runs $whileRunning($pid,
 * $channel) in this process, then returns what $child returned (JSON through a socket pair).
 * The child leaves with exit(), which runs no finally block: the queues stay for the parent.
 */
function inChild(callable $child): Closure
{
    [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $pid = pcntl_fork();
    if ($pid === 0) {
        fclose($parentEnd);
        fwrite($childEnd, json_encode($child($childEnd)) . "\n");
        exit(0);
    }
    fclose($childEnd);
    return function (?callable $whileRunning = null) use ($pid, $parentEnd) {
        $whileRunning && $whileRunning($pid, $parentEnd);
        stream_set_timeout($parentEnd, 30);
        $answer = stream_get_line($parentEnd, 1 << 20, "\n");
        if ($answer === false) {
            posix_kill($pid, SIGKILL);  // stuck: its result counts as missing
        }
        pcntl_waitpid($pid, $status);
        return json_decode((string) $answer, true);
    };
}

function percentile(array $sorted, float $p): float
{
    return $sorted[min(count($sorted) - 1, (int) floor($p * count($sorted)))];
}

/** Creates a small queue full of 'x': taking one out makes room for exactly one more. */
function fillUp(string $name): void
{
    $queue = new SHMQueue($name, 4096);
    while ($queue->enQueue('x'));
}

function cpuSeconds(): float
{
    $usage = getrusage();
    return $usage['ru_utime.tv_sec'] + $usage['ru_stime.tv_sec']
        + ($usage['ru_utime.tv_usec'] + $usage['ru_stime.tv_usec']) / 1e6;
}

try {
    echo "== wake-up latency: a process blocked (5 s timeout) woken by another one, 2-20 ms apart\n";
    wakeLatency('deQueue woken by enQueue', "$prefix-wake", WAKES,
        fn (SHMQueue $q) => $q->deQueue(5) !== false, fn (SHMQueue $q) => $q->enQueue('message'));
    wakeLatency('reserve woken by enQueue', "$prefix-wake", WAKES / 4,
        fn (SHMQueue $q) => ($job = $q->reserve(5)) !== null && $q->ack($job), fn (SHMQueue $q) => $q->enQueue('job'));
    fillUp("$prefix-full");
    wakeLatency('enQueue on a full queue woken by deQueue', "$prefix-full", WAKES / 4,
        fn (SHMQueue $q) => $q->enQueue('x', 5), fn (SHMQueue $q) => $q->deQueue());
    idleCpu("$prefix-idle", "$prefix-full");
    signalDelay("$prefix-signal", "$prefix-signal-full");
} finally {
    foreach (['wake', 'idle', 'full', 'signal', 'signal-full'] as $name) {
        SHMQueue::remove("$prefix-$name");
    }
}
echo "RESULT: {$checks['passed']} passed, {$checks['failed']} failed\n";
exit($checks['failed'] === 0 ? 0 : 1);

/**
 * A process blocked in $block, woken by $event in another process: that process stamps the
 * time (hrtime: one monotonic clock for every process) just before the event and passes it
 * over a socket; the woken one compares it with the time its call returned.
 */
function wakeLatency(string $what, string $name, int $count, callable $block, callable $event): void
{
    $sleeper = inChild(function ($channel) use ($name, $count, $block) {
        $queue = new SHMQueue($name);
        $latencies = [];
        for ($i = 0; $i < $count; $i++) {
            fwrite($channel, "ready\n");
            $woken = $block($queue);
            $now = hrtime(true);
            $stamp = (int) fgets($channel);
            if (!$woken) {
                break;
            }
            $latencies[] = ($now - $stamp) / 1000;
        }
        return $latencies;
    });
    $latencies = $sleeper(function (int $pid, $channel) use ($name, $count, $event) {
        $queue = new SHMQueue($name);
        for ($i = 0; $i < $count; $i++) {
            fgets($channel);
            usleep(random_int(2000, 20000));  // the sleeper is blocked by now
            $stamp = hrtime(true);
            $event($queue);
            fwrite($channel, "$stamp\n");
        }
    });
    // A negative latency: the call did not block at all, and returned before the event.
    $woken = count(array_filter($latencies, fn ($us) => $us > 0));
    expect("$what: every event woke the blocked process", $woken === $count, (string) $count, (string) $woken);
    if ($latencies === []) {
        return;
    }
    sort($latencies);
    $median = percentile($latencies, 0.5);
    printf("   %s: median %.0f µs, p99 %.0f µs, max %.0f µs; %d of %d under 1 ms\n", $what, $median,
        percentile($latencies, 0.99), end($latencies), count(array_filter($latencies, fn ($us) => $us < 1000)), $count);
    // The requirement is 1 ms on an idle machine; a loop polling every 50 ms would show ~25 ms.
    expect("$what: woken by the event, not by a timer (median under 5 ms)", $median < 5000, '< 5000 µs',
        sprintf('%.0f µs', $median));
}

/** Each blocking call waits IDLE_SECONDS in its own process, measuring its own CPU time. */
function idleCpu(string $emptyName, string $fullName): void
{
    echo "== CPU while blocked for " . IDLE_SECONDS . " s\n";
    fillUp($fullName);
    $calls = [
        'deQueue' => fn (SHMQueue $q) => $q->deQueue(IDLE_SECONDS) === false,
        'deQueueMany' => fn (SHMQueue $q) => $q->deQueueMany(10, IDLE_SECONDS) === [],
        'reserve' => fn (SHMQueue $q) => $q->reserve(IDLE_SECONDS) === null,
        'enQueue on a full queue' => fn (SHMQueue $q) => $q->enQueue('x', IDLE_SECONDS) === false,
    ];
    $children = [];
    foreach ($calls as $what => $call) {
        $children[$what] = inChild(function () use ($call, $what, $emptyName, $fullName) {
            $queue = new SHMQueue(str_starts_with($what, 'enQueue') ? $fullName : $emptyName);
            $wall = microtime(true);
            $cpu = cpuSeconds();
            $timedOut = $call($queue);
            return ['cpu' => cpuSeconds() - $cpu, 'wall' => microtime(true) - $wall, 'timed_out' => $timedOut];
        });
    }
    foreach ($children as $what => $child) {
        $r = $child();
        $percent = 100 * $r['cpu'] / $r['wall'];
        printf("   %-24s %.2f s blocked, %.1f ms CPU = %.2f%%\n", "$what:", $r['wall'], $r['cpu'] * 1000, $percent);
        expect("$what waited its whole timeout and gave up", $r['timed_out'] && $r['wall'] >= IDLE_SECONDS - 0.01,
            'nothing after ' . IDLE_SECONDS . ' s',
            sprintf('%s after %.2f s', $r['timed_out'] ? 'nothing' : 'a result', $r['wall']));
        expect("$what used under 2% CPU while blocked", $percent < 2, '< 2%', sprintf('%.2f%%', $percent));
    }
}

/** SIGTERM to a process blocked in a call with a 10 s timeout: when does its handler run? */
function signalDelay(string $emptyName, string $fullName): void
{
    echo "== SIGTERM to a process blocked for 10 s, handler installed with pcntl_async_signals(true)\n";
    fillUp($fullName);
    $calls = array_merge(
        array_fill(0, SIGNAL_TRIALS, ['deQueue', $emptyName, fn (SHMQueue $q) => $q->deQueue(10)]),
        [['reserve', $emptyName, fn (SHMQueue $q) => $q->reserve(10)],
         ['enQueue on a full queue', $fullName, fn (SHMQueue $q) => $q->enQueue('x', 10)]],
    );
    $trials = [];
    foreach ($calls as [$what, $name, $call]) {
        $child = inChild(function ($channel) use ($name, $call) {
            $queue = new SHMQueue($name);
            $handledAt = null;
            pcntl_async_signals(true);
            pcntl_signal(SIGTERM, function () use (&$handledAt) {
                $handledAt = hrtime(true);
            });
            fwrite($channel, "ready\n");
            $result = $call($queue);
            return ['handled_at' => $handledAt, 'returned_at' => hrtime(true), 'result' => $result];
        });
        $sentAt = 0;
        $r = $child(function (int $pid, $channel) use (&$sentAt) {
            fgets($channel);
            usleep(random_int(100_000, 200_000));  // well inside the blocking call by now
            $sentAt = hrtime(true);
            posix_kill($pid, SIGTERM);
        });
        $trials[$what][] = [
            'delay' => is_array($r) && $r['handled_at'] !== null ? ($r['handled_at'] - $sentAt) / 1e6 : INF,
            'returned' => is_array($r) ? ($r['returned_at'] - $sentAt) / 1e6 : INF,
            'result' => is_array($r) ? $r['result'] : 'no answer from the child',
        ];
    }
    foreach ($trials as $what => $results) {
        $delays = array_column($results, 'delay');
        sort($delays);
        $returned = array_column($results, 'returned');
        printf("   %s: handler ran after median %.2f ms, max %.2f ms; the call returned within %.2f ms (%d trials)\n",
            $what, percentile($delays, 0.5), end($delays), max($returned), count($results));
        $late = count(array_filter($results, fn ($r) => $r['delay'] === INF || $r['returned'] >= 1000));
        expect("$what: each time the handler ran and the call returned within 1 s", $late === 0,
            '0 late or unhandled of ' . count($results), (string) $late);
        $results = array_filter(array_column($results, 'result'), fn ($v) => $v !== false && $v !== null);
        expect("$what: the interrupted call returned false/null", $results === [], 'false or null',
            json_encode(array_values($results)));
    }
    $delays = array_column($trials['deQueue'], 'delay');
    sort($delays);
    $median = percentile($delays, 0.5);
    expect('the handler runs within 100 ms (median of ' . SIGNAL_TRIALS . ')', $median < 100, '< 100 ms',
        sprintf('%.2f ms', $median));
}
