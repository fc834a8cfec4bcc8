--TEST--
phpinfo(INFO_MODULES) has a shmqueue section with its version and every ini entry with its local and master values
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.lease=30
--FILE--
<?php
ini_set('shmqueue.max_attempts', '7');
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
// The section runs from its title line to the next module's title.
preg_match('/^shmqueue\n\n(.*?)\n\n(Directive.*?)\n\n/ms', $info, $m) or die("no shmqueue section\n");
echo $m[1], "\n--\n";
$directives = explode("\n", $m[2]);
sort($directives);
echo implode("\n", $directives), "\n";
var_dump(str_contains($m[1], 'version => ' . phpversion('shmqueue')));
?>
--EXPECTF--
shmqueue support => enabled
version => %s
segment layout version => 2
value format version => 1
--
Directive => Local Value => Master Value
shmqueue.allowed_classes => no value => no value
shmqueue.default_capacity => 1M => 1M
shmqueue.default_name => default => default
shmqueue.durable_dir => /var/lib/shmqueue => /var/lib/shmqueue
shmqueue.lease => 30 => 30
shmqueue.lock_timeout => 5 => 5
shmqueue.max_attempts => 7 => 5
shmqueue.permissions => 0600 => 0600
shmqueue.sync => batch => batch
shmqueue.sync_interval => 1 => 1
shmqueue.trusted_users => no value => no value
bool(true)
