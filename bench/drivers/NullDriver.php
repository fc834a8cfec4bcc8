<?php
// What the harness itself costs per operation: the same batch loop as the queues' (a batch
// of n "enqueues" then n "dequeues", the clock read once per batch), with each operation
// replaced by an assignment. Subtract it from a queue's ns/op to see the queue's own cost.
// One process only: there is nothing to carry between processes.

final class NullDriver extends Driver
{
    private mixed $slot = null;

    public function name(): string
    {
        return 'null';
    }

    public function shareable(): bool
    {
        return false;
    }

    public function batch(mixed $value, int $n): mixed
    {
        for ($i = 0; $i < $n; $i++) {
            $this->slot = $value;
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $got = $this->slot;
        }
        return $got;
    }

    public function leftover(): int
    {
        return 0;
    }
}
