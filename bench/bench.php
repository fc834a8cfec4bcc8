<?php
// The benchmark (run it with bench/run.sh, which starts redis-server and loads the extension).
// Every driver runs on the same payloads in the same run; see bench/README.md for what is
// measured and how. Settings (environment):
//   BENCH_SECONDS  length of one timed run of a cell (default 1); each cell is the best of
//   BENCH_RUNS     runs (default 3)
//   BENCH_BATCH    enqueues (then dequeues) per batch (default 50: the original class holds 99)
//   BENCH_REDIS_PORT  loopback port of the redis-server to use (unset: redis rows are n/a)
//   BENCH_ORIGINAL    path of the original class (default tests/compat/original_shmqueue.php)
//   BENCH_TMPDIR   where the bench's files go, the original's shmq.ptr included (default: the
//                  system temp dir); orig-per-op-shm keeps its shmq.ptr in /dev/shm (tmpfs)
//   SHMQUEUE_SO    the extension's .so, for the php-fpm memory measurement
//   BENCH_DRIVERS, BENCH_PAYLOADS, BENCH_SHAPES  comma-separated subsets (default: all), and
//   BENCH_MEMORY=0 to skip the record-size and php-fpm measurements
declare(strict_types=1);

foreach (['lib/payloads.php', 'lib/cpu.php', 'lib/one_process.php', 'lib/forked.php', 'lib/record_size.php', 'lib/fpm_rss.php', 'lib/report.php', 'lib/targets.php',
    'drivers/Driver.php', 'drivers/KeptQueueBatch.php', 'drivers/ExtKept.php', 'drivers/ExtPerOp.php', 'drivers/Original.php', 'drivers/OriginalKept.php',
    'drivers/OriginalPerOp.php', 'drivers/SysvMsg.php', 'drivers/RedisList.php', 'drivers/SplFloor.php', 'drivers/PlainCopy.php'] as $file) {
    require __DIR__ . "/$file";
}

if (!extension_loaded('shmqueue')) {
    fwrite(STDERR, "bench.php: the shmqueue extension is not loaded (run bench/run.sh)\n");
    exit(2);
}

$seconds = (float) (getenv('BENCH_SECONDS') ?: 1.0);
$runs = max(1, (int) (getenv('BENCH_RUNS') ?: 3));
$batch = max(1, (int) (getenv('BENCH_BATCH') ?: 50));
$redisPort = getenv('BENCH_REDIS_PORT') ? (int) getenv('BENCH_REDIS_PORT') : null;
$originalPath = getenv('BENCH_ORIGINAL') ?: dirname(__DIR__) . '/tests/compat/original_shmqueue.php';
$extensionPath = getenv('SHMQUEUE_SO') ?: '';
$only = fn (string $variable) => getenv($variable) ? explode(',', getenv($variable)) : null;
$onlyDrivers = $only('BENCH_DRIVERS');
$onlyPayloads = $only('BENCH_PAYLOADS');
$onlyShapes = $only('BENCH_SHAPES');
$measureMemory = getenv('BENCH_MEMORY') !== '0';

// Everything (the original's shmq.ptr and its copy, the forked shape's reports, php-fpm's
// sockets) lives in a private temp dir, removed at exit.
$workDir = (getenv('BENCH_TMPDIR') ?: sys_get_temp_dir()) . '/shmq-bench-' . getmypid();
mkdir($workDir, 0700);
chdir($workDir);
$shmDir = is_dir('/dev/shm') ? '/dev/shm/shmq-bench-' . getmypid() : null;
if ($shmDir !== null) {
    mkdir($shmDir, 0700);
}

function progress(string $message): void
{
    fwrite(STDERR, $message . "\n");
}

$originalMissing = Original::load($originalPath, $workDir);
/** @var Driver[] $drivers */
$drivers = [new ExtKept(), new ExtPerOp(), new OriginalKept($workDir), new OriginalPerOp($workDir),
    ...($shmDir === null ? [] : [new OriginalPerOp($shmDir, 'orig-per-op-shm')]),
    new SysvMsg(), new RedisList($redisPort), new SplFloor(), new PlainCopy()];
