--TEST--
stdClass and plain user objects (public, protected, private, typed, dynamic properties) come back equal, as serialize() gives them
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 65536);

class Point
{
    public int $x = 0;
    protected ?string $label = null;
    private array $tags = [];
    public function __construct(int $x, string $label, array $tags)
    {
        $this->x = $x;
        $this->label = $label;
        $this->tags = $tags;
    }
}

$std = new stdClass();
$std->name = 'std';
$std->list = [1, 2];
$std->{'0'} = 'numeric property';
$std->inner = new stdClass();
$std->inner->deep = true;

foreach (['stdClass' => $std, 'Point' => new Point(3, "l\0bel", ['a' => 1]), 'in an array' => ['p' => new Point(-1, '', [])]] as $label => $value) {
    $back = shmq_roundtrip($q, $value);
    printf("%-12s equal: %s, same dump: %s, same as unserialize(serialize()): %s\n", $label,
        var_export($back == $value, true),
        var_export(shmq_dump($back) === shmq_dump($value), true),
        var_export(shmq_dump($back) === shmq_dump(unserialize(serialize($value))), true));
}
$back = shmq_roundtrip($q, $std);
echo shmq_dump($back);
var_dump($back !== $std); // a copy, not the same instance
?>
--EXPECT--
stdClass     equal: true, same dump: true, same as unserialize(serialize()): true
Point        equal: true, same dump: true, same as unserialize(serialize()): true
in an array  equal: true, same dump: true, same as unserialize(serialize()): true
object(stdClass) (4) {
  ["name"]=>
  string(3) "std"
  ["list"]=>
  array(2) {
    [0]=>
    int(1)
    [1]=>
    int(2)
  }
  ["0"]=>
  string(16) "numeric property"
  ["inner"]=>
  object(stdClass) (1) {
    ["deep"]=>
    bool(true)
  }
}
bool(true)
