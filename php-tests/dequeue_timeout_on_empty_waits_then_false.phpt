--TEST--
deQueue(0.2) and deQueueMany(5, 0.2) on an empty queue return false / [] after at least 0.2 s
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$start = hrtime(true);
var_dump($q->deQueue(0.2));
$waited = shmq_seconds_since($start);
echo "deQueue waited >= 0.2 s: ", var_export($waited >= 0.195, true), "\n";
$start = hrtime(true);
var_dump($q->deQueueMany(5, 0.2));
echo "deQueueMany waited >= 0.2 s: ", var_export(shmq_seconds_since($start) >= 0.195, true), "\n";
// A message already there is returned without waiting for the timeout to pass.
$q->enQueue('ready');
$start = hrtime(true);
var_dump($q->deQueue(30.0));
echo "returned before the 30 s timeout: ", var_export(shmq_seconds_since($start) < 20, true), "\n";
?>
--EXPECT--
bool(false)
deQueue waited >= 0.2 s: true
array(0) {
}
deQueueMany waited >= 0.2 s: true
string(5) "ready"
returned before the 30 s timeout: true
