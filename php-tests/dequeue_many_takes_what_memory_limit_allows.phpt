--TEST--
deQueueMany takes no more than memory_limit leaves room for (at least one message): a batch of big messages comes in parts instead of killing PHP half-way, and nothing is lost
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
memory_limit=64M
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 256 << 20);
for ($i = 0; $i < 20; $i++) {
    $q->enQueue(str_repeat(chr(65 + $i), 5 << 20));
}
$batches = [];
$letters = '';
while (count($q) > 0) {
    $batch = $q->deQueueMany(20);
    $batches[] = count($batch);
    foreach ($batch as $message) {
        $letters .= $message[0];
    }
    unset($batch, $message);
}
echo $letters, "\n";
var_dump(max($batches) < 20, array_sum($batches), $q->stats()['dead']);
?>
--EXPECT--
ABCDEFGHIJKLMNOPQRST
bool(true)
int(20)
int(0)
