--TEST--
Reopening an existing queue with other capacity, lease or maxAttempts keeps the settings it was created with (and its messages)
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$settings = fn(SHMQueue $q) => implode(' ', array_map(fn($k) => "$k=" . var_export($q->stats()[$k], true), ['capacity', 'lease', 'max_attempts', 'lease_slots', 'length']));
$first = new SHMQueue($name, 8192, 5.0, 3);
$first->enQueue('kept');
echo $settings($first), "\n";
echo $settings(new SHMQueue($name, 65536, 1.0, 9)), "\n";
ini_set('shmqueue.default_capacity', '4M');
echo $settings(new SHMQueue($name)), "\n";
// Another process opening it with other settings gets the same queue.
$code = shmq_in_child(function () use ($name) {
    $q = new SHMQueue($name, 1 << 20, 60.0, 1);
    $s = $q->stats();
    return $s['capacity'] === 8192 && $s['max_attempts'] === 3 && $q->deQueue() === 'kept';
});
echo "child saw the first settings and the message: ", $code === 0 ? 'yes' : "no (exit $code)", "\n";
// Even invalid settings for an existing queue are refused: they are checked first.
shmq_try(fn() => new SHMQueue($name, 1));
?>
--EXPECTF--
capacity=8192 lease=5.0 max_attempts=3 lease_slots=64 length=1
capacity=8192 lease=5.0 max_attempts=3 lease_slots=64 length=1
capacity=8192 lease=5.0 max_attempts=3 lease_slots=64 length=1
child saw the first settings and the message: yes
SHMQueueException: invalid capacity: 1 bytes %s
