<?php
// Values of every kind the queue promises to store, how to compare what comes back (bit for bit:
// floats by their 8 bytes, NAN payloads and -0.0 included; objects through serialize(), which
// also shows shared and self references), and values that must be refused.

class ModelPoint
{
    public $x;
    protected $y;
    private $z;

    public function __construct($x, $y, $z)
    {
        [$this->x, $this->y, $this->z] = [$x, $y, $z];
    }
}

class ModelCustom
{
    public $data;

    public function __serialize(): array
    {
        return ['d' => $this->data, 'extra' => 1];
    }

    public function __unserialize(array $a): void
    {
        $this->data = $a['d'];
    }
}

class ModelSleepy
{
    public $kept;
    public $dropped = 'default';
    public $woke = false;

    public function __sleep(): array
    {
        return ['kept'];
    }

    public function __wakeup(): void
    {
        $this->woke = true;
    }
}

enum ModelSuit: string
{
    case Hearts = 'h';
    case Spades = 's';
}

/** Decoding it throws: "poison-wakeup:<id>". */
class ModelPoisonWakeup
{
    public $id;

    public function __construct($id)
    {
        $this->id = $id;
    }

    public function __wakeup(): void
    {
        throw new RuntimeException('poison-wakeup:' . $this->id);
    }
}

/** Decoding it throws too, from __unserialize: "poison-unserialize:<id>". */
class ModelPoisonUnserialize
{
    public $id;

    public function __construct($id)
    {
        $this->id = $id;
    }

    public function __serialize(): array
    {
        return ['id' => $this->id];
    }

    public function __unserialize(array $a): void
    {
        throw new RuntimeException('poison-unserialize:' . $a['id']);
    }
}

/** Encoding it throws: it can never be stored. */
class ModelUnserializable
{
    public function __serialize(): array
    {
        throw new LogicException('cannot serialize me');
    }
}

/** Whether a Throwable (or its previous ones) came from a poison value; the poison id or null. */
function poison_id(Throwable $e): ?string
{
    for (; $e !== null; $e = $e->getPrevious()) {
        if (preg_match('/poison-(?:wakeup|unserialize):([0-9a-z.:]+)/', $e->getMessage(), $m)) {
            return $m[1];
        }
    }
    return null;
}

/** The bits of every float in arrays and public properties, in order (serialize() hides NAN payloads). */
function float_bits(mixed $v, int $depth = 0): string
{
    if (is_float($v)) {
        return bin2hex(pack('e', $v)) . ',';
    }
    if ($depth > 64 || !(is_array($v) || $v instanceof stdClass || $v instanceof ModelPoint)) {
        return '';
    }
    $bits = '';
    foreach ((array) $v as $item) {
        $bits .= float_bits($item, $depth + 1);
    }
    return $bits;
}

/** What identifies a value exactly: its serialize() plus the bits of its floats. */
function canon(mixed $v): string
{
    return serialize($v) . '|' . float_bits($v);
}

function contains_object(mixed $v, int $depth = 0): bool
{
    if (is_object($v)) {
        return true;
    }
    if (is_array($v) && $depth < 2000) {
        foreach ($v as $item) {
            if (contains_object($item, $depth + 1)) {
                return true;
            }
        }
    }
    return false;
}

/** Whether an array holds a PHP reference, at any depth. */
function contains_reference(mixed $v, int $depth = 0): bool
{
    if (!is_array($v) || $depth > 2000) {
        return false;
    }
    foreach ($v as $key => $item) {
        if (ReflectionReference::fromArrayElement($v, $key) !== null || contains_reference($item, $depth + 1)) {
            return true;
        }
    }
    return false;
}

/**
 * The canon of what the queue must give back for $v: unserialize(serialize($v)) for objects
 * and arrays with references (issue 11 #12), the same bits otherwise.
 */
function expected_canon(mixed $v): string
{
    return contains_object($v) || contains_reference($v) ? canon(unserialize(serialize($v))) : canon($v);
}

final class ValueMaker
{
    /** Kinds left out (SHMQUEUE_MODEL_SKIP=refs,poison,...): to look past a known failure. */
    public array $skip;

    public function __construct(private Random\Randomizer $r)
    {
        $this->skip = array_filter(explode(',', getenv('SHMQUEUE_MODEL_SKIP') ?: ''));
    }

    public function int(int $min, int $max): int
    {
        return $this->r->getInt($min, $max);
    }

    public function chance(float $p): bool
    {
        return $this->r->getInt(0, 999999) < $p * 1000000;
    }

    public function pick(array $items): mixed
    {
        return $items[$this->r->getInt(0, count($items) - 1)];
    }

    /** A kind chosen by weight from [kind => weight], skipping the skipped ones. */
    public function weighted(array $weights): string
    {
        $weights = array_diff_key($weights, array_flip($this->skip));
        $n = $this->r->getInt(1, array_sum($weights));
        foreach ($weights as $kind => $w) {
            if (($n -= $w) <= 0) {
                return $kind;
            }
        }
        return array_key_first($weights);
    }

    public function bytes(int $max): string
    {
        $n = $this->int(0, $max);
        return $n === 0 ? '' : $this->r->getBytes($n);
    }

