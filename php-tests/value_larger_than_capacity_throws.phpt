--TEST--
A value that can never fit throws SHMQueueException naming its size and the queue's limit (also when the queue is empty)
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 4096);
try {
    $q->enQueue(str_repeat('x', 5000));
} catch (SHMQueueException $e) {
    echo $e->getMessage(), "\n";
    var_dump(str_contains($e->getMessage(), "\"$name\""));
}
shmq_try(fn() => $q->enQueue(str_repeat('x', 1 << 20), 0.5));   // waiting cannot help either
shmq_try(fn() => $q->enQueueDelayed(str_repeat('x', 8000), 1));
shmq_try(fn() => $q->enQueueMany(['small', str_repeat('x', 9000)]));
var_dump($q->getLength(), $q->stats()['full_rejections']);
?>
--EXPECTF--
message of at least 5%d bytes can never fit in queue "%s": its capacity allows at most 40%d bytes
bool(true)
SHMQueueException: message of at least 10%d bytes can never fit in queue "%s": its capacity allows at most 40%d bytes
SHMQueueException: message of at least 80%d bytes can never fit in queue "%s": its capacity allows at most 40%d bytes
SHMQueueException: message of at least 90%d bytes can never fit in queue "%s": its capacity allows at most 40%d bytes
int(0)
int(0)
