--TEST--
A durable file whose lock word names a live, unrelated process (as a lock taken before a reboot may) times out in the same boot, but opens and works after a new boot id (0x300): lock and waiter words are reinitialized and recovery runs once; stats() counts the boot
--SKIPIF--
<?php $needs = ['pcntl', 'posix']; require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.durable_dir=/tmp/shmq-phpt-durable
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$dir = shmq_durable_dir();
$name = shmq_name();
$q = new SHMQueue($name, 65536, durable: true);
$q->enQueue('kept');
unset($q);
// A live process that has nothing to do with the queue.
$bystander = pcntl_fork();
if ($bystander === 0) {
    sleep(30);
    exit(0);
}
shmq_poke_durable($name, 0x40, pack('V', $bystander)); // the mutex's owner tid
shmq_poke_durable($name, 0x148, pack('V', 3)); // not_empty_waiters left by gone processes
$ini = ['shmqueue.durable_dir' => $dir, 'shmqueue.lock_timeout' => '0.3'];
$take = 'try { $q = new SHMQueue(' . var_export($name, true) . ', durable: true);
    var_dump($q->deQueue()); $s = $q->stats(); echo "boots {$s["boots"]} recoveries {$s["recoveries"]}\n"; }
    catch (SHMQueueException $e) { echo $e->getMessage(), "\n"; }';
echo shmq_run_php_status($take, $ini)[1];
shmq_poke_durable($name, 0x300, random_bytes(16)); // a reboot
echo shmq_run_php_status($take, $ini)[1];
echo shmq_run_php_status($take, $ini)[1];
posix_kill($bystander, SIGKILL);
shmq_wait($bystander);
?>
--EXPECTF--
the lock of queue "%s" stayed taken for 300 ms, by %s: nothing was done
string(4) "kept"
boots 1 recoveries 1
bool(false)
boots 1 recoveries 1
