<?php

namespace ShmQueue\Tests\Laravel;

/** Queue names as an enum, as Laravel 13 takes them (onQueue(QueueName::Mail), pop(...)). */
enum QueueName: string
{
    case Mail = 'mail';
}
