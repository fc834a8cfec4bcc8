<?php

namespace ShmQueue\Tests\Symfony;

use ShmQueue\Symfony\ShmQueueReceivedStamp;
use ShmQueue\Tests\Figures;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Exception\MessageDecodingFailedException;
use Symfony\Component\Messenger\Stamp\DelayStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Transport\Serialization\PhpSerializer;

/** The transport's own contract: send, get, ack, reject, delays, counts, redelivery. */
final class TransportTest extends MessengerTestCase
{
    public function testSendGetAck(): void
    {
        $transport = $this->transport('main');

        $transport->send(new Envelope(new TestMessage('m1')));

        $this->assertSame(1, $transport->getMessageCount(), 'message count after send');
        $envelopes = [...$transport->get()];
        $this->assertCount(1, $envelopes, 'get() yields the message');
        $envelope = $envelopes[0];
        $this->assertEquals(new TestMessage('m1'), $envelope->getMessage());
        $received = $envelope->last(ShmQueueReceivedStamp::class);
        $this->assertNotNull($received, 'ShmQueueReceivedStamp on the received envelope');
        $this->assertSame(1, $received->getAttempts(), 'first delivery');
        $this->assertMatchesRegularExpression('/^[0-9a-f]{16}$/', (string) $envelope->last(TransportMessageIdStamp::class)?->getId(), 'TransportMessageIdStamp carries the id send() gave the message');
        $this->assertSame([0, 1], [$transport->getMessageCount(), $transport->getQueue()->stats()['in_flight']], 'count and in_flight while the message is handled');

        $transport->ack($envelope);

        $stats = $transport->getQueue()->stats();
        $this->assertSame([0, 0, 0], [$stats['length'], $stats['in_flight'], $stats['dead']], 'length, in_flight, dead after ack');
        $this->assertSame([], [...$transport->get()], 'nothing left after ack');
    }

    public function testRejectRemovesTheMessage(): void
    {
        $transport = $this->transport('main', 'lease=1');
        $transport->send(new Envelope(new TestMessage('m1')));

        $transport->reject([...$transport->get()][0]);
        usleep(1_100_000); // past the lease: a message still held would come back now

        $stats = $transport->getQueue()->stats();
        $this->assertSame([0, 0, 0], [$stats['length'], $stats['in_flight'], $stats['dead']], 'length, in_flight, dead after reject');
        $this->assertSame([], [...$transport->get()], 'a rejected message is not delivered again');
    }

    public function testDelayStampDelaysDelivery(): void
    {
        $transport = $this->transport('main');

        $sentAt = microtime(true);
        $transport->send(new Envelope(new TestMessage('later'), [new DelayStamp(1000)]));

        $this->assertSame([1, 1], [$transport->getMessageCount(), $transport->getQueue()->stats()['delayed']], "count and stats()['delayed'] after a send with DelayStamp(1000)");
        $this->assertSame([], [...$transport->get()], 'not delivered before its delay');
        $envelopes = $this->getWithin($transport, 3.0);
        $waited = microtime(true) - $sentAt;
        Figures::print('symfony DelayStamp(1000), measured wait before get() delivered', sprintf('%.3f s', $waited));
        $this->assertCount(1, $envelopes, 'delivered after its delay');
        $this->assertGreaterThanOrEqual(1.0, $waited, 'delivered no sooner than 1000 ms');
        $transport->ack($envelopes[0]);
    }

    public function testMessageCountCountsReadyAndDelayedMessages(): void
    {
        $transport = $this->transport('main');

        $transport->send(new Envelope(new TestMessage('a')));
        $transport->send(new Envelope(new TestMessage('b')));
        $transport->send(new Envelope(new TestMessage('c'), [new DelayStamp(60_000)]));

        $this->assertSame(3, $transport->getMessageCount(), 'two ready + one delayed');
        $transport->ack([...$transport->get()][0]);
        $this->assertSame(2, $transport->getMessageCount(), 'after one is acked');
    }

    public function testAMessageWhoseWorkersDiedComesBackThenRestsInTheDeadLetters(): void
    {
        $transport = $this->transport('main', 'lease=0.3&max_attempts=2');
        $transport->send(new Envelope(new TestMessage('orphan')));

        // A worker that dies holding a message never acks or rejects it.
        $first = [...$transport->get()][0];
        $second = $this->getWithin($transport, 3.0);

        $this->assertCount(1, $second, 'the message comes back once its lease ran out');
        $this->assertSame([1, 2], [$first->last(ShmQueueReceivedStamp::class)->getAttempts(), $second[0]->last(ShmQueueReceivedStamp::class)->getAttempts()], 'attempts of the two deliveries');
        $this->assertSame([], $this->getWithin($transport, 0.6), 'no third delivery with max_attempts=2');
        $dead = $transport->getQueue()->deadLetters();
        $this->assertCount(1, $dead, 'dead letters');
        $this->assertSame(2, $dead[0]['attempts']);
        $this->assertEquals(new TestMessage('orphan'), (new PhpSerializer())->decode($dead[0]['value'])->getMessage(), 'the dead letter decodes to the message');
    }

    public function testAValueThatDoesNotDecodeIsGivenBackThenRestsInTheDeadLetters(): void
    {
        $transport = $this->transport('main', 'max_attempts=2');
        $transport->getQueue()->enQueue('not an envelope');

        foreach ([1, 2] as $delivery) {
            try {
                [...$transport->get()];
                $this->fail("get() should throw MessageDecodingFailedException on delivery $delivery");
            } catch (MessageDecodingFailedException $e) {
                $this->assertStringContainsString('string', $e->getMessage());
            }
        }

        $stats = $transport->getQueue()->stats();
        $this->assertSame([0, 0, 1], [$stats['length'], $stats['in_flight'], $stats['dead']], 'length, in_flight, dead after two failed decodings');
        $this->assertSame('not an envelope', $transport->getQueue()->deadLetters()[0]['value']);
    }
}