    public function float(): float
    {
        return match ($this->int(0, 9)) {
            0 => NAN,
            1 => INF,
            2 => -INF,
            3 => -0.0,
            4 => 0.0,
            5 => unpack('e', pack('Q', 0x7ff8000000000000 | $this->int(1, 0xfffffffff)))[1],  // NAN payload
            6 => 4.9e-324,
            7 => PHP_FLOAT_MAX,
            default => ($this->int(-1000000, 1000000) / 7) * (10 ** $this->int(-300, 300)),
        };
    }

    public function scalar(): mixed
    {
        return match ($this->int(0, 8)) {
            0 => null,
            1 => true,
            2 => false,
            3 => $this->pick([0, -1, 1, PHP_INT_MAX, PHP_INT_MIN, 255, -256]),
            4 => $this->int(PHP_INT_MIN, PHP_INT_MAX),
            5, 6 => $this->float(),
            7 => $this->pick(['', '0', '__eof', "\0", 'é', "a\0b"]),
            default => $this->bytes(64),
        };
    }

    public function array(int $depth): array
    {
        $a = [];
        $n = $this->int(0, 6);
        for ($i = 0; $i < $n; $i++) {
            $item = $depth > 0 && $this->chance(0.3) ? $this->array($depth - 1) : $this->scalar();
            switch ($this->int(0, 4)) {
                case 0:
                    $a[] = $item;
                    break;
                case 1:
                    $a[$this->int(PHP_INT_MIN, PHP_INT_MAX)] = $item;
                    break;
                case 2:
                    $a[$this->pick(['123', '-5', '', 'k', "\0x", '1.5', '07'])] = $item;
                    break;
                default:
                    $a['k' . $this->int(0, 99)] = $item;
            }
        }
        return $a;
    }

    public function object(): object
    {
        switch ($this->int(0, 8)) {
            case 0:
                $o = new stdClass();
                $o->a = $this->scalar();
                $o->{'1'} = $this->array(1);
                return $o;
            case 1:
                return new ModelPoint($this->scalar(), $this->array(1), $this->float());
            case 2:
                $o = new ModelCustom();
                $o->data = $this->array(2);
                return $o;
            case 3:
                $o = new ModelSleepy();
                $o->kept = $this->scalar();
                $o->dropped = $this->bytes(10);
                return $o;
            case 4:
                return $this->pick([ModelSuit::Hearts, ModelSuit::Spades]);
            case 5:
                return new DateTimeImmutable('@' . $this->int(0, 2000000000));
            case 6:
                $o = new stdClass();
                $o->self = $o;                     // a self reference
                $o->n = $this->int(0, 100);
                return $o;
            case 7:
                return new ArrayObject($this->array(1));
            default:
                $shared = new stdClass();
                $shared->v = $this->scalar();
                $o = new stdClass();
                $o->list = [$shared, $shared];     // one object twice
                return $o;
        }
    }

    /** An array with a PHP reference inside (issue 12: must come back as unserialize(serialize())). */
    public function refs(): array
    {
        $a = ['x' => $this->scalar(), 'y' => null];
        $a['y'] = &$a['x'];
        return $a;
    }

    /** A storable value of a random kind and its kind name. */
    public function value(string $poisonId): array
    {
        $kind = $this->weighted([
            'scalar' => 30, 'float' => 10, 'binary' => 10, 'big' => 4, 'array' => 20, 'deep' => 2,
            'object' => 15, 'mixed' => 5, 'refs' => 2, 'poison' => 2,
        ]);
        $v = match ($kind) {
            'scalar' => $this->scalar(),
            'float' => $this->float(),
            'binary' => $this->bytes(300),
            'big' => $this->bytes(12000),
            'array' => $this->array(3),
            'deep' => $this->deep($this->int(100, 1000)),
            'object' => $this->object(),
            'mixed' => ['o' => $this->object(), 'a' => $this->array(1), 'f' => $this->float()],
            'refs' => $this->refs(),
            'poison' => $this->chance(0.5) ? new ModelPoisonWakeup($poisonId) : ['wrapped' => new ModelPoisonUnserialize($poisonId)],
        };
        return [$kind, $v];
    }

    public function deep(int $levels): array
    {
        $a = ['end'];
        for ($i = 1; $i < $levels; $i++) {
            $a = [$a];
        }
        return $a;
    }

    /** A value that can never be stored, and what it is. */
    public function unstorable(int $capacity): array
    {
        $kind = $this->pick(['resource', 'closure', 'recursive', 'too-deep', 'too-large', 'serialize-throws', 'anonymous']);
        switch ($kind) {
            case 'resource':
                return [$kind, ['r' => STDIN]];
            case 'closure':
                return [$kind, fn () => 1];
            case 'recursive':
                $a = [1];
                $a[] = &$a;
                return [$kind, $a];
            case 'too-deep':
                return [$kind, $this->deep(1100)];
            case 'too-large':
                return [$kind, str_repeat('x', $capacity + 1)];
            case 'serialize-throws':
                return [$kind, [new ModelUnserializable()]];
            default:
                return [$kind, new class {
                }];
        }
    }
}
