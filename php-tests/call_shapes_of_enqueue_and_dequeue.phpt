--TEST--
enQueue and deQueue take every shape of call as before: timeouts as float, int, string, null, named or absent, too many arguments, references, a subclass calling parent::, callables, an unopened object, a static call
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
class MailQueue extends SHMQueue
{
    public function enQueue(mixed $value, float $timeout = 0.0): bool
    {
        return parent::enQueue(['wrapped' => $value], $timeout);
    }
}
$q = new SHMQueue($name, 8192);
$shapes = [
    'enQueue(v)' => fn() => $q->enQueue('a'),
    'enQueue(v, 0.0)' => fn() => $q->enQueue('b', 0.0),
    'enQueue(v, 0.01)' => fn() => $q->enQueue('c', 0.01),
    'enQueue(v, 0)' => fn() => $q->enQueue('d', 0),
    'enQueue(v, "0.5")' => fn() => $q->enQueue('e', '0.5'),
    'enQueue(value: v, timeout: 0.0)' => fn() => $q->enQueue(timeout: 0.0, value: 'f'),
    'enQueue(v, null)' => fn() => $q->enQueue('g', null),
    'enQueue(v, -1.0)' => fn() => $q->enQueue('h', -1.0),
    'enQueue(v, NAN)' => fn() => $q->enQueue('i', NAN),
    'enQueue(v, 0.0, 1)' => fn() => $q->enQueue('j', 0.0, 1),
    'enQueue(&ref)' => function () use ($q) { $r = 'k'; $a = [&$r]; return $q->enQueue($a[0]); },
    'deQueue() x6' => fn() => [$q->deQueue(), $q->deQueue(), $q->deQueue(), $q->deQueue(), $q->deQueue(), $q->deQueue()],
    'deQueue(0.0)' => fn() => $q->deQueue(0.0),
    'deQueue(0)' => fn() => $q->deQueue(0),
    'deQueue("0")' => fn() => $q->deQueue('0'),
    'deQueue(null)' => fn() => $q->deQueue(null),
    'deQueue(-0.5)' => fn() => $q->deQueue(-0.5),
    'deQueue(0.0, 1)' => fn() => $q->deQueue(0.0, 1),
    'deQueue(timeout: 0.01)' => fn() => $q->deQueue(timeout: 0.01),
    'static enQueue' => fn() => SHMQueue::enQueue('x'),
    'subclass enQueue + deQueue' => function () use ($name) { $m = new MailQueue($name); return [$m->enQueue('l'), $m->deQueue()]; },
    'unopened object' => function () { $r = new ReflectionClass(SHMQueue::class); $o = $r->newInstanceWithoutConstructor(); return $o->enQueue(1); },
    'unopened deQueue' => function () { $r = new ReflectionClass(SHMQueue::class); $o = $r->newInstanceWithoutConstructor(); return $o->deQueue(); },
    'callable array' => fn() => [call_user_func([$q, 'enQueue'], 'm'), call_user_func_array([$q, 'deQueue'], [0.0])],
];
foreach ($shapes as $label => $call) {
    try {
        $result = json_encode($call());
        echo "$label: $result\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump($q->getLength());
SHMQueue::remove($name);
?>
--EXPECT--
enQueue(v): true
enQueue(v, 0.0): true
enQueue(v, 0.01): true
enQueue(v, 0): true
enQueue(v, "0.5"): TypeError: Invalid value given for argument `timeout`.
enQueue(value: v, timeout: 0.0): true
enQueue(v, null): TypeError: Argument `$timeout` must not be null
enQueue(v, -1.0): SHMQueueException: invalid timeout: -1 seconds is outside 0..=31536000
enQueue(v, NAN): SHMQueueException: invalid timeout: NaN seconds is outside 0..=31536000
enQueue(v, 0.0, 1): ArgumentCountError: SHMQueue::enQueue() expects at most 2 arguments, 3 given
enQueue(&ref): true
deQueue() x6: ["a","b","c","d","f","k"]
deQueue(0.0): false
deQueue(0): false
deQueue("0"): TypeError: Invalid value given for argument `timeout`.
deQueue(null): TypeError: Argument `$timeout` must not be null
deQueue(-0.5): SHMQueueException: invalid timeout: -0.5 seconds is outside 0..=31536000
deQueue(0.0, 1): ArgumentCountError: SHMQueue::deQueue() expects at most 1 argument, 2 given
deQueue(timeout: 0.01): false
static enQueue: Error: Non-static method SHMQueue::enQueue() cannot be called statically
subclass enQueue + deQueue: [true,{"wrapped":"l"}]
unopened object: SHMQueueException: this SHMQueue object was never opened: its constructor failed
unopened deQueue: SHMQueueException: this SHMQueue object was never opened: its constructor failed
callable array: [true,"m"]
int(0)
