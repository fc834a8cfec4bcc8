<?php
// The benchmark (run it with bench/run.sh, which starts redis-server and loads the extension).
// Every driver runs on the same payloads in the same run; see bench/README.md for what is
// measured and how. Settings (environment):
//   BENCH_SECONDS  length of one timed run of a cell (default 1); each cell is the best of
//   BENCH_RUNS     runs (default 3)
//   BENCH_BATCH    enqueues (then dequeues) per batch (default 50: the original class holds 99)
//   BENCH_REDIS_PORT  loopback port of the redis-server to use (unset: redis rows are n/a)
//   BENCH_REDIS_ALWAYS_PORT, BENCH_REDIS_EVERYSEC_PORT  the same for the durable shapes' servers
//                  (appendonly yes, appendfsync always / everysec)
//   BENCH_MARIADB_SOCKET  the socket of the durable shapes' mariadbd (unset: mariadb rows n/a)
//   shmqueue.durable_dir (ini, -d)  where the durable queues' files go (run.sh: on disk)
//   BENCH_ORIGINAL    path of the original class (default tests/compat/original_shmqueue.php)
//   BENCH_TMPDIR   where the bench's files go, the original's shmq.ptr included (default: the
//                  system temp dir); orig-per-op-shm keeps its shmq.ptr in /dev/shm (tmpfs)
//   SHMQUEUE_SO    the extension's .so, for the php-fpm memory measurement
//   BENCH_DRIVERS, BENCH_PAYLOADS, BENCH_SHAPES  comma-separated subsets (default: all; shapes:
//                  1proc, 2p2c, 8p2c, 16p2c, 1p2c, 4p2c, latency), and
//   BENCH_MEMORY=0 to skip the record-size and php-fpm measurements
//   BENCH_LATENCY_RATE  messages/s of the 2+2 load under which latency is measured (200000)
declare(strict_types=1);

foreach (['lib/best_of.php', 'lib/payloads.php', 'lib/cpu.php', 'lib/machine.php', 'lib/latency.php', 'lib/one_process.php', 'lib/forked.php', 'lib/record_size.php', 'lib/fpm_rss.php', 'lib/report.php', 'lib/targets.php',
    'drivers/Driver.php', 'drivers/KeptQueueBatch.php', 'drivers/ExtKept.php', 'drivers/ExtPerOp.php', 'drivers/Original.php', 'drivers/OriginalKept.php',
    'drivers/OriginalPerOp.php', 'drivers/DurableKept.php', 'drivers/MariaDbTable.php', 'drivers/SysvMsg.php', 'drivers/RedisList.php', 'drivers/SplFloor.php', 'drivers/PlainCopy.php', 'drivers/NullDriver.php'] as $file) {
    require __DIR__ . "/$file";
}

if (!extension_loaded('shmqueue')) {
    fwrite(STDERR, "bench.php: the shmqueue extension is not loaded (run bench/run.sh)\n");
    exit(2);
}

$seconds = (float) (getenv('BENCH_SECONDS') ?: 1.0);
$runs = max(1, (int) (getenv('BENCH_RUNS') ?: 3));
$batch = max(1, (int) (getenv('BENCH_BATCH') ?: 50));
$port = fn (string $variable) => getenv($variable) ? (int) getenv($variable) : null;
$redisPort = $port('BENCH_REDIS_PORT');
$durableDir = ini_get('shmqueue.durable_dir') ?: null;
$originalPath = getenv('BENCH_ORIGINAL') ?: dirname(__DIR__) . '/tests/compat/original_shmqueue.php';
$extensionPath = getenv('SHMQUEUE_SO') ?: '';
$only = fn (string $variable) => getenv($variable) ? explode(',', getenv($variable)) : null;
$onlyDrivers = $only('BENCH_DRIVERS');
$onlyPayloads = $only('BENCH_PAYLOADS');
$onlyShapes = $only('BENCH_SHAPES');
$measureMemory = getenv('BENCH_MEMORY') !== '0';
$latencyRate = max(1000, (int) (getenv('BENCH_LATENCY_RATE') ?: 200_000));

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
    new SysvMsg(), new RedisList($redisPort), new SplFloor(), new PlainCopy(), new NullDriver()];
