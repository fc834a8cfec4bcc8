<?php
// The original class with one object kept: it holds the semaphore for its whole life, so this
// is a one-process driver.

final class OriginalKept extends Original
{
    use KeptQueueBatch;

    private ?OriginalSHMQueue $queue = null;

    public function name(): string
    {
        return 'orig-kept';
    }

    public function shareable(): bool
    {
        return false;
    }

    public function attach(): void
    {
        parent::attach();
        $this->queue = new OriginalSHMQueue();
    }

    public function detach(): void
    {
        $this->queue = null; // its destructor writes shmq.ptr and releases the semaphore
    }
}
