<?php

namespace ShmQueue\Tests\Symfony;

use ShmQueue\Symfony\ShmQueueReceivedStamp;
use ShmQueue\Symfony\ShmQueueTransport;
use ShmQueue\Tests\ChildProcess;
use ShmQueue\Tests\JobLog;
use Symfony\Component\Messenger\Envelope;

/**
 * Messenger's Worker in a child process (worker.php) handling a message longer than its lease,
 * while this process, a second worker, keeps trying to take it; and a worker killed while it
 * handles one.
 */
final class WorkerProcessTest extends MessengerTestCase
{
    private string $log;

    protected function setUp(): void
    {
        parent::setUp();
        $this->log = JobLog::create();
    }

    protected function tearDown(): void
    {
        @unlink($this->log);
        parent::tearDown();
    }

    /** @group symfony-keepalive */
    #[\PHPUnit\Framework\Attributes\Group('symfony-keepalive')]
    public function testWithKeepaliveALongHandlerKeepsItsMessage(): void
    {
        $transport = $this->transport('main', 'lease=2');
        $transport->send(new Envelope(new TestMessage('long')));

        $worker = $this->startWorker('lease=2', handlerSeconds: 4, keepalive: 1);
        $taken = $this->takeFor($transport, 4.5);
        $ending = $worker->finish();

        $this->assertSame('exit 0', $ending['ending'], 'worker: ' . $ending['output']);
        $this->assertSame([], $taken, 'the second worker took nothing: keepalive kept the lease');
        $this->assertSame([1], $this->attemptsHandled(), 'handled once');
        $this->assertSame(['long'], array_column(array_filter(JobLog::read($this->log), fn ($e) => isset($e['done'])), 'id'), 'and to its end');
        $stats = $transport->getQueue()->stats();
        $this->assertSame([0, 0, 0, 0], [$stats['length'], $stats['in_flight'], $stats['expired'], $stats['dead']], 'length, in_flight, expired, dead: acked by the worker');
    }

    public function testWithoutKeepaliveALongHandlersMessageGoesToAnotherWorkerAfterItsLease(): void
    {
        $transport = $this->transport('main', 'lease=1');
        $transport->send(new Envelope(new TestMessage('long')));

        $worker = $this->startWorker('lease=1', handlerSeconds: 3, keepalive: 0);
        $taken = $this->takeFor($transport, 3.5);
        $worker->finish();

        $this->assertSame([2], $taken, 'the second worker took the message (attempt 2) once the lease ran out');
        $this->assertSame(1, $transport->getQueue()->stats()['expired']);
    }

    public function testAKilledWorkersMessageComesBackAfterItsLease(): void
    {
        $transport = $this->transport('main', 'lease=1');
        $transport->send(new Envelope(new TestMessage('survivor')));

        $worker = $this->startWorker('lease=1', handlerSeconds: 30, keepalive: 0);
        $worker->kill();
        $ending = $worker->finish();

        $this->assertSame('signal 9', $ending['ending']);
        $this->assertSame([1], $this->attemptsHandled(), 'the killed worker had the message');
        $envelopes = $this->getWithin($transport, 3.0);
        $this->assertCount(1, $envelopes, 'the message came back');
        $this->assertEquals(new TestMessage('survivor'), $envelopes[0]->getMessage());
        $this->assertSame(2, $envelopes[0]->last(ShmQueueReceivedStamp::class)->getAttempts(), 'second delivery');
        $transport->ack($envelopes[0]);
        $stats = $transport->getQueue()->stats();
        $this->assertSame([0, 0, 1], [$stats['length'], $stats['in_flight'], $stats['expired']], 'length, in_flight, expired');
    }

    /** Starts worker.php on "main" and waits until its handler has the message. */
    private function startWorker(string $query, float $handlerSeconds, int $keepalive): ChildProcess
    {
        $worker = ChildProcess::start(20, __DIR__ . '/worker.php', "shmqueue://{$this->prefix}main?{$query}", (string) $handlerSeconds, $this->log, (string) $keepalive);
        $giveUpAt = microtime(true) + 5;
        while ($this->attemptsHandled() === [] && microtime(true) < $giveUpAt) {
            usleep(10_000);
        }
        if ($this->attemptsHandled() === []) {
            $worker->kill();
            $this->fail('the worker did not start handling the message: ' . json_encode($worker->finish()));
        }

        return $worker;
    }

    /** get() here for $seconds, acking what comes; returns the attempts of what was taken. */
    private function takeFor(ShmQueueTransport $transport, float $seconds): array
    {
        $taken = [];
        $until = microtime(true) + $seconds;
        while (microtime(true) < $until) {
            foreach ($transport->get() as $envelope) {
                $taken[] = $envelope->last(ShmQueueReceivedStamp::class)->getAttempts();
                $transport->ack($envelope);
            }
            usleep(50_000);
        }

        return $taken;
    }

    /** @return list<int> the attempts of the deliveries worker.php's handler got */
    private function attemptsHandled(): array
    {
        return array_column(array_filter(JobLog::read($this->log), fn ($e) => isset($e['started'])), 'attempts');
    }
}
