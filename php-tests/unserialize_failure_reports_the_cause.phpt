--TEST--
An object whose __unserialize throws makes deQueue throw SHMQueueException carrying its message; the queue goes on
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
class Refuses
{
    public $x = 1;
    public function __unserialize(array $data): void
    {
        throw new DomainException('refusing to wake up');
    }
}
$q->enQueue(new Refuses());
$q->enQueue('next');
shmq_try(fn() => $q->deQueue());
var_dump($q->deQueue(), $q->getLength());
?>
--EXPECTF--
SHMQueueException: %Arefusing to wake up; the message was moved to the dead letters (see deadLetters(), requeueDead())
string(4) "next"
int(0)
