<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Bus\Dispatcher as BusDispatcher;
use Illuminate\Cache\CacheManager;
use Illuminate\Container\Container;
use Illuminate\Contracts\Bus\Dispatcher as BusDispatcherContract;
use Illuminate\Contracts\Container\Container as ContainerContract;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Contracts\Events\Dispatcher as EventsContract;
use Illuminate\Events\Dispatcher;
use Illuminate\Filesystem\Filesystem;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\QueueManager;
use Illuminate\Queue\Worker;
use Illuminate\Support\Fluent;
use ShmQueue\Laravel\ShmQueue;
use ShmQueue\Laravel\ShmQueueServiceProvider;

/**
 * The parts of a Laravel application that queue:work uses, wired as the framework wires them:
 * config, events, the command bus, an exception handler, the failed-job provider, the queue
 * manager with our service provider registered, and Laravel's Worker.
 */
final class LaravelApp
{
    public const CONNECTION = 'shm';

    public readonly Container $container;
    public readonly RecordingExceptionHandler $exceptions;
    public readonly FileFailedJobProvider $failedJobs;
    public readonly Worker $worker;

    /** @param array $connection config/queue.php's connection (the driver is added) */
    public function __construct(array $connection, string $failedJobsFile)
    {
        $this->container = $container = new Container();
        Container::setInstance($container);
        $container->instance(ContainerContract::class, $container);
        $container->instance('config', new Fluent([
            'queue.default' => self::CONNECTION,
            'queue.connections.' . self::CONNECTION => ['driver' => 'shmqueue'] + $connection,
            // Files beside the failed jobs', so that worker processes share it.
            'cache.default' => 'file',
            'cache.stores.file' => ['driver' => 'file', 'path' => $failedJobsFile . '.cache'],
        ]));
        $container->instance('files', new Filesystem());

        $events = new Dispatcher($container);
        $container->instance('events', $events);
        $container->alias('events', EventsContract::class);
        $container->singleton(BusDispatcherContract::class, fn ($container) => new BusDispatcher($container));
        $this->exceptions = new RecordingExceptionHandler();
        $container->instance(ExceptionHandler::class, $this->exceptions);
        $this->failedJobs = new FileFailedJobProvider($failedJobsFile);
        $container->instance('queue.failer', $this->failedJobs);

        $container->singleton('queue', fn ($container) => new QueueManager($container));
        (new ShmQueueServiceProvider($container))->register();

        // What `artisan queue:work` does with a failed job (Illuminate\Queue\Console\WorkCommand).
        $events->listen(JobFailed::class, function (JobFailed $event) {
            $this->failedJobs->log($event->connectionName, $event->job->getQueue(), $event->job->getRawBody(), $event->exception);
        });

        $this->worker = new Worker($container['queue'], $events, $this->exceptions, fn () => false);
        if (class_exists(CacheManager::class)) {
            $container->singleton('cache', fn ($container) => new CacheManager($container));
            $this->worker->setCache($container['cache']->store()); // as queue:work does
        }
    }

    public function queue(): ShmQueue
    {
        return $this->container['queue']->connection(self::CONNECTION);
    }
}
