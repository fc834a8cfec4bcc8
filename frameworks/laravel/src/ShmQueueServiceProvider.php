<?php

namespace ShmQueue\Laravel;

use Illuminate\Queue\QueueManager;
use Illuminate\Support\ServiceProvider;

/**
 * Makes 'driver' => 'shmqueue' available to the connections of config/queue.php.
 */
class ShmQueueServiceProvider extends ServiceProvider
{
    public function register()
    {
        // After resolving rather than now: the queue manager is built lazily, and this also
        // covers a manager that another provider has resolved already.
        $this->callAfterResolving('queue', function (QueueManager $manager) {
            $manager->addConnector('shmqueue', fn () => new ShmQueueConnector());
        });
    }
}
