<?php
// The chaos run: producers and consumers (forked) work on two queues for a fixed time while this
// process SIGKILLs one of them every few milliseconds and forks a replacement. Alongside, one at a
// time, a "victim" (spawned with SHMQUEUE_TEST_PAUSE, test-hooks build) pauses while holding the
// lock and prints "paused <point>"; it is killed right then, so lock holders die for sure. The run
// goes on past <seconds> until MIN_LOCK_KILLS victims died at each pause point (a loaded machine
// is slow to start them), but not past MAX_SECONDS; then the workers get SIGTERM and finish.
//   php chaos.php <dir> <seconds> <dequeue queue> <lease queue>
// Queue <dequeue queue> is consumed with deQueue(), <lease queue> with reserve()/ack().
// Writes to <dir>: one log per worker incarnation (<role>-<n>.log), incarnations.tsv
// ("<n> <role> <fate>", fate = exited:<code> | killed | lock-killed:<point> | signal:<n>),
// stats-stopped.json (both queues once every worker stopped) and run.json (figures of the run).
require __DIR__ . '/worker.php';

const LEASE_SECONDS = 0.5;
const CAPACITY = 512 * 1024;
const MAX_ATTEMPTS = 100;
const PAUSE_MS = 1000;              // how long a victim holds the lock if we were slow to kill it
const MIN_LOCK_KILLS = 3;
const MAX_SECONDS = 120;            // beyond <seconds>, waiting for the lock kills
const WORKER_ROLES = ['producer', 'producer', 'producer', 'dequeue', 'dequeue', 'lease', 'lease'];
const VICTIMS = [                   // pause point => roles that reach it (record-written: enQueue only)
    'locked' => ['producer', 'dequeue', 'lease'],
    'record-written' => ['producer'],
    'journal-armed' => ['producer', 'dequeue', 'lease'],
];

[, $dir, $seconds, $dequeueQueue, $leaseQueue] = $argv;
foreach ([$dequeueQueue, $leaseQueue] as $name) {
    new SHMQueue($name, CAPACITY, LEASE_SECONDS, MAX_ATTEMPTS);
}
$started = microtime(true);
$minimumUntil = $started + (float) $seconds;
$until = $minimumUntil + MAX_SECONDS;    // workers' own deadline, should this process die
$incarnations = 0;
$fates = [];                        // incarnation => "role fate"
$workers = [];                      // pid => [incarnation, role]
$killedByUs = [];                   // pid => true
$victim = null;
$victimsAt = array_fill_keys(array_keys(VICTIMS), 0);
$nextVictimAt = $started + 0.2;
$nextKillAt = $started + 0.01;
$lockKills = array_fill_keys(['locked', 'record-written', 'journal-armed'], 0);
$strayOutput = [];

function fork_worker(string $role): void
{
    global $incarnations, $workers, $dir, $dequeueQueue, $leaseQueue, $until;
    $incarnation = ++$incarnations;
    // Blocked until the child has its SIGTERM handler (run_worker unblocks it).
    pcntl_sigprocmask(SIG_BLOCK, [SIGTERM]);
    $pid = pcntl_fork();
    if ($pid === 0) {
        mt_srand(random_int(0, PHP_INT_MAX));
        exit(run_worker($role, $dequeueQueue, $leaseQueue, "$dir/$role-$incarnation.log", $until, $incarnation));
    }
    pcntl_sigprocmask(SIG_UNBLOCK, [SIGTERM]);
    $workers[$pid] = [$incarnation, $role];
}

function fate(int $status): string
{
    if (pcntl_wifsignaled($status)) {
        return pcntl_wtermsig($status) === SIGKILL ? 'killed' : 'signal:' . pcntl_wtermsig($status);
    }
    return 'exited:' . pcntl_wexitstatus($status);
}

/** Collects the workers that ended; replaces them while the run lasts. */
function reap_workers(bool $replace): void
{
    global $workers, $fates, $killedByUs;
    foreach ($workers as $pid => [$incarnation, $role]) {
        if (pcntl_waitpid($pid, $status, WNOHANG) !== $pid) {
            continue;
        }
        unset($workers[$pid]);
        $fate = fate($status);
        if ($fate === 'killed' && !isset($killedByUs[$pid])) {
            $fate = 'signal:9-not-ours';
        }
        $fates[$incarnation] = "$role $fate";
        if ($replace) {
            fork_worker($role);
        }
    }
}

