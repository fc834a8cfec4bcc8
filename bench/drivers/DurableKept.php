<?php
// The extension's durable queue (a file in shmqueue.durable_dir, mapped shared), one object kept
// for the run as ext-kept, under one sync policy: off, batch or always.
//
// The policy is chosen by shmqueue.sync when the queue is created and kept in the file; that ini
// setting is php.ini-only, so each run's queue is created (and its ring warmed) by a separate PHP
// started with -d shmqueue.sync="POLICY", and the measuring processes just open it (quoted: the
// ini parser reads a bare off as an empty string).

final class DurableKept extends ExtKept
{
    /** @param string $policy off, batch or always
     *  @param ?string $dir shmqueue.durable_dir of this PHP (run.sh sets it; null: not set) */
    public function __construct(private string $policy, private ?string $dir)
    {
        parent::__construct();
    }

    public function name(): string
    {
        return 'durable-' . $this->policy;
    }

    public function unsupported(mixed $value, int $batch): ?string
    {
        $arguments = array_map(fn (ReflectionParameter $p) => $p->getName(), (new ReflectionMethod('SHMQueue', '__construct'))->getParameters());
        if (!in_array('durable', $arguments, true)) {
            return 'durable queues not built (SHMQueue has no durable argument)';
        }
        if ($this->dir === null) {
            return 'no durable dir (run bench/run.sh, which sets shmqueue.durable_dir)';
        }
        return getenv('SHMQUEUE_SO') ? null : 'SHMQUEUE_SO unset (the PHP that creates the queue loads it)';
    }

    public function prepare(): void
    {
        // remove(), never unlink(): a process that has the queue open moves to the new file then,
        // as the parent (which opened the last one) and its forked children must.
        SHMQueue::remove($this->queueName);
        $create = 'foreach (["Driver", "KeptQueueBatch", "ExtKept"] as $f) { require "$argv[1]/$f.php"; }'
            . ' ExtKept::warm(new SHMQueue($argv[2], (int) $argv[3], durable: true));';
        $command = array_merge([PHP_BINARY, '-d', 'extension=' . getenv('SHMQUEUE_SO'), '-d', "shmqueue.durable_dir={$this->dir}", '-d', "shmqueue.sync=\"{$this->policy}\"",
            '-r', $create, __DIR__, $this->queueName, (string) $this->capacity]);
        exec(implode(' ', array_map('escapeshellarg', $command)) . ' 2>&1', $output, $status);
        if ($status !== 0) {
            throw new RuntimeException("creating the {$this->policy} queue failed: " . implode("\n", $output));
        }
        $kept = $this->open()->stats()['sync'];
        if ($kept !== $this->policy) {
            throw new RuntimeException("the queue was created with sync $kept, not {$this->policy}");
        }
    }

    protected function open(): SHMQueue
    {
        return new SHMQueue($this->queueName, $this->capacity, durable: true);
    }
}
