<?php
// The other process of the threaded test: takes TOTAL messages "thread:round:i" from the shared
// queue (blocking), notes duplicates and malformed ones, and answers each new one with its
// running number on the reply queue. Prints its tally.
//   php consumer.php PREFIX TOTAL
[, $prefix, $total] = $argv;
$shared = new SHMQueue("$prefix-shared");
$replies = new SHMQueue("$prefix-replies");
$seen = [];
$duplicates = $malformed = $distinct = 0;
while ($distinct + $duplicates + $malformed < $total) {
    $message = $shared->deQueue(30.0);
    if ($message === false) {
        break;
    }
    if (!is_string($message) || !preg_match('/^\d+:\d+:\d+$/', $message)) {
        $malformed++;
    } elseif (isset($seen[$message])) {
        $duplicates++;
    } else {
        $seen[$message] = true;
        $distinct++;
        $replies->enQueue($distinct, 30.0) or fwrite(STDERR, "reply $distinct not sent\n");
    }
}
echo "consumer: $distinct distinct, $duplicates duplicates, $malformed malformed\n";
