<?php
// Checks a chaos run from its logs (see chaos.php, lib/consume.php) and prints the figures.
//   php check.php <dir> <dequeue queue> <lease queue>      (after chaos.php and lib/drain.php)
// Accounting: a producer logs an id only after enQueue() returned true ("acknowledged"); a
// consumer logs what it received. So:
//   lost       acknowledged, never received. deQueue queue: at most one per killed deQueue
//              consumer (killed between deQueue() and its log line). Lease queue: none.
//   duplicated deQueue queue: received twice (none allowed). Lease queue: acknowledged twice
//              (none allowed); received again ("redelivered") only after an unfinished
//              delivery (released, lease lost, or consumer killed before acknowledging), each
//              delivery with its own attempt number, the finished one last.
//   phantom    received, never acknowledged: its producer was killed after the commit and
//              before its log line, so it must be that producer's next id, and it was killed.
// Ids are "<producer incarnation>.<seq>", seq counting that producer's acknowledged messages, so
// per producer a string holds one byte per message: its queue, or its count of receipts.
require __DIR__ . '/lib/checks.php';

[, $dir, $dequeueQueue, $leaseQueue] = $argv;
$run = read_json("$dir/run.json");
$stopped = read_json("$dir/stats-stopped.json");
$drained = read_json("$dir/drain.json");

$killed = [];                                  // incarnation => true
$kills = ['producer' => 0, 'dequeue' => 0, 'lease' => 0];
$unexpectedEnds = [];
$queueOf = [];                                 // producer incarnation => "DLLD..." per seq
foreach (file("$dir/incarnations.tsv", FILE_IGNORE_NEW_LINES) as $line) {
    [$incarnation, $role, $fate] = explode(' ', $line);
    if ($role === 'producer') {
        $queueOf[$incarnation] = '';
    }
    if ($fate === 'killed' || str_starts_with($fate, 'lock-killed:')) {
        $killed[$incarnation] = true;
        $kills[$role]++;
    } elseif ($fate !== 'exited:0') {
        $unexpectedEnds[] = "$role-$incarnation $fate";
    }
}

/** Complete lines of a log, as arrays of fields (a line cut short by SIGKILL was never written). */
function log_lines(string $path): Generator
{
    $file = fopen($path, 'r');
    while (($line = fgets($file)) !== false) {
        if (str_ends_with($line, "\n")) {
            yield explode(' ', rtrim($line, "\n"));
        }
    }
}

$malformed = [];
foreach (glob("$dir/producer-*.log") as $path) {
    $incarnation = substr(basename($path, '.log'), strlen('producer-'));
    foreach (log_lines($path) as $f) {
        if (count($f) === 2 && ($f[0] === 'D' || $f[0] === 'L') && $f[1] === "$incarnation." . strlen($queueOf[$incarnation])) {
            $queueOf[$incarnation] .= $f[0];
        } else {
            $malformed[] = basename($path) . ': ' . implode(' ', $f);
        }
    }
}

$receipts = ['D' => [], 'L' => []];            // queue => incarnation => one byte per seq
$acks = [];                                    // incarnation => one byte per seq
$unknown = [];
$leaseLost = $released = $corrupted = 0;
/** One more at $table[$incarnation][$seq], for ids up to one past the acknowledged ones. */
function bump(array &$table, string $id): bool
{
    global $queueOf;
    [$incarnation, $seq] = explode('.', $id) + [1 => ''];
    if (!isset($queueOf[$incarnation]) || !preg_match("/^[0-9]+$/", $seq) || (int) $seq > strlen($queueOf[$incarnation])) {
        return false;
    }
    $bytes = str_pad($table[$incarnation] ?? '', strlen($queueOf[$incarnation]) + 1, "\0");
    $bytes[(int) $seq] = chr(min(255, ord($bytes[(int) $seq]) + 1));
    $table[$incarnation] = $bytes;
    return true;
}
/**
 * Every line of the consumers' and the drain's logs, as [fields, finished]: a reservation ("R")
 * is finished when the next line of the same log acknowledges it ("A <id>"); unfinished ones were
 * released, lost their lease, or their consumer was killed before acknowledging.
 */
function consumer_lines(string $dir): Generator
{
    foreach (glob("$dir/{dequeue,lease,drain}-*.log", GLOB_BRACE) as $path) {
        $previous = null;
        foreach (log_lines($path) as $f) {
            if ($previous !== null) {
                yield [$previous, $previous[0] === 'R' && $f[0] === 'A' && $f[1] === $previous[1], basename($path)];
            }
            $previous = $f;
        }
        if ($previous !== null) {
            yield [$previous, false, basename($path)];
        }
    }
}

