<?php

declare(strict_types=1);

/** Sends one message, or throws MailerException (the worker then retries it later). */
interface Mailer
{
    /** @throws MailerException */
    public function send(Message $message): void;
}
