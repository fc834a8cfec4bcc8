--TEST--
A value enQueue accepts can be dequeued: an object holding an array deeper than unserialize's max_depth is refused or comes back
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 1 << 20);
$deep = 'bottom';
for ($i = 0; $i < 5000; $i++) {
    $deep = [$deep];
}
$holder = new stdClass();
$holder->deep = $deep;
// Either outcome is fine; storing it and then failing to give it back (the message lost) is not.
try {
    $stored = $q->enQueue($holder);
} catch (SHMQueueException $e) {
    echo "refused at enQueue: ", $e->getMessage(), "\n";
    $stored = false;
}
if ($stored) {
    try {
        $back = $q->deQueue();
        echo "came back: ", var_export($back == $holder, true), "\n";
    } catch (SHMQueueException $e) {
        echo "stored but lost at deQueue: ", $e->getMessage(), "\n";
    }
}
echo "length: ", $q->getLength(), "\n";
?>
--EXPECTREGEX--
(refused at enQueue: .*nested.*|came back: true)
length: 0