// The durable shapes' own peers: the extension's durable queues under each policy, Redis with an
// append-only file, and the article's MariaDB table (ext-kept comes from the list above).
$durablePeers = [new DurableKept('off', $durableDir), new DurableKept('batch', $durableDir), new DurableKept('always', $durableDir),
    new RedisList($port('BENCH_REDIS_ALWAYS_PORT'), 'redis-always'), new RedisList($port('BENCH_REDIS_EVERYSEC_PORT'), 'redis-everysec'),
    new MariaDbTable(getenv('BENCH_MARIADB_SOCKET') ?: null)];
$selected = fn (array $list) => array_values(array_filter($list, fn (Driver $driver) => $onlyDrivers === null || in_array($driver->name(), $onlyDrivers, true)));
$drivers = $selected($drivers);
$durablePeers = $selected($durablePeers);
$wanted = fn (?array $subset, array $all) => $subset === null ? $all : array_values(array_intersect($all, $subset));

$benchPid = getmypid();
register_shutdown_function(function () use ($drivers, $durablePeers, $workDir, $shmDir, $benchPid) {
    if (getmypid() !== $benchPid) {
        return; // a forked child dying of a fatal error: the parent cleans up
    }
    foreach ([...$drivers, ...$durablePeers] as $driver) {
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
function addRow(array &$rows, string $shape, string $kind, Driver $driver, ?array $result, ?string $na, ?string $note): void
{
    $row = ['shape' => $shape, 'payload' => $kind, 'driver' => $driver->name(), 'ops_per_sec' => $result['ops_per_sec'] ?? null,
        'ratio' => null, 'cpu_ns_per_op' => $result['cpu_ns_per_op'] ?? null, 'per_request' => $driver->perRequest()];
    if ($note !== null) {
        $row['note'] = $note;
    }
    if ($na !== null) {
        $row['na'] = $na;
        $row['note'] = "n/a: $na";
        progress(sprintf('%-6s %-6s %-15s n/a (%s)', $shape, $kind, $driver->name(), $na));
    } else {
        if ($driver->name() === 'null') {
            $row['note'] = sprintf('harness: %.1f ns per operation (wall)', 1e9 / $row['ops_per_sec']);
        } elseif (in_array($kind, ['1k', '64k'], true)) {
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
$machine = Machine::describe();
$loadAtStart = $machine['load'][0];
progress('bench: ' . Machine::line($machine));
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

// The forked shapes: 64 KiB is measured in one process only (building tagged 64 KiB messages
// would make the producers measure their own copying). 8 and 16 producers (2 consumers): the
// task array only, the extension both ways and sysvmsg, each compared with its own 2p2c rate.
// 1 and 4 producers (2 consumers), the task array: durable queues beside the shared-memory one
// and the durable peers.
$named = fn (array $names) => array_values(array_filter([...$drivers, ...$durablePeers], fn (Driver $driver) => in_array($driver->name(), $names, true)));
$manyProducers = $named(['ext-kept', 'ext-per-op', 'sysvmsg']);
$durableShape = [...$named(['ext-kept']), ...$durablePeers];
$forkedShapes = ['2p2c' => [2, ['short', 'task', '1k'], array_filter($drivers, fn (Driver $driver) => $driver->shareable())],
    '8p2c' => [8, ['task'], $manyProducers], '16p2c' => [16, ['task'], $manyProducers],
    '1p2c' => [1, ['task'], $durableShape], '4p2c' => [4, ['task'], $durableShape]];
foreach ($forkedShapes as $shape => [$producers, $kinds, $shapeDrivers]) {
    foreach ($wanted($onlyShapes, [$shape]) ? $wanted($onlyPayloads, $kinds) : [] as $kind) {
        $value = Payloads::make($kind, Payloads::SAMPLE_TAG);
        foreach ($shapeDrivers as $driver) {
            $na = $driver->unsupported($value, $batch);
            $result = $na === null ? bestOf($runs, fn () => Forked::run($driver, $kind, $seconds, $workDir, $producers, 2)) : null;
            addRow($rows, $shape, $kind, $driver, $result, $na, null);
        }
    }
}

// Ratios to the extension used the same way (object kept, or opened per operation: never one
// against the other), same shape and payload. The null row has none (it moves nothing).
$byKey = [];
foreach ($rows as $row) {
    $byKey[$row['shape']][$row['payload']][$row['driver']] = $row['ops_per_sec'];
}
foreach ($rows as &$row) {
    $reference = $byKey[$row['shape']][$row['payload']][$row['per_request'] ? 'ext-per-op' : 'ext-kept'] ?? null;
    if ($row['ops_per_sec'] !== null && $reference && $row['driver'] !== 'null') {
        $row['ratio'] = $row['ops_per_sec'] / $reference;
    }
    // Many producers: the same driver's 2+2 rate is the reference (never kept against per-op).
    $twoByTwo = $byKey['2p2c'][$row['payload']][$row['driver']] ?? null;
    if (in_array($row['shape'], ['8p2c', '16p2c'], true) && $row['ops_per_sec'] !== null && $twoByTwo) {
        $row['vs_2p2c'] = $row['ops_per_sec'] / $twoByTwo;
        $row['note'] = sprintf('%.2fx its 2p2c rate; ', $row['vs_2p2c']) . ($row['note'] ?? '');
    }
}
unset($row);

// Latency, enQueue to deQueue across processes, a blocked consumer: idle and under 2+2 load.
$latency = [];
foreach ($wanted($onlyShapes, ['latency']) ? $drivers : [] as $driver) {
    if (!in_array($driver->name(), ['ext-kept', 'ext-per-op', 'sysvmsg'], true)) {
        continue;
    }
    foreach (['idle' => fn () => Latency::idle($driver, $workDir), '2p2c load' => fn () => Latency::loaded($driver, $workDir, $seconds * 2, $latencyRate)] as $condition => $measure) {
        $latency[] = ['driver' => $driver->name(), 'condition' => $condition] + $measure();
        $last = end($latency);
        progress(sprintf('latency %-10s %-10s p50 %.1f us, p99 %.1f us, p999 %.1f us', $driver->name(), $condition, $last['p50'], $last['p99'], $last['p999']));
    }
}

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

echo "\n== shmqueue benchmark: ", date('Y-m-d H:i T'), ', load average ',
    sprintf('%.1f at start, %.1f at end', $loadAtStart, sys_getloadavg()[0]), " ==\n";
echo Machine::line($machine), "\n";
echo "operation = one enqueue or one dequeue; 1proc = batches of $batch enqueues then $batch dequeues in one process;\n";
echo "2p2c = 2 producer + 2 consumer processes (8p2c, 16p2c: 8, 16 producers); best of $runs runs of {$seconds} s per cell; MB/s = 10^6 payload bytes moved\n";
echo "through the queue per second (for copy: copied); vs ext = ops/s divided by the extension's used the same way (ext-kept's,\n";
echo "or ext-per-op's for the drivers opening a queue per operation) in the same shape and payload;\n";
echo "cpu ns/op = user+system CPU time per operation (forked shapes: of all children, start-up included);\n";
echo "null = the harness's own loop with each operation replaced by an assignment (its cost per operation).\n";
echo "1p2c, 4p2c = 1, 4 producers + 2 consumers: durable-POLICY = the extension's durable queue (shmqueue.sync=POLICY), files in ",
    $durableDir ?? 'n/a', $durableDir === null ? '' : ' (' . trim((string) shell_exec('stat -f -c %T ' . escapeshellarg($durableDir))) . ')', ";\n";
echo "redis-always/-everysec = a Redis list, appendonly yes, appendfsync always/everysec; mariadb = an InnoDB table polled\n";
echo "with SELECT ... FOR UPDATE SKIP LOCKED (their servers' CPU is not in cpu ns/op).\n";
echo "orig-per-op keeps shmq.ptr in $workDir (", trim((string) shell_exec('stat -f -c %T ' . escapeshellarg($workDir))), "), orig-per-op-shm in /dev/shm (tmpfs).\n\n";
Report::table($rows);

Report::latency($latency, $latencyRate);
Report::records($records);
Report::fpm($fpm, $fpmMissing);

echo "\n";
Report::benchLines($rows);
Report::latencyLines($latency);
Report::memoryLines($records, $fpm);

$checks = Targets::check($rows, $records, $fpm, $fpmMissing, $latency);
echo "\n== targets ==\n";
Report::targets($checks);
printf("\nbench: done in %.0f s\n", microtime(true) - $started);
