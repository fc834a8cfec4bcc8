--TEST--
Floats come back bit for bit: 0.1, -0.0, INF, -INF, NAN (its payload too), subnormals, extremes
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$bits = fn(float $f) => bin2hex(pack('e', $f));
$custom_nan = unpack('e', hex2bin('0100000000f8ff7f'))[1]; // a NAN with a payload
foreach ([0.0, -0.0, 0.1, -2.5, 1e300, INF, -INF, NAN, $custom_nan, 5e-324, PHP_FLOAT_MAX, PHP_FLOAT_MIN, PHP_FLOAT_EPSILON] as $value) {
    $back = shmq_roundtrip($q, $value);
    printf("%-10s %s %s\n", get_debug_type($back), $bits($back), $bits($back) === $bits($value) ? 'same bits' : 'DIFFERENT from ' . $bits($value));
}
// -0.0 keeps its sign where it shows.
var_dump(fdiv(1, shmq_roundtrip($q, -0.0)));
var_dump(is_nan(shmq_roundtrip($q, NAN)));
?>
--EXPECT--
float      0000000000000000 same bits
float      0000000000000080 same bits
float      9a9999999999b93f same bits
float      00000000000004c0 same bits
float      9c7500883ce4377e same bits
float      000000000000f07f same bits
float      000000000000f0ff same bits
float      000000000000f87f same bits
float      0100000000f8ff7f same bits
float      0100000000000000 same bits
float      ffffffffffffef7f same bits
float      0000000000001000 same bits
float      000000000000b03c same bits
float(-INF)
bool(true)
