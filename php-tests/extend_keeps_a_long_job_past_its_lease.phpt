--TEST--
extend() keeps a job past its first lease: another worker (process) cannot take it, leaseUntil follows, the job still acks; after ack extend() is false
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 8192, 0.3);
$q->enQueue('long job');
$job = $q->reserve();
$first_until = $job->leaseUntil;
$before = microtime(true);
var_dump($q->extend($job, 30));
echo "leaseUntil moved to now + 30 s: ",
    var_export($job->leaseUntil >= $before + 29.99 && $job->leaseUntil <= microtime(true) + 30.01, true), "\n";
usleep(600_000); // twice the first lease
echo "first lease over: ", var_export(microtime(true) > $first_until, true), "\n";
// Another process waits a while for a job: none comes, the lease is still ours.
echo "other worker got: ", shmq_in_child(function () use ($name) {
    return (new SHMQueue($name))->reserve(0.3) === null;
}) === 0 ? "nothing\n" : "THE JOB\n";
var_dump($q->stats()['expired'], $q->extend($job, 0.001), $q->ack($job), $q->extend($job, 30));
?>
--EXPECT--
bool(true)
leaseUntil moved to now + 30 s: true
first lease over: true
other worker got: nothing
int(0)
bool(true)
bool(true)
bool(false)
