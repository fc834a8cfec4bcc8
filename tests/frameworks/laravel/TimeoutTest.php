<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Queue\MaxAttemptsExceededException;
use Illuminate\Queue\TimeoutExceededException;
use ShmQueue\Tests\Figures;

/**
 * Jobs that run past their timeout. Laravel's worker then kills its own process (SIGALRM
 * handler, then SIGKILL), so each worker runs in a child process (worker.php); the job comes
 * back when its lease (retry_after) runs out, with attempts + 1.
 */
final class TimeoutTest extends LaravelTestCase
{
    /** retry_after well above the job's 1 s timeout, as Laravel requires, on a busy machine too. */
    private const RETRY_AFTER = 3;

    protected function setUp(): void
    {
        parent::setUp();
        $this->useConnection(['retry_after' => self::RETRY_AFTER]);
    }

    public function testATimedOutJobIsRedeliveredThenFailedByLaravelAtItsTries(): void
    {
        $job = new SleepingJob($this->jobLog);
        $job->tries = 2;
        $id = $this->queue()->push($job);

        $endings = $this->runWorkersUntil(fn () => $this->app->failedJobs->all() !== [], maxTries: 1);

        $runs = $this->runs();
        $this->assertSame([1, 2], array_column($runs, 'attempts'), 'attempts of the runs; worker endings: ' . json_encode($endings));
        $this->assertSame([$id, $id], array_column($runs, 'id'));
        $this->assertNotSame($runs[0]['pid'], $runs[1]['pid'], 'the second attempt runs in another worker process');
        $this->assertWorkersKilledOnTimeout(2, $endings);
        Figures::print('laravel timeout 1 s + retry_after 3 s, measured time between the two attempts', sprintf('%.3f s', $runs[1]['at'] - $runs[0]['at']));

        $failed = $this->app->failedJobs->all();
        $this->assertCount(1, $failed, 'failed jobs: ' . json_encode($failed));
        // Laravel 10+ fail a job that timed out on its last try with an exception saying so.
        $expected = class_exists(TimeoutExceededException::class) ? TimeoutExceededException::class : MaxAttemptsExceededException::class;
        $this->assertStringStartsWith($expected . ':', $failed[0]['exception']);
        $this->assertSame($id, json_decode($failed[0]['payload'], true)['uuid']);
        $stats = $this->stats();
        $this->assertSame([0, 0, 0], [$stats['length'], $stats['in_flight'], $stats['dead']], 'length, in_flight, dead: Laravel failed and deleted the job');
    }

    public function testAJobWhoseWorkersKeepDyingEndsInTheDeadLettersWhenLaravelNeverFailsIt(): void
    {
        $this->useConnection(['retry_after' => self::RETRY_AFTER, 'max_attempts' => 2]);
        $id = $this->queue()->push(new SleepingJob($this->jobLog));

        // --tries=0: Laravel retries forever, so only the queue's max_attempts stops the job.
        $endings = $this->runWorkersUntil(fn () => $this->stats()['dead'] > 0, maxTries: 0);

        $runs = $this->runs();
        $this->assertSame([1, 2], array_column($runs, 'attempts'), 'attempts of the runs; worker endings: ' . json_encode($endings));
        $this->assertWorkersKilledOnTimeout(2, $endings);
        $this->assertSame([], $this->app->failedJobs->all(), 'Laravel never failed the job');
        $dead = $this->queue()->deadLetters();
        $this->assertCount(1, $dead, 'dead letters');
        $this->assertSame(2, $dead[0]['attempts'], 'the dead letter had its max_attempts (2) deliveries');
        $this->assertSame($id, json_decode($dead[0]['value'], true)['uuid'], 'the dead letter is the job payload');
        $this->assertSame([0, 0], [$this->queue()->size(), $this->queue()->reservedSize()]);

        $this->assertSame(1, $this->queue()->retryDeadLetters(), 'retryDeadLetters() puts the job back');
        $again = $this->queue()->pop();
        $this->assertSame([$id, 1], [$again->getJobId(), $again->attempts()], 'id and attempts (reset) of the job put back');
        $again->delete();
    }

    /**
     * Starts worker processes one after the other (each stops after 2 s without jobs) until
     * $done, at most 8 of them; returns how each ended.
     */
    private function runWorkersUntil(callable $done, int $maxTries): array
    {
        $endings = [];
        while (!$done() && count($endings) < 8) {
            $endings[] = WorkerProcess::run($this->config, $this->failedJobsFile, $maxTries, maxTime: 2);
        }
        $this->assertTrue($done(), 'the expected end was not reached after 8 workers: ' . json_encode($endings));

        return $endings;
    }

    /** $kills workers were killed (SIGKILL, Laravel's kill() on timeout); the others ran out of time idle. */
    private function assertWorkersKilledOnTimeout(int $kills, array $endings): void
    {
        $counts = array_count_values(array_column($endings, 'ending'));
        $this->assertSame($kills, $counts['signal 9'] ?? 0, 'workers killed: ' . json_encode($endings));
        $this->assertSame(count($endings) - $kills, $counts['exit 0'] ?? 0, 'the other workers exit 0: ' . json_encode($endings));
    }
}
