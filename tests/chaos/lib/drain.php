<?php
// Empties queues in a fresh process and writes down what it received (lib/consume.php format):
//   php drain.php <log> <seconds allowed> <dequeue|lease>:<queue name>...
// Messages still leased by killed consumers come back when their leases run out; dead letters
// are requeued and taken again. Prints one JSON line: per queue, its stats after draining,
// whether it emptied within the time allowed, how long that took and how many dead letters it
// requeued. A queue that does not empty in time is "wedged".
require_once __DIR__ . '/consume.php';

[, $logPath, $allowed] = $argv;
$log = fopen($logPath, 'a');
$report = [];
foreach (array_slice($argv, 3) as $spec) {
    [$mode, $name] = explode(':', $spec, 2);
    $queue = new SHMQueue($name);
    $started = microtime(true);
    $deadline = $started + (float) $allowed;
    $requeued = 0;
    $emptied = false;
    while (microtime(true) < $deadline) {
        $took = $mode === 'lease' ? take_leased($queue, $log, 0.05) : take_dequeued($queue, $log, 0.05);
        if ($took) {
            continue;
        }
        $stats = $queue->stats();
        if ($stats['dead'] > 0) {
            $requeued += $queue->requeueDead();
        } elseif ($stats['length'] + $stats['in_flight'] === 0) {
            $emptied = true;
            break;
        }
    }
    $report[$name] = [
        'emptied' => $emptied,
        'seconds' => round(microtime(true) - $started, 3),
        'requeued_dead' => $requeued,
        'stats' => $queue->stats(),
    ];
}
echo json_encode($report), "\n";
