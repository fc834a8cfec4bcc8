<?php
// Builds crash images of the workload's queue file and opens each as a queue after a simulated
// reboot (a new boot id at 0x300; and the lock word, 0x040, naming $POWERLOSS_LIVE_TID, a live
// thread that is no holder: the previous boot's holder's number now given to another), in this
// process's shmqueue.durable_dir, then checks what it
// holds against the workload's history at the image's moment T:
//   every policy: the image opens; nothing garbled, invented (enQueue begun after T or never),
//     held twice, or out of its producer's order;
//   always (cut = T) and batch (cut = T - interval): every message whose enQueue returned by the
//     cut and that no deQueue or ack had begun taking by T is there; none whose deQueue or ack
//     returned by the cut is (leases may deliver again only what was not acked).
// batch must also lose something younger than the cut in some image, or the window is untested.
//   php check.php WORK_DIR QUEUE_FILE POLICY INTERVAL_S IMAGES [control|cold|cold-control]
// WORK_DIR holds logs/ (workload), flushes, samples; "control" expects the checks to fail;
// "cold-control" keeps the boot id, so the live thread in the lock word must keep it from opening;
// "cold" checks the one image QUEUE_FILE as it stands after every process was killed (a
// reboot without power loss: the page cache reached the disk), where nothing acknowledged may
// be missing whatever the policy (cut = T = the last logged event).
require __DIR__ . '/images.php';
require __DIR__ . '/history.php';
require __DIR__ . '/message.php';
require __DIR__ . '/../chaos/lib/checks.php';

[, $work, $file, $policy, $interval, $count] = $argv;
$mode = $argv[6] ?? '';
$history = new History("$work/logs");
$window = $policy === 'always' || $mode === 'cold' ? 0 : ($policy === 'batch' ? (int) ((float) $interval * 1e9) : null);
$dir = ini_get('shmqueue.durable_dir');
if (str_starts_with($mode, 'cold')) {
    $cold = file_get_contents($file);
    $next = fn () => [$history->end, $cold, 0];
    $source = 'cold image';
} else {
    $images = new CrashImages("$work/flushes", "$work/samples", $file, filesize($file));
    $first = $images->flushTimes[0] ?? $history->start;
    $next = function (int $i) use ($images, $history, $first): array {
        $t = mt_rand(min($first, $history->end), $history->end); // from the first flush: the file exists
        return [$t, ...$images->image($t, [0.0, 0.5, 1.0, mt_rand() / mt_getrandmax()][$i % 4])];
    };
    $source = sprintf('%d crash images (%d flushes, %d page samples)', $count, $images->flushes, $images->samples);
}
$violations = [];
$unwritten = $lostYounger = $mixedPages = 0;
$held = [];

for ($i = 0; $i < (int) $count; $i++) {
    [$t, $image, $mixed] = $next($i);
    $mixedPages += $mixed;
    $image = reboot($image, $mode !== 'cold-control');
    $name = "image$i";
    file_put_contents("$dir/$name.shmq", $image);
    $found = open_and_drain($name, $error);
    unlink("$dir/$name.shmq");
    $where = "image $i at T=$t";
    if ($found === null && $error !== null && str_starts_with($error, 'SHMQueueException') && trim(substr($image, 0, PAGE), "\0") === '') {
        $unwritten++; // its header never reached the disk: refusing it clearly is all one can ask
        continue;
    }
    if ($found === null) {
        $violations['opens, and deQueue gives what peek lists'][] = "$where: $error";
        continue;
    }
    $held[] = count($found);
    $seen = [];
    $last = [];
    foreach ($found as $id) {
        if ($id === null) {
            $violations['nothing garbled'][] = "$where: a message failed its checksum";
            continue;
        }
        $m = $history->messages[$id] ?? [];
        if (!isset($m['B']) || $m['B'] > $t) {
            $violations['nothing invented'][] = "$where: $id (enQueue began " . ($m['B'] ?? 'never') . ')';
        }
        if (isset($seen[$id])) {
            $violations['nothing twice'][] = "$where: $id";
        }
        $seen[$id] = true;
        [$p, $seq] = History::producer($id);
        if (isset($last[$p]) && $last[$p] > $seq) {
            $violations['producer order kept'][] = "$where: $p-{$last[$p]} before $id";
        }
        $last[$p] = $seq;
        if ($window !== null && (($m['DE'] ?? PHP_INT_MAX) <= $t - $window || ($m['AE'] ?? PHP_INT_MAX) <= $t - $window)) {
            $violations['nothing taken by the cut comes back'][] = sprintf('%s: %s (taken %.3f s before T)', $where, $id, ($t - min($m['DE'] ?? PHP_INT_MAX, $m['AE'] ?? PHP_INT_MAX)) / 1e9);
        }
    }
    if ($window === null) {
        continue;
    }
    $younger = false;
    foreach ($history->messages as $id => $m) {
        $taken = min($m['DS'] ?? PHP_INT_MAX, $m['AS'] ?? PHP_INT_MAX) <= $t;
        if (!isset($m['E']) || $m['E'] > $t || $taken || isset($seen[$id])) {
            continue;
        }
        if ($m['E'] <= $t - $window) {
            $violations['every message acknowledged by the cut is there'][] = sprintf('%s: %s (enQueue returned %.3f s before T)', $where, $id, ($t - $m['E']) / 1e9);
        } else {
            $younger = true;
        }
    }
    $lostYounger += (int) $younger;
}

