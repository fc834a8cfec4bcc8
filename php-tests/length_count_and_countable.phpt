--TEST--
getLength(), count() and count($queue) agree and follow enqueues and dequeues
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
var_dump($q instanceof Countable);
$show = fn() => printf("getLength=%d count()=%d count(\$q)=%d\n", $q->getLength(), $q->count(), count($q));
$show();
for ($i = 0; $i < 5; $i++) {
    $q->enQueue($i);
}
$show();
$q->deQueue();
$q->deQueue();
$show();
$q->deQueueMany(10);
$show();
?>
--EXPECT--
bool(true)
getLength=0 count()=0 count($q)=0
getLength=5 count()=5 count($q)=5
getLength=3 count()=3 count($q)=3
getLength=0 count()=0 count($q)=0