/** Starts a victim for the pause point with the fewest lock kills, its roles taken in turn. */
function spawn_victim(): void
{
    global $victim, $victimsAt, $lockKills, $incarnations, $dir, $dequeueQueue, $leaseQueue, $until;
    $point = array_keys($lockKills, min($lockKills))[0];
    $role = VICTIMS[$point][$victimsAt[$point]++ % count(VICTIMS[$point])];
    $incarnation = ++$incarnations;
    $env = getenv() + ['SHMQUEUE_TEST_PAUSE' => $point, 'SHMQUEUE_TEST_PAUSE_MS' => (string) PAUSE_MS];
    $command = [PHP_BINARY, ...explode("\n", trim(getenv('SHMQUEUE_PHP_FLAGS'))), __DIR__ . '/worker.php',
        $role, $dequeueQueue, $leaseQueue, "$dir/$role-$incarnation.log", (string) $until, (string) $incarnation];
    $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    stream_set_blocking($pipes[2], false);
    $victim = ['process' => $process, 'stderr' => $pipes[2], 'pid' => proc_get_status($process)['pid'],
        'incarnation' => $incarnation, 'role' => $role, 'point' => $point, 'since' => microtime(true), 'buffer' => ''];
}

/** Ends the victim (already dead or to be killed now) and records its fate. */
function finish_victim(string $fate): void
{
    global $victim, $fates, $nextVictimAt, $strayOutput;
    proc_terminate($victim['process'], SIGKILL);
    $rest = stream_get_contents($victim['stderr']);
    $buffer = trim($victim['buffer'] . $rest);
    if ($buffer !== '' && !preg_match('/^paused [a-z-]+$/', $buffer)) {
        $strayOutput[] = "victim {$victim['incarnation']}: $buffer";
    }
    fclose($victim['stderr']);
    proc_close($victim['process']);
    $fates[$victim['incarnation']] = "{$victim['role']} $fate";
    $victim = null;
    $nextVictimAt = microtime(true) + mt_rand(100, 300) / 1000;
}

function chaos_goes_on(float $now): bool
{
    global $minimumUntil, $until, $lockKills;
    return $now < $minimumUntil || (min($lockKills) < MIN_LOCK_KILLS && $now < $until);
}

/** Kills the victim the moment it says it holds the lock at its pause point. */
function watch_victim(float $wait): void
{
    global $victim, $lockKills;
    $read = [$victim['stderr']];
    $none = null;
    if (stream_select($read, $none, $none, 0, (int) ($wait * 1e6)) < 1) {
        $status = proc_get_status($victim['process']);
        if (!$status['running']) {
            finish_victim('exited:' . $status['exitcode']);
        } elseif (microtime(true) - $victim['since'] > 10) {
            finish_victim('killed');        // never reached its pause point (say, no message came)
        }
        return;
    }
    $victim['buffer'] .= (string) fread($victim['stderr'], 4096);
    if (str_contains($victim['buffer'], "paused {$victim['point']}\n")) {
        posix_kill($victim['pid'], SIGKILL);
        $lockKills[$victim['point']]++;
        $victim['buffer'] = str_replace("paused {$victim['point']}\n", '', $victim['buffer']);
        finish_victim("lock-killed:{$victim['point']}");
    }
}


foreach (WORKER_ROLES as $role) {
    fork_worker($role);
}
while (chaos_goes_on($now = microtime(true))) {
    reap_workers(true);
    if ($victim === null && $now >= $nextVictimAt) {
        spawn_victim();
    }
    $wait = max(0.0, $nextKillAt - microtime(true));
    if ($victim !== null) {
        watch_victim($wait);
    } else {
        usleep((int) ($wait * 1e6));
    }
    if (microtime(true) >= $nextKillAt && $workers) {
        $pid = array_rand($workers);
        posix_kill($pid, SIGKILL);
        $killedByUs[$pid] = true;
        $nextKillAt = microtime(true) + mt_rand(2, 10) / 1000;
    }
}
if ($victim !== null) {
    finish_victim('killed');
}
$chaosSeconds = microtime(true) - $started;
// On SIGTERM every worker returns by itself; one that does not is stuck in the queue.
foreach (array_keys($workers) as $pid) {
    posix_kill($pid, SIGTERM);
}
$stuck = 0;
$waitUntil = microtime(true) + 10;
while ($workers && microtime(true) < $waitUntil) {
    reap_workers(false);
    usleep(10000);
}
foreach ($workers as $pid => [$incarnation, $role]) {
    $stuck++;
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $status);
    $fates[$incarnation] = "$role stuck";
}

ksort($fates);
file_put_contents("$dir/incarnations.tsv", implode('', array_map(fn ($n, $f) => "$n $f\n", array_keys($fates), $fates)));
$stats = [];
foreach ([$dequeueQueue, $leaseQueue] as $name) {
    $stats[$name] = (new SHMQueue($name))->stats();
}
file_put_contents("$dir/stats-stopped.json", json_encode($stats));
file_put_contents("$dir/run.json", json_encode([
    'seconds' => round($chaosSeconds, 1),
    'stop_seconds' => round(microtime(true) - $started - $chaosSeconds, 1),
    'incarnations' => $incarnations,
    'lock_kills' => $lockKills,
    'stuck_workers' => $stuck,
    'stray_victim_output' => $strayOutput,
]));
