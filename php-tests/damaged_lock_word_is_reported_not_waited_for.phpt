--TEST--
A lock word damaged to name a thread that does not exist (never reported dead by the kernel) makes operations fail with a clear message within seconds instead of waiting for ever; remove() still works
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 4096);
$q->enQueue('before');
// A thread id that surely does not exist any more: a child that has exited.
$dead = shmq_fork(fn() => 0);
shmq_wait($dead);
// The futex word of the robust mutex (header offset 0x40) holds its holder's thread id.
shmq_poke($name, 0x40, pack('V', $dead));
$started = hrtime(true);
shmq_try(fn() => $q->getLength());
shmq_try(fn() => $q->enQueue('after'));
echo "gave up in under 10 s: ", var_export(shmq_seconds_since($started) < 10, true), "\n";
var_dump(SHMQueue::remove($name));
$q = new SHMQueue($name, 4096);
var_dump($q->enQueue('fresh'), $q->deQueue());
?>
--EXPECTF--
SHMQueueException: the lock of queue "%s" is held by thread %d, which does not exist here (a damaged lock word, or a holder in another PID namespace): nothing was done; remove the queue if nobody uses it
SHMQueueException: the lock of queue "%s" is held by thread %d, which does not exist here (a damaged lock word, or a holder in another PID namespace): nothing was done; remove the queue if nobody uses it
gave up in under 10 s: true
bool(true)
bool(true)
string(5) "fresh"
