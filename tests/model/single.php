<?php
// One process, every method of SHMQueue in random order, each result checked exactly against a
// plain-PHP model of the queue (records, their states, attempts, leases, delays, counters).
// Rounds of random length, each on a fresh queue; a round ends at its first disagreement (the
// model no longer knows the state), printing its seed and last operations to reproduce it.
//   php single.php <seed> <seconds> <queue name prefix>
// SHMQUEUE_MODEL_ROUND=<round seed> runs just that round. Order the model cannot know exactly:
// messages that were leased, delayed or dead may come back at any point once available (the
// ring compacts them); never-leased ones come back in FIFO order.
require __DIR__ . '/values.php';
require __DIR__ . '/report.php';

const CAPACITY = 65536;
const LEASE = 0.4;
const MAX_ATTEMPTS = 3;
const GUARD = 0.05;          // no lease or delay may run out this close to an operation

final class Diverged extends Exception
{
}

final class Round
{
    private SHMQueue $q;
    private SHMQueue $q2;             // a second object on the same queue
    private ValueMaker $m;
    /** @var array<int, array> id => record; ids grow with enqueue order */
    private array $recs = [];
    private array $jobs = [];         // [SHMQueueJob, record id, generation]
    private array $c = [];            // counters
    private int $nextId = 1;
    private int $generation = 0;
    private int $lastJobId = 0;
    private int $slots = 0;
    private bool $exists = true;      // false from a remove() to the next operation, which re-creates it
    private array $log = [];
    public int $ops = 0;
    public int $removes = 0;

    public function __construct(private int $seed, private string $name, private Report $report)
    {
        $this->m = new ValueMaker(new Random\Randomizer(new Random\Engine\Mt19937($seed)));
        SHMQueue::remove($name);
        $this->q = new SHMQueue($name, CAPACITY, LEASE, MAX_ATTEMPTS);
        $this->q2 = new SHMQueue($name);
        $this->resetCounters();
        $this->slots = $this->q->stats()['lease_slots'];
    }

    private function resetCounters(): void
    {
        $this->c = array_fill_keys(['enqueued', 'dequeued', 'purged', 'full_rejections', 'retries', 'expired'], 0);
        $this->recs = [];
        $this->generation++;
        $this->lastJobId = 0;             // job ids are unique for the life of one queue
    }

    /** The queue object for the next operation (which re-creates a removed queue). */
    private function queue(bool $either = true): SHMQueue
    {
        $this->exists = true;
        return $either && $this->m->chance(0.2) ? $this->q2 : $this->q;
    }

    private function note(string $op): void
    {
        if (getenv('SHMQUEUE_MODEL_TRACE')) {           // every operation and the model's records before it
            echo "#{$this->ops} $op   model: " . implode(' ', array_map(fn ($id, $r) => "#$id:{$r['state']}" . ($r['plain'] ? 'P' : '')
                . ($r['poison'] !== null ? '!' : '') . "/{$r['attempts']}", array_keys($this->recs), $this->recs)) . "\n";
        }
        $this->log[] = sprintf('#%d %s', $this->ops, $op);
        if (count($this->log) > 12) {
            array_shift($this->log);
        }
    }

    /** Fails $what with the round's seed and last operations; ends the round when $fatal. */
    private function bad(string $what, string $detail, bool $fatal = true): void
    {
        $this->report->fail($what, "round seed {$this->seed} (SHMQUEUE_MODEL_ROUND={$this->seed}), op {$this->ops}: $detail\n"
            . "last ops: " . implode(' | ', $this->log));
        if ($fatal) {
            throw new Diverged($what);
        }
    }

    private function expect(string $what, bool $true, string $detail): void
    {
        $true ? $this->report->ok($what) : $this->bad($what, $detail);
    }

    // ---- the model's view of time -------------------------------------------------------

    /** Times at which some record changes availability. */
    private function events(): array
    {
        $times = [];
        foreach ($this->recs as $r) {
            if ($r['state'] === 'delayed') {
                $times[] = $r['due'];
            } elseif ($r['state'] === 'leased') {
                $times[] = $r['until'][0];
                $times[] = $r['until'][1];
            }
        }
        return $times;
    }

    /** Waits until no record changes availability within $window seconds from now. */
    private function guard(float $window): void
    {
        for ($i = 0; $i < 20; $i++) {
            $now = microtime(true);
            $near = array_filter($this->events(), fn ($t) => $t > $now - GUARD && $t < $now + $window + GUARD);
            if ($near === []) {
                return;
            }
            usleep((int) ((max($near) - $now + GUARD + 0.005) * 1e6));
        }
    }

