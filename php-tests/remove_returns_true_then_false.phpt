--TEST--
SHMQueue::remove() deletes the segment and its messages: true the first time, false when there is no such queue
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
var_dump(SHMQueue::remove($name));
$q = new SHMQueue($name, 4096);
$q->enQueue('gone with the queue');
unset($q);
var_dump(file_exists(shmq_path($name)));
var_dump(SHMQueue::remove($name));
clearstatcache();
var_dump(file_exists(shmq_path($name)));
var_dump(SHMQueue::remove($name));
// A queue of that name made afterwards starts empty, with its own settings.
$q = new SHMQueue($name, 8192);
var_dump($q->getLength(), $q->stats()['capacity'], $q->stats()['enqueued']);
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
bool(false)
bool(false)
int(0)
int(8192)
int(0)
