--TEST--
exit() inside __wakeup, __unserialize, __serialize or __sleep called by the extension ends PHP with that status (no crash), shutdown functions run, and a message whose decoding exit() cut goes to the dead letters
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$classes = '
class Wakes { public $n = 1; function __wakeup() { exit(7); } }
class Unser { function __serialize(): array { return [1]; } function __unserialize(array $d): void { exit(8); } }
class Ser { function __serialize(): array { exit(9); } }
class Sleeps { public $a = 1; function __sleep() { exit(10); } }
register_shutdown_function(function () { echo "shutdown ran\n"; });
';
$cases = [
    'deQueue, __wakeup' => '$q->enQueue(new Wakes); $q->deQueue();',
    'deQueueMany, __unserialize' => '$q->enQueueMany([1, new Unser, 3]); $q->deQueueMany(10);',
    'reserve, __wakeup' => '$q->enQueue(new Wakes); $q->reserve();',
    'enQueue, __serialize' => '$q->enQueue(new Ser);',
    'enQueueMany, __sleep' => '$q->enQueueMany([1, new Sleeps]);',
];
foreach ($cases as $what => $ops) {
    SHMQueue::remove($name);
    [$status, $output] = shmq_run_php_status(
        $classes . '$q = new SHMQueue(' . var_export($name, true) . '); ' . $ops . ' echo "not reached\n";');
    $q = new SHMQueue($name);
    $s = $q->stats();
    printf("%-28s status %d, output %s; length %d, dead %d, in flight %d\n",
        $what, $status, json_encode($output), $s['length'], $s['dead'], $s['in_flight']);
}
?>
--EXPECT--
deQueue, __wakeup            status 7, output "shutdown ran\n"; length 0, dead 1, in flight 0
deQueueMany, __unserialize   status 8, output "shutdown ran\n"; length 0, dead 3, in flight 0
reserve, __wakeup            status 7, output "shutdown ran\n"; length 0, dead 0, in flight 1
enQueue, __serialize         status 9, output "shutdown ran\n"; length 0, dead 0, in flight 0
enQueueMany, __sleep         status 10, output "shutdown ran\n"; length 0, dead 0, in flight 0
