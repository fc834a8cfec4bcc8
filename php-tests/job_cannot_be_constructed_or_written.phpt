--TEST--
SHMQueueJob cannot be constructed from PHP and its properties (id, value, attempts, leaseUntil) cannot be written, unset or added
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
foreach (['new SHMQueueJob()' => fn() => new SHMQueueJob(),
          'newInstanceWithoutConstructor' => fn() => (new ReflectionClass('SHMQueueJob'))->newInstanceWithoutConstructor(),
          'unserialize' => fn() => unserialize('O:11:"SHMQueueJob":0:{}')] as $how => $make) {
    try {
        $make();
        echo "$how: constructed\n";
    } catch (Throwable $e) {
        echo "$how: refused\n";
    }
}
$q->enQueue(['payload']);
$job = $q->reserve();
$before = [$job->id, $job->value, $job->attempts, $job->leaseUntil];
foreach (['id' => 99, 'value' => 'forged', 'attempts' => 7, 'leaseUntil' => 0.0] as $prop => $forged) {
    try {
        $job->$prop = $forged;
        echo "$prop: written\n";
    } catch (Throwable $e) {
        echo "$prop: write refused\n";
    }
}
shmq_try(function () use ($job) { unset($job->value); });
shmq_try(function () use ($job) { $job->extra = 1; });
var_dump([$job->id, $job->value, $job->attempts, $job->leaseUntil] === $before);
// The job value is a copy: changing what we read does not change the job.
$value = $job->value;
$value[] = 'more';
var_dump($job->value);
var_dump($q->ack($job));
?>
--EXPECT--
new SHMQueueJob(): refused
newInstanceWithoutConstructor: refused
unserialize: refused
id: write refused
value: write refused
attempts: write refused
leaseUntil: write refused
Error: Cannot unset property SHMQueueJob::$value
Error: Cannot create dynamic property SHMQueueJob::$extra
bool(true)
array(1) {
  [0]=>
  string(7) "payload"
}
bool(true)
