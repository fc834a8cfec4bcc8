--TEST--
A job reserved by a worker that is SIGKILLed is delivered again once its lease runs out (attempts 2), and not before
--SKIPIF--
<?php $needs = ['pcntl', 'posix']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 8192, 1.0);
$q->enQueue('must not be lost');
$results = new SHMQueue(shmq_name('results'), 4096);
$worker = shmq_fork(function () use ($name, $results) {
    $job = (new SHMQueue($name))->reserve(5.0);
    $results->enQueue([$job?->value, $job?->leaseUntil]);
    sleep(30);   // "working" until killed
    return true;
});
[$value, $lease_until] = $results->deQueue(5.0);   // the worker has its job
var_dump($value);
posix_kill($worker, SIGKILL);
echo "worker ended by signal ", shmq_wait($worker) - 128, "\n";
var_dump($q->getLength(), $q->stats()['in_flight']);
$job = $q->reserve(10.0);
echo "redelivered: ", var_export($job?->value, true), ", attempts ", $job?->attempts, "\n";
// Not before the dead worker's lease ran out (1 ms clock granularity).
var_dump(microtime(true) >= $lease_until - 0.002, $q->ack($job), $q->stats()['expired']);
?>
--EXPECT--
string(16) "must not be lost"
worker ended by signal 9
int(0)
int(1)
redelivered: 'must not be lost', attempts 2
bool(true)
bool(true)
int(1)
