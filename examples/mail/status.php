<?php

/**
 * Prints the mail queue's state in one line (for watching the demo), or with --dead-letters
 * one line per dead letter: "<recipient> <attempts>", or with --stat NAME (repeatable) the
 * values of those stats() counters, space-separated (for scripts). Never creates the queue.
 *
 * php status.php [--queue mail] [--dead-letters | --stat NAME...]
 */

declare(strict_types=1);

$options = getopt('', ['queue:', 'dead-letters', 'stat:']);
$name = $options['queue'] ?? (getenv('SHMQUEUE_MAIL_QUEUE') ?: 'mail');
if (!file_exists("/dev/shm/shmqueue.$name")) {
    fwrite(STDERR, "no queue named \"$name\"\n");
    exit(1);
}
$queue = new SHMQueue($name);
if (isset($options['dead-letters'])) {
    $stats = $queue->stats();
    foreach ($queue->deadLetters(max(1, $stats['dead'])) as $letter) {
        echo is_array($letter['value']) ? $letter['value']['to'] ?? '?' : '?', ' ', $letter['attempts'], "\n";
    }
    exit(0);
}
$stats = $queue->stats();
if (isset($options['stat'])) {
    echo implode(' ', array_map(fn ($key) => $stats[$key] ?? '?', (array) $options['stat'])), "\n";
    exit(0);
}
printf(
    "waiting %d, delayed (backing off) %d, being sent %d, dead letters %d | queued %d, retries %d\n",
    $stats['ready'],
    $stats['delayed'],
    $stats['in_flight'],
    $stats['dead'],
    $stats['enqueued'],
    $stats['retries'],
);
