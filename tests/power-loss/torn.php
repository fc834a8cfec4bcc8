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

/** The ids (null: garbled) image $name holds and its stats, or null and the error if it will not open. */
function held(string $dir, string $name, string $image): array
{
    file_put_contents("$dir/$name.shmq", $image);
    try {
        $queue = new SHMQueue($name, durable: true);
        return [array_map(fn ($e) => message_id($e['value']), $queue->peek(1 << 20)), $queue->stats()];
    } catch (SHMQueueException $e) {
        return [null, $e->getMessage()];
    }
}

// the durable state (no newer page) at the last moments of the run, the latest that opens whole
$before = null;
for ($try = 0; $before === null && $try < 50; $try++) {
    [$image] = $images->image($history->end - $try * 20_000_000, 0.0);
    $image = substr_replace($image, random_bytes(16), 0x300, 16);
    [$before, $error] = held($dir, "whole$try", $image);
}
if (!check($before !== null, 'torn control: a durable image of the always run near its end opens', 'one of 50 opens', "none: $error")) {
    exit;
}
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
if (!check($after !== null, 'torn control: the image with a torn record opens (the record dropped)', 'opens', (string) $stats)) {
    exit;
}
$garbled = in_array(null, $after, true);
$dropped = !in_array($victim, $after, true);
printf("  tore %s at byte %d: %s; stats with 'torn' in their name: %s\n", $victim, $offset,
    $garbled ? 'came back garbled (caught by the payload checksum)' : ($dropped ? 'dropped by the queue' : 'came back intact?'),
    json_encode(array_filter($stats, fn ($k) => str_contains((string) $k, 'torn'), ARRAY_FILTER_USE_KEY)));
check($garbled || $dropped, "torn control: the torn record $victim is not returned as a whole message", 'dropped or garbled', 'returned as written');
check(!$garbled, 'torn control: the queue drops a torn record rather than returning it (CRC32C)', 'dropped', 'returned garbled');
