--TEST--
A segment its creator never finished (died after shm_open: size 0, or before marking it ready) is reported as such after a short wait, naming the queue
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
// Creator killed between shm_open(O_EXCL) and ftruncate: an empty object.
$empty = shmq_name('empty');
touch(shmq_path($empty));
chmod(shmq_path($empty), 0600);
shmq_try(fn() => new SHMQueue($empty, 4096));
var_dump(SHMQueue::remove($empty));

// Creator killed after sizing the segment, before storing init_state (offset 0x0C) last.
$unready = shmq_name('unready');
shmq_in_child(fn() => (new SHMQueue($unready, 4096)) instanceof SHMQueue);
shmq_poke($unready, 0x0C, pack('V', 0));
shmq_try(fn() => new SHMQueue($unready, 4096));
var_dump(SHMQueue::remove($unready));
$q = new SHMQueue($unready, 4096);
var_dump($q->enQueue('works after remove'));
?>
--EXPECTF--
SHMQueueException: queue "%s" was never finished by the process creating it (it died?); remove it with SHMQueue::remove()
bool(true)
SHMQueueException: queue "%s" was never finished by the process creating it (it died?); remove it with SHMQueue::remove()
bool(true)
bool(true)
