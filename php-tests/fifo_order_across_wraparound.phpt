--TEST--
FIFO order holds across hundreds of ring wrap-arounds with mixed message sizes in 4096 and 8192 byte queues
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
mt_srand(42);
foreach ([4096, 8192] as $capacity) {
    $q = new SHMQueue(shmq_name("c$capacity"), $capacity);
    $sent = 0;       // sequence number of the next message to send
    $received = 0;   // sequence number expected next
    $errors = 0;
    $bytes = 0;
    $message = fn(int $seq) => [$seq, str_repeat(chr(65 + $seq % 26), mt_rand(0, 700))];
    while ($received < 6000) {
        // Bursts of enqueues until full, then a few dequeues: head and tail chase each other round the ring.
        if ($sent < 6000 && mt_rand(0, 2) > 0) {
            $m = $message($sent);
            if ($q->enQueue($m)) {
                $sent++;
                $bytes += strlen($m[1]);
            }
            continue;
        }
        $got = $q->deQueue();
        if ($got === false) {
            continue;
        }
        [$seq, $payload] = $got;
        if ($seq !== $received || $payload !== str_repeat(chr(65 + $seq % 26), strlen($payload))) {
            $errors++;
            if ($errors < 5) {
                echo "expected #$received, got #$seq (", strlen($payload), " bytes)\n";
            }
        }
        $received = $seq + 1;
    }
    $s = $q->stats();
    printf("capacity %d: %d sent, %d received in order, %d errors, wraps > 100: %s, empty at end: %s\n",
        $capacity, $sent, $received, $errors, var_export($bytes / $capacity > 100, true),
        var_export($s['length'] === 0 && $s['used_bytes'] === 0 && $q->deQueue() === false, true));
}
?>
--EXPECT--
capacity 4096: 6000 sent, 6000 received in order, 0 errors, wraps > 100: true, empty at end: true
capacity 8192: 6000 sent, 6000 received in order, 0 errors, wraps > 100: true, empty at end: true
