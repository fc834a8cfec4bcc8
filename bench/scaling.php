<?php
// How an operation's cost grows with the work: queue depth, message size, consumers, queues
// open in one process; and recovery time after a killed lock holder against queue size. Prints
// a table per measurement and draws each as a PNG (with its .dat) in bench/plots/. Run it with
// `bash bench/run.sh scaling` (which loads the extension). Settings (environment):
//   SCALE_SECONDS  length of one timed run of a point (default 0.3); SCALE_RUNS runs per point,
//                  the best kept (default 2)
//   SCALE_PARTS    comma-separated subset of depth,size,consumers,queues,recovery (default: all)
//   SCALE_DEPTHS   comma-separated depths (default 0,10,...,1000000)
//   SCALE_RECOVERY_MIB  comma-separated queue sizes in MiB for recovery (default 1,8,64,256,1024)
//   SCALE_PLOTS    where the plots go (default bench/plots); BENCH_TMPDIR as for bench.php
declare(strict_types=1);

foreach (['lib/best_of.php', 'lib/payloads.php', 'lib/cpu.php', 'lib/machine.php', 'lib/one_process.php', 'lib/forked.php', 'lib/plot.php',
    'lib/scaling/timed.php', 'lib/scaling/depth.php', 'lib/scaling/size.php', 'lib/scaling/consumers.php', 'lib/scaling/queues.php',
    'lib/scaling/recovery.php', 'drivers/Driver.php', 'drivers/KeptQueueBatch.php', 'drivers/ExtKept.php', 'drivers/SysvMsg.php',
    'drivers/PlainCopy.php'] as $file) {
    require __DIR__ . "/$file";
}
if (!extension_loaded('shmqueue')) {
    fwrite(STDERR, "scaling.php: the shmqueue extension is not loaded (run bash bench/run.sh scaling)\n");
    exit(2);
}

function progress(string $message): void
{
    fwrite(STDERR, $message . "\n");
}

$list = fn (string $variable, array $default) => getenv($variable) ? array_map('trim', explode(',', getenv($variable))) : $default;
$seconds = (float) (getenv('SCALE_SECONDS') ?: 0.3);
$runs = max(1, (int) (getenv('SCALE_RUNS') ?: 2));
$parts = $list('SCALE_PARTS', ['depth', 'size', 'consumers', 'queues', 'recovery']);
$depths = array_map('intval', $list('SCALE_DEPTHS', ScaleDepth::DEPTHS));
$recoveryMib = array_map('intval', $list('SCALE_RECOVERY_MIB', ScaleRecovery::SIZES_MIB));
$plots = getenv('SCALE_PLOTS') ?: __DIR__ . '/plots';
@mkdir($plots, 0755, true);

$workDir = (getenv('BENCH_TMPDIR') ?: sys_get_temp_dir()) . '/shmq-scaling-' . getmypid();
mkdir($workDir, 0700);
$mainPid = getmypid();
register_shutdown_function(function () use ($workDir, $mainPid) {
    if (getmypid() === $mainPid) {
        exec('rm -rf ' . escapeshellarg($workDir));
    }
});
pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM] as $signal) {
    pcntl_signal($signal, fn () => exit(130));
}

$machine = Machine::describe();
$started = microtime(true);
progress('scaling: ' . Machine::line($machine));
$out = [];
$drawn = [];
$subtitle = " ({$machine['cpu']}, {$machine['cpus']} CPUs)";
$tables = '';
$say = function (string $text) use (&$tables) {
    $tables .= $text;
};

