--TEST--
Negative, NAN or infinite timeouts and delays throw SHMQueueException naming the argument, and change nothing
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$q->enQueue('kept');
foreach ([-1.0, -0.001, NAN, INF, 4e7] as $t) {
    echo "-- ", var_export($t, true), "\n";
    shmq_try(fn() => $q->enQueue('x', $t));
    shmq_try(fn() => $q->deQueue($t));
    shmq_try(fn() => $q->deQueueMany(1, $t));
    shmq_try(fn() => $q->reserve($t));
    shmq_try(fn() => $q->enQueueDelayed('x', $t));
}
$job = $q->reserve();
shmq_try(fn() => $q->release($job, -1));
shmq_try(fn() => $q->release($job, NAN));
var_dump($q->getLength(), $q->stats()['in_flight'], $q->ack($job));
?>
--EXPECT--
-- -1.0
SHMQueueException: invalid timeout: -1 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: -1 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: -1 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: -1 seconds is outside 0..=31536000
SHMQueueException: invalid delay: -1 seconds is outside 0..=31536000
-- -0.001
SHMQueueException: invalid timeout: -0.001 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: -0.001 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: -0.001 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: -0.001 seconds is outside 0..=31536000
SHMQueueException: invalid delay: -0.001 seconds is outside 0..=31536000
-- NAN
SHMQueueException: invalid timeout: NaN seconds is outside 0..=31536000
SHMQueueException: invalid timeout: NaN seconds is outside 0..=31536000
SHMQueueException: invalid timeout: NaN seconds is outside 0..=31536000
SHMQueueException: invalid timeout: NaN seconds is outside 0..=31536000
SHMQueueException: invalid delay: NaN seconds is outside 0..=31536000
-- INF
SHMQueueException: invalid timeout: inf seconds is outside 0..=31536000
SHMQueueException: invalid timeout: inf seconds is outside 0..=31536000
SHMQueueException: invalid timeout: inf seconds is outside 0..=31536000
SHMQueueException: invalid timeout: inf seconds is outside 0..=31536000
SHMQueueException: invalid delay: inf seconds is outside 0..=31536000
-- 40000000.0
SHMQueueException: invalid timeout: 40000000 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: 40000000 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: 40000000 seconds is outside 0..=31536000
SHMQueueException: invalid timeout: 40000000 seconds is outside 0..=31536000
SHMQueueException: invalid delay: 40000000 seconds is outside 0..=31536000
SHMQueueException: invalid delay: -1 seconds is outside 0..=31536000
SHMQueueException: invalid delay: NaN seconds is outside 0..=31536000
int(0)
int(1)
bool(true)
