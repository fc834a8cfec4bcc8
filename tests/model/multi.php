<?php
// Several forked processes use one queue at random (producers: enQueue, enQueueMany,
// enQueueDelayed, enQueue waiting for room; consumers: deQueue, deQueueMany, reserve then ack,
// release or abandon), while this process SIGKILLs them at random (blocked ones too: most kills
// come when the queue is empty), removes the queue mid-way, and checks stats() all along. Each
// worker logs what it did to its own file (written before and after every call, so a kill shows
// as an open call); afterwards a fresh process drains the queue and the logs are checked:
//   - every message comes back intact (it carries its producer, sequence number and checksum);
//   - nothing comes back that was refused, never sent, or more than once beyond lease redelivery;
//   - every accepted message comes back, except ones a remove() may have deleted (accepted
//     before it ended) and at most one per killed deQueue (max per killed deQueueMany);
//   - each consumer gets each producer's messages in order (never-leased, not delayed ones);
//   - stats(): enqueued = dequeued + purged + length + in_flight + dead, at every look.
//   php multi.php <seed> <seconds> <queue> <dir>
require __DIR__ . '/values.php';
require __DIR__ . '/report.php';

const CAPACITY = 256 * 1024;
const LEASE = 0.3;
const MAX_ATTEMPTS = 4;
const PRODUCERS = 2;
const CONSUMERS = 3;

[, $seed, $seconds, $name, $dir] = $argv;
$seed = (int) $seed;
$seconds = (float) $seconds;

function log_line($log, string $line): void
{
    fwrite($log, $line . ' ' . hrtime(true) . "\n");    // unbuffered: survives a SIGKILL
}

/** The message a producer sends: its own id, sequence number and checksum around a value. */
function message(ValueMaker $m, int $worker, int $seq): array
{
    [$kind, $v] = $m->value("$worker.$seq");
    $poison = $kind === 'poison';
    return ['p' => $worker, 's' => $seq, 'poison' => $poison, 'h' => $poison ? '' : md5("$worker.$seq " . expected_canon($v)), 'v' => $v];
}

function run_producer(ValueMaker $m, SHMQueue $q, $log, int $worker, float $until, bool &$stop): void
{
    $quiet = $GLOBALS['dir'] . '/quiet';
    $seq = 0;
    while (!$stop && microtime(true) < $until) {
        $how = $m->weighted(['e' => 60, 'm' => 20, 'd' => 10, 't' => 10]);
        $batch = [];
        for ($i = $how === 'm' ? $m->int(1, 8) : 1; $i > 0; $i--) {
            $batch[] = message($m, $worker, ++$seq);
            log_line($log, "B {$seq} $how " . (int) end($batch)['poison']);
        }
        try {
            $stored = match ($how) {
                'e' => (int) $q->enQueue($batch[0]),
                'm' => $q->enQueueMany($batch),
                'd' => (int) $q->enQueueDelayed($batch[0], $m->int(20, 500) / 1000),
                't' => (int) $q->enQueue($batch[0], 0.2),
            };
            foreach ($batch as $i => $message) {
                log_line($log, ($i < $stored ? 'A ' : 'F ') . $message['s']);
            }
        } catch (Throwable $e) {
            log_line($log, "X {$batch[0]['s']} " . strtr(describe_error($e), "\n", ' '));
        }
        while (file_exists("$quiet") && !$stop && microtime(true) < $until) {
            usleep(20000);                        // a quiet phase: the queue runs dry, consumers block
        }
    }
}

/** Logs one message a consumer got: intact or not, with its attempts and job id. */
function log_got($log, string $op, mixed $v, int $attempts = 0, int $job = 0): void
{
    if (!is_array($v) || !isset($v['p'], $v['s'], $v['h']) || !array_key_exists('v', $v)) {
        log_line($log, "g $op ? ? $attempts $job bad");
        return;
    }
    $intact = !$v['poison'] && md5("{$v['p']}.{$v['s']} " . canon($v['v'])) === $v['h'];
    log_line($log, "g $op {$v['p']} {$v['s']} $attempts $job " . ($intact ? 'ok' : 'bad'));
}

function log_error($log, string $op, Throwable $e): void
{
    $poison = poison_id($e);
    log_line($log, $poison !== null ? "P $op " . strtr($poison, '.', ' ') : "E $op " . strtr(describe_error($e), "\n", ' '));
}

