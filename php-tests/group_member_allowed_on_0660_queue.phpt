--TEST--
With shmqueue.permissions=0660 a member of the segment's group can use the queue; a user outside the group cannot
--SKIPIF--
<?php $needs = ['pcntl', 'posix']; $needs_root = true; require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.permissions=0660
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
shmq_in_child(fn() => (new SHMQueue($name, 4096))->enQueue('from root'));
chgrp(shmq_path($name), 65534);   // the group nobody will be in
echo "mode: ", shmq_mode($name), "\n";
$as_group_member = shmq_in_child(function () use ($name) {
    shmq_become_nobody(65534);
    $q = new SHMQueue($name);
    var_dump($q->deQueue());
    return $q->enQueue('from nobody');
});
echo "group member exit: $as_group_member\n";
$outsider = shmq_in_child(function () use ($name) {
    shmq_become_nobody(12345);    // same user, another group
    shmq_try(fn() => new SHMQueue($name));
    return true;
});
echo "outsider exit: $outsider\n";
var_dump((new SHMQueue($name))->deQueue());
?>
--EXPECTF--
mode: 660
string(9) "from root"
group member exit: 0
SHMQueueException: permission denied opening queue "%s" (%s): %s
outsider exit: 0
string(11) "from nobody"
