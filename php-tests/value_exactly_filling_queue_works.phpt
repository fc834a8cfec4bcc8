--TEST--
The largest storable value fills an empty queue completely (used_bytes == stats capacity): nothing else fits, it comes back intact; one byte more throws
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
foreach ([4096, 8192 + 512] as $requested) {
    $q = new SHMQueue(shmq_name("c$requested"), $requested);
    $capacity = $q->stats()['capacity'];   // what the queue really has (never more than asked)
    // Binary search for the longest string accepted by the empty queue.
    $fits = function (int $n) use ($q): bool {
        try {
            $stored = $q->enQueue(str_repeat('f', $n));
        } catch (SHMQueueException $e) {
            return false;
        }
        if (!$stored) {
            throw new RuntimeException("an empty queue refused $n bytes without throwing");
        }
        $q->deQueue();
        return true;
    };
    [$low, $high] = [0, $capacity];
    while ($low < $high) {
        $mid = intdiv($low + $high + 1, 2);
        $fits($mid) ? $low = $mid : $high = $mid - 1;
    }
    $largest = $low;
    printf("asked %d: capacity <= asked: %s, largest string within 16 bytes of capacity: %s\n", $requested,
        var_export($capacity <= $requested, true), var_export($capacity - $largest <= 16, true));
    $value = str_repeat('z', $largest - 1) . 'E';
    var_dump($q->enQueue($value));
    printf("used_bytes == capacity: %s\n", var_export($q->stats()['used_bytes'] === $capacity, true));
    var_dump($q->enQueue(''), $q->enQueue(null));   // not even the smallest value fits now
    var_dump($q->deQueue() === $value, $q->getLength());
    try {
        $q->enQueue(str_repeat('z', $largest + 1));
        echo "one byte more: stored\n";
    } catch (SHMQueueException $e) {
        preg_match('/at most (\d+) bytes/', $e->getMessage(), $m);
        printf("one byte more: refused, limit named: capacity - 8: %s\n", var_export((int) ($m[1] ?? -1) === $capacity - 8, true));
    }
    var_dump($q->enQueue($value), $q->deQueue() === $value);  // again, after the ring moved on
}
?>
--EXPECT--
asked 4096: capacity <= asked: true, largest string within 16 bytes of capacity: true
bool(true)
used_bytes == capacity: true
bool(false)
bool(false)
bool(true)
int(0)
one byte more: refused, limit named: capacity - 8: true
bool(true)
bool(true)
asked 8704: capacity <= asked: true, largest string within 16 bytes of capacity: true
bool(true)
used_bytes == capacity: true
bool(false)
bool(false)
bool(true)
int(0)
one byte more: refused, limit named: capacity - 8: true
bool(true)
bool(true)
