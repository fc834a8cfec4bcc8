--TEST--
A parent blocked in deQueue(5) / deQueueMany / reserve receives what a forked child enqueues 0.1 s later
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 8192);
$producer = function (mixed $value) use ($name) {
    return shmq_fork(function () use ($name, $value) {
        usleep(100000);
        return (new SHMQueue($name))->enQueue($value);
    });
};
$pid = $producer(['from' => 'child']);
$start = hrtime(true);
var_dump($q->deQueue(5.0));
echo "waited for the child: ", var_export(shmq_seconds_since($start) >= 0.09, true), ", child exit ", shmq_wait($pid), "\n";

$pid = $producer('for deQueueMany');
var_dump($q->deQueueMany(10, 5.0));
shmq_wait($pid);

$pid = $producer('for reserve');
$job = $q->reserve(5.0);
var_dump($job?->value, $q->ack($job));
shmq_wait($pid);
?>
--EXPECT--
array(1) {
  ["from"]=>
  string(5) "child"
}
waited for the child: true, child exit 0
array(1) {
  [0]=>
  string(15) "for deQueueMany"
}
string(11) "for reserve"
bool(true)
