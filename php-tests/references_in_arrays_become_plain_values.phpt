--TEST--
References inside arrays come back as plain values: equal content, no link to each other or to the original
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$x = 'shared';
$value = ['a' => &$x, 'b' => &$x, 'c' => 'own'];
$inner = [1, 2];
$value['d'] = &$inner;
$back = shmq_roundtrip($q, $value);
var_dump($back);
$back['a'] = 'changed';
$back['d'][] = 3;
echo "b after changing a: ", $back['b'], "\n";
echo "original x: $x, original inner count: ", count($inner), "\n";
// The elements are no longer references at all (the original's are).
$fresh = shmq_roundtrip($q, $value);
foreach (['a', 'b', 'd'] as $key) {
    printf("%s: original %s, copy %s\n", $key,
        ReflectionReference::fromArrayElement($value, $key) ? 'reference' : 'plain',
        ReflectionReference::fromArrayElement($fresh, $key) ? 'reference' : 'plain');
}
?>
--EXPECT--
array(4) {
  ["a"]=>
  string(6) "shared"
  ["b"]=>
  string(6) "shared"
  ["c"]=>
  string(3) "own"
  ["d"]=>
  array(2) {
    [0]=>
    int(1)
    [1]=>
    int(2)
  }
}
b after changing a: shared
original x: shared, original inner count: 2
a: original reference, copy plain
b: original reference, copy plain
d: original reference, copy plain
