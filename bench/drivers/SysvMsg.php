<?php
// PHP's System V message queues (sysvmsg), values serialized by msg_send itself. A message is
// at most kernel.msgmax bytes (8 KiB by default): bigger payloads are n/a. The queue's byte
// limit (kernel.msgmnb, 16 KiB by default) is raised for our queue when we may (root), so that
// a batch fits and producers are not throttled by a tiny buffer: that favours sysvmsg.

final class SysvMsg extends Driver
{
    /** Byte limit asked for our queue (msg_qbytes). */
    private const QUEUE_BYTES = 16 << 20;
    private const MAX_RECEIVE = 1 << 16;

    private int $key;
    private ?SysvMessageQueue $queue = null;
    /** Messages of the current payload that fit in the queue at once (batches are cut to it). */
    private int $fit = PHP_INT_MAX;

    public function __construct()
    {
        // A key of our own: pid-based, moved on while it is taken by someone else.
        $key = 0x5B000000 | (getmypid() & 0xFFFFFF);
        while (msg_queue_exists($key)) {
            $key++;
        }
        $this->key = $key;
    }

    public function name(): string
    {
        return 'sysvmsg';
    }

    public function unsupported(mixed $value, int $batch): ?string
    {
        $size = strlen(serialize($value));
        $max = (int) @file_get_contents('/proc/sys/kernel/msgmax') ?: 8192;
        if ($size > $max) {
            return "$size bytes > kernel.msgmax $max";
        }
        $this->prepare();
        $this->fit = intdiv($this->limit(), $size);
        return $this->fit < 1 ? "$size bytes > its queue limit of {$this->limit()} bytes" : null;
    }

    public function note(mixed $value, int $batch): ?string
    {
        return $this->fit < $batch ? "batches cut to {$this->fit} (msg_qbytes {$this->limit()}, not raisable here)" : null;
    }

    /** The queue's byte limit: kernel.msgmnb unless we could raise it. */
    private function limit(): int
    {
        return msg_stat_queue($this->queue ?? msg_get_queue($this->key, 0600))['msg_qbytes'];
    }

    public function prepare(): void
    {
        $this->cleanup();
        $this->queue = msg_get_queue($this->key, 0600);
        @msg_set_queue($this->queue, ['msg_qbytes' => self::QUEUE_BYTES]);
    }

    public function attach(): void
    {
        $this->queue ??= msg_get_queue($this->key, 0600);
    }

    public function batch(mixed $value, int $n): mixed
    {
        $queue = $this->queue;
        $got = null;
        for ($done = 0; $done < $n; $done += $chunk) {
            $chunk = min($n - $done, $this->fit);
            for ($i = 0; $i < $chunk; $i++) {
                msg_send($queue, 1, $value, true, false);
            }
            for ($i = 0; $i < $chunk; $i++) {
                msg_receive($queue, 0, $type, self::MAX_RECEIVE, $got, true, MSG_IPC_NOWAIT);
            }
        }
        return $got;
    }

    public function send(mixed $value): void
    {
        msg_send($this->queue, 1, $value, true, true);
    }

    /** Blocks until a message comes: sysvmsg has no timeout (the forked shape's STOP ends it). */
    public function receive(float $timeout): mixed
    {
        return msg_receive($this->queue, 0, $type, self::MAX_RECEIVE, $got, true, 0) ? $got : null;
    }

    public function leftover(): int
    {
        return msg_stat_queue(msg_get_queue($this->key, 0600))['msg_qnum'];
    }

    public function cleanup(): void
    {
        if (msg_queue_exists($this->key)) {
            msg_remove_queue(msg_get_queue($this->key));
        }
        $this->queue = null;
    }
}