function run_consumer(ValueMaker $m, SHMQueue $q, $log, float $until, bool &$stop): void
{
    $held = [];
    while (!$stop && microtime(true) < $until) {
        $op = $m->weighted(['q' => 35, 'm' => 20, 'r' => 45]);
        $timeout = $m->pick([0.0, 0.0, 0.1, 0.5]);
        $max = $op === 'm' ? $m->int(1, 8) : 1;
        log_line($log, "b $op $max");
        try {
            if ($op === 'q') {
                $v = $q->deQueue($timeout);
                if ($v !== false) {
                    log_got($log, 'q', $v);
                }
            } elseif ($op === 'm') {
                foreach ($q->deQueueMany($max, $timeout) as $v) {
                    log_got($log, 'm', $v);
                }
            } else {
                $job = $q->reserve($timeout, $m->chance(0.3) ? $m->int(100, 500) / 1000 : null);
                if ($job !== null) {
                    log_got($log, 'r', $job->value, $job->attempts, $job->id);
                    $held[] = $job;
                }
            }
        } catch (Throwable $e) {
            log_error($log, $op, $e);
        }
        log_line($log, 'e');
        // Hand back held jobs: mostly at once, some late (lease lost), some never (abandoned).
        foreach ($held as $i => $job) {
            $what = $m->weighted(['ack' => 70, 'release' => 15, 'later' => 10, 'abandon' => 5]);
            if ($what === 'later') {
                continue;
            }
            unset($held[$i]);
            try {
                if ($what === 'ack') {
                    log_line($log, "k {$job->id} " . (int) $q->ack($job));
                } elseif ($what === 'release') {
                    log_line($log, "l {$job->id} " . (int) $q->release($job, $m->pick([0.0, 0.1, 0.3])));
                }
            } catch (Throwable $e) {
                log_line($log, "x {$job->id} " . strtr(describe_error($e), "\n", ' '));
            }
        }
        if ($m->chance(0.02)) {
            usleep($m->int(0, (int) (LEASE * 1.5e6)));     // a slow worker: its leases run out
        }
    }
}

/** Forks one worker; its log is <dir>/<role>-<id>.log. */
function spawn(string $role, int $id): int
{
    global $dir, $name, $seed, $until;
    // SIGTERM stays blocked until the child's handler is in place: a worker forked a moment
    // before the stop would otherwise die of it instead of exiting 0.
    pcntl_sigprocmask(SIG_BLOCK, [SIGTERM]);
    $pid = pcntl_fork();
    if ($pid !== 0) {
        pcntl_sigprocmask(SIG_UNBLOCK, [SIGTERM]);
        return $pid;
    }
    $stop = false;
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, function () use (&$stop) {
        $stop = true;
    });
    pcntl_sigprocmask(SIG_UNBLOCK, [SIGTERM]);
    $m = new ValueMaker(new Random\Randomizer(new Random\Engine\Mt19937($seed * 1000 + $id)));
    $m->skip[] = 'refs';          // the single-process model checks references (issue 11 #12)
    $log = fopen("$dir/$role-$id.log", 'a');
    $q = new SHMQueue($name, CAPACITY, LEASE, MAX_ATTEMPTS);   // the settings, should it re-create the queue
    $role === 'producer' ? run_producer($m, $q, $log, $id, $until, $stop) : run_consumer($m, $q, $log, $until, $stop);
    exit(0);
}

$report = new Report();
SHMQueue::remove($name);
$monitor = new SHMQueue($name, CAPACITY, LEASE, MAX_ATTEMPTS);
$r = new Random\Randomizer(new Random\Engine\Mt19937($seed));
$started = microtime(true);
$until = $started + $seconds + 30;         // the workers' own deadline, should this process die
$workers = [];                             // pid => [role, id]
$nextId = 0;
foreach (array_merge(array_fill(0, PRODUCERS, 'producer'), array_fill(0, CONSUMERS, 'consumer')) as $role) {
    $workers[spawn($role, ++$nextId)] = [$role, $nextId];
}
// SHMQUEUE_MODEL_NO_KILLS=1, SHMQUEUE_MODEL_NO_REMOVES=1: to tell which one a failure needs.
$kill = !getenv('SHMQUEUE_MODEL_NO_KILLS');
$removeAt = [];
for ($i = getenv('SHMQUEUE_MODEL_NO_REMOVES') ? 0 : $r->getInt(1, max(1, (int) ($seconds / 10))); $i > 0; $i--) {
    $removeAt[] = $started + $seconds * $r->getInt(15, 85) / 100;
}
sort($removeAt);
$removes = [];                             // [hrtime before, hrtime after]
$kills = $blockedKills = $samples = 0;
$fates = [];
$nextKill = $started + 0.1;

