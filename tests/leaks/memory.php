<?php
// Sends <requests> requests to the churn endpoint over one connection and checks that the
// worker's memory stays flat: VmRSS at 10% of the requests and at the end differ by < 1 MiB.
//   php memory.php <socket> <script> <requests> <queue>
require __DIR__ . '/fcgi_client.php';
require __DIR__ . '/../chaos/lib/checks.php';

[, $socketPath, $script, $requests, $queue] = $argv;
$requests = (int) $requests;
$socket = stream_socket_client("unix://$socketPath", $errno, $error, 5);
$samples = [];                    // requests done => [pid, VmRSS kB, RssAnon kB]
$bad = [];
$started = microtime(true);
for ($n = 1; $n <= $requests; $n++) {
    [$body, $stderr] = request($socket, $script, "queue=$queue&n=$n");
    if (!preg_match('/^OK (\d+) (\d+) (\d+)$/', trim($body), $m) || $stderr !== '') {
        $bad[] = "request $n: " . trim($body . ' ' . $stderr);
        if (count($bad) > 5) {
            break;
        }
        continue;
    }
    if ($n === 1 || $n % intdiv($requests, 10) === 0 || $n === $requests) {
        $samples[$n] = [(int) $m[1], (int) $m[2], (int) $m[3]];
    }
}
$seconds = round(microtime(true) - $started, 1);
$warm = $samples[intdiv($requests, 10)] ?? null;
$last = $samples[$requests] ?? null;
echo "figures:\n";
figure('requests', $requests);
figure('seconds', $seconds);
foreach ($samples as $n => [$pid, $rss, $anon]) {
    figure("after $n requests", "VmRSS $rss kB, RssAnon $anon kB (worker $pid)");
}
echo "checks:\n";
check($bad === [], 'every request answered OK (value came back equal)', 'all OK', implode(' | ', $bad));
check($warm !== null && $last !== null && count(array_unique(array_column($samples, 0))) === 1,
    'one worker served every request (pm.max_requests = 0)', '1 worker', json_encode(array_unique(array_column($samples, 0))));
if ($warm !== null && $last !== null) {
    $growth = $last[1] - $warm[1];
    check($growth < 1024, 'worker VmRSS flat between 10% and 100% of the requests (growth < 1 MiB)',
        '< 1024 kB', "$growth kB ({$warm[1]} -> {$last[1]})");
}
