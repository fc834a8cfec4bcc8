<?php

namespace ShmQueue\Tests\Laravel;

use ShmQueue\Tests\ChildPhp;

/** Runs worker.php in a child process and says how it ended. */
final class WorkerProcess
{
    /** @param resource $process */
    private function __construct(private $process, private string $outputFile, private float $giveUpAt)
    {
    }

    /** @return array{ending: string, output: string} ending: "signal N" or "exit N"; output: its stdout and stderr */
    public static function run(array $connection, string $failedJobsFile, int $maxTries, int $maxTime): array
    {
        return self::start($connection, $failedJobsFile, $maxTries, $maxTime)->finish();
    }

    /** Starts the worker and returns at once (finish() waits for it). */
    public static function start(array $connection, string $failedJobsFile, int $maxTries, int $maxTime): self
    {
        $command = ChildPhp::command(__DIR__ . '/worker.php', json_encode($connection), $failedJobsFile, (string) $maxTries, (string) $maxTime);
        $outputFile = tempnam(sys_get_temp_dir(), 'shmq-fw-out-');
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outputFile, 'a'], 2 => ['file', $outputFile, 'a']], $pipes);

        return new self($process, $outputFile, microtime(true) + $maxTime + 15);
    }

    /** @return array{ending: string, output: string} */
    public function finish(): array
    {
        while (($status = proc_get_status($this->process))['running']) {
            if (microtime(true) > $this->giveUpAt) {
                proc_terminate($this->process, SIGKILL);
            }
            usleep(20_000);
        }
        proc_close($this->process);
        $output = (string) file_get_contents($this->outputFile);
        unlink($this->outputFile);

        return [
            'ending' => $status['signaled'] ? 'signal ' . $status['termsig'] : 'exit ' . $status['exitcode'],
            'output' => $output,
        ];
    }
}
