--TEST--
Once a queue's records are found damaged, enQueue throws too, rather than accepting messages nobody can ever take out
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 4096);
$q->enQueue('hello world');
shmq_poke($name, shmq_ring_offset(4096) + 4, "\x08");   // state of the head record: unknown
shmq_try(fn() => $q->deQueue());
shmq_try(fn() => $q->enQueue('accepted into a stuck queue?'));
shmq_try(fn() => $q->deQueue());
// remove() gets rid of it; the name then works again.
var_dump(SHMQueue::remove($name));
var_dump($q->enQueue('new'), (new SHMQueue($name))->deQueue());
?>
--EXPECTF--
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
bool(true)
bool(true)
string(3) "new"
