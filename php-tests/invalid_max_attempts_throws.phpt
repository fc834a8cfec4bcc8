--TEST--
maxAttempts outside 1..255 (0, 256, -1) throws SHMQueueException; 1 and 255 are accepted
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
foreach ([0, 256, -1, PHP_INT_MAX] as $n) {
    shmq_try(fn() => new SHMQueue(shmq_name('bad'), 4096, null, $n));
}
foreach ([1, 255] as $n) {
    $q = new SHMQueue(shmq_name("ok$n"), 4096, null, $n);
    var_dump($q->stats()['max_attempts']);
}
?>
--EXPECTF--
SHMQueueException: invalid max%sttempts: 0 is outside 1..=255
SHMQueueException: invalid max%sttempts: 256 is outside 1..=255
SHMQueueException: invalid max%sttempts: -1 is outside 1..=255
SHMQueueException: invalid max%sttempts: 9223372036854775807 is outside 1..=255
int(1)
int(255)