$drivers = array_values(array_filter($drivers, fn (Driver $driver) => $onlyDrivers === null || in_array($driver->name(), $onlyDrivers, true)));
$wanted = fn (?array $subset, array $all) => $subset === null ? $all : array_values(array_intersect($all, $subset));

$benchPid = getmypid();
register_shutdown_function(function () use ($drivers, $workDir, $shmDir, $benchPid) {
    if (getmypid() !== $benchPid) {
        return; // a forked child dying of a fatal error: the parent cleans up
    }
    foreach ($drivers as $driver) {
        try {
            $driver->cleanup();
        } catch (Throwable) {
            // best effort at exit; each cell already cleaned up after itself
        }
    }
    chdir('/');
    exec('rm -rf ' . escapeshellarg($workDir) . ($shmDir === null ? '' : ' ' . escapeshellarg($shmDir)));
});
pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM] as $signal) {
    pcntl_signal($signal, fn () => exit(130));
}

$rows = [];
/** The best of $runs results of $measure (by ops_per_sec; CPU per op: the least of all runs);
 * lost/duplicated/leftover and the messages sent (sent_all_runs) summed over all runs. */
function bestOf(int $runs, callable $measure): array
{
    $best = null;
    $sums = ['lost' => 0, 'duplicated' => 0, 'leftover' => 0, 'sent_all_runs' => 0];
    $cpu = INF;
    for ($i = 0; $i < $runs; $i++) {
        $result = $measure();
        $cpu = min($cpu, $result['cpu_ns_per_op']);
        $result['sent_all_runs'] = $result['sent'] ?? null;
        foreach ($sums as $key => $sum) {
            if (isset($result[$key])) {
                $sums[$key] = $sum + $result[$key];
            }
        }
        if ($best === null || $result['ops_per_sec'] > $best['ops_per_sec']) {
            $best = $result;
        }
    }
    $best['cpu_ns_per_op'] = $cpu;
    return isset($best['lost']) ? array_merge($best, $sums) : $best;
}

function addRow(array &$rows, string $shape, string $kind, Driver $driver, ?array $result, ?string $na, ?string $note): void
{
    $row = ['shape' => $shape, 'payload' => $kind, 'driver' => $driver->name(), 'ops_per_sec' => $result['ops_per_sec'] ?? null,
        'ratio' => null, 'cpu_ns_per_op' => $result['cpu_ns_per_op'] ?? null];
    if ($note !== null) {
        $row['note'] = $note;
    }
    if ($na !== null) {
        $row['na'] = $na;
        $row['note'] = "n/a: $na";
        progress(sprintf('%-6s %-6s %-15s n/a (%s)', $shape, $kind, $driver->name(), $na));
    } else {
        if (in_array($kind, ['1k', '64k'], true)) {
            // One message moved = an enqueue + dequeue pair (for `copy`: one copy).
            $row['mb_per_sec'] = $row['ops_per_sec'] / 2 * Payloads::size($kind) / 1e6;
        }
        foreach (['sent', 'received', 'lost', 'duplicated', 'leftover', 'sent_all_runs'] as $key) {
            if (isset($result[$key])) {
                $row[$key] = $result[$key];
            }
        }
        if (isset($result['lost'])) {
            $row['note'] = trim(sprintf('lost %d, duplicated %d, left %d of %d (all runs); ', $result['lost'], $result['duplicated'], $result['leftover'], $result['sent_all_runs']) . ($row['note'] ?? ''), '; ');
        }
        progress(sprintf('%-6s %-6s %-15s %s ops/s', $shape, $kind, $driver->name(), number_format($row['ops_per_sec'])));
    }
    $rows[] = $row;
}

$started = microtime(true);
$loadAtStart = sys_getloadavg()[0];
progress("bench: BENCH_SECONDS=$seconds BENCH_RUNS=$runs BENCH_BATCH=$batch, redis port " . ($redisPort ?? 'none')
    . ', original class ' . ($originalMissing === null ? 'loaded' : "missing ($originalMissing)"));