$checks = ['opens, and deQueue gives what peek lists', 'nothing garbled', 'nothing invented', 'nothing twice', 'producer order kept'];
if ($window !== null) {
    array_push($checks, 'every message acknowledged by the cut is there', 'nothing taken by the cut comes back');
}
printf("  policy %s: %s, %d pages taken newer than durable, %d refused with a zero header, messages held min/avg/max %d/%.0f/%d\n",
    $policy, $source, $mixedPages, $unwritten,
    $held ? min($held) : 0, $held ? array_sum($held) / count($held) : 0, $held ? max($held) : 0);
check($history->odd === [], "policy $policy: the live run delivered nothing garbled or twice", 'none', implode('; ', array_slice($history->odd, 0, 3)));
if ($mode === 'cold-control') {
    $refusals = $violations['opens, and deQueue gives what peek lists'] ?? [];
    check($refusals !== [], 'control: without a new boot id the image is refused (its lock is held by a live thread)', 'refused', 'opened');
    printf("  refused: %s\n", $refusals[0] ?? '');
    exit;
}
if ($mode === 'control') {
    // the flushes left out of the log lose acknowledged messages: that check must see them
    $caught = count($violations['every message acknowledged by the cut is there'] ?? []);
    check($caught > 0, "control ($policy, every other flush left out): the checker finds acknowledged messages lost", 'at least one', '0');
    foreach ($violations as $what => $list) {
        printf("  caught: %s in %d images, e.g. %s\n", $what, count($list), $list[0]);
    }
    exit;
}
$enqueued = count(array_filter($history->messages, fn ($m) => isset($m['E'])));
$taken = count(array_filter($history->messages, fn ($m) => isset($m['DE']) || isset($m['AE'])));
check($enqueued >= 100 && $taken >= 50, "policy $policy: the workload enqueued and took messages", '>= 100 enqueued, >= 50 taken', "$enqueued enqueued, $taken taken");
check(max($held ?: [0]) > 0, "policy $policy: some image holds messages", 'at least one', 'none');
foreach ($checks as $what) {
    $list = $violations[$what] ?? [];
    check($list === [], "policy $policy, " . ($mode === 'cold' ? 'cold image' : "$count crash images") . ": $what", 'no violation', count($list) . ' violations, e.g. ' . implode('; ', array_slice($list, 0, 3)));
}
if ($policy === 'batch' && $mode === '') {
    check($lostYounger > 0, 'policy batch: some image lost a message younger than the interval (the window is tested)', 'at least 1 image', '0');
}
printf("  images that lost something younger than the cut: %d\n", $lostYounger);

/** The image as a reboot leaves it: a new boot id, the lock word naming a live thread. */
function reboot(string $image, bool $newBoot): string
{
    $tid = (int) getenv('POWERLOSS_LIVE_TID');
    if ($tid > 0 && trim(substr($image, 0, PAGE), "\0") !== '') { // (a header never written stays so)
        // glibc's robust mutex: the futex word and the owner field hold the owner's thread id
        $image = substr_replace($image, pack('V', $tid), 0x40, 4);
        $image = substr_replace($image, pack('V', $tid), 0x48, 4);
    }
    return $newBoot ? substr_replace($image, random_bytes(16), 0x300, 16) : $image;
}

/** Opens the image as queue $name and takes everything: ids (null: garbled), or null if it cannot open. */
function open_and_drain(string $name, ?string &$error): ?array
{
    try {
        $queue = new SHMQueue($name, durable: true);
        $ids = [];
        // leased jobs from before the crash stay leased: peek lists them with the rest
        foreach ($queue->peek(1 << 20) as $entry) {
            $ids[] = message_id($entry['value']);
        }
        // and deQueue, the way a worker takes them, must give the ready ones among those
        $listed = array_count_values(array_map('strval', $ids));
        while (($value = $queue->deQueue()) !== false) {
            $id = (string) message_id($value);
            if (($listed[$id] ?? 0) === 0) {
                $error = "deQueue returned $id, which peek did not list";
                return null;
            }
            $listed[$id]--;
        }
        unset($queue);
        return $ids;
    } catch (Throwable $e) {
        $error = get_class($e) . ': ' . $e->getMessage();
        return null;
    }
}
