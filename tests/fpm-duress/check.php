<?php
// Checks a php-fpm duress run (see run.sh): the requests sent, the responses, php-fpm's log and
// what the drain found in the queues.
//   php check.php <dir> <queue> <scratch queue> <plain requests>
// "Acknowledged" = the request answered "OK <id>"; "terminated" = php-fpm's log says the request
// (its query names the id) timed out and its worker was killed.
require __DIR__ . '/../chaos/lib/checks.php';

[, $dir, $queue, $scratch, $plain] = $argv;
$modeOf = [];                                   // id => mode
$poolOf = [];                                   // id => pool
foreach (file("$dir/requests.txt", FILE_IGNORE_NEW_LINES) as $line) {
    [$pool, $id, $mode] = explode(' ', $line);
    $modeOf[$id] = $mode;
    $poolOf[$id] = $pool;
}
$acknowledged = [];
$full = [];
$badResponses = [];
foreach (file("$dir/responses.txt", FILE_IGNORE_NEW_LINES) as $line) {
    if (preg_match('/^(OK|FULL) (\S+)$/', $line, $m) && isset($modeOf[$m[2]])) {
        $m[1] === 'OK' ? $acknowledged[$m[2]] = true : $full[$m[2]] = true;
    } elseif (trim($line) !== '') {
        $badResponses[] = $line;
    }
}

$log = file_get_contents("$dir/fpm.log");
preg_match_all('/\[pool (\S+)\] child \d+, script .*?[?&]id=([^&"]+).*execution timed out/', $log, $m, PREG_SET_ORDER);
$terminated = [];
foreach ($m as [, , $id]) {
    $terminated[$id] = true;
}
preg_match_all('/\[pool (\S+)\] child \d+ said into stderr: "paused (locked|record-written|journal-armed)"/', $log, $m, PREG_SET_ORDER);
$paused = [];
foreach ($m as [, $pool, $point]) {
    $paused[$point] = ($paused[$point] ?? 0) + 1;
}
$respawnsMain = preg_match_all('/\[pool main\] child \d+ started/', $log);
preg_match_all('/(PHP (Fatal|Warning|Notice).*|.*SHMQueueException.*)/', $log, $m);
$phpErrors = $m[0];

$drainedCount = [];
$corrupted = 0;
foreach (file("$dir/drain-main.log", FILE_IGNORE_NEW_LINES) as $line) {
    [, $id, $state] = explode(' ', $line);
    $drainedCount[$id] = ($drainedCount[$id] ?? 0) + 1;
    $corrupted += $state === 'ok' ? 0 : 1;
}
$mainDrain = read_json("$dir/drain-main.json")[$queue];
$scratchDrain = read_json("$dir/drain-scratch.json")[$scratch];

$byMode = fn (array $ids, string $mode) => count(array_filter(array_keys($ids), fn ($id) => ($modeOf[$id] ?? '') === $mode));
$lost = array_keys(array_diff_key($acknowledged, $drainedCount));
$duplicated = array_keys(array_filter($drainedCount, fn ($n) => $n > 1));
$unknown = array_keys(array_diff_key($drainedCount, $modeOf));
$phantoms = array_diff_key($drainedCount, $acknowledged);
$unexplainedPhantoms = array_keys(array_diff_key($phantoms, $terminated));
$slow = array_filter($modeOf, fn ($mode, $id) => $mode !== 'enqueue' || $poolOf[$id] !== 'main', ARRAY_FILTER_USE_BOTH);
$slowNotTerminated = array_keys(array_diff_key($slow, $terminated));
$slowAcknowledged = array_keys(array_intersect_key($slow, $acknowledged));
$storedBeforeSleep = array_keys(array_filter($drainedCount, fn ($n, $id) => ($modeOf[$id] ?? '') === 'sleep-before', ARRAY_FILTER_USE_BOTH));
$mainAcknowledged = count(array_filter(array_keys($acknowledged), fn ($id) => $poolOf[$id] === 'main'));
$recoveries = $mainDrain['stats']['recoveries'];
$scratchRecoveries = $scratchDrain['stats']['recoveries'];

