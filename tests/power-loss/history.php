<?php
// The workload's logs (workload.php) read back: per message id, when its enQueue started and
// returned, when a deQueue or an ack of it started and returned (ns, CLOCK_MONOTONIC).

final class History
{
    /** @var array<string, array<string, int>> id => [B, E, DS, DE, AS, AE] as known */
    public array $messages = [];
    public int $start = PHP_INT_MAX;
    public int $end = 0;
    /** @var list<string> lines no message explains (garbled deliveries during the run) */
    public array $odd = [];

    public function __construct(string $logDir)
    {
        foreach (glob("$logDir/*.log") as $file) {
            foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
                $f = explode(' ', $line);
                $id = $f[1] ?? '';
                $m = &$this->messages[$id];
                match ($f[0]) {
                    'B' => $m['B'] = (int) $f[2],
                    'E' => $m['E'] = (int) $f[3],
                    'D' => [$m['DS'], $m['DE']] = [(int) $f[2], (int) $f[3]],
                    'A' => [$m['AS'], $m['AE']] = [(int) $f[2], (int) $f[3]],
                    default => null,
                };
                if ($id === 'garbled' || ($f[0] === 'D' && isset($m['DS']) && ($m['dequeues'] = ($m['dequeues'] ?? 0) + 1) > 1)) {
                    $this->odd[] = basename($file) . ": $line";
                }
                $this->start = min($this->start, (int) ($f[2] ?? PHP_INT_MAX));
                $this->end = max($this->end, (int) end($f));
                unset($m);
            }
        }
    }

    /** The producer and sequence number of an id "pN-SEQ". */
    public static function producer(string $id): array
    {
        [$p, $seq] = explode('-', $id, 2);
        return [$p, (int) $seq];
    }
}
