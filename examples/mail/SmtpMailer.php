<?php

declare(strict_types=1);

/**
 * Sends through an SMTP server (RFC 5321, no TLS, no auth: a relay on localhost or a test
 * sink), one connection per message.
 */
final class SmtpMailer implements Mailer
{
    public function __construct(
        private readonly string $host,
        private readonly int $port,
        private readonly float $timeout = 10.0,
        private readonly string $heloName = 'localhost',
    ) {
    }

    public function send(Message $message): void
    {
        $connection = @stream_socket_client("tcp://{$this->host}:{$this->port}", $errno, $error, $this->timeout);
        if ($connection === false) {
            throw new MailerException("cannot connect to the SMTP server {$this->host}:{$this->port}: $error");
        }
        stream_set_timeout($connection, (int) floor($this->timeout), (int) (fmod($this->timeout, 1) * 1e6));
        try {
            $this->expect($connection, 220);
            $this->command($connection, "EHLO {$this->heloName}", 250);
            $this->command($connection, "MAIL FROM:<{$message->from}>", 250);
            $this->command($connection, "RCPT TO:<{$message->to}>", 250, 251);
            $this->command($connection, 'DATA', 354);
            // Dot-stuffing: a line starting with "." gets another, so none can end the data early.
            $data = preg_replace('/^\./m', '..', $message->render());
            $this->command($connection, $data . '.', 250);
            // Accepted: a failing QUIT must not turn into a retry, which would send it twice.
            @fwrite($connection, "QUIT\r\n");
        } finally {
            fclose($connection);
        }
    }

    /** @param resource $connection */
    private function command($connection, string $line, int ...$accepted): void
    {
        $line .= "\r\n";
        if (@fwrite($connection, $line) !== strlen($line)) {
            throw new MailerException("SMTP server {$this->host}:{$this->port} went away");
        }
        $this->expect($connection, ...$accepted);
    }

    /** Reads one (possibly multi-line) reply and checks its code. @param resource $connection */
    private function expect($connection, int ...$accepted): void
    {
        do {
            $line = fgets($connection, 1024);
            if ($line === false) {
                $why = stream_get_meta_data($connection)['timed_out'] ? 'timed out' : 'closed the connection';
                throw new MailerException("SMTP server {$this->host}:{$this->port} $why");
            }
        } while (($line[3] ?? ' ') === '-');
        if (!in_array((int) substr($line, 0, 3), $accepted, true)) {
            throw new MailerException("SMTP server {$this->host}:{$this->port} answered: " . rtrim($line));
        }
    }
}