    private function expiredLease(array $r, float $now): bool
    {
        return $r['state'] === 'leased' && $r['kind'] === 'lease' && $r['until'][1] <= $now;
    }

    /** Expired leases with no attempt left: the queue buries them at its own moment. */
    private function limbo(array $r, float $now): bool
    {
        return $this->expiredLease($r, $now) && $r['attempts'] >= MAX_ATTEMPTS;
    }

    private function available(array $r, float $now): bool
    {
        return match ($r['state']) {
            'ready' => true,
            'delayed' => $r['due'] <= $now,
            'leased' => $this->expiredLease($r, $now) && $r['attempts'] < MAX_ATTEMPTS,
            default => false,
        };
    }

    /** Ids of the records the next take may return: the oldest plain one, any floating one. */
    private function candidates(float $now, bool $pastPoison = false): array
    {
        $out = [];
        $plainSeen = false;
        foreach ($this->recs as $id => $r) {
            if (!$this->available($r, $now)) {
                continue;
            }
            if ($r['plain']) {
                if ($plainSeen) {
                    continue;
                }
                // deQueueMany goes on past an undecodable one (it goes to the dead letters)
                $plainSeen = !$pastPoison || $r['poison'] === null;
            }
            $out[] = $id;
        }
        return $out;
    }

    /** Buries limbo records, as stats() and deadLetters() do before they answer. */
    private function sweep(float $now): void
    {
        foreach ($this->recs as $id => $r) {
            if ($this->limbo($r, $now)) {
                $this->bury($id);
                $this->c['expired']++;
            }
        }
    }

    private function bury(int $id): void
    {
        $this->recs[$id] = ['state' => 'dead', 'plain' => false, 'kind' => null] + $this->recs[$id];
    }

    private function count(string $state, ?string $kind = null): int
    {
        return count(array_filter($this->recs, fn ($r) => $r['state'] === $state && ($kind === null || $r['kind'] === $kind)));
    }

    // ---- values ---------------------------------------------------------------------------

    private function newValue(): array
    {
        [$kind, $v] = $this->m->value("s{$this->seed}.{$this->nextId}");
        $poison = $kind === 'poison' ? "s{$this->seed}.{$this->nextId}" : null;
        $canon = $poison === null ? expected_canon($v) : 'poison:' . $poison;
        // Raw values only when unique in the queue, so that what comes back names one record.
        $unique = !in_array($canon, array_column($this->recs, 'canon'), true);
        if (!$unique || $this->m->chance(0.5)) {
            $v = ['id' => $this->nextId, 'v' => $v];
            $canon = $poison === null ? expected_canon($v) : $canon;
        }
        return [$kind, $v, $canon, $poison, self::footprint($v)];
    }

    /** More than the bytes a value takes in the queue: serialize() is never shorter than the codec, plus a record header. */
    private static function footprint(mixed $v): int
    {
        try {
            return strlen(serialize($v)) + 24;
        } catch (Throwable) {
            return 0;
        }
    }

    /**
     * A refusal must mean a full queue: what it holds (generously counted) and the new message
     * need more than half of it. Less is the space of taken messages never reclaimed.
     */
    private function checkRefusal(int $newSize): void
    {
        $held = array_sum(array_column($this->recs, 'size'));
        $this->report->check('enQueue refuses only a full queue (space of taken messages is reclaimed)', $held + $newSize > CAPACITY / 2,
            "round seed {$this->seed} (SHMQUEUE_MODEL_ROUND={$this->seed}), op {$this->ops}: refused a $newSize-byte message while the queue holds "
            . count($this->recs) . " messages of at most $held bytes in " . CAPACITY . '; ' . json_encode(array_count_values(array_column($this->recs, 'state')))
            . "\nlast ops: " . implode(' | ', $this->log));
    }

    private function add(array $value, ?float $due = null): int
    {
        [$kind, , $canon, $poison] = $value;
        $id = $this->nextId++;
        $this->recs[$id] = [
            'canon' => $canon, 'kind_of_value' => $kind, 'poison' => $poison,
            'state' => $due === null ? 'ready' : 'delayed', 'plain' => $due === null, 'due' => $due,
            'kind' => $due === null ? null : 'delay', 'attempts' => 0, 'token' => null, 'until' => null,
            'size' => $value[4],
        ];
        $this->c['enqueued']++;
        return $id;
    }

    /** The candidate record that $got (a value, or the poison id of what it threw) is. */
    private function identify(array $candidates, ?string $canon, ?string $poison): ?int
    {
        foreach ($candidates as $id) {
            $r = $this->recs[$id];
            if ($poison !== null ? $r['poison'] === $poison : $r['canon'] === $canon) {
                return $id;
            }
        }
        return null;
    }

