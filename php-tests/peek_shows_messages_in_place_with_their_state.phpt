--TEST--
peek() lists messages oldest first with their state and attempts and takes nothing; a message that cannot be decoded shows its error; bad max throws
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
class Fussy { public function __wakeup(): void { throw new RuntimeException('no wakeup today'); } }
$q = new SHMQueue(shmq_name(), 16384, maxAttempts: 3);
$q->enQueue('first');
$q->enQueue(['second' => 2]);
$q->enQueueDelayed('later', 60);
$q->enQueue('third');
$q->enQueue(new Fussy());
$job = $q->reserve();               // 'first'
$q->release($q->reserve(), 0);      // ['second' => 2]: back, attempts 1
$before = $q->stats();
foreach ($q->peek() as $m) {
    echo $m['state'], ' ', $m['attempts'], ' ', json_encode($m['value']), isset($m['error']) ? ' error: ' . $m['error'] : '', "\n";
}
$after = $q->stats();
var_dump($before === $after);
echo count($q->peek(2)), ' ', count($q->peek(0)), "\n";
shmq_try(fn() => $q->peek(-1));
var_dump($q->ack($job), $q->deQueue());
?>
--EXPECTF--
reserved 1 "first"
ready 1 {"second":2}
delayed 0 "later"
ready 0 "third"
ready 0 null error: %sno wakeup today
bool(true)
2 0
SHMQueueException: invalid max: -1 is negative
bool(true)
array(1) {
  ["second"]=>
  int(2)
}
