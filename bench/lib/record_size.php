<?php
// Memory per message in the ring: used_bytes / messages, beside the size of the encoded value.
// The encoded size is computed here from the codec's format (codec/src/lib.rs, docs/format.md):
// a version byte, then tag + varint length/count + bytes. The ring adds a record header and
// padding (docs/format.md: 8-byte header word, payload padded to 8).

final class RecordSize
{
    /** Messages stored per sample (fewer when they would not fit). */
    private const MESSAGES = 1000;

    /** @return list<array{label: string, raw: int, encoded: int, per_message: float, overhead: float}> */
    public static function measure(array $samples, int $capacity): array
    {
        $rows = [];
        $name = 'bench_' . getmypid() . '_record';
        foreach ($samples as $label => $value) {
            SHMQueue::remove($name);
            $queue = new SHMQueue($name, $capacity);
            $encoded = self::encodedSize($value);
            $count = min(self::MESSAGES, intdiv($capacity, $encoded + 16) - 1);
            for ($i = 0; $i < $count; $i++) {
                if (!$queue->enQueue($value)) {
                    throw new RuntimeException("record size: message $i of $count ($label) did not fit");
                }
            }
            $perMessage = $queue->stats()['used_bytes'] / $count;
            $rows[] = [
                'label' => $label,
                'raw' => is_string($value) ? strlen($value) : strlen(serialize($value)),
                'encoded' => $encoded,
                'per_message' => $perMessage,
                'overhead' => $perMessage - $encoded,
            ];
            unset($queue);
            SHMQueue::remove($name);
        }
        return $rows;
    }

    /** Bytes of the codec's blob for $value: version byte + value. */
    public static function encodedSize(mixed $value): int
    {
        return 1 + self::valueSize($value);
    }

    private static function valueSize(mixed $value): int
    {
        return match (true) {
            $value === null, is_bool($value) => 1,
            is_int($value) => 1 + self::varintSize(self::zigzag($value)),
            is_float($value) => 9,
            is_string($value) => 1 + self::varintSize(strlen($value)) + strlen($value),
            is_array($value) => self::arraySize($value),
            default => throw new LogicException('record size: objects are not sampled'),
        };
    }

    private static function arraySize(array $array): int
    {
        $size = 1 + self::varintSize(count($array));
        $isList = array_is_list($array);
        foreach ($array as $key => $element) {
            if (!$isList) {
                $size += is_int($key) ? self::valueSize($key) : self::valueSize((string) $key);
            }
            $size += self::valueSize($element);
        }
        return $size;
    }

    private static function zigzag(int $i): int
    {
        return ($i << 1) ^ ($i >> 63);
    }

    /** bincode standard() varint: one byte up to 250, else a marker and 2, 4 or 8 bytes. */
    private static function varintSize(int $u): int
    {
        return match (true) {
            $u >= 0 && $u <= 250 => 1,
            $u >= 0 && $u <= 0xFFFF => 3,
            $u >= 0 && $u <= 0xFFFFFFFF => 5,
            default => 9,
        };
    }
}