    /** The property a take that returned something unexpected breaks (references have their own). */
    private function takeProperty(string $op, array $candidates): string
    {
        foreach ($candidates as $id) {
            if ($this->recs[$id]['kind_of_value'] === 'refs') {
                return 'references inside arrays come back as unserialize(serialize()) gives them (issue 11 #12)';
            }
        }
        return "$op returns the oldest available message, intact";
    }

    private function describeCandidates(array $candidates): string
    {
        return implode(', ', array_map(fn ($id) => "#$id " . show($this->recs[$id]['canon'], 80), $candidates)) ?: 'none';
    }

    /** Model effect of a take by deQueue (removed) of record $id. */
    private function popped(int $id): void
    {
        if ($this->recs[$id]['state'] === 'leased' && $this->recs[$id]['kind'] === 'lease') {
            $this->c['expired']++;
        }
        unset($this->recs[$id]);
        $this->c['dequeued']++;
    }

    private function leased(int $id, float $t0, float $t1, float $lease, ?int $token): void
    {
        $r = &$this->recs[$id];
        if ($r['state'] === 'leased' && $r['kind'] === 'lease') {
            $this->c['expired']++;
        }
        $r = ['state' => 'leased', 'kind' => 'lease', 'plain' => false, 'attempts' => $r['attempts'] + 1,
            'until' => [$t0 + $lease - 0.002, $t1 + $lease + 0.002], 'token' => $token] + $r;
    }

    // ---- operations ------------------------------------------------------------------------

    public function step(): void
    {
        $this->ops++;
        $op = $this->m->weighted([
            'enQueue' => 30, 'enQueueDelayed' => 5, 'enQueueMany' => 7, 'unstorable' => 2,
            'deQueue' => 18, 'deQueueMany' => 7, 'reserve' => 12, 'hoard' => 1, 'ack' => 8, 'release' => 6,
            'deadLetters' => 3, 'requeueDead' => 2, 'purgeDead' => 2, 'length' => 3, 'stats' => 4,
            'remove' => 1,
        ]);
        $this->guard(0.03);
        $this->$op();
    }

    private function enQueue(): void
    {
        $value = $this->newValue();
        $timeout = $this->m->chance(0.1) ? 0.01 : 0.0;
        $this->note("enQueue({$value[0]}, $timeout)");
        $this->guard(0.03 + $timeout);
        try {
            $stored = $this->queue()->enQueue($value[1], $timeout);
        } catch (Throwable $e) {
            $this->bad('enQueue stores every storable value', "enQueue of {$value[0]} " . show($value[1]) . ' threw ' . describe_error($e));
            return;
        }
        if ($stored) {
            $this->add($value);
        } else {
            $this->c['full_rejections']++;
            $this->checkRefusal($value[4]);
        }
        $this->report->ok('enQueue returns true or false');
    }

    private function enQueueDelayed(): void
    {
        $value = $this->newValue();
        $delay = $this->m->pick([0.0, 0.15, 0.3, 0.5, 3600.0]);
        $this->note("enQueueDelayed({$value[0]}, $delay)");
        $t0 = microtime(true);
        $stored = $this->queue()->enQueueDelayed($value[1], $delay);
        if ($stored) {
            // Due in [t0 + delay, now + delay]: the guard keeps operations clear of that span.
            // A delay of 0 is a ready message, in no promised order.
            $id = $this->add($value, $delay == 0.0 ? null : microtime(true) + $delay);
            $this->recs[$id]['plain'] = false;
        } else {
            $this->c['full_rejections']++;
        }
    }

    private function enQueueMany(): void
    {
        $values = [];
        for ($i = $this->m->int(0, 6); $i > 0; $i--) {
            $values[] = $this->newValue();
            $this->nextId++;              // distinct ids inside the batch (unique raw values too)
        }
        $this->nextId -= count($values);
        $this->note('enQueueMany(' . count($values) . ')');
        $n = $this->queue()->enQueueMany(array_column($values, 1));
        if (!$this->report->check('enQueueMany returns how many it stored', is_int($n) && $n >= 0 && $n <= count($values), "returned " . show($n))) {
            throw new Diverged('enQueueMany');
        }
        foreach (array_slice($values, 0, $n) as $value) {
            $this->add($value);
        }
        if ($n < count($values)) {
            $this->c['full_rejections']++;
            $this->checkRefusal($values[$n][4]);
        }
    }