if (in_array('depth', $parts, true)) {
    $rows = ScaleDepth::run($seconds, $runs, $depths);
    $say("\n== cost against queue depth (task array; ext, object kept; batches of 50 + 50; one stats() / deadLetters(10) call) ==\n"
        . sprintf("%10s %10s %12s %12s %18s\n", 'waiting', 'ns/op', 'cpu ns/op', 'stats() µs', 'deadLetters(10) µs'));
    foreach ($rows as $row) {
        $say(sprintf("%10s %10.0f %12.0f %12.1f %18.1f\n", number_format($row['depth']), $row['ns'], $row['cpu_ns'], $row['stats_us'], $row['dead_us']));
        $out[] = 'BENCH ' . json_encode(['metric' => 'scale_depth', 'depth' => $row['depth'], 'ns_per_op' => round($row['ns'], 1), 'cpu_ns_per_op' => round($row['cpu_ns'], 1),
            'stats_us' => round($row['stats_us'], 1), 'dead_letters_us' => round($row['dead_us'], 1)]);
    }
    // depth 0 is drawn at 1 on the log axes
    $drawn[] = Plot::write("$plots/depth.png", "Cost against queue depth$subtitle", 'messages waiting (0 drawn at 1)', 'ns (log scale)',
        ['enQueue or deQueue, object kept (wall)' => array_map(fn ($r) => [max(1, $r['depth']), $r['ns']], $rows),
         'enQueue or deQueue, object kept (CPU)' => array_map(fn ($r) => [max(1, $r['depth']), $r['cpu_ns']], $rows),
         'one stats() call' => array_map(fn ($r) => [max(1, $r['depth']), $r['stats_us'] * 1e3], $rows),
         'one deadLetters(10) call' => array_map(fn ($r) => [max(1, $r['depth']), $r['dead_us'] * 1e3], $rows)], ['logx' => true, 'logy' => true]);
}

if (in_array('size', $parts, true)) {
    $result = ScaleSize::run($seconds, $runs);
    $say("\n== cost against message size (ns per message: an enqueue + dequeue pair; copy: one memcpy) ==\n");
    $say(sprintf("%10s" . str_repeat(' %18s', count($result)) . "\n", 'bytes', ...array_keys($result)));
    foreach (ScaleSize::sizes() as $size) {
        $cells = [];
        foreach ($result as $name => $rows) {
            $row = current(array_filter($rows, fn ($r) => $r['size'] === $size));
            $cells[] = $row ? sprintf('%.0f (%.0f MB/s)', $row['ns'], $row['mb_per_sec']) : 'n/a';
        }
        $say(sprintf("%10s" . str_repeat(' %18s', count($cells)) . "\n", number_format($size), ...$cells));
    }
    foreach ($result as $name => $rows) {
        foreach ($rows as $row) {
            $out[] = 'BENCH ' . json_encode(['metric' => 'scale_size', 'driver' => $name, 'bytes' => $row['size'], 'ns_per_message' => round($row['ns'], 1), 'mb_per_sec' => round($row['mb_per_sec'], 1)]);
        }
    }
    $labels = ['ext-kept' => 'shmqueue, object kept', 'sysvmsg' => 'sysvmsg (up to kernel.msgmax)', 'copy' => 'plain copy (memcpy)'];
    $series = [];
    foreach ($result as $name => $rows) {
        $series[$labels[$name] ?? $name] = array_map(fn ($r) => [$r['size'], $r['ns']], $rows);
    }
    $drawn[] = Plot::write("$plots/size.png", "Cost of a message against its size$subtitle", 'message bytes', 'ns per message (enqueue + dequeue; copy: one copy)', $series, ['logx' => true, 'logy' => true]);
}

if (in_array('consumers', $parts, true)) {
    $result = ScaleConsumers::run(max($seconds, 1.0), $runs, $workDir);
    $say("\n== cost against consumers (2 producers, task array, forked; wall ns/op = 1 / rate) ==\n" . sprintf("%10s %20s %20s\n", 'consumers', ...array_map(fn ($n) => "$n ns/op (cpu)", array_keys($result))));
    foreach (ScaleConsumers::CONSUMERS as $i => $consumers) {
        $say(sprintf("%10d" . str_repeat(' %20s', count($result)) . "\n", $consumers, ...array_map(fn ($rows) => sprintf('%.0f (%.0f)', $rows[$i]['ns'], $rows[$i]['cpu_ns']), array_values($result))));
    }
    $series = [];
    foreach ($result as $name => $rows) {
        foreach ($rows as $row) {
            $out[] = 'BENCH ' . json_encode(['metric' => 'scale_consumers', 'driver' => $name, 'consumers' => $row['consumers'], 'ns_per_op' => round($row['ns'], 1), 'cpu_ns_per_op' => round($row['cpu_ns'], 1), 'messages' => $row['messages']]);
        }
        $series["$name (wall)"] = array_map(fn ($r) => [$r['consumers'], $r['ns']], $rows);
        $series["$name (CPU)"] = array_map(fn ($r) => [$r['consumers'], $r['cpu_ns']], $rows);
    }
    $drawn[] = Plot::write("$plots/consumers.png", "Cost against consumers, 2 producers$subtitle", 'consumer processes', 'ns per operation', $series, ['logx' => true, 'xtics' => ScaleConsumers::CONSUMERS]);
}

