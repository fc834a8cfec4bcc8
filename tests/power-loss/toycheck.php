<?php
// The simulator's self-test on toylog.c: in every crash image the records acknowledged before T
// (flushed by then, policy "always") are there and intact. With the shim leaving flushes out of
// its log (POWERLOSS_SKIP) the same check must fail in some image: the simulator has teeth.
//   php toycheck.php FLUSH_LOG SAMPLE_LOG FILE ACK_LOG IMAGES holds|breaks
require __DIR__ . '/images.php';
require __DIR__ . '/../chaos/lib/checks.php';

[, $flushLog, $sampleLog, $file, $ackLog, $count, $expect] = $argv;
$acks = [];
foreach (file($ackLog, FILE_IGNORE_NEW_LINES) as $line) {
    [, $seq, $ns] = explode(' ', $line);
    $acks[(int) $seq] = (int) $ns;
}
$images = new CrashImages($flushLog, $sampleLog, $file, filesize($file));
$first = min($images->flushTimes);
$last = max($acks);
$broken = 0;
$firstBreak = '';
for ($i = 0; $i < (int) $count; $i++) {
    $t = mt_rand($first, $last);
    [$image] = $images->image($t, [0.0, 0.5, 1.0, mt_rand() / mt_getrandmax()][$i % 4]);
    // the reader: records up to the count, stopping at the first one torn
    $n = unpack('P', substr($image, 0, 8))[1];
    $valid = 0;
    while ($valid < $n && PAGE + ($valid + 1) * 64 <= strlen($image)) {
        $r = substr($image, PAGE + $valid * 64, 64);
        if (unpack('P', $r)[1] !== $valid || unpack('V', substr($r, 60))[1] !== fnv1a(substr($r, 0, 60))) {
            break;
        }
        $valid++;
    }
    $acked = count(array_filter($acks, fn ($ns) => $ns <= $t));
    if ($valid < $acked) {
        $broken++;
        $firstBreak = $firstBreak ?: "image $i at T=$t: $acked acknowledged, $valid intact";
    }
}
printf("  %d crash images of toylog (%d flushes, %d page samples), %d lost an acknowledged record\n", $count, $images->flushes, $images->samples, $broken);
if ($expect === 'holds') {
    check($broken === 0, "toylog crash images keep every record acknowledged before T", '0 images losing one', "$broken ($firstBreak)");
} else {
    check($broken > 0, 'toylog crash images built without some flushes lose an acknowledged record (the simulator has teeth)', 'at least 1 image', '0');
}

function fnv1a(string $s): int
{
    $h = 2166136261;
    foreach (str_split($s) as $c) {
        $h = (($h ^ ord($c)) * 16777619) & 0xffffffff;
    }
    return $h;
}
