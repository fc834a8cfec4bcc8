--TEST--
A 4096-byte queue has 64 lease slots: the 65th concurrent reserve throws a clear SHMQueueException; acking one frees a slot
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 4096);
var_dump($q->stats()['lease_slots']);
for ($i = 0; $i < 70; $i++) {
    $q->enQueue($i);
}
$jobs = [];
for ($i = 0; $i < 64; $i++) {
    $jobs[] = $q->reserve();
}
echo "reserved: ", count(array_filter($jobs)), "\n";
shmq_try(fn() => $q->reserve());
var_dump($q->getLength(), $q->stats()['in_flight']);   // nothing lost by the refusal
var_dump($q->ack($jobs[10]));
var_dump($q->reserve()?->value);
// A delayed release keeps its job's slot (now holding the delay): it needs no free one.
shmq_try(fn() => $q->release($jobs[0], 10));
var_dump($q->deQueue());   // plain deQueue needs no slot
?>
--EXPECTF--
int(64)
reserved: 64
SHMQueueException: all 64 lease slots of queue "%s" are in use: ack or release jobs before reserving more
int(6)
int(64)
bool(true)
int(64)
returned bool(true)
int(65)
