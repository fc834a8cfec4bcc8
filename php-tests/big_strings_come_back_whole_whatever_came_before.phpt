--TEST--
Big strings (16 KiB and more) are copied straight from the PHP string into the queue and out of it into a string allocated before the lock, sized as the last one taken: every size after every other, longer or shorter, comes back byte for byte, and behaves as any PHP string
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 32 << 20);
$k = 1024;
// Each size follows the one before it: equal, a little shorter (within an eighth), much
// shorter, longer, at and around the 16 KiB threshold, small strings and other values between.
$values = [20 * $k, 20 * $k, 20 * $k - 100, 18 * $k, 10 * $k, 16 * $k, 16 * $k - 1, 16 * $k + 1,
    1 << 20, 1 << 20, 900 * $k, 'array', 64 * $k, 0, 64 * $k, 'int', 64 * $k, 5 << 20, 17 * $k];
$wrong = 0;
foreach ([false, true] as $queued) {
    $sent = [];
    foreach ($values as $i => $what) {
        $value = match ($what) {
            'array' => ['body' => str_repeat('a', 40 * $k)],
            'int' => 7,
            0 => '',
        default => random_bytes($what),
        };
        $sent[] = $value;
        $q->enQueue($value);
        if (!$queued && $q->deQueue() !== $value) {
            $wrong++;
        }
    }
    foreach ($queued ? $sent : [] as $value) {
        if ($q->deQueue() !== $value) {
            $wrong++;
        }
    }
}
echo "wrong: $wrong of ", 2 * count($values), "\n";
var_dump(count($q));

$q->enQueue(str_repeat('ab', 20 * $k));
$q->enQueue(str_repeat('ab', 20 * $k));
$one = $q->deQueue();
$two = $q->deQueue();
$one[0] = 'X';
var_dump(strlen($one), $one[0] . $one[1], $two[0], md5($two) === md5(str_repeat('ab', 20 * $k)));
$keys = [$two => 1, str_repeat('ab', 20 * $k) => 2];
var_dump(count($keys), $two . '!' === str_repeat('ab', 20 * $k) . '!', str_contains($two, 'ba'));
// A string at the queue's limit: refused whole as before, nothing stored.
$small = new SHMQueue(shmq_name('small'), 32 * $k);
shmq_try(fn () => $small->enQueue(str_repeat('x', 40 * $k)));
var_dump(count($small), $small->enQueue(str_repeat('y', 20 * $k)), strlen($small->deQueue()));
?>
--EXPECTF--
wrong: 0 of 38
int(0)
int(40960)
string(2) "Xb"
string(1) "a"
bool(true)
int(1)
bool(true)
bool(true)
SHMQueueException: %s
int(0)
bool(true)
int(20480)