function check_stats(Report $report, array $s, string $when): void
{
    $report->check('stats(): enqueued = dequeued + purged + length + in_flight + dead', $s['enqueued'] === $s['dequeued'] + $s['purged'] + $s['length'] + $s['in_flight'] + $s['dead'],
        "$when: " . json_encode(array_intersect_key($s, array_flip(['enqueued', 'dequeued', 'purged', 'length', 'ready', 'delayed', 'in_flight', 'dead']))));
    $report->check('stats(): length = ready + delayed, counts within bounds', $s['length'] === $s['ready'] + $s['delayed'] && $s['in_flight'] <= $s['lease_slots'] && $s['used_bytes'] <= $s['capacity'],
        "$when: " . json_encode($s));
}

function reap(array &$workers, array &$fates, bool $respawn): void
{
    global $nextId;
    while (($pid = pcntl_waitpid(-1, $status, WNOHANG)) > 0) {
        if (!isset($workers[$pid])) {
            continue;
        }
        [$role, $id] = $workers[$pid];
        unset($workers[$pid]);
        $fates[$id] = pcntl_wifsignaled($status) ? 'signal ' . pcntl_wtermsig($status) : 'exit ' . pcntl_wexitstatus($status);
        if ($respawn) {
            $workers[spawn($role, ++$nextId)] = [$role, $nextId];
        }
    }
}

while (microtime(true) < $started + $seconds) {
    usleep(20000);
    try {
        $s = $monitor->stats();
        $samples++;
        check_stats($report, $s, sprintf('at %.2f s', microtime(true) - $started));
    } catch (Throwable $e) {
        $report->fail('stats() works while others use the queue', describe_error($e));
        $s = ['length' => 1];
    }
    if ($removeAt !== [] && microtime(true) >= $removeAt[0]) {
        array_shift($removeAt);
        $t0 = hrtime(true);
        try {
            SHMQueue::remove($name);
        } catch (Throwable $e) {
            $report->fail('remove() works while others use the queue', describe_error($e));
        }
        $removes[] = [$t0, hrtime(true)];
        file_put_contents("$dir/parent-0.log", "R $t0 " . hrtime(true) . "\n", FILE_APPEND);
    }
    // Quiet phases (producers pause): consumers drain the queue, then wait in deQueue/reserve.
    $quietNow = fmod(microtime(true) - $started, 2.0) > 1.4;
    $quietNow ? touch("$dir/quiet") : @unlink("$dir/quiet");
    if ($kill && microtime(true) >= $nextKill) {
        $pids = array_keys($workers);
        if ($quietNow && $s['length'] === 0) {
            $pids = array_keys(array_filter($workers, fn ($w) => $w[0] === 'consumer'));
        }
        $victim = $pids[$r->getInt(0, count($pids) - 1)];
        if ($s['length'] === 0) {
            $blockedKills++;         // most likely waiting in deQueue/reserve
        }
        posix_kill($victim, SIGKILL);
        $kills++;
        $nextKill = microtime(true) + $r->getInt(30, 300) / 1000;
    }
    reap($workers, $fates, true);
}
@unlink("$dir/quiet");
foreach (array_keys($workers) as $pid) {
    posix_kill($pid, SIGTERM);
}
$stopDeadline = microtime(true) + 10;
while ($workers !== [] && microtime(true) < $stopDeadline) {
    usleep(10000);
    reap($workers, $fates, false);
}
$report->check('workers stop within 10 s of SIGTERM (no operation hangs)', $workers === [], count($workers) . ' still running');
foreach (array_keys($workers) as $pid) {
    posix_kill($pid, SIGKILL);
}
while (pcntl_wait($status) > 0) {
}

// The drain: a fresh process, once leases and delays ran out, takes everything.
usleep((int) ((LEASE + 0.6) * 1e6));
$drainPid = pcntl_fork();
if ($drainPid === 0) {
    $log = fopen("$dir/drain-0.log", 'a');
    $q = new SHMQueue($name, CAPACITY, LEASE, MAX_ATTEMPTS);
    while (true) {
        try {
            $v = $q->deQueue(0.5);
        } catch (Throwable $e) {
            log_error($log, 'q', $e);        // an undecodable one: now a dead letter
            continue;
        }
        if ($v === false) {
            break;
        }
        log_got($log, 'q', $v);
    }
    // The dead letters are where they stay: listed (each counts as delivered), then purged.
    try {
        $dead = $q->stats()['dead'];
        $letters = $q->deadLetters($dead + 10);
        log_line($log, 'L ' . count($letters) . " $dead");
        foreach ($letters as $letter) {
            if (isset($letter['error'])) {
                log_line($log, 'P D ' . strtr(poison_id(new Exception($letter['error'])) ?? '? ?', '.', ' '));
            } else {
                log_got($log, 'D', $letter['value'], $letter['attempts']);
            }
        }
    } catch (Throwable $e) {
        log_line($log, 'L ! ' . strtr(describe_error($e), "\n", ' '));
    }
    log_line($log, 'U ' . $q->purgeDead());
    exit(0);
}
pcntl_waitpid($drainPid, $status);
$final = $monitor->stats();
check_stats($report, $final, 'after the drain');
$report->check('after the drain nothing is left', $final['length'] + $final['in_flight'] + $final['dead'] === 0, json_encode($final));
$report->check('the drain process ends normally', pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0, 'status ' . $status);

