--TEST--
ack() removes a reserved job for good (true); acking it again returns false; the freed room is reusable
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 4096);
$q->enQueue('job');
$job = $q->reserve();
var_dump($q->ack($job), $q->ack($job));
$s = $q->stats();
printf("length %d in_flight %d used_bytes %d dequeued %d\n", $s['length'], $s['in_flight'], $s['used_bytes'], $s['dequeued']);
var_dump($q->reserve(), $q->deQueue());
// Acks out of order: the oldest stays in flight, the others are gone.
$q->enQueueMany(['a', 'b', 'c']);
[$a, $b, $c] = [$q->reserve(), $q->reserve(), $q->reserve()];
var_dump($q->ack($c), $q->ack($b));
printf("in_flight %d\n", $q->stats()['in_flight']);
var_dump($q->ack($a));
$s = $q->stats();
printf("in_flight %d used_bytes %d\n", $s['in_flight'], $s['used_bytes']);
?>
--EXPECT--
bool(true)
bool(false)
length 0 in_flight 0 used_bytes 0 dequeued 1
NULL
bool(false)
bool(true)
bool(true)
in_flight 1
bool(true)
in_flight 0 used_bytes 0
