<?php

/**
 * The signup endpoint (php-fpm): validates the form and queues the welcome mail instead of
 * sending it while the user waits. Answers 202 when queued, 422 for a bad form, 503 when the
 * queue is full or unavailable. Queue name: env SHMQUEUE_MAIL_QUEUE (default "mail").
 */

declare(strict_types=1);

header('Content-Type: text/plain; charset=UTF-8');

$email = formField('email');
$name = formField('name');
if (filter_var($email, FILTER_VALIDATE_EMAIL) === false) {
    respond(422, "invalid email address\n");
}
if (!preg_match('/^[^\x00-\x1f\x7f]{1,100}$/u', $name)) {
    respond(422, "name must be 1 to 100 characters of UTF-8, without control characters\n");
}

// A real signup would insert the user here; its new row id goes with the mail.
$userId = bin2hex(random_bytes(8));
$mail = [
    'to' => $email,
    'name' => $name,
    'subject' => "Welcome, $name!",
    'body' => "Hello $name,\n\nthanks for signing up. Your account is ready.\n\nThe Example team\n",
    'user_id' => $userId,
];

try {
    $queue = new SHMQueue(getenv('SHMQUEUE_MAIL_QUEUE') ?: 'mail');
    $queued = $queue->enQueue($mail);
} catch (SHMQueueException $error) {
    error_log("register.php: mail queue unavailable: {$error->getMessage()}");
    $queued = false;
}
if (!$queued) {
    header('Retry-After: 5');
    respond(503, "cannot take signups right now, please try again\n");
}
respond(202, "queued the welcome mail for user $userId\n");

function respond(int $status, string $text): never
{
    http_response_code($status);
    echo $text;
    exit;
}

/** A form field from the POST body or the query string; '' when missing or not a string. */
function formField(string $key): string
{
    $value = $_POST[$key] ?? $_GET[$key] ?? '';
    return is_string($value) ? trim($value) : '';
}
