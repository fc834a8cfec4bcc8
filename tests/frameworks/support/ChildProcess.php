<?php

namespace ShmQueue\Tests;

/** A worker in a child process (PHP as this one runs, ChildPhp): started, killed, waited for. */
final class ChildProcess
{
    /** @param resource $process */
    private function __construct(private $process, private string $outputFile, private float $giveUpAt)
    {
    }

    /** Starts $script with $args; it is killed if it still runs after $maxSeconds. */
    public static function start(float $maxSeconds, string $script, string ...$args): self
    {
        $outputFile = tempnam(sys_get_temp_dir(), 'shmq-fw-out-');
        $process = proc_open(ChildPhp::command($script, ...$args), [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outputFile, 'a'], 2 => ['file', $outputFile, 'a']], $pipes);

        return new self($process, $outputFile, microtime(true) + $maxSeconds);
    }

    public function kill(): void
    {
        proc_terminate($this->process, SIGKILL);
    }

    /** Waits for the end. @return array{ending: string, output: string} ending: "signal N" or "exit N"; output: its stdout and stderr */
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
