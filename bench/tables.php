<?php
// The README's benchmark tables, in Markdown, from a saved report of bench/run.sh (its BENCH
// lines, machine line and targets), so that no figure is copied by hand:
//   bash bench/run.sh | tee bench/results/last-run.txt; php bench/tables.php bench/results/last-run.txt
declare(strict_types=1);

$text = file_get_contents($argv[1] ?? 'php://stdin');
$rows = $latency = $recovery = [];
foreach (explode("\n", $text) as $line) {
    if (!str_starts_with($line, 'BENCH ')) {
        continue;
    }
    $row = json_decode(substr($line, 6), true);
    match ($row['metric'] ?? 'throughput') {
        'throughput' => $rows[$row['shape']][$row['payload']][$row['driver']] = $row,
        'latency_us' => $latency[] = $row,
        'recovery_ms' => $recovery[] = $row,
        default => null,
    };
}
preg_match('/^CPU: .*$/m', $text, $machine);
preg_match('/^== shmqueue benchmark: (.*?), load average (.*?) ==$/m', $text, $when);
echo '<!-- made by php bench/tables.php from a saved report -->', "\n";
echo 'Measured ', $when[1] ?? '?', ' (load average ', $when[2] ?? '?', '). ', $machine[0] ?? '', "\n\n";

$mops = fn (?array $r) => $r === null || $r['ops_per_sec'] === null ? 'n/a' : sprintf('%.2f M ops/s', $r['ops_per_sec'] / 1e6);
$ratio = fn (?array $r) => $r === null ? '' : ($r['ratio'] === null ? 'n/a' : sprintf($r['ratio'] >= 0.1 ? '%.2f×' : '%.2g×', $r['ratio']));
$kinds = ['short' => 'short string', 'task' => 'task array', '1k' => '1 KiB', '64k' => '64 KiB'];
$one = $rows['1proc'] ?? [];

echo '| one process, object kept | ', implode(' | ', $kinds), " |\n|---|", str_repeat('---|', count($kinds)), "\n";
echo '| **extension** | ', implode(' | ', array_map(fn ($k) => '**' . $mops($one[$k]['ext-kept'] ?? null) . '**'
    . (isset($one[$k]['ext-kept']['mb_per_sec']) && $k === '64k' ? sprintf(' (%.1f GB/s)', $one[$k]['ext-kept']['mb_per_sec'] / 1e3) : ''), array_keys($kinds))), " |\n";
$labels = ['orig-kept' => 'original class', 'sysvmsg' => 'sysvmsg', 'redis' => 'Redis list (phpredis, loopback)',
    'floor' => 'floor: serialize + SplQueue + unserialize', 'copy' => 'plain copy of the bytes'];
foreach ($labels as $driver => $label) {
    echo "| $label | ", implode(' | ', array_map(function ($k) use ($one, $driver, $ratio) {
        $r = $one[$k][$driver] ?? null;
        return $r === null || isset($r['na']) ? ($r === null ? '' : 'n/a') : $ratio($r) . ($driver === 'copy' && isset($r['mb_per_sec']) ? sprintf(' (%.0f GB/s)', $r['mb_per_sec'] / 1e3) : '');
    }, array_keys($kinds))), " |\n";
}
echo '| harness alone (`null` row): ns per operation | ', implode(' | ', array_map(fn ($k) => isset($one[$k]['null']) ? sprintf('%.1f ns', 1e9 / $one[$k]['null']['ops_per_sec']) : '', array_keys($kinds))), " |\n\n";

echo '| one process, `new` + op + `unset` (php-fpm) | ', implode(' | ', $kinds), " |\n|---|", str_repeat('---|', count($kinds)), "\n";
echo '| **extension** | ', implode(' | ', array_map(fn ($k) => '**' . $mops($one[$k]['ext-per-op'] ?? null) . '**', array_keys($kinds))), " |\n";
foreach (['orig-per-op' => 'original class, pointer file on disk', 'orig-per-op-shm' => 'original class, pointer file on tmpfs'] as $driver => $label) {
    echo "| $label | ", implode(' | ', array_map(fn ($k) => isset($one[$k][$driver]) ? (isset($one[$k][$driver]['na']) ? 'n/a' : $ratio($one[$k][$driver])) : '', array_keys($kinds))), " |\n";
}

echo "\n| forked processes | extension, kept | sysvmsg | extension, `new` + op + `unset` | lost / duplicated (extension, all runs) |\n|---|---|---|---|---|\n";
foreach (['2p2c' => '2 producers + 2 consumers', '8p2c' => '8 producers + 2 consumers', '16p2c' => '16 producers + 2 consumers'] as $shape => $label) {
    foreach ($rows[$shape] ?? [] as $kind => $byDriver) {
        $twoByTwo = $rows['2p2c'][$kind] ?? [];
        $share = fn (string $d) => $shape !== '2p2c' && isset($byDriver[$d], $twoByTwo[$d]) && $twoByTwo[$d]['ops_per_sec']
            ? sprintf(' (%.0f%% of its 2+2)', $byDriver[$d]['ops_per_sec'] / $twoByTwo[$d]['ops_per_sec'] * 100) : '';
        $lost = array_sum(array_map(fn ($d) => $byDriver[$d]['lost'] ?? 0, ['ext-kept', 'ext-per-op']));
        $dup = array_sum(array_map(fn ($d) => $byDriver[$d]['duplicated'] ?? 0, ['ext-kept', 'ext-per-op']));
        $sent = array_sum(array_map(fn ($d) => $byDriver[$d]['sent_all_runs'] ?? 0, ['ext-kept', 'ext-per-op']));
        printf("| %s, %s | %s%s | %s%s | %s%s | %d / %d of %s |\n", $label, $kinds[$kind], $mops($byDriver['ext-kept'] ?? null), $share('ext-kept'),
            $ratio($byDriver['sysvmsg'] ?? null), $share('sysvmsg'), $mops($byDriver['ext-per-op'] ?? null), $share('ext-per-op'), $lost, $dup, number_format($sent));
    }
}

