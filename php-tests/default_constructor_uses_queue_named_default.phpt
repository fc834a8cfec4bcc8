--TEST--
new SHMQueue() without arguments opens the queue named "default", as the original class did
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
// Another user of "default" on this machine must not see its queue emptied by this test.
if (file_exists('/dev/shm/shmqueue.default')) die('skip a queue named "default" already exists');
?>
--FILE--
<?php
$q = new SHMQueue();
var_dump($q->stats()['name']);
var_dump(file_exists('/dev/shm/shmqueue.default'));
var_dump($q->enQueue(['drop', 'in']));
$same = new SHMQueue('default');
var_dump($same->deQueue());
unset($q, $same);
var_dump(SHMQueue::remove('default'));
var_dump(file_exists('/dev/shm/shmqueue.default'));
?>
--EXPECT--
string(7) "default"
bool(true)
bool(true)
array(2) {
  [0]=>
  string(4) "drop"
  [1]=>
  string(2) "in"
}
bool(true)
bool(false)