// ---- the logs ----------------------------------------------------------------------------
$sent = [];          // "p.s" => [how, begin ns, 'A'|'F'|'X'|null, producer died in the call]
$got = [];           // "p.s" => list of [consumer, op, attempts, job, final?]
$allowance = 0;      // messages a killed deQueue/deQueueMany may have taken with it
$hiddenLeases = 0;   // reserves whose job nobody saw (killed in the call, or it threw)
$poisoned = [];      // undecodable values seen: an exception or a dead letter
$undecodable = [];   // undecodable values sent
$errors = [];
$bad = [];
$order = 0;
$orderDetail = '';
$deadListed = [];
foreach (glob("$dir/*.log") as $file) {
    [$role, $worker] = explode('-', basename($file, '.log'));
    $lines = file($file, FILE_IGNORE_NEW_LINES);
    $open = null;
    $jobs = [];      // job id => key, for acks
    $deliveries = [];
    foreach ($lines as $line) {
        $f = explode(' ', $line);
        switch ($f[0]) {
            case 'B':
                $sent["$worker.$f[1]"] = [$f[2], (int) $f[4], null];
                if ($f[3] === '1') {
                    $undecodable["$worker.$f[1]"] = true;
                }
                break;
            case 'A':
            case 'F':
            case 'X':
                $sent["$worker.$f[1]"][2] = $f[0];
                if ($f[0] === 'X') {
                    $errors[] = "producer $worker: " . implode(' ', array_slice($f, 2, -1));
                }
                break;
            case 'b':
                $open = [$f[1], (int) $f[2]];
                break;
            case 'e':
                $open = null;
                break;
            case 'g':
                if ($f[6] !== 'ok') {
                    $bad[] = "$role $worker: $line";
                }
                $key = "$f[2].$f[3]";
                $got[$key][] = [$worker, $f[1], (int) $f[4], (int) $f[5], $f[1] !== 'r'];   // D: a dead letter
                $jobs[$f[5]] = [$key, count($got[$key]) - 1];
                $deliveries[] = [$key, $f[1], (int) $f[4]];
                break;
            case 'k':
                if ($f[2] === '1' && isset($jobs[$f[1]])) {
                    [$key, $i] = $jobs[$f[1]];
                    $got[$key][$i][4] = true;        // acked: this delivery was the last
                }
                break;
            case 'P':
                $poisoned["$f[2].$f[3]"] = $f[1];
                if ($f[1] === 'r') {
                    $hiddenLeases++;
                }
                break;
            case 'E':
                $errors[] = "$role $worker: " . implode(' ', array_slice($f, 2, -1));
                if ($f[1] === 'r') {
                    $hiddenLeases++;
                }
                break;
            case 'x':
                $errors[] = "$role $worker (ack/release): " . implode(' ', array_slice($f, 2, -1));
                break;
            case 'L':
                $deadListed[] = $line;
                break;
        }
    }
    if ($open !== null) {
        $open[0] === 'r' ? $hiddenLeases++ : $allowance += $open[1];
    }
    // Order: what one consumer got from one producer comes in the producer's order, for
    // messages neither delayed nor ever leased (a leased one may come back anywhere).
    $last = [];
    foreach ($deliveries as [$key, $op, $attempts]) {
        [$p, $s] = explode('.', $key);
        $leasedEver = array_filter($got[$key], fn ($d) => $d[1] === 'r') !== [];
        $firstTake = $op === 'r' ? $attempts === 1 : !$leasedEver;
        if (($sent[$key][0] ?? 'd') === 'd' || !$firstTake) {
            continue;
        }
        if ((int) $s < ($last[$p] ?? 0)) {
            $order++;
            $orderDetail = "consumer $worker got $key after $p.{$last[$p]}";
        }
        $last[$p] = max($last[$p] ?? 0, (int) $s);
    }
}
$lastRemoveEnd = $removes === [] ? 0 : max(array_column($removes, 1));
$lost = $lostToRemove = $duplicates = $phantoms = $lostNearBatch = $droppedPoison = 0;
$droppedDetail = '';
$lostDetail = $dupDetail = $phantomDetail = '';
foreach ($sent as $key => [$how, $begin, $outcome]) {
    $finals = count(array_filter($got[$key] ?? [], fn ($d) => $d[4]));
    if ($finals > 1) {
        $duplicates++;
        $dupDetail = "$key delivered as " . json_encode($got[$key]);
    }
    if ($outcome !== 'A' || $finals > 0 || isset($poisoned[$key])) {
        continue;
    }
    if ($begin < $lastRemoveEnd) {
        $lostToRemove++;
    } elseif (isset($undecodable[$key])) {
        $droppedPoison++;             // taken, undecodable, and not in the dead letters
        $droppedDetail = $key;
    } else {
        $lost++;
        [$p, $seq] = explode('.', $key);
        for ($near = $seq - 8; $near <= $seq + 8; $near++) {
            if (($poisoned["$p.$near"] ?? '') === 'm') {
                $lostNearBatch++;
                break;
            }
        }
        $lostDetail = "$key ($how) accepted " . sprintf('%.3f', ($begin - $lastRemoveEnd) / 1e9) . " s after the last remove ended, never delivered: " . json_encode($got[$key] ?? []);
    }
}
foreach ($got as $key => $deliveries) {
    $outcome = isset($sent[$key]) ? $sent[$key][2] : 'never sent';   // null: its producer died in the call
    if ($outcome === 'F' || $outcome === 'X' || $outcome === 'never sent') {
        $phantoms++;
        $phantomDetail = "$key ($outcome) delivered " . json_encode($deliveries);
    }
}
$totalGot = array_sum(array_map('count', $got));
$report->check('every message comes back intact', $bad === [], count($bad) . ' damaged: ' . implode('; ', array_slice($bad, 0, 3)));
$report->check('nothing comes back that was refused or never sent', $phantoms === 0, "$phantoms such, e.g. $phantomDetail");
$report->check('nothing comes back twice beyond lease redelivery', $duplicates === 0, "$duplicates such, e.g. $dupDetail");
$report->check('every accepted message comes back (but for removes and killed deQueues)', $lost <= $allowance,
    "$lost lost, $allowance allowed by killed deQueue calls; e.g. $lostDetail\n"
    . count(array_filter($poisoned, fn ($op) => $op === 'm')) . " deQueueMany calls threw for an undecodable value (issue 11 #3 loses such a batch); "
    . "$lostNearBatch of the lost came from the same producer within 8 of such a value");
