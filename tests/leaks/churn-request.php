<?php
// php-fpm endpoint for the memory test: one pair on a fresh SHMQueue object, then the worker's
// resident memory. Answers "OK <pid> <VmRSS kB> <RssAnon kB>", or "MISMATCH ..." when the value
// came back different.
require __DIR__ . '/values.php';

$queue = new SHMQueue($_GET['queue']);
$value = mixed_value((int) $_GET['n']);
$queue->enQueue($value);
$same = same_value($queue->deQueue(), $value);
unset($queue, $value);
$status = file_get_contents('/proc/self/status');
preg_match('/VmRSS:\s+(\d+)/', $status, $rss);
preg_match('/RssAnon:\s+(\d+)/', $status, $anon);
echo ($same ? 'OK' : 'MISMATCH') . ' ' . getmypid() . " {$rss[1]} {$anon[1]}\n";
