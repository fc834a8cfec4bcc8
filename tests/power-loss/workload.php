<?php
// Producers and consumers (forked) on one durable queue for a number of seconds. Every call is
// logged, one line per event with hrtime(true) (CLOCK_MONOTONIC, the shim's clock), to a file of
// its own per process (each line one write: a SIGKILLed process leaves whole lines):
//   B id start    a producer is about to enQueue id;   E id start end    enQueue returned true
//   D id start end   deQueue returned id;  R id ...  reserve returned id;  A id start end  ack true
// Payloads are "id|filler|crc32" (message.php), so a garbled one is seen.
//   php workload.php LOG_DIR QUEUE SECONDS PRODUCERS DEQUEUERS RESERVERS
require __DIR__ . '/message.php';

[, $logDir, $name, $seconds, $producers, $dequeuers, $reservers] = $argv;
$end = hrtime(true) + (int) ((float) $seconds * 1e9);
$roles = array_merge(
    array_fill(0, (int) $producers, 'produce'),
    array_fill(0, (int) $dequeuers, 'dequeue'),
    array_fill(0, (int) $reservers, 'reserve')
);
$children = [];
foreach ($roles as $n => $role) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        mt_srand(getmypid());
        $log = fopen("$logDir/$role-$n.log", 'a');
        // small, so that the ring wraps and the sampler reads the whole file every 2 ms
        $queue = new SHMQueue($name, 64 << 10, 30, durable: true);
        $role($queue, $log, $n, $end);
        exit(0);
    }
    $children[] = $pid;
}
$failed = 0;
foreach ($children as $pid) {
    pcntl_waitpid($pid, $status);
    $failed += (int) !(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
}
exit($failed ? 1 : 0);

function produce(SHMQueue $queue, $log, int $n, int $end): void
{
    for ($seq = 0; hrtime(true) < $end; $seq++) {
        $id = "p$n-$seq";
        $start = hrtime(true);
        fwrite($log, "B $id $start\n");
        if ($queue->enQueue(message($id))) {
            fwrite($log, "E $id $start " . hrtime(true) . "\n");
        } else {
            fwrite($log, "F $id\n"); // full: not stored
        }
        usleep(mt_rand(0, 4000));
    }
}

function dequeue(SHMQueue $queue, $log, int $n, int $end): void
{
    while (hrtime(true) < $end) {
        $start = hrtime(true);
        $value = $queue->deQueue();
        if ($value === false) {
            usleep(1000);
            continue;
        }
        fwrite($log, 'D ' . (message_id($value) ?? 'garbled') . " $start " . hrtime(true) . "\n");
        usleep(mt_rand(0, 1500));
    }
}

function reserve(SHMQueue $queue, $log, int $n, int $end): void
{
    while (hrtime(true) < $end) {
        $start = hrtime(true);
        $job = $queue->reserve();
        if ($job === null) {
            usleep(1000);
            continue;
        }
        $id = message_id($job->value) ?? 'garbled';
        fwrite($log, "R $id $start " . hrtime(true) . "\n");
        usleep(mt_rand(0, 1000));
        $start = hrtime(true);
        if ($queue->ack($job)) {
            fwrite($log, "A $id $start " . hrtime(true) . "\n");
        }
    }
}