    /** A value that can never be stored: every enqueue method throws and stores nothing. */
    private function unstorable(): void
    {
        [$kind, $v] = $this->m->unstorable(CAPACITY);
        $method = $this->m->pick(['enQueue', 'enQueueDelayed', 'enQueueMany']);
        $this->note("$method(unstorable $kind)");
        $before = $this->queue(false)->stats();
        $this->sweep(microtime(true));
        try {
            $result = match ($method) {
                'enQueue' => $this->queue(false)->enQueue($v),
                'enQueueDelayed' => $this->queue(false)->enQueueDelayed($v, 1.0),
                'enQueueMany' => $this->queue(false)->enQueueMany([$this->newValue()[1], $v]),
            };
            $this->bad('a value that can never be stored throws', "$method of $kind returned " . show($result));
        } catch (Throwable $e) {
            $this->report->check("an unstorable value ($kind) throws SHMQueueException", $e instanceof SHMQueueException || in_array($kind, ['serialize-throws', 'anonymous', 'closure'], true),
                "$method threw " . describe_error($e));
        }
        $after = $this->queue(false)->stats();
        unset($before['used_bytes'], $after['used_bytes']);
        $this->expect('a refused value stores nothing', $before == $after, "stats before " . json_encode($before) . " after " . json_encode($after));
    }

    private function deQueue(): void
    {
        $timeout = $this->m->chance(0.1) ? 0.02 : 0.0;
        $this->note("deQueue($timeout)");
        $this->guard(0.03 + $timeout);
        $now = microtime(true);
        $candidates = $this->candidates($now);
        try {
            $got = $this->queue()->deQueue($timeout);
        } catch (Throwable $e) {
            $this->tookPoison('deQueue', $candidates, $e);
            return;
        }
        if ($got === false && $this->identify($candidates, canon(false), null) === null) {
            $this->expect('deQueue returns false only when nothing is available', $candidates === [], 'false while available: ' . $this->describeCandidates($candidates));
            return;
        }
        $id = $this->identify($candidates, canon($got), null);
        $this->expect($this->takeProperty('deQueue', $candidates), $id !== null,
            'got ' . show(canon($got)) . "\n  expected one of: " . $this->describeCandidates($candidates));
        $this->popped($id);
    }

    /** A take threw: it must be the poison value's own exception, for an available poison record. */
    private function tookPoison(string $op, array $candidates, Throwable $e, bool $leased = false, float $t0 = 0, float $lease = 0): void
    {
        $poison = poison_id($e);
        $id = $poison === null ? null : $this->identify($candidates, null, $poison);
        $this->expect("$op throws only for a value whose __wakeup/__unserialize throws", $id !== null,
            describe_error($e) . "\n  available: " . $this->describeCandidates($candidates));
        if ($leased) {
            $this->leased($id, $t0, microtime(true), $lease, null);
        } else {
            $this->reconcilePoison([$id]);
        }
    }

    private function deQueueMany(): void
    {
        $max = $this->m->int(0, 8);
        $this->note("deQueueMany($max)");
        $now = microtime(true);
        $modelBefore = $this->recs;
        $countersBefore = $this->c;
        try {
            $got = $this->queue()->deQueueMany($max);
        } catch (Throwable $e) {
            $this->batchThrew($e, $now, $modelBefore, $countersBefore);
            return;
        }
        $this->expect('deQueueMany returns a list of at most $max', is_array($got) && array_is_list($got) && count($got) <= $max, 'returned ' . show($got));
        $skipped = [];
        foreach ($got as $i => $value) {
            $candidates = $this->candidates($now, true);
            $id = $this->identify($candidates, canon($value), null);
            foreach ($candidates as $passed) {
                if ($id !== null && $passed < $id && $this->recs[$passed]['plain'] && $this->recs[$passed]['poison'] !== null) {
                    $skipped[] = $passed;     // an older plain one, undecodable: taken and buried
                }
            }
            $this->expect($this->takeProperty('deQueueMany', $candidates), $id !== null,
                "item $i: got " . show(canon($value)) . "\n  expected one of: " . $this->describeCandidates($candidates));
            $this->popped($id);
        }
        $poisonTaken = $this->reconcilePoison(array_unique(array_merge($skipped,
            array_filter($this->candidates($now, true), fn ($id) => $this->recs[$id]['poison'] !== null))));
        $left = array_filter($this->candidates($now), fn ($id) => $this->recs[$id]['poison'] === null);
        $this->expect('deQueueMany takes $max when that many are available', count($got) + $poisonTaken === $max || $left === [],
            count($got) . " of $max taken, still available: " . $this->describeCandidates($left));
    }

