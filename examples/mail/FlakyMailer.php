<?php

declare(strict_types=1);

/**
 * Wraps a mailer and fails a given share of sends before they reach it, to exercise retries
 * and dead letters. Seeded, so a run can be repeated.
 */
final class FlakyMailer implements Mailer
{
    private Random\Randomizer $random;

    public function __construct(private readonly Mailer $inner, private readonly float $failureRate, int $seed)
    {
        if ($failureRate < 0 || $failureRate > 1) {
            throw new InvalidArgumentException("failure rate $failureRate is not within 0..1");
        }
        $this->random = new Random\Randomizer(new Random\Engine\Mt19937($seed));
    }

    public function send(Message $message): void
    {
        if ($this->random->getInt(1, 1_000_000) <= (int) round($this->failureRate * 1_000_000)) {
            throw new MailerException("simulated failure sending to {$message->to}");
        }
        $this->inner->send($message);
    }
}
