--TEST--
release($job, 0.5) hides the job until the delay has passed (counted as delayed meanwhile), then delivers it again
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$q->enQueue('later');
$job = $q->reserve();
$released_at = hrtime(true);
var_dump($q->release($job, 0.5));
var_dump($q->reserve(), $q->deQueue());
$s = $q->stats();
printf("length %d delayed %d ready %d in_flight %d\n", $s['length'], $s['delayed'], $s['ready'], $s['in_flight']);
// Waiting for it: it comes, and not before its time.
$again = $q->reserve(5.0);
$waited = shmq_seconds_since($released_at);
var_dump($again?->value, $again?->attempts, $waited >= 0.49);
var_dump($q->ack($again));
?>
--EXPECT--
bool(true)
NULL
bool(false)
length 1 delayed 1 ready 0 in_flight 0
string(5) "later"
int(2)
bool(true)
bool(true)
