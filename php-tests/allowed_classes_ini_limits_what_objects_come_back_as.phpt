--TEST--
shmqueue.allowed_classes limits the classes stored objects come back as, as unserialize()'s allowed_classes: any by default, "none", or a list; other objects come back as __PHP_Incomplete_Class and their __wakeup does not run
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 16384);
class Task { public $id = 1; }
class Dangerous { public $f = 'x'; function __wakeup() { echo "Dangerous woke up\n"; } }
foreach (['', 'none', 'Task', ' \\Task , Other'] as $setting) {
    ini_set('shmqueue.allowed_classes', $setting);
    $q->enQueue([new Task(), new Dangerous()]);
    [$task, $dangerous] = $q->deQueue();
    printf("%-16s Task as %s, Dangerous as %s\n", json_encode($setting), get_class($task), get_class($dangerous));
}
?>
--EXPECT--
Dangerous woke up
""               Task as Task, Dangerous as Dangerous
"none"           Task as __PHP_Incomplete_Class, Dangerous as __PHP_Incomplete_Class
"Task"           Task as Task, Dangerous as __PHP_Incomplete_Class
" \\Task , Other" Task as Task, Dangerous as __PHP_Incomplete_Class
