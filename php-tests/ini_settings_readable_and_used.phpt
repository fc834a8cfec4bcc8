--TEST--
ini_get() returns each shmqueue setting's default; values set with ini_set() are returned and used by new queues
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
foreach (['default_capacity', 'permissions', 'max_attempts', 'lease'] as $setting) {
    echo "shmqueue.$setting = ", var_export(ini_get("shmqueue.$setting"), true), "\n";
}
var_dump(ini_set('shmqueue.default_capacity', '64K'), ini_set('shmqueue.max_attempts', '9'), ini_set('shmqueue.lease', '2.5'));
$s = (new SHMQueue(shmq_name()))->stats();
printf("capacity %d max_attempts %d lease %s\n", $s['capacity'], $s['max_attempts'], var_export($s['lease'], true));
ini_set('shmqueue.default_capacity', '8192');
var_dump((new SHMQueue(shmq_name('plain')))->stats()['capacity']);
var_dump(ini_get_all('shmqueue', false));
?>
--EXPECT--
shmqueue.default_capacity = '1M'
shmqueue.permissions = '0600'
shmqueue.max_attempts = '5'
shmqueue.lease = '60'
string(2) "1M"
string(1) "5"
string(2) "60"
capacity 65536 max_attempts 9 lease 2.5
int(8192)
array(11) {
  ["shmqueue.allowed_classes"]=>
  string(0) ""
  ["shmqueue.default_capacity"]=>
  string(4) "8192"
  ["shmqueue.default_name"]=>
  string(7) "default"
  ["shmqueue.durable_dir"]=>
  string(17) "/var/lib/shmqueue"
  ["shmqueue.lease"]=>
  string(3) "2.5"
  ["shmqueue.lock_timeout"]=>
  string(1) "5"
  ["shmqueue.max_attempts"]=>
  string(1) "9"
  ["shmqueue.permissions"]=>
  string(4) "0600"
  ["shmqueue.sync"]=>
  string(5) "batch"
  ["shmqueue.sync_interval"]=>
  string(1) "1"
  ["shmqueue.trusted_users"]=>
  string(0) ""
}
