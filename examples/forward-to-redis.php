<?php

/**
 * Outgrowing one machine: moves jobs from the local queue into a Redis Stream, in pipelined
 * batches, acking them only once Redis has accepted them. Web servers keep enqueueing into
 * their fast local queue, which buffers through a Redis outage; a cluster of machines
 * consumes the stream (XREADGROUP).
 *
 * php forward-to-redis.php --queue NAME --redis HOST:PORT --stream KEY [--batch 100]
 *
 * Each stream entry: job (the local job id), attempts, format ("json", or "php" for values
 * JSON cannot carry: objects, binary strings), payload.
 *
 * A batch Redis did not accept stays leased here and is sent again once Redis is back; it is
 * handed back to the queue only when its leases are about to run out (costing each job one of
 * the queue's attempts), and no new jobs are taken while Redis is away. Delivery is at least
 * once: the stream holds an entry twice when Redis stored a batch but the reply never came
 * (Redis crashed in between) or this process died before acking; consumers dedupe on an id in
 * the payload. Stops on SIGTERM or SIGINT, handing unsent jobs back to the queue.
 */

declare(strict_types=1);

const WAIT_SECONDS = 1.0;       // a blocking reserve(); a signal ends it early
const LEASE_MARGIN = 2.0;       // release a held batch when its lease has less than this left
const MAX_BACKOFF = 1.0;

$options = getopt('', ['queue:', 'redis:', 'stream:', 'batch:']);
if (!isset($options['queue'], $options['redis'], $options['stream'])) {
    fwrite(STDERR, "usage: php forward-to-redis.php --queue NAME --redis HOST:PORT --stream KEY [--batch 100]\n");
    exit(2);
}
[$host, $port] = explode(':', $options['redis'], 2) + [1 => '6379'];
$stream = $options['stream'];
$batchSize = max(1, (int) ($options['batch'] ?? 100));

$stop = false;
pcntl_async_signals(true);
pcntl_signal(SIGTERM, function () use (&$stop): void {
    $stop = true;
});
pcntl_signal(SIGINT, function () use (&$stop): void {
    $stop = true;
});

$queue = new SHMQueue($options['queue']);
$redis = null;
$pending = [];        // jobs reserved here and not yet accepted by Redis
$backoff = 0.1;
$outage = null;       // when Redis became unreachable
$forwarded = 0;
$log = fn (string $line) => print('[forwarder ' . getmypid() . '] ' . $line . "\n");
$log("forwarding queue \"{$options['queue']}\" to stream \"$stream\" at $host:$port");

while (!$stop) {
    if ($redis === null) {
        // No new jobs are taken while Redis is away: an outage costs a job one attempt at most.
        try {
            $redis = connect($host, (int) $port);
        } catch (RedisException $error) {
            if ($outage === null) {
                $outage = microtime(true);
                $log("redis unavailable ({$error->getMessage()})");
            }
            if ($pending !== [] && leaseRunsOut($pending)) {
                $log('handing ' . count($pending) . ' held jobs back to the queue: their leases run out');
                releaseAll($queue, $pending);
                $pending = [];
            }
            usleep((int) ($backoff * 1e6));  // a signal cuts it short
            $backoff = min($backoff * 2, MAX_BACKOFF);
            continue;
        }
        if ($outage !== null) {
            $log(sprintf('redis is back after %.1f s', microtime(true) - $outage));
            $outage = null;
        }
        $backoff = 0.1;
    }
    if ($pending === []) {
        $pending = reserveBatch($queue, $batchSize);
        continue;  // back to the top: a signal may have ended the wait
    }
    try {
        $accepted = push($redis, $stream, $pending);
    } catch (RedisException $error) {
        $redis = null;
        $outage = microtime(true);
        $log("redis unavailable ({$error->getMessage()}): holding " . count($pending) . ' jobs');
        continue;
    }
    foreach ($accepted as $key) {
        // False: the lease ran out meanwhile and the job went to someone else, who adds it too.
        $queue->ack($pending[$key]) || $log("lease of job {$pending[$key]->id} ran out: it may be forwarded twice");
        unset($pending[$key]);
        $forwarded++;
    }
}
releaseAll($queue, $pending);
$log("stopped: forwarded $forwarded jobs, handed " . count($pending) . ' back to the queue');

/** Up to $size jobs: waits for the first, takes what is ready besides. @return SHMQueueJob[] */
function reserveBatch(SHMQueue $queue, int $size): array
{
    $jobs = [];
    while (count($jobs) < $size && ($job = $queue->reserve($jobs === [] ? WAIT_SECONDS : 0)) !== null) {
        $jobs[] = $job;
    }
    return $jobs;
}

function connect(string $host, int $port): Redis
{
    $redis = new Redis();
    if (!$redis->connect($host, $port, 1.0, null, 0, 5.0) || $redis->ping() === false) {
        throw new RedisException("cannot connect to $host:$port");
    }
    return $redis;
}

/**
 * XADDs the jobs in one pipeline. @param SHMQueueJob[] $jobs
 * @return int[] the keys of the jobs Redis accepted
 */
function push(Redis $redis, string $stream, array $jobs): array
{
    $pipeline = $redis->pipeline();
    foreach ($jobs as $job) {
        $json = carriesAsJson($job->value);
        $pipeline->xAdd($stream, '*', [
            'job' => (string) $job->id,
            'attempts' => (string) $job->attempts,
            'format' => $json ? 'json' : 'php',
            'payload' => $json ? json_encode($job->value, JSON_PRESERVE_ZERO_FRACTION) : serialize($job->value),
        ]);
    }
    $results = $pipeline->exec();
    if (!is_array($results)) {
        throw new RedisException('pipeline failed: ' . ($redis->getLastError() ?? 'no reply'));
    }
    $keys = array_keys($jobs);
    $accepted = [];
    foreach ($results as $i => $entryId) {
        if (is_string($entryId)) {
            $accepted[] = $keys[$i];
        }
    }
    if ($accepted === []) {
        throw new RedisException('XADD refused: ' . ($redis->getLastError() ?? 'no reason given'));
    }
    return $accepted;
}

/** Whether JSON brings the value back as it was: no objects, UTF-8 strings, finite floats. */
function carriesAsJson(mixed $value): bool
{
    if (is_array($value)) {
        foreach ($value as $item) {
            if (!carriesAsJson($item)) {
                return false;
            }
        }
        return true;
    }
    return match (true) {
        is_string($value) => preg_match('//u', $value) === 1,
        is_float($value) => is_finite($value),
        default => !is_object($value),
    };
}

/** Whether a lease among $jobs has less than LEASE_MARGIN left. @param SHMQueueJob[] $jobs */
function leaseRunsOut(array $jobs): bool
{
    return min(array_map(fn ($job) => $job->leaseUntil, $jobs)) - microtime(true) < LEASE_MARGIN;
}

/** Hands jobs back to the queue, for the next forwarder (or this one, later). */
function releaseAll(SHMQueue $queue, array $jobs): void
{
    foreach ($jobs as $job) {
        $queue->release($job);
    }
}
