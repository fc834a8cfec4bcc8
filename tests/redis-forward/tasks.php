<?php

/**
 * The tasks the test sends through the queue to Redis, and the check of what arrived.
 *
 * php tasks.php produce QUEUE COUNT SECONDS [FIRST]  enqueue tasks FIRST.. (default 0) over SECONDS
 * php tasks.php verify HOST:PORT STREAM COUNT         read the whole stream (tasks 0..COUNT-1);
 *                                                    print "<figure> <count>" lines
 */

declare(strict_types=1);

/** Task $i: values of several types, so that the payload check means something. */
function task(int $i): array
{
    return ['task' => $i, 'text' => "task $i " . str_repeat(chr(97 + $i % 26), $i % 40), 'ratio' => $i / 7,
        'tags' => ['n' => $i % 3, 'even' => $i % 2 === 0]];
}

function produce(string $queueName, int $count, float $seconds, int $first): void
{
    $queue = new SHMQueue($queueName);
    $start = microtime(true);
    $refused = 0;
    if ($seconds <= 0) {
        // All at once, in batches of 100 a waiting consumer sees together.
        for ($i = 0; $i < $count && $refused < 100; $i += $stored) {
            $stored = $queue->enQueueMany(array_map('task', range($first + $i, $first + min($count, $i + 100) - 1)));
            if ($stored === 0) {
                $refused++;  // full: the forwarder will make room
                usleep(10_000);
            }
        }
        echo "enqueued $i\nrefused $refused\n";
        return;
    }
    for ($i = 0; $i < $count; $i++) {
        // A full queue is an outage the buffer could not absorb: wait for room, count it.
        while (!$queue->enQueue(task($first + $i), 1.0)) {
            $refused++;
        }
        $due = $start + $seconds * ($i + 1) / $count;
        if (($sleep = $due - microtime(true)) > 0) {
            usleep((int) ($sleep * 1e6));
        }
    }
    echo "enqueued $count\nrefused $refused\n";
}

function verify(string $address, string $stream, int $count): void
{
    [$host, $port] = explode(':', $address);
    $redis = new Redis();
    $redis->connect($host, (int) $port, 2.0);
    $seen = array_fill(0, $count, 0);
    $figures = ['entries' => 0, 'xlen' => $redis->xLen($stream), 'unknown' => 0, 'damaged' => 0, 'redelivered' => 0];
    $from = '-';
    while ($entries = $redis->xRange($stream, $from, '+', 1000)) {
        foreach ($entries as $id => $fields) {
            $figures['entries']++;
            $value = ($fields['format'] ?? '') === 'json' ? json_decode($fields['payload'], true) : null;
            $task = is_array($value) && is_int($value['task'] ?? null) ? $value['task'] : -1;
            if (!isset($seen[$task])) {
                $figures['unknown']++;
            } elseif ($value !== task($task) || !ctype_digit($fields['job'] ?? '')) {
                $figures['damaged']++;
            } else {
                $seen[$task]++;
                $figures['redelivered'] += (int) ($fields['attempts'] ?? 1) > 1 ? 1 : 0;
            }
            $from = '(' . $id;  // exclusive start: the next page
        }
    }
    $figures['lost'] = count(array_filter($seen, fn ($n) => $n === 0));
    $figures['duplicates'] = array_sum(array_map(fn ($n) => max(0, $n - 1), $seen));
    foreach ($figures as $name => $value) {
        echo "$name $value\n";
    }
}

match ($argv[1] ?? '') {
    'produce' => produce($argv[2], (int) $argv[3], (float) $argv[4], (int) ($argv[5] ?? 0)),
    'verify' => verify($argv[2], $argv[3], (int) $argv[4]),
};
