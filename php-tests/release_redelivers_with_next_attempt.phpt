--TEST--
release() puts a job back: it is delivered again with attempts 2 and a new id; the released lease can no longer be acked or released
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192, 60.0, 5);
$q->enQueue('work');
$first = $q->reserve();
var_dump($first->attempts, $q->release($first));
printf("length %d in_flight %d retries %d\n", $q->getLength(), $q->stats()['in_flight'], $q->stats()['retries']);
$second = $q->reserve();
var_dump($second->value, $second->attempts, $second->id !== $first->id);
var_dump($q->ack($first), $q->release($first));   // the first lease is gone
var_dump($q->release($second));
$third = $q->reserve();
var_dump($third->attempts, $q->ack($third));
printf("retries %d length %d\n", $q->stats()['retries'], $q->getLength());
?>
--EXPECT--
int(1)
bool(true)
length 1 in_flight 0 retries 1
string(4) "work"
int(2)
bool(true)
bool(false)
bool(false)
bool(true)
int(3)
bool(true)
retries 2 length 0
