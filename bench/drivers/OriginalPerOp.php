<?php
// The original class used as documented: new, one operation, unset (which rewrites shmq.ptr
// and releases the semaphore). It has no way to wait, so the forked shape polls.

final class OriginalPerOp extends Original
{
    /** Pause between polls of a full or empty queue. */
    private const POLL_US = 100;

    public function __construct(string $ptrDir, private string $name = 'orig-per-op')
    {
        parent::__construct($ptrDir);
    }

    public function name(): string
    {
        return $this->name;
    }

    public function perRequest(): bool
    {
        return true;
    }

    public function batch(mixed $value, int $n): mixed
    {
        for ($i = 0; $i < $n; $i++) {
            $queue = new OriginalSHMQueue();
            $queue->enQueue($value);
            unset($queue);
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $queue = new OriginalSHMQueue();
            $got = $queue->deQueue();
            unset($queue);
        }
        return $got;
    }

    public function send(mixed $value): void
    {
        while (true) {
            $queue = new OriginalSHMQueue();
            $stored = $queue->enQueue($value);
            unset($queue);
            if ($stored) {
                return;
            }
            usleep(self::POLL_US);
        }
    }

    public function receive(float $timeout): mixed
    {
        $deadline = hrtime(true) + (int) ($timeout * 1e9);
        do {
            $queue = new OriginalSHMQueue();
            $got = $queue->deQueue();
            unset($queue);
            if ($got !== false) {
                return $got;
            }
            usleep(self::POLL_US);
        } while (hrtime(true) < $deadline);
        return null;
    }
}
