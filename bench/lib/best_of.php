<?php
// The best of several runs of one measurement (bench.php and scaling.php).

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