foreach (consumer_lines($dir) as [$f, , $file]) {
    $known = true;
    switch ($f[0]) {
        case 'D':
        case 'R':
            $corrupted += ($f[2] ?? '') === 'ok' ? 0 : 1;
            $known = $f[1] === '?' || bump($receipts[$f[0] === 'D' ? 'D' : 'L'], $f[1]);
            break;
        case 'A':
            $known = $f[1] === '?' || bump($acks, $f[1]);
            break;
        case 'L':
            $released++;
            break;
        case 'X':
            $leaseLost++;
            break;
        default:
            $malformed[] = "$file: " . implode(' ', $f);
    }
    if (!$known) {
        $unknown[] = implode(' ', $f);
    }
}

function count_at(array $table, string $id): int
{
    [$incarnation, $seq] = explode('.', $id) + [1 => 0];
    return ord($table[$incarnation][(int) $seq] ?? "\0");
}

// A job received more than once: each delivery has its own attempt number, and every delivery but
// the last (the highest attempt) was left unfinished, which is what let the job come again.
$deliveries = [];                              // id received twice or more => [[attempts, finished]...]
foreach (consumer_lines($dir) as [$f, $finished]) {
    if ($f[0] === 'R' && $f[1] !== '?' && count_at($receipts['L'], $f[1]) > 1) {
        $deliveries[$f[1]][] = [(int) ($f[3] ?? 0), $finished];
    }
}
$redeliveredWithoutCause = [];
foreach ($deliveries as $id => $list) {
    sort($list);
    $attempts = array_column($list, 0);
    $finishedBeforeLast = array_filter(array_slice(array_column($list, 1), 0, -1));
    if (count(array_unique($attempts)) !== count($attempts) || $finishedBeforeLast) {
        $redeliveredWithoutCause[] = "$id (attempts " . implode(',', $attempts) . ')';
    }
}

$acknowledged = ['D' => 0, 'L' => 0];
$distinct = ['D' => 0, 'L' => 0];
$lost = ['D' => 0, 'L' => 0];
$duplicatedD = $ackedTwice = $redelivered = $misplaced = $phantoms = 0;
$badPhantoms = [];
foreach ($queueOf as $incarnation => $queues) {
    $n = strlen($queues);
    for ($seq = 0; $seq <= $n; $seq++) {
        $count = ['D' => ord($receipts['D'][$incarnation][$seq] ?? "\0"), 'L' => ord($receipts['L'][$incarnation][$seq] ?? "\0")];
        $distinct['D'] += $count['D'] > 0 ? 1 : 0;
        $distinct['L'] += $count['L'] > 0 ? 1 : 0;
        $duplicatedD += $count['D'] > 1 ? 1 : 0;
        $redelivered += max(0, $count['L'] - 1);
        $ackedTwice += ord($acks[$incarnation][$seq] ?? "\0") > 1 ? 1 : 0;
        if ($seq === $n) {              // the one id after the acknowledged ones
            if ($count['D'] + $count['L'] > 0) {
                $phantoms++;
                if (!isset($killed[$incarnation])) {
                    $badPhantoms[] = "$incarnation.$seq";
                }
            }
            continue;
        }
        $q = $queues[$seq];
        $other = $q === 'D' ? 'L' : 'D';
        $acknowledged[$q]++;
        $lost[$q] += $count[$q] === 0 ? 1 : 0;
        $misplaced += $count[$other] > 0 ? 1 : 0;
    }
}
$lockKills = $run['lock_kills'];
$recoveries = $stopped[$dequeueQueue]['recoveries'] + $stopped[$leaseQueue]['recoveries'];
$totalKills = array_sum($kills);

