--TEST--
reserve() returns an SHMQueueJob with id, value, attempts 1 and leaseUntil about now + lease; the job is in flight, not waiting
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192, 30.0);
$q->enQueue(['task' => 'resize', 'id' => 7]);
$q->enQueue('second');
$before = microtime(true);
$job = $q->reserve();
$after = microtime(true);
var_dump($job instanceof SHMQueueJob, is_int($job->id) && $job->id > 0, $job->value, $job->attempts);
// Generous margins: the lease is 30 s from the moment of the call (clock granularity 1 ms).
var_dump($job->leaseUntil >= $before + 30 - 0.01 && $job->leaseUntil <= $after + 30 + 0.01);
$s = $q->stats();
printf("length %d ready %d in_flight %d\n", $s['length'], $s['ready'], $s['in_flight']);
// A per-call lease overrides the queue's.
$other = $q->reserve(0, 2.5);
var_dump($other->value, abs($other->leaseUntil - (microtime(true) + 2.5)) < 1.0, $other->id !== $job->id);
var_dump($q->reserve());   // nothing left
?>
--EXPECT--
bool(true)
bool(true)
array(2) {
  ["task"]=>
  string(6) "resize"
  ["id"]=>
  int(7)
}
int(1)
bool(true)
length 1 ready 1 in_flight 1
string(6) "second"
bool(true)
bool(true)
NULL
