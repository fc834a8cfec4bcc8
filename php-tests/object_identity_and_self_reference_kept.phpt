--TEST--
Object graphs keep their shape as with serialize(): the same object twice stays one object, self-references survive
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);

$o = new stdClass();
$o->n = 1;
$back = shmq_roundtrip($q, [$o, $o, 'k' => ['again' => $o]]);
var_dump($back[0] === $back[1], $back[0] === $back['k']['again'], $back[0] !== $o);
$back[0]->n = 2;
var_dump($back[1]->n);

// An object that refers to itself, alone and inside an array (serialize() handles both).
$self = new stdClass();
$self->me = $self;
$self->list = [$self];
$back = shmq_roundtrip($q, $self);
var_dump($back->me === $back, $back->list[0] === $back);
$back = shmq_roundtrip($q, ['x' => $self, 'y' => 'plain']);
var_dump($back['x']->me === $back['x'], $back['y']);

// Two objects referring to each other.
$a = new stdClass();
$b = new stdClass();
$a->peer = $b;
$b->peer = $a;
$back = shmq_roundtrip($q, [$a, $b]);
var_dump($back[0]->peer === $back[1], $back[1]->peer === $back[0]);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(2)
bool(true)
bool(true)
bool(true)
string(5) "plain"
bool(true)
bool(true)