    /**
     * deQueueMany threw (a value in the batch cannot be decoded). Whatever the caller gets for the
     * bad one, the good messages must not go with it: each must still be available afterwards.
     */
    private function batchThrew(Throwable $e, float $now, array $before, array $countersBefore): void
    {
        $poison = poison_id($e);
        $hadPoison = array_filter($before, fn ($r) => $r['poison'] !== null && $this->available($r, $now));
        if (!$this->report->check('deQueueMany throws only for a value whose __wakeup/__unserialize throws', $poison !== null && $hadPoison !== [], describe_error($e))) {
            throw new Diverged('deQueueMany threw');
        }
        $good = array_filter($before, fn ($r) => $r['poison'] === null && $this->available($r, $now));
        $stillThere = [];
        for ($i = 0; $i < count($before) + 5; $i++) {
            try {
                $v = $this->queue(false)->deQueue();
            } catch (Throwable $e2) {
                continue;
            }
            $stillThere[canon($v)] = true;
        }
        $lost = array_filter($good, fn ($r) => !isset($stillThere[$r['canon']]));
        $this->report->check('deQueueMany over a bad value loses none of the good ones (issue 11 #3)', $lost === [],
            "round seed {$this->seed} (SHMQUEUE_MODEL_ROUND={$this->seed}), op {$this->ops}: " . count($lost) . ' of ' . count($good)
            . ' good messages gone after deQueueMany threw ' . describe_error($e) . "\nlast ops: " . implode(' | ', $this->log));
        throw new Diverged('resynced after a bad batch');   // the round's model is spent
    }

    /**
     * A take that did not throw passed over an available poison value (a fixed deQueueMany may
     * bury it, or drop it as deQueue does): the counters say which; the model follows.
     */
    private function reconcilePoison(array $poisonIds): int
    {
        if ($poisonIds === []) {
            return 0;
        }
        $s = $this->queue(false)->stats();
        $this->sweep(microtime(true));
        $buried = [];                 // which ones: an undecodable dead letter names its value's error
        if ($s['dead'] > $this->count('dead')) {
            foreach ($this->queue(false)->deadLetters($s['dead'] + 10) as $letter) {
                if (isset($letter['error'])) {
                    $buried[poison_id(new Exception($letter['error']))] = true;
                }
            }
        }
        $taken = 0;
        foreach ($poisonIds as $id) {
            $expired = $this->recs[$id]['state'] === 'leased';
            if ($this->recs[$id]['state'] !== 'dead' && isset($buried[$this->recs[$id]['poison']])) {
                $this->bury($id);                        // moved to the dead letters: attempts 1
                $this->recs[$id]['attempts'] = 1;
                $this->c['expired'] += (int) $expired;
                $taken++;
            } elseif ($s['dequeued'] > $this->c['dequeued'] && !isset($buried[$this->recs[$id]['poison']])) {
                $this->popped($id);                      // dropped (no room to bury it)
                $taken++;
            }
        }
        return $taken;
    }

    private function reserve(?float $lease = null): ?SHMQueueJob
    {
        $lease ??= $this->m->pick([null, 0.2, 0.3, 0.6, 3600.0]);
        $this->note('reserve(' . var_export($lease, true) . ')');
        $this->guard(0.03);
        $t0 = microtime(true);
        $candidates = $this->candidates($t0);
        $leasedNow = $this->count('leased', 'lease');
        $effectiveLease = $lease ?? LEASE;
        try {
            $job = $lease === null ? $this->queue()->reserve() : $this->queue()->reserve(0.0, $lease);
        } catch (SHMQueueException $e) {
            if (str_contains($e->getMessage(), 'lease slots')) {
                // A delayed retry keeps its slot only while the queue is too full to move it into
                // the ring (reserve moves it as soon as there is room): issue 11 #4.
                $s = $this->queue()->stats();
                $free = $s['capacity'] - $s['used_bytes'];
                $this->expect('reserve refuses only when every lease slot holds a leased job, or the queue is too full to move a delayed retry out of its slot',
                    $leasedNow >= $this->slots || $free < $s['capacity'] / 4,
                    describe_error($e) . "; leased jobs: $leasedNow of {$this->slots} slots, delayed: " . $this->count('delayed') . ", free bytes $free of {$s['capacity']}");
                return null;
            }
            $this->tookPoison('reserve', $candidates, $e, true, $t0, $effectiveLease);
            return null;
        } catch (Throwable $e) {
            $this->tookPoison('reserve', $candidates, $e, true, $t0, $effectiveLease);
            return null;
        }
        $t1 = microtime(true);
        if ($job === null) {
            $this->expect('reserve returns null only when nothing is available', $candidates === [], 'null while available: ' . $this->describeCandidates($candidates));
            return null;
        }
        $id = $this->identify($candidates, canon($job->value), null);
        $this->expect($this->takeProperty('reserve', $candidates), $id !== null,
            'got ' . show(canon($job->value)) . "\n  expected one of: " . $this->describeCandidates($candidates));
        $r = $this->recs[$id];
        $this->expect('no more jobs leased at once than lease_slots', $leasedNow < $this->slots || $r['state'] !== 'ready',
            "a job was leased with $leasedNow of {$this->slots} slots in use");
        $this->expect('a job counts its attempts', $job->attempts === $r['attempts'] + 1, "attempts {$job->attempts}, expected " . ($r['attempts'] + 1));
        $this->expect('job ids are new on every delivery', is_int($job->id) && $job->id > $this->lastJobId, "id {$job->id} after {$this->lastJobId}");
        $this->lastJobId = max($this->lastJobId, (int) $job->id);
        $this->expect('leaseUntil is now + lease', $job->leaseUntil >= $t0 + $effectiveLease - 0.01 && $job->leaseUntil <= $t1 + $effectiveLease + 0.01,
            "leaseUntil {$job->leaseUntil}, expected about " . ($t0 + $effectiveLease));
        $this->leased($id, $t0, $t1, $effectiveLease, $job->id);
        $this->jobs[] = [$job, $id, $this->generation];
        return $job;
    }

