--TEST--
requeueDead() makes dead letters available again with attempts reset and returns how many; purgeDead() deletes them and returns how many
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192, 60.0, 1);
$kill = function (string $value) use ($q) {   // with maxAttempts 1, one release kills a job
    $q->enQueue($value);
    $job = $q->reserve();
    $q->release($job);
};
$kill('a');
$kill('b');
var_dump($q->stats()['dead'], $q->requeueDead(), $q->requeueDead());
printf("dead %d length %d\n", $q->stats()['dead'], $q->getLength());
$a = $q->reserve();
var_dump($a->value, $a->attempts);
$q->ack($a);
var_dump($q->deQueue());      // requeued jobs are plain messages for deQueue too
$kill('c');
$kill('d');
$kill('e');
var_dump($q->purgeDead(), $q->purgeDead());
$s = $q->stats();
printf("dead %d length %d purged %d used_bytes %d\n", $s['dead'], $s['length'], $s['purged'], $s['used_bytes']);
var_dump($q->deadLetters());
?>
--EXPECT--
int(2)
int(2)
int(0)
dead 0 length 2
string(1) "a"
int(1)
string(1) "b"
int(3)
int(0)
dead 0 length 0 purged 3 used_bytes 0
array(0) {
}
