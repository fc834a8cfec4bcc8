--TEST--
With maxAttempts 2 a job released or expired on its second delivery becomes a dead letter with its attempts; it is no longer delivered
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192, 0.2, 2);
// Released twice (under long leases, so that none runs out meanwhile).
$q->enQueue('released');
$job = $q->reserve(0, 30);
$q->release($job);
$job = $q->reserve(0, 30);
var_dump($job->attempts, $q->release($job));
// Expired twice (0.2 s leases).
$q->enQueue('expired');
$job = $q->reserve();
usleep(400000);
$job = $q->reserve();
var_dump($job->value, $job->attempts);
usleep(400000);
var_dump($q->reserve(), $q->deQueue());   // nothing to deliver: both are dead
var_dump($q->deadLetters());
$s = $q->stats();
printf("dead %d length %d in_flight %d\n", $s['dead'], $s['length'], $s['in_flight']);
var_dump(count($q->deadLetters(1)), $q->deadLetters(0));
?>
--EXPECT--
int(2)
bool(true)
string(7) "expired"
int(2)
NULL
bool(false)
array(2) {
  [0]=>
  array(2) {
    ["value"]=>
    string(8) "released"
    ["attempts"]=>
    int(2)
  }
  [1]=>
  array(2) {
    ["value"]=>
    string(7) "expired"
    ["attempts"]=>
    int(2)
  }
}
dead 2 length 0 in_flight 0
int(1)
array(0) {
}
