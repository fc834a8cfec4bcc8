--TEST--
pause(): the queue still accepts messages, but deQueue, deQueueMany and reserve give nothing while it is paused (a blocking call keeps waiting), in every process; resume() wakes the blocked ones; isPaused() and stats() say so
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$q = new SHMQueue($name, 16384);
$q->enQueue('before');
var_dump($q->isPaused(), $q->pause(), $q->isPaused(), $q->pause());
var_dump($q->enQueue('while paused'), count($q), $q->stats()['paused']);
var_dump($q->deQueue(), $q->deQueueMany(10), $q->reserve());
$start = hrtime(true);
var_dump($q->deQueue(0.3));
printf("waited the whole timeout: %s\n", shmq_seconds_since($start) >= 0.29 ? 'yes' : 'no');
// Another process blocked in deQueue is woken by resume() and takes the first message.
$child = shmq_fork(function () use ($name) {
    $q = new SHMQueue($name);
    $start = hrtime(true);
    $v = $q->deQueue(10);
    return $v === 'before' && shmq_seconds_since($start) >= 0.4; // got it, and only after resume
});
usleep(500000);
var_dump($q->resume(), $q->isPaused(), $q->resume());
var_dump(shmq_wait($child));
var_dump($q->deQueue(), $q->stats()['paused']);
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
int(2)
int(1)
bool(false)
array(0) {
}
NULL
bool(false)
waited the whole timeout: yes
bool(true)
bool(false)
bool(false)
int(0)
string(12) "while paused"
int(0)
