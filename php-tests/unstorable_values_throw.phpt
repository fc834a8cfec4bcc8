--TEST--
Resources, Closures, objects whose __serialize throws and recursive arrays (direct or through references) throw SHMQueueException; nothing is stored
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 65536);
class Unserializable
{
    public function __serialize(): array
    {
        throw new LogicException('this object cannot be serialized');
    }
}
$recursive = [1];
$recursive[] = &$recursive;
$via_key = [];
$via_key['self'] = &$via_key;
$outer = ['inner' => []];
$outer['inner']['back'] = &$outer;
$values = [
    'resource' => fopen('php://memory', 'r'),
    'closed resource' => (function () { $f = fopen('php://memory', 'r'); fclose($f); return $f; })(),
    'resource in array' => ['ok', ['deep' => STDIN]],
    'Closure' => fn() => 1,
    'Closure in array' => ['x' => [function () {}]],
    'Generator' => (function () { yield 1; })(),
    'throwing __serialize' => new Unserializable(),
    'throwing __serialize in array' => [1, new Unserializable()],
    'recursive array' => $recursive,
    'recursive via key' => $via_key,
    'recursive two levels' => $outer,
];
foreach ($values as $label => $value) {
    echo str_pad($label, 30), ' ';
    shmq_try(fn() => $q->enQueue($value));
}
echo "length: ", $q->getLength(), ", enqueued: ", $q->stats()['enqueued'], "\n";
// The exception from __serialize is kept as the cause or in the message.
try {
    $q->enQueue(new Unserializable());
} catch (SHMQueueException $e) {
    var_dump(str_contains($e->getMessage(), 'this object cannot be serialized')
        || $e->getPrevious() instanceof LogicException);
}
var_dump($q->enQueue('usable afterwards'), $q->deQueue());
?>
--EXPECTF--
resource                       SHMQueueException: cannot store a resource%s
closed resource                SHMQueueException: cannot store a resource%s
resource in array              SHMQueueException: cannot store a resource%s
Closure                        SHMQueueException: cannot store an object: Serialization of 'Closure' is not allowed
Closure in array               SHMQueueException: cannot store an object: Serialization of 'Closure' is not allowed
Generator                      SHMQueueException: cannot store an object: Serialization of 'Generator' is not allowed
throwing __serialize           SHMQueueException: cannot store an object: this object cannot be serialized
throwing __serialize in array  SHMQueueException: cannot store an object: this object cannot be serialized
recursive array                SHMQueueException: cannot store a recursive array%s
recursive via key              SHMQueueException: cannot store a recursive array%s
recursive two levels           SHMQueueException: cannot store a recursive array%s
length: 0, enqueued: 0
bool(true)
bool(true)
string(17) "usable afterwards"
