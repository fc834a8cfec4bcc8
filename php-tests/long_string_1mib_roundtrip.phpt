--TEST--
A 1 MiB string goes through a 4 MiB queue intact, several times over (wrapping the ring)
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 4 << 20);
$mib = 1 << 20;
// Pseudo-random bytes so that a shifted or truncated copy cannot pass for the original.
mt_srand(7);
$value = '';
for ($i = 0; $i < $mib / 4; $i++) {
    $value .= pack('N', mt_rand());
}
$stored = 0;
while ($q->enQueue($value)) {
    $stored++;
}
echo "1 MiB messages that fit at once: $stored\n";
for ($round = 0; $round < 6; $round++) {
    $back = $q->deQueue();
    $same = is_string($back) && strlen($back) === $mib && $back === $value;
    echo "round $round: ", $same ? 'identical' : 'DIFFERENT (' . strlen((string) $back) . ' bytes)', "\n";
    var_dump($q->enQueue($value));
}
echo "left: ", $q->getLength(), "\n";
?>
--EXPECT--
1 MiB messages that fit at once: 3
round 0: identical
bool(true)
round 1: identical
bool(true)
round 2: identical
bool(true)
round 3: identical
bool(true)
round 4: identical
bool(true)
round 5: identical
bool(true)
left: 3
