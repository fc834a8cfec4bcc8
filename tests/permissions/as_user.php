<?php
// One queue operation, run as some user by run.sh; prints one line: the result, or the
// exception as "<class>: <message>".
//   php as_user.php <open|enqueue|dequeue|length|remove> <queue> [value]
[, $action, $name] = $argv;
try {
    if ($action === 'remove') {
        echo var_export(SHMQueue::remove($name), true), "\n";
        exit;
    }
    $queue = new SHMQueue($name);
    echo match ($action) {
        'open' => 'opened',
        'enqueue' => var_export($queue->enQueue($argv[3]), true),
        'dequeue' => var_export($queue->deQueue(), true),
        'length' => $queue->getLength(),
    }, "\n";
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
