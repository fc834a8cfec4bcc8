--TEST--
A segment whose recorded sizes do not add up or that was truncated is refused at open as damaged (no SIGBUS, no out-of-bounds access)
--SKIPIF--
<?php $needs = ['pcntl']; require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$damages = [
    'segment_size 1 TiB' => fn($name) => shmq_poke($name, 0x10, pack('P', 1 << 40)),
    'ring_size 1 MiB' => fn($name) => shmq_poke($name, 0x18, pack('P', 1 << 20)),
    'slot_count 0' => fn($name) => shmq_poke($name, 0x20, pack('V', 0)),
    'truncated to 2000 bytes' => fn($name) => truncate(shmq_path($name), 2000),
    'truncated to 100 bytes' => fn($name) => truncate(shmq_path($name), 100),
];
function truncate(string $path, int $size): void
{
    $f = fopen($path, 'r+');
    ftruncate($f, $size);
    fclose($f);
}
foreach ($damages as $label => $damage) {
    $name = shmq_name(preg_replace('/\W+/', '', $label));
    shmq_in_child(fn() => (new SHMQueue($name, 4096))->enQueue('x'));
    $damage($name);
    echo "$label: ";
    shmq_try(fn() => new SHMQueue($name, 4096));
    echo "  removed: ", var_export(SHMQueue::remove($name), true), "\n";
}
?>
--EXPECTF--
segment_size 1 TiB: SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
  removed: true
ring_size 1 MiB: SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
  removed: true
slot_count 0: SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
  removed: true
truncated to 2000 bytes: SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
  removed: true
truncated to 100 bytes: SHMQueueException: queue "%s" is damaged: %s; remove it with SHMQueue::remove()
  removed: true