    /** Reserves many jobs for an hour, then releases them with an hour's delay: the retry loop of a mail server down for an hour. */
    private function hoard(): void
    {
        $n = $this->m->int(1, $this->slots + 8);
        $this->note("hoard($n)");
        for ($i = 0; $i < $n; $i++) {
            $this->guard(0.03);
            if ($this->candidates(microtime(true)) === []) {
                $this->enQueue();
            }
            $job = $this->reserve(3600.0);
            if ($job !== null && $this->m->chance(0.7)) {
                $this->release($job, 3600.0);
            }
        }
    }

    private function takeJob(): ?array
    {
        if ($this->jobs === []) {
            return null;
        }
        $i = $this->m->int(0, count($this->jobs) - 1);
        $entry = $this->jobs[$i];
        if ($this->m->chance(0.8)) {
            array_splice($this->jobs, $i, 1);
        }
        return $entry;
    }

    /** Whether the record of a job still holds that job's lease; null when the model cannot know. */
    private function holds(array $entry, float $now): ?bool
    {
        [$job, $id, $generation] = $entry;
        $r = $this->recs[$id] ?? null;
        if ($generation !== $this->generation || $r === null || $r['state'] !== 'leased' || $r['kind'] !== 'lease' || $r['token'] !== $job->id) {
            return false;
        }
        return $this->limbo($r, $now) ? null : true;
    }

    private function ack(): void
    {
        $entry = $this->takeJob();
        if ($entry === null) {
            return;
        }
        [$job, $id, $generation] = $entry;
        $this->note("ack(job {$job->id} of #$id)");
        $now = microtime(true);
        $holds = $this->holds($entry, $now);
        try {
            $acked = $this->queue()->ack($job);
        } catch (SHMQueueException $e) {
            $this->expect('ack throws only for a job of a removed queue', $generation !== $this->generation, describe_error($e));
            return;
        }
        $this->expect('ack is true exactly while the lease is still the job\'s', $holds === null || $acked === $holds,
            'ack returned ' . var_export($acked, true) . ', expected ' . var_export($holds, true));
        if ($acked) {
            unset($this->recs[$id]);
            $this->c['dequeued']++;
        } elseif ($holds === null) {
            $this->bury($id);
            $this->c['expired']++;
        }
    }

    private function release(?SHMQueueJob $job = null, ?float $delay = null): void
    {
        $entry = $job === null ? $this->takeJob() : array_pop($this->jobs);
        if ($entry === null) {
            return;
        }
        [$job, $id, $generation] = $entry;
        $delay ??= $this->m->pick([0.0, 0.0, 0.2, 0.5, 3600.0]);
        $this->note("release(job {$job->id} of #$id, $delay)");
        $now = microtime(true);
        $holds = $this->holds($entry, $now);
        try {
            $released = $this->queue()->release($job, $delay);
        } catch (SHMQueueException $e) {
            $this->expect('release throws only for a job of a removed queue', $generation !== $this->generation, describe_error($e));
            return;
        }
        $this->expect('release is true exactly while the lease is still the job\'s', $holds === null || $released === $holds,
            'release returned ' . var_export($released, true) . ', expected ' . var_export($holds, true));
        if (!$released) {
            if ($holds === null) {
                $this->bury($id);
                $this->c['expired']++;
            }
            return;
        }
        $this->c['retries']++;
        $r = &$this->recs[$id];
        if ($r['attempts'] >= MAX_ATTEMPTS) {
            $this->bury($id);
        } elseif ($delay == 0.0) {
            $r = ['state' => 'ready', 'kind' => null] + $r;
        } else {
            $r = ['state' => 'delayed', 'kind' => 'delay', 'due' => microtime(true) + $delay] + $r;
        }
    }

