--TEST--
enQueue returns false when the queue is full (nothing stored, a full rejection counted) and true again after a deQueue
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 4096);
$message = str_repeat('m', 200);
$stored = 0;
while ($q->enQueue($message)) {
    $stored++;
}
echo "stored before full: ", $stored > 5 ? 'several' : $stored, "\n";
$length = $q->getLength();
var_dump($q->enQueue($message), $q->enQueue($message), $q->getLength() === $length);
var_dump($q->stats()['full_rejections']);   // the loop's last attempt and the two above
var_dump($q->deQueue() === $message);
var_dump($q->enQueue($message));
var_dump($q->enQueue($message));
var_dump($q->getLength() === $length);
?>
--EXPECT--
stored before full: several
bool(false)
bool(false)
bool(true)
int(3)
bool(true)
bool(true)
bool(false)
bool(true)
