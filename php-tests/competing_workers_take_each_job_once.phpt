--TEST--
Three forked workers reserve/ack from one queue: every job is processed exactly once, no worker gets another's job
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name('jobs');
$done_name = shmq_name('done');
$jobs = new SHMQueue($name, 65536, 30.0);
$done = new SHMQueue($done_name, 65536);
$total = 600;
$workers = [];
for ($w = 0; $w < 3; $w++) {
    $workers[] = shmq_fork(function () use ($name, $done_name, $w) {
        $jobs = new SHMQueue($name);
        $done = new SHMQueue($done_name);
        while (($job = $jobs->reserve(5.0)) !== null) {
            if ($job->value === 'stop') {
                $jobs->ack($job);
                return true;
            }
            if (!$done->enQueue([$w, $job->value], 10.0) || !$jobs->ack($job)) {
                return false;
            }
        }
        return false;   // no job and no stop message for 5 s
    });
}
for ($i = 0; $i < $total; $i++) {
    $jobs->enQueue($i, 10.0);
}
$jobs->enQueueMany(['stop', 'stop', 'stop']);
$counts = array_fill(0, $total, 0);
$per_worker = [0, 0, 0];
$received = 0;
while ($received < $total && ($m = $done->deQueue(10.0)) !== false) {
    [$w, $i] = $m;
    $counts[$i]++;
    $per_worker[$w]++;
    $received++;
}
echo "worker exit codes: ", implode(' ', array_map('shmq_wait', $workers)), "\n";
echo "processed: $received, exactly once: ", count(array_filter($counts, fn($c) => $c === 1)), "\n";
echo "all workers' counts add up: ", var_export(array_sum($per_worker) === $total, true), "\n";
$s = $jobs->stats();
printf("jobs left %d in flight %d dead %d\n", $s['length'], $s['in_flight'], $s['dead']);
?>
--EXPECT--
worker exit codes: 0 0 0
processed: 600, exactly once: 600
all workers' counts add up: true
jobs left 0 in flight 0 dead 0
