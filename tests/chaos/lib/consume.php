<?php
// Taking one message and writing down what was received, shared by the chaos consumers and the
// drain. Log lines (one write() each, on a file opened for append):
//   D <id> <ok|bad>              received with deQueue()
//   R <id> <ok|bad> <attempts>   received with reserve(), before acknowledging it
//   A <id>   acknowledged        L <id>   released for a retry        X <id>   lease was lost
// A process killed between taking a message and writing its line loses that one message with
// deQueue(); with reserve() it is delivered again when the lease runs out.
require_once __DIR__ . '/message.php';

function log_line($log, string $line): void
{
    fwrite($log, "$line\n");
}

/** Takes one message with deQueue(); false when none came within $timeout. */
function take_dequeued(SHMQueue $queue, $log, float $timeout): bool
{
    $value = $queue->deQueue($timeout);
    if ($value === false) {
        return false;
    }
    log_line($log, 'D ' . describe_received($value));
    return true;
}

/** Takes one job with reserve() and acknowledges it, or, one time in $releaseOneIn, releases it. */
function take_leased(SHMQueue $queue, $log, float $timeout, int $releaseOneIn = 0): bool
{
    $job = $queue->reserve($timeout);
    if ($job === null) {
        return false;
    }
    $received = describe_received($job->value);
    log_line($log, "R $received {$job->attempts}");
    $id = explode(' ', $received)[0];
    if ($releaseOneIn > 0 && mt_rand(1, $releaseOneIn) === 1) {
        $kept = $queue->release($job, mt_rand(0, 1) ? 0.0 : 0.05);
        log_line($log, ($kept ? 'L ' : 'X ') . $id);
    } else {
        log_line($log, ($queue->ack($job) ? 'A ' : 'X ') . $id);
    }
    return true;
}