foreach ($wanted($onlyShapes, ['1proc']) ? $wanted($onlyPayloads, Payloads::KINDS) : [] as $kind) {
    $value = Payloads::make($kind, Payloads::SAMPLE_TAG);
    foreach ($drivers as $driver) {
        $na = $driver->unsupported($value, $batch);
        $result = $na === null ? bestOf($runs, fn () => OneProcess::run($driver, $value, $batch, $seconds)) : null;
        addRow($rows, '1proc', $kind, $driver, $result, $na, $na === null ? $driver->note($value, $batch) : null);
    }
}

// The forked shape: 64 KiB is measured in one process only (building tagged 64 KiB messages
// would make the producers measure their own copying).
foreach ($wanted($onlyShapes, ['2p2c']) ? $wanted($onlyPayloads, ['short', 'task', '1k']) : [] as $kind) {
    $value = Payloads::make($kind, Payloads::SAMPLE_TAG);
    foreach ($drivers as $driver) {
        if (!$driver->shareable()) {
            continue;
        }
        $na = $driver->unsupported($value, $batch);
        $result = $na === null ? bestOf($runs, fn () => Forked::run($driver, $kind, $seconds, $workDir)) : null;
        addRow($rows, '2p2c', $kind, $driver, $result, $na, null);
    }
}

// Ratios to the extension with the object kept, same shape and payload.
$byKey = [];
foreach ($rows as $row) {
    $byKey[$row['shape']][$row['payload']][$row['driver']] = $row['ops_per_sec'];
}
foreach ($rows as &$row) {
    $reference = $byKey[$row['shape']][$row['payload']]['ext-kept'] ?? null;
    if ($row['ops_per_sec'] !== null && $reference) {
        $row['ratio'] = $row['ops_per_sec'] / $reference;
    }
}
unset($row);

if ($measureMemory) {
    progress('bench: record sizes');
}
$recordSamples = [
    'empty string' => '',
    '1-byte string' => 'a',
    '6-byte string' => 'abcdef',
    '7-byte string' => 'abcdefg',
    'short (15 B)' => Payloads::make('short', Payloads::SAMPLE_TAG),
    'task array' => Payloads::make('task', Payloads::SAMPLE_TAG),
    'int' => 123456,
    '1 KiB string' => Payloads::make('1k', Payloads::SAMPLE_TAG),
    '64 KiB string' => Payloads::make('64k', Payloads::SAMPLE_TAG),
];
$records = $measureMemory ? RecordSize::measure($recordSamples, ExtKept::CAPACITY) : [];

$fpmMissing = !$measureMemory ? 'BENCH_MEMORY=0' : ($extensionPath === '' ? 'SHMQUEUE_SO unset' : FpmRss::unavailable());
$fpm = null;
if ($fpmMissing === null) {
    progress('bench: php-fpm worker memory');
    $fpm = FpmRss::measure($extensionPath, $workDir);
}

echo "\n== shmqueue benchmark: ", date('Y-m-d H:i'), ', PHP ', PHP_VERSION, ', ', trim((string) shell_exec('nproc')), ' CPUs, load average ',
    sprintf('%.1f at start, %.1f at end', $loadAtStart, sys_getloadavg()[0]), " ==\n";
echo "operation = one enqueue or one dequeue; 1proc = batches of $batch enqueues then $batch dequeues in one process;\n";
echo "2p2c = 2 producer + 2 consumer processes; best of $runs runs of {$seconds} s per cell; MB/s = 10^6 payload bytes moved\n";
echo "through the queue per second (for copy: copied); vs ext-kept = ops/s divided by ext-kept's in the same shape and payload;\n";
echo "cpu ns/op = user+system CPU time per operation (2p2c: of all 4 processes, start-up included).\n";
echo "orig-per-op keeps shmq.ptr in $workDir (", trim((string) shell_exec('stat -f -c %T ' . escapeshellarg($workDir))), "), orig-per-op-shm in /dev/shm (tmpfs).\n\n";
Report::table($rows);

Report::records($records);
Report::fpm($fpm, $fpmMissing);

echo "\n";
Report::benchLines($rows);
Report::memoryLines($records, $fpm);

$checks = Targets::check($rows, $records, $fpm, $fpmMissing);
echo "\n== targets (issue 3) ==\n";
Report::targets($checks);
printf("\nbench: done in %.0f s\n", microtime(true) - $started);
