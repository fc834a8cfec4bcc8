--TEST--
A durable queue in a missing directory, a file that is no directory, or a relative path, or with an unknown sync policy or interval, throws SHMQueueException at creation saying which and what to do; nothing is left behind
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$create = 'try { new SHMQueue(' . var_export($name, true) . ', durable: true); echo "created\n"; }
    catch (SHMQueueException $e) { echo $e->getMessage(), "\n"; }';
$dir = sys_get_temp_dir() . '/shmq-phpt-bad-' . getmypid();
mkdir($dir);
foreach ([
    ['shmqueue.durable_dir' => '/nonexistent/shmq-phpt'],
    ['shmqueue.durable_dir' => __FILE__],
    ['shmqueue.durable_dir' => 'relative/dir'],
    ['shmqueue.durable_dir' => $dir, 'shmqueue.sync' => 'sometimes'],
    ['shmqueue.durable_dir' => $dir, 'shmqueue.sync_interval' => '0'],
    ['shmqueue.durable_dir' => $dir, 'shmqueue.sync_interval' => 'soon'],
    ['shmqueue.durable_dir' => $dir, 'shmqueue.sync_interval' => '7200'],
] as $ini) {
    [$status, $out] = shmq_run_php_status($create, $ini);
    echo $out;
}
var_dump(glob("$dir/*"), file_exists(shmq_path($name)));
rmdir($dir);
?>
--EXPECTF--
the durable queue directory /nonexistent/shmq-phpt cannot be used: it does not exist (the ini setting shmqueue.durable_dir names it: create it, writable by this user)
the durable queue directory %sdurable_bad_directory_or_settings_throw.php cannot be used: it is not a directory (the ini setting shmqueue.durable_dir names it: create it, writable by this user)
invalid shmqueue.durable_dir: "relative/dir" is not an absolute path
invalid shmqueue.sync: "sometimes" is none of always, batch, off
invalid shmqueue.sync_interval: 0 seconds: it must be positive
invalid shmqueue.sync_interval: "soon" is not a number of seconds
invalid shmqueue.sync_interval: "7200" is longer than 3600 seconds
array(0) {
}
bool(false)
