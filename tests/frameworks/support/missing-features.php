<?php
// Prints the PHPUnit groups (comma-separated) whose framework feature the installed versions
// lack, for run.sh's --exclude-group: each such test needs a newer Laravel or Symfony.
require __DIR__ . '/../bootstrap.php';

$missing = [
    // queue:pause / queue:resume (Laravel 11+)
    'laravel-pause' => !method_exists(\Illuminate\Queue\QueueManager::class, 'pause'),
    // the inspection methods of Laravel 13's Redis and database queues
    'laravel-inspection' => !class_exists(\Illuminate\Queue\Jobs\InspectedJob::class),
    // messenger:consume --keepalive (Symfony 7.2+)
    'symfony-keepalive' => !interface_exists(\Symfony\Component\Messenger\Transport\Receiver\KeepaliveReceiverInterface::class),
];
echo implode(',', array_keys(array_filter($missing)));
