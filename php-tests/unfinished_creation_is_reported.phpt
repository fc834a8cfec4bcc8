--TEST--
A segment its creator never finished (died after shm_open: size 0, or before marking it ready) is taken over by the next opener: the queue works, nothing waits for ever
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
// Creator killed between shm_open(O_EXCL) and ftruncate: an empty object (taken over after the
// short wait a live creator gets to size it).
$empty = shmq_name('empty');
touch(shmq_path($empty));
chmod(shmq_path($empty), 0600);
var_dump((new SHMQueue($empty, 4096))->enQueue('taken over'));
var_dump(SHMQueue::remove($empty));

// Creator killed after sizing the segment, before storing init_state (offset 0x0C) last.
$unready = shmq_name('unready');
shmq_in_child(fn() => (new SHMQueue($unready, 4096)) instanceof SHMQueue);
shmq_poke($unready, 0x0C, pack('V', 0));
$q = new SHMQueue($unready, 4096);
var_dump($q->enQueue('taken over'), $q->deQueue());
var_dump(SHMQueue::remove($unready));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
string(10) "taken over"
bool(true)
