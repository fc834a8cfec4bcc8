--TEST--
ack()/release() with a job reserved from another queue (or from a removed queue of the same name) do not touch this queue's jobs, even when ids coincide
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$a = new SHMQueue(shmq_name('a'), 4096);
$b = new SHMQueue(shmq_name('b'), 4096);
$a->enQueue('A job');
$b->enQueue('B job');
$from_a = $a->reserve();
$from_b = $b->reserve();
echo "ids coincide: ", var_export($from_a->id === $from_b->id, true), "\n";
$refused = function (callable $call): string {
    try {
        return $call() === false ? 'refused (false)' : 'ACCEPTED';
    } catch (SHMQueueException $e) {
        return 'refused (exception)';
    }
};
echo "b->ack(job of a): ", $refused(fn() => $b->ack($from_a)), "\n";
echo "b->release(job of a): ", $refused(fn() => $b->release($from_a)), "\n";
echo "B's own job still in flight: ", var_export($b->stats()['in_flight'] === 1, true), "\n";
var_dump($b->ack($from_b), $a->ack($from_a));

// The same name, removed and created again: the old job belongs to the old queue.
$name = shmq_name('renewed');
$q = new SHMQueue($name, 4096);
$q->enQueue('old');
$old_job = $q->reserve();
SHMQueue::remove($name);
$q = new SHMQueue($name, 4096);
$q->enQueue('new');
$new_job = $q->reserve();
echo "ids coincide: ", var_export($old_job->id === $new_job->id, true), "\n";
echo "ack(job of the removed queue): ", $refused(fn() => $q->ack($old_job)), "\n";
var_dump($q->ack($new_job));
?>
--EXPECTF--
ids coincide: %s
b->ack(job of a): refused (%s)
b->release(job of a): refused (%s)
B's own job still in flight: true
bool(true)
bool(true)
ids coincide: %s
ack(job of the removed queue): refused (%s)
bool(true)
