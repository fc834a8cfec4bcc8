--TEST--
Four forked producers enqueue 500 messages each while the parent drains with deQueue(timeout): every message arrives exactly once, in per-producer order; counters agree
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$producers = 4;
$per_producer = 500;
$q = new SHMQueue($name, 16384);   // small: producers hit "full" and must retry
$pids = [];
for ($p = 0; $p < $producers; $p++) {
    $pids[] = shmq_fork(function () use ($name, $p, $per_producer) {
        $q = new SHMQueue($name);
        for ($i = 0; $i < $per_producer; $i++) {
            $message = ['producer' => $p, 'seq' => $i, 'pad' => str_repeat('p', $i % 97)];
            if (!$q->enQueue($message, 10.0)) {
                return false;   // no room for 10 s: the consumer is gone
            }
        }
        return true;
    });
}
$seen = array_fill(0, $producers, []);
$next = array_fill(0, $producers, 0);
$out_of_order = 0;
$received = 0;
$deadline = time() + 30;
while ($received < $producers * $per_producer && time() < $deadline) {
    $m = $q->deQueue(1.0);
    if ($m === false) {
        continue;
    }
    $received++;
    $seen[$m['producer']][$m['seq']] = ($seen[$m['producer']][$m['seq']] ?? 0) + 1;
    if ($m['seq'] !== $next[$m['producer']]) {
        $out_of_order++;
    }
    $next[$m['producer']] = $m['seq'] + 1;
}
$codes = array_map('shmq_wait', $pids);
echo "producer exit codes: ", implode(' ', $codes), "\n";
echo "received: $received\n";
$duplicates = $missing = 0;
for ($p = 0; $p < $producers; $p++) {
    for ($i = 0; $i < $per_producer; $i++) {
        $n = $seen[$p][$i] ?? 0;
        $missing += $n === 0;
        $duplicates += max(0, $n - 1);
    }
}
echo "missing: $missing, duplicates: $duplicates, out of order per producer: $out_of_order\n";
var_dump($q->deQueue());
$s = $q->stats();
printf("enqueued %d dequeued %d length %d used_bytes %d\n", $s['enqueued'], $s['dequeued'], $s['length'], $s['used_bytes']);
?>
--EXPECT--
producer exit codes: 0 0 0 0
received: 2000
missing: 0, duplicates: 0, out of order per producer: 0
bool(false)
enqueued 2000 dequeued 2000 length 0 used_bytes 0
