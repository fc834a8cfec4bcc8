--TEST--
Class shape: SHMQueue extendable and Countable, SHMQueueJob final, SHMQueueException extends RuntimeException, method signatures
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$queue = new ReflectionClass('SHMQueue');
var_dump($queue->isFinal(), $queue->implementsInterface('Countable'));
var_dump((new ReflectionClass('SHMQueueJob'))->isFinal());
var_dump(is_subclass_of('SHMQueueException', 'RuntimeException'));
var_dump(method_exists('SHMQueue', 'enQueue'), method_exists('SHMQueue', 'deQueue'), method_exists('SHMQueue', 'getLength'));
var_dump((new ReflectionMethod('SHMQueue', 'remove'))->isStatic());

// Parameter names matter for named arguments: print every public method's signature.
$methods = $queue->getMethods(ReflectionMethod::IS_PUBLIC);
usort($methods, fn($a, $b) => strcmp($a->getName(), $b->getName()));
foreach ($methods as $method) {
    $params = array_map(
        fn(ReflectionParameter $p) => '$' . $p->getName() . ($p->isOptional() ? '?' : ''),
        $method->getParameters()
    );
    echo $method->getName(), '(', implode(', ', $params), ")\n";
}

// Named arguments reach the right parameters.
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(name: shmq_name(), capacity: 8192, maxAttempts: 7, lease: 2.5);
$s = $q->stats();
printf("capacity %d max_attempts %d lease %s\n", $s['capacity'], $s['max_attempts'], var_export($s['lease'], true));
var_dump($q->enQueue(value: 'named', timeout: 0.0), $q->deQueue(timeout: 0.0));
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
__construct($name?, $capacity?, $lease?, $maxAttempts?, $durable?)
ack($job)
count()
deQueue($timeout?)
deQueueMany($max, $timeout?)
deadLetters($max?)
enQueue($value, $timeout?)
enQueueDelayed($value, $delay)
enQueueMany($values)
extend($job, $seconds)
getLength()
isPaused()
pause()
peek($max?)
purgeDead()
release($job, $delay?)
remove($name)
requeueDead()
reserve($timeout?, $lease?)
resume()
stats()
capacity 8192 max_attempts 7 lease 2.5
bool(true)
string(5) "named"
