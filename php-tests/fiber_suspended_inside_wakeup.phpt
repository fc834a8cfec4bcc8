--TEST--
A Fiber suspended inside __wakeup while the extension decodes (deQueueMany, deQueue): the queue stays usable meanwhile, the decode finishes on resume, and a fiber destroyed while suspended there puts its message in the dead letters
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
class Pauses { public $n = 1; function __wakeup() { $got = Fiber::suspend('suspended in __wakeup'); echo "resumed with $got\n"; } }
$q = new SHMQueue(shmq_name(), 16384);
foreach ([new Pauses(), 2, 3, new Pauses(), 5] as $v) {
    $q->enQueue($v);
}
$f = new Fiber(fn() => $q->deQueueMany(2));
var_dump($f->start());
var_dump($q->deQueue());
$g = new Fiber(fn() => $q->deQueue());
var_dump($g->start());
$f->resume('x');
var_dump(array_map('get_debug_type', $f->getReturn()));
unset($g);
$s = $q->stats();
echo "length {$s['length']} dead {$s['dead']}\n";
var_dump($q->deQueue());
?>
--EXPECT--
string(21) "suspended in __wakeup"
int(3)
string(21) "suspended in __wakeup"
resumed with x
array(2) {
  [0]=>
  string(6) "Pauses"
  [1]=>
  string(3) "int"
}
length 1 dead 1
int(5)
