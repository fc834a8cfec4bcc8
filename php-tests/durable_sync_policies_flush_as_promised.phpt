--TEST--
Sync policies of durable queues: always flushes before each change returns, four concurrent producers' changes all flushed, never more flushes than changes (that they share flushes is shown deterministically by core/tests/flushes.rs: here it depends on timing); batch flushes at most once per interval, and a quiet queue's last changes within it; off never flushes
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--INI--
shmqueue.durable_dir=/tmp/shmq-phpt-durable
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$dir = shmq_durable_dir();
$run = fn(string $code, array $ini) => print(shmq_run_php_status($code, $ini + ['shmqueue.durable_dir' => $dir])[1]);
$report = 'function report($q, $what) { $s = $q->stats();
    echo "$what: {$s["sync"]} changes {$s["changes"]} flushes {$s["flushes"]}\n"; }';

$always = shmq_name('always');
$run($report . '
    $q = new SHMQueue(' . var_export($always, true) . ', 1 << 20, durable: true);
    for ($i = 0; $i < 10; $i++) { $q->enQueue($i); }
    $q->pause();
    $q->resume();
    report($q, "alone, with a pause and a resume");
    $pids = [];
    for ($p = 0; $p < 4; $p++) {
        if (($pid = pcntl_fork()) === 0) {
            $q = new SHMQueue(' . var_export($always, true) . ', durable: true);
            for ($i = 0; $i < 250; $i++) { $q->enQueue("$p-$i"); }
            exit(0);
        }
        $pids[] = $pid;
    }
    foreach ($pids as $pid) { pcntl_waitpid($pid, $status); }
    $s = $q->stats();
    echo "four producers: changes ", $s["changes"] - 12, ", flushes at most changes: ", var_export($s["flushes"] - 12 <= 1000, true), ", length {$s["length"]}\n";
', ['shmqueue.sync' => 'always']);

$batch = shmq_name('batch');
$run($report . '
    $q = new SHMQueue(' . var_export($batch, true) . ', durable: true);
    for ($i = 0; $i < 100; $i++) { $q->enQueue($i); }
    report($q, "burst");
    usleep(500000);
    report($q, "quiet (flushed by the process\'s flusher thread)");
    $q->deQueue();
    report($q, "after the interval");
', ['shmqueue.sync' => 'batch', 'shmqueue.sync_interval' => '0.2']);

$off = shmq_name('off');
$run($report . '
    $q = new SHMQueue(' . var_export($off, true) . ', durable: true);
    for ($i = 0; $i < 100; $i++) { $q->enQueue($i); $q->deQueue(); }
    report($q, "off");
', ['shmqueue.sync' => 'off']);
?>
--EXPECT--
alone, with a pause and a resume: always changes 12 flushes 12
four producers: changes 1000, flushes at most changes: true, length 1010
burst: batch changes 100 flushes 1
quiet (flushed by the process's flusher thread): batch changes 100 flushes 2
after the interval: batch changes 101 flushes 3
off: off changes 200 flushes 0
