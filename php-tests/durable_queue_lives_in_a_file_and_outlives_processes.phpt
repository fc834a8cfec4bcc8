--TEST--
new SHMQueue($name, durable: true) keeps its messages in shmqueue.durable_dir/$name.shmq (mode 0600, no /dev/shm object): a new process finds them; stats() shows the policy kept in the queue; remove() deletes the file
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.durable_dir=/tmp/shmq-phpt-durable
shmqueue.sync=always
shmqueue.sync_interval=0.25
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$dir = shmq_durable_dir();
$name = shmq_name();
$q = new SHMQueue($name, 65536, durable: true);
var_dump($q->enQueue('one'), $q->enQueue(['two' => 2]));
$job = $q->reserve();
var_dump($q->release($job));
clearstatcache();
printf("file %o, size %d, shm object: %s\n", fileperms(shmq_durable_path($name)) & 0777,
    filesize(shmq_durable_path($name)), var_export(file_exists(shmq_path($name)), true));
unset($q);
// A new process, with other defaults: it finds the queue with the policy it was created with.
$ini = ['shmqueue.durable_dir' => $dir, 'shmqueue.sync' => 'off'];
[$status, $out] = shmq_run_php_status('
    $q = new SHMQueue(' . var_export($name, true) . ', durable: true);
    var_dump($q->deQueue(), $q->deQueue(), $q->deQueue());
    $s = $q->stats();
    foreach (["durable", "sync", "sync_interval", "torn_dropped", "boots", "path"] as $k) {
        echo "$k: ", var_export($s[$k], true), "\n";
    }
    echo "flushes < changes: ", var_export($s["flushes"] <= $s["changes"] && $s["flushes"] > 0, true), "\n";
', $ini);
echo $out;
var_dump(SHMQueue::remove($name), file_exists(shmq_durable_path($name)));
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
file 600, size %d, shm object: false
string(3) "one"
array(1) {
  ["two"]=>
  int(2)
}
bool(false)
durable: true
sync: 'always'
sync_interval: 0.25
torn_dropped: 0
boots: 0
path: '/tmp/shmq-phpt-durable/phpt-%s.shmq'
flushes < changes: true
bool(true)
bool(false)
