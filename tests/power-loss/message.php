<?php
// The messages of the power-loss workload: "id|filler|crc32 of the rest", so that a message
// returned garbled (a torn record read as whole) is told from one returned as written.

function message(string $id): string
{
    $body = $id . '|' . str_repeat(chr(mt_rand(97, 122)), mt_rand(8, 400));
    return $body . '|' . hash('crc32b', $body);
}

/** The id of an intact message, or null for anything else. */
function message_id(mixed $value): ?string
{
    if (!is_string($value) || !preg_match('/^([^|]+)\|([^|]*)\|([0-9a-f]{8})$/', $value, $m)) {
        return null;
    }
    return hash('crc32b', "$m[1]|$m[2]") === $m[3] ? $m[1] : null;
}
