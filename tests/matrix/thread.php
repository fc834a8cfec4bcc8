<?php
// One request of a PHP thread in the threaded test (threads.c runs many at once). With its own
// objects: a queue of its own, filled and emptied in order (plain and reserve/ack); then the
// queue shared with consumer.php (another process): it sends OPS messages there, blocking while
// the small queue is full, and blocks for OPS replies (numbers) on the reply queue.
// Returns its report line; threads.sh adds them up.
return function (int $thread, int $round): string {
    $prefix = getenv('MT_PREFIX');
    $ops = (int) getenv('MT_OPS');

    $own = new SHMQueue("$prefix-own-$thread", 1 << 18);
    $inOrder = 0;
    for ($i = 0; $i < $ops; $i++) {
        $value = ['thread' => $thread, 'round' => $round, 'i' => $i,
            'text' => str_repeat(chr(65 + $i % 26), $i % 300), 'float' => $i / 7, 'object' => (object) ['i' => $i]];
        $own->enQueue($value) or throw new RuntimeException("own queue full at $i");
        if ($i % 2 === 0) {
            $back = $own->deQueue();
        } else {
            $job = $own->reserve();
            $back = $job?->value;
            $own->ack($job) or throw new RuntimeException("ack of $i refused");
        }
        $inOrder += ($back == $value) ? 1 : 0;
    }
    $leftOver = count($own);
    SHMQueue::remove("$prefix-own-$thread");

    $shared = new SHMQueue("$prefix-shared");
    $sent = 0;
    for ($i = 0; $i < $ops; $i++) {
        $sent += $shared->enQueue("$thread:$round:$i", 30.0) ? 1 : 0;
    }
    $replies = new SHMQueue("$prefix-replies");
    $got = 0;
    $sum = 0;
    for ($i = 0; $i < $ops; $i++) {
        $reply = $replies->deQueue(30.0);
        if ($reply === false) {
            break;
        }
        $got++;
        $sum += $reply;
    }
    return "thread $thread round $round: own $inOrder/$ops in order, $leftOver left, sent $sent, replies $got sum $sum";
};
