--TEST--
Another user (nobody) cannot open, use or remove a 0600 queue: SHMQueueException naming the queue and "permission denied"
--SKIPIF--
<?php $needs = ['pcntl', 'posix']; $needs_root = true; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
// Created by a child, so that the nobody child below does not inherit an open mapping from us.
shmq_in_child(fn() => (new SHMQueue($name, 4096))->enQueue('secret'));
echo "mode: ", shmq_mode($name), "\n";
$code = shmq_in_child(function () use ($name) {
    shmq_become_nobody();
    shmq_try(fn() => new SHMQueue($name, 4096));
    shmq_try(fn() => SHMQueue::remove($name));
    return true;
});
echo "child exit: $code\n";
$q = new SHMQueue($name);
var_dump($q->deQueue());
?>
--EXPECTF--
mode: 600
SHMQueueException: permission denied opening queue "%s" (/dev/shm/shmqueue.%s): it belongs to another user or its mode forbids access
SHMQueueException: permission denied opening queue "%s" (/dev/shm/shmqueue.%s): it belongs to another user or its mode forbids access
child exit: 0
string(6) "secret"
