--TEST--
reserve($timeout) on an empty queue returns null after about the timeout; reserve() without timeout returns null at once
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
var_dump($q->reserve());
$start = hrtime(true);
var_dump($q->reserve(0.2));
$waited = shmq_seconds_since($start);
echo "waited at least the timeout: ", var_export($waited >= 0.195, true), "\n";
// A delayed message due after the timeout does not end the wait early with something.
$q->enQueueDelayed('not yet', 30);
var_dump($q->reserve(0.1), $q->getLength());
?>
--EXPECT--
NULL
NULL
waited at least the timeout: true
NULL
int(1)