// One that found no room in the dead letters (producers filled the queue meanwhile) is counted.
$report->check('an undecodable message ends in the dead letters or is counted in stats()[\'dropped\'], never dropped silently',
    $droppedPoison <= $final['dropped'],
    "$droppedPoison undecodable messages accepted after the last remove are neither in the dead letters nor reported by an exception, e.g. $droppedDetail; dropped counted: {$final['dropped']}");
$report->check('each consumer gets each producer\'s messages in order', $order <= $hiddenLeases,
    "$order out of order, $hiddenLeases leases unseen; e.g. $orderDetail");
$report->check('deadLetters lists every dead letter', !preg_grep('/^L !/', $deadListed), implode('; ', preg_grep('/^L !/', $deadListed)));
$unexpected = array_filter($errors, fn ($e) => !str_contains($e, 'poison'));
$report->check('no operation throws (but for values whose decoding throws)', $unexpected === [], count($unexpected) . ' errors: ' . implode(' | ', array_slice(array_unique($unexpected), 0, 4)));
$odd = array_filter($fates, fn ($f) => $f !== 'exit 0' && $f !== 'signal 9');
$report->check('workers end only by our SIGKILL or by their own exit 0', $odd === [], json_encode($odd));
$report->print('multi');
printf("multi: final counters %s\n", json_encode(array_intersect_key($final, array_flip(['enqueued', 'dequeued', 'purged', 'dead', 'full_rejections', 'dropped', 'retries', 'expired', 'recoveries']))));
printf("multi: %d workers, %d messages sent, %d deliveries, %d SIGKILLs (%d with the queue empty), %d removes (%d messages maybe removed with it), %d stats looks, %d poison values, %.1f s\n",
    $nextId, count($sent), $totalGot, $kills, $blockedKills, count($removes), $lostToRemove, $samples, count($poisoned), microtime(true) - $started);
SHMQueue::remove($name);
