<?php

namespace ShmQueue\Symfony\Compat;

use Symfony\Component\Messenger\Transport\CloseableTransportInterface;

// Symfony 7.3+ closes transports that say they can be; older ones have no such interface.
if (interface_exists(CloseableTransportInterface::class)) {
    /** @internal */
    interface CloseableTransport extends CloseableTransportInterface
    {
    }
} else {
    /** @internal */
    interface CloseableTransport
    {
    }
}
