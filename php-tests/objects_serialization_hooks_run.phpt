--TEST--
Objects go through PHP serialization: __serialize/__unserialize, __sleep/__wakeup and Serializable run: the saving hooks at enQueue, the restoring hooks at deQueue
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
error_reporting=E_ALL & ~E_DEPRECATED
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 65536);

class WithMagic
{
    public function __construct(public string $secret = '', public array $log = []) {}
    public function __serialize(): array
    {
        echo "__serialize\n";
        return ['s' => strrev($this->secret)];
    }
    public function __unserialize(array $data): void
    {
        echo "__unserialize\n";
        $this->secret = strrev($data['s']);
        $this->log = ['restored'];
    }
}

class WithSleep
{
    public $keep = 'kept';
    public $drop = 'dropped';
    public $woken = false;
    public function __sleep(): array
    {
        echo "__sleep\n";
        return ['keep'];
    }
    public function __wakeup(): void
    {
        echo "__wakeup\n";
        $this->woken = true;
    }
}

// Deprecated since PHP 8.1 (without __serialize), still supported: the deprecation is silenced above.
class OldSerializable implements Serializable
{
    public $data;
    public function serialize(): string
    {
        echo "serialize\n";
        return json_encode($this->data);
    }
    public function unserialize(string $data): void
    {
        echo "unserialize\n";
        $this->data = json_decode($data, true);
    }
}

echo "-- WithMagic\n";
$q->enQueue(new WithMagic('p4ss', ['x']));
echo "stored\n";
$back = $q->deQueue();
var_dump($back->secret, $back->log);

echo "-- WithSleep\n";
$q->enQueue(new WithSleep());
echo "stored\n";
$back = $q->deQueue();
var_dump($back->keep, $back->drop, $back->woken);

echo "-- OldSerializable\n";
$old = new OldSerializable();
$old->data = ['k' => [1, 2]];
$q->enQueue($old);
echo "stored\n";
$back = $q->deQueue();
var_dump($back->data === $old->data);
?>
--EXPECT--
-- WithMagic
__serialize
stored
__unserialize
string(4) "p4ss"
array(1) {
  [0]=>
  string(8) "restored"
}
-- WithSleep
__sleep
stored
__wakeup
string(4) "kept"
string(7) "dropped"
bool(true)
-- OldSerializable
serialize
stored
unserialize
bool(true)
