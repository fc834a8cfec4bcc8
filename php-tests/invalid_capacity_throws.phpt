--TEST--
Capacities below 4096, negative or huge (1 << 50, PHP_INT_MAX, more than /dev/shm holds) throw cleanly and create nothing
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
foreach ([0, 4095, -1, -4096, PHP_INT_MIN, 1 << 50, PHP_INT_MAX] as $capacity) {
    shmq_try(fn() => new SHMQueue($name, $capacity));
    clearstatcache();
    if (file_exists(shmq_path($name))) {
        echo "segment left behind after capacity $capacity\n";
    }
}
// Within the limit but larger than /dev/shm: refused at creation, not a SIGBUS later.
$too_big = min(1 << 40, (int) (disk_total_space('/dev/shm') * 2));
shmq_try(fn() => new SHMQueue($name, $too_big));
clearstatcache();
var_dump(file_exists(shmq_path($name)));
// The smallest valid capacity works.
$q = new SHMQueue($name, 4096);
var_dump($q->stats()['capacity']);
?>
--EXPECTF--
SHMQueueException: invalid capacity: 0 bytes is outside 4096..=1099511627776
SHMQueueException: invalid capacity: 4095 bytes is outside 4096..=1099511627776
SHMQueueException: invalid capacity: -1 bytes %s
SHMQueueException: invalid capacity: -4096 bytes %s
SHMQueueException: invalid capacity: -9223372036854775808 bytes %s
SHMQueueException: invalid capacity: 1125899906842624 bytes is outside 4096..=1099511627776
SHMQueueException: invalid capacity: 9223372036854775807 bytes is outside 4096..=1099511627776
SHMQueueException: invalid capacity: cannot reserve %d bytes of shared memory in /dev/shm: No space left on device (os error 28)
bool(false)
int(4096)
