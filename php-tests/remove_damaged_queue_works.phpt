--TEST--
remove() deletes queues that cannot be opened (garbage header, other layout version, unfinished creation) and the name is usable again
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$damages = ['garbage' => [0, str_repeat("\xAA", 64)], 'version' => [8, pack('V', 9)], 'unfinished' => [0x0C, pack('V', 0)]];
foreach ($damages as $label => [$offset, $bytes]) {
    $name = shmq_name($label);
    shmq_in_child(fn() => (new SHMQueue($name, 4096))->enQueue('x'));
    shmq_poke($name, $offset, $bytes);
    echo "$label: remove ", var_export(SHMQueue::remove($name), true);
    clearstatcache();
    echo ", exists ", var_export(file_exists(shmq_path($name)), true);
    $q = new SHMQueue($name, 4096);
    echo ", new queue length ", $q->getLength(), "\n";
}
// A damaged queue some process holds open: removal moves the holder on too.
$name = shmq_name('held');
$q = new SHMQueue($name, 4096);
$q->enQueue('hello');
shmq_poke($name, shmq_ring_offset(4096) + 4, "\x08");
shmq_try(fn() => $q->deQueue());
var_dump(SHMQueue::remove($name), $q->enQueue('fresh'), $q->deQueue());
?>
--EXPECTF--
garbage: remove true, exists false, new queue length 0
version: remove true, exists false, new queue length 0
unfinished: remove true, exists false, new queue length 0
SHMQueueException: queue "%s" is damaged: %s
bool(true)
bool(true)
string(5) "fresh"
