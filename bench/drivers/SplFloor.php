<?php
// The in-process floor: serialize() into an SplQueue and unserialize() out. Not shareable; it
// is what PHP itself costs for the same work of turning a value into bytes and back.

final class SplFloor extends Driver
{
    private SplQueue $queue;

    public function __construct()
    {
        $this->queue = new SplQueue();
    }

    public function name(): string
    {
        return 'floor';
    }

    public function shareable(): bool
    {
        return false;
    }

    public function batch(mixed $value, int $n): mixed
    {
        $queue = $this->queue;
        for ($i = 0; $i < $n; $i++) {
            $queue->enqueue(serialize($value));
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $got = unserialize($queue->dequeue());
        }
        return $got;
    }

    public function leftover(): int
    {
        return count($this->queue);
    }
}
