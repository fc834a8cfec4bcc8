--TEST--
SHMQueue and SHMQueueJob objects cannot be cloned, serialized, unserialized or stored in a queue (each throws, nothing half-made); a queue made without its constructor throws when used
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$q->enQueue('job');
$job = $q->reserve();
$attempts = [
    'clone queue' => fn() => clone $q,
    'clone job' => fn() => clone $job,
    'serialize queue' => fn() => serialize($q),
    'serialize job' => fn() => serialize($job),
    'unserialize queue' => fn() => unserialize('O:8:"SHMQueue":0:{}'),
    // Allowed now that the class can be extended; such an object is simply not open.
    'queue without constructor' => fn() => (new ReflectionClass('SHMQueue'))->newInstanceWithoutConstructor()->getLength(),
    'enQueue the queue' => fn() => $q->enQueue($q),
    'enQueue a job' => fn() => $q->enQueue(['job' => $job]),
];
foreach ($attempts as $label => $attempt) {
    try {
        $result = $attempt();
        echo "$label: allowed (", get_debug_type($result), ")\n";
    } catch (Throwable $e) {
        echo "$label: ", $e instanceof SHMQueueException ? 'SHMQueueException' : 'refused', "\n";
    }
}
// Both objects still work.
var_dump($q->ack($job), $q->getLength(), $q->stats()['enqueued']);
?>
--EXPECT--
clone queue: refused
clone job: refused
serialize queue: refused
serialize job: refused
unserialize queue: refused
queue without constructor: SHMQueueException
enQueue the queue: SHMQueueException
enQueue a job: SHMQueueException
bool(true)
int(0)
int(1)
