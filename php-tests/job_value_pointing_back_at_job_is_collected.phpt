--TEST--
A job whose value points back at the job ($job->value->job = $job, as framework wrappers do) is freed by the cycle collector
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 1 << 20);
class Wrapper { public $job; public $payload; }
$w = new Wrapper();
$w->payload = str_repeat('p', 1000);
$q->enQueue($w);
$job = $q->reserve(0, 60);
$job->value->job = $job;
$weak = WeakReference::create($job);
$q->release($job);
unset($job);
gc_collect_cycles();
var_dump($weak->get());
// Many of them: memory stays flat.
$before = memory_get_usage();
for ($i = 0; $i < 2000; $i++) {
    $q->enQueue($w);
    $job = $q->reserve(0, 60);
    $job->value->job = $job;
    $job->value->job->value; // read through the getter too
    $q->ack($job);
    unset($job);
}
gc_collect_cycles();
$growth = memory_get_usage() - $before;
echo $growth < 200000 ? "flat\n" : "grew by $growth bytes\n";
?>
--EXPECT--
NULL
flat
