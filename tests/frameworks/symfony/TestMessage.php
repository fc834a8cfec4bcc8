<?php

namespace ShmQueue\Tests\Symfony;

final class TestMessage
{
    public function __construct(public readonly string $id, public readonly bool $fails = false)
    {
    }
}
