<?php
// The extension used as the README documents for php-fpm: new SHMQueue(), one operation, unset.

final class ExtPerOp extends ExtKept
{
    public function name(): string
    {
        return 'ext-per-op';
    }

    public function attach(): void
    {
    }

    public function perRequest(): bool
    {
        return true;
    }

    public function batch(mixed $value, int $n): mixed
    {
        $name = $this->queueName;
        for ($i = 0; $i < $n; $i++) {
            $queue = new SHMQueue($name);
            $queue->enQueue($value);
            unset($queue);
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $queue = new SHMQueue($name);
            $got = $queue->deQueue();
            unset($queue);
        }
        return $got;
    }

    public function send(mixed $value): void
    {
        do {
            $queue = new SHMQueue($this->queueName);
            $stored = $queue->enQueue($value, 1.0);
            unset($queue);
        } while (!$stored);
    }

    public function receive(float $timeout): mixed
    {
        $queue = new SHMQueue($this->queueName);
        $got = $queue->deQueue($timeout);
        unset($queue);
        return $got === false ? null : $got;
    }
}
