<?php
// The four payloads of the benchmark. Every message carries a tag (an int) so that the
// multi-process shape can tell which producer sent it and in what order; tags are always 10
// digits (producer p, sequence s: (p + 1) * 1e9 + s), so a payload's size does not drift with
// the sequence number. Tag 0 is the STOP sentinel of a producer.

final class Payloads
{
    public const KINDS = ['short', 'task', '1k', '64k'];
    public const STOP = 0;

    /** A representative tag for the one-process shape. */
    public const SAMPLE_TAG = 1_000_012_345;

    private static array $padding = [];

    public static function make(string $kind, int $tag): mixed
    {
        return match ($kind) {
            // 15 bytes: "1000012345:mail"
            'short' => $tag . ':mail',
            'task' => [
                'to' => 'user12345@example.com',
                'subject' => 'Your order has shipped',
                'user_id' => $tag,
                'tries' => 0,
            ],
            // exactly 1024 / 65536 bytes for a 10-digit tag
            '1k' => $tag . ':' . self::padding(1024 - 11),
            '64k' => $tag . ':' . self::padding(65536 - 11),
        };
    }

    /**
     * A function making $count messages tagged $firstTag, $firstTag + 1, ...: the same values as
     * make(), built in one tight loop so that producers spend little time on them.
     * @return Closure(int, int): list<mixed>
     */
    public static function maker(string $kind): Closure
    {
        if ($kind === 'task') {
            $template = self::make('task', 0);
            return function (int $firstTag, int $count) use ($template): array {
                $messages = [];
                for ($tag = $firstTag, $end = $firstTag + $count; $tag < $end; $tag++) {
                    $message = $template;
                    $message['user_id'] = $tag;
                    $messages[] = $message;
                }
                return $messages;
            };
        }
        $suffix = substr(self::make($kind, self::SAMPLE_TAG), 10);
        return function (int $firstTag, int $count) use ($suffix): array {
            $messages = [];
            for ($tag = $firstTag, $end = $firstTag + $count; $tag < $end; $tag++) {
                $messages[] = $tag . $suffix;
            }
            return $messages;
        };
    }

    /** The tag of a message made by make(); (int) reads the leading digits of the strings. */
    public static function tagOf(mixed $value): int
    {
        return is_array($value) ? $value['user_id'] : (int) $value;
    }

    /** Bytes of the payload itself (strings: their length; the array: its serialize() length). */
    public static function size(string $kind): int
    {
        $value = self::make($kind, self::SAMPLE_TAG);
        return is_string($value) ? strlen($value) : strlen(serialize($value));
    }

    private static function padding(int $length): string
    {
        return self::$padding[$length] ??= str_repeat('x', $length);
    }
}
