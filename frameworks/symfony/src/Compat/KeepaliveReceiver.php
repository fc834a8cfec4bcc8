<?php

namespace ShmQueue\Symfony\Compat;

use Symfony\Component\Messenger\Transport\Receiver\KeepaliveReceiverInterface;

// Symfony 7.2+ asks keepalive-capable receivers for this interface; older ones have none and
// never call keepalive() (it stays callable directly).
if (interface_exists(KeepaliveReceiverInterface::class)) {
    /** @internal */
    interface KeepaliveReceiver extends KeepaliveReceiverInterface
    {
    }
} else {
    /** @internal */
    interface KeepaliveReceiver
    {
    }
}
