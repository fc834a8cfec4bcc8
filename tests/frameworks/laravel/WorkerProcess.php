<?php

namespace ShmQueue\Tests\Laravel;

/** Runs worker.php in a child process and says how it ended. */
final class WorkerProcess
{
    /** @return array{ending: string, output: string} ending: "signal N" or "exit N"; output: its stdout and stderr */
    public static function run(array $connection, string $failedJobsFile, int $maxTries, int $maxTime): array
    {
        $command = [PHP_BINARY];
        if ($so = getenv('SHMQUEUE_SO')) {
            $command[] = '-d';
            $command[] = 'extension=' . $so;
        }
        array_push($command, __DIR__ . '/worker.php', json_encode($connection), $failedJobsFile, (string) $maxTries, (string) $maxTime);

        $outputFile = tempnam(sys_get_temp_dir(), 'shmq-fw-out-');
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outputFile, 'a'], 2 => ['file', $outputFile, 'a']], $pipes);
        $giveUpAt = microtime(true) + $maxTime + 15;
        while (($status = proc_get_status($process))['running']) {
            if (microtime(true) > $giveUpAt) {
                proc_terminate($process, SIGKILL);
            }
            usleep(20_000);
        }
        proc_close($process);
        $output = (string) file_get_contents($outputFile);
        unlink($outputFile);

        return [
            'ending' => $status['signaled'] ? 'signal ' . $status['termsig'] : 'exit ' . $status['exitcode'],
            'output' => $output,
        ];
    }
}
