<?php
// Drains the queue $argv[1] (of kind $argv[2]: shm, durable) with deQueue(). Without $argv[3]: until
// the queue is empty. With a stop file $argv[3]: waits for messages (blocking deQueue) until that file exists and the queue is empty.
// Prints "message <id> <pid>" for each message (or "malformed <value>"), then "stat <key> <value>"
// for each counter of stats().
[$name, $kind, $stopFile] = [$argv[1], $argv[2], $argv[3] ?? null];
$q = new SHMQueue($name, durable: $kind === 'durable');
for (;;) {
    // Looked at before deQueue: the file appears only after every request was answered, so an
    // empty queue seen after it means there is nothing more to come. A vanished directory means
    // the suite was interrupted and cleaned up.
    $done = $stopFile === null || file_exists($stopFile) || !is_dir(dirname($stopFile));
    $message = $q->deQueue($done ? 0 : 0.2);
    if ($message === false) {
        if ($done) {
            break;
        }
        continue;
    }
    if (is_array($message) && array_keys($message) === ['id', 'pid'] && is_int($message['id']) && is_int($message['pid'])) {
        echo "message {$message['id']} {$message['pid']}\n";
    } else {
        echo 'malformed ', str_replace("\n", ' ', var_export($message, true)), "\n";
    }
}
foreach ($q->stats() as $key => $value) {
    echo "stat $key ", var_export($value, true), "\n";
}
