--TEST--
enQueueDelayed: the message is counted in getLength() and stats()['delayed'] but not delivered before its delay; then it is, in order with others
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$start = hrtime(true);
var_dump($q->enQueueDelayed('in 0.5 s', 0.5));
$q->enQueue('now');
$s = $q->stats();
printf("length %d delayed %d ready %d count %d\n", $q->getLength(), $s['delayed'], $s['ready'], count($q));
var_dump($q->deQueue(), $q->deQueue(), $q->reserve());
$got = $q->deQueue(5.0);
var_dump($got, shmq_seconds_since($start) >= 0.49);
printf("length %d delayed %d\n", $q->getLength(), $q->stats()['delayed']);
// A delay of 0 is an ordinary enqueue.
$q->enQueueDelayed('no delay', 0);
var_dump($q->stats()['delayed'], $q->deQueue());
// Two delayed messages both become available once due.
$q->enQueueDelayed('b', 0.2);
$q->enQueueDelayed('a', 0.1);
usleep(300000);
var_dump($q->deQueueMany(10));
?>
--EXPECT--
bool(true)
length 2 delayed 1 ready 1 count 2
string(3) "now"
bool(false)
NULL
string(8) "in 0.5 s"
bool(true)
length 0 delayed 0
int(0)
string(8) "no delay"
array(2) {
  [0]=>
  string(1) "b"
  [1]=>
  string(1) "a"
}
