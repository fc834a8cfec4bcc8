<?php
// One chaos worker: a producer, a deQueue consumer or a reserve/ack consumer, working until
// SIGTERM (or a deadline) unless killed first. Forked by chaos.php (run_worker) or, for the
// processes that pause inside the critical section, run as a command:
//   php worker.php <producer|dequeue|lease> <dequeue queue> <lease queue> <log> <until> <incarnation>
// A producer writes "<D|L> <id>" to its log only after enQueue() returned true, so its log is
// exactly what it was promised; ids are "<incarnation>.<seq>", seq counting acknowledged messages.
require_once __DIR__ . '/lib/consume.php';

/** Whether to go on: no SIGTERM came (blocking calls return early when one does) and time is left. */
function working(float $until): bool
{
    global $stopRequested;
    return !$stopRequested && microtime(true) < $until;
}

function produce(array $queues, $log, float $until, int $incarnation): void
{
    $seq = 0;
    $letter = mt_rand(0, 1) ? 'D' : 'L';
    $message = make_message("$incarnation.$seq");
    while (working($until)) {
        if ($queues[$letter]->enQueue($message, 0.05)) {
            log_line($log, "$letter {$message['id']}");
            $seq++;
            $letter = mt_rand(0, 1) ? 'D' : 'L';
            $message = make_message("$incarnation.$seq");
        }
    }
}

function run_worker(string $role, string $dequeueQueue, string $leaseQueue, string $logPath, float $until, int $incarnation): int
{
    global $stopRequested;
    $stopRequested = false;
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, function () use (&$stopRequested) {
        $stopRequested = true;
    });
    pcntl_sigprocmask(SIG_UNBLOCK, [SIGTERM]);      // chaos.php forks with SIGTERM blocked
    try {
        $log = fopen($logPath, 'a');
        if ($role === 'producer') {
            produce(['D' => new SHMQueue($dequeueQueue), 'L' => new SHMQueue($leaseQueue)], $log, $until, $incarnation);
        } elseif ($role === 'dequeue') {
            $queue = new SHMQueue($dequeueQueue);
            while (working($until)) {
                take_dequeued($queue, $log, 0.05);
            }
        } else {
            $queue = new SHMQueue($leaseQueue);
            while (working($until)) {
                take_leased($queue, $log, 0.05, 20);
            }
        }
        return 0;
    } catch (Throwable $e) {
        file_put_contents(dirname($logPath) . '/errors.txt', "$role $incarnation: " . get_class($e) . ': ' . $e->getMessage() . "\n", FILE_APPEND);
        return 3;
    }
}

if (realpath($_SERVER['SCRIPT_FILENAME']) === __FILE__) {
    [, $role, $dequeueQueue, $leaseQueue, $logPath, $until, $incarnation] = $argv;
    exit(run_worker($role, $dequeueQueue, $leaseQueue, $logPath, (float) $until, (int) $incarnation));
}
