--TEST--
deQueue and reserve on one queue: each message goes to exactly one of them in FIFO order; deQueue never gets a leased message, a released one keeps its place
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$q->enQueueMany([1, 2, 3, 4, 5, 6]);
$j1 = $q->reserve();
$d2 = $q->deQueue();
$j3 = $q->reserve();
$many = $q->deQueueMany(2);
echo "reserve {$j1->value}, deQueue $d2, reserve {$j3->value}, deQueueMany ", json_encode($many), "\n";
// 1 and 3 are leased; released, 1 is available to deQueue too, in its original place (before 6).
$q->release($j1);
var_dump($q->deQueue(), $q->deQueue());
var_dump($q->deQueue());
var_dump($q->ack($j3));
// deQueue never returns a leased message; reserve never returns what deQueue took.
$q->enQueueMany(['x', 'y']);
$jx = $q->reserve();
var_dump($q->deQueue(), $q->reserve());
var_dump($q->ack($jx));
$s = $q->stats();
printf("length %d in_flight %d dequeued %d enqueued %d\n", $s['length'], $s['in_flight'], $s['dequeued'], $s['enqueued']);
?>
--EXPECT--
reserve 1, deQueue 2, reserve 3, deQueueMany [4,5]
int(1)
int(6)
bool(false)
bool(true)
string(1) "y"
NULL
bool(true)
length 0 in_flight 0 dequeued 8 enqueued 8
