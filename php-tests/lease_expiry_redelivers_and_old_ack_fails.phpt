--TEST--
When a lease runs out the job is delivered again with attempts + 1; the expired job's ack and release return false; expired is counted
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192, 0.3, 5);
$q->enQueue('slow job');
$first = $q->reserve();
var_dump($first->attempts, $q->reserve());        // leased: nobody else gets it
usleep(600000);
$second = $q->reserve();
var_dump($second?->value, $second?->attempts, $second?->id !== $first->id);
var_dump($q->ack($first), $q->release($first));   // too late
var_dump($q->stats()['expired']);
// Waiting in reserve() also picks up an expiring lease.
$third = $q->reserve(5.0);
var_dump($third?->attempts, $q->ack($third), $q->ack($second));
$s = $q->stats();
printf("expired %d in_flight %d length %d\n", $s['expired'], $s['in_flight'], $s['length']);
?>
--EXPECT--
int(1)
NULL
string(8) "slow job"
int(2)
bool(true)
bool(false)
bool(false)
int(1)
int(3)
bool(true)
bool(false)
expired 2 in_flight 0 length 0
