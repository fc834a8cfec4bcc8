<?php

namespace ShmQueue\Tests\Symfony;

/** Handles TestMessage: records each call; throws for messages made to fail, until healed. */
final class RecordingHandler
{
    public bool $healed = false;

    /** @var list<array{id: string, at: float}> */
    public array $calls = [];

    public function __invoke(TestMessage $message): void
    {
        $this->calls[] = ['id' => $message->id, 'at' => microtime(true)];
        if ($message->fails && !$this->healed) {
            throw new \RuntimeException('always fails: ' . $message->id);
        }
    }
}
