--TEST--
An object holding a queue that is removed (by another process or by itself) keeps working: its next operations use the new queue of that name
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 8192);
$q->enQueue('in the old queue');

// Another process removes it.
$code = shmq_in_child(fn() => SHMQueue::remove($name));
echo "removed by child: ", $code === 0 ? 'yes' : "no ($code)", "\n";
var_dump(file_exists(shmq_path($name)));
var_dump($q->getLength());            // the new queue: the old message went with the old one
var_dump($q->enQueue('in the new queue'));
clearstatcache();
var_dump(file_exists(shmq_path($name)));
// A process that never saw the old queue finds the message in the new one.
echo shmq_run_php('$q = new SHMQueue(' . var_export($name, true) . '); var_dump($q->deQueue(), $q->stats()["capacity"]);');

// Removed by this very process through the static call, between two operations.
$q->enQueue('again old');
var_dump(SHMQueue::remove($name));
var_dump($q->deQueue(), $q->enQueue('again new'));
var_dump((new SHMQueue($name))->deQueue());
?>
--EXPECT--
removed by child: yes
bool(false)
int(0)
bool(true)
bool(true)
string(16) "in the new queue"
int(8192)
bool(true)
bool(false)
bool(true)
string(9) "again new"
