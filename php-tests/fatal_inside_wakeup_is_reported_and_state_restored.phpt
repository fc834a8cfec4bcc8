--TEST--
A fatal error inside __wakeup during deQueue/deQueueMany (memory_limit, max_execution_time) is reported as PHP reports it, error_reporting is intact afterwards, and the undelivered messages go to the dead letters
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$classes = '
class Hungry { public $n = 1; function __wakeup() { $GLOBALS["x"] = str_repeat("x", 64 << 20); } }
class Slow { public $n = 1; function __wakeup() { while (true) {} } }
register_shutdown_function(function () { echo "shutdown: error_reporting ", error_reporting() === E_ALL ? "E_ALL" : error_reporting(), "\n"; });
';
$cases = [
    'memory, deQueue' => ['$q->enQueue(new Hungry); $q->deQueue();', ['memory_limit' => '32M']],
    'memory, deQueueMany' => ['$q->enQueueMany([1, new Hungry, 3]); $q->deQueueMany(10);', ['memory_limit' => '32M']],
    'time, deQueueMany' => ['$q->enQueueMany([new Slow, 2]); $q->deQueueMany(10);', ['max_execution_time' => '1']],
];
foreach ($cases as $what => [$ops, $ini]) {
    SHMQueue::remove($name);
    [$status, $output] = shmq_run_php_status(
        $classes . '$q = new SHMQueue(' . var_export($name, true) . '); ' . $ops . ' echo "not reached\n";',
        // (PHP 8.5 adds a backtrace to fatal errors unless told not to.)
        $ini + ['error_reporting' => E_ALL, 'display_errors' => 'stderr', 'fatal_error_backtraces' => '0']);
    $q = new SHMQueue($name);
    $s = $q->stats();
    $output = preg_replace('/ in .* on line \d+/', '', trim($output));
    $output = preg_replace('/\(tried to allocate \d+ bytes\)/', '(tried to allocate N bytes)', $output);
    printf("%s: status %d; length %d, dead %d\n%s\n", $what, $status, $s['length'], $s['dead'], $output);
}
?>
--EXPECT--
memory, deQueue: status 255; length 0, dead 1
Fatal error: Allowed memory size of 33554432 bytes exhausted (tried to allocate N bytes)
shutdown: error_reporting E_ALL
memory, deQueueMany: status 255; length 0, dead 3
Fatal error: Allowed memory size of 33554432 bytes exhausted (tried to allocate N bytes)
shutdown: error_reporting E_ALL
time, deQueueMany: status 255; length 0, dead 2
Fatal error: Maximum execution time of 1 second exceeded
shutdown: error_reporting E_ALL
