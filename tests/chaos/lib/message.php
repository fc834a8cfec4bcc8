<?php
// Test messages that carry their own checksum, shared by the chaos and fpm-duress suites.
// A message is ['id' => "<incarnation>.<seq>", 'body' => mixed, 'sum' => crc32b(id . serialize(body))],
// the body being one of the value kinds the codec stores (binary strings, floats, nested arrays,
// objects through serialize()), so that damage anywhere shows up as a checksum mismatch.

function message_body(): mixed
{
    switch (mt_rand(0, 5)) {
        case 0:
            $length = mt_rand(0, 3000);
            return $length > 0 ? random_bytes($length) : '';
        case 1:
            return mt_rand() / mt_getrandmax() * (mt_rand(0, 1) ? 1e300 : -1e-300);
        case 2:
            return ['n' => mt_rand(), 7 => [true, null, -0.0, str_repeat("\0\xff", mt_rand(0, 40))], 'nested' => ['a' => ['b' => ['c' => mt_rand()]]]];
        case 3:
            $object = new stdClass();
            $object->bytes = random_bytes(mt_rand(1, 200));
            $object->list = range(0, mt_rand(0, 20));
            return $object;
        case 4:
            return array_map(fn () => bin2hex(random_bytes(8)), range(1, mt_rand(1, 50)));
        default:
            return mt_rand(PHP_INT_MIN, PHP_INT_MAX);
    }
}

function message_sum(string $id, mixed $body): string
{
    return hash('crc32b', $id . serialize($body));
}

function make_message(string $id): array
{
    $body = message_body();
    return ['id' => $id, 'body' => $body, 'sum' => message_sum($id, $body)];
}

/** "<id> ok" for an intact message, "<id> bad" or "? bad" for a damaged one (never throws). */
function describe_received(mixed $value): string
{
    if (!is_array($value) || !is_string($value['id'] ?? null) || !preg_match('/^[0-9a-z.]+$/', $value['id'])) {
        return '? bad';
    }
    $intact = array_key_exists('body', $value) && ($value['sum'] ?? null) === message_sum($value['id'], $value['body']);
    return $value['id'] . ($intact ? ' ok' : ' bad');
}
