--TEST--
DateTimeImmutable, DateTime (with time zone and microseconds) and DateInterval come back equal
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$when = new DateTimeImmutable('2024-02-29 13:14:15.123456', new DateTimeZone('Asia/Kolkata'));
$back = shmq_roundtrip($q, $when);
var_dump(get_class($back), $back == $when, $back->format('Y-m-d H:i:s.u e P'));
$mutable = new DateTime('@1700000000');
$back = shmq_roundtrip($q, ['at' => $mutable]);
var_dump(get_class($back['at']), $back['at']->getTimestamp());
$interval = new DateInterval('P1Y2M3DT4H5M6S');
var_dump(shmq_roundtrip($q, $interval)->format('%y %m %d %h %i %s'));
?>
--EXPECT--
string(17) "DateTimeImmutable"
bool(true)
string(46) "2024-02-29 13:14:15.123456 Asia/Kolkata +05:30"
string(8) "DateTime"
int(1700000000)
string(11) "1 2 3 4 5 6"