    private function deadLetters(): void
    {
        $max = $this->m->int(1, 20);
        $this->note("deadLetters($max)");
        $this->sweep(microtime(true));
        $dead = array_filter($this->recs, fn ($r) => $r['state'] === 'dead');
        try {
            $letters = $this->queue()->deadLetters($max);
        } catch (Throwable $e) {
            $poisoned = array_filter($dead, fn ($r) => $r['poison'] !== null);
            $this->bad($poisoned !== [] ? 'deadLetters lists the good letters when one cannot be decoded (issue 11 #3)' : 'deadLetters does not throw',
                describe_error($e) . '; ' . count($dead) . ' dead, ' . count($poisoned) . ' of them undecodable');
            return;
        }
        // An undecodable letter comes as ['value' => null, 'attempts' => n, 'error' => why].
        $want = array_map(fn ($r) => $r['attempts'] . ' ' . ($r['poison'] === null ? $r['canon'] : 'undecodable ' . $r['poison']), $dead);
        $got = array_map(fn ($l) => ($l['attempts'] ?? '?') . ' ' . (isset($l['error']) ? 'undecodable ' . poison_id(new Exception($l['error']))
            : (array_key_exists('value', $l) ? canon($l['value']) : '?')), $letters);
        $extra = array_diff($got, $want);
        $complete = count($dead) <= $max ? array_diff($want, $got) === [] : count($letters) === $max;
        $this->expect('deadLetters lists the dead letters with their attempts', $extra === [] && $complete,
            count($letters) . " letters for max $max, " . count($dead) . " dead; missing: " . show(implode(' ; ', array_diff($want, $got)))
            . ' extra: ' . show(implode(' ; ', $extra)));
    }

    private function requeueDead(): void
    {
        foreach ($this->callOnDead('requeueDead') as $id) {
            $this->recs[$id] = ['state' => 'ready', 'attempts' => 0] + $this->recs[$id];
        }
    }

    private function purgeDead(): void
    {
        $dead = $this->callOnDead('purgeDead');
        foreach ($dead as $id) {
            unset($this->recs[$id]);
        }
        $this->c['purged'] += count($dead);
    }

    /** Calls requeueDead() or purgeDead(), checks that it counted every dead letter; their ids. */
    private function callOnDead(string $method): array
    {
        $this->note("$method()");
        $this->stats();
        $n = $this->queue()->$method();
        $dead = array_keys(array_filter($this->recs, fn ($r) => $r['state'] === 'dead'));
        $this->expect("$method returns how many dead letters it handled", $n === count($dead), "returned $n, dead " . count($dead));
        return $dead;
    }

    private function length(): void
    {
        $this->note('getLength()');
        $want = $this->count('ready') + $this->count('delayed');
        $got = $this->m->chance(0.5) ? $this->queue()->getLength() : count($this->queue());
        $this->expect('getLength/count is ready + delayed', $got === $want, "got $got, model $want");
    }

