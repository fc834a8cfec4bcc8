<?php

/**
 * Matches the mails in a directory against the signups that were accepted, and dead letters:
 * prints "<figure> <count>" lines for run.sh to assert on.
 *
 * php check-delivery.php MAILDIR REGISTRATIONS [DEAD_LETTERS]
 *   REGISTRATIONS: "<email> <http status>" lines; DEAD_LETTERS: "<email> <attempts>" lines.
 */

declare(strict_types=1);

[, $maildir, $registrationsFile] = $argv;
$deadFile = $argv[3] ?? null;

$accepted = [];
foreach (file($registrationsFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    [$email, $status] = explode(' ', $line);
    if ($status === '202') {
        $accepted[$email] = 0;
    }
}
$dead = [];
foreach ($deadFile === null ? [] : file($deadFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    [$email] = explode(' ', $line);
    $dead[$email] = ($dead[$email] ?? 0) + 1;
}

$figures = ['mails' => 0, 'malformed' => 0, 'unknown' => 0, 'message_ids_repeated' => 0];
$messageIds = [];
foreach (glob("$maildir/*.eml") as $file) {
    $figures['mails']++;
    $mail = parse(file_get_contents($file));
    if ($mail === null) {
        $figures['malformed']++;
        fwrite(STDERR, "malformed: $file\n");
        continue;
    }
    $messageIds[$mail['message-id']] = ($messageIds[$mail['message-id']] ?? 0) + 1;
    if (isset($accepted[$mail['address']])) {
        $accepted[$mail['address']]++;
    } else {
        $figures['unknown']++;
    }
}
$figures['message_ids_repeated'] = count(array_filter($messageIds, fn ($n) => $n > 1));
$figures['accepted'] = count($accepted);
$figures['sent_once'] = count(array_filter($accepted, fn ($n) => $n === 1));
$figures['sent_twice_or_more'] = count(array_filter($accepted, fn ($n) => $n > 1));
$figures['dead'] = array_sum($dead);
$figures['dead_and_sent'] = count(array_filter(array_keys($dead), fn ($e) => ($accepted[$e] ?? 0) > 0));
$figures['dead_repeated'] = count(array_filter($dead, fn ($n) => $n > 1));
$figures['dead_unknown'] = count(array_diff_key($dead, $accepted));
$figures['lost'] = count(array_filter(array_keys($accepted), fn ($e) => $accepted[$e] === 0 && !isset($dead[$e])));
foreach ($figures as $name => $count) {
    echo "$name $count\n";
}

/**
 * The recipient and Message-ID of a well-formed welcome mail, or null: CRLF line ends only,
 * the usual headers, and a subject and body that greet the name the To header carries.
 */
function parse(string $text): ?array
{
    if (preg_match('/(?<!\r)\n|\r(?!\n)/', $text) || !str_contains($text, "\r\n\r\n")) {
        return null;
    }
    [$head, $body] = explode("\r\n\r\n", $text, 2);
    $headers = [];
    foreach (explode("\r\n", $head) as $line) {
        [$name, $value] = explode(': ', $line, 2) + [1 => ''];
        $headers[strtolower($name)] = $value;
    }
    foreach (['date', 'from', 'to', 'subject', 'message-id', 'mime-version', 'content-type'] as $required) {
        if (($headers[$required] ?? '') === '') {
            return null;
        }
    }
    if (!preg_match('/^(".*"|=\?UTF-8\?B\?[A-Za-z0-9+\/=]+\?=) <([^>]+)>$/', $headers['to'], $to)
        || strtotime($headers['date']) === false) {
        return null;
    }
    $name = decodeWord($to[1]);
    if (decodeWord($headers['subject']) !== "Welcome, $name!" || !str_starts_with($body, "Hello $name,\r\n")) {
        return null;
    }
    return ['address' => $to[2], 'message-id' => $headers['message-id']];
}

/** A header word as text: an RFC 2047 base64 encoded word, a quoted string, or plain. */
function decodeWord(string $word): string
{
    if (preg_match('/^=\?UTF-8\?B\?(.*)\?=$/', $word, $encoded)) {
        return (string) base64_decode($encoded[1], true);
    }
    return preg_match('/^"(.*)"$/', $word, $quoted) ? stripcslashes($quoted[1]) : $word;
}
