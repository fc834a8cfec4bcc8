--TEST--
References shared inside a stored array come back tied together, as unserialize(serialize($v)) gives them (the original class stored through serialize()); no link to the original
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
$x = 'shared';
$value = ['a' => &$x, 'b' => &$x, 'c' => 'own', 'n' => ['deep' => 1]];
$value['n']['alias'] = &$value['n']['deep'];
$back = shmq_roundtrip($q, $value);
$expected = unserialize(serialize($value));
var_dump($back === $expected);
$back['a'] = 'changed';
$back['n']['deep'] = 2;
echo "b after changing a: ", $back['b'], "; alias after changing deep: ", $back['n']['alias'], "\n";
echo "original x: $x\n";
$ref = fn($array, $key) => ReflectionReference::fromArrayElement($array, $key)?->getId();
$fresh = shmq_roundtrip($q, $value);
var_dump($ref($fresh, 'a') === $ref($fresh, 'b'), $ref($fresh, 'c'));
// An array that merely went through foreach by reference (a reference held once) stays native.
$plain = [1, 2, 3];
foreach ($plain as &$element) {}
unset($element);
var_dump(shmq_roundtrip($q, $plain) === [1, 2, 3]);
?>
--EXPECT--
bool(true)
b after changing a: changed; alias after changing deep: 2
original x: shared
bool(true)
NULL
bool(true)
