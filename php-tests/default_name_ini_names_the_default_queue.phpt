--TEST--
shmqueue.default_name is the queue new SHMQueue() opens (so that two sites on one machine do not share "default"); a site denied the other's default queue is told what to set
--SKIPIF--
<?php $needs = ['pcntl', 'posix']; $needs_root = true; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$a = shmq_name('site-a');
ini_set('shmqueue.default_name', $a);
$q = new SHMQueue();
$q->enQueue('for site a');
var_dump($q->stats()['name'] === $a, (new SHMQueue($a))->deQueue());
// Site B runs as another user with the same default name (a new process: this one has the
// queue mapped already): the 0600 queue is not its to open.
$extension = shmq_extension_for_any_user();
$status = shmq_in_child(function () use ($a, $extension) {
    shmq_become_nobody();
    [$status, $output] = shmq_run_php_status(
        'try { new SHMQueue(); } catch (SHMQueueException $e) { echo $e->getMessage(); }',
        ['shmqueue.default_name' => $a], $extension);
    echo str_replace($a, 'NAME', $output), "\n";
    return $status === 0;
});
var_dump($status);
?>
--EXPECTF--
bool(true)
string(10) "for site a"
%s(new SHMQueue() without a name opens "NAME": where sites share a machine, give each its own with the ini setting shmqueue.default_name)
int(0)
