--TEST--
stats() has its documented keys, and enqueued, dequeued, full_rejections, used_bytes and length count what happened
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 4096, 30, 3);
$s = $q->stats();
echo implode(' ', array_keys($s)), "\n";
printf("name ok: %s, capacity %d, max_attempts %d, lease %s, lease_slots %d\n",
    var_export($s['name'] === $name, true), $s['capacity'], $s['max_attempts'], var_export($s['lease'], true), $s['lease_slots']);
$counters = fn(array $s) => printf("enqueued %d dequeued %d full_rejections %d length %d ready %d used_bytes>0 %s\n",
    $s['enqueued'], $s['dequeued'], $s['full_rejections'], $s['length'], $s['ready'], var_export($s['used_bytes'] > 0, true));
$counters($s);

for ($i = 0; $i < 3; $i++) {
    $q->enQueue("message $i");
}
$counters($q->stats());
$q->deQueue();
$counters($q->stats());

// Fill up: every refused enQueue is one full rejection.
$stored = 0;
while ($q->enQueue(str_repeat('x', 100))) {
    $stored++;
}
var_dump($q->enQueue(str_repeat('x', 100)));
$s = $q->stats();
printf("after filling: enqueued - 3 == stored: %s, full_rejections %d, used_bytes <= capacity: %s\n",
    var_export($s['enqueued'] - 3 === $stored, true), $s['full_rejections'], var_export($s['used_bytes'] <= $s['capacity'], true));

$q->deQueueMany(1000);
$s = $q->stats();
printf("drained: dequeued == enqueued: %s, length %d, used_bytes %d\n",
    var_export($s['dequeued'] === $s['enqueued'], true), $s['length'], $s['used_bytes']);
?>
--EXPECT--
name capacity used_bytes length paused ready in_flight delayed dead enqueued dequeued purged full_rejections dropped retries expired recoveries max_attempts lease_slots lease
name ok: true, capacity 4096, max_attempts 3, lease 30.0, lease_slots 64
enqueued 0 dequeued 0 full_rejections 0 length 0 ready 0 used_bytes>0 false
enqueued 3 dequeued 0 full_rejections 0 length 3 ready 3 used_bytes>0 true
enqueued 3 dequeued 1 full_rejections 0 length 2 ready 2 used_bytes>0 true
bool(false)
after filling: enqueued - 3 == stored: true, full_rejections 2, used_bytes <= capacity: true
drained: dequeued == enqueued: true, length 0, used_bytes 0
