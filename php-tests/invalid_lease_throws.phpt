--TEST--
A lease that is zero, negative, NAN, INF or longer than a year throws, in the constructor and in reserve()
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
foreach ([0.0, -1.0, NAN, INF, 1e12] as $lease) {
    shmq_try(fn() => new SHMQueue(shmq_name('bad'), 4096, $lease));
}
$q = new SHMQueue(shmq_name(), 4096, 0.001);
var_dump($q->stats()['lease']);
$q->enQueue('job');
foreach ([0.0, -1.0, NAN, -INF] as $lease) {
    shmq_try(fn() => $q->reserve(0, $lease));
}
var_dump($q->getLength());   // still waiting: nothing was reserved
?>
--EXPECTF--
SHMQueueException: invalid lease: 0 %s
SHMQueueException: invalid lease: -1 seconds is outside 0..=31536000
SHMQueueException: invalid lease: NaN seconds is outside 0..=31536000
SHMQueueException: invalid lease: inf seconds is outside 0..=31536000
SHMQueueException: invalid lease: 1000000000000 seconds is outside 0..=31536000
float(0.001)
SHMQueueException: invalid lease: 0 %s
SHMQueueException: invalid lease: -1 seconds is outside 0..=31536000
SHMQueueException: invalid lease: NaN seconds is outside 0..=31536000
SHMQueueException: invalid lease: -inf seconds is outside 0..=31536000
int(1)
