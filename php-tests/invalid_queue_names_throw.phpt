--TEST--
Invalid queue names throw SHMQueueException saying why (empty, path parts, leading dot, too long, non-ASCII), in new and remove()
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$names = ['', '../x', 'a/b', '.x', '.', '..', str_repeat('n', 201), 'é', "nul\0byte", 'sp ace', 'tab	', 'semi;colon'];
foreach ($names as $name) {
    try {
        new SHMQueue($name);
        echo "accepted ", json_encode($name), "\n";
    } catch (SHMQueueException $e) {
        echo str_replace(str_repeat('n', 201), '<201 n>', $e->getMessage()), "\n";
    }
}
shmq_try(fn() => SHMQueue::remove('a/b'));
shmq_try(fn() => SHMQueue::remove(''));
// Nothing was created for any of them.
echo "segments created: ", count(array_filter(glob('/dev/shm/shmqueue.*'), fn($p) => in_array(substr(basename($p), 9), $names, true))), "\n";
// Valid edge cases: 200 characters, every allowed character, a dot inside.
$long = substr('phpt-' . getmypid() . '-' . str_repeat('L', 200), 0, 200);
foreach ([$long, 'phpt-Az09_.-' . getmypid(), 'phpt-x.y.' . getmypid()] as $name) {
    $q = new SHMQueue($name, 4096);
    printf("%d chars: %s\n", strlen($name), var_export($q->enQueue(1) && file_exists(shmq_path($name)) && SHMQueue::remove($name), true));
}
?>
--EXPECTF--
invalid queue name "": it is empty
invalid queue name "../x": it starts with a dot
invalid queue name "a/b": only ASCII letters, digits, '_', '-' and '.' are allowed
invalid queue name ".x": it starts with a dot
invalid queue name ".": it starts with a dot
invalid queue name "..": it starts with a dot
invalid queue name "<201 n>": it is longer than 200 bytes
invalid queue name "%s": only ASCII letters, digits, '_', '-' and '.' are allowed
invalid queue name "nul\0byte": only ASCII letters, digits, '_', '-' and '.' are allowed
invalid queue name "sp ace": only ASCII letters, digits, '_', '-' and '.' are allowed
invalid queue name "tab\t": only ASCII letters, digits, '_', '-' and '.' are allowed
invalid queue name "semi;colon": only ASCII letters, digits, '_', '-' and '.' are allowed
SHMQueueException: invalid queue name "a/b": only ASCII letters, digits, '_', '-' and '.' are allowed
SHMQueueException: invalid queue name "": it is empty
segments created: 0
200 chars: true
%d chars: true
%d chars: true
