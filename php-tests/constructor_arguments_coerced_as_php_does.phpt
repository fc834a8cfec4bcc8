--TEST--
new SHMQueue() coerces its arguments as any internal function does in weak mode ("8192" for int, "2.5" for float, 12345 for string, with PHP's deprecation for a lossy float), refuses what PHP refuses with PHP's TypeError, and under strict_types takes only the declared types
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, "8192", "2.5", true);
$s = $q->stats();
printf("capacity %d lease %s max_attempts %d\n", $s['capacity'], var_export($s['lease'], true), $s['max_attempts']);
shmq_try(fn() => (new SHMQueue(12345))->stats()['name']);
SHMQueue::remove('12345');
shmq_try(fn() => new SHMQueue($name, "lots"));
shmq_try(fn() => new SHMQueue($name, []));
shmq_try(fn() => new SHMQueue($name, null, "soon"));
shmq_try(fn() => count(new SHMQueue($name, 8192.5)));
[$status, $output] = shmq_run_php_status('declare(strict_types=1); try { new SHMQueue("x", "8192"); } catch (TypeError $e) { echo $e->getMessage(); }');
echo $output, "\n";
?>
--EXPECTF--
capacity 8192 lease 2.5 max_attempts 1
returned string(5) "12345"
TypeError: SHMQueue::__construct(): Argument #2 ($capacity) must be of type ?int, string given
TypeError: SHMQueue::__construct(): Argument #2 ($capacity) must be of type ?int, array given
TypeError: SHMQueue::__construct(): Argument #3 ($lease) must be of type ?float, string given

Deprecated: Implicit conversion from float 8192.5 to int loses precision in %s on line %d
returned int(0)
SHMQueue::__construct(): Argument #2 ($capacity) must be of type ?int, string given
