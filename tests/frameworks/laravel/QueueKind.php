<?php

namespace ShmQueue\Tests\Laravel;

/** A pure enum: its case's name is the queue name. */
enum QueueKind
{
    case reports;
}
