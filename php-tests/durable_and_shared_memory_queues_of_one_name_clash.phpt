--TEST--
One name is one queue: opening a shared-memory queue as durable, or a durable one without durable, throws SHMQueueException naming the queue that exists (in this process and in a new one); when both exist, every open says so
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.durable_dir=/tmp/shmq-phpt-durable
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$dir = shmq_durable_dir();
$shm = shmq_name('shm');
$disk = shmq_name('disk');
(new SHMQueue($shm))->enQueue('in memory');
(new SHMQueue($disk, durable: true))->enQueue('on disk');
shmq_try(fn() => new SHMQueue($shm, durable: true));
shmq_try(fn() => new SHMQueue($disk));
$ini = ['shmqueue.durable_dir' => $dir];
$open = fn(string $name, string $durable) => shmq_run_php_status('try { var_dump((new SHMQueue('
    . var_export($name, true) . ", durable: $durable))->deQueue()); }"
    . ' catch (SHMQueueException $e) { echo $e->getMessage(), "\n"; }', $ini)[1];
echo $open($shm, 'true'), $open($disk, 'false');
echo $open($shm, 'false'), $open($disk, 'true');
// Both kinds of one name (made behind the extension's back): neither opens.
copy(shmq_durable_path($disk), shmq_path($disk));
echo $open($disk, 'true'), $open($disk, 'false');
unlink(shmq_path($disk));
var_dump(SHMQueue::remove($shm), SHMQueue::remove($disk), file_exists(shmq_durable_path($disk)));
?>
--EXPECTF--
SHMQueueException: queue "%s-shm-%d" exists as /dev/shm/shmqueue.%s-shm-%d: it cannot also be opened as a durable file: open it with the durable argument it was created with, or remove one of them
SHMQueueException: queue "%s-disk-%d" exists as /tmp/shmq-phpt-durable/%s-disk-%d.shmq: it cannot also be opened as shared memory: open it with the durable argument it was created with, or remove one of them
queue "%s-shm-%d" exists as /dev/shm/shmqueue.%s-shm-%d: it cannot also be opened as a durable file: open it with the durable argument it was created with, or remove one of them
queue "%s-disk-%d" exists as /tmp/shmq-phpt-durable/%s-disk-%d.shmq: it cannot also be opened as shared memory: open it with the durable argument it was created with, or remove one of them
string(9) "in memory"
string(7) "on disk"
queue "%s-disk-%d" exists as /dev/shm/shmqueue.%s-disk-%d: it cannot also be opened as a durable file: open it with the durable argument it was created with, or remove one of them
queue "%s-disk-%d" exists as /tmp/shmq-phpt-durable/%s-disk-%d.shmq: it cannot also be opened as shared memory: open it with the durable argument it was created with, or remove one of them
bool(true)
bool(true)
bool(false)
