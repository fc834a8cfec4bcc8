--TEST--
An array nested 100,000 levels deep throws SHMQueueException (no stack overflow), in enQueue and enQueueMany
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 1 << 20);
$value = 1;
for ($i = 0; $i < 100000; $i++) {
    $value = [$value];
}
shmq_try(fn() => $q->enQueue($value));
shmq_try(fn() => $q->enQueueMany(['fine', $value]));
shmq_try(fn() => $q->enQueue(['k' => ['l' => $value]]));
echo "length: ", $q->getLength(), "\n";
var_dump($q->enQueue('still works'), $q->deQueue());
?>
--EXPECT--
SHMQueueException: cannot store an array nested deeper than 1024 levels
SHMQueueException: cannot store an array nested deeper than 1024 levels
SHMQueueException: cannot store an array nested deeper than 1024 levels
length: 0
bool(true)
string(11) "still works"
