--TEST--
stats() counts ready, in_flight, delayed, dead, retries and expired through a job's life
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192, 0.1, 3);
$show = function (string $when) use ($q) {
    $s = $q->stats();
    printf("%-22s length %d ready %d in_flight %d delayed %d dead %d retries %d expired %d\n", $when,
        $s['length'], $s['ready'], $s['in_flight'], $s['delayed'], $s['dead'], $s['retries'], $s['expired']);
};
$q->enQueueMany(['a', 'b', 'c']);
$q->enQueueDelayed('d', 60);
$show('enqueued 3 + 1 delayed');
$a = $q->reserve(0, 60);
$b = $q->reserve(0, 60);
$show('reserved a, b');
$q->release($a);
$show('released a');
$q->release($b, 30);
$show('released b with delay');
$c = $q->reserve();     // lease 0.1 s
usleep(250000);
$q->reserve(0, 60);     // notices c's expiry on the way and takes a, the oldest
$show('c expired, a taken');
$q->ack($q->reserve(0, 60));     // c, on its second delivery
$show('c acked');
?>
--EXPECT--
enqueued 3 + 1 delayed length 4 ready 3 in_flight 0 delayed 1 dead 0 retries 0 expired 0
reserved a, b          length 2 ready 1 in_flight 2 delayed 1 dead 0 retries 0 expired 0
released a             length 3 ready 2 in_flight 1 delayed 1 dead 0 retries 1 expired 0
released b with delay  length 4 ready 2 in_flight 0 delayed 2 dead 0 retries 2 expired 0
c expired, a taken     length 3 ready 1 in_flight 1 delayed 2 dead 0 retries 2 expired 1
c acked                length 2 ready 0 in_flight 1 delayed 2 dead 0 retries 2 expired 1
