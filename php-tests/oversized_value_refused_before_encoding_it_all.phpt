--TEST--
A value larger than the queue can ever hold is refused as soon as its encoding passes that size, without encoding the rest (a 50 MB string shared 20 times costs no gigabyte), and buffers a big message needed are let go of afterwards
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
memory_limit=512M
--FILE--
<?php
require __DIR__ . '/shmq.inc';
// Private memory only (the queue's own pages are shared memory, counted apart).
function rss(): int { preg_match('/RssAnon:\s+(\d+)/', file_get_contents('/proc/self/status'), $m); return $m[1] * 1024; }
$small = new SHMQueue(shmq_name('small'), 1 << 20);
$big = str_repeat('b', 50 << 20);
$before = rss();
shmq_try(fn() => $small->enQueue(array_fill(0, 20, $big)));
shmq_try(fn() => $small->enQueueMany([1, array_fill(0, 20, $big)]));
shmq_try(fn() => $small->enQueue(str_repeat('s', 2 << 20)));
$grown = rss() - $before;
echo $grown < (64 << 20) ? "no big encoding\n" : "grew by " . ($grown >> 20) . " MiB\n";
var_dump(count($small));
// One 48 MiB round trip through a 64 MiB queue: afterwards the process lets go of its copies.
$large = new SHMQueue(shmq_name('large'), 64 << 20);
$message = str_repeat('m', 48 << 20);
$base = rss();
$large->enQueue($message);
$back = $large->deQueue();
var_dump($back === $message);
unset($back);
$kept = rss() - $base;
echo $kept < (16 << 20) ? "buffers let go\n" : "kept " . ($kept >> 20) . " MiB\n";
?>
--EXPECTF--
SHMQueueException: message of at least %d bytes can never fit in queue "%s": its capacity allows at most %d bytes
SHMQueueException: message of at least %d bytes can never fit in queue "%s": its capacity allows at most %d bytes
SHMQueueException: message of at least %d bytes can never fit in queue "%s": its capacity allows at most %d bytes
no big encoding
int(0)
bool(true)
buffers let go
