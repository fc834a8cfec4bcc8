--TEST--
Enum cases (pure and backed, alone and inside arrays and objects) come back === the same case
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
enum Suit { case Hearts; case Spades; }
enum Status: string { case Active = 'active'; case Gone = 'gone'; }
enum Level: int { case Low = 1; case High = 9; }

foreach ([Suit::Spades, Status::Gone, Level::High] as $case) {
    $back = shmq_roundtrip($q, $case);
    printf("%s::%s identical: %s\n", get_class($back), $back->name, var_export($back === $case, true));
}
$back = shmq_roundtrip($q, ['a' => Suit::Hearts, 'b' => [Level::Low, Status::Active]]);
var_dump($back['a'] === Suit::Hearts, $back['b'][0] === Level::Low, $back['b'][1] === Status::Active);
$holder = new stdClass();
$holder->suit = Suit::Hearts;
var_dump(shmq_roundtrip($q, $holder)->suit === Suit::Hearts);
var_dump(shmq_roundtrip($q, Status::Active)->value);
?>
--EXPECT--
Suit::Spades identical: true
Status::Gone identical: true
Level::High identical: true
bool(true)
bool(true)
bool(true)
bool(true)
string(6) "active"
