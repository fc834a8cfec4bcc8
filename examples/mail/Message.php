<?php

declare(strict_types=1);

/**
 * One plain-text mail, rendered as an RFC 5322 message (CRLF line ends, UTF-8 body).
 */
final class Message
{
    public function __construct(
        public readonly string $from,
        public readonly string $to,
        public readonly string $subject,
        public readonly string $body,
        public readonly string $toName = '',
    ) {
        foreach ([$from, $to] as $address) {
            if (filter_var($address, FILTER_VALIDATE_EMAIL) === false) {
                throw new InvalidArgumentException("not a mail address: " . json_encode($address));
            }
        }
        // A CR or LF in a header value would let the sender inject headers.
        if (preg_match('/[\r\n]/', $subject . $toName)) {
            throw new InvalidArgumentException('line breaks in a header value');
        }
    }

    /** The message a queued job describes: ['to' => ..., 'subject' => ..., 'body' => ..., 'name' => ...]. */
    public static function fromJob(mixed $mail, string $from): self
    {
        if (!is_array($mail)) {
            throw new InvalidArgumentException('job is not an array');
        }
        foreach (['to', 'subject', 'body'] as $field) {
            if (!is_string($mail[$field] ?? null)) {
                throw new InvalidArgumentException("job has no string '$field'");
            }
        }
        $name = $mail['name'] ?? '';
        return new self($from, $mail['to'], $mail['subject'], $mail['body'], is_string($name) ? $name : '');
    }

    public function render(): string
    {
        $to = $this->toName === '' ? $this->to : self::encodePhrase($this->toName) . " <{$this->to}>";
        $headers = [
            'Date' => date(DATE_RFC2822),
            'From' => $this->from,
            'To' => $to,
            'Subject' => self::encodeText($this->subject),
            'Message-ID' => sprintf('<%s@%s>', bin2hex(random_bytes(12)), explode('@', $this->from)[1]),
            'MIME-Version' => '1.0',
            'Content-Type' => 'text/plain; charset=UTF-8',
            'Content-Transfer-Encoding' => '8bit',
        ];
        $head = '';
        foreach ($headers as $name => $value) {
            $head .= "$name: $value\r\n";
        }
        $body = preg_replace('/\r\n|\r|\n/', "\r\n", $this->body);
        return $head . "\r\n" . $body . (str_ends_with($body, "\r\n") ? '' : "\r\n");
    }

    /** Header text: as is when printable ASCII, else an RFC 2047 encoded word. */
    private static function encodeText(string $text): string
    {
        return preg_match('/^[\x20-\x7e]*$/', $text) ? $text : '=?UTF-8?B?' . base64_encode($text) . '?=';
    }

    /** A display name: a quoted string when printable ASCII, else an RFC 2047 encoded word. */
    private static function encodePhrase(string $name): string
    {
        return preg_match('/^[\x20-\x7e]*$/', $name)
            ? '"' . addcslashes($name, '"\\') . '"'
            : '=?UTF-8?B?' . base64_encode($name) . '?=';
    }
}
