--TEST--
extend() is false and changes nothing when the lease was lost: run out and taken again, released, its queue removed; a job of another queue is refused
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 8192);
$q->enQueue('job');
$first = $q->reserve(lease: 0.05);
$until = $first->leaseUntil;
usleep(100_000);
$second = $q->reserve(lease: 30);
echo "taken again, attempts ", $second->attempts, "\n";
var_dump($q->extend($first, 60), $first->leaseUntil === $until);
// The second holder's lease is untouched by the refused extend: it is still 30 s long.
var_dump($second->leaseUntil - microtime(true) > 29, $q->stats()['in_flight']);
var_dump($q->release($second), $q->extend($second, 60), $q->getLength());

$other = new SHMQueue(shmq_name('other'), 8192);
$other->enQueue('other job');
$foreign = $other->reserve();
shmq_try(fn() => $q->extend($foreign, 60) ? 'ACCEPTED' : 'refused (false)');
var_dump($other->ack($foreign));

$job = $q->reserve();
SHMQueue::remove($name);
var_dump($q->extend($job, 60));
?>
--EXPECTF--
taken again, attempts 2
bool(false)
bool(true)
bool(true)
int(1)
bool(true)
bool(false)
int(1)
%s
bool(true)
bool(false)
