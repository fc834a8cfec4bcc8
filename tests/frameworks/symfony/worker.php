<?php
// `bin/console messenger:consume main --limit=1 [--keepalive=N]` in its own process, so that it
// can be killed while it handles a message:
//   php worker.php DSN HANDLER_SECONDS LOG_FILE KEEPALIVE_SECONDS (0: no keepalive)
// The handler logs its start (attempt, pid) and end to LOG_FILE (JSON lines).

use ShmQueue\Symfony\ShmQueueReceivedStamp;
use ShmQueue\Symfony\ShmQueueTransportFactory;
use ShmQueue\Tests\JobLog;
use ShmQueue\Tests\Symfony\TestMessage;
use Symfony\Component\EventDispatcher\EventDispatcher;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\EventListener\StopWorkerOnMessageLimitListener;
use Symfony\Component\Messenger\EventListener\StopWorkerOnTimeLimitListener;
use Symfony\Component\Messenger\Handler\HandlersLocator;
use Symfony\Component\Messenger\MessageBus;
use Symfony\Component\Messenger\Middleware\HandleMessageMiddleware;
use Symfony\Component\Messenger\Middleware\StackInterface;
use Symfony\Component\Messenger\Middleware\MiddlewareInterface;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;
use Symfony\Component\Messenger\Worker;

require __DIR__ . '/../bootstrap.php';

[, $dsn, $seconds, $log, $keepalive] = $argv;
$transport = (new ShmQueueTransportFactory())->createTransport($dsn, [], new PhpSerializer());

// Logs each delivery with the queue's attempt count, then lets the handler run.
$logDelivery = new class ($log) implements MiddlewareInterface {
    public function __construct(private string $log)
    {
    }

    public function handle(Envelope $envelope, StackInterface $stack): Envelope
    {
        JobLog::append($this->log, ['started' => microtime(true), 'pid' => getmypid(), 'attempts' => $envelope->last(ShmQueueReceivedStamp::class)?->getAttempts()]);

        return $stack->next()->handle($envelope, $stack);
    }
};
$handler = function (TestMessage $message) use ($seconds, $log): void {
    $end = microtime(true) + (float) $seconds;
    while (microtime(true) < $end) {
        usleep(20_000); // signals (the keepalive alarm) cut sleeps short: loop on the clock
    }
    JobLog::append($log, ['done' => microtime(true), 'id' => $message->id]);
};
$bus = new MessageBus([$logDelivery, new HandleMessageMiddleware(new HandlersLocator([TestMessage::class => [$handler]]))]);
$events = new EventDispatcher();
$events->addSubscriber(new StopWorkerOnMessageLimitListener(1));
$events->addSubscriber(new StopWorkerOnTimeLimitListener(20));
$worker = new Worker(['main' => $transport], $bus, $events);

if ((int) $keepalive > 0) {
    // What messenger:consume --keepalive=N does (Symfony 7.2+): an alarm every N seconds calls
    // Worker::keepalive(), which asks the receivers to keep the messages being handled.
    pcntl_async_signals(true);
    pcntl_signal(SIGALRM, function () use ($worker, $keepalive) {
        $worker->keepalive((int) $keepalive);
        pcntl_alarm((int) $keepalive);
    });
    pcntl_alarm((int) $keepalive);
}
$worker->run(['sleep' => 10_000]);
