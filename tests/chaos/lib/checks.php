<?php
// Shared by the reliability suites: prints checks as "ok - what" or "FAIL - what: expected ...,
// got ..." (the one check line format, counted by count_checks of tests/lib/common.sh) and
// figures as "  name: value".

function check(bool $passed, string $what, string $expected, string $got): bool
{
    echo $passed ? "ok - $what\n" : "FAIL - $what: expected $expected, got $got\n";
    return $passed;
}

function figure(string $name, $value): void
{
    printf("  %-34s %s\n", $name . ':', is_scalar($value) ? var_export($value, true) : json_encode($value));
}

/** The counters' identity: every message enqueued is dequeued, purged, waiting, leased or dead. */
function check_counters(array $stats, string $when): void
{
    $left = $stats['enqueued'] - $stats['dequeued'] - $stats['purged'];
    $held = $stats['length'] + $stats['in_flight'] + $stats['dead'];
    check(
        $left === $held,
        "queue {$stats['name']} counters consistent $when (enqueued - dequeued - purged == length + in_flight + dead)",
        (string) $held,
        "$left (enqueued {$stats['enqueued']}, dequeued {$stats['dequeued']}, purged {$stats['purged']}, "
            . "length {$stats['length']}, in_flight {$stats['in_flight']}, dead {$stats['dead']})"
    );
    check(
        $stats['length'] === $stats['ready'] + $stats['delayed'],
        "queue {$stats['name']} length == ready + delayed $when",
        (string) ($stats['ready'] + $stats['delayed']),
        (string) $stats['length']
    );
}

/** A JSON file written by an earlier step; a FAIL line and exit when it is missing or not JSON. */
function read_json(string $path): array
{
    $data = json_decode((string) @file_get_contents($path), true);
    if (!is_array($data)) {
        check(false, 'reading ' . basename($path), 'JSON', var_export(substr((string) @file_get_contents($path), 0, 300), true));
        exit(1);
    }
    return $data;
}
