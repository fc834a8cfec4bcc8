<?php

namespace ShmQueue\Tests\Symfony;

use ShmQueue\Symfony\ShmQueueReceivedStamp;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\MessageDecodingFailedException;
use Symfony\Component\Messenger\Exception\TransportException;
use Symfony\Component\Messenger\Transport\Receiver\KeepaliveReceiverInterface;
use Symfony\Component\Messenger\Transport\SetupableTransportInterface;

/** keepalive(), setup(), close() and get($fetchSize), called as Messenger calls them. */
final class TransportExtrasTest extends MessengerTestCase
{
    public function testKeepaliveExtendsTheLeaseToTheQueuesLeaseOrTheSecondsAsked(): void
    {
        $transport = $this->transport('main', 'lease=2');
        if (interface_exists(KeepaliveReceiverInterface::class)) {
            $this->assertInstanceOf(KeepaliveReceiverInterface::class, $transport, 'Symfony 7.2+ calls keepalive() on receivers with this interface');
        }
        $transport->send(new Envelope(new TestMessage('m')));
        $envelope = [...$transport->get()][0];
        $job = $envelope->last(ShmQueueReceivedStamp::class)->getJob();

        $before = microtime(true);
        $transport->keepalive($envelope, 30);
        $this->assertGreaterThanOrEqual($before + 30 - 0.01, $job->leaseUntil, 'keepalive(30): 30 s from now');

        $before = microtime(true);
        $transport->keepalive($envelope, 1);
        $this->assertGreaterThanOrEqual($before + 2 - 0.01, $job->leaseUntil, 'keepalive(1) keeps the queue\'s lease (2 s): never shortened below it');
        $this->assertLessThan($before + 30, $job->leaseUntil, 'and sets it from now');

        $transport->keepalive($envelope); // no seconds: the queue's lease
        $transport->ack($envelope);
        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('lost the lease');
        $transport->keepalive($envelope); // acked: no longer this worker's
    }

    public function testKeepaliveOfALeaseTakenByAnotherWorkerThrows(): void
    {
        $transport = $this->transport('main', 'lease=0.05');
        $transport->send(new Envelope(new TestMessage('m')));
        $first = [...$transport->get()][0];
        usleep(100_000);
        $second = [...$transport->get()][0];
        $this->assertSame(2, $second->last(ShmQueueReceivedStamp::class)->getAttempts());

        try {
            $transport->keepalive($first, 10);
            $this->fail('keepalive() of a lost lease should throw');
        } catch (TransportException $e) {
            $this->assertStringContainsString('lost the lease', $e->getMessage());
        }
        $transport->keepalive($second, 10);
        $transport->ack($second);
        $this->assertSame(0, $transport->getQueue()->stats()['in_flight']);
    }

    public function testSetupCreatesTheQueueAgainAfterItWasRemovedAndCloseKeepsItUsable(): void
    {
        $transport = $this->transport('main', 'capacity=128K');
        $this->assertInstanceOf(SetupableTransportInterface::class, $transport);
        $name = $transport->getQueue()->stats()['name'];
        \SHMQueue::remove($name);
        $this->assertFileDoesNotExist('/dev/shm/shmqueue.' . $name);

        $transport->setup(); // messenger:setup-transports

        $this->assertFileExists('/dev/shm/shmqueue.' . $name);
        $this->assertSame(128 * 1024, $transport->getQueue()->stats()['capacity'], 'created again with the same settings');
        $transport->close();
        $transport->send(new Envelope(new TestMessage('after close')));
        $this->assertSame(1, $transport->getMessageCount(), 'a closed transport is used again as it was');
    }

    public function testGetWithAFetchSizeTakesABatchEachUnderItsLease(): void
    {
        $transport = $this->transport('main');
        foreach (['a', 'b', 'c', 'd', 'e'] as $id) {
            $transport->send(new Envelope(new TestMessage($id)));
        }

        $batch = [...$transport->get(3)]; // Symfony 8.1's messenger:consume --fetch-size=3

        $this->assertSame(['a', 'b', 'c'], array_map(fn (Envelope $e) => $e->getMessage()->id, $batch));
        $this->assertSame([2, 3], [$transport->getMessageCount(), $transport->getQueue()->stats()['in_flight']], 'count, in_flight');
        $this->assertSame(['d', 'e'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$transport->get(10)]), 'a batch takes what there is');
        $this->assertCount(0, [...$transport->get(10)]);
        $this->assertSame(5, $transport->getQueue()->stats()['in_flight']);
    }

    public function testABatchStopsBeforeAMessageThatDoesNotDecode(): void
    {
        $transport = $this->transport('main', 'max_attempts=2');
        $transport->send(new Envelope(new TestMessage('good')));
        $transport->getQueue()->enQueue('not an envelope');
        $transport->send(new Envelope(new TestMessage('after')));

        $this->assertSame(['good'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$transport->get(3)]), 'the good one first');
        // Taken by that batch (delivery 1) and given back, it keeps its place: the next get()
        // reports it (delivery 2, its max_attempts: to the dead letters).
        try {
            [...$transport->get(3)];
            $this->fail('the next get() should report the message that does not decode');
        } catch (MessageDecodingFailedException $e) {
            $this->assertStringContainsString('string', $e->getMessage());
        }
        $this->assertSame(['after'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$transport->get(3)]), 'then the rest');
        $this->assertSame(1, $transport->getQueue()->stats()['dead'], 'the undecodable one rests in the dead letters');
    }
}
