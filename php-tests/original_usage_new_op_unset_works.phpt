--TEST--
The original class's documented usage works: new, one operation, unset; producer and consumer in different processes
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$values = [42, 'text', [1, 2, 3], ['k' => 'v'], 3.5, null, true];

// The producer does what the original's users did: a new object per message, released at once.
$code = shmq_in_child(function () use ($name, $values) {
    foreach ($values as $value) {
        $q = new SHMQueue($name);
        if ($q->enQueue($value) !== true) {
            return false;
        }
        unset($q);
    }
    return true;
});
echo "producer exit code: $code\n";

$q = new SHMQueue($name);
echo "length: ", $q->getLength(), "\n";
unset($q);
foreach ($values as $expected) {
    $q = new SHMQueue($name);
    $got = $q->deQueue();
    unset($q);
    echo var_export($got, true), ($got === $expected ? '' : ' MISMATCH'), "\n";
}
$q = new SHMQueue($name);
var_dump($q->deQueue());
?>
--EXPECT--
producer exit code: 0
length: 7
42
'text'
array (
  0 => 1,
  1 => 2,
  2 => 3,
)
array (
  'k' => 'v',
)
3.5
NULL
true
bool(false)
