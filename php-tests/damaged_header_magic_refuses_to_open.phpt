--TEST--
A segment whose header magic was overwritten is refused at open with "not a shmqueue segment" (no crash); remove() deletes it
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
// Created by a child: this process maps the segment for the first time after the damage.
shmq_in_child(fn() => (new SHMQueue($name, 4096))->enQueue('before'));
shmq_poke($name, 0, 'GARBAGE!');
shmq_try(fn() => new SHMQueue($name, 4096));
shmq_try(fn() => new SHMQueue($name, 4096));   // still refused, not recreated over it
var_dump(SHMQueue::remove($name));
$q = new SHMQueue($name, 4096);
var_dump($q->getLength(), $q->enQueue('after'), $q->deQueue());
?>
--EXPECTF--
SHMQueueException: queue "%s" is damaged: not a shmqueue segment (magic 0x2145474142524147, expected 0x45554555514d4853); remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: not a shmqueue segment %s
bool(true)
int(0)
bool(true)
string(5) "after"
