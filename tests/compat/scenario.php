<?php
// Drop-in compatibility scenario: the documented usage of the original SHMQueue (new, one
// operation, unset) applied to a value of every kind, printed as a transcript that shows every
// bit (floats as their IEEE bytes, strings as hex when not plain). Run it once with the original
// class and once with the extension: the two transcripts must be identical.
//   php -n -d extension=shmop -d extension=sysvsem scenario.php original <copy of original_shmqueue.php>
//   php -n -d extension=<libshmqueue.so> scenario.php extension
// The original keeps ./shmq.ptr in the current directory: run it in a scratch directory.

enum Suit: string
{
    case Hearts = 'H';
    case Spades = 'S';
}

/** A mail job that serializes itself: proves __serialize/__unserialize run on the way through. */
final class MailJob
{
    public ?string $restoredBy = null;

    public function __construct(public string $to = '', private array $headers = [])
    {
    }

    public function __serialize(): array
    {
        return ['to' => $this->to, 'headers' => $this->headers];
    }

    public function __unserialize(array $data): void
    {
        [$this->to, $this->headers, $this->restoredBy] = [$data['to'], $data['headers'], '__unserialize'];
    }
}

/** The values sent, by label. Each must stay under the original's 250 bytes once serialized. */
function values(): array
{
    $plain = new stdClass();
    $plain->name = 'Ada';
    $plain->tags = ['x', 'y'];
    return [
        'null' => null,
        'true' => true,
        'false' => false,
        'int 0' => 0,
        'int -1' => -1,
        'PHP_INT_MAX' => PHP_INT_MAX,
        'PHP_INT_MIN' => PHP_INT_MIN,
        'float 1.5' => 1.5,
        'float 0.1' => 0.1,
        'float -0.0' => -0.0,
        'INF' => INF,
        '-INF' => -INF,
        'NAN' => NAN,
        'empty string' => '',
        'binary string' => "a\0b\xff\x00\xfe\r\n",
        'mail task array' => ['to' => 'ada@example.com', 'subject' => 'Welcome', 'user_id' => 42, 'tries' => 0],
        'nested arrays' => ['a' => [1, [2, [3, []]]], 'b' => ['c' => ['d' => null, 'e' => 2.5]]],
        'list' => [10, 'twenty', 30.5, false, null],
        'int keys out of order' => [7 => 'seven', -3 => 'minus three', 0 => 'zero', 100 => 'hundred'],
        'mixed keys' => ['1' => 'key given as string 1', '01' => 'string key', 'x' => 1],
        'stdClass' => $plain,
        'DateTimeImmutable' => new DateTimeImmutable('2024-02-29 13:14:15.123456', new DateTimeZone('UTC')),
        'enum case' => Suit::Spades,
        'object with __serialize' => new MailJob('bob@example.com', ['X-Tries' => 1]),
    ];
}

/** A string as itself when plain printable ASCII, else as hex bytes: x"..." */
function show_string(string $s): string
{
    return preg_match('/^[ !#-\[\]-~]*$/', $s) ? '"' . $s . '"' : 'x"' . bin2hex($s) . '"';
}

function show_array(array $a): string
{
    $parts = [];
    foreach ($a as $key => $item) {
        $parts[] = (is_int($key) ? $key : show_string($key)) . '=>' . show($item);
    }
    return '[' . implode(', ', $parts) . ']';
}

/** Every bit of a value: type, float bytes, string bytes, key types and order, object class and state. */
function show(mixed $v): string
{
    return match (true) {
        is_float($v) => 'float ' . var_export($v, true) . ' (' . bin2hex(pack('e', $v)) . ')',
        is_string($v) => show_string($v),
        is_array($v) => show_array($v),
        $v instanceof UnitEnum => 'enum ' . get_class($v) . '::' . $v->name,
        is_object($v) => get_class($v) . show_array((array) $v),
        default => var_export($v, true), // null, bool, int
    };
}

/** Runs one step, turning a throw into text so the transcript goes on. */
function attempt(callable $step): string
{
    try {
        return $step();
    } catch (Throwable $e) {
        return 'threw ' . get_class($e) . ': ' . $e->getMessage();
    }
}

function enqueue_alone(mixed $value): string
{
    return attempt(function () use ($value) {
        $q = new SHMQueue();
        $stored = $q->enQueue($value);
        $length = $q->getLength();
        unset($q);
        return 'enQueue ' . var_export($stored, true) . ', length ' . var_export($length, true);
    });
}

function dequeue_alone(?string &$shown): string
{
    return attempt(function () use (&$shown) {
        $q = new SHMQueue();
        $got = $q->deQueue();
        $length = $q->getLength();
        unset($q);
        $shown = show($got);
        return 'deQueue ' . $shown . ', length ' . var_export($length, true);
    });
}

$mode = $argv[1] ?? '';
if ($mode === 'original') {
    if (class_exists('SHMQueue', false)) {
        fwrite(STDERR, "the extension's SHMQueue is loaded: run the original side with php -n\n");
        exit(2);
    }
    require $argv[2];
} elseif ($mode !== 'extension' || !class_exists('SHMQueue') || !(new ReflectionClass('SHMQueue'))->isInternal()) {
    fwrite(STDERR, "usage: scenario.php original <original_shmqueue.php> | extension (with the extension loaded)\n");
    exit(2);
}

$shown = null;
echo 'start: ', dequeue_alone($shown), "\n";
foreach (values() as $label => $value) {
    $enqueued = enqueue_alone($value);
    $dequeued = dequeue_alone($shown);
    $roundTrip = $shown === show($value) ? 'identical' : 'changed';
    echo "$label: $enqueued | $dequeued | $roundTrip\n";
}
// Order across separate objects: three in, three out, then empty.
$ins = array_map(fn ($v) => enqueue_alone($v), ['first', 'second', 'third']);
echo 'fifo in: ', implode(' | ', $ins), "\n";
$outs = [];
for ($i = 0; $i < 4; $i++) {
    $outs[] = dequeue_alone($shown);
}
echo 'fifo out: ', implode(' | ', $outs), "\n";
