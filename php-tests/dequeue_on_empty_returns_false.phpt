--TEST--
deQueue on an empty queue returns false at once (as the original); deQueueMany returns []; a stored false is still false
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
var_dump($q->deQueue(), $q->deQueueMany(5));
$q->enQueue('one');
var_dump($q->deQueue(), $q->deQueue());
// Like the original, a stored false cannot be told from "empty" by deQueue; getLength can.
$q->enQueue(false);
var_dump($q->getLength(), $q->deQueue(), $q->getLength());
var_dump($q->stats()['dequeued']);
?>
--EXPECT--
bool(false)
array(0) {
}
string(3) "one"
bool(false)
int(1)
bool(false)
int(0)
int(2)
