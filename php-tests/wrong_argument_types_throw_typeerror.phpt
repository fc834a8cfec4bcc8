--TEST--
Arguments of the wrong type throw TypeError or ArgumentCountError (no crash, nothing stored); an int is accepted where a float is expected
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 8192);
$calls = [
    'new SHMQueue([])' => fn() => new SHMQueue([]),
    'new SHMQueue(name, "big")' => fn() => new SHMQueue($name, 'big'),
    'new SHMQueue(name, 8192, "long")' => fn() => new SHMQueue($name, 8192, 'long'),
    'new SHMQueue(name, 8192, 1.0, [])' => fn() => new SHMQueue($name, 8192, 1.0, []),
    'enQueue(1, "soon")' => fn() => $q->enQueue(1, 'soon'),
    'enQueue()' => fn() => $q->enQueue(),
    'enQueueDelayed(1, null)' => fn() => $q->enQueueDelayed(1, null),
    'enQueueMany("x")' => fn() => $q->enQueueMany('x'),
    'enQueueMany(new ArrayObject)' => fn() => $q->enQueueMany(new ArrayObject([1])),
    'deQueue([])' => fn() => $q->deQueue([]),
    'deQueueMany("all")' => fn() => $q->deQueueMany('all'),
    'reserve(0, "x")' => fn() => $q->reserve(0, 'x'),
    'ack(new stdClass)' => fn() => $q->ack(new stdClass()),
    'ack(null)' => fn() => $q->ack(null),
    'release("job")' => fn() => $q->release('job'),
    'deadLetters("x")' => fn() => $q->deadLetters('x'),
    'remove([])' => fn() => SHMQueue::remove([]),
    'remove(null)' => fn() => SHMQueue::remove(null),
];
foreach ($calls as $label => $call) {
    try {
        $call();
        echo "$label: no error\n";
    } catch (TypeError | ArgumentCountError $e) {
        echo "$label: ", $e instanceof ArgumentCountError ? 'ArgumentCountError' : 'TypeError', "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump($q->getLength());
// An int where a float is expected is fine.
var_dump($q->enQueue('a', 0), $q->deQueue(1), $q->deQueueMany(2, 0));
?>
--EXPECT--
new SHMQueue([]): TypeError
new SHMQueue(name, "big"): TypeError
new SHMQueue(name, 8192, "long"): TypeError
new SHMQueue(name, 8192, 1.0, []): TypeError
enQueue(1, "soon"): TypeError
enQueue(): ArgumentCountError
enQueueDelayed(1, null): TypeError
enQueueMany("x"): TypeError
enQueueMany(new ArrayObject): TypeError
deQueue([]): TypeError
deQueueMany("all"): TypeError
reserve(0, "x"): TypeError
ack(new stdClass): TypeError
ack(null): TypeError
release("job"): TypeError
deadLetters("x"): TypeError
remove([]): TypeError
remove(null): TypeError
int(0)
bool(true)
string(1) "a"
array(0) {
}
