<?php
// A Redis list through phpredis (rPush / lPop) on a loopback server that run.sh starts
// (BENCH_REDIS_PORT: no persistence; the durable shapes' servers keep an append-only file).
// Values are serialized by phpredis itself (SERIALIZER_PHP, in C).

final class RedisList extends Driver
{
    private string $key;
    private ?Redis $redis = null;

    /** @param string $name in the table: a server of each persistence setting has its own */
    public function __construct(private ?int $port, private string $name = 'redis')
    {
        $this->key = 'bench:' . getmypid();
    }

    public function name(): string
    {
        return $this->name;
    }

    public function unsupported(mixed $value, int $batch): ?string
    {
        if (!class_exists('Redis')) {
            return 'phpredis not loaded';
        }
        return $this->port === null ? 'no redis-server (BENCH_REDIS_PORT unset)' : null;
    }

    public function prepare(): void
    {
        $this->connect()->del($this->key);
        $this->redis = null;
    }

    public function attach(): void
    {
        $this->redis = $this->connect();
    }

    private function connect(): Redis
    {
        $redis = new Redis();
        $redis->connect('127.0.0.1', $this->port);
        $redis->setOption(Redis::OPT_SERIALIZER, Redis::SERIALIZER_PHP);
        return $redis;
    }

    public function batch(mixed $value, int $n): mixed
    {
        $redis = $this->redis;
        $key = $this->key;
        for ($i = 0; $i < $n; $i++) {
            $redis->rPush($key, $value);
        }
        $got = null;
        for ($i = 0; $i < $n; $i++) {
            $got = $redis->lPop($key);
        }
        return $got;
    }

    public function send(mixed $value): void
    {
        $this->redis->rPush($this->key, $value);
    }

    public function receive(float $timeout): mixed
    {
        $got = $this->redis->lPop($this->key);
        if ($got !== false) {
            return $got;
        }
        // phpredis 5.3 takes whole seconds only.
        $popped = $this->redis->blPop([$this->key], max(1, (int) ceil($timeout)));
        return $popped ? $popped[1] : null;
    }

    public function detach(): void
    {
        $this->redis?->close();
        $this->redis = null;
    }

    public function leftover(): int
    {
        return $this->connect()->lLen($this->key);
    }

    public function cleanup(): void
    {
        if ($this->port !== null && class_exists('Redis')) {
            $this->connect()->del($this->key);
        }
    }
}
