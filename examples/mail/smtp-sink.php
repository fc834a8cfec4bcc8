<?php

/**
 * A tiny SMTP server for tests: accepts every message and stores it as an .eml file in a
 * directory (dot-stuffing undone, as a real server would). One session at a time; stop it
 * with SIGTERM. Prints "listening on HOST:PORT" once ready (--listen 127.0.0.1:0 picks a port).
 *
 * php smtp-sink.php --maildir DIR [--listen 127.0.0.1:2525]
 */

declare(strict_types=1);

$options = getopt('', ['maildir:', 'listen:']);
if (!isset($options['maildir'])) {
    fwrite(STDERR, "usage: php smtp-sink.php --maildir DIR [--listen HOST:PORT]\n");
    exit(2);
}
$maildir = $options['maildir'];
@mkdir($maildir, 0775, true);
$server = stream_socket_server('tcp://' . ($options['listen'] ?? '127.0.0.1:2525'), $errno, $error);
if ($server === false) {
    fwrite(STDERR, "smtp-sink: cannot listen: $error\n");
    exit(1);
}
echo 'listening on ', stream_socket_get_name($server, false), "\n";

$stored = 0;
while (true) {
    $client = @stream_socket_accept($server, -1);
    if ($client !== false) {
        stream_set_timeout($client, 10);
        serve($client, $maildir, $stored);
        fclose($client);
    }
}

/** One SMTP session: greeting, commands, each DATA stored as a file. @param resource $client */
function serve($client, string $maildir, int &$stored): void
{
    $reply = fn (string $line) => fwrite($client, "$line\r\n");
    $reply('220 smtp-sink ready');
    $recipients = 0;
    while (($line = fgets($client, 4096)) !== false) {
        $verb = strtoupper(substr(rtrim($line), 0, 4));
        if ($verb === 'EHLO' || $verb === 'HELO') {
            $reply('250 smtp-sink');
        } elseif ($verb === 'MAIL' || $verb === 'RSET' || $verb === 'NOOP') {
            $recipients = 0;
            $reply('250 OK');
        } elseif ($verb === 'RCPT') {
            $recipients++;
            $reply('250 OK');
        } elseif ($verb === 'DATA' && $recipients === 0) {
            $reply('503 no recipients');
        } elseif ($verb === 'DATA') {
            $reply('354 end with <CRLF>.<CRLF>');
            $message = '';
            while (($data = fgets($client, 4096)) !== false && $data !== ".\r\n") {
                $message .= str_starts_with($data, '.') ? substr($data, 1) : $data;
            }
            if ($data === false) {
                return;  // the client went away mid-message: nothing accepted
            }
            $stored++;
            $name = sprintf('%s/%d-%06d', $maildir, getmypid(), $stored);
            file_put_contents("$name.tmp", $message);
            rename("$name.tmp", "$name.eml");
            $reply("250 OK stored as " . basename("$name.eml"));
        } elseif ($verb === 'QUIT') {
            $reply('221 bye');
            return;
        } else {
            $reply('502 command not implemented');
        }
    }
}
