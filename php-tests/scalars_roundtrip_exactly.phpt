--TEST--
null, booleans and integers (0, -1, PHP_INT_MAX, PHP_INT_MIN, ...) come back identical (===)
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
foreach ([null, true, false, 0, 1, -1, 127, 128, -129, 255, 65536, 2147483647, -2147483648,
          4294967296, PHP_INT_MAX, PHP_INT_MIN, PHP_INT_MAX - 1, PHP_INT_MIN + 1] as $value) {
    $back = shmq_roundtrip($q, $value);
    echo var_export($back, true), $back === $value ? '' : ' MISMATCH: sent ' . var_export($value, true), "\n";
}
?>
--EXPECT--
NULL
true
false
0
1
-1
127
128
-129
255
65536
2147483647
-2147483648
4294967296
9223372036854775807
-9223372036854775807-1
9223372036854775806
-9223372036854775807
