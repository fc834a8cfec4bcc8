--TEST--
extend() with seconds that are zero, negative, NAN, infinite or over a year (shown as written, 1e300 not its 301 digits) throws naming the argument and leaves the lease as it was; a non-job argument is a TypeError
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$q->enQueue('kept');
$job = $q->reserve(lease: 30);
$until = $job->leaseUntil;
foreach ([0.0, -1.0, NAN, INF, -INF, 4e7, 1e300] as $seconds) {
    shmq_try(fn() => $q->extend($job, $seconds));
}
shmq_try(fn() => $q->extend('job', 1));
shmq_try(fn() => $q->extend($job, 'soon'));
var_dump($job->leaseUntil === $until, $q->stats()['in_flight'], $q->ack($job));
?>
--EXPECT--
SHMQueueException: invalid seconds: 0 seconds: it must be positive
SHMQueueException: invalid seconds: -1 seconds is outside 0..=31536000
SHMQueueException: invalid seconds: NaN seconds is outside 0..=31536000
SHMQueueException: invalid seconds: inf seconds is outside 0..=31536000
SHMQueueException: invalid seconds: -inf seconds is outside 0..=31536000
SHMQueueException: invalid seconds: 40000000 seconds is outside 0..=31536000
SHMQueueException: invalid seconds: 1e300 seconds is outside 0..=31536000
TypeError: Invalid value given for argument `job`.
TypeError: Invalid value given for argument `seconds`.
bool(true)
int(1)
bool(true)