    public function stats(): void
    {
        $this->note('stats()');
        $this->guard(0.03);
        $this->sweep(microtime(true));
        $s = $this->queue()->stats();
        $want = $this->c + [
            'name' => $this->name, 'capacity' => CAPACITY, 'ready' => $this->count('ready'),
            'in_flight' => $this->count('leased'), 'delayed' => $this->count('delayed'), 'dead' => $this->count('dead'),
            'max_attempts' => MAX_ATTEMPTS, 'lease_slots' => $this->slots, 'recoveries' => 0,
        ];
        $want['length'] = $want['ready'] + $want['delayed'];
        // One refused call is one refusal, however often a waiting enQueue retried meanwhile.
        $this->report->check('stats(): full_rejections counts refused calls', $s['full_rejections'] === $want['full_rejections'],
            "round seed {$this->seed} (SHMQUEUE_MODEL_ROUND={$this->seed}), op {$this->ops}: queue {$s['full_rejections']}, model {$want['full_rejections']}; last ops: " . implode(' | ', $this->log));
        $this->c['full_rejections'] = $want['full_rejections'] = $s['full_rejections'];
        $diff = [];
        foreach ($want as $key => $value) {
            if (($s[$key] ?? null) !== $value) {
                $diff[] = "$key: queue " . var_export($s[$key] ?? null, true) . ", model " . var_export($value, true);
            }
        }
        $this->expect('stats() agree with the model', $diff === [], implode('; ', $diff));
        $this->expect('stats(): enqueued = dequeued + purged + length + in_flight + dead',
            $s['enqueued'] === $s['dequeued'] + $s['purged'] + $s['length'] + $s['in_flight'] + $s['dead'], json_encode($s));
        $this->expect('stats(): lease is the queue\'s', abs($s['lease'] - LEASE) < 1e-9, 'lease ' . var_export($s['lease'], true));
        $empty = $this->recs === [];
        $this->expect('stats(): used_bytes is 0 exactly when the queue holds nothing', ($s['used_bytes'] === 0) === $empty && $s['used_bytes'] <= CAPACITY,
            "used_bytes {$s['used_bytes']}, model holds " . count($this->recs));
    }

    /** SHMQueue::remove() mid-way: both objects move to a new, empty queue with the same settings. */
    private function remove(): void
    {
        $this->note('remove()');
        $removed = SHMQueue::remove($this->name);
        $this->expect('remove returns whether the queue existed', $removed === $this->exists, 'returned ' . var_export($removed, true));
        $this->exists = false;
        $this->resetCounters();
        $this->removes++;
    }

    /** Ends the round: every job acked, everything drained; the empty queue takes a large message. */
    public function finish(): void
    {
        $this->note('finish');
        foreach ($this->jobs as $entry) {
            $this->jobs = [$entry];
            $this->ack();
        }
        $this->stats();
        $deadline = microtime(true) + 3;
        $soon = fn ($r) => match ($r['state']) {
            'delayed' => $r['due'] < microtime(true) + 2,
            'leased' => $r['until'][1] < microtime(true) + 2,
            default => true,
        };
        while (microtime(true) < $deadline && array_filter($this->recs, $soon)) {
            $this->guard(0.03);
            if ($this->candidates(microtime(true)) !== []) {
                $this->deQueue();
            } elseif ($this->count('dead') > 0) {
                $this->purgeDead();
            } else {
                usleep(20000);
            }
        }
        $this->stats();
        $this->purgeDead();
        $this->stats();
        $left = count(array_filter($this->recs, $soon));
        $this->expect('a round ends drained (all but hour-long delays and leases)', $left === 0, "$left records left: " . json_encode(array_slice($this->recs, 0, 3)));
        if ($this->recs === []) {
            $big = str_repeat('b', CAPACITY / 2);
            $this->expect('an empty queue takes a message of half its capacity', $this->queue(false)->enQueue($big) === true, 'refused, stats ' . json_encode($this->queue(false)->stats()));
            $this->expect('and gives it back', $this->queue(false)->deQueue() === $big, 'another value came');
        }
    }
}

[, $seed, $seconds, $prefix] = $argv;
$report = new Report();
$rounds = $ops = $removes = 0;
$started = microtime(true);
$onlyRound = getenv('SHMQUEUE_MODEL_ROUND');
$seeder = new Random\Randomizer(new Random\Engine\Mt19937((int) $seed));
do {
    $roundSeed = $onlyRound !== false ? (int) $onlyRound : $seeder->getInt(1, PHP_INT_MAX);
    $round = new Round($roundSeed, "$prefix-single", $report);
    $length = (new Random\Randomizer(new Random\Engine\Mt19937($roundSeed)))->getInt(50, 1500);
    try {
        for ($i = 0; $i < $length; $i++) {
            $round->step();
            if ($i % 50 === 0) {
                $round->stats();
            }
        }
        $round->finish();
    } catch (Diverged $e) {
        // reported already; the next round starts afresh
    } catch (Throwable $e) {
        $report->fail('no unexpected exception', "round seed $roundSeed (SHMQUEUE_MODEL_ROUND=$roundSeed), op {$round->ops}: " . describe_error($e) . ' at ' . $e->getFile() . ':' . $e->getLine());
    }
    $rounds++;
    $ops += $round->ops;
    $removes += $round->removes;
    SHMQueue::remove("$prefix-single");
} while ($onlyRound === false && microtime(true) - $started < (float) $seconds);
$report->print('single');
printf("single: %d rounds, %d operations, %d removes in %.1f s\n", $rounds, $ops, $removes, microtime(true) - $started);
