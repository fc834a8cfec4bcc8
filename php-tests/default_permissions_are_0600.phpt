--TEST--
A queue created with the default ini is mode 0600 (owner only), whatever the umask
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
var_dump(ini_get('shmqueue.permissions'));
$name = shmq_name('a');
new SHMQueue($name, 4096);
var_dump(shmq_mode($name), fileowner(shmq_path($name)) === posix_geteuid());
// The umask does not widen or narrow it.
umask(0);
$open = shmq_name('umask0');
new SHMQueue($open, 4096);
umask(077);
$closed = shmq_name('umask077');
ini_set('shmqueue.permissions', '0660');
new SHMQueue($closed, 4096);
var_dump(shmq_mode($open), shmq_mode($closed));
?>
--EXPECT--
string(4) "0600"
string(3) "600"
bool(true)
string(3) "600"
string(3) "660"
