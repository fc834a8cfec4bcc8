--TEST--
enQueue($value, $timeout) on a full queue waits and succeeds when a forked child frees room; without room it returns false after the timeout
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 4096);
$block = str_repeat('b', 900);
while ($q->enQueue($block));
$full_length = $q->getLength();
$start = hrtime(true);
var_dump($q->enQueue($block, 0.2));
echo "waited >= 0.2 s: ", var_export(shmq_seconds_since($start) >= 0.195, true), "\n";

$consumer = shmq_fork(function () use ($name, $block) {
    usleep(100000);
    return (new SHMQueue($name))->deQueue() === $block;
});
var_dump($q->enQueue('after room was freed', 5.0));
echo "consumer exit ", shmq_wait($consumer), "\n";
var_dump($q->getLength() === $full_length);
$all = $q->deQueueMany(100);
var_dump(end($all));
?>
--EXPECT--
bool(false)
waited >= 0.2 s: true
bool(true)
consumer exit 0
bool(true)
string(20) "after room was freed"