echo "figures:\n";
figure('chaos seconds', $run['seconds']);
figure('seconds to stop the workers', $run['stop_seconds']);
figure('worker incarnations', $run['incarnations']);
figure('acknowledged (deQueue queue)', $acknowledged['D']);
figure('acknowledged (lease queue)', $acknowledged['L']);
figure('received (deQueue queue)', $distinct['D']);
figure('received (lease queue)', $distinct['L']);
figure('kills total', $totalKills);
figure('kills by role', $kills);
figure('kills holding the lock', $lockKills);
figure('lost (deQueue queue)', $lost['D']);
figure('lost (lease queue)', $lost['L']);
figure('duplicated (deQueue queue)', $duplicatedD);
figure('acknowledged twice (lease queue)', $ackedTwice);
figure('redelivered (lease queue)', $redelivered);
figure('released / lease lost', "$released / $leaseLost");
figure('phantoms (stored, producer killed)', $phantoms);
figure('corrupted', $corrupted);
figure('recoveries', $recoveries);
foreach ($drained as $name => $d) {
    figure("drain $name", "{$d['seconds']} s, requeued dead {$d['requeued_dead']}");
}
echo "checks:\n";
check($acknowledged['D'] > 0 && $acknowledged['L'] > 0 && $kills['dequeue'] > 0 && $kills['lease'] > 0 && $kills['producer'] > 0,
    'messages went through both queues while producers and both kinds of consumers were killed',
    'all > 0', json_encode(['acknowledged' => $acknowledged, 'kills' => $kills]));
check($malformed === [], 'every log line well-formed (producer seqs contiguous)', 'none else', implode('; ', array_slice($malformed, 0, 5)));
check($corrupted === 0, 'no message corrupted (checksums of every receipt)', '0 corrupted', "$corrupted");
check($unknown === [], 'every message received was acknowledged or is the next one of its producer', 'none else',
    implode('; ', array_slice($unknown, 0, 5)));
check($badPhantoms === [], 'every unacknowledged message received comes from a killed producer',
    'none else', implode(', ', array_slice($badPhantoms, 0, 10)));
check($lost['D'] <= $kills['dequeue'], 'deQueue queue: lost at most one message per killed deQueue consumer',
    "<= {$kills['dequeue']} lost", "{$lost['D']}");
check($lost['L'] === 0, 'lease queue: nothing acknowledged lost', '0 lost', "{$lost['L']}");
check($duplicatedD === 0, 'deQueue queue: nothing received twice', '0 duplicated', "$duplicatedD");
check($ackedTwice === 0, 'lease queue: no job acknowledged twice', '0', "$ackedTwice");
check($redeliveredWithoutCause === [],
    'lease queue: a job came again only after an unfinished delivery (released, lease lost or killed), with a new attempt number',
    'none else', implode(', ', array_slice($redeliveredWithoutCause, 0, 10)));
check($misplaced === 0, 'no message came out of the other queue', '0', "$misplaced");
foreach ($lockKills as $point => $n) {
    check($n >= 3, "killed at least 3 processes paused at '$point' holding the lock", '>= 3', "$n");
}
check($recoveries >= array_sum($lockKills), 'every lock-holder kill was recovered from',
    '>= ' . array_sum($lockKills) . ' recoveries', "$recoveries");
check($recoveries <= $totalKills, 'no recovery without a killed process', "<= $totalKills recoveries", "$recoveries");
$errors = file_exists("$dir/errors.txt") ? file("$dir/errors.txt", FILE_IGNORE_NEW_LINES) : [];
check($unexpectedEnds === [] && $errors === [], 'every worker not killed ended cleanly',
    'exit 0 and no exception', implode('; ', array_slice(array_merge($unexpectedEnds, $errors), 0, 5)));
check($run['stray_victim_output'] === [], 'victims printed nothing but their pause', 'nothing',
    implode('; ', $run['stray_victim_output']));
check($run['stuck_workers'] === 0, 'every worker returned by the deadline (queue not wedged)', '0 stuck', (string) $run['stuck_workers']);
foreach ([$dequeueQueue => 'D', $leaseQueue => 'L'] as $name => $q) {
    check_counters($stopped[$name], 'when the workers stopped');
    $d = $drained[$name];
    $after = $d['stats'];
    check($d['emptied'], "queue $name drained within the time allowed (not wedged)", 'emptied', json_encode($after));
    check_counters($after, 'after the drain');
    check($after['enqueued'] === $after['dequeued'] && $after['purged'] === 0,
        "queue $name: everything enqueued was dequeued", "dequeued == enqueued {$after['enqueued']}", "{$after['dequeued']} (purged {$after['purged']})");
    // Every message stored was received, except what killed deQueue consumers took with them.
    $unseen = $after['enqueued'] - $distinct[$q];
    $allowed = $q === 'D' ? $kills['dequeue'] : 0;
    check($unseen >= $lost[$q] && $unseen <= $allowed, "queue $name: counters match the logs (enqueued - received)",
        "between lost {$lost[$q]} and $allowed", "$unseen");
}
