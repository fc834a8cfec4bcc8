<?php
// Printing: the table, one machine-readable BENCH line per row, and the target check.

final class Report
{
    /** @param list<array> $rows rows made by bench.php */
    public static function table(array $rows): void
    {
        $format = "%-6s %-7s %-15s %14s %11s %10s %8s  %s\n";
        printf($format, 'shape', 'payload', 'driver', 'ops/s', 'vs ext', 'MB/s', 'cpu ns/op', 'notes');
        echo str_repeat('-', 110), "\n";
        $previous = null;
        foreach ($rows as $row) {
            $group = $row['shape'] . $row['payload'];
            if ($previous !== null && $group !== $previous) {
                echo "\n";
            }
            $previous = $group;
            printf(
                $format,
                $row['shape'],
                $row['payload'],
                $row['driver'],
                $row['ops_per_sec'] === null ? 'n/a' : number_format($row['ops_per_sec']),
                $row['ratio'] === null ? '-' : sprintf($row['ratio'] >= 0.1 ? '%.3fx' : '%.2gx', $row['ratio']),
                isset($row['mb_per_sec']) ? sprintf('%.0f', $row['mb_per_sec']) : '',
                $row['cpu_ns_per_op'] === null ? '' : sprintf('%.0f', $row['cpu_ns_per_op']),
                $row['note'] ?? '',
            );
        }
    }

    public static function benchLines(array $rows): void
    {
        foreach ($rows as $row) {
            $line = [
                'driver' => $row['driver'],
                'payload' => $row['payload'],
                'shape' => $row['shape'],
                'ops_per_sec' => $row['ops_per_sec'] === null ? null : round($row['ops_per_sec']),
                'ratio' => $row['ratio'] === null ? null : round($row['ratio'], 4),
            ];
            foreach (['mb_per_sec', 'cpu_ns_per_op', 'vs_2p2c', 'sent', 'received', 'lost', 'duplicated', 'leftover', 'sent_all_runs', 'na'] as $extra) {
                if (isset($row[$extra])) {
                    $line[$extra] = is_float($row[$extra]) ? round($row[$extra], $extra === 'vs_2p2c' ? 3 : 1) : $row[$extra];
                }
            }
            echo 'BENCH ', json_encode($line, JSON_UNESCAPED_SLASHES), "\n";
        }
    }

    /** @param list<array{0: string, 1: string, 2: bool|null|'info'}> $checks what, measured, met (null: not measured) */
    public static function targets(array $checks): void
    {
        foreach ($checks as [$what, $shown, $met]) {
            $mark = match ($met) { true => '[met]', false => '[MISSED]', null => '[n/a]', 'info' => '[info]' };
            printf("  %-8s %-58s %s\n", $mark, $what, $shown);
        }
    }

    /** @param list<array> $latency rows of Latency::idle()/loaded() with driver and condition */
    public static function latency(array $latency, int $rate): void
    {
        if ($latency === []) {
            return;
        }
        echo "\n== latency, enQueue to deQueue across processes (consumer blocked in the receive; µs) ==\n";
        printf("%-11s %-10s %8s %9s %9s %9s %9s  %s\n", 'driver', 'condition', 'samples', 'p50', 'p99', 'p999', 'max', 'notes');
        foreach ($latency as $row) {
            printf("%-11s %-10s %8d %9.1f %9.1f %9.1f %9.1f  lost %d, duplicated %d of %d\n", $row['driver'], $row['condition'], $row['samples'],
                $row['p50'], $row['p99'], $row['p999'], $row['max'], $row['lost'], $row['duplicated'], $row['sent']);
        }
        printf("(idle: 1 producer, 1 consumer, one task array every %d µs; 2p2c load: 2 producers paced to %s messages/s in all, 2 consumers)\n",
            Latency::IDLE_GAP_US, number_format($rate));
    }

    public static function latencyLines(array $latency): void
    {
        foreach ($latency as $row) {
            echo 'BENCH ', json_encode(['metric' => 'latency_us'] + array_map(fn ($v) => is_float($v) ? round($v, 2) : $v, $row), JSON_UNESCAPED_SLASHES), "\n";
        }
    }

    public static function records(array $records): void
    {
        echo "\n== record size in the ring (used_bytes / messages, vs the codec's encoded value) ==\n";
        printf("%-16s %9s %9s %12s %16s\n", 'value', 'raw B', 'encoded B', 'B/message', 'record overhead');
        foreach ($records as $record) {
            printf("%-16s %9d %9d %12.1f %16.1f\n", $record['label'], $record['raw'], $record['encoded'], $record['per_message'], $record['overhead']);
        }
        echo "(raw: string length, or serialize() length for the array; encoded: 1 version byte + tag + varint length + bytes)\n";
    }

    public static function fpm(?array $fpm, ?string $missing): void
    {
        echo "\n== php-fpm worker resident memory (1 static worker, after 5 warm-up requests; median of 3 pool starts) ==\n";
        if ($fpm === null) {
            echo "  n/a: $missing\n";
            return;
        }
        $columns = ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'Pss', 'Private', 'SoRss'];
        printf("%-9s" . str_repeat(' %9s', count($columns)) . "   (kB)\n", 'pool', ...$columns);
        foreach ($fpm as $mode => $fields) {
            printf("%-9s" . str_repeat(' %9d', count($columns)) . "\n", $mode, ...array_map(fn ($c) => $fields[$c], $columns));
        }
        echo "(without: no extension; loaded: extension loaded, unused; used: the request enqueues and dequeues a message.\n";
        echo " VmRSS counts shared pages such as the .so's code in full; Private is this worker's own pages;\n";
        echo " SoRss is the resident part of the extension's .so mappings)\n";
    }

    public static function memoryLines(array $records, ?array $fpm): void
    {
        foreach ($records as $record) {
            echo 'BENCH ', json_encode(['metric' => 'record_bytes', 'value' => $record['label'], 'encoded' => $record['encoded'],
                'per_message' => $record['per_message'], 'overhead' => $record['overhead']]), "\n";
        }
        foreach ($fpm ?? [] as $mode => $fields) {
            echo 'BENCH ', json_encode(['metric' => 'fpm_worker_kb', 'pool' => $mode] + $fields), "\n";
        }
    }
}
