--TEST--
Warnings raised by an object's own __wakeup while the extension unserializes it are shown as with unserialize(), and error_reporting is left as it was
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 8192);
class Noisy { public $n = 1; function __wakeup() { trigger_error("woken", E_USER_WARNING); } }
$q->enQueue(new Noisy());
$before = error_reporting();
var_dump($q->deQueue() instanceof Noisy, error_reporting() === $before);
?>
--EXPECTF--
Warning: woken in %s on line %d
bool(true)
bool(true)
