--TEST--
deQueueMany returns up to $max of the oldest messages in order as a list; 0 returns []; a negative max throws
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
for ($i = 1; $i <= 7; $i++) {
    $q->enQueue("m$i");
}
echo json_encode($q->deQueueMany(3)), "\n";
echo json_encode($q->deQueueMany(0)), " length ", $q->getLength(), "\n";
echo json_encode($q->deQueueMany(1)), "\n";
echo json_encode($q->deQueueMany(100)), "\n";
echo json_encode($q->deQueueMany(100)), "\n";
shmq_try(fn() => $q->deQueueMany(-1));
// Mixed with single deQueue, order is kept.
$q->enQueueMany(['a', 'b', 'c', 'd']);
echo $q->deQueue(), json_encode($q->deQueueMany(2)), $q->deQueue(), "\n";
// deQueueMany(0) on an empty queue returns at once even with a timeout.
$start = hrtime(true);
echo json_encode($q->deQueueMany(0, 5.0)), ' returned at once: ', var_export(shmq_seconds_since($start) < 4, true), "\n";
var_dump($q->stats()['dequeued']);
?>
--EXPECT--
["m1","m2","m3"]
[] length 4
["m4"]
["m5","m6","m7"]
[]
SHMQueueException: invalid max: -1 is negative
a["b","c"]d
[] returned at once: true
int(11)
