<?php
// Control: a record torn in the image (one byte of a payload changed, its CRC left as it was)
// must not come back as a message: the queue's CRC drops it, or the checksum of the payload
// shows it garbled. Either way the checks of check.php would see it; the control proves it.
//   php torn.php WORK_DIR QUEUE_FILE     (an always run; opens images in shmqueue.durable_dir)
require __DIR__ . '/images.php';
require __DIR__ . '/history.php';
require __DIR__ . '/message.php';
require __DIR__ . '/../chaos/lib/checks.php';

[, $work, $file] = $argv;
$history = new History("$work/logs");
$images = new CrashImages("$work/flushes", "$work/samples", $file, filesize($file));
$dir = ini_get('shmqueue.durable_dir');
[$image] = $images->image($history->end, 0.0);
$image = substr_replace($image, random_bytes(16), 0x300, 16);

/** The ids (null: garbled) image $name holds, and its stats, after opening it as a queue. */
function held(string $dir, string $name, string $image): array
{
    file_put_contents("$dir/$name.shmq", $image);
    $queue = new SHMQueue($name, durable: true);
    $ids = array_map(fn ($e) => message_id($e['value']), $queue->peek(1 << 20));
    return [$ids, $queue->stats()];
}

[$before] = held($dir, 'whole', $image);
$victim = null;
foreach ($before as $id) {
    $at = $id === null ? false : strpos($image, "$id|");
    if ($at !== false && substr_count($image, "$id|") === 1) {
        [$victim, $offset] = [$id, $at + strlen("$id|") + 2];
        break;
    }
}
if (!check($victim !== null, 'torn control: the last durable image of the always run holds a message to tear', 'a message found once in the image', count($before) . ' messages, none found')) {
    exit;
}
$torn = substr_replace($image, chr(ord($image[$offset]) ^ 0x20), $offset, 1);
[$after, $stats] = held($dir, 'torn', $torn);
$garbled = in_array(null, $after, true);
$dropped = !in_array($victim, $after, true);
printf("  tore %s at byte %d: %s; stats with 'torn' in their name: %s\n", $victim, $offset,
    $garbled ? 'came back garbled (caught by the payload checksum)' : ($dropped ? 'dropped by the queue' : 'came back intact?'),
    json_encode(array_filter($stats, fn ($k) => str_contains((string) $k, 'torn'), ARRAY_FILTER_USE_KEY)));
check($garbled || $dropped, "torn control: the torn record $victim is not returned as a whole message", 'dropped or garbled', 'returned as written');
check(!$garbled, 'torn control: the queue drops a torn record rather than returning it (CRC32C)', 'dropped', 'returned garbled');
