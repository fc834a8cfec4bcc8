<?php

namespace ShmQueue\Laravel;

use Illuminate\Queue\Connectors\ConnectorInterface;

/**
 * Builds a ShmQueue from one connection of config/queue.php:
 *
 *   'driver'       => 'shmqueue',
 *   'queue'        => 'default',   default queue name
 *   'prefix'       => '',          put before every queue name (to keep apps apart)
 *   'capacity'     => 8388608,     bytes of a queue when it is created (default: ini shmqueue.default_capacity)
 *   'retry_after'  => 90,          lease in seconds: a job whose worker died is redelivered after it
 *   'max_attempts' => 5,           deliveries before a job goes to the dead letters (ini shmqueue.max_attempts)
 *   'block_for'    => 0,           seconds pop() waits for a job before returning none
 *   'after_commit' => false,
 *
 * capacity, retry_after and max_attempts apply when the queue is created; an existing
 * queue keeps the settings it was created with.
 */
class ShmQueueConnector implements ConnectorInterface
{
    public function connect(array $config)
    {
        return new ShmQueue(
            default: $config['queue'] ?? 'default',
            prefix: $config['prefix'] ?? '',
            capacity: isset($config['capacity']) ? (int) $config['capacity'] : null,
            lease: isset($config['retry_after']) ? (float) $config['retry_after'] : null,
            maxAttempts: isset($config['max_attempts']) ? (int) $config['max_attempts'] : null,
            blockFor: (float) ($config['block_for'] ?? 0),
            dispatchAfterCommit: $config['after_commit'] ?? null,
        );
    }
}
