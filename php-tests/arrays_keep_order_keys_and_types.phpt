--TEST--
Arrays come back identical: empty, lists, int and binary string keys, out-of-order keys, holes, negative keys, nesting
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 65536);
$holes = [10, 20, 30, 40];
unset($holes[1]);
$appended = [5 => 'five'];
$appended[] = 'six';
$cases = [
    'empty' => [],
    'list' => [1, 'two', 3.0, null, false],
    'map' => ['a' => 1, 'b' => ['c' => 'd']],
    'mixed keys' => [0 => 'zero', 'x' => 'ex', 7 => 'seven', '' => 'empty key'],
    'binary keys' => ["\0" => 1, "\xff\xfe" => 2, "k\0ey" => 3, "01" => 'string key "01"', "1.5" => 'string key "1.5"'],
    'out of order' => [3 => 'a', 1 => 'b', 2 => 'c'],
    'holes' => $holes,
    'negative keys' => [-5 => 'a', -1 => 'b', PHP_INT_MIN => 'min', PHP_INT_MAX => 'max'],
    'next key after 5' => $appended,
    'nested' => [[[[]]], ['deep' => [1, [2, [3]]]]],
];
foreach ($cases as $label => $value) {
    $back = shmq_roundtrip($q, $value);
    $same = shmq_dump($back) === shmq_dump($value) && $back === $value;
    echo str_pad($label, 18), ' ', $same ? 'identical' : "DIFFERENT:\n" . shmq_dump($back), "\n";
}
// Key types survive: "01" stays a string, 1 stays an int.
var_dump(array_map('get_debug_type', array_keys(shmq_roundtrip($q, ['01' => 0, 1 => 0, '1' => 0, 'x' => 0]))));
// The internal "next free key" follows the keys, as for any PHP array.
$back = shmq_roundtrip($q, $appended);
$back[] = 'seven';
var_dump(array_key_last($back));
$back = shmq_roundtrip($q, $holes);
var_dump(array_keys($back), array_is_list($back));
?>
--EXPECT--
empty              identical
list               identical
map                identical
mixed keys         identical
binary keys        identical
out of order       identical
holes              identical
negative keys      identical
next key after 5   identical
nested             identical
array(3) {
  [0]=>
  string(6) "string"
  [1]=>
  string(3) "int"
  [2]=>
  string(6) "string"
}
int(7)
array(3) {
  [0]=>
  int(0)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
bool(false)
