<?php

namespace ShmQueue\Laravel;

/** A push found no room in the queue's shared memory (raise 'capacity', or consume faster). */
class QueueFullException extends \RuntimeException
{
}
