<?php
// php-fpm endpoint: stores one message ['id' => id, 'pid' => this worker's pid] in the queue named
// by ?q= (unique per test run), a durable one with ?kind=durable; answers OK when stored, FULL
// when there was no room.
$q = new SHMQueue($_GET['q'] ?? 'fpm-test', durable: ($_GET['kind'] ?? '') === 'durable');
echo $q->enQueue(['id' => (int) $_GET['id'], 'pid' => getmypid()]) ? "OK" : "FULL";