if (in_array('queues', $parts, true)) {
    $result = ScaleQueues::run($seconds, $runs);
    $say("\n== cost against queues open in one process (task array, enqueue + dequeue; ns/op) ==\n" . sprintf("%10s" . str_repeat(' %30s', count($result)) . "\n", 'queues', ...array_keys($result)));
    foreach (ScaleQueues::COUNTS as $i => $count) {
        $say(sprintf("%10s" . str_repeat(' %30.0f', count($result)) . "\n", number_format($count), ...array_map(fn ($rows) => $rows[$i]['ns'], array_values($result))));
    }
    $series = [];
    foreach ($result as $way => $rows) {
        foreach ($rows as $row) {
            $out[] = 'BENCH ' . json_encode(['metric' => 'scale_queues', 'way' => $way, 'queues' => $row['queues'], 'ns_per_op' => round($row['ns'], 1), 'cpu_ns_per_op' => round($row['cpu_ns'], 1)]);
        }
        $series[$way] = array_map(fn ($r) => [$r['queues'], $r['ns']], $rows);
    }
    $drawn[] = Plot::write("$plots/queues.png", "Cost against queues open in one process$subtitle", 'queues open', 'ns per operation', $series, ['logx' => true]);
}

if (in_array('recovery', $parts, true)) {
    $rows = ScaleRecovery::run($workDir, $recoveryMib);
    $say("\n== recovery after a SIGKILLed lock holder (ms: the first operation after the kill; median [max] of the samples) ==\n");
    $say(sprintf("%8s %-24s %12s %16s %16s %13s %11s %6s %6s\n", 'MiB', 'content', 'records', 'warm ms', 'fresh ms', 'fresh faults', 'plain op', 'ns/rec', 'kills'));
    $median = fn (array $v) => $v ? sprintf('%.1f [%.1f]', ScaleRecovery::median($v), max($v)) : 'n/a';
    $small = $warm = $fresh = [];
    foreach ($rows as $row) {
        $perRecord = $row['records'] > 0 && $row['warm'] ? sprintf('%.1f', ScaleRecovery::median($row['warm']) * 1e6 / $row['records']) : '-';
        $say(sprintf("%8d %-24s %12s %16s %16s %13s %8.3f ms %6s %6d\n", $row['mib'], $row['label'], number_format($row['records']), $median($row['warm']),
            $median($row['fresh']), $row['faults'] ? number_format(ScaleRecovery::median($row['faults'])) : '-', $row['baseline'], $perRecord, $row['kills']));
        $out[] = 'BENCH ' . json_encode(['metric' => 'recovery_ms', 'mib' => $row['mib'], 'content' => $row['label'], 'records' => $row['records'],
            'warm' => array_map(fn ($v) => round($v, 2), $row['warm']), 'fresh' => array_map(fn ($v) => round($v, 2), $row['fresh']), 'fresh_faults' => $row['faults'], 'kills' => $row['kills']]);
        if (str_starts_with($row['label'], 'full of 15') && $row['warm'] && $row['fresh']) {
            $warm[] = [$row['mib'], ScaleRecovery::median($row['warm'])];
            $fresh[] = [$row['mib'], ScaleRecovery::median($row['fresh'])];
        }
    }
    $say("(warm: recovered by the process that filled the queue; fresh: by a process forked after the kill, its page tables empty;\n"
        . " fresh faults: page faults the fresh process took in that operation (median); plain op: the same getLength() without a recovery;
 records: messages in the queue; ns/rec: warm median per record)\n");
    $drawn[] = Plot::write("$plots/recovery.png", "Recovery after a killed lock holder, full queue of 15-byte messages$subtitle", 'queue size (MiB)', 'ms (median)',
        ['recovered by a process with the pages mapped' => $warm, 'recovered by a fresh process' => $fresh], ['logx' => true, 'logy' => true, 'hline' => [50, 'target: 50 ms']]);
}

echo "\n== shmqueue scaling: ", date('Y-m-d H:i T'), ' ==', "\n", Machine::line($machine), sprintf(', at end %.2f', sys_getloadavg()[0]), "\n";
echo "SCALE_SECONDS=$seconds SCALE_RUNS=$runs (best kept)\n";
echo $tables, "\n";
echo implode("\n", $out), "\n";
echo "\nplots: ", implode("\n       ", $drawn), "\n";
printf("scaling: done in %.0f s\n", microtime(true) - $started);
