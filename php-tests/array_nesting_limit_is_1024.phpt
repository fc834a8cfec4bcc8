--TEST--
Arrays nested 1024 levels deep are stored; 1025 levels throw SHMQueueException and store nothing
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 1 << 20);
function nested(int $levels): array
{
    $value = 'bottom';
    for ($i = 0; $i < $levels; $i++) {
        $value = [$value];
    }
    return $value;
}
function depth(mixed $value): int
{
    $levels = 0;
    while (is_array($value)) {
        $value = $value[0];
        $levels++;
    }
    return $levels;
}
$back = shmq_roundtrip($q, nested(1024));
echo "1024 levels: depth back ", depth($back), ", identical: ", var_export($back === nested(1024), true), "\n";
shmq_try(fn() => $q->enQueue(nested(1025)));
shmq_try(fn() => $q->enQueue(['ok', 'x' => nested(1024)]));
echo "length: ", $q->getLength(), "\n";
?>
--EXPECT--
1024 levels: depth back 1024, identical: true
SHMQueueException: cannot store an array nested deeper than 1024 levels
SHMQueueException: cannot store an array nested deeper than 1024 levels
length: 0
