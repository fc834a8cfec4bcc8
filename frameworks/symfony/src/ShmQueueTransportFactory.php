<?php

namespace ShmQueue\Symfony;

use Symfony\Component\Messenger\Exception\InvalidArgumentException;
use Symfony\Component\Messenger\Transport\Serialization\SerializerInterface;
use Symfony\Component\Messenger\Transport\TransportFactoryInterface;
use Symfony\Component\Messenger\Transport\TransportInterface;

/**
 * Transports for DSNs like shmqueue://QUEUE?capacity=8M&lease=30&max_attempts=5
 * (the same settings may come as transport options instead).
 *
 *   capacity      bytes of the queue when it is created: 65536, 512K, 8M, 1G (default: ini shmqueue.default_capacity)
 *   lease         seconds a worker holds a message; if it dies, the message comes back after that (ini shmqueue.lease)
 *   max_attempts  deliveries before a message goes to the queue's dead letters (ini shmqueue.max_attempts)
 *
 * They apply when the queue is created; an existing queue keeps the settings it was created with.
 */
final class ShmQueueTransportFactory implements TransportFactoryInterface
{
    private const SCHEME = 'shmqueue://';
    /** Options the framework adds for every transport. */
    private const IGNORED = ['transport_name'];

    public function createTransport(string $dsn, array $options, SerializerInterface $serializer): TransportInterface
    {
        $url = parse_url($dsn);
        if ($url === false || !isset($url['host'])) {
            throw new InvalidArgumentException(sprintf('The shmqueue DSN "%s" names no queue: use shmqueue://QUEUE.', $dsn));
        }
        parse_str($url['query'] ?? '', $query);
        $settings = $query + array_diff_key($options, array_flip(self::IGNORED));
        $unknown = array_diff(array_keys($settings), ['capacity', 'lease', 'max_attempts']);
        if ($unknown !== []) {
            throw new InvalidArgumentException(sprintf(
                'Unknown option(s) "%s" for the shmqueue transport "%s"; known: capacity, lease, max_attempts.',
                implode('", "', $unknown), $dsn,
            ));
        }

        $queue = new \SHMQueue(
            $url['host'],
            isset($settings['capacity']) ? self::bytes((string) $settings['capacity']) : null,
            isset($settings['lease']) ? (float) self::matching('lease', $settings['lease'], '/^\d+(\.\d+)?$/') : null,
            isset($settings['max_attempts']) ? (int) self::matching('max_attempts', $settings['max_attempts'], '/^\d+$/') : null,
        );

        return new ShmQueueTransport($queue, $serializer);
    }

    public function supports(string $dsn, array $options): bool
    {
        return str_starts_with($dsn, self::SCHEME);
    }

    /** "8M" as 8388608: a whole number with an optional K, M or G (powers of 1024). */
    private static function bytes(string $text): int
    {
        if (!preg_match('/^(\d+)([KMG]?)$/i', trim($text), $m)) {
            throw new InvalidArgumentException(sprintf('shmqueue capacity "%s" is not a size such as 65536, 512K or 8M.', $text));
        }

        return (int) $m[1] * 1024 ** ['' => 0, 'K' => 1, 'M' => 2, 'G' => 3][strtoupper($m[2])];
    }

    private static function matching(string $option, mixed $value, string $pattern): string
    {
        $text = trim((string) $value);
        if (!preg_match($pattern, $text)) {
            throw new InvalidArgumentException(sprintf('shmqueue option %s="%s" is not a valid number.', $option, $text));
        }

        return $text;
    }
}
