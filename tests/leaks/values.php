<?php
// A deterministic mix of the value kinds the codec stores, picked by number, shared by the
// valgrind churn and the php-fpm endpoint: binary strings (up to 10 KiB), ints, floats (NaN
// aside: it never equals itself), nested arrays with int and string keys, objects (through
// serialize()), booleans, null, empty containers.

class LeakProbe
{
    public array $items = [];
    protected ?LeakProbe $next = null;
    private string $secret = "\0private\xff";

    public function __construct(int $i)
    {
        $this->items = [$i, "p$i", [$i => $i / 7]];
        if ($i % 3 === 0) {
            $this->next = new LeakProbe($i + 1);
        }
    }
}

function mixed_value(int $i): mixed
{
    switch ($i % 10) {
        case 0:
            return str_repeat(chr($i % 256) . "\0\xfe", ($i * 37) % 3500);
        case 1:
            return $i % 2 === 0 ? PHP_INT_MAX - $i : PHP_INT_MIN + $i * 7919;
        case 2:
            return $i / 3.0 * (($i % 4) - 1.5);
        case 3:
            return ['id' => $i, 'list' => range(0, $i % 40), 'nested' => ['x' => ['y' => ['z' => "deep $i"]]], 9 => -0.0];
        case 4:
            return new LeakProbe($i);
        case 5:
            $object = new stdClass();
            $object->name = "object $i";
            $object->tags = ['a' => 1, 'b' => [true, false, null]];
            return ['wrapped' => $object, 'n' => $i];
        case 6:
            return [true, false, null, '', [], [[]]];
        case 7:
            return str_repeat('L', 10000 + $i % 240);
        case 8:
            return array_fill_keys(array_map(fn ($k) => "key$k", range(0, $i % 64)), $i % 2 === 0 ? 1.25 : 'v');
        default:
            return $i % 2 === 0 ? null : ($i % 3 === 0);
    }
}

/** Whether a value came back as it went in (objects compared through serialize()). */
function same_value(mixed $a, mixed $b): bool
{
    return serialize($a) === serialize($b);
}
