<?php
// Control: a record torn in the image (one byte of a payload changed, its CRC left as it was)
// must not come back as a message: the queue's CRC drops it at the new boot and counts it in
// torn_dropped (the message's own checksum would show it garbled had it come back: check.php's
// "nothing garbled"; this control proves the queue catches it first).
//   php torn.php WORK_DIR QUEUE_FILE     (an always run; opens images in shmqueue.durable_dir)
require __DIR__ . '/images.php';
require __DIR__ . '/history.php';
require __DIR__ . '/message.php';
require __DIR__ . '/../chaos/lib/checks.php';

[, $work, $file] = $argv;
$history = new History("$work/logs");
$images = new CrashImages("$work/flushes", "$work/samples", $file, filesize($file));
$dir = ini_get('shmqueue.durable_dir');

/** [ids (null: garbled), stats, ''] of image $name opened as a queue, or [null, [], error]. */
function held(string $dir, string $name, string $image): array
{
    file_put_contents("$dir/$name.shmq", $image);
    try {
        $queue = new SHMQueue($name, durable: true);
        return [array_map(fn ($e) => message_id($e['value']), $queue->peek(1 << 20)), $queue->stats(), ''];
    } catch (SHMQueueException $e) {
        return [null, [], $e->getMessage()];
    }
}

// a durable state (no newer page) of the run that opens and holds a message found once in it
$start = $images->flushTimes[0] ?? $history->start;
$victim = null;
for ($try = 0; $victim === null && $try < 200; $try++) {
    [$image] = $images->image(mt_rand($start, $history->end), 0.0);
    $image = substr_replace($image, random_bytes(16), 0x300, 16);
    [$before] = held($dir, "whole$try", $image);
    foreach ($before ?? [] as $id) {
        $at = $id === null ? false : strpos($image, "$id|");
        if ($at !== false && substr_count($image, "$id|") === 1) {
            [$victim, $offset] = [$id, $at + strlen("$id|") + 2];
            break;
        }
    }
}
if (!check($victim !== null, 'torn control: a durable image of the always run opens and holds a message to tear', 'one of 200 images', 'none')) {
    exit;
}
$torn = substr_replace($image, chr(ord($image[$offset]) ^ 0x20), $offset, 1);
[$after, $stats, $error] = held($dir, 'torn', $torn);
if (!check($after !== null, 'torn control: the image with a torn record opens', 'opens', $error)) {
    exit;
}
$garbled = in_array(null, $after, true);
$dropped = !in_array($victim, $after, true);
printf("  tore %s at byte %d: %s; stats with 'torn' in their name: %s\n", $victim, $offset,
    $garbled ? 'came back garbled (caught by the payload checksum)' : ($dropped ? 'dropped by the queue' : 'came back intact?'),
    json_encode(array_filter($stats, fn ($k) => str_contains((string) $k, 'torn'), ARRAY_FILTER_USE_KEY)));
check($garbled || $dropped, "torn control: the torn record $victim is not returned as a whole message", 'dropped or garbled', 'returned as written');
check(!$garbled, 'torn control: the queue drops a torn record rather than returning it (CRC32C)', 'dropped', 'returned garbled');
check(($stats['torn_dropped'] ?? 0) >= 1, 'torn control: stats() count the dropped record in torn_dropped', 'at least 1', (string) ($stats['torn_dropped'] ?? 'missing'));
