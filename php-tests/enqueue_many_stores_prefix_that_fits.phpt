--TEST--
enQueueMany stores, in order, the longest prefix that fits and returns its count; keys are ignored; an unstorable value stores nothing
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 4096);
var_dump($q->enQueueMany([]));
var_dump($q->enQueueMany(['z' => 'first', 5 => 'second', 'third']));
var_dump($q->deQueueMany(10));

// 20 messages of 300 bytes cannot all fit in 4096 bytes: a prefix is stored, the rest not.
$batch = [];
for ($i = 0; $i < 20; $i++) {
    $batch[] = sprintf('%02d', $i) . str_repeat('.', 298);
}
$n = $q->enQueueMany($batch);
echo "stored a proper prefix: ", var_export($n > 0 && $n < 20, true), ", length matches: ", var_export($q->getLength() === $n, true), "\n";
$back = $q->deQueueMany(100);
var_dump($back === array_slice($batch, 0, $n));

// A full queue stores nothing and says so.
while ($q->enQueue('x'));
var_dump($q->enQueueMany(['x', 'y']));
$q->deQueueMany(1000);

// One unstorable value anywhere fails the whole call before anything is stored.
shmq_try(fn() => $q->enQueueMany(['fine', fopen('php://memory', 'r'), 'never']));
shmq_try(fn() => $q->enQueueMany(['fine', fn() => 1]));
var_dump($q->getLength());
?>
--EXPECT--
int(0)
int(3)
array(3) {
  [0]=>
  string(5) "first"
  [1]=>
  string(6) "second"
  [2]=>
  string(5) "third"
}
stored a proper prefix: true, length matches: true
bool(true)
int(0)
SHMQueueException: cannot store a resource: resources live in one process only
SHMQueueException: cannot store an object: Serialization of 'Closure' is not allowed
int(0)
