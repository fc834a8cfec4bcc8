--TEST--
Code written for the userland class extends SHMQueue: its own constructor and properties, parent::__construct(), overridden methods calling parent::, new without a constructor of its own
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
class MailQueue extends SHMQueue
{
    public int $sent = 0;
    public function __construct(public string $label, string $name)
    {
        parent::__construct($name, 8192);
    }
    public function enQueue(mixed $value, float $timeout = 0.0): bool
    {
        $this->sent++;
        return parent::enQueue(['mail' => $value], $timeout);
    }
}
class PlainQueue extends SHMQueue {}
$q = new MailQueue('welcome', $name);
var_dump($q->enQueue('a@example.org'), $q->enQueue('b@example.org'), $q->sent, $q->label, count($q));
$p = new PlainQueue($name);
var_dump($p->deQueue(), $p instanceof SHMQueue);
class Unopened extends SHMQueue { public function __construct() {} }
shmq_try(fn() => (new Unopened())->getLength());
var_dump((new ReflectionClass('SHMQueue'))->isFinal());
?>
--EXPECT--
bool(true)
bool(true)
int(2)
string(7) "welcome"
int(2)
array(1) {
  ["mail"]=>
  string(13) "a@example.org"
}
bool(true)
SHMQueueException: this SHMQueue object was never opened: its constructor failed
bool(false)