// The durable shapes: rates side by side (they span four orders of magnitude), ratios in the targets.
$durable = ['ext-kept' => 'shared memory', 'durable-off' => 'durable, off', 'durable-batch' => 'durable, batch', 'durable-always' => 'durable, always',
    'redis-always' => 'Redis, appendfsync always', 'redis-everysec' => 'Redis, everysec', 'mariadb' => 'MariaDB table, SKIP LOCKED'];
$rate = fn (?array $r) => $r === null ? '' : ($r['ops_per_sec'] === null ? 'n/a' : ($r['ops_per_sec'] >= 1e6 ? $mops($r) : number_format($r['ops_per_sec']) . ' ops/s'));
if (isset($rows['1p2c']) || isset($rows['4p2c'])) {
    echo "\n| durable, task array | ", implode(' | ', $durable), " |\n|---|", str_repeat('---|', count($durable)), "\n";
    foreach (['1p2c' => '1 producer + 2 consumers', '4p2c' => '4 producers + 2 consumers'] as $shape => $label) {
        echo "| $label | ", implode(' | ', array_map(fn ($d) => $rate($rows[$shape]['task'][$d] ?? null), array_keys($durable))), " |\n";
    }
}

echo "\n| latency, enQueue → deQueue across processes (µs) | p50 | p99 | p999 | max | messages (lost, duplicated) |\n|---|---|---|---|---|---|\n";
$names = ['ext-kept' => 'extension, kept', 'ext-per-op' => 'extension, `new` + op + `unset`', 'sysvmsg' => 'sysvmsg (blocking `msg_receive`)'];
foreach ($latency as $r) {
    printf("| %s, %s | %.1f | %.1f | %.1f | %.1f | %s (%d, %d) |\n", $names[$r['driver']] ?? $r['driver'], $r['condition'], $r['p50'], $r['p99'], $r['p999'], $r['max'], number_format($r['samples']), $r['lost'], $r['duplicated']);
}

if ($recovery) {
    echo "\n| recovery after a SIGKILLed lock holder | messages | recovering process had the pages mapped | fresh process |\n|---|---|---|---|\n";
    $median = function (array $v): string {
        if ($v === []) {
            return 'n/a';
        }
        sort($v);
        return sprintf('%.1f ms (max %.1f)', $v[intdiv(count($v), 2)], max($v));
    };
    foreach ($recovery as $r) {
        printf("| %s MiB, %s | %s | %s | %s |\n", number_format($r['mib']), $r['content'], number_format($r['records']), $median($r['warm']), $median($r['fresh']));
    }
}

if (preg_match('/== targets ==\n(.*?)\n\n/s', $text, $m)) {
    echo "\n| target | measured | |\n|---|---|---|\n";
    $delivery = [0, 0, 0, 0];
    foreach ($rows as $shape => $byKind) {
        foreach (str_ends_with($shape, 'p2c') ? $byKind : [] as $byDriver) {
            foreach (['ext-kept', 'ext-per-op'] as $d) {
                foreach (['lost', 'duplicated', 'leftover', 'sent_all_runs'] as $i => $key) {
                    $delivery[$i] += $byDriver[$d][$key] ?? 0;
                }
            }
        }
    }
    printf("| every forked shape: the extension lost / duplicated / left | %d / %d / %d of %s messages | %s |\n", $delivery[0], $delivery[1], $delivery[2],
        number_format($delivery[3]), $delivery[0] + $delivery[1] + $delivery[2] === 0 ? 'met' : '**missed**');
    foreach (explode("\n", $m[1]) as $line) {
        if (str_contains($line, 'lost/duplicated/left') || str_contains($line, 'latency,')) {
            continue; // summed above; the latency table has them
        }
        if (preg_match('/^\s+\[(\w+|n\/a)\]\s+(.*?)\s{2,}(.*)$/', $line, $t)) {
            $mark = ['met' => 'met', 'MISSED' => '**missed**', 'info' => 'info', 'n/a' => 'not measured'][$t[1]] ?? $t[1];
            printf("| %s | %s | %s |\n", str_replace('|', '\|', $t[2]), str_replace('|', '\|', $t[3]), $mark);
        }
    }
}

// The recovery target (scaling.php measures it; it is not among bench.php's targets).
foreach ($recovery as $r) {
    if ($r['mib'] === 1024 && str_starts_with($r['content'], 'full of 15') && $r['warm'] && $r['fresh']) {
        $worst = max(max($r['warm']), max($r['fresh']));
        printf("| recovery after a killed lock holder, full 1 GiB queue of small messages, < 50 ms | worst sample %.0f ms (%s messages) | %s |\n",
            $worst, number_format($r['records']), $worst < 50 ? 'met' : '**missed**');
    }
}
