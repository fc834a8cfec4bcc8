--TEST--
A segment of another layout version is refused with a message naming both versions and what to do
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
shmq_in_child(fn() => (new SHMQueue($name, 4096))->enQueue('old format'));
shmq_poke($name, 8, pack('V', 1)); // a queue of the previous layout (before pause)
shmq_try(fn() => new SHMQueue($name, 4096));
shmq_poke($name, 8, pack('V', 0x7fffffff));
shmq_try(fn() => new SHMQueue($name));
var_dump(SHMQueue::remove($name), file_exists(shmq_path($name)));
?>
--EXPECTF--
SHMQueueException: queue "%s" has layout version 1, this extension reads version 2: drain it with the old extension or remove it
SHMQueueException: queue "%s" has layout version 2147483647, this extension reads version 2: drain it with the old extension or remove it
bool(true)
bool(false)
