--TEST--
With pcntl_async_signals, a SIGALRM during deQueue(10) / reserve(10) / enQueue(full, 10) runs its handler and the call returns false/null early
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 4096);
pcntl_async_signals(true);
$alarms = 0;
pcntl_signal(SIGALRM, function () use (&$alarms) {
    $alarms++;
    echo "handler ran\n";
});
$interrupted = function (string $label, callable $call) use (&$alarms) {
    $before = $alarms;
    pcntl_alarm(1);
    $start = hrtime(true);
    $result = $call();
    $waited = shmq_seconds_since($start);
    // Generous: the alarm comes after 1 s; returning within 3 s shows the 10 s wait was cut short.
    printf("%s returned %s, handler calls %d, back well before 10 s: %s\n", $label,
        var_export($result, true), $alarms - $before, var_export($waited < 3.0, true));
};
$interrupted('deQueue(10)', fn() => $q->deQueue(10.0));
$interrupted('reserve(10)', fn() => $q->reserve(10.0));
while ($q->enQueue('no room'));   // full: not even one more of these fits
$length = $q->getLength();
$interrupted('enQueue(full, 10)', fn() => $q->enQueue('no room', 10.0));
// The interrupted enQueue added nothing.
var_dump($q->getLength() === $length, count($q->deQueueMany(10000)) === $length);
?>
--EXPECT--
handler ran
deQueue(10) returned false, handler calls 1, back well before 10 s: true
handler ran
reserve(10) returned NULL, handler calls 1, back well before 10 s: true
handler ran
enQueue(full, 10) returned false, handler calls 1, back well before 10 s: true
bool(true)
bool(true)
