--TEST--
deQueueMany over messages of which one cannot be unserialized returns the others in order and moves the bad one to the dead letters; deQueue throws and moves it there too; deadLetters shows an undecodable letter with its error instead of hiding the rest
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 16384);
class Refuses { public $x = 1; function __wakeup() { throw new DomainException("refusing"); } }
foreach ([1, 2, new Refuses(), 4, 5, 6] as $v) {
    $q->enQueue($v);
}
var_dump($q->deQueueMany(10));
$s = $q->stats();
printf("dequeued %d, dead %d, length %d\n", $s['dequeued'], $s['dead'], $s['length']);
$q->enQueue(new Refuses());
shmq_try(fn() => $q->deQueue());
$q->enQueue('fine');
$letters = $q->deadLetters();
var_dump(count($letters), $letters[0]['value'], $letters[0]['attempts'], $letters[0]['error']);
// Requeued, the two come back, fail again and go back to the dead letters; 'fine' is delivered.
var_dump($q->requeueDead(), $q->deQueueMany(10), $q->stats()['dead']);
$s = $q->stats();
printf("identity holds: %s\n", var_export($s['enqueued'] === $s['dequeued'] + $s['purged'] + $s['length'] + $s['in_flight'] + $s['dead'], true));
?>
--EXPECTF--
array(5) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(4)
  [3]=>
  int(5)
  [4]=>
  int(6)
}
dequeued 5, dead 1, length 0
SHMQueueException: unserializing the stored object failed: refusing; the message was moved to the dead letters (see deadLetters(), requeueDead())
int(2)
NULL
int(1)
string(%d) "unserializing the stored object failed: refusing"
int(2)
array(1) {
  [0]=>
  string(4) "fine"
}
int(2)
identity holds: true
