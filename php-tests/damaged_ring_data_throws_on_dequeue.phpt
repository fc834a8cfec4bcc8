--TEST--
Damaged ring bytes make deQueue throw SHMQueueException (a damaged value: that message only; a damaged record header: the queue, naming it), never crash
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$capacity = 4096;
$ring = shmq_ring_offset($capacity);
// The first record sits at the start of the ring: an 8-byte header word (len, state, ...), then the value.
$damages = [
    'value format byte' => [8, "\x7f"],
    'string length inside the value' => [10, "\x7f"],
    'record length 4 GiB' => [0, pack('V', 0xfffffff0)],
    'record length 0' => [0, pack('V', 0)],
    'record state 8 (unknown)' => [4, "\x08"],
    'record state 0' => [4, "\x00"],
];
foreach ($damages as $label => [$offset, $bytes]) {
    $name = shmq_name(preg_replace('/\W+/', '', $label));
    $q = new SHMQueue($name, $capacity);
    $q->enQueue('hello world');
    $q->enQueue('second');
    shmq_poke($name, $ring + $offset, $bytes);
    echo "-- $label\n";
    shmq_try(fn() => $q->deQueue());
    shmq_try(fn() => $q->deQueue());
}
?>
--EXPECTF--
-- value format byte
SHMQueueException: a stored message is damaged and cannot be decoded: %s
returned string(6) "second"
-- string length inside the value
SHMQueueException: a stored message is damaged and cannot be decoded: %s
returned string(6) "second"
-- record length 4 GiB
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
-- record length 0
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
-- record state 8 (unknown)
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
-- record state 0
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
