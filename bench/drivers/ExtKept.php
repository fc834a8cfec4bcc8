<?php
// The extension with one SHMQueue object kept for the whole run.

class ExtKept extends Driver
{
    use KeptQueueBatch;

    /** Large enough for a batch of 64 KiB messages (the default 1 MiB is not). */
    public const CAPACITY = 16 << 20;

    protected string $queueName;
    protected ?SHMQueue $queue = null;

    /** @param int $capacity of the queue (the scaling runs need room for bigger messages) */
    public function __construct(protected int $capacity = self::CAPACITY)
    {
        $this->queueName = 'bench_' . getmypid() . '_' . $this->name();
    }

    public function name(): string
    {
        return 'ext-kept';
    }

    public function prepare(): void
    {
        SHMQueue::remove($this->queueName);
        self::warm($this->open());
    }

    /** This process's handle on the queue (the durable driver opens its file instead). */
    protected function open(): SHMQueue
    {
        return new SHMQueue($this->queueName, $this->capacity);
    }

    /**
     * Fills the new queue's ring once and drains it. tmpfs hands out (and zeroes) a segment's
     * pages on first touch, and in a VM the host may fault too: without this the first pass of
     * every timed run through the 16 MiB ring pays for that (measured: ~7% of a run), which a
     * queue in service has paid long ago.
     */
    public static function warm(SHMQueue $queue): void
    {
        $chunk = str_repeat("\0", 60_000);
        while ($queue->enQueue($chunk)) {
        }
        while ($queue->deQueue() !== false) {
        }
    }

    public function attach(): void
    {
        $this->queue = $this->open();
    }

    public function send(mixed $value): void
    {
        while (!$this->queue->enQueue($value, 1.0)) {
        }
    }

    public function receive(float $timeout): mixed
    {
        $got = $this->queue->deQueue($timeout);
        return $got === false ? null : $got;
    }

    public function detach(): void
    {
        $this->queue = null;
    }

    public function leftover(): int
    {
        return $this->open()->getLength();
    }

    public function cleanup(): void
    {
        $this->queue = null;
        SHMQueue::remove($this->queueName);
    }
}