echo "figures:\n";
figure('requests', count($modeOf));
figure('requests by mode', array_count_values($modeOf));
figure('acknowledged (OK)', count($acknowledged));
figure('answered FULL', count($full));
figure('terminated (request_terminate_timeout)', count($terminated));
figure('terminated by mode', ['sleep-before' => $byMode($terminated, 'sleep-before'), 'sleep-after' => $byMode($terminated, 'sleep-after'),
    'spin' => $byMode($terminated, 'spin'), 'enqueue' => $byMode($terminated, 'enqueue')]);
figure('killed paused holding the lock', $paused);
figure('main pool workers respawned', $respawnsMain);
figure('drained (distinct)', count($drainedCount));
figure('stored, not acknowledged', count($phantoms));
figure('lost', count($lost));
figure('duplicated', count($duplicated));
figure('corrupted', $corrupted);
figure('recoveries (queue / scratch queue)', "$recoveries / $scratchRecoveries");
figure('drain seconds (queue / scratch queue)', "{$mainDrain['seconds']} / {$scratchDrain['seconds']}");
echo "checks:\n";
check($badResponses === [] && $phpErrors === [], 'every response is "OK <id>" or "FULL <id>" and php-fpm logged no PHP error',
    'nothing else', implode(' | ', array_slice(array_merge($badResponses, $phpErrors), 0, 5)));
check($full === [], 'no request found the queue full', '0 FULL', (string) count($full));
check($mainAcknowledged >= (int) $plain * 0.9, 'most plain requests were acknowledged',
    '>= 90% of ' . $plain, (string) $mainAcknowledged);
check(isset($acknowledged['last.1']), 'after the storm a request still stores its message (not wedged)', 'OK last.1',
    isset($acknowledged['last.1']) ? 'OK' : 'no OK');
check($slowNotTerminated === [], 'every slow request and every request to a pausing pool was terminated mid-way',
    'all terminated', 'not terminated: ' . implode(', ', array_slice($slowNotTerminated, 0, 10)));
check($slowAcknowledged === [], 'no terminated request was acknowledged', 'none', implode(', ', $slowAcknowledged));
foreach (['locked', 'record-written', 'journal-armed'] as $point) {
    check(($paused[$point] ?? 0) >= 1, "a worker paused at '$point' holding the lock was killed by request_terminate_timeout",
        '>= 1', (string) ($paused[$point] ?? 0));
}
check($respawnsMain >= ceil($mainAcknowledged / 20) - 4, 'workers were recycled (pm.max_requests = 20)',
    '>= ' . (ceil($mainAcknowledged / 20) - 4) . ' respawns', (string) $respawnsMain);
check($lost === [], 'every acknowledged message is in the queue', '0 lost', count($lost) . ': ' . implode(', ', array_slice($lost, 0, 10)));
check($duplicated === [], 'no message is in the queue twice', '0 duplicated', implode(', ', array_slice($duplicated, 0, 10)));
check($corrupted === 0, 'no message corrupted', '0', (string) $corrupted);
check($unknown === [], 'the queue holds only messages that were requested', 'none else', implode(', ', array_slice($unknown, 0, 10)));
check($unexplainedPhantoms === [], 'messages stored but not acknowledged all belong to terminated requests',
    'none else', implode(', ', array_slice($unexplainedPhantoms, 0, 10)));
check($storedBeforeSleep === [], 'requests killed while sleeping before enQueue stored nothing', 'none', implode(', ', $storedBeforeSleep));
$pauseKills = array_sum($paused);
check($recoveries >= $pauseKills, 'the queue was recovered after every lock holder killed', ">= $pauseKills recoveries", (string) $recoveries);
check($recoveries + $scratchRecoveries <= count($terminated), 'no recovery without a terminated worker',
    '<= ' . count($terminated), (string) ($recoveries + $scratchRecoveries));
foreach ([$mainDrain, $scratchDrain] as $drain) {
    check($drain['emptied'], "queue {$drain['stats']['name']} drained within the time allowed (not wedged)", 'emptied', json_encode($drain['stats']));
    check_counters($drain['stats'], 'after the drain');
}
$stats = $mainDrain['stats'];
check($stats['enqueued'] === count($drainedCount) && $stats['dequeued'] === $stats['enqueued'],
    'counters match the drain (enqueued == dequeued == distinct messages drained)',
    (string) count($drainedCount), "enqueued {$stats['enqueued']}, dequeued {$stats['dequeued']}");
