--TEST--
shmqueue.permissions set with -d (--INI--) or ini_set() gives new queues that mode (0660, 0640, 0604); a mode every user may write (0666) is refused; existing queues keep theirs
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.permissions=0660
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$a = shmq_name('ini');
new SHMQueue($a, 4096);
echo ini_get('shmqueue.permissions'), ' -> ', shmq_mode($a), "\n";
foreach (['0640', '0604', '600', '0700'] as $mode) {
    ini_set('shmqueue.permissions', $mode);
    $name = shmq_name("m$mode");
    new SHMQueue($name, 4096);
    echo "$mode -> ", shmq_mode($name), "\n";
}
ini_set('shmqueue.permissions', '0666');
shmq_try(fn() => new SHMQueue(shmq_name('m0666'), 4096));
// Reopening with another setting does not change an existing queue's mode.
new SHMQueue($a, 4096);
echo "reopened $a mode unchanged: ", shmq_mode($a), "\n";
?>
--EXPECTF--
0660 -> 660
0640 -> 640
0604 -> 604
600 -> 600
0700 -> 700
SHMQueueException: invalid permissions: 0666 lets every user write the queue; share it with a group (0660) instead
reopened %s mode unchanged: 660
