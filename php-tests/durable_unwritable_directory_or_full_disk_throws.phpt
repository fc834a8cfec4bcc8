--TEST--
A durable queue in a directory this user may not write, on a read-only filesystem, or larger than the free space of its disk throws SHMQueueException at creation (blocks are reserved then, so a full disk never means SIGBUS later) and leaves no file; a queue that fits works there
--SKIPIF--
<?php $needs = ['pcntl', 'posix']; $needs_root = true; require __DIR__ . '/skipif.inc';
$probe = sys_get_temp_dir() . '/shmq-phpt-mount-probe-' . getmypid();
@mkdir($probe);
exec('mount -t tmpfs -o size=64k tmpfs ' . escapeshellarg($probe) . ' 2>&1', $out, $status);
exec('umount ' . escapeshellarg($probe));
@rmdir($probe);
if ($status !== 0) die('skip cannot mount a small tmpfs');
?>
--INI--
shmqueue.durable_dir=/tmp/shmq-phpt-durable
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$dir = shmq_durable_dir();
// Not writable by this user: the directory is root's, 0755.
chmod($dir, 0755);
shmq_in_child(function () use ($name) {
    shmq_become_nobody();
    shmq_try(fn() => new SHMQueue($name, durable: true));
    return true;
});
$small = sys_get_temp_dir() . '/shmq-phpt-small-' . getmypid();
mkdir($small);
$run = fn(string $code, array $ini) => print(shmq_run_php_status($code, $ini)[1]);
$create = fn(int $capacity) => 'try { $q = new SHMQueue(' . var_export($name, true) . ", $capacity, durable: true);"
    . ' var_dump($q->enQueue("fits"), $q->deQueue()); }'
    . ' catch (SHMQueueException $e) { echo $e->getMessage(), "\n"; }';
// A read-only filesystem.
exec('mount -t tmpfs -o ro,size=1m tmpfs ' . escapeshellarg($small));
$run($create(65536), ['shmqueue.durable_dir' => $small]);
exec('umount ' . escapeshellarg($small));
// A disk of 512 KiB: a 1 MiB queue cannot be reserved, a 64 KiB one can.
exec('mount -t tmpfs -o size=512k tmpfs ' . escapeshellarg($small));
$run($create(1 << 20), ['shmqueue.durable_dir' => $small]);
var_dump(glob("$small/*"));
$run($create(65536), ['shmqueue.durable_dir' => $small]);
var_dump(count(glob("$small/*.shmq")));
exec('umount ' . escapeshellarg($small));
rmdir($small);
var_dump(file_exists(shmq_durable_path($name)));
?>
--EXPECTF--
SHMQueueException: the durable queue directory /tmp/shmq-phpt-durable cannot be used: this user may not create files in it (the ini setting shmqueue.durable_dir names it: create it, writable by this user)
the durable queue directory /tmp/shmq-phpt-small-%d cannot be used: it is on a read-only filesystem (the ini setting shmqueue.durable_dir names it: create it, writable by this user)
cannot reserve %d bytes for queue "%s" in /tmp/shmq-phpt-small-%d/%s.shmq: No space left on device (os error 28); free disk space or create the queue with a smaller capacity
array(0) {
}
bool(true)
string(4) "fits"
int(1)
bool(false)
