<?php

namespace ShmQueue\Tests\Symfony;

use Symfony\Component\Console\Tester\CommandTester;
use Symfony\Component\EventDispatcher\EventDispatcher;
use Symfony\Component\Messenger\Command\FailedMessagesRemoveCommand;
use Symfony\Component\Messenger\Command\FailedMessagesRetryCommand;
use Symfony\Component\Messenger\Command\FailedMessagesShowCommand;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Handler\HandlersLocator;
use Symfony\Component\Messenger\MessageBus;
use Symfony\Component\Messenger\Middleware\HandleMessageMiddleware;
use Symfony\Component\Messenger\Stamp\SentToFailureTransportStamp;
use Symfony\Component\Messenger\Stamp\TransportMessageIdStamp;
use Symfony\Component\Messenger\Transport\Receiver\ListableReceiverInterface;

/** messenger:failed:show, :remove and :retry by id on a shmqueue failure transport (ListableReceiverInterface). */
final class FailedCommandsTest extends MessengerTestCase
{
    public function testShowRemoveAndRetryMessagesById(): void
    {
        $failed = $this->transport('failed');
        $this->assertInstanceOf(ListableReceiverInterface::class, $failed);
        foreach (['one', 'two', 'three'] as $id) { // as Messenger sends failed messages there
            $failed->send(new Envelope(new TestMessage($id), [new SentToFailureTransportStamp('main')]));
        }
        $ids = array_map(fn (Envelope $e) => $e->last(TransportMessageIdStamp::class)->getId(), [...$failed->all()]);
        $this->assertCount(3, array_unique($ids), 'all() lists three messages with distinct ids');
        $this->assertSame(['one', 'two'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$failed->all(2)]), 'all(2): the oldest two');
        $this->assertSame('two', $failed->find($ids[1])?->getMessage()->id, 'find() by id');
        $this->assertNull($failed->find('no-such-id'));
        $this->assertSame([3, 0], [$failed->getMessageCount(), $failed->getQueue()->stats()['in_flight']], 'nothing taken by looking');

        $show = $this->command(new FailedMessagesShowCommand('failed', new ArrayLocator(['failed' => $failed])), []);
        foreach ($ids as $id) {
            $this->assertStringContainsString($id, $show, 'messenger:failed:show lists ' . $id);
        }
        $this->assertStringContainsString(TestMessage::class, $show);

        $this->command(new FailedMessagesRemoveCommand('failed', new ArrayLocator(['failed' => $failed])), ['id' => [$ids[1]], '--force' => true]);
        // The queue takes from its head: "one", before "two", was taken and stored again at the tail.
        $this->assertSame(['three', 'one'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$failed->all()]), 'messenger:failed:remove took "two" only');
        $this->assertSame([2, 0, 0], [$failed->getMessageCount(), $failed->getQueue()->stats()['in_flight'], $failed->getQueue()->stats()['dead']]);

        $handled = [];
        $bus = new MessageBus([new HandleMessageMiddleware(new HandlersLocator([TestMessage::class => [function (TestMessage $m) use (&$handled) {
            $handled[] = $m->id;
        }]]))]);
        $this->command(new FailedMessagesRetryCommand('failed', new ArrayLocator(['failed' => $failed]), $bus, new EventDispatcher()), ['id' => [$ids[2]], '--force' => true]);
        $this->assertSame(['three'], $handled, 'messenger:failed:retry ID handled that message');
        $this->assertSame(['one'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$failed->all()]), 'and removed it once handled');
        $this->assertSame($ids[0], [...$failed->all()][0]->last(TransportMessageIdStamp::class)->getId(), 'the others keep their ids');
    }

    public function testRemovingAMessageAWorkerHoldsFailsAndKeepsEveryMessage(): void
    {
        $failed = $this->transport('failed');
        $failed->send(new Envelope(new TestMessage('held')));
        $failed->send(new Envelope(new TestMessage('waiting')));
        [$listedHeld] = [...$failed->all(1)];
        $held = [...$failed->get()][0]; // a worker has it now

        try {
            $failed->reject($listedHeld);
            $this->fail('reject() of a message a worker holds should throw');
        } catch (\Symfony\Component\Messenger\Exception\TransportException $e) {
            $this->assertStringContainsString('no message', $e->getMessage());
        }
        $this->assertSame(['waiting'], array_map(fn (Envelope $e) => $e->getMessage()->id, [...$failed->all()]), 'the waiting one is still there');
        $failed->ack($held);
        $this->assertSame([1, 0], [$failed->getMessageCount(), $failed->getQueue()->stats()['in_flight']]);
    }

    private function command(object $command, array $input): string
    {
        $tester = new CommandTester($command);
        $status = $tester->execute($input, ['interactive' => false]);
        $this->assertSame(0, $status, get_class($command) . ': ' . $tester->getDisplay());

        return $tester->getDisplay();
    }
}
