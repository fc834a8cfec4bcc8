<?php
// php-fpm endpoint: stores message <id> in queue <queue> and answers "OK <id>" only once
// enQueue() returned true ("FULL <id>" when there was no room). Modes that get the request
// terminated by request_terminate_timeout mid-way:
//   sleep-before  sleeps 2 s before enqueueing (killed before storing anything)
//   sleep-after   sleeps 2 s after enqueueing (stored, never acknowledged)
//   spin          enQueue()/deQueue() pairs on queue <scratch> until killed (at any instruction)
// In the pools with SHMQUEUE_TEST_PAUSE set, enQueue() pauses holding the lock and is killed there.
require __DIR__ . '/message.php';

$id = $_GET['id'];
$mode = $_GET['mode'] ?? 'enqueue';
if ($mode === 'spin') {
    $scratch = new SHMQueue($_GET['scratch']);
    for (;;) {
        $scratch->enQueue(make_message('s'));
        $scratch->deQueue();
    }
}
if ($mode === 'sleep-before') {
    sleep(2);
}
$stored = (new SHMQueue($_GET['queue']))->enQueue(make_message($id), 5.0);
if ($mode === 'sleep-after') {
    sleep(2);
}
echo $stored ? "OK $id\n" : "FULL $id\n";
