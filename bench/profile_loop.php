<?php
// The loop that bench/profile.sh profiles: batches of 50 enqueues then 50 dequeues of one
// payload, done by the extension with the object kept ("kept"), by the documented pattern
// new/op/unset ("per-op"), or by serialize() + SplQueue ("floor"), for comparison.
// Usage: php -d extension=... profile_loop.php kept|per-op|floor|warm <batches> [payload] [queue]
// "warm" only creates the queue and fills and drains its ring once (so that a profiled run that
// follows in another process does not count tmpfs handing out the ring's pages), and keeps it.
declare(strict_types=1);
require __DIR__ . '/lib/payloads.php';
require __DIR__ . '/drivers/Driver.php';
require __DIR__ . '/drivers/KeptQueueBatch.php';
require __DIR__ . '/drivers/ExtKept.php';

[, $mode, $batches] = $argv;
$batches = (int) $batches;
$value = Payloads::make($argv[3] ?? 'task', Payloads::SAMPLE_TAG);
$name = $argv[4] ?? 'bench_' . getmypid() . '_profile';
$queue = new SHMQueue($name, ExtKept::CAPACITY);
if ($mode === 'warm') {
    ExtKept::warm($queue);
    exit(0);
}
$floor = new SplQueue();
$got = null;
for ($k = 0; $k < $batches; $k++) {
    switch ($mode) {
        case 'kept':
            for ($i = 0; $i < 50; $i++) {
                $queue->enQueue($value);
            }
            for ($i = 0; $i < 50; $i++) {
                $got = $queue->deQueue();
            }
            break;
        case 'per-op':
            for ($i = 0; $i < 50; $i++) {
                $q = new SHMQueue($name);
                $q->enQueue($value);
                unset($q);
            }
            for ($i = 0; $i < 50; $i++) {
                $q = new SHMQueue($name);
                $got = $q->deQueue();
                unset($q);
            }
            break;
        case 'floor':
            for ($i = 0; $i < 50; $i++) {
                $floor->enqueue(serialize($value));
            }
            for ($i = 0; $i < 50; $i++) {
                $got = unserialize($floor->dequeue());
            }
            break;
        default:
            fwrite(STDERR, "profile_loop.php: unknown mode $mode\n");
            exit(2);
    }
}
unset($queue);
SHMQueue::remove($name);
if ($got !== $value) {
    fwrite(STDERR, "profile_loop.php: the last value dequeued differs from the one enqueued\n");
    exit(1);
}
