<?php
// php-fpm endpoint for the fatal-error leak check: stores one 6 MiB message, then takes it under
// a memory_limit too small to build it, so that the request dies of a fatal error inside the
// extension's decoding. The worker must not keep the message's copy: its resident memory,
// answered by ?rss=1 as "RSS <pid> <RssAnon kB>", stays flat over many such requests.
if (isset($_GET['rss'])) {
    preg_match('/RssAnon:\s+(\d+)/', file_get_contents('/proc/self/status'), $anon);
    echo 'RSS ' . getmypid() . " {$anon[1]}\n";
    return;
}
$queue = new SHMQueue($_GET['queue']);
$queue->enQueue(str_repeat('m', 6 << 20));
ini_set('memory_limit', '8M');
$queue->deQueue();
echo "not reached\n";
