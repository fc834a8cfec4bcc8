<?php

declare(strict_types=1);

/**
 * The one-process batch for drivers that keep one queue object with enQueue/deQueue (the
 * extension and the original class): the same loop for both, so both are measured alike.
 */
trait KeptQueueBatch
{
    public function batch(mixed $value, int $n): mixed
    {
        $queue = $this->queue;
        for ($i = 0; $i < $n; $i++) {
            $queue->enQueue($value);
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $got = $queue->deQueue();
        }
        return $got;
    }
}
