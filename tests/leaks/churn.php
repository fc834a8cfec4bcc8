<?php
// Enqueue/dequeue pairs of mixed values plus every other path of the API, error paths included,
// for valgrind to find what leaks:  php churn.php <pairs> <queue name>
// Prints "pairs <n> mismatches <n> exceptions <n> dead <n>" when done.
require __DIR__ . '/values.php';

[, $pairs, $name] = $argv;
$pairs = (int) $pairs;
$queue = new SHMQueue($name, 1 << 20, 0.05, 2);
$tiny = new SHMQueue("$name-tiny", 4096);
$mismatches = $exceptions = $dead = 0;

/** Calls $fn, which must throw SHMQueueException; counts it. */
function expect_exception(callable $fn): void
{
    global $exceptions, $mismatches;
    try {
        $fn();
        $mismatches++;              // an error path that did not throw
    } catch (SHMQueueException $e) {
        $exceptions++;
    }
}

for ($i = 0; $i < $pairs; $i++) {
    $value = mixed_value($i);
    $queue->enQueue($value);
    $mismatches += same_value($queue->deQueue(), $value) ? 0 : 1;

    if ($i % 10 === 3) {            // reserve, then ack or release (twice released: dead letter)
        $queue->enQueue($value);
        $job = $queue->reserve();
        $mismatches += $job !== null && same_value($job->value, $value) && $job->attempts === 1 && $job->id > 0 && $job->leaseUntil > 0 ? 0 : 1;
        if ($i % 20 === 3) {
            $queue->ack($job);
        } else {
            $queue->release($job);
            $queue->release($queue->reserve());
        }
    }
    if ($i % 50 === 7) {            // batches, delays, counters, empty queue
        $queue->enQueueMany([$value, [$value], "x$i"]);
        $mismatches += count($queue->deQueueMany(5)) === 3 ? 0 : 1;
        $queue->enQueueDelayed($value, 0.001);
        usleep(1500);               // a waiting deQueue() notices delays only every 50 ms
        $mismatches += same_value($queue->deQueue(0.5), $value) ? 0 : 1;
        $stats = $queue->stats();
        $mismatches += $stats['length'] === count($queue) && $queue->getLength() === 0 ? 0 : 1;
        $mismatches += $queue->deQueue() === false && $queue->reserve() === null ? 0 : 1;
    }
    if ($i % 100 === 11) {          // expired lease, dead letters
        $queue->enQueue($value);
        $queue->reserve(0, 0.001);
        usleep(2000);
        $queue->release($queue->reserve());
        foreach ($queue->deadLetters() as $letter) {
            $dead++;
            $mismatches += is_int($letter['attempts']) && array_key_exists('value', $letter) ? 0 : 1;
        }
        $i % 200 === 11 ? $queue->requeueDead() : $queue->purgeDead();
        while ($queue->deQueue() !== false) {
        }
    }
    if ($i % 100 === 13) {          // values and arguments that throw
        expect_exception(fn () => $queue->enQueue(STDIN));
        expect_exception(fn () => $queue->enQueue(['ok', [fn () => 1]]));
        expect_exception(fn () => $queue->enQueue(str_repeat('x', 2 << 20)));
        $recursive = [1];
        $recursive[] = &$recursive;
        expect_exception(fn () => $queue->enQueue($recursive));
        unset($recursive);
        gc_collect_cycles();        // the cycle is PHP's to free; without zend's allocator it would stay
        expect_exception(fn () => new SHMQueue('no/such name'));
        expect_exception(fn () => new SHMQueue("$name-small", 100));
        expect_exception(fn () => $queue->deQueue(-1));
    }
    if ($i % 500 === 17) {          // full queue, removal and reopening
        while ($tiny->enQueue([$i, "fill"])) {
        }
        SHMQueue::remove("$name-tiny");
        $tiny = new SHMQueue("$name-tiny", 4096);
        $queue = new SHMQueue($name);
    }
}
SHMQueue::remove($name);
SHMQueue::remove("$name-tiny");
echo "pairs $pairs mismatches $mismatches exceptions $exceptions dead $dead\n";
